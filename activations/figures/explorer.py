"""The Function Explorer's figure: f, f′ (and optionally f″) of several activations, stacked on one x axis.

Curves are sampled on an even grid plus the kinks; where f or f′ jumps, the line is broken instead of
drawing a vertical segment that is not part of the function, and the value autograd uses at the kink is
drawn as a dot (e.g. ReLU′(0) = 0, PyTorch's convention).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from .. import analysis
from ..i18n import minus, translator
from ..registry import Activation
from .style import (
    ZERO_LINE_COLOUR,
    axes_of,
    axis_key,
    axis_ref,
    base_layout,
    colour_for,
    make_figure,
    on_subplot,
    param_suffix,
    subplot_layout,
)

DEFAULT_POINTS = 400  # about one point per 2–3 screen pixels of a wide chart
JUMP_TOL = 1e-6
# One dash pattern per function, in order: where curves coincide (ReLU under Leaky ReLU, ELU and GELU on
# x > 0) the ones below still show through the gaps of the ones above.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
BELOW_CHART = 64  # px from the bottom of the panels to the lines under the chart (below the x title)
PEAKS_PER_LINE = 3


@dataclass(frozen=True)
class Curve:
    """Everything drawn for one activation: samples with breaks at jumps, kinks and teaching marks."""

    name: str
    label: str
    params: dict
    x: np.ndarray  # the even grid (kinks excluded), with y = f(x), dy = f′(x), d2y = f″(x) or None
    y: np.ndarray
    dy: np.ndarray
    d2y: np.ndarray | None
    xf: np.ndarray  # what is drawn for f: the grid plus NaN gaps where f jumps
    yf: np.ndarray
    xd: np.ndarray  # what is drawn for f′
    yd: np.ndarray
    kinks: tuple[tuple[float, float, float], ...]  # (x, f(x), f'(x)) at each kink in range
    dead: tuple[tuple[float, float], ...]
    saturated: tuple[tuple[float, float], ...]
    peak: tuple[float, float, bool]  # (x*, max f′, whether the max is a plateau)


def _break_at_jumps(fn, x: np.ndarray, kinks: Sequence[float], params: dict) -> tuple[np.ndarray, np.ndarray]:
    """``fn`` on ``x`` plus, at each kink, its one-sided limits around a NaN gap when they differ."""
    xs, ys = [x], [fn(x, **params)]
    for k in kinks:
        eps = 1e-9 * (1 + abs(k))
        left, right = fn(np.array([k - eps, k + eps]), **params)
        if abs(right - left) > JUMP_TOL:
            xs.append(np.array([k - eps, k, k + eps]))
            ys.append(np.array([left, np.nan, right]))
    x_all = np.concatenate(xs)
    order = np.argsort(x_all, kind="stable")
    return x_all[order], np.concatenate(ys)[order]


def sample_curve(
    act: Activation,
    params: dict | None,
    x_min: float,
    x_max: float,
    n_points: int = DEFAULT_POINTS,
    second: bool = False,
    name: str | None = None,
) -> Curve:
    """Sample one activation for the explorer (pure numbers; the figure only draws them)."""
    p = act.resolve(params)
    kinks = [k for k in act.kink_points(**p) if x_min < k < x_max]
    x = np.linspace(x_min, x_max, max(int(n_points), 2))
    x = x[~np.isin(x, kinks)]
    xf, y = _break_at_jumps(act, x, kinks, p)
    xd, dy = _break_at_jumps(act.derivative, x, kinks, p)
    grid = analysis.evaluation_grid(x_min, x_max, 2001, tuple(kinks))
    kink_marks = tuple((float(k), float(act(np.array(k), **p)), float(act.derivative(np.array(k), **p))) for k in kinks)
    d2y = analysis.second_derivative(act, x, p) if second else None
    return Curve(
        name=name or act.name,
        label=act.label,
        params=p,
        x=x,
        y=act(x, **p),
        dy=act.derivative(x, **p),
        d2y=d2y,
        xf=xf,
        yf=y,
        xd=xd,
        yd=dy,
        kinks=kink_marks,
        dead=tuple(analysis.zero_gradient_intervals(act, grid, p)),
        saturated=tuple(analysis.saturation_intervals(act, grid, p)),
        peak=analysis.derivative_peak(act, grid, p),
    )


def function_figure(
    curves: Sequence[Curve],
    symbols: dict[str, dict[str, str]] | None = None,
    *,
    show_second: bool = False,
    annotate: Sequence[str] = ("dead", "kinks", "peak", "saturation"),
    lang: str = "en",
    height: int | None = None,
) -> go.Figure:
    """f (top), f′ (middle) and optionally f″ (bottom) of each curve, one colour per activation.

    Built as plain dicts for ``style.make_figure`` (no Plotly validation): a slider move rebuilds it."""
    traces, layout = function_spec(
        curves, symbols, show_second=show_second, annotate=annotate, lang=lang, height=height
    )
    return make_figure(traces, layout)


def function_spec(
    curves: Sequence[Curve],
    symbols: dict[str, dict[str, str]] | None = None,
    *,
    show_second: bool = False,
    annotate: Sequence[str] = ("dead", "kinks", "peak", "saturation"),
    lang: str = "en",
    height: int | None = None,
) -> tuple[list[dict], dict]:
    """``function_figure``'s traces and layout as plain dicts, not validated (a sweep builds one per frame)."""
    _ = translator(lang)
    rows = 3 if show_second else 2
    titles = [_("Activation f(x)"), _("Derivative f′(x)")] + (
        [_("Second derivative f″(x) (numerical)")] if show_second else []
    )
    layout = subplot_layout(rows, 1, titles, shared_xaxes=True, vertical_spacing=0.08)
    traces: list[dict] = []
    marks = Marks()
    symbols = symbols or {}
    for index, curve in enumerate(curves):
        colour = colour_for(curve.name)
        label = curve.label + param_suffix(curve.params, symbols.get(curve.name, {}))
        line = {"color": colour, "width": 2.5, "dash": DASHES[index % len(DASHES)]}
        panels = [(curve.xf, curve.yf, "", line, "f(%{x:.3f}) = %{y:.4f}")]
        panels.append((curve.xd, curve.yd, " f′", line, "f′(%{x:.3f}) = %{y:.4f}"))
        if show_second and curve.d2y is not None:
            dotted = {"color": colour, "width": 2, "dash": "dot"}
            panels.append((curve.x, curve.d2y, " f″", dotted, "f″(%{x:.3f}) ≈ %{y:.4f}"))
        for row, (x, y, suffix, style, hover) in enumerate(panels, start=1):
            trace = _line(x, y, label + suffix, curve, style, hover, showlegend=row == 1)
            traces.append(on_subplot(trace, rows, 1, row, 1))
        _annotate(marks, traces, curve, colour, set(annotate), rows, _)
    for axis in axes_of(layout, "x") + axes_of(layout, "y"):
        axis.update(zeroline=True, zerolinecolor=ZERO_LINE_COLOUR, showgrid=True)
    for axis in axes_of(layout, "y"):
        axis["nticks"] = 6  # a short panel in the slide theme's large type fits about six labels
    layout[axis_key("x", rows, 1, rows, 1)]["title"] = {"text": "x"}
    layout.update(
        base_layout(
            height=height or (780 if show_second else 620),
            hovermode="closest",
            # at the top of the figure, above the first panel's title (up to 6 entries, two lines)
            legend={"orientation": "h", "yref": "container", "y": 0.995, "yanchor": "top", "x": 0, "xanchor": "left"},
            margin={"l": 60, "r": 20, "t": 90 if len(curves) > 4 else 70, "b": 50},
        )
    )
    marks.finish(rows, _)
    if marks.lines_below():
        layout["margin"]["b"] += 36 + 18 * marks.lines_below()  # room for the lines under the chart
    layout["annotations"] = layout.get("annotations", []) + marks.annotations
    layout["shapes"] = marks.shapes
    return traces, layout


@dataclass
class Marks:
    """The shapes and annotations the teaching marks add to the layout. Marks that several curves share
    (the same zero-gradient interval, the same flat maximum of f′) are labelled once, naming them all."""

    shapes: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)
    dead_labels: dict[tuple[float, float], list[str]] = field(default_factory=dict)
    peaks: list[tuple[str, str, float, float, bool]] = field(default_factory=list)  # label, colour, x*, max, flat
    saturated: bool = False
    notes: list[str] = field(default_factory=list)  # lines under the chart, after the maxima

    def peak_summary(self, _) -> str:
        """ "max f′: Sigmoid 0.25 at x = 0 · ReLU, Leaky ReLU, ELU 1 on a whole interval", each name in its
        colour; functions sharing a flat maximum are named together (it has no point to mark)."""
        parts, flat = [], {}
        for label, colour, x_peak, d_peak, plateau in self.peaks:
            name = f"<span style='color:{colour}'>{_escape(label)}</span>"
            if plateau:
                flat.setdefault(round(d_peak, 6), []).append(name)
            else:
                parts.append(_("{name} {d:.3g} at x = {x:.3g}").format(name=name, d=d_peak, x=x_peak))
        parts += [_("{names} {d:.3g} on a whole interval").format(names=", ".join(n), d=d) for d, n in flat.items()]
        lines = [" · ".join(parts[i : i + PEAKS_PER_LINE]) for i in range(0, len(parts), PEAKS_PER_LINE)]
        return minus(_("Maximum of f′: {peaks}").format(peaks="<br>".join(lines)))

    def lines_below(self) -> int:
        """Lines of text under the chart (the maxima, then the notes), once ``finish`` has run."""
        entries = sum(1 for p in self.peaks if not p[4]) + len({round(p[3], 6) for p in self.peaks if p[4]})
        return math.ceil(entries / PEAKS_PER_LINE) + len(self.notes)

    def finish(self, rows: int, _) -> None:
        """The shared labels: one per zero-gradient interval at the top of its band; under the chart, each
        f′'s maximum and what the grey bands mean."""
        x_ref, y_ref = axis_ref("x", rows, 1, 2, 1), axis_ref("y", rows, 1, 2, 1)
        for (a, b), colours in self.dead_labels.items():
            self.annotations.append(
                {
                    "x": (a + b) / 2,
                    "y": 1,
                    "xref": x_ref,
                    "yref": y_ref + " domain",
                    "yanchor": "top",
                    "text": _("f′ = 0: no gradient"),
                    "showarrow": False,
                    "font": {"color": colours[0] if len(colours) == 1 else "#444444", "size": 12},
                }
            )
        if self.saturated:  # under the chart with the maxima, not over the curves at f′ ≈ 0
            self.notes.append(_("grey bands: saturated, |f′| < 1% of its largest value"))
        if self.peaks or self.notes:
            lines = ([self.peak_summary(_)] if self.peaks else []) + self.notes
            self.annotations.append(
                {
                    "x": 0,
                    "y": 0,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "left",
                    "yanchor": "top",
                    "yshift": -BELOW_CHART,
                    "align": "left",
                    "text": "<br>".join(lines),
                    "showarrow": False,
                    "font": {"size": 12},
                }
            )


def _line(x, y, name: str, curve: Curve, line: dict, hover: str, *, showlegend: bool) -> dict:
    """One curve of one panel; NaN gaps stay gaps (``connectgaps`` off)."""
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines",
        "name": name,
        "legendgroup": curve.name,
        "showlegend": showlegend,
        "line": line,
        "connectgaps": False,
        "hovertemplate": hover + "<extra>" + curve.label + "</extra>",
    }


def _annotate(marks: Marks, traces: list[dict], curve: Curve, colour: str, annotate: set[str], rows: int, _) -> None:
    """The teaching marks on the derivative panel: dead and saturated x ranges shaded, the value used
    at each kink as a dot, the maximum of f′ with an arrow."""
    x_ref, y_ref = axis_ref("x", rows, 1, 2, 1), axis_ref("y", rows, 1, 2, 1)
    band = {"type": "rect", "xref": x_ref, "yref": y_ref + " domain", "y0": 0, "y1": 1, "layer": "below"}
    if "dead" in annotate:
        for a, b in curve.dead:
            marks.shapes.append({**band, "x0": a, "x1": b, "fillcolor": colour, "opacity": 0.10, "line": {"width": 0}})
            marks.dead_labels.setdefault((round(a, 6), round(b, 6)), []).append(colour)
    if "saturation" in annotate:
        for a, b in curve.saturated:
            marks.shapes.append(
                {
                    **band,
                    "x0": a,
                    "x1": b,
                    "fillcolor": "rgba(120,120,120,0.10)",
                    "line": {"width": 0},
                }
            )
            marks.saturated = True
    if "kinks" in annotate and curve.kinks:
        dots = {
            "type": "scatter",
            "x": [k[0] for k in curve.kinks],
            "y": [k[2] for k in curve.kinks],
            "mode": "markers",
            "marker": {"color": colour, "size": 10, "line": {"color": "white", "width": 1.5}},
            "name": _("value used at the kink"),
            "legendgroup": curve.name,
            "showlegend": False,
            "text": [
                minus(_("{label}: f′({x:g}) = {d:.4g} (PyTorch's convention)").format(label=curve.label, x=x, d=d))
                for x, _y, d in curve.kinks
            ],
            "hovertemplate": "%{text}<extra></extra>",
        }
        traces.append(on_subplot(dots, rows, 1, 2, 1))
    if "peak" in annotate and math.isfinite(curve.peak[1]) and curve.peak[1] != 0:
        x_peak, d_peak, plateau = curve.peak
        marks.peaks.append((curve.label, colour, x_peak, d_peak, plateau))
        if not plateau:  # a point to mark: a star on the derivative, the numbers under the chart
            star = {
                "type": "scatter",
                "x": [x_peak],
                "y": [d_peak],
                "mode": "markers",
                "marker": {"color": colour, "size": 13, "symbol": "star", "line": {"color": "white", "width": 1}},
                "name": _("peak of f′"),
                "legendgroup": curve.name,
                "showlegend": False,
                "hovertemplate": _("max f′ = {d:.3g} at x = {x:.3g}").format(d=d_peak, x=x_peak) + "<extra></extra>",
            }
            traces.append(on_subplot(star, rows, 1, 2, 1))


def _escape(text: str) -> str:
    """Text shown inside Plotly's HTML-like labels, with its markup characters neutralised."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
