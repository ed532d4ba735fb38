r"""One hidden layer of a fully connected network, forward and backward: the chain rule written once.

Every network in the app (the Gradient Flow page's ``simulate`` and exact ``forward_backward`` in
:mod:`activations.network`, the Training Lab in :mod:`activations.training`) is a loop of this layer
forward, storing what the backward needs, and one loop of :func:`layer_backward` in reverse. Weights
are stored as ``torch.nn.Linear`` stores them, ``W`` of shape (d_out, d_in). With :math:`h` the layer's
input, four architectures:

.. math::

    u = h W^\top + b, \qquad
    z = \begin{cases} u & \text{plain, residual} \\ \mathrm{N}(u) & \text{layernorm, batchnorm} \end{cases},
    \qquad
    h' = \begin{cases} h + f(z) & \text{residual, where } d_{out} = d_{in} \\ f(z) & \text{otherwise} \end{cases}

with :math:`\mathrm{N}(u) = (u - \mu)/\sqrt{\sigma^2 + \varepsilon}`, ε = 1e-5, no affine parameters, the
mean and the biased variance taken over the units of each sample (layernorm, ``torch.nn.LayerNorm``
with ``elementwise_affine=False``) or over the batch for each unit (batchnorm, ``torch.nn.BatchNorm1d``
in training mode with ``affine=False``). Backward, with :math:`g = \partial L/\partial h'`:

.. math::

    \delta_z = \frac{\partial L}{\partial z} = g \odot f'(z), \qquad
    \delta_u = \frac{\partial L}{\partial u} =
        \frac{1}{\sqrt{\sigma^2+\varepsilon}}\big(\delta_z - \overline{\delta_z} - z\,\overline{\delta_z z}\big)
        \ \text{(normalised; means over the same axis as the statistics)}, \quad \delta_u = \delta_z \ \text{otherwise},

.. math::

    \frac{\partial L}{\partial W} = \delta_u^\top h, \qquad
    \frac{\partial L}{\partial b} = \textstyle\sum_b \delta_{u,b}, \qquad
    \frac{\partial L}{\partial h} = \delta_u W \; (+\, g \text{ through the skip}).

The layer knows nothing about any activation beyond f and f′ (TensorFlow Playground's pair), and
nothing about the loss: callers start the backward loop from ∂L/∂h_L and form ∂L/∂W themselves (the
gradient-flow measurement only needs its norm, see :func:`weight_gradient_norm`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .i18n import N_
from .registry import Activation

ARCHITECTURES = ("plain", "residual", "layernorm", "batchnorm")
ARCHITECTURE_LABELS = {  # what the pages call them (N_-marked)
    "plain": N_("plain"),
    "residual": N_("residual (skip connections)"),
    "layernorm": N_("layer normalisation (LayerNorm)"),
    "batchnorm": N_("batch normalisation (BatchNorm)"),
}
NORM_EPS = 1e-5
_NORM_AXIS = {"layernorm": 1, "batchnorm": 0}  # layernorm: over a sample's units; batchnorm: over the batch


def check_architecture(architecture: str) -> str:
    """``architecture`` itself when it is one of ARCHITECTURES, else ValueError listing them."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; valid: {', '.join(ARCHITECTURES)}")
    return architecture


@dataclass(frozen=True, eq=False)
class Layer:
    """What one layer's forward computed and its backward needs (arrays of shape (batch, d_out)).

    ``z`` is f's input (``u`` itself unless normalised; then ``inv_std`` is 1/√(σ²+ε) with the kept
    axis of the statistics); ``fprime`` is f′(z); ``skip`` says whether the residual path was taken.
    """

    u: np.ndarray
    z: np.ndarray
    h: np.ndarray
    fprime: np.ndarray | None
    inv_std: np.ndarray | None = None
    skip: bool = False


def normalise(u: np.ndarray, architecture: str, statistics: tuple[np.ndarray, np.ndarray] | None = None):
    """(z, inv_std) with z = (u − μ)·inv_std, inv_std = 1/√(σ² + ε), σ² the biased variance.

    ``statistics`` = (μ, σ²) fixes them (BatchNorm's inference mode, e.g. the training set's); by
    default they are u's own, over the axis the architecture names.
    """
    axis = _NORM_AXIS[architecture]
    if statistics is None:
        mean = u.mean(axis=axis, keepdims=True)
        centred = u - mean
        var = np.mean(centred * centred, axis=axis, keepdims=True)
    else:
        mean, var = (np.asarray(s, dtype=u.dtype) for s in statistics)
        centred = u - mean
    inv_std = 1.0 / np.sqrt(var + np.asarray(NORM_EPS, dtype=u.dtype))
    return centred * inv_std, inv_std


def layer_forward(
    h: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | float | None,
    act: Activation,
    params: Mapping[str, float],
    architecture: str = "plain",
    *,
    u: np.ndarray | None = None,
    statistics: tuple[np.ndarray, np.ndarray] | None = None,
    with_derivative: bool = True,
) -> Layer:
    """One layer forward: u = h Wᵀ + b, z, h′ = f(z) (+ h) and f′(z) beside it.

    ``b`` is added when it is an array or a non-zero number; ``u`` may be passed in already computed
    (the caller's faster product; the bias is then still added here). ``statistics``: see
    :func:`normalise`. ``with_derivative=False`` skips f′ (``fprime`` is None: a forward-only pass).
    Works in the arrays' dtype.
    """
    if u is None:
        u = h @ w.T
    if isinstance(b, np.ndarray) or b:
        u += b
    inv_std = None
    if architecture in _NORM_AXIS:
        z, inv_std = normalise(u, architecture, statistics)
    else:
        z = u
    out = act(z, **params)
    skip = architecture == "residual" and h.shape[1] == w.shape[0]
    if skip:
        out = h + out
    fprime = act.derivative(z, **params) if with_derivative else None
    return Layer(u=u, z=z, h=out, fprime=fprime, inv_std=inv_std, skip=skip)


def layer_backward(
    layer: Layer, grad_h: np.ndarray, w: np.ndarray, architecture: str = "plain", *, need_below: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(δ_z, δ_u, ∂L/∂h) from g = ∂L/∂h′ (see the module docstring); ∂L/∂h is None unless ``need_below``.

    For plain and residual layers δ_u is δ_z (the same array).
    """
    grad_z = grad_h * layer.fprime
    if layer.inv_std is None:
        grad_u = grad_z
    else:
        axis = _NORM_AXIS[architecture]
        z = layer.z
        grad_u = layer.inv_std * (
            grad_z - grad_z.mean(axis=axis, keepdims=True) - z * np.mean(grad_z * z, axis=axis, keepdims=True)
        )
    below = None
    if need_below:
        below = grad_u @ w
        if layer.skip:
            below += grad_h
    return grad_z, grad_u, below


GRAM_LEAF = 64  # rows below which a Gram block is one BLAS product (measured fastest among 32, 64, 128)


def gram_inner(g: np.ndarray, h: np.ndarray) -> float:
    r""":math:`\sum_{ij} (G G^\top)_{ij} (H H^\top)_{ij}` for G (B, m) and H (B, n), in float64, forming only
    the upper half of each Gram matrix, at general-product speed.

    Both Gram matrices are symmetric, so with the rows split in halves (any B, odd too),

    .. math::  \sum (GG^\top)\circ(HH^\top) = S(G_1, H_1) + S(G_2, H_2) + 2 \sum (G_1 G_2^\top)\circ(H_1 H_2^\top),

    recursively, down to GRAM_LEAF rows (one product there: numpy hands ``a @ a.T`` to BLAS's symmetric
    product). The off-diagonal blocks are general products, which OpenBLAS runs about twice as fast per
    multiply-add as its symmetric one: the flops tend to half of the full Gram matrices' (3/4 after one
    split, 5/8 after two), all at general-product speed. Each block's elementwise sum is taken in
    float64: the terms mix signs.
    """
    batch = g.shape[0]
    if batch <= GRAM_LEAF:
        return float(np.einsum("ij,ij->", g @ g.T, h @ h.T, dtype=np.float64))
    half = batch // 2
    g1, g2, h1, h2 = g[:half], g[half:], h[:half], h[half:]
    cross = float(np.einsum("ij,ij->", g1 @ g2.T, h1 @ h2.T, dtype=np.float64))
    return gram_inner(g1, h1) + gram_inner(g2, h2) + 2.0 * cross


def weight_gradient_norm(grad_u: np.ndarray, h: np.ndarray) -> float:
    r"""‖∂L/∂W‖_F = ‖δ_uᵀ h‖_F without forming the (d_out, d_in) matrix when the batch is the smaller side.

    .. math::  \|G^\top H\|_F^2 = \sum_{ij} (G G^\top)_{ij} (H H^\top)_{ij}

    (both sides are :math:`\mathrm{tr}(G^\top H H^\top G)`). The direct form costs B·d_out·d_in
    multiply-adds; the two Gram matrices B²·(d_out + d_in) in full, of which :func:`gram_inner` forms
    about half, at the same speed per multiply-add. So the Gram form is taken when
    B·(d_out + d_in) ≤ d_out·d_in (square layers: batch up to half the width; measured at width 512,
    one thread: 0.65× the direct product at batch 256, a third of it at batch 128). The sum is taken in
    float64 (the terms mix signs); NaN stays NaN.
    """
    batch, d_out = grad_u.shape
    d_in = h.shape[1]
    if batch * (d_out + d_in) <= d_out * d_in:
        total = gram_inner(grad_u, h)
        return math.nan if math.isnan(total) else math.sqrt(max(total, 0.0))  # < 0 only by rounding
    return float(np.linalg.norm((grad_u.T @ h).ravel()))
