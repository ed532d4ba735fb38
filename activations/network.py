r"""A deep fully connected network in plain numpy: the chain rule written out, and what it does to
gradients layer by layer.

Layer l = 1..L, with weights stored as ``torch.nn.Linear`` stores them, ``W_l`` of shape (d_l, d_{l-1}):

.. math::

    z_l = h_{l-1} W_l^\top + b_l, \qquad h_l = f(z_l), \qquad h_0 = x

and the loss :math:`L = \tfrac12 \cdot \tfrac1B \sum_b \|h_{L,b} - t_b\|^2`. Backward, one loop:

.. math::

    \frac{\partial L}{\partial h_L} = \frac{h_L - t}{B}, \quad
    \delta_l = \frac{\partial L}{\partial z_l} = \frac{\partial L}{\partial h_l} \odot f'(z_l), \quad
    \frac{\partial L}{\partial W_l} = \delta_l^\top h_{l-1}, \quad
    \frac{\partial L}{\partial b_l} = \textstyle\sum_b \delta_{l,b}, \quad
    \frac{\partial L}{\partial h_{l-1}} = \delta_l W_l

The engine asks the registry for f and f′ and knows nothing else about any activation; an
``Activation`` object (e.g. a user's formula) works wherever a registry name does. f′ at a kink is
PyTorch's value (ReLU′(0) = 0).

``simulate`` builds a random square network and measures what the Gradient Flow page plots. Its top
gradient is a fixed random error: :math:`\partial L/\partial h_L = \varepsilon / B` with
:math:`\varepsilon_{bi} \sim \mathcal N(0, 1)` drawn from the seed, the gradient of the loss above with
targets :math:`t = h_L - \varepsilon` (equivalently of a random linear read-out
:math:`\tfrac1B\sum_b \varepsilon_b \cdot h_{L,b}`). It does not depend on the forward weights at all,
which is what mean-field theory assumes: with the plain loss ½‖h_L‖² the top gradient is h_L itself,
correlated with every weight below, and the measured per-layer factor of a ReLU/He net comes out ~13%
above χ (THEORY.md §3). Random targets "far from the outputs" only approximate this and fail once h_L
explodes; the random error is exact for every configuration.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from . import registry
from .engine import ARCHITECTURES as ARCHITECTURES  # re-exported for the pages
from .engine import check_architecture, layer_backward, layer_forward, weight_gradient_norm
from .i18n import N_, translator
from .init import INITS, NORMAL_INITS, init_weight, weight_variance
from .registry import Activation
from .theory import MIN_MEAN_FIELD_WIDTH, MeanField, mean_field, mean_field_applies

# --- the exact engine ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything ``forward_backward`` computed; lists hold one array per layer l = 1..L (index l-1).

    ``z[l-1]`` is what f sees in layer l (the normalised pre-activation for "layernorm"/"batchnorm",
    else u_l = h_{l-1}W_lᵀ + b_l itself, kept in ``u``); ``grad_h[l-1]`` is ∂L/∂h_l, ``grad_z[l-1]`` is
    δ_l = ∂L/∂z_l and ``grad_u[l-1]`` is ∂L/∂u_l (δ_l again unless normalised); ``grad_x`` is ∂L/∂h_0.
    """

    x: np.ndarray
    z: list[np.ndarray]
    h: list[np.ndarray]
    grad_z: list[np.ndarray]
    grad_h: list[np.ndarray]
    grad_weights: list[np.ndarray]
    grad_biases: list[np.ndarray]
    grad_x: np.ndarray
    loss: float
    u: list[np.ndarray] = field(default_factory=list)
    grad_u: list[np.ndarray] = field(default_factory=list)
    architecture: str = "plain"


def _finite_array(value, name: str, ndim: int, dtype=None) -> np.ndarray:
    arr = registry.as_float_array(value) if dtype is None else np.asarray(value, dtype=dtype)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def forward_backward(
    x,
    weights: Sequence,
    biases: Sequence,
    activation: str | Activation,
    params: Mapping[str, float] | None = None,
    targets=None,
    architecture: str = "plain",
) -> Trace:
    """One forward and one backward pass, every intermediate kept; exact to rounding.

    x: (batch, d_0); weights[l]: (d_{l+1}, d_l); biases[l]: (d_{l+1},); targets: (batch, d_L) or None
    (zeros); ``architecture`` one of ``engine.ARCHITECTURES`` (the layer is :mod:`activations.engine`'s).
    Computes in float32 only if x and every weight and bias are float32, else float64.
    Shapes that do not chain, non-finite inputs, unknown activations and architectures raise ValueError.
    """
    act = registry.get(activation)
    p = act.resolve(params)
    check_architecture(architecture)
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(
            f"need one bias per weight matrix and at least one layer, got {len(weights)} and {len(biases)}"
        )
    arrays = [registry.as_float_array(a) for a in (x, *weights, *biases)]
    dtype = np.result_type(*arrays)
    x = _finite_array(x, "x", 2, dtype)
    weights = [_finite_array(w, f"weights[{i}]", 2, dtype) for i, w in enumerate(weights)]
    biases = [_finite_array(b, f"biases[{i}]", 1, dtype) for i, b in enumerate(biases)]
    width = x.shape[1]
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        if w.shape[1] != width or b.shape != (w.shape[0],):
            raise ValueError(
                f"layer {i + 1}: weights {w.shape} and bias {b.shape} do not fit an input of width {width}"
            )
        width = w.shape[0]
    batch = x.shape[0]
    if batch < 1:
        raise ValueError("x must hold at least one sample")

    layers = []
    h = x
    for w, b in zip(weights, biases, strict=True):
        layers.append(layer_forward(h, w, b, act, p, architecture))
        h = layers[-1].h

    if targets is None:
        error = h
    else:
        targets = _finite_array(targets, "targets", 2, dtype)
        if targets.shape != h.shape:
            raise ValueError(f"targets must have shape {h.shape}, got {targets.shape}")
        error = h - targets
    loss = 0.5 * float(np.sum(error.astype(np.float64) ** 2)) / batch

    depth = len(weights)
    grad_z, grad_u, grad_h = [None] * depth, [None] * depth, [None] * depth
    grad_w, grad_b = [None] * depth, [None] * depth
    upstream = error / batch  # ∂L/∂h_L
    for layer in reversed(range(depth)):
        below = layers[layer - 1].h if layer else x
        grad_h[layer] = upstream
        grad_z[layer], grad_u[layer], upstream = layer_backward(layers[layer], upstream, weights[layer], architecture)
        grad_w[layer] = grad_u[layer].T @ below
        grad_b[layer] = grad_u[layer].sum(axis=0)
    return Trace(
        x,
        [layer.z for layer in layers],
        [layer.h for layer in layers],
        grad_z,
        grad_h,
        grad_w,
        grad_b,
        upstream,
        loss,
        u=[layer.u for layer in layers],
        grad_u=grad_u,
        architecture=architecture,
    )


# --- sizes the simulation accepts --------------------------------------------------------------------

MAX_DEPTH = 200
MAX_WIDTH = 1024
MAX_BATCH = 1024
MAX_WEIGHT_FLOATS = 2**25  # depth · width² (128 MB in float32)
MAX_ACTIVATION_FLOATS = 2**23  # depth · width · batch, per stored array (h and f′ are kept)
MAX_ORTHOGONAL_WORK = 2**32  # depth · width³ (one QR decomposition per layer)
MAX_SIGMA_B = 10.0


@dataclass(frozen=True)
class SizeFit:
    """A size that fits the limits, and what had to shrink to get there."""

    depth: int
    width: int
    batch: int
    requested_width: int
    requested_batch: int

    @property
    def clamped(self) -> bool:
        return self.width != self.requested_width or self.batch != self.requested_batch

    def warnings(self, lang: str = "en") -> list[str]:
        _ = translator(lang)
        out = []
        if self.width != self.requested_width:
            out.append(
                _(
                    "Depth {depth} × width {requested} needs too much memory for the weights; width reduced to {width}."
                ).format(depth=self.depth, requested=self.requested_width, width=self.width)
            )
        if self.batch != self.requested_batch:
            out.append(
                _("Depth × width × batch is too large to keep in memory; batch reduced to {batch}.").format(
                    batch=self.batch
                )
            )
        return out


def fit_size(depth: int, width: int, batch: int, inits: Sequence[str] = ()) -> SizeFit:
    """The largest width ≤ ``width`` and batch ≤ ``batch`` within the limits, keeping the depth.

    depth · width² ≤ MAX_WEIGHT_FLOATS (weights), depth · width³ ≤ MAX_ORTHOGONAL_WORK when an
    orthogonal init is among ``inits``, then depth · width · batch ≤ MAX_ACTIVATION_FLOATS.
    """
    fitted_width = min(width, math.isqrt(MAX_WEIGHT_FLOATS // depth))
    if "orthogonal" in inits:
        fitted_width = min(fitted_width, int((MAX_ORTHOGONAL_WORK / depth) ** (1 / 3) + 1e-9))
    fitted_width = max(fitted_width, 2 if width >= 2 else width)
    fitted_batch = max(1, min(batch, MAX_ACTIVATION_FLOATS // (depth * fitted_width)))
    return SizeFit(depth, fitted_width, fitted_batch, width, batch)


def _positive_int(value, name: str, upper: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(value) or value != math.floor(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if not 1 <= value <= upper:
        raise ValueError(f"{name} must be between 1 and {upper}, got {value}")
    return value


def _check_size(depth: int, width: int, batch: int, init: str) -> None:
    fit = fit_size(depth, width, batch, (init,))
    if fit.clamped:
        raise ValueError(
            f"depth {depth} × width {width} × batch {batch} is too large "
            f"(use fit_size: width ≤ {fit.width}, batch ≤ {fit.batch} at this depth)"
        )


# --- weights, drawn per layer and cached --------------------------------------------------------------

_INPUT_STREAM, _TOP_ERROR_STREAM, _LAYER_STREAM, _BIAS_STREAM = 0, 1, 2, 3
_WEIGHT_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_WEIGHT_CACHE_FLOATS = 2**25
_WEIGHT_CACHE_LOCK = threading.Lock()
_DRAWING: dict[tuple, Future] = {}  # layers being drawn right now, by cache key
_DRAW_POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="layer-weights")
# Standard normal draws Z of the normal inits' layers (float64, as init_weight draws them), by (layer, width,
# seed): a σ_w move, or He's gain following an α slider, rescales Z instead of drawing it again (a draw of a
# 256 × 256 layer costs about 1 ms, the rescaling about 0.05). 2**23 doubles: 64 MB, 128 layers of width 256.
_UNIT_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_UNIT_CACHE_FLOATS = 2**23


def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent generator per stream, so layer l's weights depend on (seed, l) only: a deeper
    network is the shallower one with layers added, and every activation sees the same draws."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=stream))


def _init_activation_name(act: Activation) -> str:
    """The key init_weight uses for He's gain (registry activations only; others get gain² = 2)."""
    return act.name if _is_registered(act) else "custom"


def layer_weight(
    init: str,
    layer: int,
    width: int,
    seed: int,
    *,
    activation: str = "relu",
    params: Mapping[str, float] | None = None,
    sigma_w: float | None = None,
    dtype=np.float32,
) -> np.ndarray:
    """Layer ``layer``'s (width, width) weights (read-only), drawn with ``init_weight`` from
    the stream (seed, layer). Cached by (init, layer, width, seed, weight variance, dtype) in a small
    LRU, so the 4 activations compared on the page and a depth-slider move reuse the draws; the normal
    inits' standard normal draws are kept too (``_unit_normal``), so a new variance only rescales them."""
    return layer_weights(
        init, range(layer, layer + 1), width, seed, activation=activation, params=params, sigma_w=sigma_w, dtype=dtype
    )[0]


def layer_weights(
    init: str,
    layers: Sequence[int],
    width: int,
    seed: int,
    *,
    activation: str = "relu",
    params: Mapping[str, float] | None = None,
    sigma_w: float | None = None,
    dtype=np.float32,
) -> list[np.ndarray]:
    """``layer_weight`` for each of ``layers``. Layers not in the cache are drawn side by side on
    ``_DRAW_POOL`` (numpy's generators release the GIL while filling an array); a layer another thread
    is already drawing is waited for, not drawn twice (the page runs its networks concurrently)."""
    var = weight_variance(init, width, width, activation=activation, params=params, sigma_w=sigma_w)
    dtype = np.dtype(dtype)
    pending: list[np.ndarray | Future] = []
    with _WEIGHT_CACHE_LOCK:
        for layer in layers:
            key = (init, layer, width, seed, var, dtype.str)
            cached = _WEIGHT_CACHE.get(key)
            if cached is not None:
                _WEIGHT_CACHE.move_to_end(key)
                pending.append(cached)
            elif key in _DRAWING:
                pending.append(_DRAWING[key])
            else:
                draw = (init, layer, width, seed, activation, params, sigma_w, dtype)
                _DRAWING[key] = future = _DRAW_POOL.submit(_draw_and_keep, key, *draw)
                pending.append(future)
    return [w.result() if isinstance(w, Future) else w for w in pending]


def _draw_and_keep(key: tuple, init, layer, width, seed, activation, params, sigma_w, dtype) -> np.ndarray:
    """Draw one layer (read-only), put it in the LRU, evicting the oldest beyond _WEIGHT_CACHE_FLOATS."""
    try:
        if init in NORMAL_INITS:  # init_weight's √Var · Z, from the kept Z: the same numbers, bit for bit
            var = weight_variance(init, width, width, activation=activation, params=params, sigma_w=sigma_w)
            w = (_unit_normal(layer, width, seed) * math.sqrt(var)).astype(dtype, copy=False)
        else:
            w = init_weight(
                init,
                width,
                width,
                _rng(seed, _LAYER_STREAM, layer),
                activation=activation,
                params=params,
                sigma_w=sigma_w,
                dtype=dtype,
            )
        w.flags.writeable = False
        with _WEIGHT_CACHE_LOCK:
            _keep(_WEIGHT_CACHE, key, w, _WEIGHT_CACHE_FLOATS)
        return w
    finally:
        with _WEIGHT_CACHE_LOCK:
            _DRAWING.pop(key, None)


def _unit_normal(layer: int, width: int, seed: int) -> np.ndarray:
    """Z ~ N(0, 1) of shape (width, width), float64, read-only: the first draw of the stream (seed, layer),
    as ``init_weight`` makes it, kept in an LRU of _UNIT_CACHE_FLOATS doubles. Two threads asking for the
    same Z at once may both draw it: the draws are identical, and the one kept is either."""
    key = (layer, width, seed)
    with _WEIGHT_CACHE_LOCK:
        z = _UNIT_CACHE.get(key)
        if z is not None:
            _UNIT_CACHE.move_to_end(key)
            return z
    z = _rng(seed, _LAYER_STREAM, layer).standard_normal((width, width))
    z.flags.writeable = False
    with _WEIGHT_CACHE_LOCK:
        _keep(_UNIT_CACHE, key, z, _UNIT_CACHE_FLOATS)
    return z


def _keep(cache: OrderedDict[tuple, np.ndarray], key: tuple, array: np.ndarray, max_floats: int) -> None:
    """Put ``array`` in the LRU ``cache`` (the caller holds _WEIGHT_CACHE_LOCK), evicting the oldest
    entries beyond ``max_floats`` entries in all; the newest is always kept."""
    cache[key] = array
    total = sum(a.size for a in cache.values())
    while total > max_floats and len(cache) > 1:
        _, old = cache.popitem(last=False)
        total -= old.size


def clear_weight_cache() -> None:
    """Forget every kept layer: the scaled weights and the normal inits' unit draws."""
    with _WEIGHT_CACHE_LOCK:
        _WEIGHT_CACHE.clear()
        _UNIT_CACHE.clear()


# --- measuring a network --------------------------------------------------------------------------------

PERCENTILES = (1, 5, 25, 50, 75, 95, 99)
PERCENTILE_SAMPLE = 4096  # activations per layer (fixed random positions) the percentile bands come from
SATURATION_LEVEL = 0.01  # saturated: |f′| < 1% of max |f′|
DERIVATIVE_GRID = np.linspace(-10.0, 10.0, 20001)


def max_abs_derivative(activation: str | Activation, params: Mapping[str, float] | None = None) -> float:
    """max |f′(x)| over x in [−10, 10] (step 0.001) and the kinks: the scale 'saturated' refers to."""
    act = registry.get(activation)
    p = act.resolve(params)
    if _is_registered(act):  # a pure function of (name, params): remembered
        return _registered_max_abs_derivative(act.name, tuple(sorted(p.items())))
    return _max_abs_derivative(act, p)


def _max_abs_derivative(act: Activation, p: Mapping[str, float]) -> float:
    grid = np.concatenate([DERIVATIVE_GRID, act.kink_points(**p)])
    with np.errstate(all="ignore"):
        return float(np.nanmax(np.abs(act.derivative(grid, **p))))


@lru_cache(maxsize=256)
def _registered_max_abs_derivative(name: str, params: tuple[tuple[str, float], ...]) -> float:
    return _max_abs_derivative(registry.get(name), dict(params))


def _is_registered(act: Activation) -> bool:
    try:
        return registry.get(act.name) is act
    except ValueError:
        return False


@lru_cache(maxsize=32)
def _percentile_positions(size: int) -> np.ndarray:
    """Where in a flattened (batch, width) array the percentile bands are read: every entry when there
    are at most PERCENTILE_SAMPLE, else the same PERCENTILE_SAMPLE random positions (sorted, read-only)
    in every layer, spread over all inputs and units."""
    if size <= PERCENTILE_SAMPLE:
        positions = np.arange(size)
    else:
        positions = np.sort(np.random.default_rng(0).integers(0, size, PERCENTILE_SAMPLE))
    positions.flags.writeable = False
    return positions


def _percentiles(samples: np.ndarray, levels: Sequence[float]) -> np.ndarray:
    """Percentiles of each row, as ``np.percentile(samples, levels, axis=1).T`` (its default "linear"
    method: the order statistic at (n−1)·q/100, interpolated), from one sort instead of a selection
    per level: value = s[⌊p⌋] + (p − ⌊p⌋)·(s[⌊p⌋+1] − s[⌊p⌋]) with p = (n−1)·q/100."""
    ordered = np.sort(samples, axis=1)
    n = ordered.shape[1]
    position = (n - 1) * np.asarray(levels, dtype=np.float64) / 100
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    low = ordered[:, below].astype(np.float64)
    return low + (position - below) * (ordered[:, above] - low)


@dataclass(frozen=True, eq=False)
class Stats:
    """Per-layer measurements of one network (arrays of length depth; index 0 is layer 1).

    Gradient norms are Frobenius norms over the whole batch, in float64 (the backward pass is
    renormalised every layer, so 10⁻¹⁰⁰ is measured, not underflowed); ``log10_*`` hold the same on a
    log scale, −inf where the gradient is exactly 0. NaN marks layers after an overflow.
    """

    activation: str
    label: str
    params: dict[str, float]
    depth: int
    width: int
    batch: int
    grad_norm: np.ndarray  # ‖∂L/∂W_l‖_F
    grad_bias_norm: np.ndarray  # ‖∂L/∂b_l‖
    grad_z_norm: np.ndarray  # ‖δ_l‖_F
    grad_h_norm: np.ndarray  # ‖∂L/∂h_l‖_F
    log10_grad_norm: np.ndarray
    log10_grad_z_norm: np.ndarray
    layer_factor: np.ndarray  # (depth-1,) ‖δ_l‖² / ‖δ_{l+1}‖², to compare with χ_l
    pre_activation_mean: np.ndarray
    pre_activation_var: np.ndarray  # measured q_l
    activation_mean: np.ndarray
    activation_std: np.ndarray
    percentiles: np.ndarray  # (depth, len(PERCENTILES)) of h_l
    dead_fraction: np.ndarray  # units with f′(z) == 0 for every sample
    saturated_fraction: np.ndarray  # units with |f′| < 1% of max |f′| for every sample (dead ones too)
    active_fraction: np.ndarray  # (depth, width) float32: share of the batch where |f′| ≥ the threshold
    max_abs_derivative: float
    saturation_threshold: float
    overflow_layer: int | None  # first layer whose activations are not finite
    init: str | None = None
    sigma_w2: float | None = None
    bias: float = 0.0
    seed: int | None = None
    theory: MeanField | None = None
    architecture: str = "plain"
    sigma_b: float = 0.0
    percentile_levels: tuple[int, ...] = field(default=PERCENTILES)

    @property
    def layers(self) -> np.ndarray:
        return np.arange(1, self.depth + 1)


def _mean_var(a: np.ndarray, ones: np.ndarray, scratch: np.ndarray | None = None) -> tuple[float, float]:
    """Mean and variance over every entry, the sums done as BLAS dot products (fast in float32);
    ``ones`` is a vector of a.size ones; ``scratch`` (a.size entries of a's dtype) holds the centred values
    instead of a new array."""
    flat = a.ravel()
    mean = float(np.dot(flat, ones)) / flat.size
    centred = np.subtract(flat, np.asarray(mean, dtype=a.dtype), out=scratch)
    return mean, float(np.dot(centred, centred)) / flat.size


def _forward_product(h: np.ndarray, w: np.ndarray) -> np.ndarray:
    """z = h Wᵀ (batch, width), C-ordered. For a batch of at most a quarter of the width, OpenBLAS
    computes the same product 25–45% faster as (W hᵀ)ᵀ and one transposing copy: the output's long side
    then runs along the matrix kernel's rows. Either way each z is the same dot product (equal to
    float rounding)."""
    if 4 * h.shape[0] <= w.shape[0]:
        return np.ascontiguousarray((w @ h.T).T)
    return h @ w.T


def _norm(a: np.ndarray) -> float:
    return float(np.linalg.norm(a.ravel()))


def _log10(x: float) -> float:
    if math.isnan(x):
        return math.nan
    return math.log10(x) if x > 0 else -math.inf


def measure(
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    bias: float | Sequence[np.ndarray],
    activation: str | Activation,
    params: Mapping[str, float] | None = None,
    top_error: np.ndarray | None = None,
    architecture: str = "plain",
) -> Stats:
    """Forward and backward through ``weights`` (all (width, width)) with a constant ``bias`` (or one
    bias vector per layer), recording per-layer statistics instead of keeping every array; the layer
    is :mod:`activations.engine`'s. ``top_error`` ε (default zeros is not allowed: pass one) sets
    ∂L/∂h_L = ε / batch. Works in x's dtype.

    Weight-gradient norms come from :func:`~activations.engine.weight_gradient_norm` (Gram matrices
    when the batch is smaller than the width), never forming ∂L/∂W.
    """
    act = registry.get(activation)
    p = act.resolve(params)
    check_architecture(architecture)
    depth, (batch, width) = len(weights), x.shape
    biases = [bias] * depth if np.isscalar(bias) else list(bias)
    if len(biases) != depth:
        raise ValueError(f"need one bias per layer, got {len(biases)} for {depth} layers")
    if top_error is None or top_error.shape != (batch, width):
        raise ValueError(f"top_error must have shape {(batch, width)}")
    max_d = max_abs_derivative(act, p)
    threshold = SATURATION_LEVEL * max_d
    sample_at = _percentile_positions(batch * width)

    pre_mean, pre_var = np.full(depth, np.nan), np.full(depth, np.nan)
    h_mean, h_std = np.full(depth, np.nan), np.full(depth, np.nan)
    dead, saturated = np.full(depth, np.nan), np.full(depth, np.nan)
    active = np.full((depth, width), np.nan, dtype=np.float32)
    samples = np.empty((depth, sample_at.size), dtype=x.dtype)
    ones_batch = np.ones(batch, dtype=x.dtype)  # sums as BLAS products: cheaper than .sum
    ones_all = np.ones(batch * width, dtype=x.dtype)
    scratch = np.empty(batch * width, dtype=x.dtype)  # the per-layer temporaries, reused
    is_active = np.empty((batch, width), dtype=x.dtype)
    layers = []
    overflow_layer = None
    h = x
    with np.errstate(all="ignore"):
        for layer, w in enumerate(weights):
            step = layer_forward(h, w, biases[layer], act, p, architecture, u=_forward_product(h, w))
            z, h, d = step.z, step.h, step.fprime
            pre_mean[layer], pre_var[layer] = _mean_var(z, ones_all, scratch)
            h_mean[layer], h_var = _mean_var(h, ones_all, scratch)
            h_std[layer] = math.sqrt(h_var) if h_var >= 0 else math.nan
            if not math.isfinite(pre_var[layer] + h_var):  # inf or NaN anywhere in z or h
                overflow_layer = layer + 1
                pre_mean[layer] = pre_var[layer] = h_mean[layer] = h_std[layer] = math.nan
                break
            layers.append(step)
            samples[layer] = h.ravel()[sample_at]
            # Per unit, over the batch: active where |f′| ≥ the threshold; saturated when never active
            # (|f′| below it for every sample); dead when f′ is exactly 0 for every sample. A dead unit is
            # never active when the threshold is positive, so only the never-active units are looked at.
            magnitude = np.abs(d, out=scratch.reshape(batch, width))
            active_count = ones_batch @ np.greater_equal(magnitude, threshold, out=is_active, casting="unsafe")
            active[layer] = active_count / batch
            never_active = active_count == 0
            saturated[layer] = np.count_nonzero(never_active) / width
            candidates = d[:, never_active] if threshold > 0 else d
            dead[layer] = (candidates.shape[1] - np.count_nonzero(np.any(candidates, axis=0))) / width
    percentiles = np.full((depth, len(PERCENTILES)), np.nan)
    measured = depth if overflow_layer is None else overflow_layer - 1
    if measured:
        percentiles[:measured] = _percentiles(samples[:measured], PERCENTILES)

    # Backward, renormalising ∂L/∂h each layer: the pass is linear in the top error, so the true
    # gradient is the stored one times 10**log_scale, and nothing under- or overflows float32.
    # After an overflow every gradient passes through the overflowed layers: all stay NaN.
    log_gh, log_gz = np.full(depth, np.nan), np.full(depth, np.nan)
    log_gw, log_gb = np.full(depth, np.nan), np.full(depth, np.nan)
    upstream = (top_error / batch).astype(x.dtype)
    log_scale = 0.0
    with np.errstate(all="ignore"):
        for layer in reversed(range(depth) if overflow_layer is None else ()):
            size = _norm(upstream)
            log_gh[layer] = _log10(size) + log_scale
            if 0 < size < math.inf:
                upstream *= np.asarray(1 / size, dtype=x.dtype)
                log_scale += math.log10(size)
            grad_z, grad_u, upstream = layer_backward(
                layers[layer], upstream, weights[layer], architecture, need_below=layer > 0
            )
            below = layers[layer - 1].h if layer else x
            log_gz[layer] = _log10(_norm(grad_z)) + log_scale
            log_gw[layer] = _log10(weight_gradient_norm(grad_u, below)) + log_scale
            log_gb[layer] = _log10(_norm(ones_batch @ grad_u)) + log_scale
    with np.errstate(invalid="ignore"):
        factor = 10.0 ** (2 * (log_gz[:-1] - log_gz[1:]))

    return Stats(
        activation=act.name,
        label=act.label,
        params=dict(p),
        depth=depth,
        width=width,
        batch=batch,
        grad_norm=_pow10(log_gw),
        grad_bias_norm=_pow10(log_gb),
        grad_z_norm=_pow10(log_gz),
        grad_h_norm=_pow10(log_gh),
        log10_grad_norm=log_gw,
        log10_grad_z_norm=log_gz,
        layer_factor=factor,
        pre_activation_mean=pre_mean,
        pre_activation_var=pre_var,
        activation_mean=h_mean,
        activation_std=h_std,
        percentiles=percentiles,
        dead_fraction=dead,
        saturated_fraction=saturated,
        active_fraction=active,
        max_abs_derivative=max_d,
        saturation_threshold=threshold,
        overflow_layer=overflow_layer,
    )


def _pow10(log10: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.power(10.0, log10)


def simulate(
    activation: str | Activation = "relu",
    depth: int = 50,
    width: int = 256,
    batch: int = 256,
    init: str = "he_normal",
    bias: float = 0.0,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
    sigma_w: float | None = None,
    dtype=np.float32,
    architecture: str = "plain",
    sigma_b: float = 0.0,
) -> Stats:
    """A random square network at initialisation: measured per-layer statistics and the mean-field
    prediction beside them.

    Input x and every layer have ``width`` units; x ~ N(0, 1) (batch, width); W_l from ``init``
    (σ_w for ``scaled_normal`` only, weights ~ N(0, σ_w²/width)); biases b_l = ``bias`` + σ_b·ξ_l with
    ξ_l ~ N(0, I) (``sigma_b`` = 0: the constant bias alone, nothing drawn); the top gradient is
    the fixed random error ε / batch described in the module docstring. x, ε, layer l's weights and
    layer l's bias noise each come from their own stream of ``seed``, so every activation sees the same
    network. ``architecture``: one of ``engine.ARCHITECTURES``; mean-field theory is attached for
    "plain" and "residual" (``theory`` is None for the normalised ones: measured only).
    ``activation`` is resolved once here and passed down as an object.
    Invalid configurations raise ValueError; sizes beyond ``fit_size`` too.
    """
    act = registry.get(activation)
    p = act.resolve(params)
    check_architecture(architecture)
    try:
        sigma_b = float(sigma_b)
    except (TypeError, ValueError):
        raise ValueError(f"sigma_b must be a number, got {sigma_b!r}") from None
    if not math.isfinite(sigma_b) or not 0 <= sigma_b <= MAX_SIGMA_B:
        raise ValueError(f"sigma_b must be between 0 and {MAX_SIGMA_B:g}, got {sigma_b!r}")
    depth = _positive_int(depth, "depth", MAX_DEPTH)
    width = _positive_int(width, "width", MAX_WIDTH)
    batch = _positive_int(batch, "batch", MAX_BATCH)
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; valid: {', '.join(INITS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    try:
        bias = float(bias)
    except (TypeError, ValueError):
        raise ValueError(f"bias must be a number, got {bias!r}") from None
    if not math.isfinite(bias):
        raise ValueError(f"bias must be finite, got {bias!r}")
    if init != "scaled_normal":
        sigma_w = None
    elif sigma_w is None or isinstance(sigma_w, bool) or not math.isfinite(float(sigma_w)) or sigma_w <= 0:
        raise ValueError(f"scaled_normal needs a positive finite sigma_w, got {sigma_w!r}")
    _check_size(depth, width, batch, init)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")

    init_name = _init_activation_name(act)
    x = _rng(seed, _INPUT_STREAM).standard_normal((batch, width)).astype(dtype)
    top_error = _rng(seed, _TOP_ERROR_STREAM).standard_normal((batch, width)).astype(dtype)
    weights = layer_weights(
        init, range(depth), width, seed, activation=init_name, params=p, sigma_w=sigma_w, dtype=dtype
    )
    biases = bias if sigma_b == 0 else [bias + sigma_b * noise for noise in layer_bias_noise(depth, width, seed, dtype)]
    stats = measure(x, weights, biases, act, p, top_error, architecture)
    sigma_w2 = width * weight_variance(init, width, width, activation=init_name, params=p, sigma_w=sigma_w)
    theory = None
    if architecture in ("plain", "residual"):
        x64 = x.astype(np.float64)
        theory = mean_field(
            act,
            depth,
            width,
            batch,
            sigma_w2,
            bias=bias,
            sigma_b2=sigma_b**2,
            input_second_moment=float(np.mean(x64**2)),
            params=p,
            top_error_variance=float(np.mean(top_error.astype(np.float64) ** 2)),
            architecture=architecture,
            input_mean=float(np.mean(x64)),
        )
    return replace(
        stats,
        init=init,
        sigma_w2=sigma_w2,
        bias=bias,
        seed=seed,
        theory=theory,
        architecture=architecture,
        sigma_b=sigma_b,
    )


def layer_bias_noise(depth: int, width: int, seed: int, dtype=np.float32) -> list[np.ndarray]:
    """ξ_l ~ N(0, I) of shape (width,) for l = 0..depth−1, each from the stream (seed, bias, l): the
    random part of the biases, independent of every other draw (and of the depth)."""
    return [_rng(seed, _BIAS_STREAM, layer).standard_normal(width).astype(dtype) for layer in range(depth)]


# --- presets ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A configuration of the Gradient Flow page that tells one story (title and note are N_ marked)."""

    title: str
    note: str
    activations: tuple[str, ...]
    inits: tuple[str, ...]
    depth: int
    width: int
    batch: int
    sigma_w: float = 1.0
    bias: float = 0.0
    seed: int = 0
    params: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    architectures: tuple[str, ...] = ("plain",)  # every activation × init runs in each of these
    sigma_b: float = 0.0
    paper: str = ""


# The page's opening view, sized for a live lecture (every slider move recomputes every network): three
# activations telling the story (sigmoid vanishes, tanh loses a little per layer, ReLU halves the squared
# gradient under Xavier) and a batch of 32 inputs (each layer's statistics over 32 × 256 values; the
# measured per-layer factor follows χ equally closely at batch 32, 64 and 128). Leaky ReLU (α = 0.01)
# would lie on ReLU's curves in three of the five charts; its point, no dead units, is "born_dead"'s.
DEFAULT_CONFIG = Preset(
    title=N_("Custom"),
    note="",
    activations=("sigmoid", "tanh", "relu"),
    inits=("xavier_normal",),
    depth=30,
    width=256,
    batch=32,
)

PRESETS: dict[str, Preset] = {
    "vanishing_sigmoid": Preset(
        title=N_("Vanishing gradients with sigmoid"),
        note=N_(
            "Sigmoid's derivative is at most ¼, so with Xavier weights each layer multiplies the squared "
            "gradient by χ = σ_w²·E[f′(z)²] ≈ 0.055: after 30 layers almost nothing reaches layer 1. "
            "Tanh (χ ≈ 0.84) and ReLU (χ = ½) lose far less per layer."
        ),
        activations=("sigmoid", "tanh", "relu"),
        inits=("xavier_normal",),
        depth=30,
        width=256,
        batch=32,
    ),
    "he_vs_xavier": Preset(
        title=N_("He vs Xavier for ReLU"),
        note=N_(
            "ReLU passes gradient through half of its units, so E[f′(z)²] = ½. He init (σ_w² = 2) makes "
            "χ = 1 and the gradient keeps its size; Xavier (σ_w² = 1 for square layers) makes χ = ½ and "
            "halves the squared gradient in every layer (He et al. 2015)."
        ),
        activations=("relu",),
        inits=("he_normal", "xavier_normal"),
        depth=30,
        width=256,
        batch=32,
    ),
    "born_dead": Preset(
        title=N_("Born dead: deep narrow ReLU"),
        note=N_(
            "With only 3 units per layer, sooner or later a layer has every unit off for every input; all "
            "layers above it then output 0 and no gradient reaches anything below: the network is dead "
            "before training starts (Lu et al. 2020). Leaky ReLU keeps a gradient on the negative side."
        ),
        activations=("relu", "leaky_relu"),
        inits=("he_normal",),
        depth=30,
        width=3,
        batch=64,
    ),
    # Measured on seed 0, ‖δ_1‖ / ‖δ_100‖: σ_w = 1 0.048 (theory 0.085), 0.8 7e-11, 1.5 ×430 (tests/test_network.py).
    "edge_of_chaos": Preset(
        title=N_("Edge of chaos (tanh, σ_w = 1)"),
        note=N_(
            "Tanh with weights N(0, σ_w²/n) and no bias is critical at σ_w = 1: χ stays just below 1 and "
            "creeps toward it as the signal shrinks, so the gradient decays slowly (like a power of the "
            "depth, not exponentially): over 100 layers it falls about 20-fold, where σ_w = 0.8 loses a "
            "factor of 10¹⁰ and σ_w = 1.5 makes it grow some 400-fold (Poole et al. 2016, Schoenholz et al. "
            "2017). Try σ_w = 0.8 and 1.5."
        ),
        activations=("tanh",),
        inits=("scaled_normal",),
        depth=100,
        width=256,
        batch=64,
        sigma_w=1.0,
    ),
    # Measured on seed 0: BatchNorm ×1.484 per layer in ‖∂L/∂W‖² (π/(π−1) = 1.467; a finite batch of 64
    # adds ~1%), plain He ×0.980; over seeds 0–15 see benchmarks/preset_seeds.py and README.md.
    "batchnorm_explodes": Preset(
        title=N_("BatchNorm makes gradients explode (ReLU)"),
        note=N_(
            "At initialisation a deep BatchNorm-ReLU network does not keep its gradients in check, it "
            "makes them explode: each layer multiplies the squared gradient by about π/(π−1) ≈ 1.47 toward "
            "the input, ×10⁶ over 40 layers, while the plain He-initialised net keeps it flat (Yang, "
            "Pennington, Rao, Sohl-Dickstein, Schoenholz 2019, “A Mean Field Theory of Batch Normalization”)."
        ),
        activations=("relu",),
        inits=("he_normal",),
        depth=40,
        width=256,
        batch=64,
        architectures=("plain", "batchnorm"),
        paper="Yang et al. 2019, A Mean Field Theory of Batch Normalization",
    ),
    # Measured on seed 0: log10 ‖∂L/∂z‖ from the top to layer 1, plain −18.2 (theory −18.2), residual +0.55
    # (theory +0.58: the squared gradient grows by 1 + χ ≈ 1.06 per layer).
    "residual": Preset(
        title=N_("Skip connections: plain vs residual (sigmoid)"),
        note=N_(
            "The same 30 sigmoid layers with and without skip connections h = h + f(Wh + b). Plain, the "
            "gradient shrinks by χ ≈ 0.06 per layer and 10⁻¹⁸ of it reaches layer 1; with the skip the "
            "identity path carries it and each layer multiplies the squared gradient by 1 + χ instead: it "
            "can no longer vanish, it grows slowly (He et al. 2016; Yang & Schoenholz 2017). Dashed: theory."
        ),
        activations=("sigmoid",),
        inits=("xavier_normal",),
        depth=30,
        width=256,
        batch=32,
        architectures=("plain", "residual"),
        paper="He et al. 2016; Yang & Schoenholz 2017, Mean Field Residual Networks",
    ),
}


# --- plain words ----------------------------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(log10: float) -> str:
    """A ratio given by its log10 in scientific notation with superscripts: −4.36 → '4.4 × 10⁻⁵',
    −9.0 → '10⁻⁹'."""
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    if round(mantissa, 1) >= 9.95:
        exponent, mantissa = exponent + 1, 1.0
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if round(mantissa, 1) == 1.0 else f"{mantissa:.2g} × {power}"


def _ratio_text(log10: float) -> str:
    if abs(log10) >= 2:
        return power_of_ten(log10)
    return f"{10**log10:.2g}"


_BACKPROP_SENTENCES = (
    N_("The gradient flowing back into layer 1 (∂L/∂z) is {ratio} of its size at layer {depth}."),
    N_("The gradient flowing back into layer 1 (∂L/∂z) is {ratio} times its size at layer {depth}."),
    N_("The gradient flowing back into layer 1 (∂L/∂z) is about as large as at layer {depth} (ratio {ratio})."),
)
_WEIGHT_SENTENCES = (
    N_("The weight gradient ∂L/∂W of layer 1 is {ratio} of layer {depth}'s."),
    N_("The weight gradient ∂L/∂W of layer 1 is {ratio} times layer {depth}'s."),
    N_("The weight gradient ∂L/∂W of layer 1 is about as large as layer {depth}'s (ratio {ratio})."),
)


def _compare(templates: tuple[str, str, str], log10: np.ndarray, depth: int, _) -> str:
    """One sentence comparing layer 1 with the top layer (log10 values); '' when not finite."""
    change = log10[0] - log10[-1]
    if not math.isfinite(change):
        return ""
    smaller, larger, similar = templates
    template = smaller if change <= -math.log10(2) else larger if change >= math.log10(2) else similar
    return _(template).format(ratio=_ratio_text(change), depth=depth)


def summarise(stats: Stats, lang: str = "en") -> list[str]:
    """A few plain sentences about one network, every number taken from ``stats``."""
    _ = translator(lang)
    out: list[str] = []
    depth = stats.depth
    if stats.overflow_layer is not None:
        out.append(
            _(
                "The activations overflow float32 at layer {layer}: the signal explodes on the way up, "
                "so no gradients can be measured."
            ).format(layer=stats.overflow_layer)
        )
    elif depth > 1:
        zero = np.flatnonzero(stats.log10_grad_z_norm == -math.inf)
        if zero.size:
            out.append(
                _(
                    "No gradient at all reaches layers 1–{layer} (it is exactly 0): every unit of layer "
                    "{layer} is dead, so nothing below it can learn."
                ).format(layer=int(zero.max()) + 1)
            )
        else:
            predicted = stats.theory.log10_grad_z_norm if stats.theory and mean_field_applies(stats.width) else None
            for templates, values, theory in (
                (_BACKPROP_SENTENCES, stats.log10_grad_z_norm, predicted),
                (_WEIGHT_SENTENCES, stats.log10_grad_norm, None),
            ):
                sentence = _compare(templates, values, depth, _)
                if sentence and theory is not None and np.all(np.isfinite(theory[[0, -1]])):
                    sentence += " " + _("Mean-field theory predicts {ratio}.").format(
                        ratio=_ratio_text(theory[0] - theory[-1])
                    )
                if sentence:
                    out.append(sentence)
        factors = stats.layer_factor[np.isfinite(stats.layer_factor) & (stats.layer_factor > 0)]
        if stats.theory is not None and not mean_field_applies(stats.width):
            out.append(
                _(
                    "No mean-field theory line: the theory averages over wide layers (at least {min} units); "
                    "with {width} per layer a few units decide."
                ).format(min=MIN_MEAN_FIELD_WIDTH, width=stats.width)
            )
        plain_theory = stats.theory is not None and stats.architecture == "plain"  # residual: 1 + χ, not χ
        if factors.size and plain_theory and mean_field_applies(stats.width):
            measured = float(np.exp(np.mean(np.log(factors))))
            chi = stats.theory.chi[:-1]
            chi = chi[np.isfinite(chi) & (chi > 0)]
            if chi.size:
                out.append(
                    _(
                        "Each layer multiplies the squared gradient by {measured:.3g} on average; "
                        "mean-field theory's χ = σ_w²·E[f′(z)²] is {chi:.3g}."
                    ).format(measured=measured, chi=float(np.exp(np.mean(np.log(chi)))))
                )
    if stats.overflow_layer is None:
        dead = stats.dead_fraction
        if np.nanmax(dead) > 0:
            worst = int(np.nanargmax(dead))
            out.append(
                _(
                    "{percent} of units in layer {layer} are dead (f′ = 0 for every input in the batch); "
                    "{n} of {depth} layers have dead units."
                ).format(percent=_percent(dead[worst]), layer=worst + 1, n=int(np.count_nonzero(dead > 0)), depth=depth)
            )
        else:
            out.append(_("No unit is dead in any layer."))
        only_saturated = stats.saturated_fraction - dead
        if np.nanmax(only_saturated) > 0:
            worst = int(np.nanargmax(only_saturated))
            out.append(
                _(
                    "{percent} of units in layer {layer} are saturated (|f′| below 1% of its maximum for every input)."
                ).format(percent=_percent(only_saturated[worst]), layer=worst + 1)
            )
    return out


def _percent(fraction: float) -> str:
    value = 100 * fraction
    return f"{value:.0f}%" if value >= 1 or value == 0 else f"{value:.1g}%"
