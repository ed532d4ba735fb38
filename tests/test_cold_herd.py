"""A lecture starts: a freshly started server opened by a whole class at the same moment.

Twenty visitors (tabs in a few browser contexts of one Chromium, to spare the CPU) open a server that
no one has visited yet, on different pages, within the same second. Every visitor must see the page's
charts and no exception, and the server log must have no traceback. Before ``ui.server.warm_up`` some
visitors got ``AttributeError: partially initialized module 'pandas' has no attribute 'Series'`` from
Plotly's serialisation (it peeks at ``sys.modules`` while another visitor's thread is importing pandas).
"""

from __future__ import annotations

import os

import pytest
from conftest import AppServer, require_browser

from benchmarks.bench_browser import IDLE_JS
from benchmarks.load_test import log_errors
from benchmarks.page_table import available_pages

pytestmark = [pytest.mark.slow, pytest.mark.browser]

VISITORS = int(os.environ.get("HERD_VISITORS", "20"))
CONTEXTS = 4  # browser contexts (separate cookie jars), the visitors' tabs spread over them
# Twenty first page loads cost Chromium 4–5 CPU-seconds each, on the same shared cores as the server.
TIMEOUT_MS = 300_000
# Charts plotly.js has drawn, and whether Streamlit shows an exception element.
DRAWN_CHARTS = "[...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('.main-svg')).length"
EXCEPTION_SHOWN = "document.querySelector('[data-testid=\"stException\"]') !== null"


@pytest.fixture(scope="module")
def cold_server():
    require_browser()
    server = AppServer(extra_args=("--server.fileWatcherType=none",))
    yield server
    server.stop()


def test_a_cold_server_shows_every_visitor_of_a_herd_their_charts(browser, cold_server):
    pages = available_pages()
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(CONTEXTS)]
    try:
        tabs = [contexts[i % CONTEXTS].new_page() for i in range(VISITORS)]
        specs = [pages[i % len(pages)] for i in range(VISITORS)]
        # All navigations are sent before any page has booted: the websockets (one session each) open
        # together and the first script runs overlap on a server that has imported nothing of the app.
        for tab, spec in zip(tabs, specs, strict=True):
            tab.goto(cold_server.url + spec.url, wait_until="commit", timeout=TIMEOUT_MS)
        seen = {}
        for i, (tab, spec) in enumerate(zip(tabs, specs, strict=True)):
            tab.wait_for_function(
                f"{DRAWN_CHARTS} >= {spec.min_charts} || {EXCEPTION_SHOWN}",
                timeout=TIMEOUT_MS,
            )
            tab.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
            seen[f"visitor {i}, {spec.name}"] = (
                tab.evaluate(DRAWN_CHARTS),
                tab.locator('[data-testid="stException"]').all_inner_texts(),
            )
    finally:
        for context in contexts:
            context.close()
    failed = {
        who: (charts, exceptions)
        for (who, (charts, exceptions)), spec in zip(seen.items(), specs, strict=True)
        if exceptions or charts < spec.min_charts
    }
    assert failed == {}, f"visitors without their charts (charts, exceptions): {failed}"
    assert log_errors(cold_server.log()) == []
