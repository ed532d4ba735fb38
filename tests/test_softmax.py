"""Softmax with temperature, log-softmax and the Jacobian (THEORY.md §1), against finite differences,
closed forms and (when installed) torch autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest

import activations
from activations import log_softmax, softmax, softmax_jacobian
from activations.softmax import jacobian_norm, temperature_sweep

LOGITS = [
    np.array([1.0, 2.0, 3.0]),
    np.array([0.0, 0.0, 0.0, 0.0]),
    np.array([-2.5, 0.3, 0.3, 4.0, -1.0]),
    np.random.default_rng(20240611).normal(0.0, 3.0, 7),
]
TEMPERATURES = [1.0, 0.5, 2.0, 0.05, 10.0]


def reference_softmax(z, t=1.0):
    """Textbook softmax with exact arithmetic on small logits (math.fsum for the normaliser)."""
    e = [math.exp(v / t) for v in z]
    total = math.fsum(e)
    return np.array([v / total for v in e])


@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("t", TEMPERATURES)
def test_softmax_is_a_distribution_equal_to_the_textbook_formula(z, t):
    p = softmax(z, temperature=t)
    assert p.shape == z.shape
    assert np.all(p >= 0) and math.fsum(p) == pytest.approx(1.0, abs=1e-15)
    if np.max(np.abs(z / t)) < 300:
        np.testing.assert_allclose(p, reference_softmax(z, t), rtol=1e-13, atol=1e-300)


def test_temperature_divides_the_logits():
    z = LOGITS[2]
    np.testing.assert_allclose(softmax(z, temperature=4.0), softmax(z / 4.0), rtol=1e-15)
    np.testing.assert_allclose(log_softmax(z, temperature=0.25), log_softmax(z * 4.0), rtol=1e-14)


def test_low_temperature_saturates_to_one_hot_and_high_temperature_flattens():
    z = np.array([1.0, 3.0, 2.0])
    np.testing.assert_array_equal(softmax(z, temperature=1e-3), [0.0, 1.0, 0.0])
    np.testing.assert_allclose(softmax(z, temperature=1e6), np.full(3, 1 / 3), rtol=1e-5)
    assert np.abs(softmax_jacobian(z, temperature=1e-3)).max() == 0.0
    tie = np.array([2.0, 2.0, -1.0])  # the Jacobian survives only between tied maxima
    assert softmax_jacobian(tie, temperature=1e-2)[0, 1] == pytest.approx(-0.25 / 1e-2, rel=1e-9)


def test_shift_invariance():
    z = LOGITS[3]
    np.testing.assert_allclose(softmax(z + 1234.5), softmax(z), rtol=1e-12)


@pytest.mark.parametrize("big", [1e4, 1e300])
def test_stable_for_huge_logits(big):
    z = np.array([big, -big, 0.0, big])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = softmax(z)
        lp = log_softmax(z)
        j = softmax_jacobian(np.array([big, -big]))
    np.testing.assert_array_equal(p, [0.5, 0.0, 0.0, 0.5])
    assert lp[0] == pytest.approx(-math.log(2), rel=1e-15)
    assert np.all(np.isfinite(lp)) and lp[1] == pytest.approx(-2 * big - math.log(2), rel=1e-15)
    assert np.all(np.isfinite(j))


def test_two_class_softmax_is_the_sigmoid_even_far_out():
    x = np.array([-1e4, -50.0, -1.0, 0.0, 0.5, 30.0, 1e4])
    z = np.stack([x, np.zeros_like(x)], axis=-1)
    np.testing.assert_allclose(softmax(z)[:, 0], activations.get("sigmoid")(x), rtol=1e-13, atol=1e-300)
    # log-probabilities are accurate in absolute terms (log of 1 + 1e-13 is not computed with log1p)
    np.testing.assert_allclose(log_softmax(z)[:, 0], activations.get("log_sigmoid")(x), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("t", [1.0, 0.3, 3.0])
def test_log_softmax_is_log_of_softmax(z, t):
    np.testing.assert_allclose(log_softmax(z, temperature=t), np.log(softmax(z, temperature=t)), rtol=1e-10)


def test_log_softmax_keeps_precision_where_softmax_underflows():
    z = np.array([0.0, -800.0])
    assert softmax(z)[1] == 0.0
    assert log_softmax(z)[1] == pytest.approx(-800.0, rel=1e-15)


def test_axis_argument_and_batches():
    z = np.random.default_rng(20240612).normal(size=(4, 5))
    for axis in (0, 1, -1):
        p = softmax(z, axis=axis)
        np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-15)
        np.testing.assert_allclose(np.exp(log_softmax(z, axis=axis)), p, rtol=1e-13)
    np.testing.assert_allclose(softmax(z)[2], softmax(z[2]), rtol=1e-15)
    np.testing.assert_allclose(softmax(z, axis=0)[:, 3], softmax(z[:, 3]), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved_and_ints_become_float64(dtype):
    z = np.array([1, 2, 3], dtype=dtype)
    assert softmax(z).dtype == dtype and log_softmax(z).dtype == dtype
    assert softmax(np.array([1, 2, 3])).dtype == np.float64
    assert softmax([1, 2, 3]).dtype == np.float64


# --- Jacobian ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("t", [1.0, 0.5, 2.0])
def test_jacobian_matches_central_finite_differences(z, t):
    h = 1e-6
    numeric = np.empty((z.size, z.size))
    for j in range(z.size):
        e = np.zeros(z.size)
        e[j] = h
        numeric[:, j] = (softmax(z + e, temperature=t) - softmax(z - e, temperature=t)) / (2 * h)
    np.testing.assert_allclose(softmax_jacobian(z, temperature=t), numeric, atol=1e-8)


@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("t", [1.0, 0.5, 2.0])
def test_jacobian_closed_form_and_structure(z, t):
    p = softmax(z, temperature=t)
    jac = softmax_jacobian(z, temperature=t)
    n = z.size
    expected = np.array([[p[i] * ((i == j) - p[j]) / t for j in range(n)] for i in range(n)])
    np.testing.assert_allclose(jac, expected, rtol=1e-13, atol=1e-17)
    np.testing.assert_allclose(jac, jac.T, rtol=0, atol=1e-17)
    np.testing.assert_allclose(jac.sum(axis=0), 0.0, atol=1e-15)  # probabilities keep summing to 1
    assert np.linalg.eigvalsh(jac).min() > -1e-15  # positive semi-definite


def test_jacobian_of_two_classes_is_sigmoid_derivative():
    for x in (-3.0, 0.0, 1.5):
        jac = softmax_jacobian(np.array([x, 0.0]))
        assert jac[0, 0] == pytest.approx(activations.get("sigmoid").derivative([x])[0], rel=1e-13)


@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("t", [1.0, 0.5, 2.0])
def test_jacobian_equals_torch_autograd(z, t):
    torch = pytest.importorskip("torch")
    zt = torch.tensor(z, dtype=torch.float64)
    reference = torch.autograd.functional.jacobian(lambda v: torch.softmax(v / t, dim=-1), zt).numpy()
    np.testing.assert_allclose(softmax_jacobian(z, temperature=t), reference, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(softmax(z, temperature=t), torch.softmax(zt / t, -1).numpy(), rtol=1e-13)
    np.testing.assert_allclose(log_softmax(z, temperature=t), torch.log_softmax(zt / t, -1).numpy(), rtol=1e-13)


def test_jacobian_norm_and_temperature_sweep():
    z = np.array([0.5, -1.0, 2.0])
    assert jacobian_norm(z, 2.0) == pytest.approx(np.linalg.norm(softmax_jacobian(z, 2.0)), rel=1e-15)
    ts, max_p, norms = temperature_sweep(z, [0.01, 0.1, 1.0, 10.0, 100.0])
    assert np.all(np.diff(max_p) < 0)  # hotter -> flatter
    assert max_p[0] == pytest.approx(1.0, abs=1e-15)
    assert max_p[-1] == pytest.approx(reference_softmax(z, 100.0).max(), rel=1e-14)
    assert norms[0] < 1e-30  # saturated: no gradient passes
    np.testing.assert_array_equal(ts, [0.01, 0.1, 1.0, 10.0, 100.0])


@pytest.mark.parametrize(
    "z", [[2.0, 1.0, 0.1, -1.0], [-8.0, 1.0, 0.1, -1.0], [3.0, 3.0], [10.0, -10.0, 0, 5, 1, 2, 3, 4]]
)
def test_temperature_sweep_is_the_per_temperature_softmax_and_jacobian(z):
    """The batched sweep equals softmax and ‖J‖_F computed one temperature at a time, down to the
    saturated end where the norm is ~1e-300."""
    temperatures = np.geomspace(0.01, 100.0, 161)
    _ts, max_p, norms = temperature_sweep(z, temperatures)
    for t, got_p, got_norm in zip(temperatures, max_p, norms, strict=True):
        assert got_p == pytest.approx(softmax(np.array(z), t).max(), rel=1e-14)
        assert got_norm == pytest.approx(np.linalg.norm(softmax_jacobian(np.array(z), t)), rel=1e-12, abs=0)


# --- bad input --------------------------------------------------------------------------------------

BAD_TEMPERATURES = [0.0, -1.0, -1e-9, math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("t", BAD_TEMPERATURES)
def test_bad_temperature_raises_valueerror_naming_it(t):
    z = np.array([1.0, 2.0])
    for fn in (softmax, log_softmax, softmax_jacobian):
        with pytest.raises(ValueError, match="temperature"):
            fn(z, temperature=t)


def test_non_numeric_temperature_raises_valueerror():
    for fn in (softmax, log_softmax, softmax_jacobian):
        with pytest.raises(ValueError):
            fn(np.array([1.0, 2.0]), temperature="abc")


@pytest.mark.parametrize("bad", [[1.0, math.nan], [math.inf, 0.0], [-math.inf, 1.0]])
def test_non_finite_logits_raise_valueerror(bad):
    for fn in (softmax, log_softmax, softmax_jacobian):
        with pytest.raises(ValueError, match="finite"):
            fn(np.array(bad))


def test_jacobian_needs_a_vector():
    with pytest.raises(ValueError, match="1-D"):
        softmax_jacobian(np.zeros((2, 3)))
