"""Server CPU per answered slider move: every benchmarked page against the bare one-slider page.

    python -m benchmarks --only cpu --no-write
    python -m benchmarks.bench_cpu [--quick]

The app and the bare page (``benchmarks/bare_app.py``) run on their own ``streamlit run`` side by side,
as in ``bench_browser.py``; one headless Chromium keeps one session open on each page and presses the
page's benchmark slider (``BenchSpec.slider`` in ``page_table.py``) ArrowRight, each press timed to the
chart showing new data (``press_and_time``) and followed by the app going idle. The server's CPU time
(user + system of the Streamlit process and its children, ``load_test.cpu_seconds``) is read before and
after a block of presses; the block's CPU divided by its presses is one sample. Blocks of every page
alternate round by round, so the machine's load falls on both sides of each ratio alike. The kernel
reports CPU time in clock ticks (10 ms), so a block holds several presses. Each press moves to a value
not visited before (no cache hits), as in ``bench_browser.py``; two presses on every page first, not
counted, do its first-use work.

Reported: the median over blocks of CPU milliseconds per move, and its ratio to the bare page's; and
the bare page without Streamlit's post-run full garbage collection (``NO_GC``), a second baseline.
"""

from __future__ import annotations

import asyncio
import sys

from benchmarks import median, row
from benchmarks.bench_browser import (
    BARE_SCRIPT,
    BARE_SLIDER,
    AppServer,
    Servers,
    bench_pages,
    launch,
    open_page,
    press_and_time,
)
from benchmarks.load_test import cpu_seconds

# Ratio goals against the bare page (issue 14, part 4); pages not listed are measured without a goal.
GOALS = {"explorer": 1.5, "softmax": 1.5}
WARM_UP_PRESSES = 2
# Streamlit runs a full gc.collect(2) after every script run (runner.postScriptGC): nearly all of the bare
# page's CPU per move. The app skips most of it (ui.server.warm_up's gc.freeze()). So the bare page is also
# measured without it, a second baseline, reported beside the first.
NO_GC = "bare, no post-run gc"
NO_GC_ARGS = ("--server.fileWatcherType=none", "--runner.postScriptGC=false")


async def measure(servers: Servers, rounds: int, presses: int, log=print, no_gc=None) -> dict[str, list[float]]:
    """Per page (and "bare", and NO_GC when ``no_gc`` is that server): CPU milliseconds per move of each
    block of ``presses`` presses."""
    from playwright.async_api import async_playwright

    samples: dict[str, list[float]] = {}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            targets = [("bare", servers.bare, f"{servers.bare.url}/?k=0", BARE_SLIDER, 0)]
            if no_gc is not None:
                targets.append((NO_GC, no_gc, f"{no_gc.url}/?k=0", BARE_SLIDER, 0))
            targets += [
                (s.name, servers.app, f"{servers.app.url}{s.url}?{s.bench.query}", s.bench.slider, s.bench.plot)
                for s in bench_pages()
            ]
            opened = []
            for name, server, url, key, plot in targets:
                context, page = await open_page(browser, url, plot)
                opened.append((name, server, context, page, key, plot))
            try:
                for _name, _server, _context, page, key, plot in opened:  # first-use work, not counted
                    for _ in range(WARM_UP_PRESSES):
                        await press_and_time(page, key, plot, timeout=90_000)
                for r in range(rounds):
                    log(f"round {r + 1}/{rounds}: {presses} presses per page")
                    for name, server, _context, page, key, plot in opened:
                        await asyncio.sleep(0.3)  # let the previous page's tail (websocket acks) settle
                        before = cpu_seconds(server.process.pid)
                        for _ in range(presses):
                            await press_and_time(page, key, plot)
                        spent = cpu_seconds(server.process.pid) - before
                        samples.setdefault(name, []).append(1000 * spent / presses)
            finally:
                for _name, _server, context, *_rest in opened:
                    await context.close()
        finally:
            await browser.close()
    return samples


def rows_from(samples: dict[str, list[float]], presses: int) -> list[dict]:
    bare = median(samples.get("bare", []))
    no_gc = median(samples[NO_GC]) if samples.get(NO_GC) else None
    rows = []
    for spec in bench_pages():
        values = samples.get(spec.name, [])
        rows.append(
            row(
                f"server CPU per slider move, {spec.bench.label}",
                median(values),
                "ms",
                baseline="bare Streamlit + Plotly page",
                baseline_value=bare,
                max_ratio=GOALS.get(spec.name),
                note=f"median of {len(values)} blocks of {presses} presses (bare: {len(samples.get('bare', []))})"
                + (f"; against the bare page without its post-run gc: {median(values) / no_gc:.1f}×" if no_gc else ""),
            )
        )
    if no_gc:
        rows.append(
            row(
                "server CPU per slider move, bare page without Streamlit's post-run gc.collect",
                no_gc,
                "ms",
                baseline="bare Streamlit + Plotly page",
                baseline_value=bare,
                note="--runner.postScriptGC=false: the bare page's own work, which the app's gc.freeze() comes near",
            )
        )
    return rows


def main(quick: bool = False) -> list[dict]:
    from tests.conftest import browser_missing_reason

    reason = browser_missing_reason()
    if reason:
        return [row("server CPU per slider move", float("nan"), "ms", note=f"not run: {reason}")]
    # 2 + 4 × 9 presses: within the 40 steps every BenchSpec's start value leaves room for.
    rounds, presses = (2, 5) if quick else (4, 9)
    servers = Servers()
    try:
        no_gc = AppServer(BARE_SCRIPT, extra_args=NO_GC_ARGS)
    except Exception:
        servers.stop()
        raise
    try:
        log = lambda message: print(f"[bench_cpu] {message}", file=sys.stderr, flush=True)  # noqa: E731
        samples = asyncio.run(measure(servers, rounds=rounds, presses=presses, log=log, no_gc=no_gc))
    finally:
        servers.stop()
        no_gc.stop()
    return rows_from(samples, presses)


if __name__ == "__main__":
    from benchmarks.__main__ import print_table

    print_table(main(quick="--quick" in sys.argv))
