"""How often each preset's claim holds over seeds 0–15 (the bracketed counts in README.md), for the
Training Lab presets added with the unified engine and the gradient-flow presets.

    python benchmarks/preset_seeds.py [--seeds 16] [--only dying_relu_digits,residual_rescue]

Slow (minutes: two training runs per seed and preset); the default test suite checks each claim on the
preset's own seed only (tests/test_presets_engine.py), with the same ``CLAIMS``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activations.network import PRESETS as FLOW_PRESETS
from activations.network import simulate
from activations.training import PRESET_COMPARE, PRESETS, TrainResult, train


def _dying(relu: TrainResult, leaky: TrainResult) -> tuple[bool, str]:
    """The issue's claim: ReLU loses ≥ 40% of its units (dead on every training image), Leaky ReLU with the
    same seed does not and learns the digits (≥ 85% on the training set)."""
    ok = relu.overall_dead_fraction() >= 0.40 and leaky.overall_dead_fraction() < 0.40 and leaky.accuracy[-1] >= 0.85
    return ok, (
        f"ReLU {relu.overall_dead_fraction():.0%} dead, accuracy {relu.accuracy[-1]:.1%} "
        f"(test {relu.test_accuracy[-1]:.1%}); Leaky ReLU {leaky.overall_dead_fraction():.0%} dead, "
        f"{leaky.accuracy[-1]:.1%} (test {leaky.test_accuracy[-1]:.1%})"
    )


def _residual(plain: TrainResult, residual: TrainResult) -> tuple[bool, str]:
    ok = plain.accuracy[-1] <= 0.6 and residual.accuracy[-1] >= 0.9
    return ok, f"plain {plain.accuracy[-1]:.1%}, residual {residual.accuracy[-1]:.1%}"


def _he_xavier(he: TrainResult, xavier: TrainResult) -> tuple[bool, str]:
    ok = he.accuracy[-1] >= 0.9 and xavier.accuracy[-1] <= 0.6
    return ok, f"He {he.accuracy[-1]:.1%}, Xavier {xavier.accuracy[-1]:.1%}"


# preset → claim(preset run, compare run) -> (holds, what was measured)
CLAIMS: dict[str, Callable[[TrainResult, TrainResult], tuple[bool, str]]] = {
    "dying_relu_digits": _dying,
    "residual_rescue": _residual,
    "he_vs_xavier_deep": _he_xavier,
}


def training_claim(key: str, seed: int | None = None) -> tuple[bool, str]:
    """The claim on the preset's own seed (``seed=None``) or another, with one BLAS thread: on a shared
    2-core machine OpenBLAS's threads waiting for a busy core made the digits runs 50× slower."""
    cfg = PRESETS[key] if seed is None else dataclasses.replace(PRESETS[key], seed=seed)
    with threadpool_limits(limits=1, user_api="blas"):
        return CLAIMS[key](train(cfg), train(dataclasses.replace(cfg, **PRESET_COMPARE[key])))


def _geometric_factor(norms: np.ndarray) -> float:
    return math.exp(float(np.mean(np.log(norms[:-1] ** 2 / norms[1:] ** 2))))


def _flow_runs(preset, seed: int | None) -> dict:
    return {
        arch: simulate(
            preset.activations[0],
            preset.depth,
            preset.width,
            preset.batch,
            preset.inits[0],
            seed=preset.seed if seed is None else seed,
            architecture=arch,
        )
        for arch in preset.architectures
    }


def flow_claim(key: str, seed: int | None = None) -> tuple[bool, str]:
    """batchnorm_explodes: the BN-ReLU net's squared weight gradient grows toward the input by about
    π/(π−1) per layer (within 3%), the plain He net's stays within 10% of 1; residual: the plain sigmoid net
    loses ≥ 10¹⁰ in ‖∂L/∂z‖ from top to layer 1, the residual one keeps it within a factor 100."""
    preset = FLOW_PRESETS[key]
    with threadpool_limits(limits=1, user_api="blas"):
        runs = _flow_runs(preset, seed)
    if key == "batchnorm_explodes":
        bn, plain = _geometric_factor(runs["batchnorm"].grad_norm), _geometric_factor(runs["plain"].grad_norm)
        ok = abs(bn / (math.pi / (math.pi - 1)) - 1) < 0.03 and abs(plain - 1) < 0.1
        return ok, f"BatchNorm ×{bn:.3f} per layer, plain ×{plain:.3f}"
    drop = {a: r.log10_grad_z_norm[0] - r.log10_grad_z_norm[-1] for a, r in runs.items()}
    ok = drop["plain"] <= -10 and abs(drop["residual"]) <= 2
    return ok, f"layer 1 vs top, log10 ‖∂L/∂z‖: plain {drop['plain']:.1f}, residual {drop['residual']:+.2f}"


FLOW_CLAIMS = ("batchnorm_explodes", "residual")


def main(seeds: int = 16, only: tuple[str, ...] = ()) -> None:
    for key in (*CLAIMS, *FLOW_CLAIMS):
        if only and key not in only:
            continue
        claim = training_claim if key in CLAIMS else flow_claim
        held = 0
        for seed in range(seeds):
            ok, text = claim(key, seed)
            held += ok
            print(f"{key} seed {seed}: {'holds' if ok else 'FAILS'} · {text}", flush=True)
        print(f"{key}: {held}/{seeds}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    main(args.seeds, tuple(filter(None, args.only.split(","))))
