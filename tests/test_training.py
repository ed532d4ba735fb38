"""The Training Lab engine: exact gradients, torch.optim's optimisers, determinism, the presets' claims,
divergence, bad configs, and the figures built from a run."""

import dataclasses
import math

import numpy as np
import pytest

import activations
from activations import datasets
from activations.figures.training import (
    HEATMAP_DECADES,
    ZERO_COLOUR,
    alpha_figure,
    dataset_figure,
    dead_fraction_figure,
    decision_boundary_figure,
    grad_norm_heatmap,
    heatmap_colour_range,
    loss_accuracy_figure,
    prediction_is_constant,
    run_label,
    run_summary,
)
from activations.training import (
    PRESET_INFO,
    PRESETS,
    Network,
    Optimizer,
    TrainConfig,
    chunked_forward_backward,
    decision_surface,
    evaluate,
    forward_backward,
    init_network,
    iter_training,
    load_data,
    minibatches,
    train,
)

SMALL = TrainConfig(n_samples=200, depth=2, width=8, batch_size=32, steps=40, record_every=10)


def perturbed_network(cfg, seed=0):
    """The initial network with random biases (and α), so that no pre-activation sits exactly on a kink."""
    net = init_network(cfg, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    for b in [*net.biases, net.readout_bias]:
        b += rng.normal(0, 0.3, size=b.shape)
    if net.alpha is not None:
        net.alpha += rng.normal(0, 0.1, size=net.alpha.shape)
    return net


def numerical_gradient(net, x, y, act, params, eps=1e-6):
    grads = []
    for array in net.arrays():
        g = np.zeros_like(array)
        for j in range(array.size):
            old = array.flat[j]
            array.flat[j] = old + eps
            plus = forward_backward(net, x, y, act, params).loss
            array.flat[j] = old - eps
            minus = forward_backward(net, x, y, act, params).loss
            array.flat[j] = old
            g.flat[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize(
    ("activation", "params", "dataset"),
    [
        ("relu", None, "moons"),
        ("leaky_relu", {"alpha": 0.1}, "moons"),
        ("prelu", {"alpha": 0.3}, "moons"),
        ("sigmoid", None, "moons"),
        ("tanh", None, "blobs"),
        ("elu", {"alpha": 1.2}, "blobs"),
        ("gelu", None, "xor"),
    ],
)
def test_backward_pass_matches_finite_differences(activation, params, dataset):
    cfg = TrainConfig(
        dataset=dataset, n_samples=24, batch_size=24, activation=activation, params=params, depth=3, width=5
    )
    x, y = datasets.make_dataset(dataset, 24, 0.1, 0)
    net = perturbed_network(cfg)
    exact = forward_backward(net, x, y, cfg.act, cfg.params)
    numeric = numerical_gradient(net, x, y, cfg.act, cfg.params)
    assert len(exact.grads) == len(numeric) == 2 * 3 + 2 + (activation == "prelu")
    for g, n in zip(exact.grads, numeric, strict=True):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-8)


def test_loss_is_the_mean_cross_entropy():
    cfg = dataclasses.replace(SMALL, dataset="blobs")
    x, y = datasets.make_dataset("blobs", 30, 0.1, 0)
    net = perturbed_network(cfg)
    result = forward_backward(net, x, y, cfg.act, cfg.params)
    logits = result.logits
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert result.loss == pytest.approx(-np.mean(np.log(p[np.arange(30), y])), rel=1e-12)


def test_chunked_pass_equals_one_pass():
    cfg = dataclasses.replace(SMALL, activation="prelu")
    x, y = datasets.make_dataset("moons", 700, 0.1, 0)
    net = perturbed_network(cfg)
    whole = forward_backward(net, x, y, cfg.act, cfg.params)
    chunked = chunked_forward_backward(net, x, y, cfg.act, cfg.params, chunk=256)
    assert chunked.loss == pytest.approx(whole.loss, rel=1e-12)
    for a, b in zip(chunked.grads, whole.grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-15)
    assert chunked.correct == np.sum(np.argmax(whole.logits, axis=1) == y)


def test_dead_units_are_counted_exactly():
    cfg = dataclasses.replace(SMALL, depth=2, width=10)
    x, y = datasets.make_dataset("moons", 200, 0.1, 0)
    net = init_network(cfg, np.random.default_rng(0))
    net.biases[0][:] = 1e3  # every first-layer unit on for every input
    net.biases[0][:3] = -1e3  # except three, off for every input: dead
    net.weights[1][:] = 0.0  # layer 2 sees only its biases
    net.biases[1][:] = 1.0
    net.biases[1][7:] = -1.0  # three dead in layer 2
    full = evaluate(net, x, y, cfg.act, cfg.params)
    np.testing.assert_allclose(full.dead_fraction, [0.3, 0.3])
    # A ReLU unit that is on for a single example is alive.
    net.biases[0][0] = -1e3
    net.weights[0][0] = [1.0, 0.0]
    net.biases[0][0] = -(x[:, 0].max() - 1e-3)
    full = evaluate(net, x, y, cfg.act, cfg.params)
    assert full.dead_fraction[0] == pytest.approx(0.2)


def test_leaky_units_are_never_dead():
    cfg = dataclasses.replace(SMALL, activation="leaky_relu")
    x, y = datasets.make_dataset("moons", 200, 0.1, 0)
    net = init_network(cfg, np.random.default_rng(0))
    net.biases[0][:] = -1e3
    assert np.all(evaluate(net, x, y, cfg.act, cfg.params).dead_fraction == 0)


# --- optimisers ----------------------------------------------------------------------------------------


def least_squares(seed=0):
    """f(w) = ½‖Aw − b‖²/m, a convex problem whose minimiser is the least-squares solution."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(40, 5))
    b = rng.normal(size=40)
    w_star = np.linalg.lstsq(a, b, rcond=None)[0]
    return a, b, w_star


@pytest.mark.parametrize(("name", "lr", "steps"), [("sgd", 0.5, 400), ("momentum", 0.05, 400), ("adam", 0.05, 3000)])
def test_optimisers_find_the_least_squares_minimiser(name, lr, steps):
    a, b, w_star = least_squares()
    w = [np.zeros(5)]
    opt = Optimizer(name, lr)
    for _ in range(steps):
        grad = a.T @ (a @ w[0] - b) / len(b)
        w = opt.updated(w, [grad])
    np.testing.assert_allclose(w[0], w_star, atol=1e-6)


def test_optimiser_first_steps_follow_the_textbook_formulas():
    g1, g2 = np.array([0.5, -2.0]), np.array([1.0, 1.0])
    p0 = [np.array([1.0, 1.0])]
    sgd = Optimizer("sgd", 0.1)
    np.testing.assert_allclose(sgd.updated(p0, [g1])[0], [0.95, 1.2])
    mom = Optimizer("momentum", 0.1, momentum=0.9)
    p1 = mom.updated(p0, [g1])  # v = g1
    p2 = mom.updated(p1, [g2])  # v = 0.9 g1 + g2
    np.testing.assert_allclose(p2[0], p0[0] - 0.1 * g1 - 0.1 * (0.9 * g1 + g2))
    adam = Optimizer("adam", 0.1)
    # Bias-corrected first step: m̂ = g, v̂ = g², so every parameter moves by lr·g/(|g| + ε) ≈ ±lr.
    np.testing.assert_allclose(adam.updated(p0, [g1])[0], [0.9, 1.1], atol=1e-7)


def test_torch_optim_gives_the_same_trajectory():
    pytest.importorskip("torch")
    from benchmarks.bench_training import torch_train

    for cfg in (
        dataclasses.replace(SMALL, optimizer="sgd", lr=0.3),
        dataclasses.replace(SMALL, optimizer="momentum", lr=0.05),
        dataclasses.replace(SMALL, optimizer="adam", lr=0.01, activation="prelu"),
        dataclasses.replace(PRESETS["vanishing_sigmoid"], steps=60),
    ):
        ours, theirs = train(cfg), torch_train(cfg)
        np.testing.assert_allclose(ours.loss, theirs["loss"], rtol=1e-10)
        np.testing.assert_allclose(ours.accuracy, theirs["accuracy"])
        np.testing.assert_allclose(ours.dead_fraction, theirs["dead_fraction"])
        np.testing.assert_allclose(ours.grad_norm, theirs["grad_norm"], rtol=1e-8)
        for w, tw in zip(ours.weights, theirs["weights"], strict=True):
            np.testing.assert_allclose(w, tw, rtol=1e-9, atol=1e-12)
        if ours.alpha is not None:
            np.testing.assert_allclose(ours.alpha, theirs["alpha"], rtol=1e-9)


def test_minibatches_cover_each_epoch_without_repeats():
    batches = minibatches(10, 3, np.random.default_rng(0))
    epoch = np.concatenate([next(batches) for _ in range(3)])
    assert len(set(epoch.tolist())) == 9  # 3 batches of 3 from 10: one example left out, none twice


# --- runs --------------------------------------------------------------------------------------------


def test_same_seed_same_run_other_seed_other_run():
    a, b = train(SMALL), train(SMALL)
    c = train(dataclasses.replace(SMALL, seed=1))
    np.testing.assert_array_equal(a.loss, b.loss)
    for w, v in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(w, v)
    assert not np.array_equal(a.loss, c.loss)


def test_history_layout():
    cfg = dataclasses.replace(SMALL, steps=45, record_every=10, activation="prelu")
    r = train(cfg)
    np.testing.assert_array_equal(r.steps, [0, 10, 20, 30, 40, 45])
    assert r.loss.shape == r.accuracy.shape == (6,)
    assert r.dead_fraction.shape == r.grad_norm.shape == r.alpha.shape == (6, 2)
    assert [w.shape for w in r.weights] == [(8, 2), (8, 8)]
    assert [b.shape for b in r.biases] == [(8,), (8,)]
    assert r.readout_weight.shape == (2, 8)
    assert r.finished and not r.diverged and not r.stopped
    assert cfg.n_records == 6


def test_callback_streams_snapshots_and_can_stop():
    seen = []

    def callback(step, snapshot):
        seen.append((step, len(snapshot.steps), snapshot.weights[0].copy()))
        return step >= 20

    r = train(SMALL, callback)
    assert [s for s, _, _ in seen] == [0, 10, 20]
    assert [n for _, n, _ in seen] == [1, 2, 3]
    assert not np.array_equal(seen[0][2], seen[-1][2])  # copies, not views of the live weights
    assert r.stopped and r.steps[-1] == 20 and "20" in r.message


def test_activation_object_is_accepted():
    by_name = train(dataclasses.replace(SMALL, activation="tanh"))
    by_object = train(dataclasses.replace(SMALL, activation=activations.get("tanh")))
    np.testing.assert_array_equal(by_name.loss, by_object.loss)


def test_diverging_run_stops_cleanly():
    cfg = TrainConfig(activation="identity", optimizer="sgd", lr=500.0, n_samples=200, steps=200, record_every=5)
    r = train(cfg)
    assert r.diverged and not r.finished
    assert 0 < r.diverged_at <= 200 and "diverged" in r.message and "learning rate" in r.message
    assert np.all(np.isfinite(r.loss)) and all(np.all(np.isfinite(w)) for w in r.weights)
    assert r.steps[-1] < r.diverged_at


def test_iter_training_ends_with_the_diverged_snapshot():
    cfg = TrainConfig(activation="identity", optimizer="sgd", lr=500.0, n_samples=200, steps=200, record_every=5)
    snapshots = list(iter_training(cfg))
    assert snapshots[-1].diverged and not any(s.diverged for s in snapshots[:-1])


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"dataset": "rings"}, "unknown dataset"),
        ({"activation": "nope"}, "unknown activation"),
        ({"params": {"beta": 1.0}}, "no parameter"),
        ({"activation": "elu", "params": {"alpha": float("nan")}}, "finite"),
        ({"depth": 0}, "depth"),
        ({"width": 0}, "width"),
        ({"depth": 2.5}, "integer"),
        ({"lr": 0.0}, "lr"),
        ({"lr": -1.0}, "lr"),
        ({"lr": float("inf")}, "lr"),
        ({"optimizer": "rmsprop"}, "unknown optimizer"),
        ({"init": "zeros"}, "unknown init"),
        ({"init": "scaled_normal"}, "sigma_w"),
        ({"batch_size": 2000}, "batch_size"),
        ({"steps": 0}, "steps"),
        ({"seed": -1}, "seed"),
        ({"momentum": 1.0}, "momentum"),
        ({"noise": -0.5}, "noise"),
        ({"record_every": 0}, "record_every"),
        ({"n_samples": True}, "integer"),
    ],
)
def test_bad_configs_raise_clear_value_errors(change, fragment):
    with pytest.raises(ValueError, match=fragment):
        dataclasses.replace(SMALL, **change)


def test_config_fills_parameters_and_is_hashable():
    assert TrainConfig(activation="prelu").params == {"alpha": 0.25}
    assert TrainConfig(activation="relu").params == {}
    a, b = TrainConfig(activation="prelu", params={"alpha": 0.25}), TrainConfig(activation="prelu")
    assert a == b and hash(a) == hash(b) and a.key() == b.key()
    assert len({a, dataclasses.replace(a, lr=0.2)}) == 2
    assert TrainConfig(activation="prelu").learns_alpha and not TrainConfig(activation="leaky_relu").learns_alpha


def test_train_refuses_anything_but_a_config():
    with pytest.raises(ValueError, match="TrainConfig"):
        train({"dataset": "moons"})


def test_decision_surface_is_a_probability_grid():
    r = train(dataclasses.replace(SMALL, dataset="blobs"))
    x, _ = datasets.make_dataset("blobs", 200, 0.1, 0)
    gx, gy, proba = decision_surface(r, x, resolution=30)
    assert gx.shape == gy.shape == (30,) and proba.shape == (30, 30, 3)
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0)
    assert gx[0] < x[:, 0].min() and gx[-1] > x[:, 0].max()


def test_network_round_trips_through_its_arrays():
    cfg = dataclasses.replace(SMALL, activation="prelu")
    net = init_network(cfg, np.random.default_rng(0))
    again = Network.from_arrays(net.arrays(), cfg.depth, True)
    for a, b in zip(net.arrays(), again.arrays(), strict=True):
        assert a is b


def test_cost_grows_with_the_work():
    assert SMALL.cost() > 0
    per_example = 3 * (2 * 8 + 8 * 8 + 8 * 2)  # three products per layer: 2→8, 8→8, 8→2
    assert SMALL.record_cost() == per_example * 200
    assert SMALL.cost() == per_example * (40 * 32 + SMALL.n_records * 200)
    assert dataclasses.replace(SMALL, steps=80).cost() > SMALL.cost()
    assert dataclasses.replace(SMALL, width=64).cost() > SMALL.cost()


# --- the presets' claims (each with its own seed, on the full training set) ---------------------------


def test_presets_are_the_documented_set():
    assert set(PRESETS) >= {"dying_relu", "healthy_relu", "vanishing_sigmoid", "prelu_learns_alpha"}
    assert set(PRESET_INFO) == set(PRESETS)


def test_dying_relu_preset_kills_relu_and_leaky_relu_survives():
    cfg = PRESETS["dying_relu"]
    relu = train(cfg)
    leaky = train(dataclasses.replace(cfg, activation="leaky_relu", params={"alpha": 0.01}))
    assert cfg.activation == "relu" and not relu.diverged and not leaky.diverged
    assert relu.overall_dead_fraction() >= 0.40
    assert leaky.accuracy[-1] >= 0.85
    assert leaky.accuracy[-1] - relu.accuracy[-1] >= 0.20


def test_healthy_relu_preset_is_the_same_network_at_a_sane_learning_rate():
    cfg, dying = PRESETS["healthy_relu"], PRESETS["dying_relu"]
    assert dataclasses.replace(cfg, lr=dying.lr) == dying and cfg.lr < dying.lr / 100
    r = train(cfg)
    assert cfg.dataset == "moons" and cfg.activation == "relu"
    assert r.accuracy[-1] >= 0.95
    assert r.overall_dead_fraction() < 0.10


def test_vanishing_sigmoid_preset_first_layer_gradient_orders_below_the_last():
    cfg = PRESETS["vanishing_sigmoid"]
    r = train(cfg)
    assert cfg.activation == "sigmoid" and cfg.depth >= 8
    ratio = r.grad_norm[:, 0] / r.grad_norm[:, -1]
    assert np.all(ratio < 1e-2), ratio.max()  # at least two orders of magnitude at every record
    assert np.median(ratio) < 1e-4


def test_prelu_preset_learns_alpha():
    cfg = PRESETS["prelu_learns_alpha"]
    r = train(cfg)
    assert cfg.activation == "prelu"
    np.testing.assert_allclose(r.alpha[0], cfg.params["alpha"])
    assert np.max(np.abs(r.final_alpha - cfg.params["alpha"])) >= 0.1
    np.testing.assert_array_equal(r.alpha[-1], r.final_alpha)


# --- figures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_runs():
    cfg = dataclasses.replace(SMALL, activation="prelu", steps=60)
    return [train(cfg), train(dataclasses.replace(cfg, activation="relu", params=None))]


def test_loss_figure_plots_the_recorded_history(two_runs):
    fig = loss_accuracy_figure(two_runs)
    loss = [t for t in fig.data if t.xaxis == "x"]
    acc = [t for t in fig.data if t.xaxis == "x2"]
    for trace, r in zip(loss, two_runs, strict=True):
        np.testing.assert_array_equal(trace.y, r.loss)
        np.testing.assert_array_equal(trace.x, r.steps)
    np.testing.assert_array_equal(acc[1].y, two_runs[1].accuracy)
    assert fig.layout.yaxis.type == "log"
    assert list(fig.layout.xaxis.range) == [0, 60]


def test_gradient_heatmap_is_log10_of_the_norms(two_runs):
    fig = grad_norm_heatmap(two_runs)
    heat = fig.data[1]
    np.testing.assert_allclose(heat.z, np.log10(two_runs[1].grad_norm.T))
    np.testing.assert_allclose(heat.customdata, two_runs[1].grad_norm.T)


@pytest.fixture(scope="module")
def dying_pair():
    """The dying-ReLU preset beside Leaky ReLU, as the page opens it: ReLU's gradient falls through 10⁻⁵⁸
    to exactly 0 and its prediction becomes ½ everywhere."""
    cfg = PRESETS["dying_relu"]
    return [train(cfg), train(dataclasses.replace(cfg, activation="leaky_relu", params={"alpha": 0.01}))]


def test_heatmap_colour_range_spans_at_most_its_decades():
    assert heatmap_colour_range([np.array([[-1.3, -0.2]]), np.array([[np.nan, 0.4]])]) == (-2, 1, False)
    assert heatmap_colour_range([np.array([-58.2, -2.0, 0.5])], decades=8) == (-7, 1, True)
    assert heatmap_colour_range([np.array([0.5, 0.6])]) == (0, 1, False)  # at least one decade
    assert heatmap_colour_range([np.array([np.nan])]) == (-3, 0, False)


def test_gradient_heatmap_shows_exact_zeros_apart_and_clips_the_tiny(dying_pair):
    relu = dying_pair[0]
    assert (relu.grad_norm == 0).any() and relu.grad_norm[relu.grad_norm > 0].min() < 1e-30  # the preset's point
    fig = grad_norm_heatmap(dying_pair)
    main = [t for t in fig.data if t.colorscale[0][1] != ZERO_COLOUR]
    zeros = [t for t in fig.data if t.colorscale[0][1] == ZERO_COLOUR]
    assert len(main) == 2 and len(zeros) == 1  # only ReLU has exact zeros
    np.testing.assert_array_equal(np.isfinite(np.asarray(zeros[0].z, float)), (relu.grad_norm == 0).T)
    lo, hi = main[0].zmin, main[0].zmax
    assert hi - lo <= HEATMAP_DECADES and lo > -20
    z = np.asarray(main[0].z, float)
    positive = (relu.grad_norm > 0).T
    np.testing.assert_allclose(z[positive], np.clip(np.log10(relu.grad_norm.T[positive]), lo, hi))
    assert main[1].colorbar.ticktext[0].startswith("≤")  # the darkest colour stands for "this or less"
    assert main[1].colorbar.title.side == "top"
    assert any("exactly 0" in a.text for a in fig.layout.annotations)


def test_decision_boundary_of_a_dead_network_says_so_on_the_same_axes(dying_pair):
    x, y, _xt, _yt = load_data(dying_pair[0].config)
    fig = decision_boundary_figure(dying_pair, x, y, resolution=30)
    said = [a.text for a in fig.layout.annotations if "same prediction" in a.text]
    assert len(said) == 1 and "0.50" in said[0]  # the dead ReLU only; Leaky ReLU learned the moons
    assert said == [a.text for a in fig.layout.annotations if a.xref == "x domain"]
    assert fig.layout.xaxis.range == fig.layout.xaxis2.range and fig.layout.yaxis.range == fig.layout.yaxis2.range
    gx, gy, proba = decision_surface(dying_pair[0], x, resolution=30)
    assert prediction_is_constant(proba) and not prediction_is_constant(decision_surface(dying_pair[1], x, 30)[2])
    assert list(fig.layout.xaxis.range) == [gx[0], gx[-1]] and list(fig.layout.yaxis.range) == [gy[0], gy[-1]]


def test_loss_axis_is_labelled_with_values_not_minor_digits(dying_pair):
    axis = loss_accuracy_figure(dying_pair).layout.yaxis
    losses = np.concatenate([r.loss for r in dying_pair])
    assert axis.tickvals and all(math.log10(v).is_integer() for v in axis.tickvals)
    assert min(axis.tickvals) <= losses.min() * 10 and max(axis.tickvals) >= losses.max() / 10


def test_dead_and_alpha_figures(two_runs):
    dead = dead_fraction_figure(two_runs)
    relu_layer2 = [t for t in dead.data if t.xaxis == "x2"][1]
    np.testing.assert_array_equal(relu_layer2.y, two_runs[1].dead_fraction[:, 1])
    alpha = alpha_figure(two_runs)
    assert len(alpha.data) == 2  # one line per layer, for the PReLU run only
    np.testing.assert_array_equal(alpha.data[0].y, two_runs[0].alpha[:, 0])


def test_decision_boundary_figure_shows_the_model_and_the_data(two_runs):
    x, y = datasets.make_dataset("moons", 200, 0.1, 0)
    fig = decision_boundary_figure(two_runs[:1], x, y, resolution=20)
    heat = fig.data[0]
    _, _, proba = decision_surface(two_runs[0], x, resolution=20)
    np.testing.assert_allclose(heat.z, proba[..., 1])
    points = sum(len(t.x) for t in fig.data[1:])
    assert points == 200


def test_dataset_figure_shows_every_point_by_class():
    x, y = datasets.make_dataset("blobs", 300, 0.1, 0)
    fig = dataset_figure(x, y)
    assert [len(t.x) for t in fig.data] == np.bincount(y).tolist()
    np.testing.assert_array_equal(fig.data[2].x, x[y == 2, 0])


def test_run_summary_reports_the_numbers():
    r = train(PRESETS["dying_relu"])
    text = run_summary(r)
    assert run_label(r) == "ReLU"
    assert f"{r.accuracy[-1]:.0%}" in text and f"{r.overall_dead_fraction():.0%} of hidden units dead" in text
    prelu = train(dataclasses.replace(SMALL, activation="prelu"))
    assert f"{prelu.final_alpha[0]:.3f}" in run_summary(prelu)
    assert run_label(prelu) == "PReLU (α=0.25)"


def test_figures_translate(two_runs):
    fig = loss_accuracy_figure(two_runs, lang="zh")
    assert fig.layout.title.text  # built without error; the catalog decides the words
    assert math.isfinite(two_runs[0].loss[-1])
