"""A swept figure (``figures.sweeps``) for slides: an animated GIF, an MP4, or a standalone HTML file.

* GIF and MP4: every frame drawn as a still figure in the export's theme and size, rendered by kaleido in
  the warm browser (``export.render_many``: all frames queued at once over its tabs), then encoded by
  imageio: GIF through Pillow (looping), MP4 through imageio-ffmpeg as H.264 in yuv420p with the index at
  the front of the file (``+faststart``), the form PowerPoint, Keynote and Google Slides play.
* HTML: the figure itself with plotly.js embedded (``include_plotlyjs=True``): it opens with no network
  and keeps the in-figure slider and play button (reveal.js, Jupyter slides, a USB stick).

File names say what they show: ``elu_alpha-0-2_sweep.gif`` (``sweep_stem``).
"""

from __future__ import annotations

import copy
import io
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import export
from .figures.sweeps import frame_spec
from .themes import DEFAULT_THEME, themed_spec
from .urlstate import format_number

FORMATS = {"gif": "image/gif", "mp4": "video/mp4", "html": "text/html"}
DEFAULT_FPS = 8.0
MIN_FPS, MAX_FPS = 1.0, 30.0


def sweep_stem(what: str, target: str, values: Sequence[float]) -> str:
    """'elu_alpha-0-2_sweep': what the chart shows, the swept parameter, its first and last value."""
    name = target.rsplit(".", 1)[-1]
    return f"{what}_{name}-{format_number(float(values[0]))}-{format_number(float(values[-1]))}_sweep"


def sweep_filename(what: str, target: str, values: Sequence[float], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown animation format {fmt!r}; valid: {', '.join(FORMATS)}")
    return export.export_filename(sweep_stem(what, target, values), fmt)


def _frames_of(fig) -> int:
    frames = fig.frames if hasattr(fig, "frames") else (fig.get("frames") or [])
    return len(frames)


def still_frames(fig, theme: str = DEFAULT_THEME, size: tuple[int, int] | None = None) -> list[dict]:
    """Every frame of a swept figure as a still figure in ``theme`` at ``size``, ready for kaleido."""
    spec = fig.to_dict() if hasattr(fig, "to_dict") else copy.deepcopy(dict(fig))
    n = _frames_of(spec)
    return [themed_spec(frame_spec(spec, k), theme, size=size) for k in range(max(n, 1))]


def themed_sweep(fig, theme: str = DEFAULT_THEME, size: tuple[int, int] | None = None) -> dict:
    """A swept figure in ``theme`` with its frames themed too: each frame's changing parts (annotations,
    shapes, marker colours) are taken from the themed still of that frame, so the look does not change
    when the slider moves."""
    spec = fig.to_dict() if hasattr(fig, "to_dict") else copy.deepcopy(dict(fig))
    frames = spec.get("frames") or []
    sliders, menus = (spec.get("layout") or {}).get("sliders"), (spec.get("layout") or {}).get("updatemenus")
    themed = themed_spec({"data": spec["data"], "layout": spec["layout"]}, theme, size=size)
    stills = still_frames(spec, theme, size) if frames else []
    out_frames = []
    for frame, still in zip(frames, stills, strict=False):
        data = [
            {key: still["data"][index][key] for key in update if key in still["data"][index]}
            for index, update in zip(frame.get("traces", range(len(frame["data"]))), frame["data"], strict=True)
        ]
        entry = {**frame, "data": data}
        if frame.get("layout"):
            entry["layout"] = {key: still["layout"].get(key) for key in frame["layout"]}
        out_frames.append(entry)
    if sliders is not None:
        themed["layout"]["sliders"] = sliders
    if menus is not None:
        themed["layout"]["updatemenus"] = menus
    if size is not None:  # the slider takes room below the plot: keep the plot's size
        themed["layout"]["height"] = themed["layout"].get("height", size[1])
    themed["frames"] = out_frames
    return themed


def render_stills(
    fig,
    width: int = 960,
    height: int = 540,
    theme: str = DEFAULT_THEME,
    progress: Callable[[int, int], None] | None = None,
) -> list[np.ndarray]:
    """Each frame as an RGB array of ``height × width`` pixels (the export's theme and size)."""
    import imageio.v3 as iio

    stills = still_frames(fig, theme, (width, height))
    pngs = export.render_many(stills, "png", width, height, 1.0, progress=progress)
    return [np.asarray(iio.imread(io.BytesIO(png), extension=".png"))[..., :3] for png in pngs]


def encode_gif(frames: Sequence[np.ndarray], fps: float = DEFAULT_FPS) -> bytes:
    """An animated GIF that loops, one frame every 1/fps s (Pillow, through imageio)."""
    import imageio.v3 as iio

    duration = round(1000 / _fps(fps))
    return iio.imwrite("<bytes>", np.stack(frames), extension=".gif", duration=duration, loop=0)


def encode_mp4(frames: Sequence[np.ndarray], fps: float = DEFAULT_FPS) -> bytes:
    """An H.264 MP4 in yuv420p (even width and height, cropped by a pixel if needed), index at the front."""
    import imageio.v2 as imageio

    h, w = frames[0].shape[:2]
    h2, w2 = h - h % 2, w - w % 2
    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        writer = imageio.get_writer(
            path,
            format="FFMPEG",
            mode="I",
            fps=_fps(fps),
            codec="libx264",
            pixelformat="yuv420p",
            macro_block_size=1,
            quality=None,
            ffmpeg_log_level="error",
            ffmpeg_params=["-movflags", "+faststart", "-crf", "20", "-preset", "veryfast"],
        )
        with writer:
            for frame in frames:
                writer.append_data(np.ascontiguousarray(frame[:h2, :w2]))
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def to_html(fig, theme: str = DEFAULT_THEME, title: str = "Activation Lab") -> str:
    """A standalone HTML page: the swept figure with plotly.js embedded (no network needed), slider and
    play button kept, in ``theme``."""
    import plotly.io as pio

    spec = themed_sweep(fig, theme)
    html = pio.to_html(
        spec, include_plotlyjs=True, full_html=True, auto_play=False, validate=False, default_width="100%"
    )
    return html.replace("<head>", f"<head><title>{_escape(title)}</title>", 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fps(fps: float) -> float:
    if not MIN_FPS <= float(fps) <= MAX_FPS:
        raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps!r}")
    return float(fps)


def export_sweep(
    fig,
    fmt: str,
    width: int = 1920,
    height: int = 1080,
    theme: str = DEFAULT_THEME,
    fps: float = DEFAULT_FPS,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The swept figure as GIF, MP4 (``width × height`` px, ``theme``) or standalone HTML bytes.

    Raises ValueError for unusable settings, ``export.ExportUnavailable`` without a browser (GIF, MP4)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown animation format {fmt!r}; valid: {', '.join(FORMATS)}")
    export.check_settings("png", width, height, 1.0, theme)
    _fps(fps)
    if fmt == "html":
        return to_html(fig, theme).encode()
    frames = render_stills(fig, width, height, theme, progress)
    return encode_gif(frames, fps) if fmt == "gif" else encode_mp4(frames, fps)


def sweep_meta(fig) -> Mapping:
    """What ``pack_sweep`` recorded about the sweep in ``layout.meta`` (target, values)."""
    layout = fig.layout.to_plotly_json() if hasattr(fig, "layout") else fig.get("layout", {})
    return (layout.get("meta") or {}).get("sweep", {})
