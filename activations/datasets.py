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
digits     10       scikit-learn's handwritten digits (UCI): 1,797 images of 8×8 pixels, 64 features
=========  =======  ==========================================================================

``digits`` is real data, shipped inside scikit-learn (no download): pixel values 0…16 scaled to
[−1, 1], the images in a seeded random order, the first ``n_samples`` of them, noise added per pixel.
Its held-out test images are the ``n_test`` at the end of the same order (:func:`make_test_set`), so
they are never among the training images. Uploaded points come from :func:`parse_points_csv`.

Classes get ``n_samples // K`` points each (the first ``n_samples % K`` classes one more), and the
points are shuffled, so any prefix is a fair sample. The same seed gives the same clean points in the
same order whatever the noise, so moving a noise slider only moves the points.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.util
import io
import math
import numbers
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .i18n import N_, translator

N_CLASSES = {"moons": 2, "circles": 2, "spiral": 2, "xor": 2, "blobs": 3}  # the 2-D toy sets
DATASETS = tuple(N_CLASSES)
REAL_CLASSES = {"digits": 10}
N_FEATURES = {"digits": 64}  # every other data set is 2-D
ALL_DATASETS = DATASETS + tuple(REAL_CLASSES)  # what make_dataset makes (uploaded points: CSV)
IMAGE_SHAPE = {"digits": (8, 8)}
DIGITS_COUNT = 1797
MAX_SAMPLES = 1_000_000
MAX_NOISE = 10.0


def n_classes(name: str) -> int:
    """How many classes data set ``name`` has."""
    _check_name(name)
    return {**N_CLASSES, **REAL_CLASSES}[name]


def n_features(name: str) -> int:
    """How many input features data set ``name`` has (2 for the toy sets, 64 for digits)."""
    _check_name(name)
    return N_FEATURES.get(name, 2)


def max_samples(name: str) -> int:
    """The most examples ``name`` can give (its size for real data)."""
    _check_name(name)
    return DIGITS_COUNT if name == "digits" else MAX_SAMPLES


@cache
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits as (images (1797, 64) float64 with values 0…16, labels (1797,) int64), read-only.

    Read straight from the CSV file scikit-learn ships (``sklearn/datasets/data/digits.csv.gz``, what
    ``sklearn.datasets.load_digits`` reads), found without importing scikit-learn (that import takes
    seconds); ``load_digits`` itself if the file is not where it used to be.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("the digits data set needs scikit-learn (pip install scikit-learn)")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",")
        images, labels = table[:, :-1], table[:, -1].astype(np.int64)
    else:  # pragma: no cover - a future scikit-learn layout
        from sklearn.datasets import load_digits as sklearn_digits

        bunch = sklearn_digits()
        images, labels = bunch.data.astype(np.float64), bunch.target.astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def _digits_order(seed: int) -> np.ndarray:
    return np.random.default_rng((int(seed), 7)).permutation(DIGITS_COUNT)


def _digits(rows: np.ndarray, noise: float, seed: int, stream: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_digits()
    x = images[rows] / 8.0 - 1.0  # 0…16 → −1…1
    x = x + float(noise) * np.random.default_rng((int(seed), stream)).standard_normal(x.shape)
    return np.ascontiguousarray(x), labels[rows].copy()


def make_test_set(name: str, n_samples: int, noise: float, seed: int, n_test: int) -> tuple[np.ndarray, np.ndarray]:
    """A held-out set of ``n_test`` examples for a training set ``make_dataset(name, n_samples, noise, seed)``.

    digits: the last ``n_test`` images of the seed's order, never among the first ``n_samples``
    (so n_samples + n_test ≤ 1797); toy data: fresh points of the same distribution from another stream
    of the seed. ``n_test = 0`` gives empty arrays.
    """
    _check_name(name)
    _check_common(name, n_samples, noise, seed)
    if isinstance(n_test, bool) or not isinstance(n_test, numbers.Integral) or n_test < 0:
        raise ValueError(f"n_test must be a non-negative integer, got {n_test!r}")
    if name == "digits":
        if n_samples + n_test > DIGITS_COUNT:
            raise ValueError(f"digits has {DIGITS_COUNT} images: n_samples + n_test must not exceed it")
        return _digits(_digits_order(seed)[DIGITS_COUNT - n_test :], noise, seed, 9)
    if n_test == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    x, y = _toy(name, max(n_test, N_CLASSES[name]), noise, np.random.default_rng((int(seed), 3)))
    return x[:n_test], y[:n_test]


def make_dataset(name: str, n_samples: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: X of shape (n_samples, 2), float64; y of shape (n_samples,), int64 labels 0…K−1.

    The same (name, n_samples, noise, seed) always gives the same arrays.
    """
    _check_name(name)
    _check_common(name, n_samples, noise, seed)
    if name == "digits":
        return _digits(_digits_order(seed)[:n_samples], noise, seed, 8)
    return _toy(name, n_samples, noise, np.random.default_rng(int(seed)))


def _check_common(name: str, n_samples, noise, seed) -> None:
    k = n_classes(name)
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise ValueError(f"n_samples must be an integer, got {n_samples!r}")
    if not k <= n_samples <= max_samples(name):
        raise ValueError(f"n_samples must be between {k} and {max_samples(name)} for {name!r}, got {n_samples}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not math.isfinite(noise):
        raise ValueError(f"noise must be a finite number, got {noise!r}")
    if not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE:g}, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _toy(name: str, n_samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    k = N_CLASSES[name]
    counts = [n_samples // k + (1 if c < n_samples % k else 0) for c in range(k)]
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    X = _SHAPES[name](y, rng)
    X = X + float(noise) * rng.standard_normal(X.shape)  # drawn even for noise 0: same points, same order
    order = rng.permutation(n_samples)
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order]


def _check_name(name: str) -> None:
    if name not in ALL_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(ALL_DATASETS)}")


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


# --- uploaded points --------------------------------------------------------------------------------------

CSV = "csv"  # the data-set name of uploaded points (TrainConfig(dataset=CSV, points=...))
MAX_CSV_BYTES = 2_000_000
MAX_CSV_ROWS = 20_000
MIN_CSV_ROWS = 8
MAX_CSV_CLASSES = 10
MAX_CSV_COORDINATE = 1e6


@dataclass(frozen=True, eq=False)
class Points:
    """Uploaded 2-D points: x (n, 2) float64, y (n,) int64 in 0…K−1, ``classes[k]`` the label text of
    class k; equal (and hashed) by ``digest``, the SHA-256 of the arrays, so configs and caches can key on it."""

    x: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    digest: str

    def __eq__(self, other) -> bool:
        return isinstance(other, Points) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def n_classes(self) -> int:
        return len(self.classes)


_CSV_MESSAGES = {
    "too_big": N_("The file is larger than {limit} kB; upload at most {rows} points."),
    "not_text": N_("The file is not UTF-8 text (is it a spreadsheet? Save it as CSV)."),
    "fields": N_("Line {line}: expected 3 values 'x, y, label', found {count}."),
    "number": N_("Line {line}: '{value}' is not a number."),
    "finite": N_("Line {line}: coordinates must be finite numbers of size at most {limit:g}."),
    "label": N_("Line {line}: the label is empty."),
    "too_many": N_("The file has more than {rows} points."),
    "too_few": N_("The file needs at least {rows} points, found {count}."),
    "classes": N_("The labels name {count} classes; between 2 and {limit} are needed."),
}


def parse_points_csv(data: bytes | str, lang: str = "en") -> tuple[Points | None, str]:
    """Points from CSV text with one point per line, ``x, y, label`` (an optional header line first;
    blank lines and lines starting with # are skipped). Returns ``(points, "")`` or ``(None, message)``
    with one message naming the first bad line; never raises on any input.

    Labels are any text; classes are numbered in numeric order when every label is a number, else in
    order of first appearance. Limits: MAX_CSV_BYTES, MIN_CSV_ROWS…MAX_CSV_ROWS points, 2…MAX_CSV_CLASSES
    classes, finite coordinates of size ≤ MAX_CSV_COORDINATE.
    """
    _ = translator(lang)

    def fail(key: str, **values) -> tuple[None, str]:
        return None, _(_CSV_MESSAGES[key]).format(**values)

    if isinstance(data, str):
        raw = data.encode("utf-8", errors="surrogatepass") if len(data) <= MAX_CSV_BYTES else None
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        return fail("not_text")
    if raw is None or len(raw) > MAX_CSV_BYTES:
        return fail("too_big", limit=MAX_CSV_BYTES // 1000, rows=MAX_CSV_ROWS)
    if b"\x00" in raw:
        return fail("not_text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail("not_text")

    coordinates: list[tuple[float, float]] = []
    labels: list[str] = []
    first = True
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        fields = [f.strip() for f in row]
        if not fields or not any(fields) or fields[0].startswith("#"):
            continue
        if len(fields) != 3:
            return fail("fields", line=number, count=len(fields))
        values = []
        for value in fields[:2]:
            try:
                values.append(float(value))
            except ValueError:
                values = None
                break
        if values is None:
            if first:  # a header line
                first = False
                continue
            bad = next(v for v in fields[:2] if not _is_float(v))
            return fail("number", line=number, value=bad[:40])
        first = False
        if not all(math.isfinite(v) and abs(v) <= MAX_CSV_COORDINATE for v in values):
            return fail("finite", line=number, limit=MAX_CSV_COORDINATE)
        if not fields[2]:
            return fail("label", line=number)
        if len(coordinates) >= MAX_CSV_ROWS:
            return fail("too_many", rows=MAX_CSV_ROWS)
        coordinates.append((values[0], values[1]))
        labels.append(fields[2])
    if len(coordinates) < MIN_CSV_ROWS:
        return fail("too_few", rows=MIN_CSV_ROWS, count=len(coordinates))
    distinct = list(dict.fromkeys(labels))
    if all(_is_float(v) for v in distinct):
        distinct.sort(key=float)
    if not 2 <= len(distinct) <= MAX_CSV_CLASSES:
        return fail("classes", count=len(distinct), limit=MAX_CSV_CLASSES)
    index = {label: k for k, label in enumerate(distinct)}
    x = np.array(coordinates, dtype=np.float64)
    y = np.array([index[label] for label in labels], dtype=np.int64)
    digest = hashlib.sha256(x.tobytes() + y.tobytes() + "\x1f".join(distinct).encode()).hexdigest()
    x.flags.writeable = y.flags.writeable = False
    return Points(x, y, tuple(distinct), digest), ""


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def split_points(points: Points, n_samples: int, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    """(x, y, x_test, y_test): the points in a seeded random order, the first ``n_samples`` for training
    and the last ``n_test`` held out (n_samples + n_test ≤ len(points))."""
    if n_samples + n_test > len(points):
        raise ValueError(f"the upload has {len(points)} points: n_samples + n_test must not exceed it")
    order = np.random.default_rng((int(seed), 5)).permutation(len(points))
    train, test = order[:n_samples], order[len(points) - n_test :]
    return points.x[train].copy(), points.y[train].copy(), points.x[test].copy(), points.y[test].copy()
