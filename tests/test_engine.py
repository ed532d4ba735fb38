"""The one engine (activations/engine.py) in every architecture: values and gradients against torch autograd
and float64 finite differences, through network.forward_backward, measure and the Training Lab's loss;
the Gram-matrix weight-gradient norm against the direct one; mean-field theory of residual nets and
BatchNorm's gradient explosion against measurement."""

from __future__ import annotations

import itertools
import math
from unittest import mock

import numpy as np
import pytest
from test_network import central_difference

import activations
from activations import engine, theory
from activations.engine import ARCHITECTURES, layer_forward, weight_gradient_norm
from activations.network import forward_backward, measure, simulate
from activations.training import Network, TrainConfig, init_network
from activations.training import forward_backward as train_forward_backward

SIZES = (4, 5, 5, 5, 3)  # a layer that changes width at each end, two square ones in between (the skips)
ACTS = ("tanh", "gelu", "leaky_relu")  # smooth, smooth non-monotone, a kink (never hit by random data)


def small_net(seed: int = 0, batch: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, SIZES[0]))
    weights = [rng.standard_normal((o, i)) / math.sqrt(i) for i, o in itertools.pairwise(SIZES)]
    biases = [0.3 * rng.standard_normal(o) for o in SIZES[1:]]
    targets = rng.standard_normal((batch, SIZES[-1]))
    return x, weights, biases, targets


def reference_forward(x, weights, biases, f, architecture):
    """The forward pass written from the definitions, independently of the engine (numpy, float64)."""
    h = x
    for w, b in zip(weights, biases, strict=True):
        u = np.einsum("bi,oi->bo", h, w) + b
        if architecture in ("layernorm", "batchnorm"):
            axis = 1 if architecture == "layernorm" else 0
            u = (u - u.mean(axis=axis, keepdims=True)) / np.sqrt(u.var(axis=axis, keepdims=True) + 1e-5)
        out = f(u)
        h = h + out if architecture == "residual" and h.shape == out.shape else out
    return h


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("name", ACTS)
def test_gradients_match_central_differences(name, architecture):
    act = activations.get(name)
    x, weights, biases, targets = small_net()
    trace = forward_backward(x, weights, biases, name, targets=targets, architecture=architecture)

    def loss():
        h = reference_forward(x, weights, biases, act, architecture)
        return 0.5 * np.mean(np.sum((h - targets) ** 2, axis=1))

    assert trace.loss == pytest.approx(loss(), rel=1e-12)
    np.testing.assert_allclose(trace.h[-1], reference_forward(x, weights, biases, act, architecture), rtol=1e-12)

    def close(ours, numerical):
        np.testing.assert_allclose(ours, numerical, rtol=1e-6, atol=1e-8 * max(1.0, np.abs(numerical).max()))

    for layer in range(len(weights)):
        close(trace.grad_weights[layer], central_difference(loss, weights[layer]))
        close(trace.grad_biases[layer], central_difference(loss, biases[layer]))
    close(trace.grad_x, central_difference(loss, x))


def test_the_architectures_differ_where_they_should():
    x, weights, biases, targets = small_net()
    traces = {a: forward_backward(x, weights, biases, "tanh", targets=targets, architecture=a) for a in ARCHITECTURES}
    # Residual: the skip is taken in the square layers only; layer 1 (4 → 5) and layer 4 (5 → 3) are plain.
    np.testing.assert_array_equal(traces["residual"].h[0], traces["plain"].h[0])
    np.testing.assert_allclose(traces["residual"].h[1], traces["residual"].h[0] + np.tanh(traces["residual"].z[1]))
    # LayerNorm: every sample's pre-activations have mean 0 and variance 1/(1 + ε/σ²) over the units.
    for z in traces["layernorm"].z:
        np.testing.assert_allclose(z.mean(axis=1), 0, atol=1e-12)
        assert np.all(z.var(axis=1) < 1) and np.all(z.var(axis=1) > 0.99)
    # BatchNorm: every unit's, over the batch; and a bias before it has no effect at all.
    for z in traces["batchnorm"].z:
        np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    shifted = forward_backward(x, weights, [b + 1.0 for b in biases], "tanh", targets=targets, architecture="batchnorm")
    np.testing.assert_allclose(shifted.loss, traces["batchnorm"].loss, rtol=1e-10)
    for g in traces["batchnorm"].grad_biases:
        np.testing.assert_allclose(g, 0, atol=1e-12)
    assert len({round(t.loss, 9) for t in traces.values()}) == 4


def test_unknown_architecture_is_refused_with_the_valid_names():
    x, weights, biases, _ = small_net()
    with pytest.raises(ValueError, match="valid: plain, residual, layernorm, batchnorm"):
        forward_backward(x, weights, biases, "relu", architecture="densenet")
    with pytest.raises(ValueError, match="architecture"):
        simulate("relu", 3, 8, 4, architecture="nope")
    with pytest.raises(ValueError, match="architecture"):
        TrainConfig(architecture="nope")


def _torch_forward(torch, x, weights, biases, name, architecture):
    F = torch.nn.functional
    f = {"tanh": torch.tanh, "gelu": F.gelu, "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "relu": F.relu}[name]
    h = x
    for w, b in zip(weights, biases, strict=True):
        u = F.linear(h, w, b)
        if architecture == "layernorm":
            u = F.layer_norm(u, (u.shape[1],), eps=1e-5)
        elif architecture == "batchnorm":
            u = F.batch_norm(u, None, None, training=True, eps=1e-5)
        out = f(u)
        h = h + out if architecture == "residual" and h.shape == out.shape else out
    return h


@pytest.mark.torch
@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("name", ACTS)
def test_values_and_gradients_equal_torch_autograd(name, architecture):
    torch = pytest.importorskip("torch")
    x, weights, biases, targets = small_net(seed=2)
    trace = forward_backward(x, weights, biases, name, targets=targets, architecture=architecture)
    tx = torch.tensor(x, requires_grad=True)
    tw = [torch.tensor(w, requires_grad=True) for w in weights]
    tb = [torch.tensor(b, requires_grad=True) for b in biases]
    out = _torch_forward(torch, tx, tw, tb, name, architecture)
    loss = 0.5 * ((out - torch.tensor(targets)) ** 2).sum(dim=1).mean()
    loss.backward()
    np.testing.assert_allclose(trace.h[-1], out.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert trace.loss == pytest.approx(loss.item(), rel=1e-12)
    for ours, theirs in [
        *zip(trace.grad_weights, tw, strict=True),
        *zip(trace.grad_biases, tb, strict=True),
        (trace.grad_x, tx),
    ]:
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.torch
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_training_loss_and_gradients_equal_torch_autograd(architecture):
    """The Training Lab's loss (read-out, softmax cross-entropy, PReLU's trained α) on the same layer."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    cfg = TrainConfig(activation="prelu", depth=3, width=6, n_samples=40, batch_size=20, architecture=architecture)
    net = init_network(cfg, np.random.default_rng(3))
    net.alpha = np.array([0.25, 0.1, 0.4])
    net.biases = [0.2 * np.random.default_rng(layer).standard_normal(b.shape) for layer, b in enumerate(net.biases)]
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((20, 2)), rng.integers(0, 2, 20)
    ours = train_forward_backward(net, x, y, cfg.act, cfg.params)

    params = [torch.tensor(a, requires_grad=True) for a in net.arrays()]
    h = torch.tensor(x)
    for layer in range(cfg.depth):
        u = F.linear(h, params[2 * layer], params[2 * layer + 1])
        if architecture == "layernorm":
            u = F.layer_norm(u, (u.shape[1],), eps=1e-5)
        elif architecture == "batchnorm":
            u = F.batch_norm(u, None, None, training=True, eps=1e-5)
        out = F.prelu(u, params[-1][layer : layer + 1])
        h = h + out if architecture == "residual" and h.shape == out.shape else out
    logits = F.linear(h, params[2 * cfg.depth], params[2 * cfg.depth + 1])
    loss = F.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    assert ours.loss == pytest.approx(loss.item(), rel=1e-12)
    for g, p in zip(ours.grads, params, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_measure_gives_the_exact_engines_gradient_norms(architecture):
    """measure (float64 here) renormalises the backward pass and never forms ∂L/∂W; its norms equal
    the exact trace's with the same top gradient."""
    rng = np.random.default_rng(5)
    depth, width, batch = 6, 16, 5
    x = rng.standard_normal((batch, width))
    weights = [rng.standard_normal((width, width)) * math.sqrt(2 / width) for _ in range(depth)]
    biases = [0.1 * rng.standard_normal(width) for _ in range(depth)]
    error = rng.standard_normal((batch, width))
    stats = measure(x, weights, biases, "relu", top_error=error, architecture=architecture)
    top = forward_backward(x, weights, biases, "relu", architecture=architecture).h[-1]
    trace = forward_backward(x, weights, biases, "relu", targets=top - error, architecture=architecture)
    norm = np.linalg.norm
    np.testing.assert_allclose(stats.grad_norm, [norm(g) for g in trace.grad_weights], rtol=1e-10)
    # (BatchNorm's bias gradients are exactly 0 but for rounding: compared on the scale of the others)
    scale = float(np.max(stats.grad_norm))
    np.testing.assert_allclose(
        stats.grad_bias_norm, [norm(g) for g in trace.grad_biases], rtol=1e-10, atol=1e-12 * scale
    )
    np.testing.assert_allclose(stats.grad_z_norm, [norm(g) for g in trace.grad_z], rtol=1e-10)
    np.testing.assert_allclose(stats.grad_h_norm, [norm(g) for g in trace.grad_h], rtol=1e-10)
    np.testing.assert_allclose(stats.pre_activation_var, [z.var() for z in trace.z], rtol=1e-10)


@pytest.mark.parametrize(
    ("batch", "d_out", "d_in"), [(4, 64, 48), (64, 8, 8), (1, 3, 5), (128, 512, 512), (256, 512, 512)]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_weight_gradient_norm_equals_the_direct_form(batch, d_out, d_in, dtype):
    rng = np.random.default_rng(6)
    g = rng.standard_normal((batch, d_out)).astype(dtype)
    h = (rng.standard_normal((batch, d_in)) + 0.5).astype(dtype)  # a mean, as ReLU activations have
    direct = np.linalg.norm(g.astype(np.float64).T @ h.astype(np.float64))
    # float32: each Gram entry is a sum of d products, rounded to ~1e-7·√d relative.
    assert weight_gradient_norm(g, h) == pytest.approx(direct, rel=1e-12 if dtype == np.float64 else 2e-6)
    assert weight_gradient_norm(np.zeros_like(g), h) == 0.0


def test_weight_gradient_norm_chooses_the_gram_form_only_when_it_is_cheaper():
    """B·(d_out + d_in) ≤ d_out·d_in: Gram matrices (summed with einsum) up to half the width, the direct
    product above; both give the norm."""
    rng = np.random.default_rng(7)
    for batch, gram in ((4, True), (7, True), (8, True), (9, False), (64, False)):
        g = rng.standard_normal((batch, 16))
        with mock.patch.object(engine.np, "einsum", wraps=np.einsum) as einsum:
            assert weight_gradient_norm(g, g) == pytest.approx(np.linalg.norm(g.T @ g), rel=1e-12)
        assert einsum.called == gram


@pytest.mark.parametrize(
    ("batch", "d_out", "d_in", "leaf"),
    [(1, 5, 3, 64), (65, 7, 9, 64), (129, 3, 11, 64), (255, 16, 4, 64), (17, 6, 6, 1), (23, 4, 9, 2), (100, 5, 5, 3)],
)
def test_gram_inner_is_the_squared_norm_of_the_product(batch, d_out, d_in, leaf, monkeypatch):
    """Σ (GGᵀ)∘(HHᵀ) from the upper blocks only equals ‖GᵀH‖²_F (float64, formed directly), for odd and
    even batches, one level of blocks or many (a small GRAM_LEAF splits down to single rows)."""
    monkeypatch.setattr(engine, "GRAM_LEAF", leaf)
    rng = np.random.default_rng(batch)
    g = rng.standard_normal((batch, d_out))
    h = rng.standard_normal((batch, d_in)) + 0.5
    direct = np.linalg.norm(g.T @ h) ** 2
    assert engine.gram_inner(g, h) == pytest.approx(direct, rel=1e-12)
    assert engine.gram_inner(g, np.zeros_like(h)) == 0.0


def test_gram_inner_splits_into_blocks_above_the_leaf(monkeypatch):
    """Above GRAM_LEAF rows no full Gram matrix is formed: the largest product is a half-batch block."""
    rng = np.random.default_rng(3)
    g, h = rng.standard_normal((130, 8)), rng.standard_normal((130, 8))
    shapes = []
    real_einsum = np.einsum

    def einsum(spec, a, b, **kw):
        shapes.append(a.shape)
        return real_einsum(spec, a, b, **kw)

    monkeypatch.setattr(engine.np, "einsum", einsum)
    engine.gram_inner(g, h)
    assert max(shapes) == (65, 65) and sorted(shapes) == [(32, 32)] * 2 + [(32, 33)] * 2 + [(33, 33)] * 2 + [(65, 65)]


def test_batchnorm_with_given_statistics_is_inference_mode():
    rng = np.random.default_rng(8)
    h, w = rng.standard_normal((7, 3)), rng.standard_normal((4, 3))
    act = activations.get("relu")
    u = h @ w.T
    stats = (u.mean(axis=0) + 0.5, u.var(axis=0) * 2)
    layer = layer_forward(h, w, None, act, {}, "batchnorm", statistics=stats)
    np.testing.assert_allclose(layer.z, (u - stats[0]) / np.sqrt(stats[1] + 1e-5))
    single = layer_forward(h[:1], w, None, act, {}, "batchnorm", statistics=stats)
    np.testing.assert_allclose(single.z, layer.z[:1])  # one sample at a time gives the same answer


# --- theory against measurement ------------------------------------------------------------------------


def test_residual_mean_field_matches_measurement_for_tanh():
    """Per layer, E‖∂L/∂h^{l-1}‖² = (1 + χ^l)·E‖∂L/∂h^l‖² (THEORY.md §6). Over 29 layers of width 512 and a
    batch of 128 the measured geometric-mean factor is 1.189 (seed 0) against 1.199 predicted; over seeds
    0–3 it stays within 1.5% (the spread of a finite net: each layer's factor fluctuates by ~1/√(B·n)
    plus a finite-width bias), so 2% is the tolerance."""
    stats = simulate("tanh", 30, 512, 128, "xavier_normal", architecture="residual")
    measured = stats.grad_h_norm[:-1] ** 2 / stats.grad_h_norm[1:] ** 2
    predicted = stats.theory.growth[:-1]
    assert np.all(predicted > 1.1)  # the gradient grows toward the input: the identity path carries it
    assert math.exp(np.mean(np.log(measured))) == pytest.approx(math.exp(np.mean(np.log(predicted))), rel=0.02)
    # the forward variance grows too, and the length map follows it
    np.testing.assert_allclose(stats.pre_activation_var[[4, 14, 29]], stats.theory.q[[4, 14, 29]], rtol=0.05)
    # the end-to-end prediction of the dashed line: layer 1's gradient vs the top's, in decades
    change = stats.log10_grad_z_norm[0] - stats.log10_grad_z_norm[-1]
    assert change == pytest.approx(stats.theory.log10_grad_z_norm[0] - stats.theory.log10_grad_z_norm[-1], abs=0.15)


def test_residual_mean_field_reduces_to_the_plain_one_for_one_layer_and_adds_the_identity():
    plain = theory.mean_field("tanh", 5, 256, 32, 1.0)
    residual = theory.mean_field("tanh", 5, 256, 32, 1.0, architecture="residual")
    assert residual.q[0] == plain.q[0]
    np.testing.assert_allclose(residual.growth, 1 + residual.chi)
    np.testing.assert_allclose(plain.growth, plain.chi)
    assert np.all(np.diff(residual.q) > 0)  # tanh is odd: m^l = m^{l-1} + E[f²] grows every layer
    with pytest.raises(ValueError, match="plain"):
        theory.mean_field("tanh", 5, 256, 32, 1.0, architecture="batchnorm")


def test_batchnorm_relu_gradients_explode_by_pi_over_pi_minus_one():
    """Yang et al. 2019: π/(π−1) ≈ 1.467 per layer in the large-batch limit. Measured here at width 512,
    batch 128, depth 30 (THEORY.md §6 with torch: 1.466–1.476): 1.4704 on seed 0; the finite batch
    makes it slightly larger, so the tolerance is 1%."""
    assert theory.BATCHNORM_RELU_GROWTH == pytest.approx(1.4669, abs=1e-4)
    stats = simulate("relu", 30, 512, 128, "he_normal", architecture="batchnorm")
    assert stats.theory is None
    for norms in (stats.grad_h_norm, stats.grad_norm):
        factor = math.exp(np.mean(np.log(norms[:-1] ** 2 / norms[1:] ** 2)))
        assert factor == pytest.approx(theory.BATCHNORM_RELU_GROWTH, rel=0.01)


def test_random_biases_change_the_network_and_enter_the_length_map():
    base = simulate("tanh", 20, 256, 64, "xavier_normal")
    again = simulate("tanh", 20, 256, 64, "xavier_normal", sigma_b=0.0)
    np.testing.assert_array_equal(base.log10_grad_z_norm, again.log10_grad_z_norm)
    noisy = simulate("tanh", 20, 1024, 16, "xavier_normal", sigma_b=0.5)
    assert noisy.sigma_b == 0.5
    # q^l = σ_w² E[f²] + σ_b²: the bias variance keeps q away from 0 (tanh with σ_w = 1 shrinks it slowly)
    assert noisy.theory.q[-1] > 0.5 > 0.1 > base.theory.q[-1]
    # One net's q wanders around the fixed point by ~√(2/n) per layer (all inputs look alike in this
    # ordered phase, so the batch does not average it out): at width 1024 the layers 5–20 of seeds 0–3
    # stay within 7% of q* = 0.535 and their mean within 2%; 4% is the tolerance.
    assert noisy.pre_activation_var[0] == pytest.approx(noisy.theory.q[0], rel=0.04)
    assert np.mean(noisy.pre_activation_var[4:]) == pytest.approx(np.mean(noisy.theory.q[4:]), rel=0.04)
    with pytest.raises(ValueError, match="sigma_b"):
        simulate("tanh", 3, 8, 4, sigma_b=-1)
    with pytest.raises(ValueError, match="sigma_b"):
        simulate("tanh", 3, 8, 4, sigma_b="x")


def test_training_network_keeps_its_architecture_through_a_run():
    from activations.training import train

    for architecture in ARCHITECTURES:
        cfg = TrainConfig(
            n_samples=64, batch_size=32, steps=4, record_every=2, depth=2, width=8, architecture=architecture
        )
        result = train(cfg)
        assert result.finished and result.network.architecture == architecture
        assert result.predict_proba(np.zeros((3, 2))).shape == (3, 2)
    assert Network.from_arrays(result.network.arrays(), 2, False, "residual").architecture == "residual"
