"""Shared look of every figure: one colour per activation across the whole app, fonts, grid.

Colours come from colour-blind-safe qualitative palettes (Okabe & Ito 2008; Paul Tol's "bright", "vibrant" and
"muted" sets). Each activation keeps its colour on every page and in every export, so a lecturer's
"the orange curve is ELU" stays true from slide to slide.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from functools import cache, lru_cache

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from .. import registry
from ..i18n import minus

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


THEORY_SHADE = 0.45  # how far a theory line's colour moves from its run's colour toward the text colour
SCREEN_TEXT = "#2a3f5f"  # the light theme's (the screen's) text colour


def shade(colour: str, toward: str, amount: float = THEORY_SHADE) -> str:
    """``colour`` mixed ``amount`` of the way to ``toward`` (a theme's text colour: darker on a light
    background, lighter on a dark one); both '#RRGGBB'. Anything else is returned as it is."""
    if not all(isinstance(c, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", c) for c in (colour, toward)):
        return colour
    a, b = ([int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in (colour, toward))
    return "#" + "".join(f"{round((1 - amount) * x + amount * y):02X}" for x, y in zip(a, b, strict=True))


def theory_line(colour: str, width: float = 1.5) -> dict:
    """The dashed line of a theory curve beside a run drawn in ``colour``: a shade of it toward the text
    colour, to be drawn on top of the measured line (a dash in the very same colour vanishes over a thick
    measured line wherever they agree). Put ``theory_meta(colour)`` on the trace so that themes shade the
    run's themed colour the same way."""
    return dict(color=shade(colour, SCREEN_TEXT), width=width, dash="dash")


def theory_meta(colour: str) -> dict:
    return {"shade_of": colour}


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


# plotly_white's layout keys that matter to 2-D cartesian charts (the rest style polar, geo, 3-D and
# ternary axes), and its defaults for the trace types the app draws.
_TEMPLATE_LAYOUT_KEYS = (
    "annotationdefaults",
    "autotypenumbers",
    "coloraxis",
    "colorscale",
    "colorway",
    "font",
    "hoverlabel",
    "hovermode",
    "paper_bgcolor",
    "plot_bgcolor",
    "shapedefaults",
    "title",
    "xaxis",
    "yaxis",
)
_TEMPLATE_TRACE_TYPES = ("scatter", "heatmap", "bar")


@cache
def plot_template() -> dict:
    """plotly_white restricted to what the app's figures use (2-D axes; scatter, heatmap and bar
    defaults): the same look as ``template="plotly_white"`` at a third of the bytes. Naming the template
    instead makes Plotly validate all of it, about 12 ms a figure, which a slider move pays every time.
    Shared: callers must not modify it (Plotly copies what it is given)."""
    full = pio.templates["plotly_white"].to_plotly_json()
    return {
        "layout": {k: v for k, v in full["layout"].items() if k in _TEMPLATE_LAYOUT_KEYS},
        "data": {k: v for k, v in full["data"].items() if k in _TEMPLATE_TRACE_TYPES},
    }


def base_layout(**overrides) -> dict:
    """Layout shared by every figure: white background, light grid, the CJK-capable font stack."""
    layout = dict(
        template=plot_template(),
        font=dict(family=FONT_FAMILY, size=13),
        margin=dict(l=60, r=20, t=50, b=50),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    layout.update(overrides)
    return layout


# Figures redrawn on every slider move are assembled as plain dicts and made into a figure once, by
# ``make_figure`` (unvalidated, see there): ``make_subplots`` costs ~9 ms and every ``add_trace``,
# ``add_vrect`` or ``update_layout`` a few ms, far more than the data of these charts.


@lru_cache(maxsize=64)
def _grid_skeleton(rows: int, cols: int, titles: tuple[str, ...], **options) -> dict:
    """``make_subplots(rows, cols, subplot_titles=titles, **options)``'s layout (axes, domains, title
    annotations) as a dict, without its template; computed once per grid."""
    layout = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles) or None, **options).layout
    skeleton = layout.to_plotly_json()
    skeleton.pop("template", None)
    return skeleton


def subplot_layout(rows: int, cols: int, titles: Sequence[str] = (), **options) -> dict:
    """A fresh copy of ``make_subplots``' layout for this grid (callers add to it)."""
    return copy.deepcopy(_grid_skeleton(rows, cols, tuple(titles), **options))


def axis_key(kind: str, rows: int, cols: int, row: int, col: int) -> str:
    """The layout key of subplot (row, col)'s x or y axis ("xaxis", "yaxis3"), as make_subplots numbers
    them: left to right, top to bottom."""
    n = (row - 1) * cols + col
    return f"{kind}axis" + ("" if n == 1 else str(n))


def axis_ref(kind: str, rows: int, cols: int, row: int, col: int) -> str:
    """How traces, shapes and annotations refer to that axis ("x", "y3")."""
    return axis_key(kind, rows, cols, row, col).replace("axis", "")


def on_subplot(item: dict, rows: int, cols: int, row: int, col: int) -> dict:
    """A trace placed in subplot (row, col): its axis references ("x2", "y2")."""
    return {**item, "xaxis": axis_ref("x", rows, cols, row, col), "yaxis": axis_ref("y", rows, cols, row, col)}


def axes_of(layout: dict, kind: str) -> list[dict]:
    """Every x or y axis of a layout (for settings shared by all of them)."""
    return [v for k, v in layout.items() if k.startswith(kind + "axis")]


@lru_cache(maxsize=32)
def _colorscale(name: str) -> tuple:
    """A named colorscale ("Viridis", "RdBu_r") as the [[position, colour], ...] Plotly's validation writes."""
    from _plotly_utils.basevalidators import ColorscaleValidator

    return tuple(tuple(stop) for stop in ColorscaleValidator("colorscale", "").validate_coerce(name))


def _expand_colorscales(item):
    """``item`` (a trace or layout dict) with every named colorscale in it, at any depth of nested dicts
    (and lists of dicts), replaced by its stops: plotly.js names some scales differently (its "RdBu"
    runs the other way), so the names must not reach the browser. Data arrays are not walked."""
    if isinstance(item, dict):
        out = None
        for key, value in item.items():
            if key == "colorscale" and isinstance(value, str):
                new = [list(stop) for stop in _colorscale(value)]
            elif isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
                new = _expand_colorscales(value)
            else:
                continue
            if new is not value:
                out = dict(item) if out is None else out
                out[key] = new
        return item if out is None else out
    if isinstance(item, list):
        expanded = [_expand_colorscales(v) for v in item]
        return item if all(a is b for a, b in zip(expanded, item, strict=True)) else expanded
    return item


def make_figure(traces: list[dict], layout: dict) -> go.Figure:
    """The one place such a figure is made: ``layout`` over the app's template.

    Not validated by Plotly: validation (walking every property through its validator) cost 2–20 ms a
    figure, several times the rest of a slider move's figure work. The builders write what validation
    would produce (tests/test_figures_unvalidated.py checks every chart of the figure catalog against its
    validated build); named colorscales, the one thing validation rewrites, are expanded here.
    """
    return go.Figure(
        data=[_expand_colorscales(t) if isinstance(t, dict) else t for t in traces],
        layout=_expand_colorscales({"template": plot_template(), **layout}),
        _validate=False,
    )


_SUPERSCRIPT_DIGITS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def param_suffix(params: dict, symbols: dict[str, str]) -> str:
    """' (α=−0.5, β=1)': the parameters of a curve's label, by symbol, minus signs typeset; '' for none."""
    if not params:
        return ""
    return minus(" (" + ", ".join(f"{symbols.get(k, k)}={v:.3g}" for k, v in params.items()) + ")")


def power_of_ten_label(exponent: int) -> str:
    """10ⁿ as a tick label: 1, 10, 100 and 0.1, 0.01 as digits, 10⁻³ and beyond as a power."""
    if -2 <= exponent <= 2:
        return f"{10.0**exponent:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT_DIGITS)


def log_ticks(values, max_labels: int = 6) -> dict:
    """Tick values and labels for a log axis over the positive finite ``values``: whole decades, every
    k-th one so that at most ``max_labels`` are labelled; 1-2-5 steps when the data span under a decade
    and a half. Plotly's own log ticks label the minor ticks with bare digits ("2 5 2 5", "9 8 7 …"),
    which on a projector read as values; these labels always state their value. {} if nothing is positive."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return {}
    low, high = math.floor(np.log10(v.min()) + 1e-9), math.ceil(np.log10(v.max()) - 1e-9)
    high = max(high, low + 1)
    if high - low <= 1.5:
        ticks = [m * 10.0**k for k in range(low, high + 1) for m in (1, 2, 5) if m * 10.0**k <= 10.0**high]
        return {"tickvals": ticks, "ticktext": [f"{t:.3g}" for t in ticks]}
    step = max(1, math.ceil((high - low) / max(max_labels - 1, 1)))
    exponents = list(range(high, low - 1, -step))[::-1]
    return {"tickvals": [10.0**e for e in exponents], "ticktext": [power_of_ten_label(e) for e in exponents]}
