"""A classroom on one server: many real browser sessions opening pages and moving sliders at once.

    python -m benchmarks.load_test                 # 10 sessions for 60 s (the issue's criteria)
    python -m benchmarks.load_test --short         # 10 sessions for 15 s (CI: tests/test_load_short.py)
    python -m benchmarks.load_test --sessions 30 --duration 120 --json load.json
    python -m benchmarks.load_test --replicas 2 --sessions 20     # through `make serve`: HAProxy + 2 replicas

One ``streamlit run app.py`` and one headless Chromium with ``--sessions`` Playwright contexts (each a
separate Streamlit session, like a student's laptop). Each session visits the pages of
``benchmarks/page_table.py`` in turn, starting at a different one, and on every page with a benchmark
slider presses ArrowRight a few times, timing each press to the chart showing new data (the same
page-side timing as ``bench_browser.py``). Meanwhile a sampler reads the server's resident memory (the
Streamlit process and its children, e.g. the export renderer's Chromium) every half second.

Criteria (exit status 1 if any fails): no exception element shown, no console error, no error or
traceback in the server log, no page or press that timed out, p95 slider-to-plot under ``--p95-ms``
(3000), peak RSS under ``--peak-mb``, and RSS after the sessions closed (and the server dropped them,
``server.disconnectedSessionTTL`` later) back within ``--after-mb`` of its start. "Start" is measured
after one warm-up visit of every page, so imports and first cache entries are in it.

With ``--replicas N`` the class goes through ``deploy/serve.py`` instead (N replicas behind HAProxy, as
``make serve`` runs them), and arrives as a herd: every session opens its first page at the same moment on
freshly started replicas (no warm-up visit; each replica has only done ``ui.server.warm_up`` at boot). It
adds the cold-herd figures (time to the first drawn chart, per session), the replicas' CPU time over the
run per answered slider move (page loads included: what a core can hold), and each replica's memory
before, at the peak, and after.

The client runs on the same machine as the server, where a real class's browsers run on their own
laptops. Measured here, one page load costs Chromium 4–5 CPU-seconds (starting Streamlit's and
Plotly's JavaScript in a fresh context; 2.7 for a bare one-chart page) against 0.3–0.4 for the server:
on 2 shared cores, ten browsers loading pages would be measured as server latency. So the server runs
at a higher priority than the browsers (niceness ``SERVER_NICE``; ``--equal-priority`` turns that off,
and ``python -m benchmarks`` reports both): it gets the CPU when it has work, as on its own machine,
while every press is still timed in the browser, render included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import psutil

from benchmarks import percentile, row
from benchmarks.bench_browser import VIEWPORT, AppServer, browser_missing_reason, launch, press_and_time, wait_ready
from benchmarks.page_table import ROOT, PageSpec, available_pages

SESSION_TTL_S = 5  # server.disconnectedSessionTTL for the test: how long a closed tab's session is kept
# The settings a class server should run with (README, "Serving a large class"): sessions of closed tabs
# dropped soon, and no file watcher (it unloads changed modules from sys.modules while other sessions
# run: with files edited under a running server that race shows up as KeyError in imports and "not
# the same object" pickling errors in st.cache_data).
SERVER_ARGS = (f"--server.disconnectedSessionTTL={SESSION_TTL_S}", "--server.fileWatcherType=none")
SERVER_NICE = -10  # the server's niceness during the test (the browsers keep 0); needs root, else skipped
LOG_ERROR = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception", re.IGNORECASE)


# One visitor's load of a page on an idle machine of the reference kind (2 cores; BENCHMARKS.md: first loads
# 2.2–2.6 s). The warm-up visits every page alone first; when that takes longer per page, the machine is
# busy with something else (other jobs, a shared CI runner) and the wall-clock budgets below are scaled by
# the same factor, so the test fails for a slower app, not for a busier machine.
REFERENCE_LOAD_MS = 2500.0
LOAD_TIMEOUT_MS = 60_000.0


def slowness(warm_up_ms: Sequence[float], reference_ms: float = REFERENCE_LOAD_MS) -> float:
    """How much slower than the reference machine this one is right now (≥ 1): the median single-visitor
    page load of the warm-up over ``reference_ms``."""
    if not warm_up_ms:
        return 1.0
    return max(1.0, statistics.median(warm_up_ms) / reference_ms)


@dataclass
class Criteria:
    p95_ms: float = 3000.0
    peak_mb: float = 2000.0
    after_mb: float = 150.0  # allowed growth from start to after (allocator slack, bounded caches' entries)


@dataclass
class Result:
    sessions: int
    duration_s: float
    pages: list[str]
    latencies_ms: list[float] = field(default_factory=list)
    latencies_by_page: dict[str, list[float]] = field(default_factory=dict)
    page_loads: int = 0
    exceptions: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    # The Streamlit process's RSS, and the PSS total with its children (see Memory), in MB.
    rss_cold_mb: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0
    total_cold_mb: float = 0.0
    total_start_mb: float = 0.0
    total_peak_mb: float = 0.0
    total_after_mb: float = 0.0
    server_alive: bool = True
    server_nice: int = 0  # the server's niceness during the run (the browsers': 0)
    # Through the proxy (--replicas): the herd's time to a first drawn chart, the replicas' CPU seconds over
    # the run, and each replica's memory (MB, PSS with children): cold (after its boot warm-up), peak, after.
    replicas: int = 0
    first_chart_ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    replica_memory_mb: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    warm_up_ms: list[float] = field(default_factory=list)  # one visitor alone, each page once
    slowness: float = 1.0  # ``slowness(warm_up_ms)``: the factor the wall-clock budgets were scaled by

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def cpu_per_move_ms(self) -> float:
        """Server CPU over the run per answered slider move, page loads included."""
        return 1000 * self.server_cpu_s / len(self.latencies_ms) if self.latencies_ms else float("nan")

    def to_json(self) -> dict:
        return {
            **asdict(self),
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "presses": len(self.latencies_ms),
            "cpu_per_move_ms": self.cpu_per_move_ms,
        }


@dataclass(frozen=True)
class Memory:
    """The server's memory: ``rss`` of the Streamlit process itself, and ``total``, the proportional set
    size (PSS) of it and all its descendants (the export renderer's Chromium among them). PSS shares each
    shared page among the processes using it, so unlike summed RSS the total counts it once."""

    rss: float
    total: float


def server_memory_mb(pid: int) -> Memory:
    """``Memory`` of the process ``pid`` and its descendants, in MB (zeros once it has exited)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
        rss = root.memory_info().rss
    except psutil.NoSuchProcess:
        return Memory(0.0, 0.0)
    total = 0
    for process in processes:
        try:
            info = process.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return Memory(rss / 2**20, total / 2**20)


class MemorySampler:
    """Samples ``server_memory_mb`` every ``interval`` seconds on a thread, keeping the peaks."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.interval = pid, interval
        self.samples: list[Memory] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(server_memory_mb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> Memory:
        return Memory(
            max((m.rss for m in self.samples), default=0.0), max((m.total for m in self.samples), default=0.0)
        )


def page_url(server_url: str, spec: PageSpec) -> str:
    return f"{server_url}{spec.url}" + (f"?{spec.bench.query}" if spec.bench else "")


def watch_console(page, errors: list[str], label: str) -> None:
    """Record console errors and uncaught page errors (Streamlit's own /_stcore/ probes excepted, as in
    tests/conftest.py's PageWatcher)."""

    def on_console(message) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and "/_stcore/" not in url:
            errors.append(f"{label}: {message.text[:300]}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{label}: pageerror {str(exc)[:300]}"))


def visit_order(pages: list[PageSpec], index: int) -> list[PageSpec]:
    """Session ``index``'s round of pages: starting at a page with a slider (a different one for
    neighbouring sessions), then every other page."""
    with_slider = [p for p in pages if p.bench]
    if not with_slider:
        return pages[index % len(pages) :] + pages[: index % len(pages)]
    first = with_slider[index % len(with_slider)]
    start = pages.index(first)
    return pages[start:] + pages[:start]


async def student(
    index: int,
    browser,
    server_url: str,
    pages: list[PageSpec],
    deadline: float,
    result: Result,
    stagger: float = 0.2,
    load_timeout_ms: float = LOAD_TIMEOUT_MS,
):
    """One session: visit pages in turn (``visit_order``), moving each page's slider. Session ``index``
    arrives ``stagger × index`` seconds after the first (a class arrives within a few seconds; 0: a herd)."""
    await asyncio.sleep(stagger * index)
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        page.set_default_timeout(load_timeout_ms)
        watch_console(page, result.console_errors, f"session {index}")
        # The first visit is to a page with a slider and times at least two presses even past the
        # deadline, so a short run on a slow machine still has samples from every session.
        order = visit_order(pages, index)
        visit = 0
        while visit == 0 or time.monotonic() < deadline:
            spec = order[visit % len(order)]
            visit += 1
            label = f"session {index}, {spec.name}"
            try:
                started = time.monotonic()
                await page.goto(page_url(server_url, spec), timeout=load_timeout_ms)
                await wait_ready(page, spec.bench.plot if spec.bench else 0, timeout=load_timeout_ms)
                if visit == 1:
                    result.first_chart_ms.append(1000 * (time.monotonic() - started))
                result.page_loads += 1
            except Exception as err:  # a page that never draws is a failure to report, not a crash
                result.timeouts.append(f"{label}: page did not load ({type(err).__name__})")
                continue
            if spec.bench:
                for press in range(3 + (index + visit) % 3):
                    if time.monotonic() >= deadline and (visit > 1 or press >= 2):
                        break
                    try:
                        latency = await press_and_time(
                            page, spec.bench.slider, spec.bench.plot, timeout=load_timeout_ms / 2
                        )
                    except Exception as err:
                        result.timeouts.append(f"{label}: slider press ({type(err).__name__})")
                        break
                    result.latencies_ms.append(latency)
                    result.latencies_by_page.setdefault(spec.name, []).append(latency)
                    await asyncio.sleep(0.3)
            else:
                await asyncio.sleep(2.0)  # reading the page
            shown = await page.locator('[data-testid="stException"]').all_inner_texts()
            result.exceptions.extend(f"{label}: {text[:300]}" for text in shown)
    finally:
        await context.close()


async def warm_up(browser, server_url: str, pages: list[PageSpec]) -> list[float]:
    """One visitor opens every page in turn: imports and first cache entries; milliseconds per page."""
    context = await browser.new_context(viewport=VIEWPORT)
    times = []
    try:
        page = await context.new_page()
        for spec in pages:
            started = time.monotonic()
            await page.goto(page_url(server_url, spec), timeout=180_000)
            await wait_ready(page, spec.bench.plot if spec.bench else 0, timeout=180_000)
            times.append(1000 * (time.monotonic() - started))
    finally:
        await context.close()
    return times


async def drive(server: AppServer, sessions: int, duration: float, result: Result, log) -> MemorySampler:
    from playwright.async_api import async_playwright

    pages = available_pages()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            log("warm-up: one visit of every page")
            result.warm_up_ms = await warm_up(browser, server.url, pages)  # its session is in "start" only
            result.slowness = slowness(result.warm_up_ms)
            timeout = LOAD_TIMEOUT_MS * result.slowness
            start = server_memory_mb(server.process.pid)
            result.rss_start_mb, result.total_start_mb = start.rss, start.total
            log(f"{sessions} sessions for {duration:g} s (server RSS at start {start.rss:.0f} MB)")
            sampler = MemorySampler(server.process.pid)
            with sampler:
                deadline = time.monotonic() + duration
                await asyncio.gather(
                    *(
                        student(i, browser, server.url, pages, deadline, result, load_timeout_ms=timeout)
                        for i in range(sessions)
                    )
                )
                log(f"sessions closed; waiting {SESSION_TTL_S + 3} s for the server to drop them")
                await asyncio.sleep(SESSION_TTL_S + 3)
        finally:
            await browser.close()
    return sampler


def start_of(result: Result) -> Memory:
    return Memory(result.rss_start_mb, result.total_start_mb)


def log_errors(text: str) -> list[str]:
    return [line.strip()[:300] for line in text.splitlines() if LOG_ERROR.search(line)]


def judge(result: Result, criteria: Criteria) -> list[str]:
    """The criteria that failed, in words (empty when the run passed)."""
    failures = []
    if result.exceptions:
        failures.append(f"{len(result.exceptions)} exception element(s) shown: {result.exceptions[:3]}")
    if result.console_errors:
        failures.append(f"{len(result.console_errors)} console error(s): {result.console_errors[:3]}")
    if result.log_errors:
        failures.append(f"{len(result.log_errors)} error line(s) in the server log: {result.log_errors[:3]}")
    if result.timeouts:
        failures.append(f"{len(result.timeouts)} timeout(s): {result.timeouts[:3]}")
    if not result.latencies_ms:
        failures.append("no slider press was timed")
    elif not result.p95_ms < criteria.p95_ms * result.slowness:
        failures.append(
            f"p95 slider-to-plot {result.p95_ms:.0f} ms ≥ {criteria.p95_ms * result.slowness:.0f} ms "
            f"({criteria.p95_ms:g} ms × {result.slowness:.2f}, this machine's slowness now)"
        )
    if not result.total_peak_mb < criteria.peak_mb:
        failures.append(
            f"peak server memory (PSS with children) {result.total_peak_mb:.0f} MB ≥ {criteria.peak_mb:g} MB"
        )
    if not result.rss_after_mb <= result.rss_start_mb + criteria.after_mb:
        failures.append(
            f"server RSS after the sessions closed {result.rss_after_mb:.0f} MB is more than {criteria.after_mb:g} MB "
            f"above its start {result.rss_start_mb:.0f} MB"
        )
    if not result.server_alive:
        failures.append("the server exited")
    return failures


def prioritise(pid: int, log) -> int:
    """Give process ``pid`` niceness SERVER_NICE if allowed; its niceness afterwards."""
    process = psutil.Process(pid)
    try:
        process.nice(SERVER_NICE)
    except psutil.AccessDenied:
        log(f"could not raise the server's priority (niceness {SERVER_NICE} needs root): equal priority")
    return process.nice()


def run(
    sessions: int = 10,
    duration: float = 60.0,
    criteria: Criteria | None = None,
    log=None,
    server_priority: bool = True,
) -> Result:
    """Start a server, run the class, stop the server; the figures and the failed criteria.
    ``server_priority``: the server runs at niceness SERVER_NICE, above the browsers (module docstring)."""
    criteria = criteria or Criteria()
    log = log or (lambda message: print(f"[load_test] {message}", file=sys.stderr, flush=True))
    server = AppServer(extra_args=SERVER_ARGS)
    result = Result(sessions=sessions, duration_s=duration, pages=[p.name for p in available_pages()])
    try:
        if server_priority:
            result.server_nice = prioritise(server.process.pid, log)
        cold = server_memory_mb(server.process.pid)
        result.rss_cold_mb, result.total_cold_mb = cold.rss, cold.total
        sampler = asyncio.run(drive(server, sessions, duration, result, log))
        after = server_memory_mb(server.process.pid)
        peak = Memory(
            max(sampler.peak.rss, start_of(result).rss, after.rss),
            max(sampler.peak.total, start_of(result).total, after.total),
        )
        result.rss_peak_mb, result.total_peak_mb = peak.rss, peak.total
        result.rss_after_mb, result.total_after_mb = after.rss, after.total
        result.server_alive = server.process.poll() is None
    finally:
        text = server.log()
        server.stop()
    result.log_errors = log_errors(text)
    result.failures = judge(result, criteria)
    return result


HERD_LOAD_TIMEOUT_MS = 240_000  # a cold herd's first page: every browser boots Streamlit's JS on 2 shared cores


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its descendants so far (0 once it has exited)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


async def drive_proxy(serve, sessions: int, duration: float, result: Result, log) -> dict[str, MemorySampler]:
    """The herd through the proxy: every session starts at once on the cold replicas."""
    from playwright.async_api import async_playwright

    pages = available_pages()
    pids = serve.replica_pids()
    samplers = {name: MemorySampler(pid) for name, pid in pids.items()}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            cpu_before = sum(cpu_seconds(pid) for pid in pids.values())
            log(f"a herd of {sessions} sessions on {len(pids)} cold replicas, then {duration:g} s of slider moving")
            for sampler in samplers.values():
                sampler.__enter__()
            try:
                deadline = time.monotonic() + duration
                await asyncio.gather(
                    *(
                        student(i, browser, serve.url, pages, deadline, result, 0.0, HERD_LOAD_TIMEOUT_MS)
                        for i in range(sessions)
                    )
                )
                result.server_cpu_s = sum(cpu_seconds(pid) for pid in pids.values()) - cpu_before
                log(f"sessions closed; waiting {SESSION_TTL_S + 3} s for the replicas to drop them")
                await asyncio.sleep(SESSION_TTL_S + 3)
            finally:
                for sampler in samplers.values():
                    sampler.__exit__(None, None, None)
        finally:
            await browser.close()
    return samplers


def run_proxy(
    replicas: int,
    sessions: int,
    duration: float,
    criteria: Criteria | None = None,
    log=None,
    server_priority: bool = True,
) -> Result:
    """``run`` through ``deploy/serve.py``: ``replicas`` replicas behind HAProxy, met by a cold herd.
    Memory figures are sums over the replicas ("start" is each replica after its boot warm-up).
    ``server_priority``: the replicas run at niceness SERVER_NICE, above the browsers, as in ``run``."""
    from deploy.serve import ServeProcess

    criteria = criteria or Criteria()
    log = log or (lambda message: print(f"[load_test] {message}", file=sys.stderr, flush=True))
    serve = ServeProcess(replicas, ROOT / ".pytest_cache", session_ttl=SESSION_TTL_S)
    result = Result(sessions=sessions, duration_s=duration, pages=[p.name for p in available_pages()])
    result.replicas = replicas
    try:
        pids = serve.replica_pids()
        if server_priority:
            result.server_nice = min(prioritise(pid, log) for pid in pids.values())
        cold = {name: server_memory_mb(pid) for name, pid in pids.items()}
        samplers = asyncio.run(drive_proxy(serve, sessions, duration, result, log))
        after = {name: server_memory_mb(pid) for name, pid in pids.items()}
        for name in pids:
            result.replica_memory_mb[name] = {
                "cold": cold[name].total,
                "peak": max(samplers[name].peak.total, cold[name].total, after[name].total),
                "after": after[name].total,
            }
        result.rss_start_mb = result.rss_cold_mb = sum(m.rss for m in cold.values())
        result.total_start_mb = result.total_cold_mb = sum(m.total for m in cold.values())
        result.rss_peak_mb = sum(max(samplers[n].peak.rss, cold[n].rss, after[n].rss) for n in pids)
        result.total_peak_mb = sum(m["peak"] for m in result.replica_memory_mb.values())
        result.rss_after_mb = sum(m.rss for m in after.values())
        result.total_after_mb = sum(m.total for m in after.values())
        result.server_alive = all(psutil.pid_exists(pid) for pid in pids.values())
    finally:
        text = serve.log()
        serve.stop()
    result.log_errors = log_errors(text)
    result.failures = judge(result, criteria)
    return result


def report(result: Result) -> str:
    lines = [
        f"{result.sessions} sessions × {result.duration_s:g} s on pages {', '.join(result.pages)}; "
        f"server niceness {result.server_nice}, browsers 0",
        f"  page loads {result.page_loads}, slider presses timed {len(result.latencies_ms)}; machine slowness "
        f"{result.slowness:.2f} (warm-up loads {', '.join(f'{t:.0f}' for t in result.warm_up_ms)} ms)",
        f"  slider-to-plot p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms",
        *(
            f"    {name}: p50 {percentile(values, 50):.0f}, p95 {percentile(values, 95):.0f} ms, {len(values)} presses"
            for name, values in result.latencies_by_page.items()
        ),
        f"  exceptions shown {len(result.exceptions)}, console errors {len(result.console_errors)}, "
        f"server log errors {len(result.log_errors)}, timeouts {len(result.timeouts)}",
        f"  server RSS: cold {result.rss_cold_mb:.0f} MB, start {result.rss_start_mb:.0f} MB, "
        f"peak {result.rss_peak_mb:.0f} MB, after close {result.rss_after_mb:.0f} MB",
        f"  with children (PSS): cold {result.total_cold_mb:.0f} MB, start {result.total_start_mb:.0f} MB, "
        f"peak {result.total_peak_mb:.0f} MB, after close {result.total_after_mb:.0f} MB",
    ]
    if result.replicas:
        lines.insert(1, f"  through HAProxy to {result.replicas} replicas (deploy/serve.py), browsers on its cores")
        lines += [
            f"  cold herd: first chart p50 {percentile(result.first_chart_ms, 50):.0f} ms, "
            f"max {max(result.first_chart_ms, default=float('nan')):.0f} ms over {len(result.first_chart_ms)} sessions",
            f"  replicas' CPU {result.server_cpu_s:.1f} s over the run: {result.cpu_per_move_ms:.0f} ms per answered "
            f"move (page loads included), so one core holds ~{1000 / result.cpu_per_move_ms:.1f} moves/s",
            *(
                f"  replica {name} (PSS with children): cold {m['cold']:.0f} MB, peak {m['peak']:.0f} MB, "
                f"after {m['after']:.0f} MB"
                for name, m in result.replica_memory_mb.items()
            ),
        ]
    lines += [f"  FAILED: {failure}" for failure in result.failures] or ["  all criteria met"]
    return "\n".join(lines)


def rows(result: Result, criteria: Criteria) -> list[dict]:
    tag = f"load, {result.sessions} sessions × {result.duration_s:g} s"
    note = f"{len(result.latencies_ms)} presses, {result.page_loads} page loads; server niceness {result.server_nice}"
    return [
        row(f"{tag}: slider-to-plot p50", result.p50_ms, "ms", note=note),
        row(f"{tag}: slider-to-plot p95", result.p95_ms, "ms", max_value=criteria.p95_ms, note=note),
        *(
            row(
                f"{tag}: slider-to-plot p95, {name}",
                percentile(values, 95),
                "ms",
                note=f"p50 {percentile(values, 50):.0f} ms, {len(values)} presses",
            )
            for name, values in result.latencies_by_page.items()
        ),
        row(
            f"{tag}: exceptions + console errors + log errors + timeouts",
            len(result.exceptions) + len(result.console_errors) + len(result.log_errors) + len(result.timeouts),
            "count",
            goal="= 0",
            met=not (result.exceptions or result.console_errors or result.log_errors or result.timeouts),
        ),
        row(
            f"{tag}: server RSS at start",
            result.rss_start_mb,
            "MB",
            note=f"cold {result.rss_cold_mb:.0f} MB; with children (PSS) {result.total_start_mb:.0f} MB",
        ),
        row(
            f"{tag}: server RSS peak",
            result.rss_peak_mb,
            "MB",
            goal=f"with children < {criteria.peak_mb:g} MB",
            met=result.total_peak_mb < criteria.peak_mb,
            note=f"with children (PSS) {result.total_peak_mb:.0f} MB",
        ),
        row(
            f"{tag}: server RSS after sessions closed",
            result.rss_after_mb,
            "MB",
            baseline="RSS at start",
            baseline_value=result.rss_start_mb,
            goal=f"≤ start + {criteria.after_mb:g} MB",
            met=result.rss_after_mb <= result.rss_start_mb + criteria.after_mb,
            note=f"disconnectedSessionTTL {SESSION_TTL_S} s; with children (PSS) {result.total_after_mb:.0f} MB",
        ),
    ]


def main(quick: bool = False) -> list[dict]:
    """Rows for ``python -m benchmarks``: the full 10 × 60 s class (``quick``: the short one)."""
    reason = browser_missing_reason()
    if reason:
        return [row("load test", float("nan"), "ms", note=f"not run: {reason}")]
    criteria = Criteria()
    result = run(10, 15.0 if quick else 60.0, criteria)
    print(report(result), file=sys.stderr)
    equal = run(10, 15.0 if quick else 60.0, criteria, server_priority=False)
    print(report(equal), file=sys.stderr)
    tag = f"load, {equal.sessions} sessions × {equal.duration_s:g} s, server and browsers at equal priority"
    return [
        *rows(result, criteria),
        row(
            f"{tag}: slider-to-plot p95",
            equal.p95_ms,
            "ms",
            note=f"p50 {equal.p50_ms:.0f} ms; {len(equal.latencies_ms)} presses, {equal.page_loads} page loads "
            "(for comparison: the browsers' page loads take the server's CPU)",
        ),
    ]


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of slider moving (default 60)")
    parser.add_argument("--short", action="store_true", help="the CI form: 10 sessions × 15 s")
    parser.add_argument("--p95-ms", type=float, default=Criteria.p95_ms, help="p95 slider-to-plot limit")
    parser.add_argument("--peak-mb", type=float, default=Criteria.peak_mb, help="peak server RSS limit")
    parser.add_argument("--after-mb", type=float, default=Criteria.after_mb, help="allowed RSS growth start→after")
    parser.add_argument(
        "--equal-priority",
        action="store_true",
        help=f"run the server at the browsers' priority (default: niceness {SERVER_NICE}, see above)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="go through deploy/serve.py: this many replicas behind HAProxy, met by a cold herd (0: one server)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.duration <= 0 or args.replicas < 0:
        parser.error("--sessions must be ≥ 1, --duration > 0 and --replicas ≥ 0")
    reason = browser_missing_reason()
    if reason:
        print(f"load test not run: {reason}", file=sys.stderr)
        return 2
    sessions, duration = (10, 15.0) if args.short else (args.sessions, args.duration)
    criteria = Criteria(args.p95_ms, args.peak_mb, args.after_mb)
    if args.replicas:
        result = run_proxy(args.replicas, sessions, duration, criteria, server_priority=not args.equal_priority)
    else:
        result = run(sessions, duration, criteria, server_priority=not args.equal_priority)
    print(report(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result.to_json(), out, indent=1)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(cli())
