"""Figure themes as data: light, dark, transparent background and "slide", applied to any figure.

A theme is a frozen table of fonts, sizes, line widths and colours; ``apply_theme`` returns a themed copy
of a figure without touching the original, so the app can show one figure and export it in another look.

Sizes are those of the chart on screen. Exported at a larger size the whole figure scales with it, so a
1920×1080 export looks like the on-screen chart, only sharper, instead of 13 px text on a huge canvas:

    factor = clip(min(width / natural_width, height / natural_height), 1, MAX_FACTOR)

where the natural size is the figure's own layout size (``SCREEN_WIDTH`` wide and Plotly's 450 px high
when it sets none). A 450 px chart exported at 1920×1080 grows 1.9×; the 1110 px gallery stays as it is.

Colours: each activation keeps its colour from ``figures.style.colour_for`` (colour-blind-safe palettes).
The "slide" theme restricts a figure to the Okabe & Ito palette (colours already in it stay, the others
take the palette's unused colours in order of appearance). Every theme then darkens or lightens, keeping
the hue, any line or text colour whose contrast against the background is below the theme's minimum
(WCAG 2.1 contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` of relative luminances), so the black "custom"
curve does not vanish on the dark theme and orange stays legible through a washed-out projector.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from .figures.style import FONT_FAMILY, SCREEN_TEXT, shade
from .i18n import N_

SCREEN_WIDTH = 1000  # px: about how wide a chart is on screen ("stretch" in the wide layout)
DEFAULT_HEIGHT = 450  # px: Plotly's (and Streamlit's) height for a figure that sets none
MAX_FACTOR = 3.0
BASE_FONT_SIZE = 13  # what figures.style.base_layout uses; explicit sizes in a figure are scaled from it
BASE_LINE_WIDTH = 2.0  # Plotly's default line width

# Okabe & Ito (2008) without the yellow, which no projector shows on white; black last.
SLIDE_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True, kw_only=True)
class Theme:
    """The look of an exported (or presented) figure. Sizes are pixels on screen (scaled for export);
    the defaults are the app's own look on screen (the light theme)."""

    name: str
    label: str  # marked with N_, translated where shown
    template: str = "plotly_white"
    font_family: str = FONT_FAMILY
    font_size: float = BASE_FONT_SIZE  # body text: tick labels, legend, annotations
    title_size: float = 16
    axis_title_size: float = 14
    line_width: float = BASE_LINE_WIDTH  # data lines; explicit widths scale by line_width / BASE_LINE_WIDTH
    marker_scale: float = 1.0  # markers (e.g. the dot at a kink) grow by this on top of the size factor
    text_colour: str
    paper_colour: str  # outside the axes; "rgba(0,0,0,0)" is transparent
    plot_colour: str  # inside the axes
    grid_colour: str
    zero_line_colour: str
    contrast_background: str  # what lines are drawn on, for the contrast check (transparent: a white slide)
    min_contrast: float = 1.0  # lines and text below this contrast ratio are darkened/lightened (1: never)
    palette: tuple[str, ...] | None = None  # None: keep each activation's own colour
    legend_outside: bool = False  # legend to the right of the axes, never over the data

    @property
    def transparent(self) -> bool:
        return self.paper_colour == TRANSPARENT


TRANSPARENT = "rgba(0,0,0,0)"

THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light",
        label=N_("Light"),
        text_colour=SCREEN_TEXT,
        paper_colour="#FFFFFF",
        plot_colour="#FFFFFF",
        grid_colour="rgba(0,0,0,0.08)",
        zero_line_colour="rgba(0,0,0,0.35)",
        contrast_background="#FFFFFF",
    ),
    "dark": Theme(
        name="dark",
        label=N_("Dark"),
        template="plotly_dark",
        text_colour="#E8E8E8",
        paper_colour="#111111",
        plot_colour="#111111",
        grid_colour="rgba(255,255,255,0.12)",
        zero_line_colour="rgba(255,255,255,0.45)",
        contrast_background="#111111",
        min_contrast=3.0,
    ),
    "transparent": Theme(
        name="transparent",
        label=N_("Transparent background"),
        text_colour="#222222",
        paper_colour=TRANSPARENT,
        plot_colour=TRANSPARENT,
        grid_colour="rgba(0,0,0,0.10)",
        zero_line_colour="rgba(0,0,0,0.40)",
        contrast_background="#FFFFFF",
    ),
    "slide": Theme(
        name="slide",
        label=N_("Slide (large, high contrast)"),
        font_size=18,
        title_size=20,
        axis_title_size=20,
        line_width=4.0,
        marker_scale=1.4,
        text_colour="#000000",
        paper_colour="#FFFFFF",
        plot_colour="#FFFFFF",
        grid_colour="rgba(0,0,0,0.12)",
        zero_line_colour="rgba(0,0,0,0.6)",
        contrast_background="#FFFFFF",
        min_contrast=3.0,
        palette=SLIDE_PALETTE,
        legend_outside=True,
    ),
}
DEFAULT_THEME = "light"


def projector(theme: Theme) -> Theme:
    """``theme`` as presentation mode draws it: its colours, with type, lines and markers at least as large
    as the slide theme's, since a projected window is read from the back of a hall."""
    slide = THEMES["slide"]
    return replace(
        theme,
        font_size=max(theme.font_size, slide.font_size),
        title_size=max(theme.title_size, slide.title_size),
        axis_title_size=max(theme.axis_title_size, slide.axis_title_size),
        line_width=max(theme.line_width, slide.line_width * 0.75),
        marker_scale=max(theme.marker_scale, slide.marker_scale),
    )


def themed_stem(stem: str, theme: str) -> str:
    """A file-name stem that says the theme when it is not the default, so the same chart downloaded in
    two themes does not overwrite itself: ``relu_derivative`` -> ``relu_derivative_slide``."""
    return stem if theme == DEFAULT_THEME else f"{stem}_{theme}"


def get_theme(theme: str | Theme) -> Theme:
    """The theme called ``theme``; an unknown name raises ValueError listing the valid ones."""
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except (KeyError, TypeError):
        raise ValueError(f"unknown theme {theme!r}; valid themes: {', '.join(THEMES)}") from None


def size_factor(size: tuple[int, int] | None, natural: tuple[float, float] = (SCREEN_WIDTH, DEFAULT_HEIGHT)) -> float:
    """How much fonts, lines and margins grow when a figure of ``natural`` size is laid out at ``size``
    (both (width, height) px); 1 on screen (``size`` None) and never below 1 or above MAX_FACTOR."""
    if size is None:
        return 1.0
    ratio = min(size[0] / natural[0], size[1] / natural[1])
    return min(max(ratio, 1.0), MAX_FACTOR)


# --- colours -------------------------------------------------------------------------------------------

_NAMED = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
}
_RGB = re.compile(r"^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$")


def parse_colour(colour: str) -> tuple[tuple[float, float, float], float] | None:
    """'#RGB', '#RRGGBB', 'rgb(r,g,b)', 'rgba(r,g,b,a)' or a basic name -> ((r, g, b) in 0..255, alpha);
    None for anything else (gradients, other CSS names), which themes then leave alone."""
    text = colour.strip().lower()
    if text in _NAMED:
        return tuple(map(float, _NAMED[text])), 1.0
    if text.startswith("#") and len(text) in (4, 7):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        try:
            return (float(int(digits[0:2], 16)), float(int(digits[2:4], 16)), float(int(digits[4:6], 16))), 1.0
        except ValueError:
            return None
    match = _RGB.match(text)
    if match:
        r, g, b, a = match.groups()
        return (float(r), float(g), float(b)), float(a) if a is not None else 1.0
    return None


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 255.0)):02X}" for c in rgb)


def shade_of(trace: dict) -> str | None:
    """The run colour a trace's line is a shade of (``meta.shade_of``: a theory line beside its measured
    line), or None."""
    meta = trace.get("meta")
    return meta.get("shade_of") if isinstance(meta, dict) else None


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    r"""WCAG 2.1 relative luminance :math:`L = 0.2126 R + 0.7152 G + 0.0722 B` of linearised sRGB."""

    def linear(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(colour: str, background: str) -> float:
    r"""WCAG contrast ratio :math:`(L_1 + 0.05)/(L_2 + 0.05)`, 1 (none) to 21 (black on white).
    A translucent colour is first composited over the background."""
    fg, bg = parse_colour(colour), parse_colour(background)
    if fg is None or bg is None:
        raise ValueError(f"cannot compare colours {colour!r} and {background!r}")
    (fg_rgb, alpha), (bg_rgb, _) = fg, bg
    mixed = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg_rgb, bg_rgb, strict=True))
    lum = sorted((relative_luminance(mixed), relative_luminance(bg_rgb)), reverse=True)
    return (lum[0] + 0.05) / (lum[1] + 0.05)


def readable_colour(colour: str, background: str, min_contrast: float) -> str:
    """``colour`` itself if it contrasts enough with ``background``; otherwise the same hue mixed towards
    black (light backgrounds) or white (dark ones), just enough to reach ``min_contrast``."""
    parsed = parse_colour(colour)
    if parsed is None or parse_colour(background) is None or contrast_ratio(colour, background) >= min_contrast:
        return colour
    (rgb, alpha), (bg_rgb, _) = parsed, parse_colour(background)
    target = 0.0 if relative_luminance(bg_rgb) > 0.18 else 255.0
    lo, hi = 0.0, 1.0  # fraction mixed towards the target; bisect for the smallest that is enough
    for _ in range(30):
        mid = (lo + hi) / 2
        candidate = _hex(tuple((1 - mid) * c + mid * target for c in rgb))
        if contrast_ratio(candidate, background) >= min_contrast:
            hi = mid
        else:
            lo = mid
    mixed = tuple((1 - hi) * c + hi * target for c in rgb)
    if alpha < 1:
        return f"rgba({round(mixed[0])},{round(mixed[1])},{round(mixed[2])},{max(alpha, 0.8):g})"
    return _hex(mixed)


def palette_mapping(colours: list[str], palette: tuple[str, ...]) -> dict[str, str]:
    """Map a figure's colours (in order of first appearance) into ``palette``: colours already in it stay,
    the others take the palette's unused colours in order, then the whole palette again in a cycle."""
    normalised = {c: _normal(c) for c in colours}
    pal = [_normal(p) for p in palette]
    used = {n for n in normalised.values() if n in pal}
    free = [p for p in palette if _normal(p) not in used] + list(palette)
    mapping: dict[str, str] = {}
    i = 0
    for colour in colours:
        if colour in mapping:
            continue
        if normalised[colour] in pal:
            mapping[colour] = colour
        else:
            mapping[colour] = free[i % len(free)]
            i += 1
    return mapping


def _normal(colour: str) -> str:
    parsed = parse_colour(colour)
    return _hex(parsed[0]) if parsed else colour.strip().lower()


# --- applying a theme ---------------------------------------------------------------------------------
# Works on the figure's plain dict and builds one new Figure at the end: setting properties one by one on
# a go.Figure validates each assignment, which costs seconds for the 54-trace gallery.

_LINE_TRACES = ("scatter", "scattergl")
_COLOURBAR_TRACES = ("heatmap", "contour", "histogram2d")


def apply_theme(fig: go.Figure | dict, theme: str | Theme, size: tuple[int, int] | None = None) -> go.Figure:
    """A copy of ``fig`` in ``theme``; with ``size`` = (width, height) px it is also laid out at that size,
    fonts, lines and margins scaled by ``size_factor``. The original figure is not modified."""
    return go.Figure(themed_spec(fig, theme, size))


def themed_spec(fig: go.Figure | dict, theme: str | Theme, size: tuple[int, int] | None = None) -> dict:
    """``apply_theme`` as a plain figure dict (template expanded), ready for plotly.js or kaleido: skips
    re-validating the whole figure as a go.Figure, which is most of the theming time."""
    theme = get_theme(theme)
    spec = fig.to_dict() if hasattr(fig, "to_dict") else go.Figure(fig).to_dict()
    spec["data"] = [_decode_arrays(trace) for trace in spec.get("data", [])]
    layout = spec.setdefault("layout", {})
    data = spec.setdefault("data", [])
    natural = (layout.get("width") or SCREEN_WIDTH, layout.get("height") or DEFAULT_HEIGHT)
    k = size_factor(size, natural)
    text_scale = theme.font_size / BASE_FONT_SIZE * k
    line_scale = theme.line_width / BASE_LINE_WIDTH * k
    text = dict(color=theme.text_colour)

    layout["template"] = template_dict(theme.template)
    layout.update(paper_bgcolor=theme.paper_colour, plot_bgcolor=theme.plot_colour)
    _merge(layout, "font", family=theme.font_family, size=theme.font_size * k, **text)
    if isinstance(layout.get("title"), str):
        layout["title"] = {"text": layout["title"]}
    _merge(layout.setdefault("title", {}), "font", size=theme.title_size * k, **text)
    legend = layout.setdefault("legend", {})
    legend["bgcolor"] = TRANSPARENT
    _merge(legend, "font", size=theme.font_size * k, **text)
    if theme.legend_outside and legend.get("yref") != "container":
        # a legend already placed in the figure's margin (above or below the panels) stays there: moved to
        # the right it sat jammed into the corner, clipped, over the panel titles
        legend.update(orientation="v", x=1.02, xanchor="left", y=1.0, yanchor="top")
    _merge(layout, "hoverlabel", font={"size": theme.font_size * k})
    if size is not None:
        layout.update(width=int(size[0]), height=int(size[1]), autosize=False)
        margin = layout.get("margin", {})
        for side in ("l", "r", "t", "b"):
            if isinstance(margin.get(side), int | float):
                margin[side] = margin[side] * text_scale  # margins hold tick labels and titles
    axes = [key for key in layout if re.fullmatch(r"[xy]axis\d*", key)] or ["xaxis", "yaxis"]
    for key in axes:
        axis = layout.setdefault(key, {})
        axis.update(
            gridcolor=theme.grid_colour,
            zerolinecolor=theme.zero_line_colour,
            zerolinewidth=max(1.0, line_scale * 0.75),
            linecolor=theme.zero_line_colour,
        )
        _merge(axis, "tickfont", size=theme.font_size * k, **text)
        if isinstance(axis.get("title"), str):
            axis["title"] = {"text": axis["title"]}
        _merge(axis.setdefault("title", {}), "font", size=theme.axis_title_size * k, **text)

    recolour = _recolourer(data, theme)
    for trace in data:
        _theme_trace(trace, recolour, line_scale, theme.marker_scale * k, k, theme.text_colour)
        if size is not None and trace.get("type", "scatter") in _LINE_TRACES:
            # plotly.js drops points within ~width/4 px of a straight line: with slide-thick lines a smooth
            # curve then shows corners. Exports keep every sample.
            trace.setdefault("line", {})["simplify"] = False
        if trace.get("type") in _COLOURBAR_TRACES:
            bar = trace.setdefault("colorbar", {})
            _merge(bar, "tickfont", size=theme.font_size * k, **text)
            _merge(bar.setdefault("title", {}), "font", size=theme.axis_title_size * k, **text)
    for annotation in layout.get("annotations", []):
        font = annotation.setdefault("font", {})
        font["size"] = (font.get("size") or BASE_FONT_SIZE) * text_scale
        for offset in ("ax", "ay", "xshift", "yshift"):  # pixel offsets grow with the text they keep apart
            in_pixels = not offset.startswith("a") or annotation.get(f"{offset}ref", "pixel") == "pixel"
            if isinstance(annotation.get(offset), int | float) and in_pixels:
                annotation[offset] = annotation[offset] * text_scale
        font["color"] = recolour(font["color"]) if font.get("color") else theme.text_colour
        if font.get("family") in (None, FONT_FAMILY):
            font["family"] = theme.font_family
    for shape in layout.get("shapes", []):
        line = shape.get("line")
        if not line:
            continue
        if isinstance(line.get("width"), int | float):
            line["width"] = line["width"] * line_scale
        if line.get("color"):
            line["color"] = recolour(line["color"])
    return spec


@cache
def template_dict(name: str) -> dict:
    """A registered Plotly template ("plotly_white") as the dict plotly.js needs (it knows no names)."""
    return pio.templates[name].to_plotly_json()


def _decode_arrays(value):
    """Plotly 7's to_dict writes numpy data as {"dtype", "bdata"(base64), "shape"}: back to numpy arrays,
    so a themed figure holds the same arrays as the original."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value and set(value) <= {"bdata", "dtype", "shape"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return array.copy()
        return {key: _decode_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_arrays(item) for item in value]
    return value


def _merge(parent: dict, key: str, **values) -> None:
    """parent[key].update(values), creating parent[key] when absent."""
    child = parent.get(key)
    if not isinstance(child, dict):
        child = parent[key] = {}
    child.update(values)


def _recolourer(data: list[dict], theme: Theme):
    """The colour function for this figure: palette mapping (slide) then the contrast floor."""
    mapping: Mapping[str, str] = {}
    if theme.palette:
        seen = [c for trace in data for c in _trace_colours(trace)]
        mapping = palette_mapping(list(dict.fromkeys(seen)), theme.palette)

    def recolour(colour):
        if not isinstance(colour, str):
            return colour
        colour = mapping.get(colour, colour)
        return readable_colour(colour, theme.contrast_background, theme.min_contrast)

    return recolour


def _trace_colours(trace: dict) -> list[str]:
    """The opaque line and marker colours of a trace (translucent ones are bands and fills: left alone;
    a shade of a run's colour follows that colour, so it takes no palette colour of its own)."""
    if shade_of(trace):
        return []
    colours = []
    for part in ("line", "marker"):
        colour = (trace.get(part) or {}).get("color")
        if isinstance(colour, str) and (parsed := parse_colour(colour)) is not None and parsed[1] >= 1:
            colours.append(colour)
    return colours


def _theme_trace(
    trace: dict, recolour, line_scale: float, marker_scale: float, k: float, theme_text: str = "#000000"
) -> None:
    kind = trace.get("type", "scatter")
    line = trace.get("line")
    if kind in _LINE_TRACES:
        line = trace.setdefault("line", {})
        width = line.get("width")
        line["width"] = (BASE_LINE_WIDTH if width is None else width) * line_scale  # 0 (band edges) stays 0
    if line and shade_of(trace):
        line["color"] = shade(recolour(shade_of(trace)), theme_text)
    elif line and isinstance(line.get("color"), str):
        line["color"] = recolour(line["color"])
    marker = trace.get("marker")
    if marker:
        if isinstance(marker.get("color"), str):
            marker["color"] = recolour(marker["color"])
        if kind in _LINE_TRACES and isinstance(marker.get("size"), int | float):
            marker["size"] = marker["size"] * marker_scale
    textfont = trace.get("textfont")
    if textfont and isinstance(textfont.get("size"), int | float):
        textfont["size"] = textfont["size"] * k
