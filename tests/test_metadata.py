"""Teaching metadata, verified numerically (issue 2: "metadata claims are tested, not just written").

Claims are about the default parameters (as ``Activation.bounded`` documents); both directions are
checked, so a claim left at its default value (e.g. ``monotonic=True``) is as tested as one written out.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from activation_cases import NAMES, jumps, with_points

import activations
from activations import FAMILIES

FINE = np.linspace(-10.0, 10.0, 40_001)  # step 5e-4
WIDE = np.unique(np.concatenate([np.linspace(-1e3, 1e3, 20_001), FINE]))


def act_of(name):
    return activations.get(name)


def dense_grid(name):
    """FINE plus the kinks themselves, so a value taken only at a kink is seen."""
    return with_points(FINE, [k for k in act_of(name).kink_points() if -10 < k < 10])


# --- plain fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_field_types(name):
    act = act_of(name)
    assert act.family in FAMILIES
    assert act.year is None or (type(act.year) is int and 1900 <= act.year <= 2030)
    assert isinstance(act.paper, str)
    for flag in (act.monotonic, act.smooth, act.zero_centred, act.zero_gradient_region, act.bounded):
        assert type(flag) is bool
    lo, hi = act.output_range
    assert isinstance(lo, float) and isinstance(hi, float) and lo < hi
    assert act.bounded == (math.isfinite(lo) and math.isfinite(hi))


@pytest.mark.parametrize("name", NAMES)
def test_frameworks_name_pytorch_keras_and_jax(name):
    frameworks = act_of(name).frameworks
    assert {"PyTorch", "Keras", "JAX"} <= set(frameworks)
    assert all(isinstance(v, str) and v.strip() for v in frameworks.values())


def test_every_family_is_used():
    assert {act_of(n).family for n in NAMES} == set(FAMILIES)


# --- monotonic ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_monotonic_claim(name):
    act = act_of(name)
    x = np.unique(np.concatenate([WIDE, dense_grid(name)]))
    y = act(x)
    steps = np.diff(y)
    worst = steps.min()
    if act.monotonic:
        assert worst >= -1e-12 * (1 + np.abs(y[:-1])).max(), f"decreases by {-worst:g} near x = {x[np.argmin(steps)]}"
    else:
        assert worst < -1e-6, "claimed non-monotonic, but non-decreasing on the grid"


@pytest.mark.parametrize("name", [n for n in NAMES if act_of(n).monotonic])
def test_monotonic_derivative_is_never_negative(name):
    assert act_of(name).derivative(dense_grid(name)).min() >= 0.0


# --- smooth (C1) --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_smooth_claim_means_continuous_f_and_continuous_derivative(name):
    act = act_of(name)
    f_jump, df_jump = jumps(name, {}, dense_grid(name))
    x = dense_grid(name)
    if act.smooth:
        assert not f_jump.any(), f"f jumps near x = {x[:-1][f_jump][:3]}"
        assert not df_jump.any(), f"f' jumps near x = {x[:-1][df_jump][:3]}"
    else:
        assert f_jump.any() or df_jump.any(), "claimed not C1, but f and f' are continuous at the defaults"


@pytest.mark.parametrize("name", NAMES)
def test_smooth_functions_list_no_kinks_and_kinked_ones_list_them(name):
    act = act_of(name)
    if act.smooth:
        assert act.kink_points() == ()
    else:
        assert act.kink_points() != ()


# --- bounded / output range ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_values_stay_inside_the_output_range(name):
    act = act_of(name)
    lo, hi = act.output_range
    x = np.unique(np.concatenate([WIDE, dense_grid(name), [-1e4, 1e4]]))
    y = act(x)
    assert y.min() >= lo, f"f = {y.min()!r} < {lo} at x = {x[np.argmin(y)]}"
    assert y.max() <= hi, f"f = {y.max()!r} > {hi} at x = {x[np.argmax(y)]}"


@pytest.mark.parametrize("name", NAMES)
def test_finite_ends_of_the_output_range_are_tight(name):
    """A finite bound is the infimum / supremum (to the 3 decimals the tables use), not just a bound."""
    act = act_of(name)
    lo, hi = act.output_range
    y = act(np.unique(np.concatenate([WIDE, dense_grid(name), [-1e4, 1e4]])))
    if math.isfinite(lo):
        assert y.min() - lo < 5e-3
    if math.isfinite(hi):
        assert hi - y.max() < 5e-3


@pytest.mark.parametrize("name", NAMES)
def test_infinite_ends_of_the_output_range_really_grow(name):
    act = act_of(name)
    lo, hi = act.output_range
    y3_lo, y4_lo, y3_hi, y4_hi = act(np.array([-1e3, -1e4, 1e3, 1e4]))
    if hi == math.inf:
        assert y4_hi >= 50 and y4_hi > 5 * y3_hi
    if lo == -math.inf:
        assert y4_lo <= -50 and y4_lo < 5 * y3_lo


# --- zero-centred -------------------------------------------------------------------------------------

# "Zero-centred" in library.py is a property of the output distribution, not of symmetry: SELU, which is
# not odd, is marked zero-centred because λ, α make E[f(z)] = 0 for z ~ N(0, 1) (Klambauer et al.);
# ELU and Leaky ReLU, which only push the mean toward zero, are not. So: |E f(z)| ≈ 0 for z ~ N(0, 1),
# by Gauss–Hermite quadrature (accurate to ~1e-3 even for kinked f; the two classes are ≥ 0.1 apart).
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(200)
_WEIGHTS = _WEIGHTS / math.sqrt(2 * math.pi)


def normal_mean(name):
    return float(_WEIGHTS @ act_of(name)(_NODES))


def test_gauss_hermite_reproduces_known_gaussian_means():
    assert normal_mean("relu") == pytest.approx(1 / math.sqrt(2 * math.pi), abs=2e-3)
    assert normal_mean("sigmoid") == pytest.approx(0.5, abs=1e-12)
    assert normal_mean("gelu") == pytest.approx(1 / (2 * math.sqrt(math.pi)), abs=1e-9)  # E[zΦ(z)] = E[φ(z)]


@pytest.mark.parametrize("name", NAMES)
def test_zero_centred_claim(name):
    mean = normal_mean(name)
    if act_of(name).zero_centred:
        assert abs(mean) < 1e-2, f"E[f(z)] = {mean:.4g}"
    else:
        assert abs(mean) > 0.1, f"E[f(z)] = {mean:.4g}, yet not marked zero-centred"


# --- zero-gradient region -----------------------------------------------------------------------------


def longest_run_of_exact_zeros(values: np.ndarray) -> int:
    edges = np.diff(np.concatenate([[0], (values == 0.0).astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int((ends - starts).max()) if starts.size else 0


def test_longest_run_of_exact_zeros():
    assert longest_run_of_exact_zeros(np.array([1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])) == 3
    assert longest_run_of_exact_zeros(np.array([1.0, 2.0])) == 0
    assert longest_run_of_exact_zeros(np.zeros(4)) == 4


@pytest.mark.parametrize("name", NAMES)
def test_zero_gradient_region_claim(name):
    x = np.linspace(-10.0, 10.0, 20_001)  # step 1e-3
    run = longest_run_of_exact_zeros(act_of(name).derivative(x))
    if act_of(name).zero_gradient_region:
        assert run >= 100, f"longest run of f' = 0 on [-10, 10] is {run} points"
    else:
        assert run <= 1, f"f' is exactly 0 on {run} consecutive points, yet no zero-gradient region is claimed"
