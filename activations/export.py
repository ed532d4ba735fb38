"""Slide-ready export: figures rendered server-side by kaleido in the system Chromium, and a batch command.

    python -m activations.export --fn relu --fn leaky_relu:alpha=0.2 --kind derivative \\
        --format png --size 1920x1080 --scale 2 --theme slide --out slides/

Rendering: kaleido 1.x drives a headless Chromium over the DevTools protocol. Starting it takes about two
seconds, so one browser is kept warm in a background thread (``warm_up``) and every ``render`` reuses it;
a failed or timed-out render discards it and the next call starts a fresh one. Chromium is found the way
kaleido's own helper (choreographer) finds it: ``BROWSER_PATH`` if set, otherwise ``CHROMIUM``, then
``/usr/bin/chromium``, then the usual Chrome/Chromium names on PATH. Without a browser, ``render`` raises
``ExportUnavailable`` with a message a person can act on.

A PNG of ``width × height`` at ``scale`` s has exactly ``round(s·width) × round(s·height)`` pixels; SVG and
PDF are vector formats and ignore the scale. File names say what is in the figure
(``leaky_relu_alpha-0.2_derivative.png``), built by ``export_filename``.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import concurrent.futures
import math
import os
import queue
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import registry
from .i18n import LANGUAGES, N_, translator
from .themes import DEFAULT_THEME, THEMES, themed_spec, themed_stem
from .urlstate import format_number

ENGLISH = translator("en")

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
ANIMATION_FORMATS = {"gif": "image/gif", "mp4": "video/mp4", "html": "text/html"}  # of a --sweep (animation.py)
# Preset key -> (label, width, height) in CSS pixels; the label is translated where it is shown.
SIZE_PRESETS: dict[str, tuple[str, int, int]] = {
    "16:9": (N_("16:9 slide"), 1920, 1080),
    "4:3": (N_("4:3 slide"), 1440, 1080),
    "half": (N_("half slide"), 960, 1080),
    "square": (N_("square"), 1080, 1080),
}
DEFAULT_SIZE = "16:9"
MIN_SIDE, MAX_SIDE = 100, 4000  # px
MIN_SCALE, MAX_SCALE = 1.0, 4.0
MAX_PIXELS = 40_000_000  # width·scale × height·scale: a 1920×1080 PNG at scale 4 is 33 MP
KINDS = ("function", "derivative", "both", "gallery")
KIND_SUFFIX = {"function": "function", "derivative": "derivative", "both": "function_derivative"}
STARTUP_TIMEOUT = 45.0  # s to start Chromium
RENDER_TIMEOUT = 60.0  # s for one figure
RETRY_AFTER = 30.0  # s before trying to start a browser again after a failed start


class ExportError(RuntimeError):
    """A figure could not be rendered."""


class ExportUnavailable(ExportError):
    """No browser to render with (none installed, or it would not start)."""


# --- settings and file names -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSettings:
    """What an export looks like: format, size in CSS px, PNG scale and theme. Invalid values raise."""

    format: str = "png"
    width: int = 1920
    height: int = 1080
    scale: float = 1.0
    theme: str = DEFAULT_THEME

    def __post_init__(self) -> None:
        check_settings(self.format, self.width, self.height, self.scale, self.theme)

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def mime(self) -> str:
        return FORMATS[self.format]

    @property
    def pixel_size(self) -> tuple[int, int]:
        """The PNG's pixel dimensions (SVG/PDF: the size in CSS px)."""
        s = self.scale if self.format == "png" else 1.0
        return (round(self.width * s), round(self.height * s))


def check_settings(fmt: str, width: int, height: int, scale: float, theme: str = DEFAULT_THEME) -> None:
    """Raise ValueError with a one-line reason if these export settings are not usable."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; valid themes: {', '.join(THEMES)}")
    for name, side in (("width", width), ("height", height)):
        if isinstance(side, bool) or not isinstance(side, int) or not MIN_SIDE <= side <= MAX_SIDE:
            raise ValueError(f"{name} must be a whole number of pixels from {MIN_SIDE} to {MAX_SIDE}, got {side!r}")
    if not isinstance(scale, int | float) or not math.isfinite(scale) or not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be from {MIN_SCALE:g} to {MAX_SCALE:g}, got {scale!r}")
    if fmt == "png" and width * scale * height * scale > MAX_PIXELS:
        raise ValueError(
            f"{width}×{height} at scale {scale:g} is {width * scale * height * scale / 1e6:.0f} megapixels; "
            f"the limit is {MAX_PIXELS / 1e6:.0f}"
        )


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' (or '1920×1080', or a preset key such as '16:9') -> (1920, 1080); ValueError otherwise."""
    text = text.strip().lower()
    if text in SIZE_PRESETS:
        return SIZE_PRESETS[text][1:]
    match = re.fullmatch(r"(\d{1,5})\s*[x×]\s*(\d{1,5})", text)
    if not match:
        raise ValueError(f"size must look like 1920x1080, got {text[:40]!r}")
    width, height = int(match[1]), int(match[2])
    for name, side in (("width", width), ("height", height)):
        if not MIN_SIDE <= side <= MAX_SIDE:
            raise ValueError(f"{name} must be from {MIN_SIDE} to {MAX_SIDE} px, got {side}")
    return width, height


def activation_stem(name: str | registry.Activation, params: Mapping[str, float] | None = None) -> str:
    """'leaky_relu_alpha-0.2': the activation's key ('custom' for a formula) and every parameter value
    (defaults filled in), sorted by parameter name; the same stem the Function Explorer gives its chart."""
    act = registry.get(name)
    resolved = act.resolve(params)
    return act.name + "".join(f"_{k}-{format_number(v)}" for k, v in sorted(resolved.items()))


def figure_stem(selection: Sequence[tuple[str | registry.Activation, Mapping]], kind: str | None = None) -> str:
    """'relu_leaky_relu_alpha-0.2_derivative': every activation in the figure, then what is drawn."""
    stem = "_".join(activation_stem(name, params) for name, params in selection) or "activations"
    return f"{stem}_{KIND_SUFFIX.get(kind, kind)}" if kind else stem


def export_filename(stem: str, fmt: str) -> str:
    """A safe file name for ``stem`` in format ``fmt``: letters, digits, '.', '-' and '_' only, at most
    120 characters before the extension ('sigmoid depth=30' -> 'sigmoid_depth_30.png')."""
    if fmt not in FORMATS and fmt not in ANIMATION_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid formats: {', '.join([*FORMATS, *ANIMATION_FORMATS])}")
    safe = re.sub(r"[^A-Za-z0-9.\-]+", "_", stem).strip("._-")[:120].rstrip("._-") or "figure"
    return f"{safe}.{fmt}"


# --- the warm browser ----------------------------------------------------------------------------------------


def browser_path() -> str | None:
    """The Chromium/Chrome executable kaleido will drive, or None when there is none."""
    for candidate in (os.environ.get("BROWSER_PATH"), os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if candidate:
            found = candidate if Path(candidate).is_file() else shutil.which(candidate)
            if found and os.access(found, os.X_OK):
                return found
    try:
        from choreographer.browsers.chromium import Chromium

        return Chromium.find_browser(skip_local=False)
    except Exception:
        return None


NO_BROWSER = N_(
    "Server-side export needs Chrome or Chromium, and none was found (install the 'chromium' package, or set "
    "BROWSER_PATH to the browser's executable)."
)
START_FAILED = N_("Chromium would not start for export: {error}")


class _WarmBrowser:
    """One kaleido browser on its own event-loop thread, started once and shared by every render."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready: concurrent.futures.Future | None = None
        self._failure: str | None = None  # the start-up error, one line
        self._failed_at = -math.inf

    def is_running(self) -> bool:
        """Whether a browser is up (started and not failed)."""
        with self._lock:
            ready = self._ready
        return ready is not None and ready.done() and not ready.cancelled() and ready.exception() is None

    def unavailable_reason(self, _: Callable[[str], str] = ENGLISH) -> str | None:
        """Why rendering cannot work right now (in the language of ``_``), or None when it can (or may:
        still starting)."""
        if browser_path() is None:
            return _(NO_BROWSER)
        with self._lock:
            if self._failure and time.monotonic() - self._failed_at < RETRY_AFTER:
                return _(START_FAILED).format(error=self._failure)
        return None

    def start(self) -> concurrent.futures.Future:
        """Start the browser if it is not running or starting; returns the future of the open kaleido."""
        return self._start()[0]

    def _start(self) -> tuple[concurrent.futures.Future, asyncio.AbstractEventLoop]:
        with self._lock:
            if self._ready is not None and not (self._ready.done() and self._ready.exception() is not None):
                return self._ready, self._loop
            if self._failure and time.monotonic() - self._failed_at < RETRY_AFTER:
                raise ExportUnavailable(START_FAILED.format(error=self._failure))
            path = browser_path()
            if path is None:
                raise ExportUnavailable(NO_BROWSER)
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-browser", daemon=True)
                self._thread.start()
            self._ready = asyncio.run_coroutine_threadsafe(_open_kaleido(path), self._loop)
            self._ready.add_done_callback(self._note_failure)
            return self._ready, self._loop

    def _note_failure(self, future: concurrent.futures.Future) -> None:
        if future.cancelled() or future.exception() is None:
            return
        with self._lock:
            self._failure = _one_line(future.exception())
            self._failed_at = time.monotonic()

    def render(self, fig, opts: dict, timeout: float) -> bytes:
        ready, loop = self._start()
        try:
            kaleido = ready.result(STARTUP_TIMEOUT)
        except Exception as err:
            self._discard()
            raise ExportUnavailable(START_FAILED.format(error=_one_line(err))) from err
        future = asyncio.run_coroutine_threadsafe(kaleido.calc_fig(fig, opts=opts), loop)
        try:
            return future.result(timeout)
        except Exception as err:
            future.cancel()
            self._discard()  # a hung or crashed tab: start afresh next time
            if isinstance(err, TimeoutError):
                raise ExportError(f"rendering took longer than {timeout:g} s and was stopped") from err
            raise ExportError(f"rendering failed: {_one_line(err)}") from err

    def render_many(self, figs: Sequence, opts: dict, timeout: float, progress=None) -> list[bytes]:
        """``render`` of every figure as one batch (``QuickKaleido.calc_figs``): all queued at once so
        kaleido's tabs draw them side by side, with no tab reloaded between them. ``timeout`` is per figure;
        ``progress(done, total)`` is called on this thread."""
        ready, loop = self._start()
        try:
            kaleido = ready.result(STARTUP_TIMEOUT)
        except Exception as err:
            self._discard()
            raise ExportUnavailable(START_FAILED.format(error=_one_line(err))) from err
        finished: queue.SimpleQueue = queue.SimpleQueue()  # True per figure drawn, False when one failed
        future = asyncio.run_coroutine_threadsafe(kaleido.calc_figs(figs, opts, finished.put), loop)
        try:
            for k in range(len(figs)):
                try:
                    if not finished.get(timeout=timeout):
                        break  # the batch failed: future.result raises its error
                except queue.Empty:
                    raise TimeoutError from None
                if progress is not None:
                    progress(k + 1, len(figs))
            return future.result(timeout)
        except Exception as err:
            future.cancel()
            self._discard()
            if isinstance(err, TimeoutError):
                raise ExportError(f"rendering took longer than {timeout:g} s and was stopped") from err
            raise ExportError(f"rendering failed: {_one_line(err)}") from err

    def _discard(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, None
        _close_soon(ready, self._loop)

    def close(self) -> None:
        """Close the browser and stop the thread (at exit, and between tests)."""
        with self._lock:
            ready, loop, thread = self._ready, self._loop, self._thread
            self._ready = self._loop = self._thread = None
            self._failure, self._failed_at = None, -math.inf
        if loop is None:
            return
        closing = _close_soon(ready, loop)
        if closing is not None:
            try:
                closing.result(10)
            except Exception:
                pass
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(5)
        if not loop.is_running():
            loop.close()


async def _open_kaleido(path: str):
    import kaleido

    class QuickKaleido(kaleido.Kaleido):
        """Kaleido reloads a tab after every figure and only then returns the image, which is half of a warm
        render. This hands the image back first and reloads in the background; with two tabs the next
        figure takes the other one meanwhile. Frames of one animation (``calc_figs``) skip the reload
        altogether: a tab just reloaded draws its first figure about three times slower than a warm one,
        so each frame takes the tab as the previous frame left it, and the tabs are reloaded once the
        batch is done. (Overrides private hooks of kaleido 1.x, ``_get_kaleido_tab`` and
        ``_return_kaleido_tab``; if they go away, rendering simply stays at kaleido's own speed.)"""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._reloads: set[asyncio.Task] = set()
            self._batches = 0  # calc_figs running: tabs go back to the queue without a reload
            self._unclean: set = set()  # tabs that drew in a batch and have not been reloaded since

        async def calc_figs(self, figs: Sequence, opts: dict, finished: Callable[[bool], None]) -> list[bytes]:
            """``calc_fig`` of every figure (in order), all queued at once over the tabs, no tab reloaded
            between them; ``finished(True)`` after each figure drawn, ``finished(False)`` if one fails."""
            self._batches += 1
            tasks = [asyncio.ensure_future(self.calc_fig(fig, opts=opts)) for fig in figs]
            for task in tasks:
                task.add_done_callback(lambda t: finished(not t.cancelled() and t.exception() is None))
            try:
                return await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                self._batches -= 1
                if not self._batches:
                    self._reload_unclean()

        async def _get_kaleido_tab(self, *args, **kwargs):
            tab = await super()._get_kaleido_tab(*args, **kwargs)
            if not self._batches and tab in self._unclean:  # a single figure gets a freshly loaded tab
                self._unclean.discard(tab)
                await tab.reload()
            return tab

        async def _return_kaleido_tab(self, tab, *args, **kwargs):
            if self._batches:  # the next frame of the batch takes the tab as it is
                self._unclean.add(tab)
                await self.tabs_ready.put(tab)
                return
            self._unclean.discard(tab)
            self._reload_soon(tab, *args, **kwargs)

        def _reload_soon(self, tab, *args, **kwargs) -> None:
            task = asyncio.create_task(super()._return_kaleido_tab(tab, *args, **kwargs))
            self._reloads.add(task)
            task.add_done_callback(self._reload_done)

        def _reload_unclean(self) -> None:
            """Reload, in the background, the tabs a batch left in the queue (one in use is reloaded when
            it comes back)."""
            waiting = []
            while not self.tabs_ready.empty():
                waiting.append(self.tabs_ready.get_nowait())
            for tab in waiting:
                if tab in self._unclean:
                    self._unclean.discard(tab)
                    self._reload_soon(tab)
                else:
                    self.tabs_ready.put_nowait(tab)

        def _reload_done(self, task: asyncio.Task) -> None:
            self._reloads.discard(task)
            if not task.cancelled():
                task.exception()  # retrieved: a tab lost while closing is not an error worth a log line

        async def close(self):
            for task in list(self._reloads):
                task.cancel()
            await super().close()

    # MathJax off: figures use Unicode, and kaleido would otherwise fetch MathJax from a CDN.
    k = QuickKaleido(n=2, path=path, mathjax=False, timeout=RENDER_TIMEOUT)
    await k.open()
    return k


def _close_soon(ready: concurrent.futures.Future | None, loop) -> concurrent.futures.Future | None:
    """Close the kaleido of ``ready`` on ``loop`` (once it has started, if it is still starting)."""
    if ready is None or loop is None:
        return None
    if not ready.done():
        ready.add_done_callback(lambda done: _close_soon(done, loop))
        return None
    if ready.cancelled() or ready.exception() is not None:
        return None

    async def close():
        await ready.result().close()

    return asyncio.run_coroutine_threadsafe(close(), loop)


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 300 else text[:297] + "…"


_BROWSER = _WarmBrowser()
atexit.register(_BROWSER.close)


def warm_up(wait: bool = False) -> None:
    """Start the shared browser now so the first export is fast. Never raises; with ``wait`` it blocks until
    the browser is up (or has failed)."""
    try:
        ready = _BROWSER.start()
        if wait:
            ready.result(STARTUP_TIMEOUT)
    except Exception:
        pass


def unavailable_reason(_: Callable[[str], str] = ENGLISH) -> str | None:
    """None when server-side export can work; otherwise a plain sentence saying why not, in the language
    of the translator ``_``."""
    return _BROWSER.unavailable_reason(_)


def shutdown() -> None:
    """Close the shared browser (it restarts on the next render)."""
    _BROWSER.close()


def render(fig, format: str = "png", width: int = 1920, height: int = 1080, scale: float = 1.0) -> bytes:
    """The bytes of ``fig`` as PNG, SVG or PDF, laid out at ``width × height`` CSS px (PNG: × ``scale``).

    Raises ValueError for unusable settings, ExportUnavailable without a browser, ExportError when the
    browser fails to draw the figure.
    """
    check_settings(format, width, height, scale)
    opts = {"format": format, "width": width, "height": height, "scale": scale if format == "png" else 1}
    return _BROWSER.render(fig, opts, RENDER_TIMEOUT)


def render_many(
    figs: Sequence, format: str = "png", width: int = 1920, height: int = 1080, scale: float = 1.0, progress=None
):
    """``render`` for many figures at once (an animation's frames), in order; ``progress(done, total)``."""
    check_settings(format, width, height, scale)
    opts = {"format": format, "width": width, "height": height, "scale": scale if format == "png" else 1}
    return _BROWSER.render_many(figs, opts, RENDER_TIMEOUT, progress)


def export_figure(fig, settings: ExportSettings) -> bytes:
    """``fig`` in the settings' theme, laid out at their size, rendered in their format."""
    themed = themed_spec(fig, settings.theme, size=settings.size)
    return render(themed, settings.format, settings.width, settings.height, settings.scale)


# --- the command line ---------------------------------------------------------------------------------------


class CommandError(ValueError):
    """A bad flag value, reported on one line."""


def parse_fn(spec: str) -> tuple[str, dict[str, float]]:
    """'leaky_relu:alpha=0.2,beta=1' -> ('leaky_relu', {'alpha': 0.2, 'beta': 1.0}), checked by the registry."""
    name, _sep, rest = spec.strip().partition(":")
    name = name.strip().lower()
    try:
        act = registry.get(name)
    except ValueError as err:
        raise CommandError(str(err)) from None
    return act.name, _resolve_params(act, rest, f"--fn {spec!r}")


def parse_formula(spec: str) -> tuple[registry.Activation, dict[str, float]]:
    """'x * sigmoid(beta * x):beta=1.5' -> (the parsed formula, {'beta': 1.5}). The formula language
    has no ':', so the first one starts the parameter values; the formula is parsed by
    ``activations.custom`` (never evaluated as Python)."""
    from . import custom

    text, _sep, rest = spec.partition(":")
    try:
        act = custom.parse(text)
    except custom.FormulaError as err:
        raise CommandError(f"--formula {text.strip()!r}: {err}") from None
    return act, _resolve_params(act, rest, f"--formula {spec!r}")


def _resolve_params(act: registry.Activation, text: str, where: str) -> dict[str, float]:
    """'alpha=0.2,beta=1' -> the activation's full parameter values, checked by ``act.resolve``."""
    params: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise CommandError(f"{where}: parameters are written name=value, got {item!r}")
        try:
            params[key.strip()] = float(value)
        except ValueError:
            raise CommandError(f"{where}: {key.strip()!r} must be a number, got {value.strip()!r}") from None
    try:
        return act.resolve(params)
    except ValueError as err:
        raise CommandError(f"{where}: {err}") from None


def parse_key_values(spec: str, flag: str) -> dict[str, str]:
    """'activation=sigmoid,depth=30' -> {'activation': 'sigmoid', 'depth': '30'}."""
    out = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise CommandError(f"{flag} {spec!r}: settings are written name=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line ('activations.export: error: ...') and exit with status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    presets = ", ".join(f"{key} = {w}x{h}" for key, (_label, w, h) in SIZE_PRESETS.items())
    parser = _Parser(
        prog="python -m activations.export",
        description="Render Activation Lab figures to PNG, SVG or PDF files for slides, without the app.",
        epilog=(
            "examples:\n"
            "  python -m activations.export --fn relu --fn leaky_relu:alpha=0.2 --kind derivative --out slides\n"
            "  python -m activations.export --kind gallery --theme slide --format pdf --out slides\n"
            '  python -m activations.export --formula "x * sigmoid(beta * x):beta=1.5" --fn silu --compare\n'
            '  python -m activations.export --gradient-flow "activation=sigmoid,depth=30,init=xavier_normal"'
            " --out slides\n"
            '  python -m activations.export --training "preset=dying_relu" --as-code pytorch --out dying_relu.py\n'
            "  python -m activations.export --fn elu --sweep alpha=0:2:21 --format gif --size 960x540\n"
            '  python -m activations.export --gradient-flow "activation=tanh,init=scaled_normal,sigma_w=1"'
            " --sweep sigma_w=0.5:2:16 --format mp4"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--fn",
        action="append",
        default=[],
        metavar="NAME[:PARAM=VALUE,...]",
        help="an activation to draw, e.g. relu or leaky_relu:alpha=0.2; repeat for several "
        f"(one figure each, unless --compare). Names: {', '.join(registry.names())}",
    )
    parser.add_argument(
        "--formula",
        action="append",
        default=[],
        metavar="FORMULA[:PARAM=VALUE,...]",
        help='your own activation as a formula of x, as on the app\'s pages, e.g. "x * sigmoid(beta * x)" or '
        '"where(x > 0, x, a * x):a=0.1" (parameters default to 1); drawn after the --fn activations; repeat '
        "for several",
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="both",
        help="function: f(x); derivative: f'(x); both: f above f' (default); gallery: every activation "
        "in one figure (no --fn)",
    )
    parser.add_argument(
        "--compare", action="store_true", help="draw all --fn activations (or all --gradient-flow runs) in one figure"
    )
    parser.add_argument(
        "--gradient-flow",
        action="append",
        default=[],
        metavar="SETTINGS",
        help="a deep network at initialisation and its gradient-flow figure, e.g. "
        '"activation=sigmoid,depth=30,init=xavier_normal". Settings: activation, depth, width, batch, init, '
        "bias, seed, sigma_w (for init=scaled_normal), the activation's parameters (alpha=0.2), and "
        f"figure = {' | '.join(GRADIENT_FLOW_FIGURES)} (default gradients). Repeat for several; with --compare "
        "they share one figure",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, *ANIMATION_FORMATS),
        default="png",
        help="file format (default png); gif, mp4 (H.264) and html (standalone, with the slider) need --sweep",
    )
    parser.add_argument(
        "--sweep",
        metavar="NAME=START:STOP:COUNT",
        help="animate one parameter over COUNT values from START to STOP: an activation's (alpha=0:2:21, or "
        "elu.alpha=...) with --fn/--formula, or sigma_w, bias or depth with --gradient-flow",
    )
    parser.add_argument("--fps", type=float, default=8.0, help="frames per second of a --sweep GIF or MP4 (default 8)")
    parser.add_argument(
        "--size",
        default="1920x1080",
        metavar="WxH",
        help=f"figure size in pixels, {MIN_SIDE}-{MAX_SIDE} each (default 1920x1080); presets: {presets}",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help=f"PNG pixel multiplier, {MIN_SCALE:g}-{MAX_SCALE:g} (default 1): 1920x1080 at 2 is 3840x2160 pixels",
    )
    parser.add_argument(
        "--theme",
        choices=tuple(THEMES),
        default=DEFAULT_THEME,
        help="light (default), dark, transparent (no background) or slide (large type, thick lines, "
        "colour-blind-safe palette, legend outside the data)",
    )
    parser.add_argument("--xmin", type=float, default=-5.0, help="left end of the x axis (default -5)")
    parser.add_argument("--xmax", type=float, default=5.0, help="right end of the x axis (default 5)")
    parser.add_argument("--lang", choices=tuple(LANGUAGES), default="en", help="language of the figure text")
    parser.add_argument(
        "--training",
        action="append",
        default=[],
        metavar="SETTINGS",
        help='a Training Lab run, for --as-code: "preset=dying_relu" and/or TrainConfig fields '
        '("activation=elu,lr=0.03,depth=4,dataset=circles,steps=300"), plus the activation\'s parameters',
    )
    parser.add_argument(
        "--as-code",
        choices=("pytorch",),
        help="instead of a figure, print a standalone PyTorch script for one --gradient-flow or --training "
        "configuration (numpy + torch only) that prints the app's numbers; --formula sets its activation",
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="directory to write into (created if missing; default .); with --as-code a .py file or a directory "
        "(default: print the script)",
    )
    return parser


@dataclass(frozen=True)
class Job:
    """One figure to write: how to build it and its file-name stem."""

    stem: str
    build: object  # () -> go.Figure


def plan_jobs(args: argparse.Namespace) -> list[Job]:
    """Turn parsed flags into figures to build; bad values raise CommandError (one line)."""
    if not (math.isfinite(args.xmin) and math.isfinite(args.xmax)) or args.xmin >= args.xmax:
        raise CommandError(f"--xmin must be below --xmax, got {args.xmin:g} and {args.xmax:g}")
    selection = [parse_fn(spec) for spec in args.fn] + [parse_formula(spec) for spec in args.formula]
    jobs: list[Job] = []
    if args.kind == "gallery":
        if selection:
            raise CommandError("--kind gallery draws every activation; leave out --fn and --formula")
        jobs.append(Job("activation_gallery", lambda: _gallery(args.lang)))
    elif selection:
        x_range = (args.xmin, args.xmax)
        groups = [selection] if args.compare else [[item] for item in selection]
        for group in groups:
            jobs.append(Job(figure_stem(group, args.kind), _curves_builder(group, args.kind, args.lang, x_range)))
    elif not args.gradient_flow:
        raise CommandError(
            "nothing to render: give --fn NAME, --formula FORMULA, --kind gallery or --gradient-flow SETTINGS"
        )
    jobs.extend(_gradient_flow_jobs(args.gradient_flow, args.compare, args.lang))
    return jobs


def _gallery(lang: str):
    from .figures.gallery import gallery_figure

    return gallery_figure(lang=lang, link_prefix=None)


def _curves_builder(group, kind: str, lang: str, x_range: tuple[float, float]):
    def build():
        from .figures.functions import curves_figure

        return curves_figure(group, kind, lang=lang, x_range=x_range)

    return build


# --gradient-flow: settings of activations.network.simulate, plus the activation's parameters and which figure.
GRADIENT_FLOW_FIGURES = ("gradients", "factors", "distributions", "dead", "activity")
_GF_INTS = {"depth": 30, "width": 256, "batch": 256, "seed": 0}
_GF_FLOATS = {"bias": 0.0, "sigma_w": None}


def parse_gradient_flow(spec: str) -> tuple[dict, str]:
    """'activation=sigmoid,depth=30,init=xavier_normal,figure=gradients' -> (simulate kwargs, figure).

    Keys: activation (default relu), depth, width, batch, init (default he_normal), bias, seed, sigma_w,
    figure (one of GRADIENT_FLOW_FIGURES, default gradients), and any parameter of the activation
    (alpha=0.2). Values are checked here and by ``simulate``; problems raise CommandError.
    """
    from . import network
    from .init import INITS

    values = parse_key_values(spec, "--gradient-flow")
    where = f"--gradient-flow {spec!r}"
    act_name = values.pop("activation", "relu").lower()
    try:
        act = registry.get(act_name)
    except ValueError as err:
        raise CommandError(f"{where}: {err}") from None
    figure = values.pop("figure", "gradients")
    if figure not in GRADIENT_FLOW_FIGURES:
        raise CommandError(f"{where}: figure must be one of {', '.join(GRADIENT_FLOW_FIGURES)}, got {figure!r}")
    init = values.pop("init", "he_normal")
    if init not in INITS:
        raise CommandError(f"{where}: init must be one of {', '.join(INITS)}, got {init!r}")
    kwargs: dict = {"activation": act.name, "init": init}
    for key, default in {**_GF_INTS, **_GF_FLOATS}.items():
        raw = values.pop(key, None)
        if raw is None:
            if default is not None:
                kwargs[key] = default
            continue
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise CommandError(f"{where}: {key} must be a finite number, got {raw!r}")
        if key in _GF_INTS:
            if not number.is_integer():
                raise CommandError(f"{where}: {key} must be a whole number, got {raw!r}")
            number = int(number)
        kwargs[key] = number
    limits = {"depth": network.MAX_DEPTH, "width": network.MAX_WIDTH, "batch": network.MAX_BATCH}
    for key, upper in limits.items():
        if not 1 <= kwargs[key] <= upper:
            raise CommandError(f"{where}: {key} must be from 1 to {upper}, got {kwargs[key]}")
    fit = network.fit_size(kwargs["depth"], kwargs["width"], kwargs["batch"], (init,))
    if fit.clamped:
        raise CommandError(
            f"{where}: depth {fit.depth} × width {kwargs['width']} × batch {kwargs['batch']} is too large "
            f"(at this depth: width ≤ {fit.width}, batch ≤ {fit.batch})"
        )
    if kwargs["seed"] < 0:
        raise CommandError(f"{where}: seed must be 0 or more, got {kwargs['seed']}")
    if init == "scaled_normal" and not (kwargs.get("sigma_w") or 0) > 0:
        raise CommandError(f"{where}: init=scaled_normal needs sigma_w > 0, e.g. sigma_w=1.5")
    known = {p.name for p in act.params}
    unknown = sorted(set(values) - known)
    if unknown:
        allowed = ["activation", "figure", "init", *_GF_INTS, *_GF_FLOATS, *sorted(known)]
        raise CommandError(f"{where}: unknown setting {', '.join(unknown)} (settings: {', '.join(allowed)})")
    try:
        kwargs["params"] = act.resolve({k: float(v) for k, v in values.items()})
    except ValueError as err:
        raise CommandError(f"{where}: {err}") from None
    return kwargs, figure


def gradient_flow_stem(kwargs: Mapping, figure: str | None = None) -> str:
    """'sigmoid_depth-30_init-xavier_normal_gradients' (width, batch, bias, seed, σ_w when not default)."""
    parts = [activation_stem(kwargs["activation"], kwargs.get("params")), f"depth-{kwargs['depth']}"]
    parts.append(f"init-{kwargs['init']}")
    for key, default in {**_GF_INTS, **_GF_FLOATS}.items():
        if key != "depth" and key in kwargs and kwargs[key] != default:
            parts.append(f"{key}-{format_number(kwargs[key])}")
    return "_".join(parts + ([figure] if figure else []))


def _gradient_flow_jobs(specs: Sequence[str], compare: bool, lang: str) -> list[Job]:
    runs = [parse_gradient_flow(spec) for spec in specs]
    if compare and len(runs) > 1:
        figures = {figure for _kwargs, figure in runs}
        if len(figures) > 1:
            raise CommandError("--compare draws the runs in one figure: give them the same figure=")
        stem = "_vs_".join(gradient_flow_stem(kwargs) for kwargs, _figure in runs) + f"_{runs[0][1]}"
        return [Job(stem, _gradient_flow_builder([kwargs for kwargs, _f in runs], runs[0][1], lang))]
    return [
        Job(gradient_flow_stem(kwargs, figure), _gradient_flow_builder([kwargs], figure, lang))
        for kwargs, figure in runs
    ]


def _gradient_flow_builder(runs: list[dict], figure: str, lang: str):
    def build():
        from .figures import gradient_flow
        from .network import simulate

        builders = {
            "gradients": gradient_flow.gradient_norm_figure,
            "factors": gradient_flow.layer_factor_figure,
            "distributions": gradient_flow.distribution_figure,
            "dead": gradient_flow.dead_saturated_figure,
            "activity": gradient_flow.activity_heatmap,
        }
        return builders[figure]([simulate(**kwargs) for kwargs in runs], lang=lang)

    return build


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (0 written, 1 rendering failed, 2 bad flags)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = parser.prog
    if args.as_code or args.training:
        from . import codegen

        try:
            script, stem = codegen.script_for_cli(args)
        except ValueError as err:
            parser.error(_one_line(err))
        return codegen.write_script(script, stem, args.out, prog)
    if args.sweep or args.format in ANIMATION_FORMATS:
        from . import animation

        return animation.cli(args, parser)
    try:
        width, height = parse_size(args.size)
        settings = ExportSettings(args.format, width, height, args.scale, args.theme)
        jobs = plan_jobs(args)
    except ValueError as err:
        parser.error(_one_line(err))
    if browser_path() is None:
        print(f"{prog}: error: {NO_BROWSER}", file=sys.stderr)
        return 1
    out = Path(args.out or ".")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"{prog}: error: cannot create --out {str(out)!r}: {err.strerror}", file=sys.stderr)
        return 1
    from tqdm import tqdm

    status = 0
    was_running = _BROWSER.is_running()  # e.g. inside the app, or a test's shared browser: leave it warm
    try:
        for job in tqdm(jobs, desc="rendering", unit="figure", disable=True if len(jobs) < 2 else None):
            path = out / export_filename(themed_stem(job.stem, settings.theme), settings.format)
            try:
                data = export_figure(job.build(), settings)
            except ExportUnavailable as err:
                print(f"{prog}: error: {err}", file=sys.stderr)
                return 1
            except (ExportError, ValueError) as err:
                print(f"{prog}: error: {path.name}: {_one_line(err)}", file=sys.stderr)
                status = 1
                continue
            path.write_bytes(data)
            tqdm.write(str(path))  # stdout, without breaking the progress bar on stderr
    finally:
        if not was_running:
            shutdown()
    return status


if __name__ == "__main__":
    sys.exit(main())
