"""The Overview gallery: every activation as a small multiple, function solid and derivative dashed."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import registry
from ..i18n import translator
from .style import FONT_FAMILY, ZERO_LINE_COLOUR, base_layout, colour_for

GALLERY_X = np.linspace(-5.0, 5.0, 201)


def gallery_figure(columns: int = 5, lang: str = "en", link_prefix: str | None = "./explorer?fn=") -> go.Figure:
    """One figure with a tile per registered activation, grouped by family (registry order).

    Tile titles link to the explorer with that function preselected when ``link_prefix`` is given.
    """
    _ = translator(lang)
    names = registry.names()
    rows = math.ceil(len(names) / columns)
    titles = []
    for name in names:
        act = registry.get(name)
        label = act.label
        if link_prefix is not None:
            label = f'<a href="{link_prefix}{name}" target="_self">{act.label}</a>'
        titles.append(f"{label}<br><sub>{_(act.family)}</sub>")
    fig = make_subplots(
        rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=0.5 / rows, horizontal_spacing=0.035
    )
    for i, name in enumerate(names):
        act = registry.get(name)
        row, col = divmod(i, columns)
        colour = colour_for(name)
        y = act(GALLERY_X)
        dy = act.derivative(GALLERY_X)
        common = dict(x=GALLERY_X, mode="lines", line=dict(color=colour), legendgroup=name, showlegend=False)
        fig.add_trace(
            go.Scatter(y=y, name=f"{act.label}: f", hovertemplate="f(%{x:.2f}) = %{y:.3f}", **common),
            row=row + 1,
            col=col + 1,
        )
        fig.add_trace(
            go.Scatter(
                y=dy,
                name=f"{act.label}: f′",
                hovertemplate="f′(%{x:.2f}) = %{y:.3f}",
                **{**common, "line": dict(color=colour, dash="dot")},
            ),
            row=row + 1,
            col=col + 1,
        )
    lo = np.clip(min(float(np.min(registry.get(n)(GALLERY_X))) for n in names), -3.5, 0)
    fig.update_yaxes(
        range=[max(lo, -3.5), 3.5], zeroline=True, zerolinecolor=ZERO_LINE_COLOUR, showticklabels=False, showgrid=False
    )
    fig.update_xaxes(zeroline=True, zerolinecolor=ZERO_LINE_COLOUR, showticklabels=False, showgrid=False)
    fig.update_annotations(font=dict(size=13, family=FONT_FAMILY))
    fig.update_layout(
        base_layout(
            height=175 * rows + 60,
            margin=dict(l=10, r=10, t=95, b=10),
            hovermode="closest",
            title=dict(
                text=_("Solid: f(x) · dotted: f′(x) · x from −5 to 5, y from −3.5 to 3.5"), font=dict(size=13), x=0.01
            ),
        )
    )
    return fig
