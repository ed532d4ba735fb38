"""Derivatives against independent truth: central finite differences, kink conventions (THEORY.md §2),
closed-form values and identities between activations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from activation_cases import NAMES, away_from, jumps, param_cases, with_points
from scipy import integrate

import activations

H = 1e-6
GRID = np.concatenate([np.linspace(-8.0, 8.0, 1601), np.geomspace(8.0, 40.0, 41), -np.geomspace(8.0, 40.0, 41)])
FINE = np.linspace(-10.0, 10.0, 40_001)  # step 5e-4
SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def f(name, x, **params):
    return activations.get(name)(np.asarray(x, dtype=np.float64), **params)


def df(name, x, **params):
    return activations.get(name).derivative(np.asarray(x, dtype=np.float64), **params)


def phi_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


# --- finite differences -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), param_cases())
def test_derivative_matches_central_finite_differences_away_from_kinks(name, params):
    act = activations.get(name)
    x = away_from(GRID, act.kink_points(**params), 1e-4)
    assert x.size > 0.9 * GRID.size
    numeric = (act(x + H, **params) - act(x - H, **params)) / (2 * H)
    analytic = act.derivative(x, **params)
    bad = ~np.isclose(analytic, numeric, rtol=1e-6, atol=1e-6)
    assert not bad.any(), f"f' ≠ finite difference at x = {x[bad][:5]}: {analytic[bad][:5]} vs {numeric[bad][:5]}"


@pytest.mark.parametrize(("name", "params"), param_cases())
def test_kink_points_list_every_jump_of_f_or_its_derivative(name, params):
    """kink_points() promises the points where f' jumps; the finite-difference test trusts it."""
    act = activations.get(name)
    kinks = act.kink_points(**params)
    assert all(isinstance(k, float) and math.isfinite(k) for k in kinks)
    x = with_points(FINE, [k for k in kinks if -10 < k < 10])
    f_jump, df_jump = jumps(name, params, x)
    left, right = x[:-1], x[1:]
    for i in np.flatnonzero(f_jump | df_jump):
        assert any(left[i] - 1e-9 <= k <= right[i] + 1e-9 for k in kinks), (
            f"{name}{params}: f or f' jumps in [{left[i]:.6g}, {right[i]:.6g}] but kink_points() = {kinks}"
        )


# --- kink conventions: THEORY.md §2 (PyTorch autograd) ----------------------------------------------

KINK_CONVENTIONS = [
    # (name, params, x, f'(x))
    ("relu", {}, 0.0, 0.0),
    ("relu6", {}, 0.0, 0.0),
    ("relu6", {}, 6.0, 0.0),
    ("leaky_relu", {}, 0.0, 0.01),
    ("leaky_relu", {"alpha": 0.2}, 0.0, 0.2),
    ("prelu", {}, 0.0, 0.25),
    ("prelu", {"alpha": 0.1}, 0.0, 0.1),
    ("rrelu", {}, 0.0, (1 / 8 + 1 / 3) / 2),
    ("rrelu", {"lower": 0.05, "upper": 0.6}, 0.0, 0.325),
    ("elu", {}, 0.0, 1.0),
    ("elu", {"alpha": 0.5}, 0.0, 0.5),
    ("elu", {"alpha": 2.0}, 0.0, 2.0),
    ("celu", {}, 0.0, 1.0),
    ("celu", {"alpha": 0.5}, 0.0, 1.0),
    ("celu", {"alpha": 2.0}, 0.0, 1.0),
    ("selu", {}, 0.0, SELU_LAMBDA * SELU_ALPHA),
    ("hardtanh", {}, -1.0, 0.0),
    ("hardtanh", {}, 1.0, 0.0),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, -2.0, 0.0),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, 0.5, 0.0),
    ("hardsigmoid", {}, -3.0, 0.0),
    ("hardsigmoid", {}, 3.0, 0.0),
    ("hardswish", {}, -3.0, 0.0),
    ("hardswish", {}, 3.0, 1.0),
    ("softshrink", {}, -0.5, 0.0),
    ("softshrink", {}, 0.5, 0.0),
    ("softshrink", {"lambd": 1.2}, 1.2, 0.0),
    ("hardshrink", {}, -0.5, 0.0),
    ("hardshrink", {}, 0.5, 0.0),
    ("hardshrink", {"lambd": 1.2}, -1.2, 0.0),
    ("binary_step", {}, 0.0, 0.0),
]


@pytest.mark.parametrize(("name", "params", "x", "expected"), KINK_CONVENTIONS)
def test_derivative_at_kinks_follows_pytorch(name, params, x, expected):
    assert df(name, [x], **params)[0] == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize(("name", "params", "x", "expected"), KINK_CONVENTIONS)
def test_kink_conventions_sit_at_listed_kink_points(name, params, x, expected):
    """Each convention is at a listed kink, unless f is C1 there (CELU; ELU at α = 1): then the slopes
    either side agree with the convention and nothing needs listing."""
    act = activations.get(name)
    if x not in act.kink_points(**params):
        sides = df(name, [x - 1e-9, x + 1e-9], **params)
        assert sides == pytest.approx([expected, expected], abs=1e-8), f"{x} is a kink but is not listed"


def test_selu_derivative_at_zero_is_about_1_7581():
    assert df("selu", [0.0])[0] == pytest.approx(1.7581, abs=5e-5)


@pytest.mark.parametrize(
    ("name", "params", "kink", "left", "right"),
    [
        ("relu", {}, 0.0, 0.0, 1.0),
        ("relu6", {}, 6.0, 1.0, 0.0),
        ("leaky_relu", {"alpha": 0.2}, 0.0, 0.2, 1.0),
        ("hardtanh", {}, -1.0, 0.0, 1.0),
        ("hardsigmoid", {}, 3.0, 1 / 6, 0.0),
        ("hardswish", {}, -3.0, 0.0, -0.5),
        ("hardswish", {}, 3.0, 1.5, 1.0),
        ("softshrink", {}, 0.5, 0.0, 1.0),
    ],
)
def test_one_sided_slopes_next_to_a_kink(name, params, kink, left, right):
    """The convention is only at the kink itself; a hair away each side has its own slope."""
    d = df(name, [kink - 1e-12, kink + 1e-12], **params)
    assert d == pytest.approx([left, right], abs=1e-9)


# --- known values ---------------------------------------------------------------------------------


def test_sigmoid_derivative_peaks_at_a_quarter_at_zero():
    x = np.linspace(-10.0, 10.0, 20_001)
    d = df("sigmoid", x)
    assert d.max() == 0.25
    assert x[np.argmax(d)] == pytest.approx(0.0, abs=1e-12)
    assert df("sigmoid", [0.0])[0] == 0.25
    assert np.all(d <= 0.25)


def test_selu_constants():
    assert f("selu", [1.0])[0] == pytest.approx(SELU_LAMBDA, rel=1e-15)
    assert f("selu", [-1.0])[0] == pytest.approx(SELU_LAMBDA * SELU_ALPHA * math.expm1(-1.0), rel=1e-14)
    assert f("selu", [-1e4])[0] == pytest.approx(-SELU_LAMBDA * SELU_ALPHA, rel=1e-15)
    assert df("selu", [2.0])[0] == pytest.approx(SELU_LAMBDA, rel=1e-15)


def test_selu_is_self_normalising():
    """Klambauer et al.'s λ, α make (mean 0, variance 1) a fixed point: z ~ N(0,1) -> E f = 0, E f² = 1."""

    def moment(k):
        def g(z):
            return f("selu", [z])[0] ** k * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

        return sum(integrate.quad(g, a, b, epsabs=1e-13)[0] for a, b in ((-40, 0), (0, 40)))

    assert moment(1) == pytest.approx(0.0, abs=1e-8)
    assert moment(2) == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("x", [-3.0, -1.0, -0.5, 0.0, 0.3, 1.0, 2.5])
def test_gelu_is_x_times_the_normal_cdf(x):
    assert f("gelu", [x])[0] == pytest.approx(x * phi_cdf(x), rel=1e-14, abs=1e-16)
    pdf = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert df("gelu", [x])[0] == pytest.approx(phi_cdf(x) + x * pdf, rel=1e-13, abs=1e-16)


def test_gelu_of_one_is_phi_of_one():
    assert f("gelu", [1.0])[0] == pytest.approx(phi_cdf(1.0), rel=1e-15)
    assert f("gelu", [1.0])[0] == pytest.approx(0.8413447460685429, rel=1e-15)


def test_gelu_tanh_approximates_gelu_closely():
    x = np.linspace(-6.0, 6.0, 2401)
    assert np.max(np.abs(f("gelu_tanh", x) - f("gelu", x))) < 1e-3
    inner = math.sqrt(2 / math.pi) * (1.0 + 0.044715)
    assert f("gelu_tanh", [1.0])[0] == pytest.approx(0.5 * (1 + math.tanh(inner)), rel=1e-15)


@pytest.mark.parametrize(
    ("name", "x", "value", "slope"),
    [
        ("tanh", 0.0, 0.0, 1.0),
        ("sigmoid", 0.0, 0.5, 0.25),
        ("softplus", 0.0, math.log(2), 0.5),
        ("log_sigmoid", 0.0, -math.log(2), 0.5),
        ("silu", 0.0, 0.0, 0.5),
        ("mish", 0.0, 0.0, 0.6),  # tanh(log 2) = 3/5
        ("softsign", 0.0, 0.0, 1.0),
        ("softsign", 1.0, 0.5, 0.25),
        ("tanhshrink", 0.0, 0.0, 0.0),
        ("snake", 0.0, 0.0, 1.0),
        ("hardswish", 3.0, 3.0, 1.0),
        ("hardswish", -1.5, -0.375, 0.0),
        ("hardsigmoid", 0.0, 0.5, 1 / 6),
        ("relu6", 7.0, 6.0, 0.0),
        ("elu", -1.0, math.expm1(-1.0), math.exp(-1.0)),
        ("squared_relu", 3.0, 9.0, 6.0),
        ("identity", -2.5, -2.5, 1.0),
        ("binary_step", 0.0, 1.0, 0.0),
        ("binary_step", -1e-300, 0.0, 0.0),
    ],
)
def test_closed_form_values_and_slopes(name, x, value, slope):
    if name not in NAMES:
        pytest.skip(f"{name} is not registered")
    assert f(name, [x])[0] == pytest.approx(value, rel=1e-14, abs=1e-300)
    assert df(name, [x])[0] == pytest.approx(slope, rel=1e-14, abs=1e-300)


# --- identities -------------------------------------------------------------------------------------

XS = np.linspace(-12.0, 12.0, 2401)


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
def test_softplus_derivative_is_the_sigmoid(beta):
    x = XS[beta * XS <= 20.0]  # below PyTorch's linear threshold
    np.testing.assert_allclose(df("softplus", x, beta=beta), f("sigmoid", beta * x), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0, 0.0])
def test_silu_derivative_from_the_product_rule(beta):
    s = f("sigmoid", beta * XS)
    ds = df("sigmoid", beta * XS)
    np.testing.assert_allclose(f("silu", XS, beta=beta), XS * s, rtol=1e-14)
    np.testing.assert_allclose(df("silu", XS, beta=beta), s + XS * beta * ds, rtol=1e-12, atol=1e-15)


def test_two_class_softmax_is_the_sigmoid():
    z = np.stack([XS, np.zeros_like(XS)], axis=-1)
    np.testing.assert_allclose(activations.softmax(z)[:, 0], f("sigmoid", XS), rtol=1e-13, atol=1e-300)


def test_leaky_relu_with_zero_slope_is_relu():
    x = with_points(XS, [0.0])
    np.testing.assert_array_equal(f("leaky_relu", x, alpha=0.0), f("relu", x))
    np.testing.assert_array_equal(df("leaky_relu", x, alpha=0.0), df("relu", x))


def test_log_sigmoid_is_minus_softplus_of_minus_x():
    np.testing.assert_allclose(f("log_sigmoid", XS), -f("softplus", -XS), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(f("log_sigmoid", XS), np.log(f("sigmoid", XS)), rtol=1e-9, atol=1e-300)


def test_celu_with_alpha_one_is_elu_with_alpha_one():
    x = with_points(XS, [0.0])
    np.testing.assert_allclose(f("celu", x, alpha=1.0), f("elu", x, alpha=1.0), rtol=1e-15)
    np.testing.assert_allclose(df("celu", x, alpha=1.0), df("elu", x, alpha=1.0), rtol=1e-15)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_celu_is_a_rescaled_elu(alpha):
    """CELU(x; α) = α · ELU(x/α; 1) (Barron 2017)."""
    np.testing.assert_allclose(f("celu", XS, alpha=alpha), alpha * f("elu", XS / alpha), rtol=1e-14)


def test_selu_is_a_scaled_elu():
    x = with_points(XS, [0.0])
    np.testing.assert_allclose(f("selu", x), SELU_LAMBDA * f("elu", x, alpha=SELU_ALPHA), rtol=1e-15)
    np.testing.assert_allclose(df("selu", x), SELU_LAMBDA * df("elu", x, alpha=SELU_ALPHA), rtol=1e-15)


@pytest.mark.parametrize("alpha", [0.01, 0.25, 0.6])
def test_prelu_evaluates_like_leaky_relu(alpha):
    x = with_points(XS, [0.0])
    np.testing.assert_array_equal(f("prelu", x, alpha=alpha), f("leaky_relu", x, alpha=alpha))
    np.testing.assert_array_equal(df("prelu", x, alpha=alpha), df("leaky_relu", x, alpha=alpha))


def test_rrelu_in_evaluation_is_leaky_relu_with_the_mean_slope():
    x = with_points(XS, [0.0])
    np.testing.assert_allclose(f("rrelu", x, lower=0.1, upper=0.5), f("leaky_relu", x, alpha=0.3), rtol=1e-15)
    np.testing.assert_allclose(df("rrelu", x, lower=0.1, upper=0.5), df("leaky_relu", x, alpha=0.3), rtol=1e-15)


def test_hard_functions_are_built_from_relu6():
    x = with_points(XS, [-3.0, 3.0])
    np.testing.assert_allclose(f("hardsigmoid", x), f("relu6", x + 3) / 6, rtol=1e-15)
    np.testing.assert_allclose(f("hardswish", x), x * f("hardsigmoid", x), rtol=1e-15, atol=1e-300)


def test_mish_tanhshrink_and_squared_relu_from_their_parts():
    np.testing.assert_allclose(f("mish", XS), XS * np.tanh(np.log1p(np.exp(XS))), rtol=1e-13)
    np.testing.assert_allclose(f("tanhshrink", XS), XS - np.tanh(XS), rtol=1e-13, atol=1e-300)
    np.testing.assert_array_equal(f("squared_relu", XS), f("relu", XS) ** 2)


def test_softplus_approaches_relu_as_beta_grows():
    assert np.max(np.abs(f("softplus", XS, beta=10.0) - f("relu", XS))) <= math.log(2) / 10 + 1e-15


def test_smooth_claims_match_the_jump_finder_on_a_sanity_pair():
    """The jump finder used by the metadata tests sees relu's kink and not sigmoid's smoothness."""
    x = with_points(FINE, [0.0])
    assert jumps("relu", {}, x)[1].any() and not jumps("relu", {}, x)[0].any()
    assert not any(j.any() for j in jumps("sigmoid", {}, x))
    assert jumps("binary_step", {}, x)[0].any()
