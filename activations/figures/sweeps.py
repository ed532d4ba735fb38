"""Sweeps packed into figures: frames the browser plays and scrubs through without the server.

Each frame is a whole figure built by the page's ordinary builder at one parameter value (the core's
numbers at that value, never interpolated). ``pack_sweep`` takes the figure at the current value as the
figure's own data and layout, keeps in every Plotly frame only what changes across the sweep (the
curves' samples, the kink dots, the shaded regions, the labels: whatever differs in any frame), fixes the
axis ranges to what every frame needs, and adds an in-figure slider (``layout.sliders``, one ``animate``
step per frame, labelled with the value) and a play/pause button (``updatemenus``). Numeric arrays are
float32, which Plotly serialises as base64 typed arrays.

plotly.js moves between frames in the browser: dragging the slider or pressing play sends nothing to
the server. Scatter and bar charts animate with ``redraw: false`` (the fast path); heatmaps need a redraw.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .. import sweeps as core
from ..i18n import N_, translator
from ..sweeps import Sweep
from .style import log_ticks, make_figure

# What a page says under a swept chart (``_(SWEEP_CAPTION).format(symbol=sweep.symbol)``).
SWEEP_CAPTION = N_(
    "Drag the slider under the chart, or press ▶ Play, to move {symbol} in your browser: every frame was "
    "computed beforehand by the same code as the chart, nothing is interpolated. The controls set the exact "
    "value; a link or an export carries that value and the sweep."
)
SLIDER_SPACE = 110  # px added under the plot for the play button and the slider
FRAME_MS = 120  # play speed: one frame every 120 ms
NUMERIC_KEYS = ("x", "y", "z", "customdata")
FAST_TRACES = {"scatter", "bar"}  # trace types plotly.js animates without a full redraw
RANGE_PAD = 0.05


def _spec(fig: go.Figure | Mapping) -> dict:
    """A figure as plain data: a ``(traces, layout)`` pair, a ``{"data", "layout"}`` dict or a go.Figure."""
    if isinstance(fig, tuple):
        return {"data": list(fig[0]), "layout": dict(fig[1])}
    if isinstance(fig, go.Figure):
        from ..themes import _decode_arrays

        return _decode_arrays(fig.to_dict())
    return {"data": list(fig.get("data", [])), "layout": dict(fig.get("layout", {}))}


def _trace_key(trace: Mapping) -> tuple:
    """What identifies a trace across frames: not its name (which may carry the parameter's value)."""
    return (
        trace.get("type", "scatter"),
        trace.get("legendgroup"),
        trace.get("xaxis", "x"),
        trace.get("yaxis", "y"),
        trace.get("mode"),
    )


def _keyed(traces: Sequence[Mapping]) -> dict[tuple, Mapping]:
    seen: dict[tuple, int] = {}
    out = {}
    for trace in traces:
        key = _trace_key(trace)
        seen[key] = seen.get(key, 0) + 1
        out[(*key, seen[key])] = trace
    return out


def _as_float32(value):
    """Numbers as a float32 array (typed base64 in the JSON); anything else unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        return value.astype(np.float32)
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return np.asarray(value, dtype=np.float32)
    if isinstance(value, list) and value and all(isinstance(v, list | np.ndarray) for v in value):
        try:
            return np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError):
            return value
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            a_, b_ = np.asarray(a), np.asarray(b)
            if a_.dtype.kind in "fiub" and b_.dtype.kind in "fiub":
                return a_.shape == b_.shape and bool(np.array_equal(a_, b_, equal_nan=True))
            return a_.shape == b_.shape and bool(np.all(a_ == b_))
        except (TypeError, ValueError):
            return False
    return a == b


def _empty_like(trace: Mapping) -> dict:
    """A trace that draws nothing but has the same style (for frames where it is absent)."""
    out = dict(trace)
    for key in (*NUMERIC_KEYS, "text"):
        if key in out:
            out[key] = np.zeros(0, dtype=np.float32) if key in NUMERIC_KEYS else []
    return out


_HIDDEN_ANNOTATION = {
    "text": "",
    "visible": False,
    "showarrow": False,
    "x": 0,
    "y": 0,
    "xref": "paper",
    "yref": "paper",
}
_HIDDEN_SHAPE = {"type": "line", "visible": False, "x0": 0, "x1": 0, "y0": 0, "y1": 0, "xref": "paper", "yref": "paper"}


def _pad(items: list, length: int, hidden: dict) -> list:
    return list(items) + [dict(hidden) for _ in range(length - len(items))]


def _axis_ref_key(ref: str, kind: str) -> str:
    """'x2' -> 'xaxis2', 'y' -> 'yaxis'."""
    return f"{kind}axis" + ref[1:]


def _finite(values, log: bool) -> np.ndarray:
    try:
        a = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return np.zeros(0)
    a = a[np.isfinite(a)]
    if log:
        a = a[a > 0]
        return np.log10(a) if a.size else a
    return a


def fixed_ranges(frames: Sequence[dict], layout: Mapping) -> dict[str, list[float]]:
    """For each numeric axis that has no explicit range: the range that shows every frame's data, padded
    by 5% (log axes in log10 units, as Plotly takes them). A chart whose axes jumped from frame to frame
    would hide what the sweep shows (the gradient line tilting)."""
    ranges: dict[str, list[float]] = {}
    for kind in ("x", "y"):
        collected: dict[str, list[np.ndarray]] = {}
        for spec in frames:
            for trace in spec["data"]:
                if trace.get("type", "scatter") not in FAST_TRACES or trace.get("visible") is False:
                    continue
                key = _axis_ref_key(trace.get(f"{kind}axis", kind), kind)
                axis = layout.get(key, {}) or {}
                if axis.get("range") is not None or axis.get("type") == "category":
                    continue
                values = trace.get(kind)
                if values is None:
                    continue
                if trace.get("type") == "bar" and kind == "y":
                    values = np.append(np.asarray(values, dtype=np.float64), 0.0)
                collected.setdefault(key, []).append(_finite(values, axis.get("type") == "log"))
        for key, arrays in collected.items():
            a = np.concatenate(arrays) if arrays else np.zeros(0)
            if a.size == 0 or (isinstance(a[0], str)):
                continue
            lo, hi = float(np.min(a)), float(np.max(a))
            span = hi - lo if hi > lo else max(abs(hi), 1.0)
            ranges[key] = [lo - RANGE_PAD * span, hi + RANGE_PAD * span]
    return ranges


def shared_axis_ranges(layouts: Sequence[dict]) -> None:
    """Give every frame the same range on each axis whose explicit range differs between frames: the
    range that holds all of them (log axes re-labelled in whole decades over it, ``style.log_ticks``).
    Builders fit a log axis to their own frame's data; left so, the axis would follow the data and the
    sweep would show a line whose tilt never changes under tick labels that do."""
    keys = {key for lay in layouts for key in lay if key[1:5] == "axis" and key[0] in "xy"}
    for key in sorted(keys):
        axes = [lay.get(key) or {} for lay in layouts]
        ranges = [a.get("range") for a in axes]
        if any(r is None for r in ranges) or all(list(r) == list(ranges[0]) for r in ranges):
            continue
        low, high = min(float(r[0]) for r in ranges), max(float(r[1]) for r in ranges)
        shared: dict = {"range": [low, high]}
        if axes[0].get("type") == "log" and any("tickvals" in a for a in axes):
            labels = min(6, max(5, *(len(a.get("tickvals") or ()) for a in axes)))  # as the builders label
            shared.update(log_ticks(10.0 ** np.array([low, high]), labels))
        for lay, axis in zip(layouts, axes, strict=True):
            lay[key] = {**axis, **shared}


def pack_sweep(
    frames: Sequence[go.Figure | Mapping | tuple],
    sweep: Sweep,
    *,
    lang: str = "en",
    redraw: bool | None = None,
    frame_ms: int = FRAME_MS,
    slider_space: int = SLIDER_SPACE,
) -> go.Figure:
    """One figure holding every frame of ``sweep`` (``frames[k]`` is the ordinary figure at
    ``sweep.values[k]``), with an in-figure slider and a play/pause button. The figure's own data are the
    current frame's: with the slider untouched it shows what the page's ordinary figure shows."""
    if len(frames) != len(sweep):
        raise ValueError(f"{len(frames)} frames for a sweep of {len(sweep)} values")
    _ = translator(lang)
    specs = [_spec(f) for f in frames]
    base = specs[sweep.current]
    keyed = [_keyed(spec["data"]) for spec in specs]
    keys: list[tuple] = list(keyed[sweep.current])
    for k in keyed:
        keys.extend(key for key in k if key not in keys)
    templates = {key: next(k[key] for k in keyed if key in k) for key in keys}
    per_frame = [[k.get(key) or _empty_like(templates[key]) for key in keys] for k in keyed]

    # What changes: any top-level trace key that differs from the base frame in some frame.
    base_traces = per_frame[sweep.current]
    changing: list[list[str]] = []
    for i, trace in enumerate(base_traces):
        names = sorted(
            {name for frame in per_frame for name in frame[i] if not _same(frame[i].get(name), trace.get(name))}
        )
        changing.append(names)

    layouts = [spec["layout"] for spec in specs]
    shared_axis_ranges(layouts)
    layout = copy.deepcopy(base["layout"])
    varying = sorted(
        {key for lay in layouts for key in set(lay) | set(layout) if not _same(lay.get(key), base["layout"].get(key))}
    )
    lengths = {key: max(len(lay.get(key) or []) for lay in layouts) for key in ("annotations", "shapes")}
    hidden = {"annotations": _HIDDEN_ANNOTATION, "shapes": _HIDDEN_SHAPE}

    def frame_layout(lay: Mapping) -> dict:
        out = {}
        for key in varying:
            if key in hidden:
                out[key] = _pad(lay.get(key) or [], lengths[key], hidden[key])
            elif key in lay:
                out[key] = lay[key]
        return out

    for key in ("annotations", "shapes"):
        if key in varying:
            layout[key] = _pad(layout.get(key) or [], lengths[key], hidden[key])

    ranges = fixed_ranges([{"data": frame} for frame in per_frame], layout)
    for key, r in ranges.items():
        layout.setdefault(key, {})
        layout[key] = {**layout[key], "range": r, "autorange": False}

    data = [{k: _as_float32(v) if k in NUMERIC_KEYS else v for k, v in trace.items()} for trace in base_traces]
    fast = all(t.get("type", "scatter") in FAST_TRACES for t in data)
    redraw = (not fast) if redraw is None else redraw
    plotly_frames = []
    for k, frame in enumerate(per_frame):
        frame_data = [
            {
                "type": t.get("type", "scatter"),
                **{n: _as_float32(t.get(n)) if n in NUMERIC_KEYS else t.get(n) for n in names},
            }
            for t, names in zip(frame, changing, strict=True)
        ]
        entry = {"name": f"f{k}", "data": frame_data, "traces": list(range(len(frame_data)))}
        lay = frame_layout(layouts[k])
        if lay:
            entry["layout"] = lay
        plotly_frames.append(entry)

    labels = sweep.labels
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}
    layout["sliders"] = [
        {
            "active": sweep.current,
            "currentvalue": {"prefix": f"{sweep.symbol} = ", "visible": True, "xanchor": "left"},
            "pad": {"t": 60, "b": 10},  # clear of the x axis's tick labels and title
            "len": 0.8,
            "x": 0.2,  # right of the Play and Pause buttons
            "y": 0,
            "yanchor": "top",
            "transition": {"duration": 0},
            "steps": [
                {"method": "animate", "label": label, "args": [[f"f{k}"], step_args]} for k, label in enumerate(labels)
            ],
        }
    ]
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "left",
            "showactive": False,
            "x": 0.0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"t": 75, "r": 10},
            "buttons": [
                {
                    "label": "▶ " + _("Play"),
                    "method": "animate",
                    "args": [
                        None,
                        {
                            "mode": "immediate",
                            "fromcurrent": True,
                            "frame": {"duration": frame_ms, "redraw": redraw},
                            "transition": {"duration": 0},
                        },
                    ],
                },
                {"label": "❚❚ " + _("Pause"), "method": "animate", "args": [[None], step_args]},
            ],
        }
    ]
    frame_notes = [(f.get("layout") or {}).get("annotations") or [] for f in plotly_frames]
    for notes in [layout.get("annotations") or [], *frame_notes]:
        _below_slider(notes, slider_space)
    margin = dict(layout.get("margin") or {})
    margin["b"] = (margin.get("b") or 50) + slider_space
    layout["margin"] = margin
    if layout.get("height"):
        layout["height"] = layout["height"] + slider_space
    layout.pop("template", None)
    layout["meta"] = {
        "sweep": {
            "target": sweep.target,
            "symbol": sweep.symbol,
            "values": list(sweep.values),
            "slider_space": slider_space,
        }
    }
    fig = make_figure(data, layout)
    fig.frames = [go.Frame(**f) for f in plotly_frames]
    return fig


def figure_bytes(fig: go.Figure) -> int:
    """The size of the figure's JSON as the page sends it."""
    return len(fig.to_json())


# --- one function per page ------------------------------------------------------------------------------


def explorer_sweep_figure(
    selection: Sequence[tuple],
    fn: str,
    param: str,
    x_range: tuple[float, float] = (-5.0, 5.0),
    *,
    width_px: float = core.DEFAULT_WIDTH,
    show_second: bool = False,
    annotate: Sequence[str] = ("dead", "kinks", "peak", "saturation"),
    lang: str = "en",
    bounds: tuple[float, float] | None = None,
    count: int | None = None,
    n_points: int | None = None,
    values: Sequence[float] | None = None,
    budget: int | None = core.MAX_SWEEP_BYTES,
) -> go.Figure:
    """The explorer's figure with ``fn``'s parameter ``param`` live: ``selection`` is [(activation or
    registry key, parameters)] as the page draws it (a parsed formula under ``custom``), ``bounds`` the
    slider range when it is not the parameter's own (a formula's widened range). Frames over that range,
    as many as ``width_px`` calls for (``core.frame_count``) and fit in ``MAX_SWEEP_BYTES``; the current
    value (the selection's) is the figure's initial state."""
    from .. import registry
    from .explorer import function_spec, sample_curve

    acts = [registry.get(a) for a, _p in selection]
    chosen = [(act, act.resolve(p)) for act, (_a, p) in zip(acts, selection, strict=True)]
    target = {a.name: a for a in acts}.get(fn)
    if target is None:
        raise ValueError(f"{fn!r} is not among the chosen activations")
    current = dict(chosen)[target][param] if param in dict(chosen)[target] else None
    points = n_points or core.points_per_curve(width_px)
    symbols = {act.name: {p.name: p.symbol for p in act.params} for act in acts}

    def build(frame_selection):
        curves = [sample_curve(act, p, *x_range, n_points=points, second=show_second) for act, p in frame_selection]
        return function_spec(curves, symbols, show_second=show_second, annotate=annotate, lang=lang)

    def valid(value: float) -> bool:
        try:
            target.resolve({**dict(chosen)[target], param: value})
            return True
        except ValueError:
            return False

    if values is not None:  # exactly these (the command line's START:STOP:COUNT)
        symbol = {p.name: p.symbol for p in target.params}.get(param)
        if symbol is None:
            raise ValueError(f"{target.label} has no parameter {param!r}")
        sweep = core.fixed_sweep(f"{target.name}.{param}", symbol, values, current)
    else:
        sweep = core.explorer_sweep(target, param, current, width_px, bounds=bounds, count=count)
    sweep = core.usable_values(sweep, valid)
    frames = [build(sel) for sel in core.explorer_selections(chosen, fn, param, sweep)]
    return pack_within(frames, sweep, budget, lang=lang)


def pack_within(frames: Sequence, sweep: Sweep, budget: int | None = core.MAX_SWEEP_BYTES, **options) -> go.Figure:
    """``pack_sweep``, with frames left out evenly (the current one and the ends kept) until the figure's
    JSON is under ``budget`` bytes: the honest cap on what a chart sends to the browser (None: no cap,
    for exports that asked for a number of frames)."""
    fig = pack_sweep(frames, sweep, **options)
    if budget is None:
        return fig
    size = figure_bytes(fig)
    while size > budget and len(sweep) > 2:
        n = max(2, min(len(sweep) - 1, int(len(sweep) * budget / size * 0.95)))
        kept = thin(sweep, n)
        index = {v: k for k, v in enumerate(sweep.values)}
        frames = [frames[index[v]] for v in kept.values]
        sweep = kept
        fig = pack_sweep(frames, sweep, **options)
        size = figure_bytes(fig)
    return fig


def thin(sweep: Sweep, n: int) -> Sweep:
    """At most ``n`` of the sweep's values, evenly spread, the current one kept."""
    if len(sweep) <= n:
        return sweep
    picks = set(np.round(np.linspace(0, len(sweep) - 1, n)).astype(int).tolist())
    nearest = min(picks, key=lambda k: abs(k - sweep.current))
    picks.discard(nearest)
    picks.add(sweep.current)
    order = sorted(picks)
    return Sweep(
        sweep.target,
        sweep.symbol,
        tuple(sweep.values[k] for k in order),
        order.index(sweep.current),
        sweep.log,
        sweep.integer,
    )


SOFTMAX_FIGURES = ("bars", "jacobian", "temperature")


def softmax_sweep_figure(
    figure: str,
    logits: Sequence[float],
    temperature: float,
    target: str,
    *,
    width_px: float = core.DEFAULT_WIDTH,
    lang: str = "en",
    count: int | None = None,
) -> go.Figure:
    """One of the softmax page's figures (``figure`` in SOFTMAX_FIGURES) with the temperature (``target="t"``,
    log-spaced frames) or logit ``z<i>`` live."""
    from . import softmax as sm

    builders: dict[str, Callable] = {
        "bars": sm.bars_figure,
        "jacobian": sm.jacobian_figure,
        "temperature": sm.temperature_figure,
    }
    if figure not in builders:
        raise ValueError(f"unknown softmax figure {figure!r}; valid: {', '.join(SOFTMAX_FIGURES)}")
    sweep = core.softmax_sweep(target, logits, temperature, width_px, count=count)
    frames = [builders[figure](z, t, lang) for z, t in core.softmax_inputs(target, logits, temperature, sweep)]
    return pack_within(frames, sweep, lang=lang)


GRADIENT_FLOW_FIGURES = ("gradients", "factors", "dead")
MAX_GRADIENT_FLOW_FRAMES = 21  # each frame simulates every network on the page


def gradient_flow_sweep_figure(
    runs: Sequence[Mapping],
    target: str,
    *,
    figure: str = "gradients",
    width_px: float = core.DEFAULT_WIDTH,
    lang: str = "en",
    count: int | None = None,
    labels: Sequence[str] | None = None,
    progress: Callable[[float], None] | None = None,
    stats: tuple[Sweep, list[list]] | None = None,
    values: Sequence[float] | None = None,
    budget: int | None = core.MAX_SWEEP_BYTES,
) -> go.Figure:
    """The gradient-flow page's figure (``gradients``: measured ‖∂L/∂z‖, ‖∂L/∂W‖ and the mean-field line;
    ``factors``; ``dead``) with σ_w, the bias or the depth live. ``runs`` are the ``network.simulate``
    keyword arguments of the page's networks; every frame simulates them all at the frame's value
    (``progress(fraction)`` after each frame), at most MAX_GRADIENT_FLOW_FRAMES frames. ``stats`` (the
    simulated frames, from ``sweep_stats``) skips the simulation, e.g. when the page caches it."""
    from . import gradient_flow as gf

    builders = {
        "gradients": gf.gradient_norm_figure,
        "factors": gf.layer_factor_figure,
        "dead": gf.dead_saturated_figure,
    }
    if figure not in builders:
        raise ValueError(f"unknown gradient-flow figure {figure!r}; valid: {', '.join(GRADIENT_FLOW_FIGURES)}")
    if stats is None:
        stats = sweep_stats(runs, target, width_px=width_px, count=count, progress=progress, values=values)
    sweep, results = stats
    frames = [builders[figure](frame, lang=lang, labels=labels) for frame in results]
    return pack_within(frames, sweep, budget, lang=lang)


def sweep_stats(
    runs: Sequence[Mapping],
    target: str,
    *,
    width_px: float = core.DEFAULT_WIDTH,
    count: int | None = None,
    progress: Callable[[float], None] | None = None,
    values: Sequence[float] | None = None,
) -> tuple[Sweep, list[list]]:
    """The gradient-flow sweep and its simulated frames (``network.Stats`` per run per frame)."""
    if not runs:
        raise ValueError("a gradient-flow sweep needs at least one network")
    current = {
        "sigma_w": runs[0].get("sigma_w") or 1.0,
        "bias": runs[0].get("bias", 0.0),
        "depth": runs[0].get("depth", 50),
    }
    if target not in current:
        raise ValueError(f"gradient-flow sweep target must be one of {', '.join(core.GRADIENT_FLOW_TARGETS)}")
    n = count or min(core.frame_count(width_px), MAX_GRADIENT_FLOW_FRAMES)
    if values is not None:
        symbol = core.GRADIENT_FLOW_SYMBOLS[target]
        sweep = core.fixed_sweep(target, symbol, values, current[target], integer=target == "depth")
    else:
        sweep = core.gradient_flow_sweep(target, current[target], width_px, count=n)
    return sweep, core.simulate_frames(core.gradient_flow_runs(runs, target, sweep), progress)


def training_sweep_figures(
    results_at: Mapping[int, object],
    x: np.ndarray,
    y: np.ndarray,
    sweep: Sweep,
    *,
    lang: str = "en",
    resolution: int = 60,
) -> dict[str, go.Figure]:
    """The Training Lab's figures scrubbed through recorded steps: ``results_at[step]`` is the run's
    snapshot at that step (``core.training_snapshots``): decision boundary, dead units per layer,
    per-layer gradients and loss/accuracy, each drawn with the history up to the frame's step."""
    from . import training as tr

    snaps = [results_at[int(v)] for v in sweep.values]
    figures = {
        "boundary": [tr.decision_boundary_figure([s], x, y, lang=lang, resolution=resolution) for s in snaps],
        "loss": [tr.loss_accuracy_figure([s], lang=lang) for s in snaps],
        "dead": [tr.dead_fraction_figure([s], lang=lang) for s in snaps],
        "gradients": [tr.grad_norm_heatmap([s], lang=lang) for s in snaps],
    }
    return {name: pack_within(frames, sweep, lang=lang) for name, frames in figures.items()}


def frame_spec(fig: go.Figure | Mapping, k: int, still: bool = True) -> dict:
    """Frame ``k`` of a swept figure as a still figure (plain dict, no frames; with ``still``, no slider
    either and the room it took given back): what a GIF or MP4 shows at that step."""
    spec = fig.to_dict() if isinstance(fig, go.Figure) else copy.deepcopy(dict(fig))
    frames = spec.pop("frames", None) or []
    layout = spec.setdefault("layout", {})
    if not still:
        return _merge_frame(spec, frames[k]) if frames else spec
    space = ((layout.get("meta") or {}).get("sweep") or {}).get("slider_space", SLIDER_SPACE)
    layout.pop("sliders", None)
    layout.pop("updatemenus", None)
    margin = layout.get("margin") or {}
    if isinstance(margin.get("b"), int | float):
        margin["b"] = max(margin["b"] - space, 20)
    if layout.get("height"):
        layout["height"] = layout["height"] - space
    spec = _merge_frame(spec, frames[k]) if frames else spec
    _below_slider(spec["layout"].get("annotations") or [], -space)  # the lines under the chart come back up
    return spec


def _below_slider(annotations: list, space: int) -> None:
    """Lines written under the chart (paper y = 0, shifted down) move under the slider and play button
    (``space`` < 0: back up, for a still without the slider)."""
    for a in annotations:
        if isinstance(a, dict) and a.get("yref") == "paper" and a.get("y") == 0 and (a.get("yshift") or 0) < 0:
            a["yshift"] = a["yshift"] - space


def _merge_frame(spec: dict, frame: Mapping) -> dict:
    """``spec`` with ``frame`` applied the way plotly.js's animate applies it (top-level keys replaced)."""
    for index, update in zip(frame.get("traces", range(len(frame["data"]))), frame["data"], strict=True):
        spec["data"][index] = {**spec["data"][index], **update}
    spec["layout"].update(frame.get("layout") or {})
    return spec
