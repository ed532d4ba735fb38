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
from functools import cache, lru_cache

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
    def layer_factor(self) -> np.ndarray:
        """Predicted ‖δ_l‖²/‖δ_(l+1)‖² for l = 1..L−1, what ``Stats.layer_factor`` measures: χ_l for a plain
        net; for a residual one (1 + χ_(l+1))·E[f′(z_l)²]/E[f′(z_(l+1))²]."""
        if self.architecture != "residual":
            return self.chi[:-1]
        with np.errstate(over="ignore", invalid="ignore"):
            return np.power(10.0, 2 * (self.log10_grad_z_norm[:-1] - self.log10_grad_z_norm[1:]))

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


MIN_MEAN_FIELD_WIDTH = 16  # narrower layers: a few units decide, and the app draws no theory line


def mean_field_applies(width: int) -> bool:
    """Whether mean-field theory describes a network of this width. It averages over infinitely many units
    (n → ∞); with a handful per layer one realisation's gradient is set by which few units happen to be
    on (e.g. "born dead" at width 3), so the app does not compare it with the theory."""
    return width >= MIN_MEAN_FIELD_WIDTH


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


# --- the order-to-chaos phase diagram (Poole et al. 2016, Schoenholz et al. 2017; THEORY.md §6) --------

Q_TABLE = np.concatenate([[0.0], np.geomspace(1e-10, 1e6, 641)])  # q values the moments are tabulated at
_ONE_INDEX = 401  # Q_TABLE[401] is q = 1 (after the leading 0: 10⁻¹⁰ · 10^(16·400/640))
Q_FLOOR = 1e-10


@dataclass(frozen=True, eq=False)
class PhaseDiagram:
    r"""log χ₁ over a (σ_w, σ_b) grid for one activation, and the critical line χ₁ = 1.

    ``log_chi[i, j]`` is ln χ₁ at σ_b = ``sigma_b[i]``, σ_w = ``sigma_w[j]``, with
    :math:`\chi_1 = \sigma_w^2\,\mathbb E[f'(\sqrt{q^*}\,\xi)^2]` at the length map's fixed point q*
    (``q_star``, reached from q = 1; capped at Q_TABLE's last value where q grows without bound).
    ``critical_sigma_w[i]`` is the σ_w with χ₁ = 1 at ``sigma_b[i]`` (NaN when none lies in the σ_w range).
    """

    activation: str
    sigma_w: np.ndarray
    sigma_b: np.ndarray
    q_star: np.ndarray
    log_chi: np.ndarray
    critical_sigma_w: np.ndarray


def _moment_table(act: Activation, p: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(E[f(√q ξ)²], E[f′(√q ξ)²]) at every q of Q_TABLE (zero mean: random biases are part of q); at
    q = 0 the limit q → 0⁺ (taken at Q_FLOOR), so ReLU's E[f′²] is ½ there too, not its f′(0)² = 0;
    remembered for registry activations (a pure function of name and parameters)."""
    try:
        registered = registry.get(act.name) is act
    except ValueError:
        registered = False
    if registered:
        return _registered_moment_table(act.name, tuple(sorted(p.items())))
    return _compute_moment_table(act, p)


@lru_cache(maxsize=64)
def _registered_moment_table(name: str, params: tuple[tuple[str, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    f2, d2 = _compute_moment_table(registry.get(name), dict(params))
    f2.flags.writeable = d2.flags.writeable = False
    return f2, d2


def _compute_moment_table(act: Activation, p: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    f2, d2 = np.empty(Q_TABLE.size), np.empty(Q_TABLE.size)
    for i, q in enumerate(Q_TABLE):
        f2[i], d2[i] = activation_moments(act, 0.0, max(float(q), Q_FLOOR), p)
    return f2, d2


def _interp(q: np.ndarray, table: np.ndarray) -> np.ndarray:
    """A tabulated moment at q, linear in log(q + Q_FLOOR) (smooth in it from q = 0 to 10⁶)."""
    grid = np.log(Q_TABLE + Q_FLOOR)
    return np.interp(np.log(np.clip(q, 0.0, Q_TABLE[-1]) + Q_FLOOR), grid, table)


def _fixed_point(f2: np.ndarray, sigma_w2, sigma_b2) -> np.ndarray:
    """The fixed point q* = σ_w² E[f(√q* ξ)²] + σ_b² that the length map reaches from q = 1, for arrays of
    σ_w² and σ_b² (broadcast): the first root of G(q) = σ_w² E[f²](q) + σ_b² − q above 1 when G(1) > 0,
    the last one below 1 when G(1) < 0 (G(0) = σ_b² ≥ 0, so there is one), each found between two
    table nodes and interpolated linearly. Q_TABLE's last value where there is none above (q diverges:
    unbounded f with σ_w² E[f²]/q ≥ 1)."""
    sw2, sb2 = np.broadcast_arrays(np.asarray(sigma_w2, dtype=np.float64), np.asarray(sigma_b2, dtype=np.float64))
    g = sw2[..., None] * f2 + sb2[..., None] - Q_TABLE  # (..., T)
    one = _ONE_INDEX
    rising = g[..., one] > 0
    above = g[..., one + 1 :] <= 0  # first root above 1: first non-positive G there
    first = np.where(above.any(axis=-1), one + 1 + np.argmax(above, axis=-1), -1)
    below = g[..., : one + 1] >= 0  # last root below 1: last non-negative G at or below it
    last = one - np.argmax(below[..., ::-1], axis=-1)
    k_lo = np.where(rising, first - 1, last)
    k_lo = np.clip(k_lo, 0, Q_TABLE.size - 2)
    g_lo = np.take_along_axis(g, k_lo[..., None], -1)[..., 0]
    g_hi = np.take_along_axis(g, k_lo[..., None] + 1, -1)[..., 0]
    q_lo, q_hi = Q_TABLE[k_lo], Q_TABLE[k_lo + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(g_lo == g_hi, q_lo, q_lo + g_lo * (q_hi - q_lo) / (g_lo - g_hi))
    root = np.where(rising & (first < 0), Q_TABLE[-1], root)
    return np.where(g[..., one] == 0, 1.0, root)


def phase_diagram(
    activation: str | Activation,
    sigma_w: Sequence[float] = tuple(np.linspace(0.5, 4.0, 71)),
    sigma_b: Sequence[float] = tuple(np.linspace(0.0, 2.0, 41)),
    params: Mapping[str, float] | None = None,
) -> PhaseDiagram:
    r"""ln χ₁ over the (σ_w, σ_b) grid and the critical line (Schoenholz et al. 2017, Fig. 1).

    The moments are tabulated once over q (:data:`Q_TABLE`, from the exact quadrature of
    :func:`activation_moments`) and interpolated, so a 71 × 41 grid costs one table; the critical σ_w per
    σ_b is found by bisection on ln χ₁ between the grid's two columns around its sign change.
    """
    act = registry.get(activation)
    p = act.resolve(params)
    sw = np.asarray(sigma_w, dtype=np.float64)
    sb = np.asarray(sigma_b, dtype=np.float64)
    if sw.ndim != 1 or sb.ndim != 1 or sw.size < 2 or sb.size < 1:
        raise ValueError("sigma_w needs at least two values and sigma_b at least one, as 1-D sequences")
    if not (np.all(np.isfinite(sw)) and np.all(np.isfinite(sb))) or np.any(sw <= 0) or np.any(sb < 0):
        raise ValueError("sigma_w must be positive and sigma_b non-negative, all finite")
    f2, d2 = _moment_table(act, p)
    sw2, sb2 = sw[None, :] ** 2, sb[:, None] ** 2
    q = _fixed_point(f2, sw2, sb2)
    with np.errstate(divide="ignore"):
        log_chi = np.log(sw2 * _interp(q, d2))
    critical = np.full(sb.size, np.nan)
    sign = np.sign(log_chi)
    rows = np.flatnonzero(np.any(np.diff(sign, axis=1) != 0, axis=1))
    if rows.size:
        column = np.argmax(np.diff(sign[rows], axis=1) != 0, axis=1)  # the first sign change in each row
        lo, hi = sw[column], sw[column + 1]
        low_sign = sign[rows, column]
        row_sb2 = sb[rows] ** 2
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            with np.errstate(divide="ignore"):
                chi_sign = np.sign(np.log(mid**2 * _interp(_fixed_point(f2, mid**2, row_sb2), d2)))
            lo, hi = np.where(chi_sign == low_sign, mid, lo), np.where(chi_sign == low_sign, hi, mid)
        critical[rows] = 0.5 * (lo + hi)
    return PhaseDiagram(act.name, sw, sb, q, log_chi, critical)


@dataclass(frozen=True)
class DepthScales:
    r"""Mean-field depth scales at one (σ_w, σ_b) (Schoenholz et al. 2017).

    ``q_star``: the length map's fixed point; ``c_star``: the correlation map's (1 in the ordered phase);
    ``chi_1`` = σ_w² E[f′(u)²]; ``chi_c`` = σ_w² E[f′(u₁)f′(u₂)] at c* (= χ₁ when c* = 1);
    ``xi_c`` = −1/ln χ_c, the depth over which two inputs' correlation reaches c*; ``xi_grad`` = −1/ln χ₁,
    over which gradients shrink by e (negative: they grow by e over |ξ_∇|). Both diverge at χ₁ = 1.
    """

    sigma_w: float
    sigma_b: float
    q_star: float
    c_star: float
    chi_1: float
    chi_c: float
    xi_c: float
    xi_grad: float


def _depth(chi: float) -> float:
    if not math.isfinite(chi) or chi <= 0:
        return math.nan
    return math.inf if chi == 1 else -1.0 / math.log(chi)


def depth_scales(
    activation: str | Activation, sigma_w: float, sigma_b: float = 0.0, params: Mapping[str, float] | None = None
) -> DepthScales:
    r"""χ₁, χ_c and the depth scales ξ_c, ξ_∇ at one point of the phase diagram.

    q* from the tabulated length map, then refined with exact moments; the correlation map

    .. math::  c \mapsto \frac{\sigma_w^2\, \mathbb E[f(u_1) f(u_2)] + \sigma_b^2}{q^*}, \quad
        u_1 = \sqrt{q^*}\,\xi_1,\ u_2 = \sqrt{q^*}\,(c\,\xi_1 + \sqrt{1 - c^2}\,\xi_2)

    has the fixed point c* = 1, stable when χ₁ ≤ 1 (ordered); when χ₁ > 1 (chaotic) c* < 1 is found by
    bisection (the map minus c is ≥ 0 at c = 0 and < 0 just below 1; within 1e-4 of the critical line
    it cannot be told from 0, and c* = 1 is reported). 2-D integrals use the tensor product of the 1-D
    panel rule. Where q* diverges (e.g. ReLU with σ_w² > 2) c*, χ_c and ξ_c are NaN.
    """
    act = registry.get(activation)
    p = act.resolve(params)
    sw, sb = float(sigma_w), float(sigma_b)
    if not (math.isfinite(sw) and math.isfinite(sb)) or sw <= 0 or sb < 0:
        raise ValueError(f"need sigma_w > 0 and sigma_b ≥ 0, got {sigma_w!r}, {sigma_b!r}")
    f2, _ = _moment_table(act, p)
    q = float(_fixed_point(f2, sw**2, sb**2))
    for _ in range(20):  # a few exact steps: the table's interpolation error out of q*
        if q >= Q_TABLE[-1]:
            break
        q = sw**2 * activation_moments(act, 0.0, q, p)[0] + sb**2
    chi_1 = sw**2 * activation_moments(act, 0.0, max(q, Q_FLOOR), p)[1]  # q* = 0: the limit q → 0⁺
    c_star, chi_c = 1.0, chi_1
    if q >= Q_TABLE[-1]:  # q grows without bound: no fixed point for the correlation map to sit on
        c_star = chi_c = math.nan
    elif chi_1 > 1 and q > 0:
        xi, w = gaussian_rule(0.0, 1.0, act.kink_points(**p))
        root = math.sqrt(q)
        u1 = root * xi[:, None]
        f1, d1 = act(u1, **p), act.derivative(u1, **p)
        weights = w[:, None] * w[None, :]

        def correlation_map(c: float) -> float:
            u2 = root * (c * xi[:, None] + math.sqrt(max(1 - c * c, 0.0)) * xi[None, :])
            return (sw**2 * float(np.sum(weights * f1 * act(u2, **p))) + sb**2) / q

        lo, hi = 0.0, 1.0 - 1e-4  # closer to 1 the map's distance from c drowns in quadrature rounding
        if correlation_map(hi) < hi:
            for _ in range(34):  # to 1e-10 in c
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if correlation_map(mid) >= mid else (lo, mid)
            c_star = 0.5 * (lo + hi)
            u2 = root * (c_star * xi[:, None] + math.sqrt(1 - c_star**2) * xi[None, :])
            chi_c = sw**2 * float(np.sum(weights * d1 * act.derivative(u2, **p)))
    return DepthScales(sw, sb, q, c_star, chi_1, chi_c, _depth(chi_c), _depth(chi_1))
