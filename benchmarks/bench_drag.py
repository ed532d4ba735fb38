"""In-figure sliders: drag-to-frame latency in headless Chromium beside the Streamlit slider, and a GIF render.

* Drag-to-frame: ``benchmarks/sweep_app.py`` shows a swept chart (``figures.sweeps``) in Streamlit. The
  pointer presses the chart's in-figure slider handle and moves it one step at a time. Each sample runs
  from the ``pointermove`` event (its ``timeStamp``) to the animation frame after the one in which
  plotly.js holds the new frame's data (so the redraw has been painted). Median over every step of a
  drag across the slider and back. Websocket messages the browser sends during the drags are counted
  (goal: none; the server is not involved).
* Baseline, same run: the bare page's Streamlit slider (``benchmarks/bare_app.py``), ArrowRight to the
  first frame showing the new plot, measured as ``bench_browser`` measures every page.
* GIF and MP4: a 41-frame 960×540 GIF (and MP4) of ELU's α sweep, browser warm (one render done before),
  the frames drawn as one batch on kaleido's tabs (``export.render_many``) and encoded by imageio-ffmpeg.
  ``python -m benchmarks.bench_drag --gif`` runs these two alone.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks import median, row

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.bench_browser import BARE_SCRIPT, BARE_SLIDER, VIEWPORT, launch, press_and_time, wait_ready  # noqa: E402
from tests.conftest import AppServer, browser_missing_reason  # noqa: E402

SWEEP_SCRIPT = "benchmarks/sweep_app.py"

DRAG_JS = """
() => {
  if (window.__drag) return;
  const chart = () => document.querySelector('.js-plotly-plot');
  // What the chart's data say: Plotly's base64 text, or the numbers of a (typed) array.
  const text = (y) => !y ? '' : typeof y.bdata === 'string' ? y.bdata : Array.prototype.join.call(y, ',');
  const state = () => chart().data.map((t) => text(t.y)).join('|');
  window.__drag = {
    arm() {
      window.__dragResult = null;
      const before = state();
      let moved = null;
      const onMove = (e) => { if (moved === null) moved = e.timeStamp; };
      window.addEventListener('pointermove', onMove, {capture: true});
      const tick = () => {
        if (moved !== null && state() !== before) {
          const changed = performance.now();
          requestAnimationFrame((frame) => {
            window.removeEventListener('pointermove', onMove, {capture: true});
            window.__dragResult = {moved, changed, frame};
          });
          return;
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    },
  };
}
"""


async def drag_samples(page, sweeps: int = 2, timeout: float = 2_000) -> list[float]:
    """Milliseconds from each pointer move to the frame after the chart took the new step's data, over
    ``sweeps`` drags from the first step to the last and back."""
    await page.evaluate(DRAG_JS)
    n = await page.evaluate("() => document.querySelector('.js-plotly-plot').layout.sliders[0].steps.length")
    grip = await page.locator(".slider-grip-rect").first.bounding_box()
    rail = await page.locator(".slider-rail-rect").first.bounding_box()
    y = grip["y"] + grip["height"] / 2
    await page.mouse.move(grip["x"] + grip["width"] / 2, y)
    await page.mouse.down()
    # To step 0 first (not timed), then every step in turn.
    await page.mouse.move(rail["x"] + 1, y)
    await page.wait_for_timeout(300)
    order = [*range(1, n), *range(n - 2, -1, -1)] * sweeps
    samples, misses = [], 0
    for k in order:
        await page.evaluate("() => window.__drag.arm()")
        await page.mouse.move(rail["x"] + rail["width"] * k / (n - 1), y)
        try:
            handle = await page.wait_for_function("() => window.__dragResult", timeout=timeout)
        except Exception:
            misses += 1  # the move stayed within one step: nothing to time
            if misses > 5 and not samples:
                break
            continue
        result = await handle.json_value()
        samples.append(float(result["frame"] - result["moved"]))
        await page.wait_for_timeout(40)
    await page.mouse.up()
    return samples


async def measure(quick: bool, log=print) -> dict:
    from playwright.async_api import async_playwright

    sweep = AppServer(SWEEP_SCRIPT)
    try:
        bare = AppServer(BARE_SCRIPT)
    except Exception:
        sweep.stop()
        raise
    out: dict = {"drag": {}, "sent": 0, "bare": []}
    try:
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                context = await browser.new_context(viewport=VIEWPORT)
                page = await context.new_page()
                sent = []
                page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
                bare_context = await browser.new_context(viewport=VIEWPORT)
                bare_page = await bare_context.new_page()
                await bare_page.goto(bare.url + "/?k=0")
                await wait_ready(bare_page)
                for chart in ("explorer", "softmax", "gradient_flow"):
                    await page.goto(f"{sweep.url}/?chart={chart}")
                    await page.wait_for_selector(".js-plotly-plot .slider-grip-rect", timeout=180_000)
                    await page.wait_for_timeout(1000)
                    before = len(sent)
                    out["drag"][chart] = await drag_samples(page, sweeps=1 if quick else 2)
                    log(f"{chart}: {len(out['drag'][chart])} steps timed")
                    await page.wait_for_timeout(300)
                    out["sent"] += len(sent) - before
                    for _ in range(3 if quick else 8):  # the baseline, interleaved with the drags
                        out["bare"].append(await press_and_time(bare_page, BARE_SLIDER, 0))
                        await asyncio.sleep(0.15)
                await context.close()
                await bare_context.close()
            finally:
                await browser.close()
    finally:
        sweep.stop()
        bare.stop()
    return out


def cpu_seconds() -> float:
    """CPU time used so far by this process, its finished children (ffmpeg) and its running ones (the
    browser's processes): what an export costs whatever else the machine is doing."""
    import psutil

    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def gif_seconds(repeats: int, fmt: str = "gif") -> tuple[float, float, int, int]:
    """Median wall and CPU seconds for a warm 41-frame 960×540 GIF (or MP4) of ELU's α sweep, the tabs'
    reload after each batch included in the CPU; (seconds, cpu seconds, frames, bytes)."""
    import numpy as np

    from activations import animation, export
    from activations.figures.sweeps import explorer_sweep_figure

    fig = explorer_sweep_figure(
        [("elu", {"alpha": 1.0}), ("relu", {})], "elu", "alpha", values=np.linspace(0, 2, 41), budget=None
    )
    export.warm_up(wait=True)
    export.render(animation.still_frames(fig)[0], "png", 960, 540)  # warm: the tabs have drawn once
    time.sleep(1)
    times, cpus, size = [], [], 0
    for _ in range(repeats):
        cpu, start = cpu_seconds(), time.perf_counter()
        data = animation.export_sweep(fig, fmt, 960, 540)
        times.append(time.perf_counter() - start)
        time.sleep(1)  # the tabs reload after the batch
        cpus.append(cpu_seconds() - cpu)
        size = len(data)
    export.shutdown()
    return statistics.median(times), statistics.median(cpus), len(fig.frames), size


def animation_rows(quick: bool = False) -> list[dict]:
    """The GIF and MP4 rows alone (``python -m benchmarks.bench_drag --gif``: no app, no drags)."""
    rows = []
    for fmt in ("gif", "mp4"):
        before = os.getloadavg()[0]
        seconds, cpu, frames, size = gif_seconds(1 if quick else 3, fmt)
        rows.append(
            row(
                f"{fmt.upper()} export, 41 frames 960×540 (warm browser)",
                seconds,
                "s",
                goal="≤ 10 s",
                met=seconds <= 10,
                note=f"{frames} frames, {size / 1e6:.2f} MB; CPU {cpu:.1f} s (Python, Chromium, ffmpeg); "
                f"load {before:.1f}–{os.getloadavg()[0]:.1f}; kaleido, 2 tabs, one batch; imageio-ffmpeg",
            )
        )
    return rows


# (name, page without a sweep, the same page with one): the first load of each, in new sessions.
FIRST_LOADS = (
    ("explorer", "/explorer?fn=relu,elu", "/explorer?fn=relu,elu&sweep=elu.alpha"),
    ("softmax", "/softmax", "/softmax?sweep=t"),
    ("gradient flow", "/gradient-flow?init=scaled_normal", "/gradient-flow?init=scaled_normal&sweep=sigma_w"),
)


async def first_load_samples(loads: int, log=print) -> dict[str, tuple[list[float], list[float]]]:
    """Milliseconds from navigation to the first drawn chart, each page without and with its sweep,
    interleaved, ``loads`` times each after one untimed load of both (so both are served from the cache,
    as for every student after the first)."""
    from playwright.async_api import async_playwright

    from benchmarks.bench_browser import first_load

    app = AppServer(extra_args=("--server.fileWatcherType=none",))
    out: dict[str, tuple[list[float], list[float]]] = {}
    try:
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                for name, plain, swept in FIRST_LOADS:
                    for path in (plain, swept):
                        await first_load(browser, app.url + path, timeout=240_000)
                    out[name] = ([], [])
                    for _ in range(loads):
                        out[name][0].append(await first_load(browser, app.url + plain))
                        out[name][1].append(await first_load(browser, app.url + swept))
                    log(f"first loads: {name}")
            finally:
                await browser.close()
    finally:
        app.stop()
    return out


def first_load_rows(quick: bool = False) -> list[dict]:
    """A page's first load with its sweep against the same page without (goal ≤ 1.5×), ``--first-load``."""
    rows = []
    for name, (plain, swept) in asyncio.run(first_load_samples(2 if quick else 5)).items():
        rows.append(
            row(
                f"first load to first chart with a sweep, {name}",
                median(swept),
                "ms",
                baseline="the same page without the sweep",
                baseline_value=median(plain),
                max_ratio=1.5,
                goal="≤ 1.5×",
                met=median(swept) <= 1.5 * median(plain),
                note=f"median of {len(swept)} interleaved loads each, new session each, cached; load "
                f"{os.getloadavg()[0]:.1f}",
            )
        )
    return rows


def json_sizes() -> dict[str, int]:
    """JSON bytes of the default sweeps at 1400 px."""
    from activations.figures import sweeps

    runs = [
        dict(activation=a, depth=30, width=256, batch=32, init="scaled_normal", sigma_w=1.0)
        for a in ("sigmoid", "tanh", "relu")
    ]
    return {
        "explorer (sigmoid, tanh, ReLU, ELU; α)": sweeps.figure_bytes(
            sweeps.explorer_sweep_figure([(n, {}) for n in ("sigmoid", "tanh", "relu", "elu")], "elu", "alpha")
        ),
        "softmax (4 logits; T)": sweeps.figure_bytes(sweeps.softmax_sweep_figure("bars", [2, 1, 0.1, -1], 1.0, "t")),
        "gradient flow (3 networks, depth 30; σ_w)": sweeps.figure_bytes(
            sweeps.gradient_flow_sweep_figure(runs, "sigma_w")
        ),
    }


def main(quick: bool = False) -> list[dict]:
    reason = browser_missing_reason()
    if reason:
        return [row("in-figure slider drag-to-frame", float("nan"), "ms", note=f"not run: {reason}")]
    log = lambda message: print(f"[bench_drag] {message}", file=sys.stderr, flush=True)  # noqa: E731
    log("drag-to-frame in Chromium")
    result = asyncio.run(measure(quick, log))
    bare = median(result["bare"])
    rows = []
    for chart, samples in result["drag"].items():
        rows.append(
            row(
                f"in-figure slider drag-to-frame, {chart.replace('_', ' ')} sweep",
                median(samples),
                "ms",
                baseline="Streamlit slider press-to-plot (bare page)",
                baseline_value=bare,
                max_value=50,
                goal="≤ 50 ms",
                met=median(samples) <= 50 if samples else None,
                note=f"median of {len(samples)} steps; p90 {_p90(samples):.0f} ms; bare: {len(result['bare'])} presses",
            )
        )
    rows.append(
        row(
            "websocket messages sent by the browser during the drags",
            result["sent"],
            "messages",
            goal="0",
            met=result["sent"] == 0,
            note="all three sweeps",
        )
    )
    log("41-frame GIF and MP4")
    rows.extend(animation_rows(quick))
    log("first loads with and without a sweep")
    rows.extend(first_load_rows(quick))
    for name, size in json_sizes().items():
        rows.append(row(f"swept chart JSON at 1400 px, {name}", size / 1e6, "MB", goal="< 2 MB", met=size < 2e6))
    return rows


def _p90(samples: list[float]) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


if __name__ == "__main__":
    from benchmarks.__main__ import print_table

    quick = "--quick" in sys.argv
    if "--gif" in sys.argv:
        print_table(animation_rows(quick))
    elif "--first-load" in sys.argv:
        print_table(first_load_rows(quick))
    else:
        print_table(main(quick=quick))
