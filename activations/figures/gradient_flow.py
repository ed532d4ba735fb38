"""Figures of the Gradient Flow page: per-layer gradient norms beside the mean-field prediction,
activation percentile bands, dead and saturated units, and a layer × unit activity map.

Every builder takes the ``Stats`` of the runs being compared (one per activation and init, from
``activations.network.simulate``) and ``lang``; one colour per activation as everywhere in the app, a
second init of the same activation drawn in a lighter tint with square markers.

Speed: the page rebuilds these five figures on every slider move, so each is assembled as plain dicts
and handed to ``style.make_figure``, which skips Plotly's validation (see ``style`` for what it costs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ..engine import ARCHITECTURE_LABELS
from ..i18n import N_, translator
from ..network import Stats
from ..theory import PhaseDiagram, mean_field_applies
from .style import (
    axes_of,
    axis_key,
    axis_ref,
    base_layout,
    colour_for,
    log_ticks,
    make_figure,
    on_subplot,
    subplot_layout,
    theory_line,
    theory_meta,
)

INIT_LABELS = {
    "xavier_normal": N_("Xavier normal"),
    "xavier_uniform": N_("Xavier uniform"),
    "he_normal": N_("He normal"),
    "he_uniform": N_("He uniform"),
    "lecun_normal": N_("LeCun normal"),
    "orthogonal": N_("Orthogonal"),
    "scaled_normal": N_("Scaled normal (σ_w)"),
}
MARKERS = ("circle", "square", "diamond", "triangle-up")
HEATMAP_UNITS = 128  # units shown per run in the activity map


def run_label(stats: Stats, with_init: bool = False, lang: str = "en", with_architecture: bool = False) -> str:
    """'ReLU' or, when runs differ by init, 'ReLU · He normal'; by architecture, 'ReLU · BatchNorm'."""
    _ = translator(lang)
    label = stats.label
    if with_init and stats.init is not None:
        label += f" · {_(INIT_LABELS.get(stats.init, stats.init))}"
    if with_architecture:
        label += f" · {_(ARCHITECTURE_LABELS.get(stats.architecture, stats.architecture))}"
    return label


def _labels(runs: Sequence[Stats], labels: Sequence[str] | None, lang: str) -> list[str]:
    if labels is not None:
        return list(labels)
    with_init = len({r.init for r in runs}) > 1
    with_architecture = len({r.architecture for r in runs}) > 1
    return [run_label(r, with_init, lang, with_architecture) for r in runs]


def _tint(hex_colour: str, amount: float) -> str:
    """Mix a #rrggbb colour with white (amount 0 = unchanged, 1 = white)."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def run_styles(runs: Sequence[Stats]) -> list[tuple[str, str]]:
    """(colour, marker symbol) per run: the activation's colour, lighter for its second, third init."""
    seen: dict[str, int] = {}
    styles = []
    for r in runs:
        k = seen.get(r.activation, 0)
        seen[r.activation] = k + 1
        styles.append((_tint(colour_for(r.activation), 0.45 * min(k, 1) + 0.15 * max(k - 1, 0)), MARKERS[k % 4]))
    return styles


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(title: str, height: int, **overrides) -> dict:
    """The shared layout with the legend under the plot, where long legends cannot cover the title."""
    return base_layout(
        title=dict(text=title, x=0.01, xanchor="left"),
        hovermode="closest",
        height=height,
        legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", x=0, xanchor="left"),
        margin=dict(l=60, r=20, t=70, b=88),
        **overrides,
    )


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros, NaN and infinities become NaN (gaps)."""
    out = np.asarray(values, dtype=np.float64).copy()
    out[~np.isfinite(out) | (out <= 0)] = np.nan
    return out


ZERO_MARKER = "x-thin-open"


def _floor(arrays: Sequence[np.ndarray]) -> float:
    """Where a log axis shows values that are exactly 0: a decade below its smallest positive value."""
    values = np.concatenate([np.ravel(_positive(a)) for a in arrays] or [np.array([np.nan])])
    values = values[np.isfinite(values)]
    return 10.0 ** (math.floor(np.log10(values.min())) - 1) if values.size else 1e-3


def _log_axis(arrays: Sequence[np.ndarray], floor: float | None, max_labels: int = 5) -> dict:
    """A log axis over ``arrays`` (and down to ``floor`` when zeros are drawn there), labelled in whole
    decades (``style.log_ticks``)."""
    values = np.concatenate([np.ravel(_positive(a)) for a in arrays] or [np.array([np.nan])])
    if floor is not None:
        values = np.append(values, floor)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"type": "log"}
    span = [math.log10(values.min()), math.log10(values.max())]
    pad = max(0.08 * (span[1] - span[0]), 0.15)
    return {"type": "log", "range": [span[0] - pad, span[1] + pad], **log_ticks(values, max_labels)}


def _exactly_zero(stats: Stats, label: str, colour: str, values: np.ndarray, floor: float, _) -> dict:
    """Layers where a norm is exactly 0, as markers at the axis floor (a log axis cannot show 0)."""
    zero = np.flatnonzero(np.asarray(values) == 0)
    return dict(
        type="scatter",
        x=np.asarray(stats.layers)[zero],
        y=np.full(zero.size, floor),
        name=label,
        legendgroup=label,
        mode="markers",
        marker=dict(symbol=ZERO_MARKER, size=11, color=colour, line=dict(width=2.5, color=colour)),
        hovertemplate=label + " · " + _("layer") + " %{x}: " + _("exactly 0") + "<extra></extra>",
    )


def gradient_norm_figure(runs: Sequence[Stats], lang: str = "en", labels: Sequence[str] | None = None) -> go.Figure:
    """Per-layer gradient norms on log axes, measured (solid, markers) beside the mean-field
    prediction (dashed): top, the gradient flowing back ‖∂L/∂z_l‖ (it changes by √χ per layer);
    bottom, the weight gradient ‖∂L/∂W_l‖ (that times the size of the layer's input). A norm that is
    exactly 0 (a dead network) is drawn as ✕ at the axis floor, labelled "exactly 0"."""
    _ = translator(lang)
    layout = subplot_layout(
        2,
        1,
        (_("Gradient flowing back, ‖∂L/∂z‖ per layer"), _("Weight gradient, ‖∂L/∂W‖ per layer")),
        shared_xaxes=True,
        vertical_spacing=0.09,
    )
    names = _labels(runs, labels, lang)
    theories = [_theory_of(r) for r in runs]
    rows = {
        1: [(r.grad_z_norm, t.grad_z_norm if t else None) for r, t in zip(runs, theories, strict=True)],
        2: [(r.grad_norm, t.grad_norm if t else None) for r, t in zip(runs, theories, strict=True)],
    }
    traces = []
    for row, pairs in rows.items():
        on_top = []  # theory lines, drawn after every measured line so that none hides them
        arrays = [a for pair in pairs for a in pair if a is not None]
        zeros = any(np.any(np.asarray(measured) == 0) for measured, _p in pairs)
        floor = _floor(arrays) if zeros else None
        for stats, label, (colour, marker), (measured, predicted) in zip(
            runs, names, run_styles(runs), pairs, strict=True
        ):
            drawn = bool(np.any(np.isfinite(_positive(measured))))
            trace = dict(
                type="scatter",
                x=stats.layers,
                y=_positive(measured),
                name=label,
                legendgroup=label,
                showlegend=row == 1 and drawn,
                mode="lines+markers",
                line=dict(color=colour, width=2.5),
                marker=dict(symbol=marker, size=5),
                hovertemplate=label + " · " + _("layer") + " %{x}: %{y:.3g}<extra></extra>",
            )
            traces.append(on_subplot(trace, 2, 1, row, 1))
            if floor is not None and np.any(np.asarray(measured) == 0):
                zero = _exactly_zero(stats, label, colour, measured, floor, _)
                zero["showlegend"] = row == 1 and not drawn
                traces.append(on_subplot(zero, 2, 1, row, 1))
            if predicted is not None:
                theory = dict(
                    type="scatter",
                    x=stats.layers,
                    y=_positive(predicted),
                    name=_("{label}: mean-field theory").format(label=label),
                    legendgroup=label,
                    showlegend=False,
                    mode="lines",
                    line=theory_line(colour),
                    meta=theory_meta(colour),
                    hovertemplate=_("theory") + " · " + _("layer") + " %{x}: %{y:.3g}<extra></extra>",
                )
                on_top.append(on_subplot(theory, 2, 1, row, 1))
        traces.extend(on_top)
        axis = layout[axis_key("y", 2, 1, row, 1)]
        axis.update(_log_axis(arrays, floor), title=dict(text=_("norm (log scale)")))
        if floor is not None:
            layout.setdefault("annotations", []).append(
                dict(
                    text=_("✕ exactly 0"),
                    showarrow=False,
                    xref=axis_ref("x", 2, 1, row, 1) + " domain",
                    x=0.0,
                    xanchor="left",
                    yref=axis_ref("y", 2, 1, row, 1),
                    y=math.log10(floor),
                    yanchor="bottom",
                    font=dict(size=12, color="#555555"),
                )
            )
    layout[axis_key("x", 2, 1, 2, 1)]["title"] = dict(text=_("layer (1 = next to the input)"))
    title = _title(_("Gradient norms per layer"), _("dashed: mean-field theory"), runs, _)
    layout.update(_layout(title, 700))
    return make_figure(traces, layout)


def _theory_of(stats: Stats):
    """The run's mean-field prediction, or None where the theory does not describe it (narrow layers)."""
    return stats.theory if stats.theory is not None and mean_field_applies(stats.width) else None


def _title(what: str, dashed: str, runs: Sequence[Stats], _) -> str:
    """'what · dashed: …' when a theory line is drawn; when a plain or residual net is too narrow for
    its theory, the title says there is none (``network.summarise`` says why)."""
    parts = [what]
    if any(_theory_of(r) for r in runs):
        parts.append(dashed)
    narrow = sorted({r.width for r in runs if r.theory is not None and not mean_field_applies(r.width)})
    if narrow:
        parts.append(_("no theory line (width {width})").format(width=", ".join(map(str, narrow))))
    return " · ".join(parts)


def layer_factor_figure(runs: Sequence[Stats], lang: str = "en", labels: Sequence[str] | None = None) -> go.Figure:
    """What each layer does to the squared gradient, ‖δ_l‖²/‖δ_{l+1}‖², beside mean-field theory's
    prediction (χ_l = σ_w²·E[f′(z_l)²] for a plain net; see ``MeanField.layer_factor``)."""
    _ = translator(lang)
    traces = []
    notes: list[str] = []
    for stats, label, (colour, marker) in zip(runs, _labels(runs, labels, lang), run_styles(runs), strict=True):
        x = stats.layers[:-1]
        undefined = not np.any(np.isfinite(_positive(stats.layer_factor)))
        if undefined:  # 0/0 in every layer: nothing to draw, so say why instead of a legend entry
            notes.append(_("{label}: no ratio, its gradient is exactly 0").format(label=label))
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=_positive(stats.layer_factor),
                name=label,
                legendgroup=label,
                showlegend=not undefined,
                mode="markers",
                marker=dict(color=colour, symbol=marker, size=6),
                hovertemplate=label + " · " + _("layer") + " %{x}: %{y:.3g}<extra></extra>",
            )
        )
        if _theory_of(stats) is not None:
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=_positive(stats.theory.layer_factor),
                    name=_("{label}: χ").format(label=label),
                    legendgroup=label,
                    showlegend=False,
                    mode="lines",
                    line=theory_line(colour),
                    meta=theory_meta(colour),
                    hovertemplate="χ · " + _("layer") + " %{x}: %{y:.3g}<extra></extra>",
                )
            )
    log_axis = _log_axis([r.layer_factor for r in runs] + [t.layer_factor for r in runs if (t := _theory_of(r))], None)
    layout = _layout(
        _title(_("What each layer does to the squared gradient"), _("dashed: χ"), runs, _),
        460,
        # add_hline's shape: across the whole plot width at y = 1
        shapes=[
            dict(
                type="line",
                xref="x domain",
                x0=0,
                x1=1,
                yref="y",
                y0=1.0,
                y1=1.0,
                line=dict(color="rgba(0,0,0,0.4)", width=1, dash="dot"),
            )
        ],
        yaxis=dict(**log_axis, title=dict(text=_("‖δ_l‖² / ‖δ_(l+1)‖² (log scale)"))),
        xaxis=dict(title=dict(text=_("layer l"))),
    )
    for i, note in enumerate(notes):
        layout.setdefault("annotations", []).append(
            dict(text=note, showarrow=False, xref="paper", yref="paper", x=0.01, y=0.98 - 0.07 * i, xanchor="left",
                 yanchor="top", font=dict(size=13))
        )  # fmt: skip
    return make_figure(traces, layout)


def _panels(n: int) -> tuple[int, int]:
    """Rows and columns of a figure with one panel per run."""
    return (1, n) if n <= 2 else (2, 2) if n == 4 else (1, n)


def distribution_figure(runs: Sequence[Stats], lang: str = "en", labels: Sequence[str] | None = None) -> go.Figure:
    """Per-layer distribution of the activations h_l as percentile bands (1–99, 5–95, 25–75) and the
    median, one panel per run: Glorot & Bengio's (2010) per-layer histograms, read from the side."""
    _ = translator(lang)
    names = _labels(runs, labels, lang)
    rows, cols = _panels(len(runs))
    layout = subplot_layout(rows, cols, names, horizontal_spacing=0.07, vertical_spacing=0.16)
    traces = []
    for i, (stats, label, (colour, _marker)) in enumerate(zip(runs, names, run_styles(runs), strict=True)):
        row, col = divmod(i, cols)
        levels = list(stats.percentile_levels)
        x = stats.layers
        for (lo, hi), alpha in (((1, 99), 0.12), ((5, 95), 0.22), ((25, 75), 0.42)):
            low = stats.percentiles[:, levels.index(lo)]
            high = stats.percentiles[:, levels.index(hi)]
            band = dict(
                type="scatter",
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([high, low[::-1]]),
                fill="toself",
                fillcolor=_rgba(colour, alpha),
                line=dict(width=0),
                name=_("{label}: {lo}–{hi}th percentile").format(label=label, lo=lo, hi=hi),
                legendgroup=label,
                showlegend=False,
                hoverinfo="skip",
            )
            traces.append(on_subplot(band, rows, cols, row + 1, col + 1))
        median = dict(
            type="scatter",
            x=x,
            y=stats.percentiles[:, levels.index(50)],
            name=_("{label}: median").format(label=label),
            legendgroup=label,
            showlegend=False,
            mode="lines",
            line=dict(color=colour, width=2),
            hovertemplate=_("layer") + " %{x}: " + _("median") + " %{y:.3g}<extra></extra>",
        )
        traces.append(on_subplot(median, rows, cols, row + 1, col + 1))
    for axis in axes_of(layout, "x"):
        axis["title"] = dict(text=_("layer"))
    for row in range(1, rows + 1):
        layout[axis_key("y", rows, cols, row, 1)]["title"] = dict(text=_("activation h"))
    layout.update(
        _layout(_("Activations h per layer: median and 25–75, 5–95, 1–99% bands"), 330 * rows + 90, showlegend=False)
    )
    layout["margin"] = {**layout["margin"], "b": 60}
    return make_figure(traces, layout)


def dead_saturated_figure(runs: Sequence[Stats], lang: str = "en", labels: Sequence[str] | None = None) -> go.Figure:
    """Per-layer percentage of dead units (f′ = 0 on the whole batch) and saturated units
    (|f′| < 1% of max |f′| on the whole batch), side by side."""
    _ = translator(lang)
    layout = subplot_layout(
        1,
        2,
        (_("Dead units<br>(f′ = 0 on every input)"), _("Saturated units<br>(|f′| < 1% of max on every input)")),
        shared_yaxes=True,
        horizontal_spacing=0.06,
    )
    traces = []
    for stats, label, (colour, marker) in zip(runs, _labels(runs, labels, lang), run_styles(runs), strict=True):
        for col, values in ((1, stats.dead_fraction), (2, stats.saturated_fraction)):
            trace = dict(
                type="scatter",
                x=stats.layers,
                y=100 * values,
                name=label,
                legendgroup=label,
                showlegend=col == 1,
                mode="lines+markers",
                line=dict(color=colour, width=2),
                marker=dict(symbol=marker, size=5),
                hovertemplate=label + " · " + _("layer") + " %{x}: %{y:.1f}%<extra></extra>",
            )
            traces.append(on_subplot(trace, 1, 2, 1, col))
    for axis in axes_of(layout, "y"):
        axis.update(range=[-3, 103], ticksuffix="%")
    layout["yaxis"]["title"] = dict(text=_("share of the layer's units"))
    for axis in axes_of(layout, "x"):
        axis["title"] = dict(text=_("layer"))
    layout.update(_layout("", 440))  # the two panel titles say it all
    return make_figure(traces, layout)


def activity_heatmap(
    runs: Sequence[Stats], lang: str = "en", labels: Sequence[str] | None = None, max_units: int = HEATMAP_UNITS
) -> go.Figure:
    """Layer × unit map of how often each unit is active (|f′| ≥ 1% of its maximum) over the batch;
    dead and saturated units are dark stripes. At most ``max_units`` units per layer are shown."""
    _ = translator(lang)
    names = _labels(runs, labels, lang)
    rows, cols = _panels(len(runs))
    layout = subplot_layout(rows, cols, names, horizontal_spacing=0.05, vertical_spacing=0.16)
    shown = min(max_units, max(r.width for r in runs)) if runs else 0
    traces = []
    for i, stats in enumerate(runs):
        row, col = divmod(i, cols)
        units = min(max_units, stats.width)
        heatmap = dict(
            type="heatmap",
            z=np.round(stats.active_fraction[:, :units], 3),
            x=np.arange(1, units + 1),
            y=stats.layers,
            coloraxis="coloraxis",
            name=names[i],
            hovertemplate=_("layer") + " %{y}, " + _("unit") + " %{x}: " + _("active") + " %{z:.0%}<extra></extra>",
        )
        traces.append(on_subplot(heatmap, rows, cols, row + 1, col + 1))
    for axis in axes_of(layout, "x"):
        axis.update(title=dict(text=_("unit")), tickformat="d")  # units are whole numbers (not 0.5, 1, 1.5)
        if shown <= 12:
            axis["dtick"] = 1
    for row in range(1, rows + 1):
        layout[axis_key("y", rows, cols, row, 1)]["title"] = dict(text=_("layer"))
    title = _("How often each unit is active (|f′| ≥ 1% of max) · dark stripes: dead units")
    if runs and max(r.width for r in runs) > max_units:
        title += " · " + _("first {n} units shown").format(n=shown)
    layout.update(
        _layout(
            title,
            330 * rows + 90,
            coloraxis=dict(
                colorscale="Viridis",
                cmin=0,
                cmax=1,
                colorbar=dict(
                    title=dict(text=_("active"), side="top"),
                    tickformat=".0%",
                    len=0.8,
                    ticklabelposition="outside bottom",  # "100%" under its tick, clear of the title above
                ),
            ),
        )
    )
    layout["margin"] = {**layout["margin"], "b": 60}
    return make_figure(traces, layout)


def phase_diagram_figure(
    diagram: PhaseDiagram,
    current: tuple[float, float] | None = None,
    lang: str = "en",
    label: str | None = None,
) -> go.Figure:
    """The order-to-chaos phase diagram: ln χ₁ over (σ_w, σ_b) as a heatmap (blue: ordered, gradients
    vanish; red: chaotic, they explode), the critical line χ₁ = 1 and, at ``current`` = (σ_w, σ_b), the
    network on the page (Schoenholz et al. 2017, Fig. 1). ``label`` names the activation in the title."""
    _ = translator(lang)
    limit = float(np.nanmax(np.abs(diagram.log_chi[np.isfinite(diagram.log_chi)]), initial=1.0))
    limit = min(max(limit, 0.5), 3.0)  # a symmetric scale around ln χ₁ = 0, clipped to e^±3
    traces = [
        dict(
            type="heatmap",
            x=diagram.sigma_w,
            y=diagram.sigma_b,
            z=np.round(np.clip(diagram.log_chi, -50.0, 50.0), 4),
            zmin=-limit,
            zmax=limit,
            colorscale="RdBu",
            reversescale=True,
            colorbar=dict(title=dict(text="ln χ₁"), len=0.8),
            name="ln χ₁",
            hovertemplate="σ_w = %{x:.2f}, σ_b = %{y:.2f}: ln χ₁ = %{z:.3f}<extra></extra>",
        )
    ]
    line = np.isfinite(diagram.critical_sigma_w)
    if line.any():
        traces.append(
            dict(
                type="scatter",
                x=diagram.critical_sigma_w[line],
                y=diagram.sigma_b[line],
                mode="lines",
                name=_("critical line χ₁ = 1"),
                line=dict(color="#000000", width=2),
                hovertemplate=_("critical") + ": σ_w = %{x:.3f}, σ_b = %{y:.2f}<extra></extra>",
            )
        )
    if current is not None:
        traces.append(
            dict(
                type="scatter",
                x=[current[0]],
                y=[current[1]],
                mode="markers",
                name=_("this network"),
                marker=dict(color="#ffffff", size=12, symbol="x", line=dict(color="#000000", width=2)),
                hovertemplate=_("this network") + ": σ_w = %{x:.2f}, σ_b = %{y:.2f}<extra></extra>",
            )
        )
    title = _("Order to chaos: ln χ₁ over (σ_w, σ_b) · blue: gradients vanish · red: they explode")
    if label:
        title = f"{label} · {title}"
    layout = _layout(
        title,
        480,
        xaxis=dict(title=dict(text="σ_w"), range=[float(diagram.sigma_w[0]), float(diagram.sigma_w[-1])]),
        yaxis=dict(title=dict(text="σ_b"), range=[float(diagram.sigma_b[0]), float(diagram.sigma_b[-1])]),
    )
    return make_figure(traces, layout)
