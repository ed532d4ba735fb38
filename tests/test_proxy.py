"""`make serve` on loopback: two replicas behind HAProxy (``python -m deploy.serve``), driven by a browser.

- Sticky sessions by cookie: a visitor's page, websocket and downloads (files in the memory of the
  replica that made them) all go through one replica.
- A replica lost mid-lecture: the replica serving a visitor is killed; within seconds the page has
  reconnected through the proxy to the other replica and shows the same page with the same values
  (the URL carries them), and no exception.

Needs HAProxy (Debian's ``haproxy``, installed by ``make test``): skipped without it on a developer's
machine, failed under CI=true, like the browser tests.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from conftest import ROOT, require_browser

from benchmarks.bench_browser import IDLE_JS, slider_selector
from benchmarks.load_test import log_errors
from deploy.serve import ServeProcess, find_haproxy

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DRAWN_CHARTS = "[...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('.main-svg')).length"
COOKIE = "LAB"  # deploy/haproxy.cfg
TIMEOUT_MS = 120_000
# Counts the script runs the page shows from now on (Streamlit marks its app element while a run is going).
WATCH_RUNS_JS = """() => {
  window.__runs = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def require_haproxy() -> str:
    path = find_haproxy()
    if path is not None:
        return path
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail("the proxy tests cannot run under CI: haproxy not found (apt-get install haproxy)")
    pytest.skip("haproxy not found (apt-get install haproxy, or `make system-deps`)")


@pytest.fixture(scope="module")
def proxy():
    require_browser()
    require_haproxy()
    server = ServeProcess(2, ROOT / ".pytest_cache", "--no-restart")  # a killed replica stays dead
    yield server
    server.stop()


def sticky_replica(context) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
    assert len(values) == 1, f"expected one {COOKIE} cookie, got {context.cookies()}"
    return values[0]


def wait_drawn(page, charts: int = 1) -> None:
    page.wait_for_function(f"{DRAWN_CHARTS} >= {charts}", timeout=TIMEOUT_MS)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


def test_a_download_through_the_proxy_comes_from_the_visitors_replica(browser, proxy):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(proxy.url + "/softmax", timeout=TIMEOUT_MS)
        wait_drawn(page, 4)
        replica = sticky_replica(context)
        media = []
        page.on("request", lambda request: media.append(request.url) if "/media/" in request.url else None)
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            page.locator('[data-testid="stDownloadButton"] button').first.click()
        data = Path(info.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert sticky_replica(context) == replica  # the download did not move the visitor
        assert page.locator('[data-testid="stException"]').count() == 0
        # The file lives in that replica's memory only: asked of the other replica directly, it is not there.
        assert media, "the download was not served from /media/"
        other = next(name for name in proxy.replica_pids() if name != replica)
        path = media[-1].split(str(proxy.port), 1)[1]
        direct = context.request.get(f"http://127.0.0.1:{proxy.replica_port(other)}{path}")
        assert direct.status == 404
    finally:
        context.close()


def test_a_visitor_on_a_lost_replica_gets_the_same_page_from_another(browser, proxy):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(proxy.url + "/explorer?fn=sigmoid,elu&elu.alpha=0.2", timeout=TIMEOUT_MS)
        wait_drawn(page)
        # Values changed in the page, not given by the link: α by the keyboard, f″ by the switch.
        slider = page.locator(slider_selector("ex_elu.alpha"))
        slider.press("ArrowRight")
        slider.press("ArrowRight")
        page.get_by_text("Show f″ (numerical)").click()
        page.wait_for_function(
            "() => { const q = new URLSearchParams(location.search);"
            " return q.get('f2') === '1' && parseFloat(q.get('elu.alpha')) > 0.2; }",
            timeout=TIMEOUT_MS,
        )
        wait_drawn(page)
        url = page.url
        alpha = slider.get_attribute("aria-valuenow") or slider.input_value()
        replica = sticky_replica(context)
        # From here on, a script run shown in the page (the app's script state turning "running") can only
        # be a run on the other replica, for a websocket opened after the loss.
        page.evaluate(WATCH_RUNS_JS)
        sockets = []
        page.on("websocket", lambda ws: sockets.append(ws.url))

        os.killpg(proxy.replica_pids()[replica], signal.SIGKILL)  # the replica crashes, its sessions gone
        lost = time.monotonic()
        deadline = lost + 60
        while not (sockets and sticky_replica(context) != replica and page.evaluate("window.__runs > 0")):
            assert time.monotonic() < deadline, "the page did not reconnect through the proxy within 60 s"
            page.wait_for_timeout(200)
        wait_drawn(page)
        moved_after = time.monotonic() - lost

        assert page.url == url
        assert (slider.get_attribute("aria-valuenow") or slider.input_value()) == alpha
        assert page.get_by_role("switch", name="Show f″ (numerical)").is_checked()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert moved_after < 30, f"the page took {moved_after:.1f} s to come back"
        print(f"replica {replica} lost; the page was back from {sticky_replica(context)} after {moved_after:.1f} s")
    finally:
        context.close()
    assert log_errors(proxy.log()) == []
