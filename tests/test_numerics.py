"""Numerics (issue 2, §2): dtypes and shapes preserved, finite and warning-free for |x| up to 1e4.

pytest turns warnings into errors (pyproject), and these tests also run under
``np.errstate(over="raise", divide="raise", invalid="raise")`` so a silent inf/nan cannot slip through.
Underflow is left alone on purpose: e^(-1e4) = 0 is the right answer and numpy never warns about it.
"""

from __future__ import annotations

import numpy as np
import pytest
from activation_cases import NAMES, away_from, param_cases

import activations

RAISE = {"over": "raise", "divide": "raise", "invalid": "raise"}
MODERATE = np.linspace(-10.0, 10.0, 4001)
MAGNITUDES = np.logspace(-8.0, 4.0, 241)  # ends exactly at 1e4
EXTREME = np.concatenate([-MAGNITUDES[::-1], [0.0], MAGNITUDES, [-1e4, 1e4, -9999.5, 9999.5]])
# Activations whose true value outgrows any float for huge inputs (so "finite" cannot be asked there).
SUPERLINEAR = {"squared_relu"}


def both(name, x, **params):
    act = activations.get(name)
    with np.errstate(**RAISE):
        return act(x, **params), act.derivative(x, **params)


# --- dtypes and shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), param_cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_in_is_dtype_out(name, params, dtype):
    x = MODERATE.astype(dtype)
    y, d = both(name, x, **params)
    assert y.dtype == dtype and d.dtype == dtype
    assert y.shape == x.shape and d.shape == x.shape


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("values", [np.arange(-5, 6), np.arange(-5, 6, dtype=np.int32), [-2, 0, 3], 7, True])
def test_integers_lists_and_bools_become_float64(name, values):
    y, d = both(name, values)
    assert y.dtype == np.float64 and d.dtype == np.float64
    expected = np.asarray(values, dtype=np.float64)
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y, both(name, expected)[0])
    np.testing.assert_array_equal(d, both(name, expected)[1])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_are_preserved_zero_d_two_d_and_empty(name, dtype):
    act = activations.get(name)
    grid = np.linspace(-4.0, 4.0, 24).astype(dtype)
    flat_y, flat_d = both(name, grid)
    for shape in [(4, 6), (2, 3, 4), (24, 1)]:
        y, d = both(name, grid.reshape(shape))
        assert y.shape == shape and d.shape == shape
        np.testing.assert_array_equal(y.ravel(), flat_y)
        np.testing.assert_array_equal(d.ravel(), flat_d)
    scalar = dtype(0.75)
    y, d = both(name, scalar)
    assert isinstance(y, np.ndarray) and y.shape == () and y.dtype == dtype
    assert isinstance(d, np.ndarray) and d.shape == () and d.dtype == dtype
    assert y == act(np.array([scalar]))[0] and d == act.derivative(np.array([scalar]))[0]
    y, d = both(name, np.zeros((0, 3), dtype=dtype))
    assert y.shape == (0, 3) and d.shape == (0, 3) and y.dtype == dtype


@pytest.mark.parametrize("name", NAMES)
def test_outputs_never_alias_the_input(name):
    x = np.linspace(-3.0, 3.0, 13)
    before = x.copy()
    y, d = both(name, x)
    assert not np.shares_memory(y, x) and not np.shares_memory(d, x)
    y[...] = 123.0
    d[...] = 123.0
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(("name", "params"), param_cases())
def test_float32_agrees_with_float64(name, params):
    """Away from kinks: float32(1.2) is *at* a kink λ = 1.2 in float32 but just past it in float64."""
    kinks = activations.get(name).kink_points(**params)
    x32 = away_from(MODERATE, kinks, 1e-5).astype(np.float32)
    y32, d32 = both(name, x32, **params)
    y64, d64 = both(name, x32.astype(np.float64), **params)
    np.testing.assert_allclose(y32, y64, rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(d32, d64, rtol=2e-6, atol=2e-6)


# --- extreme inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), param_cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_and_warning_free_up_to_1e4(name, params, dtype):
    x = EXTREME.astype(dtype)
    y, d = both(name, x, **params)
    assert np.all(np.isfinite(y)), x[~np.isfinite(y)]
    assert np.all(np.isfinite(d)), x[~np.isfinite(d)]


@pytest.mark.parametrize("name", [n for n in NAMES if n not in SUPERLINEAR])
@pytest.mark.parametrize(("dtype", "big"), [(np.float32, 1e30), (np.float64, 1e300)])
def test_finite_and_warning_free_for_huge_inputs(name, dtype, big):
    """Beyond issue 2's |x| ≤ 1e4: pre-activations of an exploding deep net reach such values; every
    activation whose true value and slope are representable there should return them without warnings."""
    x = np.array([-big, -big / 7, big / 7, big], dtype=dtype)
    y, d = both(name, x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(d))


# Limits at ±1e4, from the closed forms (defaults).
LIMITS = {
    "relu": ((0.0, 0.0), (1e4, 1.0)),
    "sigmoid": ((0.0, 0.0), (1.0, 0.0)),
    "tanh": ((-1.0, 0.0), (1.0, 0.0)),
    "softplus": ((0.0, 0.0), (1e4, 1.0)),
    "log_sigmoid": ((-1e4, 1.0), (0.0, 0.0)),
    "elu": ((-1.0, 0.0), (1e4, 1.0)),
    "celu": ((-1.0, 0.0), (1e4, 1.0)),
    "selu": ((-1.0507009873554805 * 1.6732632423543772, 0.0), (1.0507009873554805e4, 1.0507009873554805)),
    "gelu": ((0.0, 0.0), (1e4, 1.0)),
    "gelu_tanh": ((0.0, 0.0), (1e4, 1.0)),
    "silu": ((0.0, 0.0), (1e4, 1.0)),
    "mish": ((0.0, 0.0), (1e4, 1.0)),
    "hardswish": ((0.0, 0.0), (1e4, 1.0)),
    "softsign": ((-1e4 / 10001, 1 / 10001**2), (1e4 / 10001, 1 / 10001**2)),
    "tanhshrink": ((-9999.0, 1.0), (9999.0, 1.0)),
    "leaky_relu": ((-100.0, 0.01), (1e4, 1.0)),
}


@pytest.mark.parametrize("name", LIMITS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_slopes_at_plus_minus_1e4(name, dtype):
    y, d = both(name, np.array([-1e4, 1e4], dtype=dtype))
    (y_lo, d_lo), (y_hi, d_hi) = LIMITS[name]
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(y, [y_lo, y_hi], rtol=rtol, atol=1e-30)
    np.testing.assert_allclose(d, [d_lo, d_hi], rtol=rtol, atol=1e-30)
