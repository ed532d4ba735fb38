"""Shared fixtures: a real `streamlit run app.py` server and a headless Chromium driven by Playwright.

Browser tests need /usr/bin/chromium (Debian's `chromium`; `playwright install` cannot download
browsers here). Without it they skip on a developer's machine but fail under CI=true, so CI can never
pass by not running them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def require_browser() -> None:
    reason = browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(RuntimeError):
    """Another process took the port between free_port() and the server's bind."""


class AppServer:
    """`streamlit run app.py` on a free loopback port, its log kept for assertions."""

    def __init__(self, script: str = "app.py", extra_args: tuple[str, ...] = ()):
        # free_port() only finds a port that was free a moment ago: with other servers starting on the same
        # machine, another may take it first (Streamlit then exits with "Port … is not available"), so
        # start again on a new port.
        for attempt in range(3):
            try:
                self._start(script, extra_args)
                return
            except PortTaken:
                if attempt == 2:
                    raise

    def _start(self, script: str, extra_args: tuple[str, ...]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ROOT / ".pytest_cache" / f"streamlit-{self.port}.log"
        self.log_path.parent.mkdir(exist_ok=True)
        self._log = open(self.log_path, "w")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless=true",
                f"--server.port={self.port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
                # Without this, Streamlit unloads modules that change on disk while other sessions run.
                "--server.fileWatcherType=none",
                *extra_args,
            ],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if f"Port {self.port} is not available" in self.log():
                    self._log.close()
                    raise PortTaken(self.port)
                raise RuntimeError(f"streamlit exited early:\n{self.log()}")
            if self._listening():
                return
            time.sleep(0.1)
        raise RuntimeError(f"streamlit did not start:\n{self.log()}")

    def _listening(self) -> bool:
        """Whether this server's process itself listens on the port (a connection alone could reach
        another process that took the port)."""
        import psutil

        with contextlib.suppress(psutil.Error):
            connections = psutil.Process(self.process.pid).net_connections(kind="tcp")
            return any(c.status == psutil.CONN_LISTEN and c.laddr.port == self.port for c in connections)
        return False

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=15)
        self._log.close()


@pytest.fixture(scope="session")
def app_server():
    require_browser()
    server = AppServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatcher:
    """A Playwright page that records console errors and page errors while a test drives it."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

    def _on_console(self, message):
        # Streamlit's client probes /<page>/_stcore/health and host-config on deep links and gets a
        # 404 before falling back to /_stcore/...: its own noise, not an error of this app.
        url = (message.location or {}).get("url", "")
        if message.type == "error" and "/_stcore/" not in url:
            self.console_errors.append(message.text)

    def exceptions(self) -> list[str]:
        return self.page.locator('[data-testid="stException"]').all_inner_texts()


# Browser waits are upper bounds that say "this is broken", never measurements (the benchmarks measure):
# a wait returns as soon as its condition holds, so a generous bound costs a passing run nothing, while a
# tight one fails a correct app on a busy machine (a 5-chart page once took over 60 s to draw at load 20).
DRAWN_MS = 180_000  # a fresh session's page drawn: Streamlit's JavaScript, the script run, every chart
CHANGED_MS = 90_000  # the page answering one input (a key press, a click, a run finishing its last frame)


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(CHANGED_MS)
    watcher = PageWatcher(p)
    yield watcher
    context.close()
