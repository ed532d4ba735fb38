"""The one export panel (sidebar), the download button under every chart, and presentation mode.

The panel's widgets keep their values in ``st.session_state`` under ``export_*`` keys; ``show_chart`` reads
them through ``current_settings()``. Downloads render lazily: the button's data is a callable that Streamlit
runs only when it is clicked, on its own thread, with the shared warm browser (``activations.export``).

Presentation mode (the toggle, or ``present=1`` in the URL) injects one of a few FIXED stylesheets (no text
from the user or the URL ever reaches CSS): the sidebar, header and every element that is not a chart are
hidden, and each chart fills the window at the chosen aspect ratio, drawn in the chosen theme with fonts
and lines enlarged for a full-screen window, so a plain screenshot of the window is a finished slide.
"""

from __future__ import annotations

import math
from functools import partial

import streamlit as st

from activations import export
from activations.export import (
    DEFAULT_SIZE,
    FORMATS,
    MAX_SIDE,
    MIN_SIDE,
    SIZE_PRESETS,
    ExportSettings,
    export_filename,
    parse_size,
)
from activations.themes import DEFAULT_THEME, THEMES, apply_theme, projector, themed_stem
from activations.urlstate import Warnings, parse_choice, parse_flag
from ui.common import init_state, query, show_warnings, tr

CUSTOM = "custom"

# Presentation mode. Fixed strings, never built from user or URL text. Always: no sidebar, header or toolbar,
# and the presenter's buttons (show the controls, exit) at the top right, visible but quiet until pointed at.
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem !important; max-width: 100% !important; }
.st-key-export_exit { position: fixed; top: 0.5rem; right: 0.75rem; z-index: 1000; width: auto !important;
  opacity: 0.75; background: rgba(255,255,255,0.92); border: 1px solid rgba(0,0,0,0.25); border-radius: 0.5rem;
  padding: 0.1rem 0.4rem; box-shadow: 0 1px 4px rgba(0,0,0,0.15); }
.st-key-export_exit:hover, .st-key-export_exit:focus-within { opacity: 1; }
</style>"""
# ... and, unless the presenter asked for the controls, nothing but the charts, one to a screen.
CHARTS_ONLY_CSS = """<style>
[data-testid="stMain"] [data-testid="stElementContainer"]:not(:has([data-testid="stPlotlyChart"])) {
  display: none !important;
}
[data-testid="stMain"] [data-testid="stColumn"]:not(:has([data-testid="stPlotlyChart"])) { display: none !important; }
[data-testid="stMain"] [data-testid="stColumn"]:has([data-testid="stPlotlyChart"]) {
  width: 100% !important; flex: 1 1 100% !important;
}
[data-testid="stMain"] .st-key-export_exit [data-testid="stElementContainer"] { display: block !important; }
</style>"""

# Aspect ratios presentation mode can lay a chart out at; a custom size takes the nearest one. Each ratio's
# stylesheet is built here, from these constants only.
PRESENT_RATIOS = (
    *((16, 9), (16, 10), (3, 2), (4, 3), (5, 4), (2, 1), (21, 9)),  # landscape
    *((1, 1), (8, 9), (4, 5), (3, 4), (2, 3), (9, 16)),  # square and portrait
)
# Each chart as large as the window allows at the ratio, and the space under it down to the next screen left
# empty, so the next chart never peeks in at the bottom (its axis title cut by the window's edge).
_FRAME_CSS = {
    (w, h): (
        f"<style>[class*='st-key-export_frame_'] {{ aspect-ratio: {w:d} / {h:d}; "
        f"width: min(100%, calc((100vh - 2rem) * {w:d} / {h:d})) !important; "
        f"margin: 0 auto max(1rem, calc(100vh - 1rem - min((100vw - 2rem) * {h:d} / {w:d}, 100vh - 2rem))) auto; "
        f"}}</style>"
    )
    for w, h in PRESENT_RATIOS
}


# Presentation mode draws each chart to fill the window, whose size the server does not know: fonts and lines
# are scaled as for a chart of the chosen aspect ratio fitted into this typical full-screen browser window.
PRESENT_CANVAS = (1600, 900)


def present_size(width: int, height: int) -> tuple[int, int]:
    """``width × height`` scaled to fit PRESENT_CANVAS (the size presentation mode themes a chart for)."""
    s = min(PRESENT_CANVAS[0] / width, PRESENT_CANVAS[1] / height)
    return (round(width * s), round(height * s))


def nearest_ratio(width: int, height: int) -> tuple[int, int]:
    """The entry of PRESENT_RATIOS closest to width:height (on a log scale, so 2:1 and 1:2 are symmetric)."""
    target = math.log(width / height)
    return min(PRESENT_RATIOS, key=lambda r: abs(math.log(r[0] / r[1]) - target))


def _size_label(key: str, _) -> str:
    if key == CUSTOM:
        return _("custom")
    label, width, height = SIZE_PRESETS[key]
    return f"{_(label)} ({width}×{height})"


def _seed_from_url() -> None:
    """First run of the session: present=1, theme=slide, figsize=1440x1080 (or 4:3) from the address."""
    if "export_format" in st.session_state:
        return
    _ = tr()
    q, warnings = query(), Warnings()
    init_state("export_format", "png")
    init_state("export_present", parse_flag(q, "present"))
    init_state("export_theme", parse_choice(q, "theme", list(THEMES), DEFAULT_THEME, warnings, _=_))
    size_key, width, height = DEFAULT_SIZE, *SIZE_PRESETS[DEFAULT_SIZE][1:]
    raw = q.get("figsize")
    if raw:
        try:
            width, height = parse_size(raw[:40])
            size_key = next((k for k, (_l, w, h) in SIZE_PRESETS.items() if (w, h) == (width, height)), CUSTOM)
        except ValueError as err:
            warnings.add(
                _("URL parameter “{name}” = “{raw}” is not a usable size ({error}); using {default}.").format(
                    name="figsize", raw=raw[:40], error=err, default="1920×1080"
                )
            )
    init_state("export_size", size_key)
    init_state("export_width", width)
    init_state("export_height", height)
    init_state("export_scale", 1)
    show_warnings(warnings)


def current_settings() -> ExportSettings:
    """The export settings chosen in the panel (defaults where a value is missing or unusable)."""
    state = st.session_state
    fmt = state.get("export_format") if state.get("export_format") in FORMATS else "png"
    size_key = state.get("export_size", DEFAULT_SIZE)
    if size_key in SIZE_PRESETS:
        width, height = SIZE_PRESETS[size_key][1:]
    else:
        width = _clamp_int(state.get("export_width"), SIZE_PRESETS[DEFAULT_SIZE][1])
        height = _clamp_int(state.get("export_height"), SIZE_PRESETS[DEFAULT_SIZE][2])
    scale = state.get("export_scale", 1)
    scale = float(scale) if isinstance(scale, int | float) and 1 <= scale <= 4 else 1.0
    if width * scale * height * scale > export.MAX_PIXELS:
        scale = float(max(1, math.floor(math.sqrt(export.MAX_PIXELS / (width * height)))))
    theme = state.get("export_theme") if state.get("export_theme") in THEMES else DEFAULT_THEME
    return ExportSettings(fmt, width, height, scale, theme)


def _clamp_int(value, default: int) -> int:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return int(min(max(round(value), MIN_SIDE), MAX_SIDE))


def _sanitise_state() -> None:
    """Before the widgets are drawn: every export_* value usable by its widget (a deselected format, a stale
    or hand-edited session value), and the custom size fields, which Streamlit forgets on runs where they
    are hidden behind "custom", kept at the last size shown."""
    settings = current_settings()
    wanted = {
        "export_format": settings.format,
        "export_size": st.session_state.get("export_size")
        if st.session_state.get("export_size") in (*SIZE_PRESETS, CUSTOM)
        else DEFAULT_SIZE,
        "export_width": settings.width,
        "export_height": settings.height,
        "export_scale": int(settings.scale) if float(settings.scale).is_integer() else 1,
        "export_theme": settings.theme,
    }
    for key, value in wanted.items():
        if st.session_state.get(key) != value:
            st.session_state[key] = value


def presenting() -> bool:
    return bool(st.session_state.get("export_present", False))


def _stop_presenting() -> None:
    st.session_state["export_present"] = False
    st.session_state["export_present_controls"] = False


def showing_controls() -> bool:
    """In presentation mode: whether the presenter asked to see the page's controls (to move a parameter)."""
    return presenting() and bool(st.session_state.get("export_present_controls", False))


def _toggle_controls() -> None:
    st.session_state["export_present_controls"] = not st.session_state.get("export_present_controls", False)


def export_panel() -> ExportSettings:
    """The sidebar's export and presentation controls; call once per run, before the page."""
    _ = tr()
    _seed_from_url()
    _sanitise_state()
    if st.context.headers:  # a real browser session (not AppTest): have the renderer ready before a click
        export.warm_up()
    with st.sidebar.expander(_("Export and present"), icon=":material/download:"):
        st.segmented_control(
            _("Format"), options=list(FORMATS), format_func=str.upper, key="export_format", width="stretch"
        )
        st.selectbox(
            _("Size"), options=[*SIZE_PRESETS, CUSTOM], format_func=lambda key: _size_label(key, _), key="export_size"
        )
        if st.session_state.get("export_size") == CUSTOM:
            left, right = st.columns(2)
            left.number_input(_("Width (px)"), min_value=MIN_SIDE, max_value=MAX_SIDE, step=10, key="export_width")
            right.number_input(_("Height (px)"), min_value=MIN_SIDE, max_value=MAX_SIDE, step=10, key="export_height")
        png = st.session_state.get("export_format") in (None, "png")
        st.slider(
            _("Scale (PNG)"),
            min_value=1,
            max_value=4,
            step=1,
            key="export_scale",
            disabled=not png,
            help=_("Pixels per layout pixel: 2 turns a 1920×1080 figure into a 3840×2160 image."),
        )
        st.selectbox(_("Theme"), options=list(THEMES), format_func=lambda t: _(THEMES[t].label), key="export_theme")
        settings = current_settings()
        width, height = settings.pixel_size
        if settings.format == "png":
            st.caption(_("Downloads: {w} × {h} pixels.").format(w=width, h=height))
        else:
            st.caption(_("Downloads: vector {fmt}, {w} × {h}.").format(fmt=settings.format.upper(), w=width, h=height))
        st.toggle(
            _("Presentation mode"),
            key="export_present",
            help=_(
                "Hides the controls and the sidebar and fills the window with each chart at the chosen aspect "
                "ratio and theme, with text and lines at projector size, so a screenshot is a finished slide. "
                "“Show the controls” at the top right brings the sliders back while presenting; “Exit "
                "presentation” leaves it. A link with present=1 opens a page this way."
            ),
        )
    reason = export.unavailable_reason(_)
    if reason:
        st.sidebar.info(
            _(
                "Download buttons are off: this server cannot render images ({reason}). The camera icon in "
                "each chart's toolbar still saves a PNG from your browser."
            ).format(reason=reason),
            icon=":material/info:",
        )
    if presenting():
        st.html(PRESENT_CSS)
        if not showing_controls():
            st.html(CHARTS_ONLY_CSS)
        st.html(_FRAME_CSS[nearest_ratio(settings.width, settings.height)])
        with st.container(key="export_exit", horizontal=True):
            st.button(
                _("Hide the controls") if showing_controls() else _("Show the controls"),
                key="export_controls_button",
                on_click=_toggle_controls,
                icon=":material/tune:",
                type="tertiary",
                help=_("Shows the page's controls beside the charts, to change a value during the talk; the "
                       "in-chart slider and ▶ Play of a live sweep work without them."),
            )  # fmt: skip
            st.button(_("Exit presentation"), on_click=_stop_presenting, icon=":material/close:", type="tertiary")
    _sync_url(settings)
    return settings


def _sync_url(settings: ExportSettings) -> None:
    """Write present/theme/figsize to the address bar (defaults omitted), so the link reproduces the slide.
    Pages' own ``sync_url`` keeps these keys (ui/common.py)."""
    size_key = st.session_state.get("export_size")
    wanted = {
        "present": "1" if presenting() else None,
        "theme": settings.theme if settings.theme != DEFAULT_THEME else None,
        "figsize": None if size_key == DEFAULT_SIZE else f"{settings.width}x{settings.height}",
    }
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _download_bytes(fig, settings: ExportSettings) -> bytes:
    """Runs when a download button is clicked (on Streamlit's thread, not the script's)."""
    return export.export_figure(fig, settings)


def show_chart(fig, name: str, *, key: str) -> None:
    """A Plotly chart with its download button (a server-side render of exactly this figure in the chosen
    theme and size) and a camera button that saves at the chosen size under the same file name. ``name``
    is the file-name stem its exports get (e.g. 'relu_derivative')."""
    _ = tr()
    settings = current_settings()
    filename = export_filename(themed_stem(name, settings.theme), settings.format)
    camera = {
        "filename": filename.rsplit(".", 1)[0],
        "format": "png" if settings.format == "png" else "svg",  # the camera has no PDF; SVG stays vector
        "width": settings.width,
        "height": settings.height,
        "scale": settings.scale if settings.format == "png" else 1,
    }
    config = {"displaylogo": False, "toImageButtonOptions": camera}
    present = presenting()
    shown = fig
    if present:
        shown = apply_theme(fig, projector(THEMES[settings.theme]), size=present_size(*settings.size))
        shown.update_layout(width=None, height=None, autosize=True)
    with st.container(key=f"export_frame_{key}"):
        st.plotly_chart(
            shown, key=key, width="stretch", height="stretch" if present else "content", theme=None, config=config
        )
    if present or export.unavailable_reason():
        return
    width, height = settings.pixel_size
    st.download_button(
        _("Download {format}").format(format=settings.format.upper()),
        data=partial(_download_bytes, fig, settings),
        file_name=filename,
        mime=settings.mime,
        key=f"{key}_download",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
        help=_("{file}: {w} × {h}, {theme} theme (change these under “Export and present” in the sidebar)").format(
            file=filename, w=width, h=height, theme=_(THEMES[settings.theme].label)
        ),
    )


def _animation_bytes(fig, fmt: str, settings: ExportSettings) -> bytes:
    """Runs when an animation download is clicked: every frame rendered in the chosen theme and size."""
    from activations import animation

    return animation.export_sweep(fig, fmt, settings.width, settings.height, settings.theme)


def show_sweep_chart(fig, name: str, *, key: str, symbol: str) -> None:
    """A chart whose frames the browser plays (an in-figure slider and ▶ Play): the chart, what the slider
    does, and downloads of the sweep as GIF, MP4 (H.264) and a standalone HTML file that works offline."""
    from activations import animation
    from activations.figures.sweeps import SWEEP_CAPTION

    _ = tr()
    show_chart(fig, name, key=key)
    st.caption(_(SWEEP_CAPTION).format(symbol=symbol))
    if presenting() or export.unavailable_reason():
        return
    settings = current_settings()
    meta = (fig.layout.meta or {}).get("sweep", {}) if hasattr(fig, "layout") else {}
    with st.container(horizontal=True):
        for fmt in animation.FORMATS:
            stem = themed_stem(f"{name}_sweep-{meta.get('target', 'sweep')}".replace(".", "-"), settings.theme)
            st.download_button(
                _("Download {format}").format(format=fmt.upper()),
                data=partial(_animation_bytes, fig, fmt, settings),
                file_name=export_filename(stem, fmt),
                mime=animation.FORMATS[fmt],
                key=f"{key}_{fmt}",
                on_click="ignore",
                icon=":material/movie:",
                type="tertiary",
                help=_(
                    "Every frame of the sweep, {w} × {h}, {theme} theme; HTML keeps the slider and works offline."
                ).format(w=settings.width, h=settings.height, theme=_(THEMES[settings.theme].label)),
            )
