r"""Sweeps: one parameter run over a range, every frame computed by the core, for charts the browser
redraws without the server (``figures.sweeps`` packs the frames; ``animation`` exports them).

A sweep is a list of parameter values. Nothing between two values is ever interpolated: each frame is
the registry's (or the network engine's, or the softmax's) value at that parameter value, and the current
value is always one of the frames, so the chart opens exactly as the page's ordinary chart.

How many frames and how many points per curve follow the chart's width in pixels: about one slider step
per 34 px (11 to 41 frames) and one sample per 3.5 px (120 to 400 points), so a 1400 px chart gets 41
frames of 400-point curves. ``figures.sweeps`` then caps the frame count so a chart stays under
``MAX_SWEEP_BYTES`` of JSON.

URL names (read with the ``parse_*_sweep`` functions, which never raise: a bad value gives None and a
warning): ``sweep=<fn>.<param>`` on the explorer (``sweep=elu.alpha``, ``sweep=custom.beta``),
``sweep=t`` or ``sweep=z<i>`` (``z0`` is the first logit) on the softmax page, ``sweep=sigma_w``,
``sweep=bias`` or ``sweep=depth`` on the gradient-flow page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import registry
from .i18n import N_, minus, translator

ENGLISH = translator("en")

MIN_FRAMES, MAX_FRAMES = 11, 41
PX_PER_FRAME = 34.0  # one slider step per ~34 px of chart width
MIN_POINTS, MAX_POINTS = 120, 400
PX_PER_POINT = 3.5
MAX_SWEEP_BYTES = 1_800_000  # JSON of a chart with its sweep (the budget is 2 MB)
DEFAULT_WIDTH = 1400  # px: a wide-layout chart

# Softmax: temperatures as the page's select slider spans them, logits as its sliders.
TEMPERATURE_RANGE = (0.01, 100.0)
LOGIT_RANGE = (-10.0, 10.0)
# Gradient flow: the page's slider ranges; a depth sweep spans 1 … 2× the current depth (capped), since a
# 200-layer network per frame would take seconds to simulate.
GRADIENT_FLOW_RANGES = {"sigma_w": (0.1, 4.0), "bias": (-2.0, 2.0), "depth": (1, 200)}
GRADIENT_FLOW_TARGETS = tuple(GRADIENT_FLOW_RANGES)
GRADIENT_FLOW_SYMBOLS = {"sigma_w": "σ_w", "bias": "b", "depth": "L"}


@dataclass(frozen=True)
class Sweep:
    """The values one parameter takes, frame by frame; ``current`` indexes the page's present value.

    ``target`` is what the URL calls it (``elu.alpha``, ``t``, ``z0``, ``sigma_w``), ``symbol`` what the
    slider's readout shows (``α``), ``log`` whether the values are log-spaced, ``integer`` whether they
    are whole numbers (depth, training steps)."""

    target: str
    symbol: str
    values: tuple[float, ...]
    current: int
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a sweep needs at least one value")
        if not 0 <= self.current < len(self.values):
            raise ValueError(f"current frame {self.current} is outside 0…{len(self.values) - 1}")

    def __len__(self) -> int:
        return len(self.values)

    @property
    def labels(self) -> list[str]:
        """Each step's label: the value itself (``0.25``, ``30``)."""
        return [step_label(v, self.integer) for v in self.values]


def step_label(value: float, integer: bool = False) -> str:
    """'0.25', '1.5', '0.0123', '30': 3 significant digits, no trailing zeros."""
    if integer:
        return str(round(value))
    return minus(f"{value:.3g}".replace("e-0", "e-").replace("e+0", "e"))


def frame_count(width_px: float = DEFAULT_WIDTH) -> int:
    """Frames for a chart ``width_px`` wide: one step per ``PX_PER_FRAME`` px, from 11 to 41."""
    width = float(width_px) if math.isfinite(float(width_px)) else DEFAULT_WIDTH
    return int(min(max(round(width / PX_PER_FRAME), MIN_FRAMES), MAX_FRAMES))


def points_per_curve(width_px: float = DEFAULT_WIDTH) -> int:
    """Samples per curve for a chart ``width_px`` wide: one per ``PX_PER_POINT`` px, from 120 to 400."""
    width = float(width_px) if math.isfinite(float(width_px)) else DEFAULT_WIDTH
    return int(min(max(round(width / PX_PER_POINT), MIN_POINTS), MAX_POINTS))


def sweep_values(
    lo: float, hi: float, count: int, current: float, *, log: bool = False, integer: bool = False
) -> tuple[tuple[float, ...], int]:
    """``count`` values from lo to hi (log-spaced with ``log``, whole numbers with ``integer``), with the
    value nearest ``current`` replaced by ``current`` itself (clamped into [lo, hi]); returns (values,
    index of current). ``sweep_values(0, 2, 21, 1.0)`` is 0, 0.1, …, 2 with current at index 10."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi or (log and lo <= 0):
        raise ValueError(f"a sweep needs finite lo < hi (and lo > 0 on a log scale), got {lo}…{hi}")
    count = max(int(count), 2)
    current = min(max(float(current), lo), hi)
    if log:
        values = np.geomspace(lo, hi, count)
        distance = np.abs(np.log(values) - math.log(current))
    else:
        values = np.linspace(lo, hi, count)
        distance = np.abs(values - current)
    if integer:
        values = np.unique(np.round(values))
        current = float(round(current))
        distance = np.abs(values - current)
    i = int(np.argmin(distance))
    if not integer:
        values = np.round(values, 12)  # 0.30000000000000004 -> 0.3 in labels and file names
    values[i] = current
    return tuple(float(v) for v in values), i


# --- what a page sweeps, from the URL -------------------------------------------------------------------

BAD_SWEEP = N_("URL parameter “sweep” = “{raw}” is not {what}; no live sweep.")
NOT_SELECTED = N_("URL parameter “sweep” = “{raw}”: {fn} is not among the chosen activations; no live sweep.")
NO_SUCH_PARAM = N_("URL parameter “sweep” = “{raw}”: {label} has no parameter “{param}” ({params}); no live sweep.")


def _short(raw: object) -> str:
    text = str(raw).strip()
    return text if len(text) <= 40 else text[:37] + "…"


def parse_explorer_sweep(
    raw: str | None, activations: Sequence[registry.Activation], *, _: Callable[[str], str] = ENGLISH
) -> tuple[tuple[str, str] | None, str | None]:
    """``sweep=elu.alpha`` -> ((``"elu"``, ``"alpha"``), None) when ELU is among ``activations`` (the chosen
    ones, a parsed formula under the key ``custom``) and has that parameter; otherwise (None, a warning
    naming what is wrong). Missing or empty: (None, None)."""
    if raw is None or not str(raw).strip():
        return None, None
    text = str(raw).strip()
    fn, dot, param = text.lower().partition(".")
    fn, param = fn.strip(), param.strip()
    if not dot or not fn or not param:
        return None, _(BAD_SWEEP).format(
            raw=_short(text), what=_("of the form <activation>.<parameter>, e.g. elu.alpha")
        )
    chosen = {act.name: act for act in activations}
    if fn not in chosen:
        return None, _(NOT_SELECTED).format(raw=_short(text), fn=_short(fn))
    act = chosen[fn]
    names = [p.name for p in act.params]
    if param not in names:
        return None, _(NO_SUCH_PARAM).format(
            raw=_short(text), label=act.label, param=_short(param), params=", ".join(names) or "—"
        )
    return (fn, param), None


def parse_softmax_sweep(
    raw: str | None, n_logits: int, *, _: Callable[[str], str] = ENGLISH
) -> tuple[str | None, str | None]:
    """``sweep=t`` (the temperature) or ``sweep=z0`` … ``z<n-1>`` (one logit, counted from 0) -> (target,
    None); anything else -> (None, warning); missing -> (None, None)."""
    if raw is None or not str(raw).strip():
        return None, None
    text = str(raw).strip().lower()
    if text == "t":
        return "t", None
    if text.startswith("z") and text[1:].isdigit() and int(text[1:]) < n_logits:
        return f"z{int(text[1:])}", None
    what = _("t or one of z0…z{last}").format(last=n_logits - 1)
    return None, _(BAD_SWEEP).format(raw=_short(raw), what=what)


def parse_gradient_flow_sweep(raw: str | None, *, _: Callable[[str], str] = ENGLISH) -> tuple[str | None, str | None]:
    """``sweep=sigma_w``, ``bias`` or ``depth`` -> (target, None); anything else -> (None, warning)."""
    if raw is None or not str(raw).strip():
        return None, None
    text = str(raw).strip().lower()
    if text in GRADIENT_FLOW_TARGETS:
        return text, None
    return None, _(BAD_SWEEP).format(raw=_short(raw), what=" | ".join(GRADIENT_FLOW_TARGETS))


# --- the sweeps themselves ------------------------------------------------------------------------------


def explorer_sweep(
    act: registry.Activation,
    param: str,
    current: float | None = None,
    width_px: float = DEFAULT_WIDTH,
    *,
    bounds: tuple[float, float] | None = None,
    count: int | None = None,
) -> Sweep:
    """Frames over ``act``'s parameter ``param`` across its ``Param`` range (or ``bounds``, e.g. a formula's
    widened slider range), ``count`` of them (default: ``frame_count(width_px)``). Values that
    ``act.resolve`` refuses (Hardtanh with min ≥ max) are left out. Unknown parameter: ValueError."""
    spec = {p.name: p for p in act.params}.get(param)
    if spec is None:
        names = ", ".join(p.name for p in act.params) or "none"
        raise ValueError(f"{act.label} has no parameter {param!r} (its parameters: {names})")
    lo, hi = bounds or (spec.min, spec.max)
    values, i = sweep_values(lo, hi, count or frame_count(width_px), spec.default if current is None else current)
    return Sweep(f"{act.name}.{param}", spec.symbol, values, i)


def usable_values(sweep: Sweep, ok: Callable[[float], bool]) -> Sweep:
    """``sweep`` without the values ``ok`` refuses (the current one is kept: it is the page's value)."""
    keep = [k for k, v in enumerate(sweep.values) if k == sweep.current or ok(v)]
    return replace(sweep, values=tuple(sweep.values[k] for k in keep), current=keep.index(sweep.current))


def explorer_selections(
    selection: Sequence[tuple[registry.Activation, Mapping[str, float]]], fn: str, param: str, sweep: Sweep
) -> list[list[tuple[registry.Activation, dict[str, float]]]]:
    """The explorer's selection at every frame: ``fn``'s ``param`` set to the frame's value, the other
    activations as they are."""
    frames = []
    for value in sweep.values:
        frames.append([(act, {**dict(p), param: value} if act.name == fn else dict(p)) for act, p in selection])
    return frames


def softmax_sweep(
    target: str,
    logits: Sequence[float],
    temperature: float,
    width_px: float = DEFAULT_WIDTH,
    *,
    count: int | None = None,
) -> Sweep:
    """Temperatures log-spaced over ``TEMPERATURE_RANGE`` (``target="t"``) or logit i over
    ``LOGIT_RANGE`` (``target="z<i>"``), current value included."""
    n = count or frame_count(width_px)
    if target == "t":
        values, i = sweep_values(*TEMPERATURE_RANGE, n, temperature, log=True)
        return Sweep("t", "T", values, i, log=True)
    k = int(target[1:]) if target.startswith("z") and target[1:].isdigit() else -1
    if not 0 <= k < len(logits):
        raise ValueError(f"softmax sweep target must be t or z0…z{len(logits) - 1}, got {target!r}")
    values, i = sweep_values(*LOGIT_RANGE, n, float(logits[k]))
    return Sweep(target, f"z{k + 1}", values, i)


def softmax_inputs(target: str, logits: Sequence[float], temperature: float, sweep: Sweep) -> list[tuple[list, float]]:
    """(logits, temperature) at every frame of a softmax sweep."""
    if target == "t":
        return [(list(logits), v) for v in sweep.values]
    k = int(target[1:])
    return [([v if j == k else z for j, z in enumerate(logits)], temperature) for v in sweep.values]


def gradient_flow_sweep(
    target: str, current: float, width_px: float = DEFAULT_WIDTH, *, count: int | None = None
) -> Sweep:
    """σ_w, bias or depth frames over ``GRADIENT_FLOW_RANGES`` (depth: 1 … min(200, max(10, 2·current)),
    whole numbers), current value included."""
    if target not in GRADIENT_FLOW_RANGES:
        raise ValueError(
            f"gradient-flow sweep target must be one of {', '.join(GRADIENT_FLOW_TARGETS)}, got {target!r}"
        )
    lo, hi = GRADIENT_FLOW_RANGES[target]
    n = count or frame_count(width_px)
    integer = target == "depth"
    if integer:
        hi = min(hi, max(10, 2 * int(current)))
    values, i = sweep_values(lo, hi, n, current, integer=integer)
    return Sweep(target, GRADIENT_FLOW_SYMBOLS[target], values, i, integer=integer)


def gradient_flow_runs(runs: Sequence[Mapping], target: str, sweep: Sweep) -> list[list[dict]]:
    """``simulate`` keyword arguments of every run at every frame. A σ_w sweep applies to the runs with
    ``init="scaled_normal"`` (σ_w means nothing to the others, which stay as they are)."""
    frames = []
    for value in sweep.values:
        frame = []
        for kwargs in runs:
            kw = dict(kwargs)
            if target == "depth":
                kw["depth"] = int(value)
            elif target == "bias":
                kw["bias"] = float(value)
            elif kw.get("init") == "scaled_normal":
                kw["sigma_w"] = float(value)
            frame.append(kw)
        frames.append(frame)
    return frames


def simulate_frames(frames: Sequence[Sequence[Mapping]], progress: Callable[[float], None] | None = None) -> list[list]:
    """``network.simulate`` for every run of every frame (``progress(fraction done)`` after each frame)."""
    from .network import simulate

    out = []
    for k, frame in enumerate(frames):
        out.append([simulate(**kwargs) for kwargs in frame])
        if progress is not None:
            progress((k + 1) / len(frames))
    return out


# --- training: scrub through recorded steps ------------------------------------------------------------


def training_sweep(steps: Sequence[int], current: int | None = None, width_px: float = DEFAULT_WIDTH) -> Sweep:
    """Frames at recorded training steps: up to ``frame_count(width_px)`` of them, evenly spread over the
    records, first and last always included; ``current`` (default: the last) is one of them."""
    steps = [int(s) for s in steps]
    if not steps:
        raise ValueError("a training sweep needs at least one recorded step")
    n = min(frame_count(width_px), len(steps))
    picks = sorted(set(np.round(np.linspace(0, len(steps) - 1, n)).astype(int).tolist()))
    chosen = [steps[k] for k in picks]
    want = steps[-1] if current is None else int(current)
    if want not in chosen:
        chosen[int(np.argmin([abs(s - want) for s in chosen]))] = want
        chosen = sorted(set(chosen))
    return Sweep("step", "step", tuple(float(s) for s in chosen), chosen.index(want), integer=True)


def training_snapshots(cfg, steps: Iterable[int], progress: Callable[[float], None] | None = None) -> dict[int, object]:
    """Rerun the training ``cfg`` describes (deterministic: same seed, same numbers) and keep the snapshot
    (history so far and parameters then) at each of ``steps`` that is recorded."""
    from .training import iter_training

    wanted = {int(s) for s in steps}
    last = max(wanted) if wanted else 0
    kept: dict[int, object] = {}
    for snapshot in iter_training(cfg):
        step = int(snapshot.steps[-1]) if len(snapshot.steps) else -1
        if step in wanted:
            kept[step] = snapshot
            if progress is not None:
                progress(len(kept) / len(wanted))
        if step >= last or snapshot.diverged:
            break
    return kept


# --- the command line's START:STOP:COUNT -------------------------------------------------------------------

MAX_CLI_FRAMES = 241


def parse_range(spec: str) -> tuple[str, tuple[float, ...]]:
    """'alpha=0:2:21' -> ('alpha', (0.0, 0.1, …, 2.0)): COUNT evenly spaced values from START to STOP
    (both included). The name may be qualified ('elu.alpha'). Bad specs raise ValueError (one line)."""
    name, eq, rest = str(spec).strip().partition("=")
    parts = rest.split(":")
    if not eq or not name.strip() or len(parts) != 3:
        raise ValueError(f"--sweep {spec!r}: write NAME=START:STOP:COUNT, e.g. alpha=0:2:21")
    try:
        start, stop, count = float(parts[0]), float(parts[1]), float(parts[2])
    except ValueError:
        raise ValueError(f"--sweep {spec!r}: START, STOP and COUNT must be numbers") from None
    if not (math.isfinite(start) and math.isfinite(stop)) or start == stop:
        raise ValueError(f"--sweep {spec!r}: START and STOP must be finite and different")
    if not count.is_integer() or not 2 <= count <= MAX_CLI_FRAMES:
        raise ValueError(f"--sweep {spec!r}: COUNT must be a whole number from 2 to {MAX_CLI_FRAMES}")
    values = np.round(np.linspace(start, stop, int(count)), 12)
    return name.strip().lower(), tuple(float(v) + 0.0 for v in values)


def fixed_sweep(
    target: str, symbol: str, values: Sequence[float], current: float | None = None, *, integer: bool = False
) -> Sweep:
    """A sweep over exactly ``values`` (the command line's); it opens at the value nearest ``current``."""
    values = tuple(float(v) for v in values)
    i = 0 if current is None else int(np.argmin([abs(v - current) for v in values]))
    return Sweep(target, symbol, values, i, integer=integer)
