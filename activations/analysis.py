"""Numbers the Function Explorer shows about one activation at given parameters, computed, not quoted.

Every property here is measured on a grid, so it holds for any parameter values and for user formulas:
where the registry's metadata makes a claim at the default parameters, the tests check the two agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .registry import Activation

SATURATION_FRACTION = 0.01  # saturated where |f'| < 1% of max |f'| (THEORY.md §5)
WIDE_GRID = np.linspace(-50.0, 50.0, 20_001)
FAR = 1e4
# Far out, float64 rounds some derivatives to exactly 0 (tanh-GELU's below x ≈ -7): not a real dead zone.
ZERO_GRADIENT_GRID = np.linspace(-6.0, 6.0, 1201)


def evaluation_grid(x_min: float, x_max: float, n_points: int, kinks: tuple[float, ...] = ()) -> np.ndarray:
    """``n_points`` evenly spaced points on [x_min, x_max], plus each kink inside the range, sorted."""
    if not (math.isfinite(x_min) and math.isfinite(x_max)) or x_min >= x_max:
        raise ValueError(f"x range must be finite with x_min < x_max, got [{x_min}, {x_max}]")
    x = np.linspace(x_min, x_max, max(int(n_points), 2))
    inside = [k for k in kinks if x_min < k < x_max]
    return np.unique(np.concatenate([x, inside])) if inside else x


def second_derivative(act: Activation, x: np.ndarray, params: dict | None = None) -> np.ndarray:
    r"""f''(x) by a central difference of the exact f': :math:`(f'(x+h) - f'(x-h)) / 2h`, h = 1e-4·(1+|x|).

    Numerical (the registry stores f and f' only); at a kink of f' it shows a spike or a jump.
    """
    x = np.asarray(x, dtype=np.float64)
    h = 1e-4 * (1 + np.abs(x))
    return (act.derivative(x + h, **(params or {})) - act.derivative(x - h, **(params or {}))) / (2 * h)


def intervals_where(x: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Maximal runs of consecutive True in ``mask`` (at least two points long) as (x_start, x_end)."""
    runs = []
    start = None
    for i, flag in enumerate(mask):
        if flag and start is None:
            start = i
        if (not flag or i == len(mask) - 1) and start is not None:
            end = i if flag else i - 1
            if end > start:
                runs.append((float(x[start]), float(x[end])))
            start = None
    return runs


def zero_gradient_intervals(act: Activation, x: np.ndarray, params: dict | None = None) -> list[tuple[float, float]]:
    """Where f' is exactly 0: a unit whose input stays here gets no gradient ("dead")."""
    return intervals_where(x, act.derivative(x, **(params or {})) == 0)


def saturation_intervals(act: Activation, x: np.ndarray, params: dict | None = None) -> list[tuple[float, float]]:
    """Where f flattens out towards the ends of the range: 0 < |f'| < 1% of max |f'| on a run of the
    grid that reaches its first or last point (the gradient is not zero, but nearly). Inner runs are
    not saturation: f' crossing zero (GELU near x = −0.75, Mish) or a small slope around 0 (Tanhshrink)."""
    d = np.abs(act.derivative(x, **(params or {})))
    peak = float(np.max(d)) if d.size else 0.0
    if peak == 0:
        return []
    runs = intervals_where(x, (d > 0) & (d < SATURATION_FRACTION * peak))
    return [(a, b) for a, b in runs if a == float(x[0]) or b == float(x[-1])]


def derivative_peak(act: Activation, x: np.ndarray, params: dict | None = None) -> tuple[float, float, bool]:
    """(x*, max f′, attained on a plateau?) on the grid. Sigmoid on a grid through 0: (0, 0.25, False);
    ReLU: f′ = 1 on all of x > 0, a plateau, and x* is the plateau's middle."""
    d = act.derivative(x, **(params or {}))
    peak = float(np.max(d))
    at_peak = np.flatnonzero(d >= peak - 1e-12 * max(1.0, abs(peak)))
    plateau = at_peak.size > 2
    i = int(at_peak[at_peak.size // 2]) if plateau else int(np.argmax(d))
    return float(x[i]), peak, plateau


@dataclass(frozen=True)
class Properties:
    """What the explorer's properties table shows for one activation at given parameters."""

    output_min: float  # -inf when f decreases without bound
    output_max: float
    output_min_attained: bool
    output_max_attained: bool
    monotonic: bool
    smooth: bool
    zero_centred: bool
    zero_gradient_region: bool
    derivative_at_zero: float
    derivative_min: float  # on the plotted range
    derivative_max: float

    @property
    def bounded(self) -> bool:
        """Both ends of the output range finite."""
        return math.isfinite(self.output_min) and math.isfinite(self.output_max)


def output_range(act: Activation, params: dict | None = None) -> tuple[float, float, bool, bool]:
    """Numerical output range (lo, hi, lo attained?, hi attained?).

    lo and hi are the min and max of f on [-50, 50] and at ±1e4 (rounded to 1e-9), ±inf where f keeps growing out to
    ±1e4. An end is "attained" when f reaches it within [-6, 6]; sigmoid only approaches 0 and 1 there, so
    its range reads (0, 1), while ReLU reaches 0 and reads [0, ∞).
    """
    p = params or {}
    y = finite(act(WIDE_GRID, **p))
    if y.size == 0:
        return math.nan, math.nan, False, False
    lo, hi = float(np.min(y)), float(np.max(y))
    far = finite(act(np.array([-FAR, FAR]), **p))
    near = finite(act(ZERO_GRADIENT_GRID, **p))
    lo_attained = bool(near.size and np.min(near) <= lo + 1e-9)
    hi_attained = bool(near.size and np.max(near) >= hi - 1e-9)
    if far.size == 0:
        return _snap(lo), _snap(hi), lo_attained, hi_attained
    if float(np.min(far)) < lo - 1.0:
        lo, lo_attained = -math.inf, False
    else:
        lo = min(lo, float(np.min(far)))
    if float(np.max(far)) > hi + 1.0:
        hi, hi_attained = math.inf, False
    else:
        hi = max(hi, float(np.max(far)))
    return _snap(lo), _snap(hi), lo_attained, hi_attained


def finite(values: np.ndarray) -> np.ndarray:
    """The finite entries (a user formula such as log(x) is NaN on part of the line)."""
    return values[np.isfinite(values)]


def _snap(v: float) -> float:
    return v if math.isinf(v) else round(v, 9) + 0.0


def gaussian_mean(act: Activation, params: dict | None = None, order: int = 80) -> float:
    """E[f(z)] for z ~ N(0, 1) by Gauss–Hermite quadrature (probabilists' weights)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(order)
    return float(np.sum(weights * act(nodes, **(params or {}))) / math.sqrt(2 * math.pi))


def is_monotonic(act: Activation, params: dict | None = None) -> bool:
    """Non-decreasing on a dense grid over [-50, 50] (allowing float rounding)."""
    y = act(WIDE_GRID, **(params or {}))
    return bool(np.all(np.diff(y) >= -1e-12 * (1 + np.abs(y[:-1]))))


def is_smooth(act: Activation, params: dict | None = None) -> bool:
    """C¹ on [-10, 10]: neither f nor f' jumps between neighbouring points of a fine grid.

    With spacing 1e-4 a continuous f' moves by at most max|f''|·1e-4 per step; a jump of 1e-2 or more is a
    discontinuity (the smallest jump among the built-ins is hardsigmoid's 1/6).
    """
    x = np.linspace(-10.0, 10.0, 200_001)
    p = params or {}
    return bool(np.max(np.abs(np.diff(act(x, **p)))) < 1e-2 and np.max(np.abs(np.diff(act.derivative(x, **p)))) < 1e-2)


def properties(act: Activation, x: np.ndarray, params: dict | None = None) -> Properties:
    p = act.resolve(params)
    lo, hi, lo_attained, hi_attained = output_range(act, p)
    d = finite(act.derivative(x, **p))
    mean = gaussian_mean(act, p)
    spread = math.sqrt(max(gaussian_mean_square(act, p) - mean**2, 0.0))
    return Properties(
        output_min=lo,
        output_max=hi,
        output_min_attained=lo_attained,
        output_max_attained=hi_attained,
        monotonic=is_monotonic(act, p),
        smooth=is_smooth(act, p),
        zero_centred=abs(mean) <= 0.01 * max(spread, 1e-12),
        zero_gradient_region=bool(zero_gradient_intervals(act, ZERO_GRADIENT_GRID, p)),
        derivative_at_zero=float(act.derivative(np.array(0.0), **p)),
        derivative_min=float(np.min(d)) if d.size else math.nan,
        derivative_max=float(np.max(d)) if d.size else math.nan,
    )


def gaussian_mean_square(act: Activation, params: dict | None = None, order: int = 80) -> float:
    """E[f(z)²] for z ~ N(0, 1)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(order)
    return float(np.sum(weights * act(nodes, **(params or {})) ** 2) / math.sqrt(2 * math.pi))
