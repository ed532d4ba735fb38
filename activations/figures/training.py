"""Figures of the Training Lab: loss and accuracy, dead units per layer, per-layer gradient norms as a
heatmap, the decision boundary over the data, and PReLU's α, all over training steps.

Every builder takes the runs being compared (one or two ``TrainResult``s, finished or a live snapshot)
and ``lang``. A run keeps its activation's colour as everywhere in the app; a second run of the same
activation (e.g. two Leaky ReLU slopes) is drawn dashed. The step axis spans the configured run, so a
live figure fills in from left to right instead of rescaling at every frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from ..datasets import IMAGE_SHAPE
from ..i18n import minus, translator
from ..training import TrainConfig, TrainResult, decision_surface
from ..urlstate import format_number
from .style import base_layout, colour_for, log_ticks, make_figure

CLASS_COLOURS = ("#4477AA", "#EE6677", "#228833")  # Paul Tol's "bright": blue, red, green
MAX_POINTS = 1000  # data points drawn over the decision boundary (the data are shuffled: a fair sample)
LAYER_SCALE = "Viridis"


def run_label(result: TrainResult) -> str:
    """'ReLU' or 'Leaky ReLU (α=0.01)': the activation and its parameters."""
    act = result.config.act
    values = ", ".join(f"{p.symbol}={format_number(result.config.params[p.name])}" for p in act.params)
    return minus(f"{act.label} ({values})") if values else act.label


def run_styles(results: Sequence[TrainResult]) -> list[tuple[str, str]]:
    """(colour, dash) per run: the activation's colour; dashed when it repeats an earlier run's."""
    seen: set[str] = set()
    styles = []
    for r in results:
        name = r.config.activation_name
        styles.append((colour_for(name), "dash" if name in seen else "solid"))
        seen.add(name)
    return styles


def _labels(results: Sequence[TrainResult]) -> list[str]:
    labels = [run_label(r) for r in results]
    if len(set(labels)) < len(labels):
        labels = [f"{label} #{i + 1}" for i, label in enumerate(labels)]
    return labels


def run_summary(result: TrainResult, lang: str = "en") -> str:
    """The run in plain words, from its last record: accuracy, dead units per layer, how far below the
    last layer's gradient the first layer's is, and PReLU's α."""
    _ = translator(lang)
    if not len(result.steps):
        return _("{label}: no record yet.").format(label=run_label(result))
    parts = [
        _("accuracy {acc:.0%} after {steps} steps").format(acc=result.accuracy[-1], steps=int(result.steps[-1])),
        _("{dead:.0%} of hidden units dead").format(dead=result.overall_dead_fraction()),
    ]
    if result.config.depth > 1:
        per_layer = ", ".join(f"{d:.0%}" for d in result.dead_fraction[-1][:12])
        parts[-1] += (
            " (" + _("per layer: {values}").format(values=per_layer + ("…" if result.config.depth > 12 else "")) + ")"
        )
        ratio = result.gradient_ratio()
        ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        if ratio.size:
            parts.append(
                _("‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ = {ratio} (median over the records)").format(
                    ratio=_scientific(float(np.median(ratio)))
                )
            )
    if result.alpha is not None and result.final_alpha is not None:
        parts.append(
            _("α per layer {start} → {values}").format(
                start=format_number(result.config.params["alpha"]),
                values=", ".join(f"{a:.3f}" for a in result.final_alpha[:12]),
            )
        )
    return f"**{run_label(result)}**: " + "; ".join(parts)


def _scientific(ratio: float) -> str:
    """0.0005 -> '5.0×10⁻⁴', 0.3 -> '0.3'."""
    if 0.01 <= ratio < 100:
        return f"{ratio:.2g}"
    exponent = math.floor(math.log10(ratio))
    mantissa = ratio / 10.0**exponent
    superscript = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa:.1f}×10{superscript}"


def _step_range(results: Sequence[TrainResult]) -> list[float]:
    return [0, max(max(r.config.steps for r in results), 1)]


def _layout(title: str, height: int, **overrides) -> dict:
    layout = dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        height=height,
        hovermode="closest",
        legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", x=0, xanchor="left"),
        margin=dict(l=60, r=20, t=70, b=90),
    )
    return base_layout(**{**layout, **overrides})


def _status(result: TrainResult, lang: str) -> str:
    """'', or why the run ended early, for titles and annotations."""
    _ = translator(lang)
    if result.diverged:
        return _("diverged at step {step}").format(step=result.diverged_at)
    if result.stopped:
        return _("stopped at step {step}").format(step=int(result.steps[-1]) if len(result.steps) else 0)
    return ""


def loss_accuracy_figure(results: Sequence[TrainResult], lang: str = "en") -> go.Figure:
    """Cross-entropy loss (log axis) and accuracy on the full training set over the steps; the accuracy on
    the held-out test set dotted beside it when the run has one."""
    _ = translator(lang)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=[_("Loss (cross-entropy, log scale)"), _("Accuracy")],
    )
    for result, label, (colour, dash) in zip(results, _labels(results), run_styles(results), strict=True):
        status = _status(result, lang)
        name = f"{label} · {status}" if status else label
        for col, values, fmt in ((1, result.loss, ".4g"), (2, result.accuracy, ".1%")):
            fig.add_trace(
                go.Scatter(
                    x=result.steps,
                    y=values,
                    name=name,
                    legendgroup=label,
                    showlegend=col == 1,
                    mode="lines",
                    line=dict(color=colour, dash=dash, width=2.5),
                    hovertemplate=label + " · " + _("step") + " %{x}: %{y:" + fmt + "}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        held_out = result.test_accuracy
        if held_out is not None and np.any(np.isfinite(held_out)):
            fig.add_trace(
                go.Scatter(
                    x=result.steps,
                    y=held_out,
                    name=_("{label}: held-out test set").format(label=label),
                    legendgroup=label,
                    mode="lines",
                    line=dict(color=colour, dash="dot", width=2),
                    hovertemplate=label + " · " + _("test") + " · " + _("step") + " %{x}: %{y:.1%}<extra></extra>",
                ),
                row=1,
                col=2,
            )
        if result.diverged:
            fig.add_vline(x=result.diverged_at, line=dict(color=colour, dash="dot", width=1.5), row=1, col=1)
    fig.update_yaxes(type="log", **log_ticks(np.concatenate([r.loss for r in results])), row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title=_("training step"), range=_step_range(results))
    fig.update_layout(_layout(_("Loss and accuracy on the full training set"), 380))
    return fig


def _layer_colours(depth: int) -> list[str]:
    return sample_colorscale(LAYER_SCALE, [0.5] if depth == 1 else list(np.linspace(0.0, 0.9, depth)))


def dead_fraction_figure(results: Sequence[TrainResult], lang: str = "en") -> go.Figure:
    """Share of each hidden layer's units that are dead (f′ = 0 on every training example), over steps;
    one panel per run, one line per layer, coloured from the first layer (dark) to the last (yellow)."""
    _ = translator(lang)
    labels = _labels(results)
    fig = make_subplots(rows=1, cols=len(results), subplot_titles=labels, horizontal_spacing=0.08)
    shown_layers: set[int] = set()
    for col, result in enumerate(results, start=1):
        depth = result.config.depth
        colours = _layer_colours(depth)
        for layer in range(depth):
            fig.add_trace(
                go.Scatter(
                    x=result.steps,
                    y=result.dead_fraction[:, layer],
                    name=_("layer {n}").format(n=layer + 1),
                    legendgroup=f"layer{layer}",
                    showlegend=layer not in shown_layers,
                    mode="lines",
                    line=dict(color=colours[layer], width=2),
                    hovertemplate=_("layer {n}").format(n=layer + 1)
                    + " · "
                    + _("step")
                    + " %{x}: %{y:.0%} "
                    + _("dead")
                    + "<extra></extra>",
                ),
                row=1,
                col=col,
            )
            shown_layers.add(layer)
        if len(result.steps):
            overall = result.dead_fraction.mean(axis=1)
            fig.add_trace(
                go.Scatter(
                    x=result.steps,
                    y=overall,
                    name=_("all layers"),
                    legendgroup="all",
                    showlegend=col == 1,
                    mode="lines",
                    line=dict(color="#000000", width=3, dash="dot"),
                    hovertemplate=_("all layers") + " · " + _("step") + " %{x}: %{y:.0%}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%")
    fig.update_yaxes(title=_("dead units"), row=1, col=1)
    fig.update_xaxes(title=_("training step"), range=_step_range(results))
    fig.update_layout(
        _layout(_("Dead units per layer: f′(z) = 0 for every training example"), 380 + 6 * _max_depth(results))
    )
    return fig


def _max_depth(results: Sequence[TrainResult]) -> int:
    return min(max(r.config.depth for r in results), 30)


HEATMAP_DECADES = 8  # the colour scale spans at most this many decades below the largest norm
ZERO_COLOUR = "#b8b8b8"  # cells whose gradient is exactly 0: a grey outside the Magma scale


def _log_norms(grad_norm: np.ndarray) -> np.ndarray:
    """log10 of the norms; exact zeros (a layer with every unit dead) become NaN (drawn grey, apart)."""
    out = np.full(grad_norm.shape, np.nan)
    positive = grad_norm > 0
    out[positive] = np.log10(grad_norm[positive])
    return out


def heatmap_colour_range(logs: Sequence[np.ndarray], decades: int = HEATMAP_DECADES) -> tuple[int, int, bool]:
    """(lo, hi, clipped): whole decades spanning the finite log10 norms of every panel, at most ``decades``
    below the largest. A run whose gradient dies drops through 10⁻⁵⁸ on its way to 0; a scale reaching
    that far paints every real difference of a living run one pale wash. ``clipped``: some norm lies
    below ``lo`` (it is drawn in the darkest colour, and the colour bar says "≤")."""
    finite = np.concatenate([v[np.isfinite(v)] for v in logs] + [np.array([])])
    if not finite.size:
        return -3, 0, False
    hi = math.ceil(finite.max())
    lo = max(math.floor(finite.min()), hi - decades)
    lo = min(lo, hi - 1)
    return lo, hi, bool(finite.min() < lo)


def grad_norm_heatmap(results: Sequence[TrainResult], lang: str = "en") -> go.Figure:
    """‖∂L/∂W_l‖ on the full training set, layer × step, on one log colour scale shared by the panels,
    spanning at most ``HEATMAP_DECADES`` decades (smaller norms take the darkest colour). Grey cells: the
    gradient is exactly zero (every unit of the layer, or of a layer above it, is dead), said under the
    chart."""
    _ = translator(lang)
    labels = _labels(results)
    fig = make_subplots(rows=1, cols=len(results), subplot_titles=labels, horizontal_spacing=0.08)
    logs = [_log_norms(r.grad_norm) for r in results]
    lo, hi, clipped = heatmap_colour_range(logs)
    ticks = list(range(lo, hi + 1, max(1, (hi - lo) // 6)))
    ticktext = [f"10<sup>{t}</sup>" for t in ticks]
    if clipped and ticks[0] == lo:
        ticktext[0] = "≤ " + ticktext[0]
    any_zero = False
    for col, (result, z) in enumerate(zip(results, logs, strict=True), start=1):
        layers = np.arange(1, result.config.depth + 1)
        fig.add_trace(
            go.Heatmap(
                x=result.steps,
                y=layers,
                z=np.clip(z, lo, hi).T,
                customdata=result.grad_norm.T,
                zmin=lo,
                zmax=hi,
                colorscale="Magma",
                showscale=col == len(results),
                colorbar=dict(
                    title=dict(text="‖∂L/∂W‖", side="top"),
                    tickvals=ticks,
                    ticktext=ticktext,
                    len=0.85,
                    ticklabelposition="outside bottom",  # the top label under its tick, clear of the title
                ),
                name=labels[col - 1],
                hovertemplate=_("layer") + " %{y} · " + _("step") + " %{x}: ‖∂L/∂W‖ = %{customdata:.3g}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        zero = result.grad_norm == 0
        if zero.any():
            any_zero = True
            fig.add_trace(
                go.Heatmap(
                    x=result.steps,
                    y=layers,
                    z=np.where(zero, 1.0, np.nan).T,
                    zmin=0,
                    zmax=1,
                    colorscale=[[0, ZERO_COLOUR], [1, ZERO_COLOUR]],
                    showscale=False,
                    name=_("exactly 0"),
                    hovertemplate=_("layer")
                    + " %{y} · "
                    + _("step")
                    + " %{x}: ‖∂L/∂W‖ = 0 ("
                    + _("exactly 0")
                    + ")<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_yaxes(title=_("layer (1 = next to the input)"), row=1, col=1)
    fig.update_yaxes(autorange=True, dtick=max(1, _max_depth(results) // 10))
    fig.update_xaxes(title=_("training step"), range=_step_range(results))
    layout = _layout(
        _("Weight-gradient norm per layer over training (log colour scale)"),
        340 + 8 * _max_depth(results) + (30 if any_zero else 0),
        margin=dict(l=60, r=20, t=70, b=100 if any_zero else 60),
    )
    fig.update_layout(layout)
    if any_zero:
        fig.add_annotation(
            text="<span style='color:"
            + ZERO_COLOUR
            + "'>■</span> "
            + _("grey: the gradient is exactly 0 (every unit of the layer, or of a layer above it, is dead)"),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-72,
            xanchor="left",
            yanchor="top",
            showarrow=False,
        )
    return fig


BOUNDARY_MIDDLE = "#f2f2f2"  # P = ½: a pale grey, so a network predicting ½ everywhere is not a blank panel
CONSTANT_SPREAD = 0.02  # predicted probabilities varying less than this over the plane: "the same everywhere"


def prediction_is_constant(proba: np.ndarray, spread: float = CONSTANT_SPREAD) -> bool:
    """Whether a network predicts (almost) the same class probabilities at every point of the plane."""
    p = np.asarray(proba, dtype=np.float64).reshape(-1, proba.shape[-1])
    return bool(np.all(np.ptp(p, axis=0) < spread))


def decision_boundary_figure(
    results: Sequence[TrainResult], x: np.ndarray, y: np.ndarray, lang: str = "en", resolution: int = 80
) -> go.Figure:
    """What each network predicts over the plane (two classes: P(class 1), pale grey at ½; more: the
    predicted class) with the training data on top, coloured by their true class. Every panel spans the
    same grid; a network predicting the same everywhere (e.g. every unit dead) says so in its panel."""
    _ = translator(lang)
    labels = [
        f"{label} · {_('accuracy')} {r.accuracy[-1]:.0%}" if len(r.steps) else label
        for label, r in zip(_labels(results), results, strict=True)
    ]
    fig = make_subplots(rows=1, cols=len(results), subplot_titles=labels, horizontal_spacing=0.06)
    n_classes = int(max(y.max() + 1, 2)) if len(y) else 2
    shown = x[:MAX_POINTS], y[:MAX_POINTS]
    for col, result in enumerate(results, start=1):
        gx, gy, proba = decision_surface(result, x, resolution=resolution)
        if n_classes == 2:
            z, zmin, zmax = proba[..., 1], 0.0, 1.0
            scale = [[0.0, _tint(CLASS_COLOURS[0], 0.45)], [0.5, BOUNDARY_MIDDLE], [1.0, _tint(CLASS_COLOURS[1], 0.45)]]
            hover = "(%{x:.2f}, %{y:.2f}): P(" + _("class") + " 1) = %{z:.2f}<extra></extra>"
        else:
            z, zmin, zmax = np.argmax(proba, axis=-1).astype(float), -0.5, n_classes - 0.5
            scale = _discrete_scale([_tint(CLASS_COLOURS[k], 0.6) for k in range(n_classes)])
            hover = "(%{x:.2f}, %{y:.2f}): " + _("class") + " %{z}<extra></extra>"
        fig.add_trace(
            go.Heatmap(x=gx, y=gy, z=z, zmin=zmin, zmax=zmax, colorscale=scale, showscale=False, hovertemplate=hover),
            row=1,
            col=col,
        )
        for k in range(n_classes):
            mask = shown[1] == k
            fig.add_trace(
                go.Scatter(
                    x=shown[0][mask, 0],
                    y=shown[0][mask, 1],
                    mode="markers",
                    name=_("class {k}").format(k=k),
                    legendgroup=f"class{k}",
                    showlegend=col == 1,
                    marker=dict(color=CLASS_COLOURS[k], size=5, line=dict(color="#ffffff", width=0.5)),
                    hovertemplate=_("class {k}").format(k=k) + " (%{x:.2f}, %{y:.2f})<extra></extra>",
                ),
                row=1,
                col=col,
            )
        fig.update_xaxes(range=[float(gx[0]), float(gx[-1])], row=1, col=col)
        fig.update_yaxes(range=[float(gy[0]), float(gy[-1])], row=1, col=col)
        if prediction_is_constant(proba):
            mean = proba.reshape(-1, proba.shape[-1]).mean(axis=0)
            said = (
                _("P(class 1) = {p:.2f} everywhere").format(p=mean[1])
                if n_classes == 2
                else _("class {k} everywhere").format(k=int(np.argmax(mean)))
            )
            fig.add_annotation(
                text=_("The same prediction at every point:<br>{said}").format(said=said),
                xref=f"x{'' if col == 1 else col} domain",
                yref=f"y{'' if col == 1 else col} domain",
                x=0.5,
                y=0.04,
                yanchor="bottom",
                showarrow=False,
                bgcolor="rgba(255,255,255,0.85)",
            )
    fig.update_xaxes(showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(showgrid=False, zeroline=False, constrain="domain")  # equal scales shrink the box, not the grid
    for col in range(1, len(results) + 1):
        fig.update_yaxes(scaleanchor=f"x{'' if col == 1 else col}", scaleratio=1, row=1, col=col)
    fig.update_layout(_layout(_("Decision boundary over the training data"), 460))
    return fig


def dataset_figure(x: np.ndarray, y: np.ndarray, lang: str = "en") -> go.Figure:
    """The training data alone, coloured by class (shown when there is no network to draw)."""
    _ = translator(lang)
    fig = go.Figure()
    shown = x[:MAX_POINTS], y[:MAX_POINTS]
    for k in range(int(y.max()) + 1 if len(y) else 0):
        mask = shown[1] == k
        fig.add_trace(
            go.Scatter(
                x=shown[0][mask, 0],
                y=shown[0][mask, 1],
                mode="markers",
                name=_("class {k}").format(k=k),
                marker=dict(color=CLASS_COLOURS[k % len(CLASS_COLOURS)], size=5),
                hovertemplate=_("class {k}").format(k=k) + " (%{x:.2f}, %{y:.2f})<extra></extra>",
            )
        )
    fig.update_yaxes(scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False)
    fig.update_xaxes(showgrid=False, zeroline=False, constrain="domain")
    fig.update_layout(_layout(_("The training data"), 460))
    return fig


def _tint(hex_colour: str, amount: float) -> str:
    """Mix a #rrggbb colour with white (0 = unchanged, 1 = white)."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _discrete_scale(colours: Sequence[str]) -> list[list]:
    n = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    return scale


def alpha_figure(results: Sequence[TrainResult], lang: str = "en") -> go.Figure:
    """PReLU's learned negative slope α, one per hidden layer, over the steps; dotted: where it started."""
    _ = translator(lang)
    fig = go.Figure()
    learners = [(r, label) for r, label in zip(results, _labels(results), strict=True) if r.alpha is not None]
    for result, label in learners:
        colours = _layer_colours(result.config.depth)
        start = result.config.params["alpha"]
        for layer in range(result.config.depth):
            fig.add_trace(
                go.Scatter(
                    x=result.steps,
                    y=result.alpha[:, layer],
                    name=f"{label} · " + _("layer {n}").format(n=layer + 1),
                    mode="lines",
                    line=dict(color=colours[layer], width=2.5),
                    hovertemplate=_("layer {n}").format(n=layer + 1) + " · " + _("step") + " %{x}: α = %{y:.3f}"
                    "<extra></extra>",
                )
            )
        fig.add_hline(
            y=start,
            line=dict(color="rgba(0,0,0,0.45)", dash="dot", width=1.5),
            annotation_text=_("initial α = {alpha}").format(alpha=format_number(start)),
            annotation_position="top left",
        )
    if not learners:
        fig.add_annotation(
            text=_("Only PReLU learns α: choose PReLU to see it move."),
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
    fig.update_xaxes(title=_("training step"), range=_step_range(results))
    fig.update_yaxes(title=_("α (negative slope)"))
    fig.update_layout(_layout(_("PReLU: the learned negative slope α per layer"), 380))
    return fig


CHART_ORDER = ("loss", "boundary", "dead", "gradients", "alpha")  # how the Training Lab shows them


def training_figures(results: Sequence[TrainResult], lang: str = "en", resolution: int = 80) -> dict[str, go.Figure]:
    """The Training Lab's charts of ``results`` (runs on the same data), by name, in CHART_ORDER: the
    decision boundary over 2-D data, or for images (the digits) a grid of held-out examples with the
    first run's predictions; PReLU's α only when a run learns it."""
    from ..training import load_data

    x, y, x_test, y_test = load_data(results[0].config)
    if x.shape[1] == 2:
        boundary = decision_boundary_figure(results, x, y, lang, resolution=resolution)
    else:
        shown = (x_test, y_test) if len(x_test) else (x, y)
        boundary = digits_figure(results[0], *shown, lang)
    figures = {
        "loss": loss_accuracy_figure(results, lang),
        "boundary": boundary,
        "dead": dead_fraction_figure(results, lang),
        "gradients": grad_norm_heatmap(results, lang),
    }
    if any(r.alpha is not None for r in results):
        figures["alpha"] = alpha_figure(results, lang)
    return figures


def run_stem(configs: Sequence[TrainConfig]) -> str:
    """The file-name stem of a run's charts: ``training_relu-vs-leaky_relu_moons_lr-1.5_depth-4_width-16``."""
    fns = "-vs-".join(c.activation_name for c in configs)
    c = configs[0]
    return f"training_{fns}_{c.dataset}_lr-{format_number(c.lr)}_depth-{c.depth}_width-{c.width}"


DIGIT_GAP = 1  # blank pixels between the images of the grid


def digits_figure(
    result: TrainResult, x: np.ndarray, y: np.ndarray, lang: str = "en", count: int = 24, columns: int = 8
) -> go.Figure:
    """The first ``count`` images of ``x`` (e.g. the held-out test set) in a grid, each titled with the
    network's prediction: green when it is the true class ``y``, red (with the truth) when not.

    One heatmap of the whole mosaic (8×8 images, DIGIT_GAP blank pixels apart, row 0 at the top) and one
    annotation per image: cheap to send however many images are shown.
    """
    _ = translator(lang)
    shape = IMAGE_SHAPE.get(result.config.dataset, (8, 8))
    x, y = np.asarray(x, dtype=np.float64)[:count], np.asarray(y)[:count]
    predicted = np.argmax(result.predict_proba(x), axis=1) if len(x) else np.zeros(0, dtype=int)
    rows = max(1, math.ceil(len(x) / columns))
    height, width = shape
    mosaic = np.full((rows * (height + DIGIT_GAP), columns * (width + DIGIT_GAP)), np.nan)
    annotations = []
    for i, (image, truth, guess) in enumerate(zip(x, y, predicted, strict=True)):
        r, c = divmod(i, columns)
        top, left = r * (height + DIGIT_GAP), c * (width + DIGIT_GAP)
        mosaic[top : top + height, left : left + width] = image.reshape(shape)
        right = int(guess) == int(truth)
        text = str(int(guess)) if right else _("{guess} (is {truth})").format(guess=int(guess), truth=int(truth))
        annotations.append(
            dict(
                x=left + (width - 1) / 2,
                y=top - 0.5,
                text=text,
                showarrow=False,
                yanchor="bottom",
                font=dict(color="#228833" if right else "#CC3311", size=13),
            )
        )
    correct = int(np.sum(predicted == y))
    title = _("Predicted labels on {n} images · {correct} right").format(n=len(x), correct=correct)
    trace = dict(
        type="heatmap",
        z=np.round(mosaic, 3),
        colorscale="Greys",
        showscale=False,
        hoverinfo="skip",
    )
    layout = _layout(
        title,
        90 + 70 * rows,
        annotations=annotations,
        margin=dict(l=10, r=10, t=70, b=10),
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1),
    )
    return make_figure([trace], layout)
