"""Slider-to-plot latency and first load in headless Chromium: every page against a bare Streamlit page.

Two servers run side by side for the whole benchmark: the app (``streamlit run app.py``) and the
baseline (``streamlit run benchmarks/bare_app.py``: one slider, one Plotly chart), same Streamlit, same
config. Samples of each page and of the bare page are taken in alternating rounds, so a change in the
machine's load affects both sides of every ratio alike.

* Slider-to-plot: focus the page's slider (``BenchSpec.slider`` in ``page_table.py``) and press
  ArrowRight. The time runs from the keydown event (its ``timeStamp``, on the page's clock) to the
  first animation frame after the watched Plotly chart's data differ from what they were before the
  press (a MutationObserver on the page re-reads the chart's data on every DOM change). Each press
  moves to a value not visited before in this server, so every sample includes the server's work, not
  a cache hit. The next press waits until the app is idle again. Reported: median over all presses.
* First load: a new browser context (new session, empty browser cache) opens the page; the time runs
  from navigation start (``performance.timeOrigin``) to the first animation frame in which a Plotly
  chart has drawn its traces. Median over several loads, after one warm-up load of every page.

The browser machinery here (servers, the page-side timing script, ``press_and_time``) is shared with
``benchmarks/load_test.py``.
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import median, row
from benchmarks.page_table import PageSpec, available_pages

ROOT = Path(__file__).resolve().parent.parent
BARE_SCRIPT = "benchmarks/bare_app.py"
BARE_SLIDER = "k"
VIEWPORT = {"width": 1400, "height": 1000}

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer, browser_missing_reason  # noqa: E402

# Page-side timing. ``signature`` summarises a chart's data (lengths and position-weighted sums of
# x, y, z given as lists; the base64 text itself for Plotly's typed arrays) and is recomputed only
# when Plotly has replaced the chart's data array, so the observer costs next to nothing between redraws.
TIMING_JS = """
() => {
  if (window.__bench) return;
  const charts = () => document.querySelectorAll('.js-plotly-plot');
  const walk = (v, acc) => {
    if (v == null) return;
    if (typeof v === 'number') { acc.n += 1; acc.s += v * ((acc.n % 97) + 1); return; }
    if (typeof v === 'string') { acc.n += 1; acc.s += v.length; return; }
    if (typeof v.bdata === 'string') { acc.b += v.bdata; return; }  // Plotly's base64 typed arrays
    if (v.length !== undefined) { for (let j = 0; j < v.length; j++) walk(v[j], acc); }
  };
  const cache = new WeakMap();
  const signature = (i) => {
    const gd = charts()[i];
    if (!gd || !gd.data || !gd.querySelector('.main-svg')) return null;
    if (cache.has(gd.data)) return cache.get(gd.data);
    let text = '';
    for (const t of gd.data) {
      for (const k of ['x', 'y', 'z']) {
        if (!t[k]) continue;
        const acc = {n: 0, s: 0, b: ''};
        walk(t[k], acc);
        text += k + acc.n + ':' + acc.s.toPrecision(12) + ':' + acc.b + ';';
      }
    }
    cache.set(gd.data, text);
    return text;
  };
  window.__bench = {
    signature,
    arm(i) {
      window.__benchResult = null;
      const before = signature(i);
      let pressed = null;
      window.addEventListener('keydown', (e) => { pressed = e.timeStamp; }, {capture: true, once: true});
      const observer = new MutationObserver(() => {
        if (pressed === null) return;
        const now = signature(i);
        if (now === null || now === before) return;
        observer.disconnect();
        const changed = performance.now();
        requestAnimationFrame((frame) => { window.__benchResult = {pressed, changed, frame}; });
      });
      observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    },
  };
}
"""

# Installed before any page script: the first frame in which a Plotly chart shows traces.
FIRST_PLOT_JS = """
(() => {
  const tick = (frame) => {
    const gd = document.querySelector('.js-plotly-plot');
    if (gd && gd.data && gd.data.length && gd.querySelector('.main-svg .trace, .main-svg .hm, .main-svg image')) {
      window.__firstPlot = frame;
    } else {
      requestAnimationFrame(tick);
    }
  };
  requestAnimationFrame(tick);
})();
"""

IDLE_JS = (
    "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') !== 'running'"
)


def slider_selector(key: str) -> str:
    """The keyboard-focusable thumb of the slider with widget key ``key``: Streamlit gives the widget's
    container the class ``st-key-<key>``, with characters other than letters, digits, _ and - as -."""
    css_key = re.sub(r"[^A-Za-z0-9_-]", "-", key)
    return f'[class~="st-key-{css_key}"] input[type="range"]'


class Servers:
    """The app and the bare page, each on its own ``streamlit run``, stopped together."""

    def __init__(self, extra_args: tuple[str, ...] = ("--server.fileWatcherType=none",)):
        self.app = AppServer(extra_args=extra_args)
        try:
            self.bare = AppServer(BARE_SCRIPT, extra_args=extra_args)
        except Exception:
            self.app.stop()
            raise

    def stop(self) -> None:
        self.app.stop()
        self.bare.stop()


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


async def wait_ready(page, plot: int = 0, timeout: float = 90_000) -> None:
    """Chart number ``plot`` drawn and the script run finished."""
    await page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length > {plot}", timeout=timeout
    )
    await page.wait_for_function(IDLE_JS, timeout=timeout)


async def press_and_time(page, slider_key: str, plot: int, timeout: float = 30_000) -> float:
    """Press ArrowRight on a slider; milliseconds from the keydown to the frame showing chart ``plot``'s
    new data. Raises TimeoutError if the chart has not changed within ``timeout`` ms."""
    await page.evaluate(TIMING_JS)
    await page.evaluate("(i) => window.__bench.arm(i)", plot)
    await page.locator(slider_selector(slider_key)).press("ArrowRight")
    handle = await page.wait_for_function("() => window.__benchResult", timeout=timeout)
    result = await handle.json_value()
    await page.wait_for_function(IDLE_JS, timeout=timeout)
    return float(result["frame"] - result["pressed"])


async def first_load(browser, url: str, timeout: float = 90_000) -> float:
    """Milliseconds from navigation start to the first frame with a drawn Plotly chart, in a new context."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await page.add_init_script(FIRST_PLOT_JS)
        await page.goto(url)
        handle = await page.wait_for_function("() => window.__firstPlot", timeout=timeout)
        return float(await handle.json_value())
    finally:
        await context.close()


@dataclass
class Samples:
    latency: dict[str, list[float]] = field(default_factory=dict)
    load: dict[str, list[float]] = field(default_factory=dict)


async def open_page(browser, url: str, plot: int):
    """A new context (a new Streamlit session) showing ``url``, ready for slider presses."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    await page.goto(url)
    await wait_ready(page, plot)
    return context, page


def bench_pages() -> list[PageSpec]:
    return [p for p in available_pages() if p.bench is not None]


async def measure(servers: Servers, rounds: int, presses: int, loads: int, log=print) -> Samples:
    """``rounds`` rounds of ``presses`` presses on the bare page and on every benchmarked page, each page
    kept open in its own session so the slider keeps moving to new values; then ``loads`` rounds of
    first loads."""
    from playwright.async_api import async_playwright

    samples = Samples()
    pages = bench_pages()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            # Warm-up: one load of every page (imports, first cache fills), not counted.
            await first_load(browser, servers.bare.url + "/")
            for spec in available_pages():
                await first_load(browser, servers.app.url + spec.url)
            targets = [("bare", f"{servers.bare.url}/?k=0", BARE_SLIDER, 0)]
            targets += [
                (s.name, f"{servers.app.url}{s.url}?{s.bench.query}", s.bench.slider, s.bench.plot) for s in pages
            ]
            opened = [(name, *(await open_page(browser, url, plot)), key, plot) for name, url, key, plot in targets]
            try:
                for r in range(rounds):
                    log(f"round {r + 1}/{rounds}: slider-to-plot, {presses} presses per page")
                    for name, _context, page, key, plot in opened:
                        for _ in range(presses):
                            samples.latency.setdefault(name, []).append(await press_and_time(page, key, plot))
                            await asyncio.sleep(0.15)
            finally:
                for _name, context, *_rest in opened:
                    await context.close()
            for i in range(loads):
                log(f"round {i + 1}/{loads}: first load")
                samples.load.setdefault("bare", []).append(await first_load(browser, servers.bare.url + "/"))
                for spec in available_pages():
                    samples.load.setdefault(spec.name, []).append(await first_load(browser, servers.app.url + spec.url))
        finally:
            await browser.close()
    return samples


def rows_from(samples: Samples) -> list[dict]:
    rows = []
    bare = median(samples.latency.get("bare", []))
    for spec in bench_pages():
        values = samples.latency.get(spec.name, [])
        rows.append(
            row(
                f"slider-to-plot, {spec.bench.label}",
                median(values),
                "ms",
                baseline="bare Streamlit + Plotly page",
                baseline_value=bare,
                max_ratio=spec.bench.goal,
                note=f"median of {len(values)} presses (bare: {len(samples.latency.get('bare', []))})",
            )
        )
    bare_load = median(samples.load.get("bare", []))
    for spec in available_pages():
        values = samples.load.get(spec.name, [])
        rows.append(
            row(
                f"first load to first plot, {spec.name}",
                median(values),
                "ms",
                baseline="bare Streamlit + Plotly page",
                baseline_value=bare_load,
                note=f"median of {len(values)} loads, new session each",
            )
        )
    return rows


def main(quick: bool = False) -> list[dict]:
    reason = browser_missing_reason()
    if reason:
        return [row("slider-to-plot and first load", float("nan"), "ms", note=f"not run: {reason}")]
    servers = Servers()
    try:
        log = lambda message: print(f"[bench_browser] {message}", file=sys.stderr, flush=True)  # noqa: E731
        samples = asyncio.run(
            measure(servers, rounds=1 if quick else 3, presses=5 if quick else 12, loads=2 if quick else 5, log=log)
        )
    finally:
        servers.stop()
    return rows_from(samples)


if __name__ == "__main__":
    from benchmarks.__main__ import print_table

    print_table(main(quick="--quick" in sys.argv))
