"""The gradient-flow engine: exact gradients (finite differences, torch autograd), initialisation,
dead and saturated units on hand-made networks, the renormalised backward pass, bad configurations."""

from __future__ import annotations

import itertools
import math
import threading
from unittest import mock

import numpy as np
import pytest

import activations
from activations.init import INITS, NORMAL_INITS, init_weight
from activations.network import (
    MAX_ACTIVATION_FLOATS,
    MAX_WEIGHT_FLOATS,
    PERCENTILE_SAMPLE,
    PERCENTILES,
    PRESETS,
    clear_weight_cache,
    fit_size,
    forward_backward,
    layer_weight,
    layer_weights,
    max_abs_derivative,
    measure,
    power_of_ten,
    simulate,
    summarise,
)
from activations.registry import Activation

SIZES = (4, 5, 3, 2)  # d_0 .. d_L: three layers, none square


def small_net(seed: int = 0, scale: float = 0.8):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, SIZES[0]))
    weights = [scale * rng.standard_normal((o, i)) for i, o in itertools.pairwise(SIZES)]
    biases = [0.3 * rng.standard_normal(o) for o in SIZES[1:]]
    targets = rng.standard_normal((3, SIZES[-1]))
    return x, weights, biases, targets


def reference_loss(x, weights, biases, f, targets):
    """The loss written independently of the engine: ½ · mean over the batch of ‖h_L − t‖²."""
    h = x
    for w, b in zip(weights, biases, strict=True):
        h = f(np.einsum("bi,oi->bo", h, w) + b)
    return 0.5 * np.mean(np.sum((h - targets) ** 2, axis=1))


def central_difference(loss, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        keep = array[index]
        array[index] = keep + eps
        up = loss()
        array[index] = keep - eps
        down = loss()
        array[index] = keep
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", activations.names())
def test_gradients_match_central_differences(name):
    act = activations.get(name)
    x, weights, biases, targets = small_net()
    trace = forward_backward(x, weights, biases, name, targets=targets)
    # The difference quotient is only valid away from the kinks of f′: make sure no z is near one.
    kinks = np.array(act.kink_points() or (np.inf,))
    for z in trace.z:
        assert np.min(np.abs(z[..., None] - kinks)) > 1e-3
    f = act.__call__
    assert trace.loss == pytest.approx(reference_loss(x, weights, biases, f, targets), rel=1e-12)

    def loss():
        return reference_loss(x, weights, biases, f, targets)

    def close(ours, numerical):  # the difference quotient's error grows with the gradient's size
        np.testing.assert_allclose(ours, numerical, rtol=1e-6, atol=1e-7 * max(1.0, np.abs(numerical).max()))

    for layer in range(len(weights)):
        close(trace.grad_weights[layer], central_difference(loss, weights[layer]))
        close(trace.grad_biases[layer], central_difference(loss, biases[layer]))
    close(trace.grad_x, central_difference(loss, x))


def test_trace_shapes_and_chain_rule_pieces():
    x, weights, biases, targets = small_net()
    trace = forward_backward(x, weights, biases, "tanh", targets=targets)
    assert [z.shape for z in trace.z] == [(3, d) for d in SIZES[1:]]
    assert [g.shape for g in trace.grad_weights] == [w.shape for w in weights]
    np.testing.assert_allclose(trace.grad_h[-1], (trace.h[-1] - targets) / 3)
    for layer in range(3):
        np.testing.assert_allclose(trace.grad_z[layer], trace.grad_h[layer] * (1 - np.tanh(trace.z[layer]) ** 2))
    # No targets: the loss is ½‖h_L‖² averaged over the batch.
    plain = forward_backward(x, weights, biases, "tanh")
    assert plain.loss == pytest.approx(0.5 * np.mean(np.sum(plain.h[-1] ** 2, axis=1)))


TORCH_FUNCTIONS = {
    "relu": lambda F, z: F.relu(z),
    "relu6": lambda F, z: F.relu6(z),
    "leaky_relu": lambda F, z: F.leaky_relu(z, 0.01),
    "elu": lambda F, z: F.elu(z),
    "selu": lambda F, z: F.selu(z),
    "celu": lambda F, z: F.celu(z),
    "gelu": lambda F, z: F.gelu(z),
    "silu": lambda F, z: F.silu(z),
    "mish": lambda F, z: F.mish(z),
    "softplus": lambda F, z: F.softplus(z),
    "hardswish": lambda F, z: F.hardswish(z),
    "sigmoid": lambda F, z: F.sigmoid(z),
    "hardsigmoid": lambda F, z: F.hardsigmoid(z),
    "tanh": lambda F, z: F.tanh(z),
    "hardtanh": lambda F, z: F.hardtanh(z),
    "softsign": lambda F, z: F.softsign(z),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(TORCH_FUNCTIONS))
def test_gradients_match_torch_autograd_including_kinks(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, weights, biases, targets = small_net(seed=1, scale=1.5)
    x[0] = 0.0  # the first sample sits exactly on every kink at 0 in layer 1 (z = b there)...
    biases[0][:] = 0.0  # ...and its pre-activations are exactly 0
    x[1, :] = [3.0, 0.0, 0.0, 0.0]  # the second reaches z = ±3 and 6-ish kinks for some weights
    weights[0][:, 0] = [1.0, -1.0, 2.0, 1.0, -2.0]
    trace = forward_backward(x, weights, biases, name, targets=targets)
    assert np.count_nonzero(trace.z[0] == 0) >= SIZES[1]

    tx = torch.tensor(x, requires_grad=True)
    tw = [torch.tensor(w, requires_grad=True) for w in weights]
    tb = [torch.tensor(b, requires_grad=True) for b in biases]
    h = tx
    for w, b in zip(tw, tb, strict=True):
        h = TORCH_FUNCTIONS[name](F, F.linear(h, w, b))
    loss = 0.5 * ((h - torch.tensor(targets)) ** 2).sum(dim=1).mean()
    loss.backward()
    assert trace.loss == pytest.approx(loss.item(), rel=1e-12)
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10  # torch's hardsigmoid backward uses a float32 1/6
    for ours, theirs in zip(trace.grad_weights, tw, strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=rtol, atol=1e-12)
    for ours, theirs in zip(trace.grad_biases, tb, strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(trace.grad_x, tx.grad.numpy(), rtol=rtol, atol=1e-12)


def test_float32_in_float32_out_and_close_to_float64():
    x, weights, biases, targets = small_net()
    exact = forward_backward(x, weights, biases, "gelu", targets=targets)
    single = forward_backward(
        x.astype(np.float32),
        [w.astype(np.float32) for w in weights],
        [b.astype(np.float32) for b in biases],
        "gelu",
        targets=targets.astype(np.float32),
    )
    assert single.grad_weights[0].dtype == np.float32 and single.h[-1].dtype == np.float32
    for a, b in zip(single.grad_weights, exact.grad_weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    # One float64 array anywhere makes the whole pass float64.
    mixed = forward_backward(x.astype(np.float32), weights, biases, "gelu", targets=targets)
    assert mixed.grad_weights[0].dtype == np.float64


def test_an_activation_object_works_like_a_registry_name():
    tanh = activations.get("tanh")
    mine = Activation(
        name="custom",
        label="my tanh",
        forward=lambda x: np.tanh(x),
        derivative_fn=lambda x: 1 - np.tanh(x) ** 2,
        formula=r"\tanh x",
        derivative_formula=r"1-\tanh^2 x",
        family="other",
    )
    x, weights, biases, targets = small_net()
    a = forward_backward(x, weights, biases, mine, targets=targets)
    b = forward_backward(x, weights, biases, tanh, targets=targets)
    np.testing.assert_allclose(a.grad_x, b.grad_x, rtol=1e-12)
    s_mine = simulate(mine, depth=4, width=16, batch=8, init="he_normal")
    s_tanh = simulate("tanh", depth=4, width=16, batch=8, init="he_normal")
    assert s_mine.label == "my tanh"
    np.testing.assert_allclose(s_mine.grad_norm, s_tanh.grad_norm, rtol=1e-5)


# --- initialisation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("init", "activation", "params", "sigma_w", "expected_sigma_w2"),
    [
        ("he_normal", "relu", None, None, 2.0),
        ("he_uniform", "relu", None, None, 2.0),
        ("he_normal", "leaky_relu", {"alpha": 0.5}, None, 2.0 / 1.25),
        ("he_normal", "prelu", None, None, 2.0 / (1 + 0.25**2)),
        ("he_normal", "tanh", None, None, 2.0),
        ("xavier_normal", "relu", None, None, 1.0),
        ("xavier_uniform", "relu", None, None, 1.0),
        ("lecun_normal", "selu", None, None, 1.0),
        ("orthogonal", "tanh", None, None, 1.0),
        ("scaled_normal", "tanh", None, 1.5, 2.25),
    ],
)
def test_initial_weight_variance(init, activation, params, sigma_w, expected_sigma_w2):
    width = 512
    w = layer_weight(init, 3, width, 7, activation=activation, params=params, sigma_w=sigma_w, dtype=np.float64)
    assert w.shape == (width, width) and not w.flags.writeable
    assert abs(w.mean()) < 4 * math.sqrt(expected_sigma_w2 / width / w.size)
    assert width * w.var() == pytest.approx(expected_sigma_w2, rel=0.02)  # 262,144 draws: 0.3% noise
    if init == "orthogonal":
        np.testing.assert_allclose(w @ w.T, np.eye(width), atol=1e-10)
    stats = simulate(activation, depth=2, width=64, batch=4, init=init, params=params, sigma_w=sigma_w)
    assert stats.sigma_w2 == pytest.approx(expected_sigma_w2)


def test_every_activation_sees_the_same_network_and_deeper_adds_layers():
    relu = layer_weight("he_normal", 0, 64, 3, activation="relu")
    sigmoid = layer_weight("he_normal", 0, 64, 3, activation="sigmoid")
    leaky = layer_weight("he_normal", 0, 64, 3, activation="leaky_relu", params={"alpha": 0.5})
    np.testing.assert_array_equal(relu, sigmoid)
    np.testing.assert_allclose(leaky, relu * math.sqrt(1 / 1.25), rtol=1e-6)  # same draws, He's gain
    shallow = simulate("tanh", depth=5, width=32, batch=16, init="xavier_normal", seed=4)
    deep = simulate("tanh", depth=9, width=32, batch=16, init="xavier_normal", seed=4)
    np.testing.assert_array_equal(shallow.pre_activation_var, deep.pre_activation_var[:5])
    other_seed = simulate("tanh", depth=5, width=32, batch=16, init="xavier_normal", seed=5)
    assert not np.allclose(shallow.pre_activation_var, other_seed.pre_activation_var)


@pytest.mark.parametrize(
    ("init", "first_row", "total"),
    [
        ("he_normal", [-0.42483928294904716, -0.14416544458328237, 0.6650430475591717], -4.918547933271604),
        ("xavier_uniform", [-0.5718975707033498, 0.3830827473780448, -0.1873360336847325], -2.227956207132877),
        ("orthogonal", [-0.3252262815433262, -0.5022140868011242, 0.5453385165992355], -4.426707562466173),
    ],
)
def test_the_networks_are_the_ones_the_page_has_always_shown(init, first_row, total):
    """Pinned draws: a change of seeding, stream or drawing order would silently change every figure."""
    w = layer_weight(init, 3, 6, 11, dtype=np.float64)
    np.testing.assert_allclose(w[0, :3], first_row, rtol=1e-15)
    assert float(w.sum()) == pytest.approx(total, rel=1e-13)
    np.testing.assert_array_equal(layer_weight(init, 3, 6, 11), w.astype(np.float32))  # float32: the same, rounded


def test_concurrent_networks_draw_each_layer_once():
    """The page runs its networks side by side: a layer two of them need is drawn once, and all get it."""
    from activations import network

    clear_weight_cache()
    results, start = [None] * 4, threading.Barrier(4)

    def fetch(i):
        start.wait()
        results[i] = layer_weights("he_normal", range(12), 48, 5, dtype=np.float32)

    with mock.patch.object(network, "_rng", wraps=network._rng) as drawn:  # one generator per layer drawn
        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert drawn.call_count == 12
    for other in results[1:]:
        assert all(a is b for a, b in zip(results[0], other, strict=True))
    assert [w.shape for w in results[0]] == [(48, 48)] * 12 and not results[0][0].flags.writeable
    for layer in (0, 11):
        assert layer_weight("he_normal", layer, 48, 5) is results[0][layer]  # served from the cache


@pytest.mark.parametrize("init", NORMAL_INITS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_inits_rescale_one_kept_draw_to_init_weights_numbers_bit_for_bit(init, dtype):
    """Every variance of a normal init comes from the layer's one kept draw, and is what init_weight draws."""
    from activations import network

    clear_weight_cache()
    settings = [{"activation": "leaky_relu", "params": {"alpha": a}, "sigma_w": s} for a, s in ((0.1, 0.7), (0.5, 1.9))]
    for kw in settings:
        kept = layer_weight(init, 2, 24, 7, dtype=dtype, **kw)
        fresh = init_weight(init, 24, 24, network._rng(7, network._LAYER_STREAM, 2), dtype=dtype, **kw)
        np.testing.assert_array_equal(kept, fresh)
        assert kept.dtype == dtype
    assert len(network._UNIT_CACHE) == 1  # both variances, one draw


def test_a_sigma_w_move_draws_no_weights_again_but_a_uniform_init_does():
    from activations import network

    clear_weight_cache()
    layer_weights("scaled_normal", range(6), 32, 1, sigma_w=1.0)
    layer_weights("he_uniform", range(6), 32, 1, activation="leaky_relu", params={"alpha": 0.1})
    with mock.patch.object(network, "_rng", wraps=network._rng) as drawn:
        moved = layer_weights("scaled_normal", range(6), 32, 1, sigma_w=1.5)
        assert drawn.call_count == 0
        layer_weights("he_uniform", range(6), 32, 1, activation="leaky_relu", params={"alpha": 0.3})
        assert drawn.call_count == 6  # uniform draws are bounds times U: drawn again (not kept as unit draws)
    np.testing.assert_allclose(moved[3], layer_weight("scaled_normal", 3, 32, 1, sigma_w=1.0) * 1.5, rtol=1e-6)


def test_the_kept_unit_draws_stay_within_their_budget(monkeypatch):
    from activations import network

    clear_weight_cache()
    monkeypatch.setattr(network, "_UNIT_CACHE_FLOATS", 3 * 16 * 16)
    for layer in range(10):  # one at a time (layer_weights draws side by side, in no fixed order)
        layer_weight("lecun_normal", layer, 16, 2)
    assert sum(z.size for z in network._UNIT_CACHE.values()) <= 3 * 16 * 16
    assert list(network._UNIT_CACHE) == [(7, 16, 2), (8, 16, 2), (9, 16, 2)]  # the newest kept
    clear_weight_cache()
    assert not network._UNIT_CACHE and not network._WEIGHT_CACHE


def test_percentile_bands_from_a_sample_of_a_large_batch():
    """Above PERCENTILE_SAMPLE activations per layer the bands come from a fixed random sample of them:
    close to the percentiles of all of them (sampling error of a 4096-point sample)."""
    width, batch, depth = 128, 64, 4
    assert width * batch > PERCENTILE_SAMPLE
    rng = np.random.default_rng(3)
    x = rng.standard_normal((batch, width))
    weights = [rng.standard_normal((width, width)) / math.sqrt(width) for _ in range(depth)]
    stats = measure(x, weights, 0.0, "tanh", top_error=rng.standard_normal((batch, width)))
    trace = forward_backward(x, weights, [np.zeros(width)] * depth, "tanh")
    exact = np.percentile(trace.h, PERCENTILES, axis=(1, 2)).T
    spread = exact[:, -1] - exact[:, 0]
    assert np.all(np.abs(stats.percentiles - exact) < 0.03 * spread[:, None])
    assert np.all(np.diff(stats.percentiles, axis=1) >= 0)


# --- dead and saturated units ---------------------------------------------------------------------------


def test_dead_units_counted_on_hand_made_weights():
    x = np.array([[1.0, 2.0, 0.5], [0.2, 1.0, 3.0], [2.0, 0.1, 1.0], [1.0, 1.0, 1.0]])  # all inputs positive
    w1 = np.array(
        [
            [-1.0, -1.0, -1.0],  # negative for every (positive) input: dead
            [1.0, -1.0, 0.0],  # positive for some inputs, negative for others: alive
            [0.5, 0.5, 0.5],  # always positive: alive
        ]
    )
    w2 = np.eye(3)  # layer 2 sees h1 as it is: unit 0 gets z = 0 exactly, and ReLU′(0) = 0
    error = np.ones((4, 3))
    stats = measure(x, [w1, w2], 0.0, "relu", top_error=error)
    np.testing.assert_allclose(stats.dead_fraction, [1 / 3, 1 / 3])
    np.testing.assert_allclose(stats.saturated_fraction, [1 / 3, 1 / 3])
    # Unit 1 gets z = −1, −0.8, 1.9 and exactly 0: active (f′ = 1) for 1 input of 4, as ReLU′(0) = 0.
    np.testing.assert_allclose(stats.active_fraction[0], [0.0, 0.25, 1.0])
    leaky = measure(x, [w1, w2], 0.0, "leaky_relu", top_error=error)
    np.testing.assert_allclose(leaky.dead_fraction, [0, 0])
    # |f′| = 0.01 is exactly 1% of Leaky ReLU's max |f′| = 1: not below it, so not saturated either.
    np.testing.assert_allclose(leaky.saturated_fraction, [0, 0])


def test_saturated_but_not_dead_sigmoid_units():
    x = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    w = np.array([[20.0, 0.0], [0.1, 0.0]])  # unit 0: z ≥ 20, σ′ ≤ 2e-9 ≪ 1% of 0.25; unit 1: z ≈ 0.1–0.3
    stats = measure(x, [w], 0.0, "sigmoid", top_error=np.ones((3, 2)))
    assert stats.max_abs_derivative == pytest.approx(0.25)
    assert stats.dead_fraction[0] == 0
    assert stats.saturated_fraction[0] == 0.5
    np.testing.assert_allclose(stats.active_fraction[0], [0.0, 1.0])


@pytest.mark.parametrize(("name", "peak"), [("sigmoid", 0.25), ("tanh", 1.0), ("relu", 1.0), ("selu", 1.7581)])
def test_max_abs_derivative(name, peak):
    assert max_abs_derivative(name) == pytest.approx(peak, rel=1e-4)


def test_born_dead_network_passes_no_gradient():
    preset = PRESETS["born_dead"]
    stats = simulate("relu", depth=preset.depth, width=preset.width, batch=preset.batch, init="he_normal")
    assert stats.dead_fraction.max() == 1.0
    top_dead = int(np.flatnonzero(stats.dead_fraction == 1.0).max())
    assert np.all(stats.grad_norm[: top_dead + 1] == 0) and np.all(stats.grad_z_norm[: top_dead + 1] == 0)
    assert np.all(stats.grad_z_norm[top_dead + 1 :] > 0)
    text = " ".join(summarise(stats))
    assert f"layers 1–{top_dead + 1}" in text and "dead" in text
    leaky = simulate("leaky_relu", depth=preset.depth, width=preset.width, batch=preset.batch, init="he_normal")
    assert leaky.dead_fraction.max() == 0 and np.all(leaky.grad_norm > 0)


@pytest.mark.parametrize(("sigma_w", "low", "high"), [(1.0, 1 / 40, 1 / 8), (0.8, 0, 1e-8), (1.5, 100, 2000)])
def test_edge_of_chaos_note_agrees_with_the_numbers(sigma_w, low, high):
    """The preset's note: at σ_w = 1 the gradient reaching layer 1 falls about 20-fold over 100 layers
    (slowly, not "neither vanishes nor explodes"), at 0.8 by a factor of 10¹⁰, at 1.5 it grows ~400-fold."""
    preset = PRESETS["edge_of_chaos"]
    assert preset.depth == 100 and "20-fold" in preset.note and "10¹⁰" in preset.note and "400-fold" in preset.note
    stats = simulate(
        "tanh", depth=preset.depth, width=preset.width, batch=preset.batch, init="scaled_normal", sigma_w=sigma_w
    )
    ratio = stats.grad_z_norm[0] / stats.grad_z_norm[-1]
    assert low < ratio < high
    theory = 10 ** (stats.theory.log10_grad_z_norm[0] - stats.theory.log10_grad_z_norm[-1])
    assert low < theory < high  # mean-field theory says the same (12-fold at σ_w = 1)


# --- the renormalised backward pass of simulate ---------------------------------------------------------


def test_measured_norms_equal_the_exact_trace():
    rng = np.random.default_rng(2)
    width, batch, depth = 24, 10, 6
    x = rng.standard_normal((batch, width))
    weights = [rng.standard_normal((width, width)) * 1.3 / math.sqrt(width) for _ in range(depth)]
    error = rng.standard_normal((batch, width))
    stats = measure(x, weights, 0.1, "elu", top_error=error)
    # The same top gradient from the exact engine: targets t = h_L − ε give ∂L/∂h_L = ε / batch.
    plain = forward_backward(x, weights, [np.full(width, 0.1)] * depth, "elu")
    trace = forward_backward(x, weights, [np.full(width, 0.1)] * depth, "elu", targets=plain.h[-1] - error)
    np.testing.assert_allclose(trace.grad_h[-1], error / batch, atol=1e-14)
    np.testing.assert_allclose(stats.grad_norm, [np.linalg.norm(g) for g in trace.grad_weights], rtol=1e-10)
    np.testing.assert_allclose(stats.grad_z_norm, [np.linalg.norm(g) for g in trace.grad_z], rtol=1e-10)
    np.testing.assert_allclose(stats.grad_h_norm, [np.linalg.norm(g) for g in trace.grad_h], rtol=1e-10)
    np.testing.assert_allclose(stats.grad_bias_norm, [np.linalg.norm(g) for g in trace.grad_biases], rtol=1e-10)
    np.testing.assert_allclose(stats.pre_activation_var, [z.var() for z in trace.z], rtol=1e-12)
    np.testing.assert_allclose(stats.percentiles[:, 3], [np.median(h) for h in trace.h], rtol=1e-12)
    # batch × width ≤ PERCENTILE_SAMPLE: the bands come from every activation, as np.percentile has them
    np.testing.assert_allclose(stats.percentiles, np.percentile(trace.h, PERCENTILES, axis=(1, 2)).T, rtol=1e-12)
    norms = np.array([np.linalg.norm(g) ** 2 for g in trace.grad_z])
    np.testing.assert_allclose(stats.layer_factor, norms[:-1] / norms[1:], rtol=1e-9)


def test_float32_simulation_measures_gradients_far_below_float32s_range():
    # Sigmoid with Xavier: ‖δ‖ shrinks ~√0.055 per layer, 10⁻⁶⁰ after 95 layers (float32 stops at 1e-45).
    single = simulate("sigmoid", depth=96, width=32, batch=8, init="xavier_normal", dtype=np.float32)
    double = simulate("sigmoid", depth=96, width=32, batch=8, init="xavier_normal", dtype=np.float64)
    assert single.log10_grad_z_norm[0] < -55
    assert np.all(single.grad_z_norm > 0)
    np.testing.assert_allclose(single.log10_grad_z_norm, double.log10_grad_z_norm, atol=1e-3)


def test_exploding_activations_are_reported_not_raised():
    stats = simulate("relu", depth=200, width=64, batch=8, init="scaled_normal", sigma_w=4.0)
    assert stats.overflow_layer is not None and 20 < stats.overflow_layer < 200
    assert np.all(np.isnan(stats.grad_norm)) and np.isnan(stats.pre_activation_var[-1])
    assert np.isfinite(stats.pre_activation_var[stats.overflow_layer - 2])
    assert "overflow" in summarise(stats)[0]


# --- sizes and bad configurations -------------------------------------------------------------------------


def test_fit_size_keeps_depth_and_bounds_memory():
    fit = fit_size(200, 1024, 1024)
    assert fit.depth == 200 and fit.clamped
    assert fit.depth * fit.width**2 <= MAX_WEIGHT_FLOATS < fit.depth * (fit.width + 1) ** 2
    assert fit.depth * fit.width * fit.batch <= MAX_ACTIVATION_FLOATS
    assert len(fit.warnings()) == 2 and "width reduced" in fit.warnings()[0]
    assert not fit_size(50, 256, 256).clamped
    assert fit_size(50, 256, 256, ("orthogonal",)).width < fit_size(50, 1024, 8).width
    simulate("relu", depth=fit.depth, width=16, batch=4)  # fits


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (dict(depth=0), "depth"),
        (dict(depth=2.5), "depth"),
        (dict(depth=True), "depth"),
        (dict(depth=201), "depth"),
        (dict(width=0), "width"),
        (dict(batch=0), "batch"),
        (dict(width=float("nan")), "width"),
        (dict(init="glorot"), "unknown init"),
        (dict(bias=float("nan")), "bias"),
        (dict(bias="abc"), "bias"),
        (dict(init="scaled_normal"), "sigma_w"),
        (dict(init="scaled_normal", sigma_w=float("nan")), "sigma_w"),
        (dict(init="scaled_normal", sigma_w=-1.0), "sigma_w"),
        (dict(seed=-1), "seed"),
        (dict(activation="nope"), "unknown activation"),
        (dict(activation="leaky_relu", params={"alpha": float("nan")}), "alpha"),
        (dict(activation="relu", params={"alpha": 0.1}), "no parameter"),
        (dict(depth=200, width=1024, batch=1024), "too large"),
        (dict(dtype=np.int32), "dtype"),
    ],
)
def test_invalid_configurations_raise_value_error(kwargs, fragment):
    config = dict(activation="relu", depth=3, width=8, batch=4, init="he_normal") | kwargs
    with pytest.raises(ValueError, match=fragment):
        simulate(**config)


def test_invalid_engine_inputs_raise_value_error():
    x, weights, biases, targets = small_net()
    with pytest.raises(ValueError, match="one bias per weight"):
        forward_backward(x, [], [], "relu")
    with pytest.raises(ValueError, match="do not fit"):
        forward_backward(x, weights[1:], biases[1:], "relu")
    with pytest.raises(ValueError, match="NaN"):
        forward_backward(np.full_like(x, np.nan), weights, biases, "relu")
    with pytest.raises(ValueError, match="targets"):
        forward_backward(x, weights, biases, "relu", targets=targets[:, :1])
    with pytest.raises(ValueError, match="unknown activation"):
        forward_backward(x, weights, biases, "nope")


def test_every_init_runs_for_every_activation_without_numpy_warnings():
    for init in INITS:
        for name in activations.names():
            stats = simulate(name, depth=3, width=8, batch=4, init=init, sigma_w=1.0)
            assert stats.depth == 3 and stats.active_fraction.shape == (3, 8)


# --- words ----------------------------------------------------------------------------------------------


def test_power_of_ten():
    assert power_of_ten(-9.0) == "10⁻⁹"
    assert power_of_ten(-4.36) == "4.4 × 10⁻⁵"
    assert power_of_ten(3.2) == "1.6 × 10³"


def test_summary_quotes_the_measured_numbers():
    stats = simulate("sigmoid", depth=30, width=128, batch=32, init="xavier_normal")
    text = " ".join(summarise(stats))
    change = stats.log10_grad_z_norm[0] - stats.log10_grad_z_norm[-1]
    assert change < -15
    assert power_of_ten(change) + " of its size at layer 30" in text
    assert "No unit is dead" in text
    relu = simulate("relu", depth=30, width=128, batch=32, init="he_normal")
    worst = int(np.argmax(relu.dead_fraction))
    assert f"{100 * relu.dead_fraction[worst]:.0f}% of units in layer {worst + 1} are dead" in " ".join(summarise(relu))
    chinese = summarise(stats, lang="zh")
    assert len(chinese) == len(summarise(stats))
