r"""Toy 2-D classification data for the Training Lab, generated with numpy from a seed (no downloads).

Every data set is a clean shape plus Gaussian noise of standard deviation ``noise`` on each coordinate
(scikit-learn's convention), centred near the origin with coordinates of order 1:

=========  =======  ==========================================================================
name       classes  clean shape
=========  =======  ==========================================================================
moons      2        two interleaved half circles (scikit-learn's ``make_moons``), centred
circles    2        a circle of radius 1 around one of radius 0.5
spiral     2        two interleaved arms r = t, θ = 3.5πt + cπ, t ∈ [0.1, 1] (TensorFlow Playground)
xor        2        uniform on [−1, 1]², label = [x₁x₂ > 0]
blobs      3        Gaussian clusters (σ = 0.3) centred on the unit circle at 90°, 210° and 330°
=========  =======  ==========================================================================

Classes get ``n_samples // K`` points each (the first ``n_samples % K`` classes one more), and the
points are shuffled, so any prefix is a fair sample. The same seed gives the same clean points in the
same order whatever the noise, so moving a noise slider only moves the points.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

N_CLASSES = {"moons": 2, "circles": 2, "spiral": 2, "xor": 2, "blobs": 3}
DATASETS = tuple(N_CLASSES)
MAX_SAMPLES = 1_000_000
MAX_NOISE = 10.0


def n_classes(name: str) -> int:
    """How many classes data set ``name`` has."""
    _check_name(name)
    return N_CLASSES[name]


def make_dataset(name: str, n_samples: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: X of shape (n_samples, 2), float64; y of shape (n_samples,), int64 labels 0…K−1.

    The same (name, n_samples, noise, seed) always gives the same arrays.
    """
    _check_name(name)
    k = N_CLASSES[name]
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise ValueError(f"n_samples must be an integer, got {n_samples!r}")
    if not k <= n_samples <= MAX_SAMPLES:
        raise ValueError(f"n_samples must be between {k} and {MAX_SAMPLES} for {name!r}, got {n_samples}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not math.isfinite(noise):
        raise ValueError(f"noise must be a finite number, got {noise!r}")
    if not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE:g}, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")

    rng = np.random.default_rng(int(seed))
    counts = [n_samples // k + (1 if c < n_samples % k else 0) for c in range(k)]
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    X = _SHAPES[name](y, rng)
    X = X + float(noise) * rng.standard_normal(X.shape)  # drawn even for noise 0: same points, same order
    order = rng.permutation(n_samples)
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order]


def _check_name(name: str) -> None:
    if name not in N_CLASSES:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(DATASETS)}")


def _moons(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Upper moon (cos t, sin t), lower moon (1 − cos t, ½ − sin t), t ~ U[0, π]; shifted by (−½, −¼)."""
    t = rng.uniform(0.0, math.pi, size=y.shape)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    return np.where((y == 0)[:, None], upper, lower) - np.array([0.5, 0.25])


def _circles(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Class 0 on the unit circle, class 1 on the circle of radius ½, angles uniform."""
    t = rng.uniform(0.0, 2 * math.pi, size=y.shape)
    radius = np.where(y == 0, 1.0, 0.5)
    return radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)


def _spiral(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Arm c: r = t, θ = 3.5πt + cπ, with t drawn so points spread evenly along the arm's radius."""
    t = rng.uniform(0.1, 1.0, size=y.shape)
    theta = 3.5 * math.pi * t + math.pi * y
    return t[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)


def _xor(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform in the quadrants where x₁x₂ > 0 (class 1) or x₁x₂ < 0 (class 0)."""
    magnitude = rng.uniform(0.05, 1.0, size=(y.size, 2))
    first_sign = rng.choice([-1.0, 1.0], size=y.shape)
    second_sign = np.where(y == 1, first_sign, -first_sign)
    return magnitude * np.stack([first_sign, second_sign], axis=1)


BLOB_SPREAD = 0.3


def _blobs(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Class c ~ N(centre_c, 0.3²I), centres at angles 90° + 120°·c on the unit circle."""
    angle = math.pi / 2 + 2 * math.pi / 3 * y
    centres = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + rng.normal(0.0, BLOB_SPREAD, size=centres.shape)


_SHAPES = {"moons": _moons, "circles": _circles, "spiral": _spiral, "xor": _xor, "blobs": _blobs}
