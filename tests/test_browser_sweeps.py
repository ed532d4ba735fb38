"""In-figure sliders in Chromium: a swept chart redraws while its slider is dragged, with nothing sent to
the server; the standalone HTML export works from disk with the network blocked."""

from __future__ import annotations

import time

import pytest
from conftest import CHANGED_MS, DRAWN_MS, AppServer, require_browser

from activations import animation
from activations.figures.sweeps import explorer_sweep_figure
from benchmarks.bench_browser import IDLE_JS

# Every trace's y (its start), the visible annotation texts and the slider's step, as plotly.js has them now.
STATE_JS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  // a typed array, or Plotly's {dtype, bdata} as Streamlit hands it over
  const sample = (y) => !y ? '' : y.bdata ? y.bdata.slice(0, 200) : Array.from(y).slice(0, 5).join(',');
  const texts = Array.from(gd.querySelectorAll('.annotation-text')).map((t) => t.textContent);
  return {y: gd.data.map((t) => sample(t.y)).join('|'), active: gd._fullLayout.sliders[0].active, texts};
}"""


def drag_slider(page, to_fraction: float = 0.95, steps: int = 12) -> None:
    """Press the in-figure slider's handle and move it step by step along the rail, then let go."""
    grip = page.locator(".slider-grip-rect").first.bounding_box()
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    y = grip["y"] + grip["height"] / 2
    page.mouse.move(grip["x"] + grip["width"] / 2, y)
    page.mouse.down()
    start = (grip["x"] + grip["width"] / 2 - rail["x"]) / rail["width"]
    for k in range(1, steps + 1):
        fraction = start + (to_fraction - start) * k / steps
        page.mouse.move(rail["x"] + rail["width"] * fraction, y)
        page.wait_for_timeout(30)
    page.mouse.up()


def wait_redrawn(page, before: dict, timeout: float = 30_000) -> dict:
    """Wait until plotly.js shows another slider step and other data than ``before`` (STATE_JS); the state then."""
    changed = f"(b) => {{ const s = ({STATE_JS})(); return s.active !== b.active && s.y !== b.y; }}"
    page.wait_for_function(changed, arg=before, timeout=timeout)
    return page.evaluate(STATE_JS)


def wait_quiet(page, sent: list, quiet_ms: int = 500, timeout_s: float = 60.0) -> None:
    """Wait until the script run is over and the browser has sent nothing for ``quiet_ms`` (its opening
    messages are done, however long they take on a busy machine)."""
    page.wait_for_function(IDLE_JS, timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        count = len(sent)
        page.wait_for_timeout(quiet_ms)
        if len(sent) == count:
            return
    raise AssertionError(f"the browser kept sending websocket messages for {timeout_s:g} s")


@pytest.fixture
def chromium_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, errors
    context.close()


def test_standalone_html_works_offline_and_its_slider_redraws(chromium_page, tmp_path):
    page, errors = chromium_page
    fig = explorer_sweep_figure([("elu", {"alpha": 1.0}), ("relu", {})], "elu", "alpha", width_px=700)
    path = tmp_path / "elu_alpha-0-3_sweep.html"
    path.write_text(animation.to_html(fig, theme="slide"))
    blocked: list[str] = []

    def only_the_file(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(path.as_uri())
    page.wait_for_selector(".slider-grip-rect")
    before = page.evaluate(STATE_JS)
    drag_slider(page, 0.95)
    after = wait_redrawn(page, before)
    assert after["active"] > before["active"] and after["y"] != before["y"]
    assert after["texts"] != before["texts"]  # the peak label moved with α (max f′ = α at x = 0 for α > 1)
    page.get_by_text("Play").click()
    if after["active"] != len(fig.frames) - 1:  # from the last frame, Play has nowhere to go
        page.wait_for_function(f"() => ({STATE_JS})().active !== {after['active']}", timeout=CHANGED_MS)
    assert errors == [] and blocked == []


@pytest.fixture(scope="module")
def sweep_server():
    require_browser()
    server = AppServer("benchmarks/sweep_app.py")
    yield server
    server.stop()


@pytest.mark.parametrize("chart", ["explorer", "softmax"])
def test_dragging_a_swept_chart_in_streamlit_sends_nothing(chromium_page, sweep_server, chart):
    page, errors = chromium_page
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(f"{sweep_server.url}/?chart={chart}")
    page.wait_for_selector(".js-plotly-plot .slider-grip-rect", timeout=DRAWN_MS)
    wait_quiet(page, sent)  # the session's opening messages are done
    before, sent_before = page.evaluate(STATE_JS), len(sent)
    drag_slider(page, 0.9)
    after = wait_redrawn(page, before)
    page.wait_for_timeout(500)  # a message sent just after the drag would be counted too
    assert after["y"] != before["y"] and after["active"] != before["active"]
    assert len(sent) == sent_before  # no websocket message from the browser during the drag
    assert errors == []
    assert page.locator('[data-testid="stException"]').count() == 0
