"""The real app in headless Chromium: what a visitor sees on the Overview, Explorer and Softmax pages."""

import pytest
from conftest import DRAWN_MS

import activations

pytestmark = pytest.mark.browser

PLOT = ".js-plotly-plot"


def plot_data(page, index=0):
    """The data of the index-th Plotly chart as the browser holds it (y arrays of every trace)."""
    return page.evaluate(
        """(i) => Array.from(document.querySelectorAll('.js-plotly-plot'))[i].data
                 .map(t => Array.from(t.y || []).slice(0, 2000))""",
        index,
    )


def wait_for_plots(page, count=1):
    page.wait_for_function(f"document.querySelectorAll('{PLOT} .main-svg').length >= {count}", timeout=DRAWN_MS)


def assert_clean(watcher):
    assert watcher.exceptions() == []
    body = watcher.page.inner_text("body")
    assert "Traceback" not in body
    assert watcher.console_errors == []


def test_overview_renders_every_tile(page, app_server):
    page.page.goto(app_server.url + "/")
    wait_for_plots(page.page)
    links = page.page.eval_on_selector_all(f"{PLOT} a", "els => els.map(e => e.textContent)")
    assert sorted(links) == sorted(activations.get(n).label for n in activations.names())
    assert page.page.get_by_text("Activation Lab").first.is_visible()
    assert_clean(page)


def test_gallery_tile_links_to_the_explorer_with_the_function(page, app_server):
    page.page.goto(app_server.url + "/")
    wait_for_plots(page.page)
    # Plotly's SVG layer sits over the title links, so click the link element itself.
    page.page.eval_on_selector_all(
        f"{PLOT} a",
        "els => els.find(e => e.textContent === 'ELU').dispatchEvent(new MouseEvent('click', {bubbles: true}))",
    )
    page.page.wait_for_url("**/explorer?fn=elu**")
    wait_for_plots(page.page)
    assert "ELU" in page.page.locator(PLOT).first.inner_text()
    assert_clean(page)


def test_explorer_slider_changes_the_plot_and_the_url(page, app_server):
    page.page.goto(app_server.url + "/explorer?fn=leaky_relu&leaky_relu.alpha=0.2")
    wait_for_plots(page.page)
    snapshot = "JSON.stringify(document.querySelector('.js-plotly-plot').data.map(t => Array.from(t.y || [])))"
    page.page.evaluate(f"window.__before = {snapshot}")
    slider = page.page.locator('[data-testid="stSlider"]', has_text="alpha (α)").get_by_role("slider")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    # The URL follows the slider (a fast run may fold presses together, so any new value > 0.2 counts) …
    page.page.wait_for_function(
        "(() => { const a = new URLSearchParams(location.search).get('leaky_relu.alpha');"
        " return a !== null && parseFloat(a) > 0.2; })()",
        timeout=DRAWN_MS,
    )
    # … and the plot shows new data.
    page.page.wait_for_function(f"{snapshot} !== window.__before", timeout=DRAWN_MS)
    assert_clean(page)


def test_explorer_bad_url_shows_a_warning_not_a_traceback(page, app_server):
    page.page.goto(app_server.url + "/explorer?fn=nope,elu&alpha=1e999&xmin=abc")
    wait_for_plots(page.page)
    alerts = page.page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("nope" in a for a in alerts) and any("alpha" in a for a in alerts), alerts
    assert_clean(page)


def test_softmax_deep_link_renders_its_charts(page, app_server):
    page.page.goto(app_server.url + "/softmax?z=3,1,0.2&t=0.5")
    wait_for_plots(page.page, 4)
    assert page.page.locator('[role="dialog"]').count() == 0  # no "Page not found"
    assert_clean(page)
