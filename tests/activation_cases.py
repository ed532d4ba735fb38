"""Shared cases for the activation tests: parameter sets, grids and jump detection.

Every list here is built from ``activations.names()``, so a newly registered activation is covered by
every test the moment it exists. Activations with parameters are tested at their defaults and at
hand-picked other values (moved kinks, edge values such as α = 0); an activation not in
``ALTERNATIVE_PARAMS`` gets one generic point inside its slider box.
"""

from __future__ import annotations

import numpy as np
import pytest

import activations

NAMES = activations.names()

ALTERNATIVE_PARAMS: dict[str, list[dict[str, float]]] = {
    "leaky_relu": [{"alpha": 0.2}, {"alpha": 0.0}],
    "prelu": [{"alpha": 0.1}, {"alpha": 0.7}],
    "rrelu": [{"lower": 0.05, "upper": 0.6}, {"lower": 0.3, "upper": 0.3}],
    "elu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "celu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "silu": [{"beta": 0.5}, {"beta": 2.0}, {"beta": 0.0}],
    "softplus": [{"beta": 2.0}, {"beta": 0.5, "threshold": 10.0}, {"beta": 2.0, "threshold": 3.0}],
    "hardtanh": [{"min_val": -2.0, "max_val": 0.5}, {"min_val": -0.3, "max_val": 2.5}],
    "softshrink": [{"lambd": 1.2}, {"lambd": 0.0}],
    "hardshrink": [{"lambd": 1.2}, {"lambd": 0.0}],
    "snake": [{"alpha": 2.5}, {"alpha": 0.3}],
}


def alternative_params(name: str) -> list[dict[str, float]]:
    """Non-default parameter sets for ``name`` (empty when it has no parameters)."""
    act = activations.get(name)
    if not act.params:
        return []
    if name in ALTERNATIVE_PARAMS:
        return ALTERNATIVE_PARAMS[name]
    return [{p.name: p.min + 0.37 * (p.max - p.min) for p in act.params}]


def _case_id(name: str, params: dict[str, float]) -> str:
    if not params:
        return name
    return name + "[" + ",".join(f"{k}={v:g}" for k, v in params.items()) + "]"


def param_cases(*, defaults: bool = True, alternatives: bool = True) -> list:
    """``pytest.param(name, params)`` for every activation: {} (defaults) and the alternatives."""
    cases = []
    for name in NAMES:
        sets = ([{}] if defaults else []) + (alternative_params(name) if alternatives else [])
        cases += [pytest.param(name, params, id=_case_id(name, params)) for params in sets]
    return cases


def away_from(x: np.ndarray, points, distance: float) -> np.ndarray:
    """The entries of x farther than ``distance`` from every point in ``points``."""
    keep = np.ones(x.shape, dtype=bool)
    for p in points:
        keep &= np.abs(x - p) > distance
    return x[keep]


def with_points(grid: np.ndarray, points, offsets=(0.0,)) -> np.ndarray:
    """The grid plus each point (and point ± offset), sorted, without duplicates."""
    extra = [p + s * o for p in points for o in offsets for s in (1.0, -1.0)]
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)]))


def jumps(name: str, params: dict[str, float], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where on the sorted grid x the function or its derivative jumps.

    Returns (f_jump, df_jump): boolean arrays over the intervals [x_i, x_{i+1}].
    * f jumps when the change in f is not explained by its slope: |Δf − Δx·(f'_i + f'_{i+1})/2| > 1e-3
      (for a continuous f with a kink this residual is at most Δx·|jump in f'|/2).
    * f' jumps when |Δf'| > 1e-2 (a C1 function changes its slope by about |f''|·Δx there).
    """
    act = activations.get(name)
    f = act(x, **params)
    d = act.derivative(x, **params)
    dx = np.diff(x)
    residual = np.abs(np.diff(f) - dx * (d[:-1] + d[1:]) / 2)
    return residual > 1e-3, np.abs(np.diff(d)) > 1e-2
