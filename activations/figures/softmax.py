"""Figures for the Softmax page: logits and probabilities, the Jacobian, temperature, the sigmoid link.

Built as plain dicts for ``style.make_figure`` (no Plotly validation): a slider move rebuilds three of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .. import get
from ..i18n import minus, translator
from ..softmax import softmax, softmax_jacobian, temperature_sweep
from .style import OKABE_ITO, axis_key, base_layout, colour_for, log_ticks, make_figure, on_subplot, subplot_layout

LOGIT_COLOUR = "#999999"
PROBABILITY_COLOUR = OKABE_ITO[4]


def class_names(n: int) -> list[str]:
    return [f"z{i + 1}" for i in range(n)]


def bars_figure(logits: Sequence[float], temperature: float, lang: str = "en") -> go.Figure:
    """Logits (left) and softmax(z/T) probabilities (right) as bar charts."""
    _ = translator(lang)
    z = np.asarray(logits, dtype=np.float64)
    p = softmax(z, temperature)
    names = class_names(z.size)
    titles = (_("Logits z"), _("Probabilities softmax(z / T), T = {t:.3g}").format(t=temperature))
    layout = subplot_layout(1, 2, titles)
    layout[axis_key("y", 1, 2, 1, 2)]["range"] = [0, 1.15]
    layout.update(base_layout(height=380, showlegend=False, hovermode="closest"))
    logit_bars = {
        "type": "bar",
        "x": names,
        "y": z,
        "marker": {"color": LOGIT_COLOUR},
        "name": _("logit"),
        "hovertemplate": "%{x}: %{y:.3f}<extra></extra>",
    }
    probability_bars = {
        "type": "bar",
        "x": names,
        "y": p,
        "marker": {"color": PROBABILITY_COLOUR},
        "name": _("probability"),
        "text": [f"{v:.3f}" for v in p],
        "textposition": "outside",
        "hovertemplate": "%{x}: %{y:.4f}<extra></extra>",
    }
    return make_figure([on_subplot(logit_bars, 1, 2, 1, 1), on_subplot(probability_bars, 1, 2, 1, 2)], layout)


def jacobian_figure(logits: Sequence[float], temperature: float, lang: str = "en") -> go.Figure:
    """Heatmap of ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)/T on a symmetric colour scale around 0."""
    _ = translator(lang)
    z = np.asarray(logits, dtype=np.float64)
    jac = softmax_jacobian(z, temperature)
    names = class_names(z.size)
    bound = max(float(np.max(np.abs(jac))), 1e-12)
    heatmap = {
        "type": "heatmap",
        "z": jac,
        "x": names,
        "y": [f"p{i + 1}" for i in range(z.size)],  # row i is output pᵢ, column j input zⱼ
        "zmin": -bound,
        "zmax": bound,
        "colorscale": "RdBu",
        "reversescale": True,
        "text": [[minus(f"{v:.3g}") for v in row] for row in jac],
        "texttemplate": "%{text}",
        "textfont": {"size": 15},
        "hovertemplate": "∂%{y}/∂%{x} = %{z:.4g}<extra></extra>",
        "colorbar": {"title": {"text": "∂p/∂z"}},
    }
    layout = base_layout(
        height=380,
        title={"text": _("Jacobian ∂pᵢ/∂zⱼ, Frobenius norm ‖J‖_F = {n:.3g}").format(n=float(np.linalg.norm(jac)))},
        hovermode="closest",
        xaxis={"title": {"text": _("input zⱼ")}},
        yaxis={"autorange": "reversed", "title": {"text": _("output pᵢ")}},
    )
    return make_figure([heatmap], layout)


def temperature_figure(logits: Sequence[float], temperature: float, lang: str = "en") -> go.Figure:
    """Max probability (left axis) and Jacobian norm (right, log axis) against T (log axis), the
    current T marked."""
    _ = translator(lang)
    temps, max_p, norms = temperature_sweep(logits, np.geomspace(0.01, 100.0, 161))
    max_p_line = {
        "type": "scatter",
        "x": temps,
        "y": max_p,
        "name": _("largest probability"),
        "line": {"color": OKABE_ITO[0], "width": 2.5},
        "yaxis": "y",
    }
    norm_line = {
        "type": "scatter",
        "x": temps,
        "y": norms,
        "name": _("Jacobian norm ‖J‖_F"),
        "line": {"color": PROBABILITY_COLOUR, "width": 2.5},
        "yaxis": "y2",
    }
    # The current T: a line in data coordinates; its label's x is in log10 units, as Plotly places
    # annotations on a log axis.
    marker = {"type": "line", "xref": "x", "yref": "y domain", "x0": temperature, "x1": temperature, "y0": 0, "y1": 1}
    label = {
        "text": _("T = {t:.3g}").format(t=temperature),
        "showarrow": False,
        "xref": "x",
        "yref": "y domain",
        "x": math.log10(temperature),
        "y": 1,
        "xanchor": "left",
        "yanchor": "top",
    }
    lowest = max(math.log10(max(float(np.min(norms)), 1e-300)), -12.0)
    layout = base_layout(
        height=380,
        title={"text": _("Low T saturates: max p → 1, ‖J‖ → 0"), "font": {"size": 14}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "xanchor": "left", "x": 0},
        margin={"l": 60, "r": 60, "t": 50, "b": 40},
        # decades only (Plotly labels the 2 and 5 between them with bare digits), padded so the end labels
        # of the three axes do not meet in the corners
        xaxis={
            "type": "log",
            "title": {"text": _("temperature T (log scale)")},
            "domain": [0.0, 0.94],
            "range": [-2.15, 2.15],
            **log_ticks([0.01, 100.0]),
        },
        yaxis={"title": {"text": _("largest probability")}, "range": [-0.06, 1.06]},
        yaxis2={
            "title": {"text": _("‖J‖ (log scale)")},
            "type": "log",
            "exponentformat": "power",
            "overlaying": "y",
            "side": "right",
            "anchor": "x",
            "range": [lowest - 0.08 * (0.1 - lowest), 0.1],
            "dtick": max(1, math.ceil(-lowest / 6)),  # whole decades, at most about 7 ticks
        },
        shapes=[{**marker, "line": {"color": "black", "dash": "dash"}}],
        annotations=[label],
    )
    return make_figure([max_p_line, norm_line], layout)


def sigmoid_link_figure(lang: str = "en") -> go.Figure:
    """softmax([x, 0])₀ drawn over σ(x): the two-class softmax is the sigmoid."""
    _ = translator(lang)
    x = np.linspace(-8, 8, 321)
    two_class = softmax(np.stack([x, np.zeros_like(x)], axis=-1))[:, 0]
    sigmoid = {
        "type": "scatter",
        "x": x,
        "y": get("sigmoid")(x),
        "name": "σ(x)",
        "line": {"color": colour_for("sigmoid"), "width": 7},
        "opacity": 0.45,
    }
    softmax_line = {
        "type": "scatter",
        "x": x,
        "y": two_class,
        "name": _("softmax([x, 0])₁"),
        "line": {"color": "black", "width": 2, "dash": "dash"},
    }
    layout = base_layout(
        height=380,
        title={"text": _("Two-class softmax of [x, 0] is the sigmoid σ(x)"), "font": {"size": 13}},
        xaxis={"title": {"text": "x"}},
        legend={"orientation": "v", "x": 0.02, "xanchor": "left", "y": 0.95, "yanchor": "top"},  # clear of the title
    )
    return make_figure([sigmoid, softmax_line], layout)
