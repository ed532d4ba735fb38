r"""Softmax with temperature, its log and its Jacobian, all numerically stable.

.. math:: p_i = \mathrm{softmax}(z/T)_i = \frac{e^{(z_i - \max z)/T}}{\sum_j e^{(z_j - \max z)/T}},
   \qquad \frac{\partial p_i}{\partial z_j} = \frac{p_i(\delta_{ij} - p_j)}{T}.

Two-class softmax of [x, 0] is σ(x); as T → 0 the softmax saturates to one-hot and its Jacobian to zero.
"""

from __future__ import annotations

import math

import numpy as np

from .registry import as_float_array


def _check_temperature(temperature: float) -> float:
    temperature = float(temperature)
    if not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    return temperature


def _scaled_logits(z, temperature, axis):
    z = as_float_array(z)
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    shifted = (z - np.max(z, axis=axis, keepdims=True)) / _check_temperature(temperature)
    return shifted


def softmax(z, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """softmax(z / T) along ``axis``; the max is subtracted first so exp never overflows."""
    e = np.exp(_scaled_logits(z, temperature, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """log softmax(z / T), as shifted logits minus their log-sum-exp (no log of a tiny number)."""
    s = _scaled_logits(z, temperature, axis)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def softmax_jacobian(z, temperature: float = 1.0) -> np.ndarray:
    """∂p/∂z for a 1-D logit vector z: (diag(p) − p pᵀ) / T, shape (n, n)."""
    z = as_float_array(z)
    if z.ndim != 1:
        raise ValueError(f"softmax_jacobian takes a 1-D vector of logits, got shape {z.shape}")
    p = softmax(z, temperature)
    return (np.diag(p) - np.outer(p, p)) / _check_temperature(temperature)


def jacobian_norm(z, temperature: float = 1.0) -> float:
    """Frobenius norm of the softmax Jacobian: how much gradient the softmax passes back at all."""
    return float(np.linalg.norm(softmax_jacobian(z, temperature)))


def temperature_sweep(z, temperatures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each T: (T, max probability, ‖∂p/∂z‖_F). Low T saturates (max p → 1, Jacobian → 0 unless tied).

    All temperatures at once: row k of ``p`` is softmax(z / T_k) and the Frobenius norm is taken of
    each (diag(p) − p pᵀ) / T_k, entry by entry as ``jacobian_norm`` does (the closed form
    Σᵢ pᵢ²(1 − 2pᵢ + Σⱼ pⱼ²) would cancel to noise exactly where the norm is smallest)."""
    temperatures = np.asarray(temperatures, dtype=np.float64)
    for t in temperatures.ravel():
        _check_temperature(t)
    z = as_float_array(z)
    if z.ndim != 1 or not np.all(np.isfinite(z)):
        raise ValueError("temperature_sweep takes a 1-D vector of finite logits")
    e = np.exp((z - np.max(z))[None, :] / temperatures[:, None])
    p = e / np.sum(e, axis=1, keepdims=True)
    jacobians = (p[:, :, None] * np.eye(z.size) - p[:, :, None] * p[:, None, :]) / temperatures[:, None, None]
    norms = np.sqrt(np.sum(jacobians**2, axis=(1, 2)))
    return temperatures, p.max(axis=1), norms
