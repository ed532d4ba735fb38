r"""Weight initialisation schemes, in torch.nn.Linear's layout: a (fan_out, fan_in) matrix.

=================  ===========================================  ====================================
scheme             variance of each weight                     source
=================  ===========================================  ====================================
xavier_normal      2 / (fan_in + fan_out)                      Glorot & Bengio 2010
xavier_uniform     same, uniform on ±√(6/(fan_in+fan_out))     Glorot & Bengio 2010
he_normal          gain² / fan_in, gain² = 2/(1+α²)             He et al. 2015 (α = 0 for ReLU)
he_uniform         same, uniform on ±√(3·Var)                   He et al. 2015
lecun_normal       1 / fan_in                                   LeCun et al. 1998 (SELU's choice)
orthogonal         a random orthogonal matrix times the gain    Saxe et al. 2014
scaled_normal      σ_w² / fan_in                                mean-field papers (Poole 2016)
=================  ===========================================  ====================================

The He gain uses the activation's negative slope α for leaky_relu / prelu / rrelu (2/(1+α²)), and
2 for every other activation, as PyTorch's ``kaiming_*`` with ``nonlinearity='relu'``.
"""

from __future__ import annotations

import math

import numpy as np

INITS = ("xavier_normal", "xavier_uniform", "he_normal", "he_uniform", "lecun_normal", "orthogonal", "scaled_normal")
# The schemes whose weights are √Var · Z, Z a standard normal draw (``init_weight``): one draw serves every variance.
NORMAL_INITS = tuple(i for i in INITS if not i.endswith("_uniform") and i != "orthogonal")

_NEGATIVE_SLOPE_PARAMS = {"leaky_relu": ("alpha",), "prelu": ("alpha",), "rrelu": ("lower", "upper")}


def negative_slope(activation: str, params: dict | None = None) -> float:
    """The slope α on the negative side that He et al.'s gain accounts for (0 for anything else)."""
    from . import registry

    if activation not in _NEGATIVE_SLOPE_PARAMS:
        return 0.0
    resolved = registry.get(activation).resolve(params)
    if activation == "rrelu":
        return (resolved["lower"] + resolved["upper"]) / 2
    return resolved["alpha"]


def he_gain_squared(activation: str = "relu", params: dict | None = None) -> float:
    """2 / (1 + α²): keeps forward and backward variance for (leaky) rectifiers (He et al. 2015)."""
    return 2.0 / (1.0 + negative_slope(activation, params) ** 2)


def weight_variance(
    init: str,
    fan_in: int,
    fan_out: int,
    *,
    activation: str = "relu",
    params: dict | None = None,
    sigma_w: float | None = None,
) -> float:
    """The variance of one weight under ``init`` (for orthogonal: the gain² / fan_in it matches)."""
    if init in ("xavier_normal", "xavier_uniform"):
        return 2.0 / (fan_in + fan_out)
    if init in ("he_normal", "he_uniform"):
        return he_gain_squared(activation, params) / fan_in
    if init in ("lecun_normal", "orthogonal"):
        return 1.0 / fan_in
    if init == "scaled_normal":
        if sigma_w is None or not math.isfinite(sigma_w) or sigma_w <= 0:
            raise ValueError(f"scaled_normal needs a positive finite sigma_w, got {sigma_w!r}")
        return sigma_w**2 / fan_in
    raise ValueError(f"unknown init {init!r}; valid: {', '.join(INITS)}")


def init_weight(
    init: str,
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    *,
    activation: str = "relu",
    params: dict | None = None,
    sigma_w: float | None = None,
    dtype=np.float64,
) -> np.ndarray:
    """A (fan_out, fan_in) weight matrix drawn from ``init``."""
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"layer sizes must be positive, got fan_in={fan_in}, fan_out={fan_out}")
    var = weight_variance(init, fan_in, fan_out, activation=activation, params=params, sigma_w=sigma_w)
    shape = (fan_out, fan_in)
    if init.endswith("_uniform"):
        bound = math.sqrt(3.0 * var)
        w = rng.uniform(-bound, bound, size=shape)
    elif init == "orthogonal":
        # QR of a Gaussian matrix, sign-corrected so the result is Haar-distributed (Mezzadri 2007);
        # scaled so each row has the same norm as a 1/fan_in-variance Gaussian row would on average.
        a = rng.standard_normal((max(shape), min(shape)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        w = q if shape[0] >= shape[1] else q.T
        w = w[: shape[0], : shape[1]] * math.sqrt(max(1.0, fan_out / fan_in))
    else:  # NORMAL_INITS
        w = rng.standard_normal(shape) * math.sqrt(var)
    return w.astype(dtype, copy=False)
