"""Real data (scikit-learn's digits) with a held-out test set, and uploaded CSV points: the parser never
crashes and names the bad line; the Training Lab trains on both."""

from __future__ import annotations

import numpy as np
import pytest

from activations import datasets
from activations.datasets import make_dataset, make_test_set, n_classes, n_features, parse_points_csv
from activations.figures.training import digits_figure, loss_accuracy_figure
from activations.training import TrainConfig, load_data, train


def test_digits_are_scikit_learns_scaled_to_plus_minus_one():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    images, labels = datasets.load_digits()
    np.testing.assert_array_equal(images, bunch.data)
    np.testing.assert_array_equal(labels, bunch.target)
    assert n_classes("digits") == 10 and n_features("digits") == 64
    x, y = make_dataset("digits", 300, 0.0, 4)
    assert x.shape == (300, 64) and x.min() == -1.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    # every row is one of scikit-learn's images, with its label
    rows = {tuple(img): label for img, label in zip(bunch.data / 8 - 1, bunch.target, strict=True)}
    assert all(rows[tuple(img)] == label for img, label in zip(x, y, strict=True))


def test_digits_test_set_is_disjoint_from_the_training_images_and_seeded():
    x, _ = make_dataset("digits", 1500, 0.0, 1)
    x_test, y_test = make_test_set("digits", 1500, 0.0, 1, 297)
    assert x_test.shape == (297, 64) and len(y_test) == 297
    train_rows = {row.tobytes() for row in x}
    # the raw data set has a few duplicate images; held-out rows are different positions, almost all new
    assert sum(row.tobytes() in train_rows for row in x_test) <= 3
    again, _ = make_test_set("digits", 1500, 0.0, 1, 297)
    np.testing.assert_array_equal(x_test, again)
    with pytest.raises(ValueError, match="1797"):
        make_test_set("digits", 1500, 0.0, 1, 298)
    with pytest.raises(ValueError, match="n_samples"):
        make_dataset("digits", 1798, 0.0, 1)
    noisy, _ = make_dataset("digits", 1500, 0.5, 1)
    assert 0.45 < np.std(noisy - x) < 0.55


def test_toy_test_sets_are_fresh_points_of_the_same_shape():
    x, _ = make_dataset("moons", 200, 0.1, 2)
    x_test, y_test = make_test_set("moons", 200, 0.1, 2, 50)
    assert x_test.shape == (50, 2) and set(y_test) == {0, 1}
    assert not np.any(np.all(np.isin(x_test, x), axis=1))
    empty_x, empty_y = make_test_set("moons", 200, 0.1, 2, 0)
    assert empty_x.shape == (0, 2) and empty_y.shape == (0,)


def test_training_on_digits_reports_held_out_accuracy_beside_training_accuracy():
    cfg = TrainConfig(
        dataset="digits", n_samples=600, test_size=200, depth=1, width=32, optimizer="adam", lr=0.01,
        batch_size=100, steps=60, record_every=30,
    )  # fmt: skip
    result = train(cfg)
    assert cfg.layer_sizes == [64, 32, 10]
    assert result.test_accuracy.shape == result.accuracy.shape
    assert result.test_accuracy[0] < 0.3 < 0.8 < result.test_accuracy[-1] <= result.accuracy[-1] + 0.1
    # the recorded value is the share of held-out images the final network gets right
    _, _, x_test, y_test = load_data(cfg)
    predicted = np.argmax(result.predict_proba(x_test), axis=1)
    assert result.test_accuracy[-1] == pytest.approx(np.mean(predicted == y_test))
    fig = loss_accuracy_figure([result])
    dotted = [t for t in fig.data if t.line.dash == "dot"]
    np.testing.assert_allclose(dotted[0].y, result.test_accuracy)
    # without a test set: NaN, and no dotted line
    plain = train(TrainConfig(n_samples=64, batch_size=32, steps=2, record_every=1))
    assert np.all(np.isnan(plain.test_accuracy))
    assert not [t for t in loss_accuracy_figure([plain]).data if t.line.dash == "dot"]

    grid = digits_figure(result, x_test, y_test, count=16)
    (heatmap,) = grid.data
    mosaic = np.asarray(heatmap.z, dtype=float)
    np.testing.assert_allclose(mosaic[0:8, 0:8], np.round(x_test[0].reshape(8, 8), 3))
    texts = [a.text for a in grid.layout.annotations]
    assert len(texts) == 16
    for text, guess, truth in zip(texts, predicted[:16], y_test[:16], strict=True):
        assert text == (str(guess) if guess == truth else f"{guess} (is {truth})")
    assert f"{int(np.sum(predicted[:16] == y_test[:16]))} right" in grid.layout.title.text


def test_digits_config_refuses_more_images_than_there_are():
    with pytest.raises(ValueError, match="1797"):
        TrainConfig(dataset="digits", n_samples=1700, test_size=200)
    with pytest.raises(ValueError, match="test_size"):
        TrainConfig(test_size=-1)


# --- CSV upload ------------------------------------------------------------------------------------------

GOOD = "x,y,label\n" + "".join(f"{i * 0.1:.1f}, {(-1) ** i * 0.5}, {'ab'[i % 2]}\n" for i in range(10))


def test_csv_parses_points_labels_and_a_header():
    points, message = parse_points_csv(GOOD.encode())
    assert message == ""
    assert points.x.shape == (10, 2) and points.classes == ("a", "b")
    np.testing.assert_allclose(points.x[:, 0], np.arange(10) * 0.1)
    np.testing.assert_array_equal(points.y, np.arange(10) % 2)
    same, _ = parse_points_csv(GOOD)  # text works as bytes do
    assert same == points and hash(same) == hash(points)
    numeric, _ = parse_points_csv("# comment\n\n" + "".join(f"{i},{i},{(i % 3) * 10}\n" for i in range(9)))
    assert numeric.classes == ("0", "10", "20") and list(numeric.y[:3]) == [0, 1, 2]  # numeric labels sort
    bom, _ = parse_points_csv(b"\xef\xbb\xbf" + GOOD.encode())
    assert bom == points


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (GOOD + "1.0,2.0\n", "Line 12: expected 3 values"),
        (GOOD + "1.0,abc,a\n", "Line 12: 'abc' is not a number"),
        (GOOD.replace("0.3,", "nan,"), "Line 5: coordinates must be finite"),
        (GOOD + "1e300,0,a\n", "Line 12: coordinates must be finite"),
        (GOOD + "1,1, \n", "Line 12: the label is empty"),
        ("x,y,label\n1,2,a\n", "at least 8 points, found 1"),
        ("".join(f"{i},{i},a\n" for i in range(10)), "1 classes"),
        ("".join(f"{i},{i},{i}\n" for i in range(12)), "12 classes"),
        (b"\xff\xfe\x00x\x00", "not UTF-8 text"),
        (b"PK\x03\x04\x14\x00\x00\x00binary", "not UTF-8 text"),
        (b"1,2,a\n" * 400_000, "larger than 2000 kB"),
        ("".join(f"{i},{i},{i % 2}\n" for i in range(20_001)), "more than 20000 points"),
        (12345, "not UTF-8 text"),
        ("", "found 0"),
        ('"1,2",3,a\n' * 10, "is not a number"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 and "\n" not in value else "",
)
def test_bad_csv_gets_one_clear_message(data, fragment):
    points, message = parse_points_csv(data)
    assert points is None and fragment in message


def test_csv_garbage_never_raises():
    rng = np.random.default_rng(0)
    for _ in range(200):
        blob = rng.integers(0, 256, rng.integers(0, 300), dtype=np.uint8).tobytes()
        points, message = parse_points_csv(blob)
        assert (points is None) == bool(message)
    for text in (",,,\n" * 20, "\r\n\r\n", "x,y,label", '"""', "1,2,3,4,5\n", "\u2028" * 5, "1;2;a\n" * 10):
        points, message = parse_points_csv(text)
        assert points is None and message


def test_csv_messages_in_chinese():
    _, message = parse_points_csv(GOOD + "1.0,abc,a\n", lang="zh_Hans")
    assert "第 12 行" in message


def test_training_on_uploaded_points_splits_them_by_seed():
    lines = "".join(f"{x:.3f},{y:.3f},{int(x * y > 0)}\n" for x, y in np.random.default_rng(1).uniform(-1, 1, (80, 2)))
    points, _ = parse_points_csv(lines)
    cfg = TrainConfig(dataset="csv", points=points, n_samples=60, test_size=20, batch_size=30, steps=4, record_every=2)
    x, _, x_test, _ = load_data(cfg)
    assert x.shape == (60, 2) and x_test.shape == (20, 2)
    assert sorted(map(tuple, np.vstack([x, x_test]))) == sorted(map(tuple, points.x))  # a partition
    result = train(cfg)
    assert result.finished and np.all(np.isfinite(result.test_accuracy))
    assert cfg.key() == TrainConfig(dataset="csv", points=parse_points_csv(lines)[0], **_sizes(cfg)).key()
    with pytest.raises(ValueError, match="needs the uploaded points"):
        TrainConfig(dataset="csv")
    with pytest.raises(ValueError, match="has 80 examples"):
        TrainConfig(dataset="csv", points=points, n_samples=70, test_size=20, batch_size=30)
    with pytest.raises(ValueError, match="points are for dataset 'csv'"):
        TrainConfig(points=points)


def _sizes(cfg: TrainConfig) -> dict:
    return dict(n_samples=cfg.n_samples, test_size=cfg.test_size, batch_size=cfg.batch_size, steps=4, record_every=2)
