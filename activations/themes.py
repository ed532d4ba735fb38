"""Figure themes as data: light, dark, transparent background and "slide", applied to any figure.

A theme is a frozen table of fonts, sizes, line widths and colours; ``apply_theme`` returns a themed copy
of a figure without touching the original, so the app can show one figure and export it in another look.

Sizes are given for a chart of about ``REFERENCE_SIDE`` pixels (its shorter side), which is how big the
charts are on screen. Exported at a larger size the whole figure scales with it, so a 1920×1080 export
looks like the on-screen chart, only sharper, instead of the same 13 px text on a huge canvas:

    factor = clip(min(width, height) / REFERENCE_SIDE, 1, MAX_FACTOR)

Colours: each activation keeps its colour from ``figures.style.colour_for`` (colour-blind-safe palettes).
The "slide" theme restricts a figure to the Okabe & Ito palette (colours already in it stay, the others
take the palette's unused colours in order of appearance). Every theme then darkens or lightens, keeping
the hue, any line or text colour whose contrast against the background is below the theme's minimum
(WCAG 2.1 contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` of relative luminances), so the black "custom"
curve does not vanish on the dark theme and orange stays legible through a washed-out projector.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import plotly.graph_objects as go

from .i18n import N_
from .figures.style import FONT_FAMILY

REFERENCE_SIDE = 600  # px: the shorter side of a typical on-screen chart
MAX_FACTOR = 3.0
BASE_FONT_SIZE = 13  # what figures.style.base_layout uses; explicit sizes in a figure are scaled from it
BASE_LINE_WIDTH = 2.0  # Plotly's default line width

# Okabe & Ito (2008) without the yellow, which no projector shows on white; black last.
SLIDE_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Theme:
    """The look of an exported (or presented) figure. Sizes are pixels at ``REFERENCE_SIDE``."""

    name: str
    label: str  # marked with N_, translated where shown
    template: str
    font_family: str
    font_size: float  # body text: tick labels, legend, annotations
    title_size: float
    axis_title_size: float
    line_width: float  # data lines; explicit widths in a figure scale by line_width / BASE_LINE_WIDTH
    text_colour: str
    paper_colour: str  # outside the axes; "rgba(0,0,0,0)" is transparent
    plot_colour: str  # inside the axes
    grid_colour: str
    zero_line_colour: str
    contrast_background: str  # what lines are drawn on, for the contrast check (transparent: a white slide)
    min_contrast: float  # lines and text below this contrast ratio are darkened/lightened (1: never)
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
        template="plotly_white",
        font_family=FONT_FAMILY,
        font_size=13,
        title_size=16,
        axis_title_size=14,
        line_width=2.0,
        text_colour="#2a3f5f",
        paper_colour="#FFFFFF",
        plot_colour="#FFFFFF",
        grid_colour="rgba(0,0,0,0.08)",
        zero_line_colour="rgba(0,0,0,0.35)",
        contrast_background="#FFFFFF",
        min_contrast=1.0,
    ),
    "dark": Theme(
        name="dark",
        label=N_("Dark"),
        template="plotly_dark",
        font_family=FONT_FAMILY,
        font_size=13,
        title_size=16,
        axis_title_size=14,
        line_width=2.0,
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
        template="plotly_white",
        font_family=FONT_FAMILY,
        font_size=13,
        title_size=16,
        axis_title_size=14,
        line_width=2.0,
        text_colour="#222222",
        paper_colour=TRANSPARENT,
        plot_colour=TRANSPARENT,
        grid_colour="rgba(0,0,0,0.10)",
        zero_line_colour="rgba(0,0,0,0.40)",
        contrast_background="#FFFFFF",
        min_contrast=1.0,
    ),
    "slide": Theme(
        name="slide",
        label=N_("Slide (large, high contrast)"),
        template="plotly_white",
        font_family=FONT_FAMILY,
        font_size=18,
        title_size=24,
        axis_title_size=20,
        line_width=4.0,
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


def get_theme(theme: str | Theme) -> Theme:
    """The theme called ``theme``; an unknown name raises ValueError listing the valid ones."""
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except (KeyError, TypeError):
        raise ValueError(f"unknown theme {theme!r}; valid themes: {', '.join(THEMES)}") from None


def size_factor(size: tuple[int, int] | None) -> float:
    """How much fonts and lines grow for a figure of ``size`` = (width, height) px (1 on screen)."""
    if size is None:
        return 1.0
    return min(max(min(size) / REFERENCE_SIDE, 1.0), MAX_FACTOR)


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
    the others take the palette's unused colours in order (cycling if there are more than it has)."""
    normalised = {c: _normal(c) for c in colours}
    pal = [_normal(p) for p in palette]
    used = {n for n in normalised.values() if n in pal}
    free = [p for p in palette if _normal(p) not in used] or list(palette)
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


def apply_theme(fig: go.Figure, theme: str | Theme, size: tuple[int, int] | None = None) -> go.Figure:
    """A copy of ``fig`` in ``theme``; with ``size`` = (width, height) px it is also laid out at that size,
    fonts and lines scaled by ``size_factor(size)``. The original figure is not modified."""
    theme = get_theme(theme)
    k = size_factor(size)
    text_scale = theme.font_size / BASE_FONT_SIZE * k
    line_scale = theme.line_width / BASE_LINE_WIDTH * k
    out = go.Figure(fig)

    out.update_layout(
        template=theme.template,
        paper_bgcolor=theme.paper_colour,
        plot_bgcolor=theme.plot_colour,
        font=dict(family=theme.font_family, size=theme.font_size * k, color=theme.text_colour),
        title_font=dict(size=theme.title_size * k, color=theme.text_colour),
        legend=dict(font=dict(size=theme.font_size * k, color=theme.text_colour), bgcolor=TRANSPARENT),
        hoverlabel=dict(font=dict(size=theme.font_size * k)),
    )
    if size is not None:
        out.update_layout(width=int(size[0]), height=int(size[1]), autosize=False)
    if theme.legend_outside:
        out.update_layout(
            legend=dict(orientation="v", x=1.02, xanchor="left", y=1.0, yanchor="top", itemwidth=30 * k)
        )
    axis = dict(
        gridcolor=theme.grid_colour,
        zerolinecolor=theme.zero_line_colour,
        zerolinewidth=max(1.0, line_scale * 0.75),
        linecolor=theme.zero_line_colour,
        tickfont=dict(size=theme.font_size * k, color=theme.text_colour),
        title_font=dict(size=theme.axis_title_size * k, color=theme.text_colour),
    )
    out.update_xaxes(**axis)
    out.update_yaxes(**axis)
    for trace in out.data:
        if trace.type in ("heatmap", "contour", "histogram2d"):
            trace.colorbar.tickfont = dict(size=theme.font_size * k, color=theme.text_colour)
            trace.colorbar.title.font = dict(size=theme.axis_title_size * k, color=theme.text_colour)

    recolour = _recolourer(out, theme)
    for trace in out.data:
        _theme_trace(trace, recolour, line_scale, k)
    for annotation in out.layout.annotations:
        size_now = annotation.font.size or BASE_FONT_SIZE
        annotation.font.size = size_now * text_scale
        annotation.font.color = recolour(annotation.font.color) if annotation.font.color else theme.text_colour
        if annotation.font.family is None or annotation.font.family == FONT_FAMILY:
            annotation.font.family = theme.font_family
    for shape in out.layout.shapes:
        if shape.line.width is not None:
            shape.line.width = shape.line.width * line_scale
        if shape.line.color:
            shape.line.color = recolour(shape.line.color)
    return out


def _recolourer(fig: go.Figure, theme: Theme):
    """The colour function for this figure: palette mapping (slide) then the contrast floor."""
    mapping: Mapping[str, str] = {}
    if theme.palette:
        seen = [c for trace in fig.data for c in _trace_colours(trace)]
        mapping = palette_mapping(list(dict.fromkeys(seen)), theme.palette)

    def recolour(colour):
        if not isinstance(colour, str):
            return colour
        colour = mapping.get(colour, colour)
        return readable_colour(colour, theme.contrast_background, theme.min_contrast)

    return recolour


def _trace_colours(trace) -> list[str]:
    colours = []
    line = getattr(trace, "line", None)
    if line is not None and isinstance(getattr(line, "color", None), str):
        colours.append(line.color)
    marker = getattr(trace, "marker", None)
    if marker is not None and isinstance(getattr(marker, "color", None), str):
        colours.append(marker.color)
    return colours


def _theme_trace(trace, recolour, line_scale: float, k: float) -> None:
    line = getattr(trace, "line", None)
    if line is not None and hasattr(line, "width") and trace.type in ("scatter", "scattergl"):
        line.width = (line.width if line.width is not None else BASE_LINE_WIDTH) * line_scale
    if line is not None and isinstance(getattr(line, "color", None), str):
        line.color = recolour(line.color)
    marker = getattr(trace, "marker", None)
    if marker is not None:
        if isinstance(getattr(marker, "color", None), str):
            marker.color = recolour(marker.color)
        if trace.type in ("scatter", "scattergl") and isinstance(getattr(marker, "size", None), int | float):
            marker.size = marker.size * line_scale
        marker_line = getattr(marker, "line", None)
        if marker_line is not None and isinstance(getattr(marker_line, "color", None), str):
            marker_line.color = recolour(marker_line.color)
    textfont = getattr(trace, "textfont", None)
    if textfont is not None and isinstance(getattr(textfont, "size", None), int | float):
        textfont.size = textfont.size * k
