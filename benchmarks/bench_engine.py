"""Speed of the gradient-flow engine: ``simulate`` against PyTorch doing the same forward and backward
on the CPU, and against the bare matrix products alone, in the same run.

    python -m benchmarks --only engine [--quick]
    python benchmarks/bench_engine.py [--quick] [--activation relu]

The network is the issue's: depth 50, width 512, batch 256, float32; and the same at batch 128. Every
contender uses the same weights, input and top error. Contenders:

- ``simulate`` warm (weights cached): what the page pays for a second activation on the same network
  or a depth or bias slider move (layer l's weights depend on the seed and l alone, and are kept in an
  LRU);
- ``simulate`` cold: the same with the weight cache cleared first, so drawing 50 × 512² weights with
  ``init_weight`` is included (drawn in float64 and rounded, so a float32 and a float64 run see the
  same network; the draws run side by side on the cores);
- PyTorch warm: ``F.linear`` + the activation per layer, then ``backward`` of the random read-out
  (weights require grad, as in training); PyTorch cold: the same after drawing its weights with
  ``torch.randn`` (float32);
- bare matmuls: the 50 forward products and 99 backward products (δᵀh for ∂L/∂W, δW for ∂L/∂h) of
  the direct form, with nothing else (below half the width ``simulate`` takes ‖∂L/∂W‖ from two Gram
  matrices instead, ``engine.weight_gradient_norm``, and can beat this baseline); for the cold rows,
  after drawing the 50 weight matrices with ``init_weight`` one after the other (the work a cold run
  cannot avoid).

``simulate`` computes more than the matmuls: f and f′ per layer, per-layer statistics (means,
variances, percentile bands, dead and saturated units, the activity map), the renormalised backward
pass and the mean-field prediction; the ratios say what all of that costs.

Clock (``clock_for``): the warm contenders by process CPU time, the cold ones by wall time (their
weight draws run on several threads).

Threads: one BLAS thread and one PyTorch thread, as the app server runs the engine (OpenBLAS held to
one thread, several networks side by side; see ``ui/networks.py``). On a shared 2-core machine
OpenBLAS's own threads waiting for a busy core slow a run down by up to 20×, which says nothing about
the engine. Contenders run in interleaved rounds, so a change in the machine's load hits all alike;
every value is a median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `activations` and `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activations.init import init_weight
from activations.network import (
    _INPUT_STREAM,
    _LAYER_STREAM,
    _TOP_ERROR_STREAM,
    _rng,
    clear_weight_cache,
    layer_weights,
    simulate,
)
from benchmarks import row

DEPTH, WIDTH, BATCH = 50, 512, 256
TORCH_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "gelu", "elu": "elu"}
GOAL_WARM = 0.8  # issue 14: simulate warm at ≤ 0.8× PyTorch CPU


def _inputs(seed: int = 0, batch: int = BATCH):
    x = _rng(seed, _INPUT_STREAM).standard_normal((batch, WIDTH)).astype(np.float32)
    error = _rng(seed, _TOP_ERROR_STREAM).standard_normal((batch, WIDTH)).astype(np.float32)
    weights = layer_weights("he_normal", range(DEPTH), WIDTH, seed, dtype=np.float32)
    return x, error, weights


def bare_matmuls(x: np.ndarray, error: np.ndarray, weights: list[np.ndarray]) -> None:
    """The products simulate does: z_l = h_{l-1} W_lᵀ forward; δ_lᵀ h_{l-1} and δ_l W_l backward."""
    hs = [x]
    for w in weights:
        hs.append(hs[-1] @ w.T)
    delta = error
    for layer in reversed(range(DEPTH)):
        _ = delta.T @ hs[layer]
        if layer:
            delta = delta @ weights[layer]


def draw_weights(seed: int = 0) -> list[np.ndarray]:
    """The 50 He-normal weight matrices simulate draws, one after the other, uncached."""
    return [
        init_weight("he_normal", WIDTH, WIDTH, _rng(seed, _LAYER_STREAM, layer), dtype=np.float32)
        for layer in range(DEPTH)
    ]


def torch_runners(activation: str, x, error, weights) -> tuple[Callable[[], None], Callable[[], None]]:
    batch = x.shape[0]
    """(warm, cold) PyTorch forward + backward of the same network; cold draws its weights first."""
    import torch

    f = getattr(torch.nn.functional, TORCH_ACTIVATIONS[activation])
    tx, terror = torch.from_numpy(x), torch.from_numpy(error)
    fixed = [torch.from_numpy(np.array(w)).requires_grad_(True) for w in weights]
    std = float(np.sqrt(2.0 / WIDTH))

    def forward_backward(tw) -> None:
        h = tx
        for w in tw:
            h = f(torch.nn.functional.linear(h, w))
        loss = (h * terror).sum() / batch  # the random read-out: ∂L/∂h_L = ε / B, as in simulate
        loss.backward()

    def warm() -> None:
        for w in fixed:
            w.grad = None
        forward_backward(fixed)

    def cold() -> None:
        forward_backward([(torch.randn(WIDTH, WIDTH) * std).requires_grad_(True) for _ in range(DEPTH)])

    return warm, cold


def _time(fn: Callable[[], object], clock: Callable[[], float] = time.process_time) -> float:
    """Seconds ``fn`` took by ``clock``: by default the CPU time of the process (all its threads)."""
    start = clock()
    fn()
    return clock() - start


def clock_for(name: str) -> Callable[[], float]:
    """Warm contenders run on one thread: CPU time, which on an idle machine is their wall time and on a
    shared one leaves out the moments other users had the core (the load average here reaches 10–40 on
    2 cores). Cold ones by wall time: ``simulate`` draws its weights on several threads at once."""
    return time.perf_counter if "cold" in name or "draws" in name else time.process_time


def measure(repeats: int, activation: str = "relu", batch: int = BATCH) -> dict[str, list[float]]:
    """Seconds per call of every contender, ``repeats`` interleaved rounds after one warm-up round."""
    x, error, weights = _inputs(batch=batch)
    contenders: dict[str, Callable[[], object]] = {
        "simulate warm": lambda: simulate(activation, DEPTH, WIDTH, batch, "he_normal"),
        "simulate cold": lambda: (clear_weight_cache(), simulate(activation, DEPTH, WIDTH, batch, "he_normal")),
        "bare matmuls": lambda: bare_matmuls(x, error, weights),
        "bare draws + matmuls": lambda: bare_matmuls(x, error, draw_weights()),
    }
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.set_num_threads(1)
        contenders["torch warm"], contenders["torch cold"] = torch_runners(activation, x, error, weights)
    for fn in contenders.values():  # warm-up: allocators, the weight cache, imports
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            if name == "simulate warm":
                _inputs(batch=batch)  # the cold contender cleared the cache: refill it, untimed
            times[name].append(_time(fn, clock_for(name)))
    return times


def rows_from(times: dict[str, list[float]], activation: str, note: str, batch: int = BATCH) -> list[dict]:
    ms = {name: 1e3 * statistics.median(t) for name, t in times.items()}
    n = len(times["bare matmuls"])
    size = f"depth {DEPTH} × width {WIDTH} × batch {batch}, float32"
    out = []
    for state in ("warm", "cold"):
        ours = ms[f"simulate {state}"]
        detail = f"{size}, {activation}, median of {n} interleaved; {note}"
        if f"torch {state}" in ms:
            out.append(
                row(
                    f"gradient-flow engine {state}: simulate vs PyTorch CPU forward+backward",
                    ours,
                    "ms",
                    baseline=f"PyTorch CPU ({state})",
                    baseline_value=ms[f"torch {state}"],
                    max_ratio=GOAL_WARM if state == "warm" else 1.2,
                    note=detail,
                )
            )
        else:
            name = f"gradient-flow engine {state}: simulate"
            out.append(row(name, ours, "ms", note=f"{detail}; torch not installed"))
        bare = "bare matmuls" if state == "warm" else "bare draws + matmuls"
        out.append(
            row(
                f"gradient-flow engine {state}: simulate vs its bare matmuls",
                ours,
                "ms",
                baseline="numpy matmuls alone" if state == "warm" else "init_weight draws + numpy matmuls",
                baseline_value=ms[bare],
                max_ratio=1.5,
                note=detail,
            )
        )
    return out


def main(quick: bool = False, activation: str = "relu", batches: tuple[int, ...] = (BATCH, 128)) -> list[dict]:
    """Rows in the format of ``benchmarks/__init__.py``: warm and cold, against PyTorch and the matmuls, at
    the issue's batch of 256 and at 128 (below half the width, where ‖∂L/∂W‖ comes from Gram matrices)."""
    from threadpoolctl import threadpool_limits

    rows = []
    for batch in batches:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        with threadpool_limits(limits=1, user_api="blas"):
            times = measure(3 if quick else 15, activation, batch)
        note = f"1 BLAS and 1 torch thread, {os.cpu_count()} cpus, load {load:.2f} at start"
        rows += rows_from(times, activation, note, batch)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--activation", default="relu", choices=sorted(TORCH_ACTIVATIONS))
    args = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(main(args.quick, args.activation))
