"""Toy data sets: shapes, balance, determinism, and the clean shapes they are drawn from (noise = 0)."""

import numpy as np
import pytest

from activations.datasets import DATASETS, N_CLASSES, make_dataset, n_classes


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_labels_and_balance(name):
    x, y = make_dataset(name, 301, 0.1, 3)
    assert x.shape == (301, 2) and x.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    k = n_classes(name)
    counts = np.bincount(y, minlength=k)
    assert counts.sum() == 301 and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(x))
    assert np.all(np.abs(x) < 3)  # centred near the origin, coordinates of order 1


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_data_other_seed_other_data(name):
    a, ya = make_dataset(name, 200, 0.1, 7)
    b, yb = make_dataset(name, 200, 0.1, 7)
    c, _ = make_dataset(name, 200, 0.1, 8)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("name", DATASETS)
def test_points_are_shuffled(name):
    _, y = make_dataset(name, 400, 0.1, 0)
    assert len(set(y[:40].tolist())) == n_classes(name)


def test_clean_moons_lie_on_their_half_circles():
    x, y = make_dataset("moons", 500, 0.0, 1)
    upper, lower = x[y == 0] + [0.5, 0.25], x[y == 1] + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_clean_circles_have_radius_one_and_one_half():
    x, y = make_dataset("circles", 500, 0.0, 1)
    r = np.hypot(*x.T)
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(r[y == 1], 0.5, atol=1e-12)


def test_clean_spiral_arms_are_half_a_turn_apart():
    x, y = make_dataset("spiral", 400, 0.0, 2)
    r = np.hypot(*x.T)
    theta = np.arctan2(x[:, 1], x[:, 0])
    expected = 3.5 * np.pi * r + np.pi * y  # θ = 3.5πt + cπ with r = t
    np.testing.assert_allclose(np.cos(theta), np.cos(expected), atol=1e-9)
    np.testing.assert_allclose(np.sin(theta), np.sin(expected), atol=1e-9)


def test_clean_xor_label_is_the_sign_of_the_product():
    x, y = make_dataset("xor", 400, 0.0, 0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))


def test_blobs_sit_around_their_centres():
    x, y = make_dataset("blobs", 3000, 0.0, 0)
    for k in range(3):
        angle = np.pi / 2 + 2 * np.pi / 3 * k
        np.testing.assert_allclose(x[y == k].mean(axis=0), [np.cos(angle), np.sin(angle)], atol=0.05)
        np.testing.assert_allclose(x[y == k].std(axis=0), 0.3, atol=0.03)


def test_noise_is_gaussian_with_the_given_sigma():
    clean, _ = make_dataset("circles", 4000, 0.0, 5)
    noisy, _ = make_dataset("circles", 4000, 0.2, 5)
    # Same seed: the same clean points (drawn first) plus N(0, σ²) noise on each coordinate.
    np.testing.assert_allclose(np.std(noisy - clean), 0.2, rtol=0.05)


def test_class_counts_table():
    assert N_CLASSES == {"moons": 2, "circles": 2, "spiral": 2, "xor": 2, "blobs": 3}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("rings", 100, 0.1, 0), "unknown dataset"),
        (("moons", 1, 0.1, 0), "n_samples"),
        (("moons", 10**7, 0.1, 0), "n_samples"),
        (("moons", 10.5, 0.1, 0), "integer"),
        (("moons", 100, -0.1, 0), "noise"),
        (("moons", 100, float("nan"), 0), "noise"),
        (("moons", 100, 0.1, -1), "seed"),
        (("moons", 100, 0.1, 1.5), "seed"),
    ],
)
def test_bad_arguments_raise_clear_value_errors(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        make_dataset(*args)
