"""A swept figure (``figures.sweeps``) for slides: an animated GIF, an MP4, or a standalone HTML file.

* GIF and MP4: every frame drawn as a still figure in the export's theme and size, rendered by kaleido in
  the warm browser as one batch (``export.render_many``: all frames queued at once over its tabs, no tab
  reloaded between frames), then encoded by imageio-ffmpeg: GIF with one palette for the whole animation
  (looping), MP4 as H.264 in yuv420p with the index at the front of the file (``+faststart``), the form
  PowerPoint, Keynote and Google Slides play.
* HTML: the figure itself with plotly.js embedded (``include_plotlyjs=True``): it opens with no network
  and keeps the in-figure slider and play button (reveal.js, Jupyter slides, a USB stick).

File names say what they show: ``elu_alpha-0-2_sweep.gif`` (``sweep_stem``).
"""

from __future__ import annotations

import copy
import io
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from . import export
from .figures.sweeps import frame_spec
from .themes import DEFAULT_THEME, get_theme, themed_spec
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


class _Validated:
    """A figure dict taken from a validated go.Figure: ``themed_spec`` uses it as is instead of building
    (and validating) a go.Figure from it again, which was most of the time per frame."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec

    def to_dict(self) -> dict:
        return self.spec


def _one_frame_each(spec: Mapping) -> list[dict]:
    """The figure with each of its frames alone (so that taking frame k out copies one frame, not all)."""
    base = {key: value for key, value in spec.items() if key != "frames"}
    return [{**base, "frames": [frame]} for frame in spec.get("frames") or []] or [base]


def still_frames(fig, theme: str = DEFAULT_THEME, size: tuple[int, int] | None = None) -> list[dict]:
    """Every frame of a swept figure as a still figure in ``theme`` at ``size``, ready for kaleido."""
    spec = fig.to_dict() if hasattr(fig, "to_dict") else dict(fig)
    return [themed_spec(_Validated(frame_spec(one, 0)), theme, size=size) for one in _one_frame_each(spec)]


def themed_sweep(fig, theme: str = DEFAULT_THEME, size: tuple[int, int] | None = None) -> dict:
    """A swept figure in ``theme`` with its frames themed too: each frame's changing parts (annotations,
    shapes, marker colours) are taken from the themed still of that frame, so the look does not change
    when the slider moves."""
    spec = fig.to_dict() if hasattr(fig, "to_dict") else copy.deepcopy(dict(fig))
    frames = spec.get("frames") or []
    sliders, menus = (spec.get("layout") or {}).get("sliders"), (spec.get("layout") or {}).get("updatemenus")
    themed = themed_spec({"data": spec["data"], "layout": spec["layout"]}, theme, size=size)
    stills = [themed_spec(_Validated(frame_spec(one, 0, still=False)), theme, size) for one in _one_frame_each(spec)]
    out_frames = []
    for frame, still in zip(frames, stills if frames else [], strict=True):
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


def browser_stills(fig, theme: str = DEFAULT_THEME, size: tuple[int, int] | None = None) -> list[dict]:
    """``still_frames`` with every numpy array as a plotly.js typed array (``{"dtype", "bdata"}``, base64:
    ``convert_to_base64``, as ``Figure.to_dict`` does) rather than the decimal text of its numbers: the
    same float32 values in a fifth of the JSON, sent to the browser and parsed there much faster."""
    from _plotly_utils.utils import convert_to_base64

    stills = still_frames(fig, theme, size)
    for still in stills:
        convert_to_base64(still["data"])  # the traces' arrays; the layout (and its large template) has none
    return stills


def render_stills(
    fig,
    width: int = 960,
    height: int = 540,
    theme: str = DEFAULT_THEME,
    progress: Callable[[int, int], None] | None = None,
) -> list[np.ndarray]:
    """Each frame as an RGB array of ``height × width`` pixels (the export's theme and size), all frames
    drawn as one batch on the warm browser's tabs (``export.render_many``). GIF and MP4 have no alpha: the
    transparent theme's frames are laid on the white slide its colours are chosen for
    (``contrast_background``), not on black."""
    pngs = export.render_many(browser_stills(fig, theme, (width, height)), "png", width, height, 1.0, progress=progress)
    look = get_theme(theme)
    background = look.contrast_background if look.transparent else None
    return [_rgb(png, background) for png in pngs]


def _rgb(png: bytes, background: str | None = None) -> np.ndarray:
    """A PNG's pixels as an RGB array, laid over ``background`` first when one is given."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if background is not None:
        image = Image.alpha_composite(Image.new("RGBA", image.size, background), image.convert("RGBA"))
    return np.asarray(image.convert("RGB"))


# ffmpeg's two-pass GIF: one palette of 256 colours from every pixel of every frame (palettegen), each
# frame mapped onto it by the nearest colour, undithered so flat areas stay flat (paletteuse).
GIF_FILTER = "split[a][b];[a]palettegen=stats_mode=full:reserve_transparent=0[p];[b][p]paletteuse=dither=none"


def encode_gif(frames: Sequence[np.ndarray], fps: float = DEFAULT_FPS) -> bytes:
    """An animated GIF that loops, one frame every 1/fps s: imageio-ffmpeg, one palette for the whole
    animation (``GIF_FILTER``). Several times faster than quantising each frame on its own (Pillow's
    default), and the shared palette lets each frame store only what changed."""
    params = ["-vf", GIF_FILTER, "-loop", "0"]
    return _ffmpeg(frames, fps, ".gif", codec="gif", pix_fmt_out="pal8", output_params=params)


def encode_mp4(frames: Sequence[np.ndarray], fps: float = DEFAULT_FPS) -> bytes:
    """An H.264 MP4 in yuv420p (even width and height, cropped by a pixel if needed), index at the front."""
    h, w = frames[0].shape[:2]
    even = [frame[: h - h % 2, : w - w % 2] for frame in frames]
    params = ["-movflags", "+faststart", "-crf", "20", "-preset", "veryfast"]
    return _ffmpeg(even, fps, ".mp4", codec="libx264", pix_fmt_out="yuv420p", output_params=params)


def _ffmpeg(frames: Sequence[np.ndarray], fps: float, suffix: str, **options) -> bytes:
    """RGB frames piped into ffmpeg (imageio-ffmpeg's ``write_frames``), the file it writes as bytes."""
    import imageio_ffmpeg

    h, w = frames[0].shape[:2]
    fd, path = tempfile.mkstemp(suffix=suffix)
    os.close(fd)
    try:
        writer = imageio_ffmpeg.write_frames(
            path, (w, h), fps=_fps(fps), quality=None, macro_block_size=1, ffmpeg_log_level="error", **options
        )
        writer.send(None)  # start ffmpeg
        try:
            for frame in frames:
                writer.send(np.ascontiguousarray(frame))
        finally:
            writer.close()
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


# --- the command line: python -m activations.export ... --sweep NAME=START:STOP:COUNT --format gif ---------


def _explorer_job(group, name: str, values, args):
    """(file-name stem, build) for a --fn/--formula group with one parameter swept."""
    from .export import CommandError

    fn, _dot, param = name.rpartition(".")
    acts = [_registry_get(a) for a, _p in group]
    target = next((a for a in acts if (not fn or a.name == fn) and param in {p.name for p in a.params}), None)
    if target is None:
        names = ", ".join(a.name for a in acts)
        raise CommandError(f"--sweep {name}: none of {names} has a parameter {param!r}")
    parts = []
    for act, params in zip(acts, (p for _a, p in group), strict=True):
        kept = {k: v for k, v in sorted(act.resolve(params).items()) if not (act is target and k == param)}
        parts.append(act.name + "".join(f"_{k}-{format_number(v)}" for k, v in kept.items()))
    stem = sweep_stem("_".join(parts), param, values)

    def build(progress=None):
        from .figures.sweeps import explorer_sweep_figure

        x_range = (args.xmin, args.xmax)
        return explorer_sweep_figure(
            [(a, p) for a, (_n, p) in zip(acts, group, strict=True)],
            target.name,
            param,
            x_range,
            values=values,
            lang=args.lang,
            budget=None,
            width_px=_width_of(args),
        )

    return stem, build


def _registry_get(name):
    from . import registry

    return registry.get(name)


def _width_of(args) -> int:
    try:
        return export.parse_size(args.size)[0]
    except ValueError:
        return 1920


def _gradient_flow_job(runs: list[tuple[dict, str]], name: str, values, args):
    from . import sweeps
    from .export import CommandError, gradient_flow_stem
    from .figures.sweeps import GRADIENT_FLOW_FIGURES, gradient_flow_sweep_figure

    if name not in sweeps.GRADIENT_FLOW_TARGETS:
        raise CommandError(f"--sweep {name}: a --gradient-flow sweep is over {', '.join(sweeps.GRADIENT_FLOW_TARGETS)}")
    figure = runs[0][1]
    if figure not in GRADIENT_FLOW_FIGURES:
        raise CommandError(f"--sweep: figure={figure} cannot be swept; use one of {', '.join(GRADIENT_FLOW_FIGURES)}")
    if name == "sigma_w" and not any(kw["init"] == "scaled_normal" for kw, _f in runs):
        raise CommandError("--sweep sigma_w: σ_w sets the weights only with init=scaled_normal (add it)")
    if name == "sigma_w" and min(values) <= 0:
        raise CommandError("--sweep sigma_w: σ_w must be above 0")
    if name == "depth" and (min(values) < 1 or max(values) > 200 or any(not float(v).is_integer() for v in values)):
        raise CommandError("--sweep depth: depths must be whole numbers from 1 to 200")
    kwargs_list = [dict(kw) for kw, _f in runs]
    stems = []
    for kw in kwargs_list:
        stem = gradient_flow_stem({k: v for k, v in kw.items() if k != name or k == "depth"})
        if name == "depth":
            stem = stem.replace(f"_depth-{kw['depth']}", "")
        stems.append(stem)
    stem = sweep_stem("_vs_".join(stems) + f"_{figure}", name, values)

    def build(progress=None):
        return gradient_flow_sweep_figure(
            kwargs_list, name, figure=figure, values=values, lang=args.lang, budget=None, progress=progress
        )

    return stem, build


def plan_sweep_jobs(args) -> list[tuple[str, Callable]]:
    """The animations the flags ask for: (file-name stem, build(progress) -> swept figure). Bad flags
    raise ``export.CommandError`` (one line)."""
    from . import sweeps
    from .export import CommandError, parse_fn, parse_formula, parse_gradient_flow

    if not args.sweep:
        raise CommandError(f"--format {args.format} is an animation: give --sweep NAME=START:STOP:COUNT")
    if args.format not in FORMATS:
        raise CommandError(f"--sweep makes an animation: use --format {' or '.join(FORMATS)}")
    if args.kind not in ("both",):
        raise CommandError("--sweep draws the explorer's figure (f above f′): leave out --kind")
    try:
        name, values = sweeps.parse_range(args.sweep)
        _fps(args.fps)
    except ValueError as err:
        raise CommandError(str(err)) from None
    selection = [parse_fn(spec) for spec in args.fn] + [parse_formula(spec) for spec in args.formula]
    jobs = []
    if selection:
        groups = [selection] if args.compare else [[item] for item in selection]
        jobs.extend(_explorer_job(group, name, values, args) for group in groups)
    if args.gradient_flow:
        runs = [parse_gradient_flow(spec) for spec in args.gradient_flow]
        if args.compare and len({figure for _kw, figure in runs}) > 1:
            raise CommandError("--compare draws the runs in one figure: give them the same figure=")
        groups = [runs] if args.compare else [[run] for run in runs]
        jobs.extend(_gradient_flow_job(group, name, values, args) for group in groups)
    if not jobs:
        raise CommandError("nothing to sweep: give --fn NAME, --formula FORMULA or --gradient-flow SETTINGS")
    return jobs


def cli(args, parser) -> int:
    """``python -m activations.export`` with --sweep: write one GIF, MP4 or HTML per figure; a progress
    bar (tqdm, on stderr) while frames render. Exit status 0 written, 1 rendering failed, 2 bad flags."""
    from tqdm import tqdm

    from .export import ExportError, ExportUnavailable, _one_line, browser_path

    prog = parser.prog
    try:
        width, height = export.parse_size(args.size)
        export.check_settings("png", width, height, 1.0, args.theme)
        jobs = plan_sweep_jobs(args)
    except ValueError as err:
        parser.error(_one_line(err))
    if args.format != "html" and browser_path() is None:
        print(f"{prog}: error: {export.NO_BROWSER}", file=sys.stderr)
        return 1
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"{prog}: error: cannot create --out {str(out)!r}: {err.strerror}", file=sys.stderr)
        return 1
    status = 0
    was_running = export._BROWSER.is_running()
    try:
        for stem, build in jobs:
            path = out / export.export_filename(stem, args.format)
            with tqdm(total=100, desc="computing", unit="%", leave=False) as bar:

                def computed(fraction, bar=bar):
                    bar.update(round(100 * fraction) - bar.n)

                fig = build(computed)
            try:
                if args.format == "html":
                    data = export_sweep(fig, "html", width, height, args.theme, args.fps)
                else:
                    with tqdm(total=len(fig.frames), desc=f"rendering {path.name}", unit="frame") as bar:

                        def rendered(done, total, bar=bar):
                            bar.update(done - bar.n)

                        data = export_sweep(fig, args.format, width, height, args.theme, args.fps, rendered)
            except ExportUnavailable as err:
                print(f"{prog}: error: {err}", file=sys.stderr)
                return 1
            except (ExportError, ValueError) as err:
                print(f"{prog}: error: {path.name}: {_one_line(err)}", file=sys.stderr)
                status = 1
                continue
            path.write_bytes(data)
            tqdm.write(str(path))
    finally:
        if not was_running:
            export.shutdown()
    return status
