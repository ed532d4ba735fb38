"""Figures of f, f′ or both for a list of (activation, parameters), for export and slides.

"both" is the Function Explorer's own figure (f above f′, one x axis); "function" and "derivative" draw
one panel from the same sampled curves, so breaks at jumps and the kink dots (PyTorch's value, e.g.
ReLU′(0) = 0) are identical to what the explorer shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from .. import registry
from ..i18n import translator
from .explorer import function_figure, sample_curve
from .style import ZERO_LINE_COLOUR, base_layout, colour_for, param_suffix

KINDS = ("function", "derivative", "both")
Selection = Sequence[tuple[str | registry.Activation, Mapping[str, float]]]  # a name or, e.g., a parsed formula


def curve_label(name: str | registry.Activation, params: Mapping[str, float]) -> str:
    """'Leaky ReLU (α=0.2)': the legend entry of one activation at its parameters."""
    act = registry.get(name)
    symbols = {p.name: p.symbol for p in act.params}
    return act.label + param_suffix(params, symbols)


def curves_figure(
    selection: Selection,
    kind: str = "both",
    lang: str = "en",
    x_range: tuple[float, float] = (-5.0, 5.0),
) -> go.Figure:
    """f ("function"), f′ ("derivative") or f over f′ ("both") of each activation in ``selection``.

    Parameters are validated with ``Activation.resolve`` (missing ones take their defaults; unknown or
    invalid ones raise ValueError). Each activation keeps its colour from ``colour_for``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    if not selection:
        raise ValueError("choose at least one activation")
    _ = translator(lang)
    acts = [registry.get(name) for name, _params in selection]
    curves = [sample_curve(act, dict(params), *x_range) for act, (_name, params) in zip(acts, selection, strict=True)]
    if kind == "both":
        symbols = {act.name: {p.name: p.symbol for p in act.params} for act in acts}
        return function_figure(curves, symbols, annotate=("kinks",), lang=lang)

    derivative = kind == "derivative"
    fig = go.Figure()
    for act, curve in zip(acts, curves, strict=True):
        colour = colour_for(curve.name)
        label = curve_label(act, curve.params)
        x, y = (curve.xd, curve.yd) if derivative else (curve.xf, curve.yf)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=label,
                legendgroup=curve.name,
                line=dict(color=colour, width=2.5),
                connectgaps=False,
                hovertemplate=("f′" if derivative else "f") + "(%{x:.3f}) = %{y:.4f}<extra>" + label + "</extra>",
            )
        )
        if derivative and curve.kinks:
            fig.add_trace(
                go.Scatter(
                    x=[k[0] for k in curve.kinks],
                    y=[k[2] for k in curve.kinks],
                    mode="markers",
                    marker=dict(color=colour, size=10, line=dict(color="white", width=1.5)),
                    name=_("value used at the kink"),
                    legendgroup=curve.name,
                    showlegend=False,
                    hovertemplate="f′(%{x:g}) = %{y:.4g}<extra>" + label + "</extra>",
                )
            )
    fig.update_xaxes(title_text="x", zeroline=True, zerolinecolor=ZERO_LINE_COLOUR, range=list(x_range))
    fig.update_yaxes(
        title_text=_("Derivative f′(x)") if derivative else _("Activation f(x)"),
        zeroline=True,
        zerolinecolor=ZERO_LINE_COLOUR,
    )
    fig.update_layout(base_layout(height=450, hovermode="closest", showlegend=True))
    return fig
