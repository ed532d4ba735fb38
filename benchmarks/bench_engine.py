"""Speed of the gradient-flow engine: ``simulate`` against PyTorch doing the same forward and backward
on the CPU, and against the bare matrix products alone, in the same run.

    python benchmarks/bench_engine.py [--repeats 9] [--activation relu]

The network is the issue's: depth 50, width 512, batch 256, float32. Every contender uses the same
weights, input and top error. Rows:

- ``simulate (weights cached)``: what the page pays for a second activation on the same network or
  a depth-slider move (layer l's weights depend on the seed and l alone, and are kept in an LRU);
- ``simulate (cold)``: the same with the weight cache cleared first, so drawing 50 × 512² weights
  with ``init_weight`` is included;
- ``torch``: ``F.linear`` + the activation per layer, then ``backward`` of the random read-out
  (weights require grad, as in training), ``torch.get_num_threads()`` threads;
- ``bare matmuls``: the 50 forward products and 99 backward products (δᵀh for ∂L/∂W, δW for ∂L/∂h)
  numpy does inside ``simulate``, with nothing else.

Ratios are of medians over interleaved repeats (the machine may be shared, so one round of each
contender runs back to back). On a busy 2-core machine OpenBLAS's threads slow each other down badly;
``OPENBLAS_NUM_THREADS=1`` (torch then gets 1 thread too) gives steadier numbers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activations.network import (
    _INPUT_STREAM,
    _TOP_ERROR_STREAM,
    _rng,
    clear_weight_cache,
    layer_weight,
    simulate,
)

DEPTH, WIDTH, BATCH = 50, 512, 256
TORCH_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "gelu", "elu": "elu"}


def _inputs(seed: int = 0):
    x = _rng(seed, _INPUT_STREAM).standard_normal((BATCH, WIDTH)).astype(np.float32)
    error = _rng(seed, _TOP_ERROR_STREAM).standard_normal((BATCH, WIDTH)).astype(np.float32)
    weights = [layer_weight("he_normal", layer, WIDTH, seed, dtype=np.float32) for layer in range(DEPTH)]
    return x, error, weights


def bare_matmuls(x: np.ndarray, error: np.ndarray, weights: list[np.ndarray]) -> None:
    hs = [x]
    for w in weights:
        hs.append(hs[-1] @ w.T)
    delta = error
    for layer in reversed(range(DEPTH)):
        _ = delta.T @ hs[layer]
        if layer:
            delta = delta @ weights[layer]


def torch_runner(activation: str, x, error, weights):
    import torch

    f = getattr(torch.nn.functional, TORCH_ACTIVATIONS[activation])
    tx, terror = torch.from_numpy(x), torch.from_numpy(error)
    tw = [torch.from_numpy(np.array(w)).requires_grad_(True) for w in weights]

    def run() -> None:
        for w in tw:
            w.grad = None
        h = tx
        for w in tw:
            h = f(torch.nn.functional.linear(h, w))
        loss = (h * terror).sum() / BATCH  # the random read-out: ∂L/∂h_L = ε / B, as in simulate
        loss.backward()

    return run


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(repeats: int = 9, activation: str = "relu") -> list[dict]:
    """Time every contender ``repeats`` times (interleaved); return one row per contender."""
    x, error, weights = _inputs()
    contenders = {
        "simulate (weights cached)": lambda: simulate(activation, DEPTH, WIDTH, BATCH, "he_normal"),
        "simulate (cold)": lambda: (clear_weight_cache(), simulate(activation, DEPTH, WIDTH, BATCH, "he_normal")),
        "bare matmuls": lambda: bare_matmuls(x, error, weights),
    }
    try:
        import torch

        if os.environ.get("OPENBLAS_NUM_THREADS"):  # compare like with like
            torch.set_num_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))
        contenders["torch"] = torch_runner(activation, x, error, weights)
        torch_threads = torch.get_num_threads()
    except ImportError:
        torch_threads = None
    for fn in contenders.values():  # warm up: BLAS threads, torch's allocator, the weight cache
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            if name == "simulate (weights cached)":
                layer_weight("he_normal", 0, WIDTH, 0)  # make sure the cache is warm after a cold run
                _inputs()
            times[name].append(_time(fn))
    medians = {name: statistics.median(t) for name, t in times.items()}
    rows = []
    for name, median in medians.items():
        rows.append(
            {
                "benchmark": f"engine {activation} depth {DEPTH} width {WIDTH} batch {BATCH} float32",
                "contender": name,
                "median_s": median,
                "min_s": min(times[name]),
                "ratio_vs_torch": median / medians["torch"] if "torch" in medians else None,
                "ratio_vs_matmuls": median / medians["bare matmuls"],
                "torch_threads": torch_threads,
                "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                "cpus": os.cpu_count(),
            }
        )
    return rows


def _print(rows: list[dict]) -> None:
    first = rows[0]
    print(
        first["benchmark"],
        f"(cpus {first['cpus']}, OpenBLAS threads {first['blas_threads']}, torch threads {first['torch_threads']})",
    )
    print(f"{'contender':28s} {'median ms':>10s} {'min ms':>8s} {'÷ torch':>8s} {'÷ matmuls':>10s}")
    for row in rows:
        vs_torch = f"{row['ratio_vs_torch']:.2f}" if row["ratio_vs_torch"] is not None else "—"
        print(
            f"{row['contender']:28s} {1e3 * row['median_s']:10.1f} {1e3 * row['min_s']:8.1f} "
            f"{vs_torch:>8s} {row['ratio_vs_matmuls']:10.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--activation", default="relu", choices=sorted(TORCH_ACTIVATIONS))
    args = parser.parse_args()
    _print(main(args.repeats, args.activation))
