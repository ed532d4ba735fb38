r"""Mean-field theory of signal propagation in deep networks at initialisation (THEORY.md §3).

A fully connected network with square layers, :math:`z^l = W^l h^{l-1} + b`, :math:`h^l = f(z^l)`,
weights :math:`W_{ij} \sim (0, \sigma_w^2 / n)` and a constant bias :math:`b`. When the width n is
large, each pre-activation is Gaussian, :math:`z^l \sim \mathcal N(b, q^l)`, and two one-dimensional
Gaussian integrals describe the whole network:

.. math::

    q^1 = \sigma_w^2\, \overline{x^2} + \sigma_b^2, \qquad
    q^l = \sigma_w^2\, \mathbb E_{\xi}\big[f(b + \sqrt{q^{l-1}}\,\xi)^2\big] + \sigma_b^2
    \quad\text{(length map, Poole et al. 2016)}

.. math::

    \chi^l = \sigma_w^2\, \mathbb E_{\xi}\big[f'(b + \sqrt{q^l}\,\xi)^2\big], \qquad
    \mathbb E\|\delta^l\|^2 \approx \chi^l\, \mathbb E\|\delta^{l+1}\|^2
    \quad\text{(Schoenholz et al. 2017)}

with :math:`\xi \sim \mathcal N(0, 1)` and :math:`\delta^l = \partial L/\partial z^l`. χ < 1 in every
layer makes gradients vanish geometrically, χ > 1 makes them explode, χ = 1 is critical (ReLU with He
init; tanh with σ_w = 1, σ_b = 0, the "edge of chaos").

``mean_field`` turns these into predicted per-layer gradient norms for the top gradient the engine
uses (a fixed random error ε with unit-variance entries, divided by the batch size; see
``activations.network``), so the Gradient Flow page can draw theory beside measurement.

The Gaussian integrals: Gauss–Hermite quadrature (numpy's ``hermegauss``) is exact to ~1e-12 for
analytic integrands of moderate spread, but converges slowly across a jump of f′ (ReLU′ at 0), at a
corner of f′ (ELU, softsign) and for features narrower than its node spacing (tanh′² when √q ≫ 1).
Activation moments therefore use composite Gauss–Legendre panels split at the activation's kinks and
at the integers in [−10, 10] (where every built-in activation bends); both rules are tested against
``scipy.integrate.quad``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss

from . import registry
from .registry import Activation

HERMITE_NODES = 96
LEGENDRE_NODES = 16  # per panel
MIN_PANEL_WIDTH = 1 / 8  # in ξ; panels are min(1, 1/√q) wide but no narrower than this
TAIL = 12.0  # N(0,1) mass beyond ±12 is 4e-33
FEATURE_GRID = np.arange(-10.0, 11.0)  # x-values where activations bend; panel edges when inside the range
_FEATURES = tuple(float(v) for v in FEATURE_GRID)


@cache
def _hermite_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights with Σ w g(ξ) ≈ E[g(ξ)], ξ ~ N(0, 1) (probabilists' Hermite, normalised)."""
    nodes, weights = hermegauss(n)
    return nodes, weights / math.sqrt(2.0 * math.pi)


@cache
def _legendre_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    return leggauss(n)


def _panel_rule(breaks: np.ndarray, max_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre nodes/weights on [breaks[0], breaks[-1]] times the N(0,1) density,
    each interval between breaks cut into equal panels at most ``max_width`` wide."""
    lefts, rights = breaks[:-1], breaks[1:]
    pieces = np.maximum(1, np.ceil((rights - lefts) / max_width - 1e-9)).astype(int)
    interval = np.repeat(np.arange(lefts.size), pieces)
    step = ((rights - lefts) / pieces)[interval]
    index_within = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    starts = lefts[interval] + index_within * step
    t, w = _legendre_rule(LEGENDRE_NODES)
    half = step[:, None] / 2
    xi = (starts[:, None] + half * (1 + t)).ravel()
    weights = (half * w).ravel() * np.exp(-0.5 * xi**2) / math.sqrt(2.0 * math.pi)
    return xi, weights


def gaussian_rule(
    mean: float = 0.0, var: float = 1.0, kinks: Sequence[float] = (), *, method: str = "panels"
) -> tuple[np.ndarray, np.ndarray]:
    r"""Nodes x and weights w with :math:`\sum_i w_i\, g(x_i) \approx \mathbb E[g(z)]`,
    :math:`z \sim \mathcal N(\text{mean}, \text{var})`: the rule ``gaussian_expectation`` uses, for
    integrating several functions over the same Gaussian. NaN mean or variance: one NaN node."""
    if not (math.isfinite(mean) and math.isfinite(var)) or var < 0:
        return np.array([math.nan]), np.array([1.0])
    if var == 0:
        return np.array([float(mean)]), np.array([1.0])
    sd = math.sqrt(var)
    if method == "hermite":
        xi, weights = _hermite_rule(HERMITE_NODES)
    elif method == "panels":
        inner = ((k - mean) / sd for k in (*kinks, *_FEATURES))
        breaks = np.array(sorted({-TAIL, TAIL, *(b for b in inner if -TAIL < b < TAIL)}))
        xi, weights = _panel_rule(breaks, max(min(1.0, 1.0 / sd), MIN_PANEL_WIDTH))
    else:
        raise ValueError(f"unknown quadrature method {method!r}; use 'panels' or 'hermite'")
    return mean + sd * xi, weights


def gaussian_expectation(
    g: Callable[[np.ndarray], np.ndarray],
    mean: float = 0.0,
    var: float = 1.0,
    kinks: Sequence[float] = (),
    *,
    method: str = "panels",
) -> float:
    r""":math:`\mathbb E[g(z)]` for :math:`z \sim \mathcal N(\text{mean}, \text{var})`.

    ``method="hermite"``: Gauss–Hermite with HERMITE_NODES nodes; for analytic g of unit scale
    (tanh′², σ′², GELU′²) exact to ~1e-9 up to √var = 1, but only 2e-4 for tanh′² at √var = 2.
    ``method="panels"`` (the default, used for every activation): composite Gauss–Legendre split
    at ``kinks`` (where g jumps or bends) and at the integers in [−10, 10], panels at most 1 wide in
    ξ and at most ~1 wide in x. Gauss–Hermite alone is off by 1–7% across ReLU′'s jump and by 1–17%
    for ELU and softsign (continuous f′ with a corner at 0) at √q = 1…2, hence not the default.
    """
    if not (math.isfinite(mean) and math.isfinite(var)) or var < 0:
        return math.nan
    x, weights = gaussian_rule(mean, var, kinks, method=method)
    values = np.asarray(g(x), dtype=np.float64)
    return float(np.dot(weights, values))


def activation_moments(
    activation: str | Activation, mean: float, var: float, params: Mapping[str, float] | None = None
) -> tuple[float, float]:
    r"""(:math:`\mathbb E[f(z)^2]`, :math:`\mathbb E[f'(z)^2]`), :math:`z \sim \mathcal N(\text{mean}, \text{var})`,
    both from one quadrature rule (split at the activation's kinks)."""
    act = registry.get(activation)
    p = act.resolve(params)
    if not (math.isfinite(mean) and math.isfinite(var)) or var < 0:
        return math.nan, math.nan
    x, weights = gaussian_rule(mean, var, act.kink_points(**p))
    with np.errstate(over="ignore", invalid="ignore"):
        f2 = float(np.dot(weights, np.asarray(act(x, **p), dtype=np.float64) ** 2))
        d2 = float(np.dot(weights, np.asarray(act.derivative(x, **p), dtype=np.float64) ** 2))
    return f2, d2


def _per_layer(value: float | Sequence[float], depth: int, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (depth,)).copy()
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and non-negative, got {value!r}")
    return arr


def length_map(
    activation: str | Activation,
    depth: int,
    sigma_w2: float | Sequence[float],
    *,
    bias: float = 0.0,
    sigma_b2: float = 0.0,
    input_second_moment: float = 1.0,
    params: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Per-layer pre-activation variance :math:`q^l`, :math:`\mathbb E[(h^l)^2]` and :math:`\mathbb E[f'(z^l)^2]`.

    :math:`q^l = \sigma_w^2 \mathbb E[(h^{l-1})^2] + \sigma_b^2` with :math:`\mathbb E[(h^0)^2]` the
    input's mean square; pre-activations are :math:`\mathcal N(b, q^l)` around the constant bias b.
    Once q overflows, the remaining layers are NaN.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    sw2 = _per_layer(sigma_w2, depth, "sigma_w2")
    q = np.full(depth, np.nan)
    second_moment = np.full(depth, np.nan)
    derivative_moment = np.full(depth, np.nan)
    previous = float(input_second_moment)
    for layer in range(depth):
        q_l = sw2[layer] * previous + sigma_b2
        if not math.isfinite(q_l):
            break
        q[layer] = q_l
        second_moment[layer], derivative_moment[layer] = activation_moments(activation, bias, q_l, params)
        previous = second_moment[layer]
    return q, second_moment, derivative_moment


def residual_length_map(
    activation: str | Activation,
    depth: int,
    sigma_w2: float | Sequence[float],
    *,
    bias: float = 0.0,
    sigma_b2: float = 0.0,
    input_second_moment: float = 1.0,
    input_mean: float = 0.0,
    params: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r""":func:`length_map` for the residual net :math:`h^l = h^{l-1} + f(z^l)` (Yang & Schoenholz 2017).

    :math:`q^l = \sigma_w^2 m^{l-1} + \sigma_b^2` as before, and the second moment :math:`m^l = \mathbb E[(h^l)^2]`
    and mean :math:`\mu^l` of a unit add up along the skip path,

    .. math::

        m^l = m^{l-1} + 2\mu^{l-1}\,\mathbb E[f(z^l)] + \mathbb E[f(z^l)^2], \qquad
        \mu^l = \mu^{l-1} + \mathbb E[f(z^l)],

    because a unit's :math:`h^{l-1}_i` and its :math:`z^l_i = \sum_j W_{ij} h^{l-1}_j` are independent at
    large width. Returns (q, m, E[f′(z)²]) per layer; NaN from the first layer whose q overflows.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    act = registry.get(activation)
    p = act.resolve(params)
    sw2 = _per_layer(sigma_w2, depth, "sigma_w2")
    q, second_moment, derivative_moment = (np.full(depth, np.nan) for _ in range(3))
    m, mu = float(input_second_moment), float(input_mean)
    kinks = act.kink_points(**p)
    for layer in range(depth):
        q_l = sw2[layer] * m + sigma_b2
        if not math.isfinite(q_l):
            break
        x, weights = gaussian_rule(bias, q_l, kinks)
        with np.errstate(over="ignore", invalid="ignore"):
            f = np.asarray(act(x, **p), dtype=np.float64)
            d = np.asarray(act.derivative(x, **p), dtype=np.float64)
            mean_f, f2, d2 = float(weights @ f), float(weights @ f**2), float(weights @ d**2)
        m, mu = m + 2 * mu * mean_f + f2, mu + mean_f
        q[layer], second_moment[layer], derivative_moment[layer] = q_l, m, d2
    return q, second_moment, derivative_moment


# Yang, Pennington, Rao, Sohl-Dickstein & Schoenholz 2019, "A Mean Field Theory of Batch Normalization":
# in a deep BatchNorm-ReLU network at initialisation, in the large-batch limit, the squared gradient
# grows by this factor per layer toward the input (THEORY.md §6).
BATCHNORM_RELU_GROWTH = math.pi / (math.pi - 1)


@dataclass(frozen=True, eq=False)
class MeanField:
    """Mean-field predictions per layer l = 1..L (arrays of length L, index 0 is layer 1).

    ``chi[l]`` is σ_w² E[f′(z_l)²], with σ_w² of the layer above (the one the gradient comes through);
    the norms are Frobenius norms over the batch, predicted for the engine's random top error.
    """

    q: np.ndarray
    second_moment: np.ndarray
    derivative_moment: np.ndarray
    chi: np.ndarray
    log10_grad_h_norm: np.ndarray
    log10_grad_z_norm: np.ndarray
    log10_grad_norm: np.ndarray
    architecture: str = "plain"

    @property
    def growth(self) -> np.ndarray:
        """Predicted factor of E‖∂L/∂h‖² per layer toward the input: χ (plain) or 1 + χ (residual)."""
        return 1.0 + self.chi if self.architecture == "residual" else self.chi

    @property
    def grad_norm(self) -> np.ndarray:
        """Predicted ‖∂L/∂W_l‖_F (0 where it underflows float64; use log10_grad_norm there)."""
        return _pow10(self.log10_grad_norm)

    @property
    def grad_z_norm(self) -> np.ndarray:
        return _pow10(self.log10_grad_z_norm)

    @property
    def grad_h_norm(self) -> np.ndarray:
        return _pow10(self.log10_grad_h_norm)


def _pow10(log10: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):
        return np.power(10.0, log10)


def _log10(x: float) -> float:
    return math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def mean_field(
    activation: str | Activation,
    depth: int,
    width: int,
    batch: int,
    sigma_w2: float | Sequence[float],
    *,
    bias: float = 0.0,
    sigma_b2: float = 0.0,
    input_second_moment: float = 1.0,
    params: Mapping[str, float] | None = None,
    top_error_variance: float = 1.0,
    architecture: str = "plain",
    input_mean: float = 0.0,
) -> MeanField:
    r"""Predicted per-layer gradient norms for a square network of ``width`` units per layer.

    ``architecture`` "plain" or "residual" (:func:`residual_length_map` forward; backward the skip adds
    the identity: :math:`\|\partial L/\partial h^{l-1}\|^2 = (1 + \chi^l)\|\partial L/\partial h^l\|^2`,
    Yang & Schoenholz 2017); ``input_mean`` is the input's mean (used by the residual map only).

    The top gradient is :math:`\partial L/\partial h^L = \varepsilon / B` with i.i.d. entries of
    variance ``top_error_variance`` (B = batch), independent of the weights. Then, with n = width,

    .. math::

        \|\partial L/\partial h^L\|^2 = n\,\mathrm{Var}[\varepsilon] / B, \quad
        \|\delta^l\|^2 = \mathbb E[f'(z^l)^2]\, \|\partial L/\partial h^l\|^2, \quad
        \|\partial L/\partial h^{l-1}\|^2 = \sigma_w^2 \|\delta^l\|^2, \quad
        \|\partial L/\partial W^l\|^2 = \|\delta^l\|^2 \, n\, \mathbb E[(h^{l-1})^2]

    (the last because the samples' errors are independent, so cross terms average out).
    """
    sw2 = _per_layer(sigma_w2, depth, "sigma_w2")
    if architecture not in ("plain", "residual"):
        raise ValueError(f"mean-field theory here covers 'plain' and 'residual' networks, not {architecture!r}")
    forward = length_map if architecture == "plain" else residual_length_map
    extra = {} if architecture == "plain" else {"input_mean": input_mean}
    q, second_moment, derivative_moment = forward(
        activation,
        depth,
        sw2,
        bias=bias,
        sigma_b2=sigma_b2,
        input_second_moment=input_second_moment,
        params=params,
        **extra,
    )
    above = np.append(sw2[1:], sw2[-1])  # the gradient reaching h_l comes through W_{l+1}
    chi = above * derivative_moment
    log_gh = np.full(depth, np.nan)
    log_gz = np.full(depth, np.nan)
    log_gw = np.full(depth, np.nan)
    fan_in_moment = np.concatenate([[input_second_moment], second_moment[:-1]])
    log_h = 0.5 * _log10(width * top_error_variance / batch)
    for layer in reversed(range(depth)):
        log_gh[layer] = log_h
        log_gz[layer] = log_h + 0.5 * _log10(derivative_moment[layer])
        log_gw[layer] = log_gz[layer] + 0.5 * _log10(width * fan_in_moment[layer])
        if architecture == "residual":
            log_h += 0.5 * _log10(1.0 + sw2[layer] * derivative_moment[layer])
        else:
            log_h = log_gz[layer] + 0.5 * _log10(sw2[layer])
    return MeanField(
        q=q,
        second_moment=second_moment,
        derivative_moment=derivative_moment,
        chi=chi,
        log10_grad_h_norm=log_gh,
        log10_grad_z_norm=log_gz,
        log10_grad_norm=log_gw,
        architecture=architecture,
    )
