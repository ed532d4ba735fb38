"""Figures for the Softmax page: logits and probabilities, the Jacobian, temperature, the sigmoid link."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import get
from ..i18n import translator
from ..softmax import softmax, softmax_jacobian, temperature_sweep
from .style import OKABE_ITO, base_layout, colour_for

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
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=[_("Logits z"), _("Probabilities softmax(z / T), T = {t:.3g}").format(t=temperature)],
    )
    fig.add_trace(
        go.Bar(x=names, y=z, marker_color=LOGIT_COLOUR, name=_("logit"), hovertemplate="%{x}: %{y:.3f}<extra></extra>"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=p,
            marker_color=PROBABILITY_COLOUR,
            name=_("probability"),
            text=[f"{v:.3f}" for v in p],
            textposition="outside",
            hovertemplate="%{x}: %{y:.4f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(range=[0, 1.15], row=1, col=2)
    fig.update_layout(base_layout(height=380, showlegend=False, hovermode="closest"))
    return fig


def jacobian_figure(logits: Sequence[float], temperature: float, lang: str = "en") -> go.Figure:
    """Heatmap of ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)/T on a symmetric colour scale around 0."""
    _ = translator(lang)
    z = np.asarray(logits, dtype=np.float64)
    jac = softmax_jacobian(z, temperature)
    names = class_names(z.size)
    bound = max(float(np.max(np.abs(jac))), 1e-12)
    fig = go.Figure(
        go.Heatmap(
            z=jac,
            x=names,
            y=names,
            zmin=-bound,
            zmax=bound,
            colorscale="RdBu",
            reversescale=True,
            text=[[f"{v:.3g}" for v in row] for row in jac],
            texttemplate="%{text}",
            hovertemplate="∂p_%{y}/∂%{x} = %{z:.4g}<extra></extra>",
            colorbar=dict(title=dict(text="∂p/∂z")),
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=_("output pᵢ"))
    fig.update_xaxes(title_text=_("input zⱼ"))
    fig.update_layout(
        base_layout(
            height=380,
            title=dict(text=_("Jacobian ∂pᵢ/∂zⱼ, ‖J‖ = {n:.3g}").format(n=float(np.linalg.norm(jac)))),
            hovermode="closest",
        )
    )
    return fig


def temperature_figure(logits: Sequence[float], temperature: float, lang: str = "en") -> go.Figure:
    """Max probability and Jacobian norm against T (log axis), the current T marked."""
    _ = translator(lang)
    temps, max_p, norms = temperature_sweep(logits, np.geomspace(0.01, 100.0, 161))
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=temps, y=max_p, name=_("largest probability"), line=dict(color=OKABE_ITO[0], width=2.5)))
    fig.add_trace(
        go.Scatter(x=temps, y=norms, name=_("Jacobian norm ‖J‖"), line=dict(color=PROBABILITY_COLOUR, width=2.5)),
        secondary_y=True,
    )
    fig.add_vline(
        x=temperature, line=dict(color="black", dash="dash"), annotation_text=_("T = {t:.3g}").format(t=temperature)
    )
    fig.update_xaxes(type="log", title_text=_("temperature T (log scale)"))
    fig.update_yaxes(title_text=_("largest probability"), range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(
        title_text=_("‖J‖ (log scale)"),
        type="log",
        exponentformat="power",
        secondary_y=True,
        range=[max(np.log10(max(float(np.min(norms)), 1e-300)), -12), 0.1],
    )
    fig.update_layout(
        base_layout(
            height=380,
            title=dict(text=_("Low T saturates: max p → 1, ‖J‖ → 0"), font=dict(size=14)),
            legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0),
            margin=dict(l=60, r=60, t=50, b=40),
        )
    )
    return fig


def sigmoid_link_figure(lang: str = "en") -> go.Figure:
    """softmax([x, 0])₀ drawn over σ(x): the two-class softmax is the sigmoid."""
    _ = translator(lang)
    x = np.linspace(-8, 8, 321)
    two_class = softmax(np.stack([x, np.zeros_like(x)], axis=-1))[:, 0]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=x, y=get("sigmoid")(x), name="σ(x)", line=dict(color=colour_for("sigmoid"), width=7), opacity=0.45)
    )
    fig.add_trace(
        go.Scatter(x=x, y=two_class, name=_("softmax([x, 0])₁"), line=dict(color="black", width=2, dash="dash"))
    )
    fig.update_xaxes(title_text="x")
    fig.update_layout(
        base_layout(
            height=380, title=dict(text=_("Two-class softmax of [x, 0] is the sigmoid σ(x)"), font=dict(size=13))
        )
    )
    return fig
