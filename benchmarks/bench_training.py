"""Speed of the Training Lab engine: training steps per second for every preset against PyTorch doing the
same training on the CPU in the same run, and the time from Run to the first update the page can draw.

    python benchmarks/bench_training.py [--repeats 5] [--quick]

"The same training" means the same network and initial weights (copied from ``init_network``), the same
minibatch indices (``minibatches`` with the same seed), the same optimiser (``torch.optim`` SGD, SGD with
momentum 0.9, Adam with β = (0.9, 0.999), ε = 1e-8), float64, and the same records: every
``record_every`` steps the loss, accuracy, dead fraction per layer and weight-gradient norms on the full
training set. ``torch_train`` is also the independent reference ``tests/test_training.py`` compares the
numpy trajectory with.

Steps per second = ``cfg.steps`` / wall time of the whole run (data, init, training, records). Medians
over interleaved repeats (one numpy run, then one torch run, repeated), so a burst of load on the shared
machine hits both. "First update" is the time from calling ``train`` to its first callback (step 0: data,
init and the first full-set evaluation), which is when the page can draw its first frame.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activations import datasets
from activations.training import PRESETS, TrainConfig, init_network, minibatches, train

GOAL_RATIO = 1.5


def _torch_activation(cfg: TrainConfig):
    """(f(z, layer), f'(z, layer)) in torch for the activations the presets use."""
    import torch
    import torch.nn.functional as F

    name, params = cfg.activation_name, cfg.params
    if name == "relu":
        return (lambda z, alpha, layer: F.relu(z)), (lambda z, alpha, layer: (z > 0).to(z.dtype))
    if name == "leaky_relu":
        a = params["alpha"]
        return (lambda z, alpha, layer: F.leaky_relu(z, a)), (
            lambda z, alpha, layer: torch.where(z > 0, torch.ones_like(z), torch.full_like(z, a))
        )
    if name == "prelu":
        return (lambda z, alpha, layer: F.prelu(z, alpha[layer : layer + 1])), (
            lambda z, alpha, layer: torch.where(z > 0, torch.ones_like(z), alpha[layer].detach().expand_as(z))
        )
    if name == "sigmoid":
        return (lambda z, alpha, layer: torch.sigmoid(z)), (
            lambda z, alpha, layer: torch.sigmoid(z) * torch.sigmoid(-z)
        )
    if name == "tanh":
        return (lambda z, alpha, layer: torch.tanh(z)), (lambda z, alpha, layer: 1 - torch.tanh(z) ** 2)
    raise ValueError(f"no torch version of {name!r} here")


def torch_train(cfg: TrainConfig) -> dict[str, np.ndarray]:
    """``cfg`` trained by PyTorch exactly as ``activations.training.train`` does it (see the module
    docstring); the history as numpy arrays with the same names as ``TrainResult``'s."""
    import torch
    import torch.nn.functional as F

    x_np, y_np = datasets.make_dataset(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)
    net = init_network(cfg, np.random.default_rng((cfg.seed, 1)))
    batches = minibatches(cfg.n_samples, cfg.batch_size, np.random.default_rng((cfg.seed, 2)))
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    weights = [torch.tensor(w, requires_grad=True) for w in net.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in net.biases]
    readout_w = torch.tensor(net.readout_weight, requires_grad=True)
    readout_b = torch.tensor(net.readout_bias, requires_grad=True)
    alpha = torch.tensor(net.alpha, requires_grad=True) if net.alpha is not None else None
    params = [p for wb in zip(weights, biases, strict=True) for p in wb] + [readout_w, readout_b]
    params += [alpha] if alpha is not None else []
    if cfg.optimizer == "sgd":
        optimizer = torch.optim.SGD(params, lr=cfg.lr)
    elif cfg.optimizer == "momentum":
        optimizer = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum)
    else:
        optimizer = torch.optim.Adam(params, lr=cfg.lr, betas=(0.9, 0.999), eps=1e-8)
    f, fprime = _torch_activation(cfg)

    def forward(inputs):
        h, zs = inputs, []
        for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = F.linear(h, w, b)
            zs.append(z)
            h = f(z, alpha, layer)
        return F.linear(h, readout_w, readout_b), zs

    history: dict[str, list] = {k: [] for k in ("steps", "loss", "accuracy", "dead_fraction", "grad_norm", "alpha")}

    def record(step: int) -> None:
        optimizer.zero_grad()
        logits, zs = forward(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        with torch.no_grad():
            history["steps"].append(step)
            history["loss"].append(loss.item())
            history["accuracy"].append((logits.argmax(dim=1) == y).double().mean().item())
            history["dead_fraction"].append(
                [1.0 - (fprime(z, alpha, layer) != 0).any(dim=0).double().mean().item() for layer, z in enumerate(zs)]
            )
            history["grad_norm"].append([torch.linalg.norm(w.grad).item() for w in weights])
            if alpha is not None:
                history["alpha"].append(alpha.detach().numpy().copy())

    record(0)
    for step in range(1, cfg.steps + 1):
        idx = torch.from_numpy(next(batches))
        optimizer.zero_grad()
        logits, _zs = forward(x[idx])
        F.cross_entropy(logits, y[idx]).backward()
        optimizer.step()
        if step % cfg.record_every == 0 or step == cfg.steps:
            record(step)
    out = {k: np.array(v) for k, v in history.items() if v}
    out["weights"] = [w.detach().numpy().copy() for w in weights]
    return out


def time_first_update(cfg: TrainConfig) -> float:
    """Seconds from calling ``train`` to its first callback."""
    start = time.perf_counter()
    first: list[float] = []

    def callback(step, snapshot):
        first.append(time.perf_counter() - start)
        return True  # stop: only the first frame is timed

    train(cfg, callback)
    return first[0]


def main(quick: bool = False, repeats: int | None = None) -> list[dict]:
    import torch

    from benchmarks import median, row

    repeats = repeats or (2 if quick else 5)
    threads = f"numpy/OpenBLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, "
    threads += f"torch threads: {torch.get_num_threads()}"
    rows = []
    for name, cfg in PRESETS.items():
        ours, theirs = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            train(cfg)
            ours.append(cfg.steps / (time.perf_counter() - start))
            start = time.perf_counter()
            torch_train(cfg)
            theirs.append(cfg.steps / (time.perf_counter() - start))
        size = f"depth {cfg.depth} × width {cfg.width}, batch {cfg.batch_size} of {cfg.n_samples}, {cfg.optimizer}"
        rows.append(
            row(
                f"training steps/s, preset {name} ({size})",
                median(ours),
                "steps/s",
                baseline="PyTorch CPU, same training (float64)",
                baseline_value=median(theirs),
                higher_is_better=True,
                max_ratio=GOAL_RATIO,
                note=f"{cfg.steps} steps with a full-set record every {cfg.record_every}; median of {repeats} "
                f"interleaved runs; {threads}",
            )
        )
    firsts = [time_first_update(cfg) for cfg in PRESETS.values() for _ in range(repeats)]
    rows.append(
        row(
            "training: Run to first update (engine side, train() to its first callback)",
            median(firsts) * 1000,
            "ms",
            note=f"median over the {len(PRESETS)} presets × {repeats}; data, init and the step-0 full-set record",
        )
    )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for r in main(quick=args.quick, repeats=args.repeats):
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—"
        baseline = f"{r['baseline_value']:.1f}" if r["baseline_value"] is not None else "—"
        print(f"{r['name']}: {r['value']:.1f} {r['unit']} (baseline {baseline}, cost ratio {ratio}) — {r['note']}")
