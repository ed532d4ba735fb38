"""Shared look of every figure: one colour per activation across the whole app, fonts, grid.

Colours come from colour-blind-safe qualitative palettes (Okabe & Ito 2008; Paul Tol's "bright", "vibrant" and
"muted" sets). Each activation keeps its colour on every page and in every export, so a lecturer's
"the orange curve is ELU" stays true from slide to slide.
"""

from __future__ import annotations

from .. import registry

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
TOL_BRIGHT = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
TOL_VIBRANT = ("#EE7733", "#0077BB", "#33BBEE", "#EE3377", "#CC3311", "#009988")
TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")

# Hand-picked for the comparisons a lecture makes most (sigmoid / tanh / ReLU / Leaky ReLU / ELU / GELU
# must be told apart at a glance); the rest fall back to the palettes in order.
_PREFERRED = {
    "relu": "#0072B2",
    "leaky_relu": "#D55E00",
    "prelu": "#CC79A7",
    "elu": "#009E73",
    "sigmoid": "#E69F00",
    "tanh": "#56B4E9",
    "gelu": "#882255",
    "silu": "#117733",
    "selu": "#332288",
    "softplus": "#999933",
    "identity": "#555555",
}
CUSTOM_COLOUR = "#000000"
_FALLBACK = [
    c
    for c in dict.fromkeys(TOL_MUTED + TOL_BRIGHT + TOL_VIBRANT + OKABE_ITO)
    if c not in _PREFERRED.values() and c != CUSTOM_COLOUR
]


def colour_for(name: str) -> str:
    """The colour of activation ``name`` everywhere in the app (custom formulas are black)."""
    if name in _PREFERRED:
        return _PREFERRED[name]
    keys = [n for n in registry.names() if n not in _PREFERRED]
    if name in keys:
        return _FALLBACK[keys.index(name) % len(_FALLBACK)]
    return CUSTOM_COLOUR


FONT_FAMILY = "Inter, 'Noto Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
GRID_COLOUR = "rgba(0,0,0,0.08)"
ZERO_LINE_COLOUR = "rgba(0,0,0,0.35)"


def base_layout(**overrides) -> dict:
    """Layout shared by every figure: white background, light grid, the CJK-capable font stack."""
    layout = dict(
        template="plotly_white",
        font=dict(family=FONT_FAMILY, size=13),
        margin=dict(l=60, r=20, t=50, b=50),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    layout.update(overrides)
    return layout
