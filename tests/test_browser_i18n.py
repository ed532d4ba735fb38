"""The Chinese interface in a real browser: every page opened with ?lang=zh reads in Chinese (title,
navigation, controls, figure text), and the sidebar switch changes the language live and keeps
lang=zh in the address while the visitor moves between pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import CHANGED_MS, DRAWN_MS, ROOT, AppServer
from i18ntools import CJK, zh_detector

from activations.i18n import translator
from benchmarks.bench_browser import IDLE_JS

pytestmark = pytest.mark.browser

PLOT = ".js-plotly-plot"
ZH = translator("zh")


def registered_pages() -> list[tuple[str, str, str]]:
    """(file, English title, url path) of every page in the navigation's PAGES list (ui/page.py), read
    without running it; a page's URL path is its file name (``pages/gradient-flow.py`` is /gradient-flow)."""
    tree = ast.parse((ROOT / "ui" / "page.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PAGES" for t in node.targets):
            rows = []
            for row in node.value.elts:
                file, title = row.elts[0].value, row.elts[1].args[0].value
                rows.append((file, title, "" if file == "app.py" else Path(file).stem))
            return rows
    raise AssertionError("ui/page.py has no PAGES list")


PAGES = registered_pages()


@pytest.fixture(scope="module")
def navigation_known(app_server, browser):
    """Open the entry page once, as a visitor would before following links."""
    context = browser.new_context()
    p = context.new_page()
    p.goto(app_server.url + "/")
    p.wait_for_selector(f"{PLOT} .main-svg", timeout=DRAWN_MS)
    context.close()


def wait_for_plots(p, count: int = 1) -> None:
    p.wait_for_function(f"document.querySelectorAll('{PLOT} .main-svg').length >= {count}", timeout=DRAWN_MS)


def wait_for_title(p, text: str) -> None:
    p.wait_for_function("(t) => document.querySelector('h1')?.innerText.trim() === t", arg=text, timeout=CHANGED_MS)


def nav_titles(p) -> list[str]:
    """The app's own menu (ui/page.py), once the script run has finished and the menu holds a link per page
    (the heading can be shown before the menu is); each link's text is "<icon ligature>\n\n<title>": the title."""
    p.wait_for_function(IDLE_JS, timeout=CHANGED_MS)
    p.wait_for_function(f"document.querySelectorAll('.st-key-app_nav a').length >= {len(PAGES)}", timeout=CHANGED_MS)
    return [t.split("\n")[-1].strip() for t in p.locator(".st-key-app_nav a").all_inner_texts()]


def shown_texts(p) -> list[str]:
    """Every line of text on the page, plus each SVG text of the charts (titles, axes, legends, notes)."""
    lines = [line.strip() for line in p.inner_text("body").split("\n") if line.strip()]
    return lines + p.eval_on_selector_all(f"{PLOT} text", "els => els.map(e => e.textContent)")


def assert_clean(watcher) -> None:
    assert watcher.exceptions() == []
    assert "Traceback" not in watcher.page.inner_text("body")
    assert watcher.console_errors == []


@pytest.mark.parametrize(("file", "title", "url"), PAGES, ids=[row[2] or "overview" for row in PAGES])
def test_page_opens_in_chinese(page, app_server, navigation_known, file, title, url):
    p = page.page
    p.goto(f"{app_server.url}/{url}?lang=zh")
    wait_for_plots(p)
    p.wait_for_function("() => /[\\u4e00-\\u9fff]/.test(document.querySelector('h1')?.innerText || '')")
    heading = p.locator("h1").first.inner_text().strip()
    assert heading in {ZH(title), ZH("Activation Lab")}, heading
    assert nav_titles(p) == [ZH(t) for _f, t, _u in PAGES]
    assert p.get_by_role("radio", name="简体中文").get_attribute("aria-checked") == "true"
    leaks = zh_detector().leaks(shown_texts(p))
    assert not leaks, "English UI text on a Chinese page:\n" + "\n".join(f"{m!r} in {s!r}" for s, m in leaks)
    assert any(CJK.search(t) for t in p.eval_on_selector_all(f"{PLOT} text", "els => els.map(e => e.textContent)"))
    assert "lang=zh" in p.url
    assert_clean(page)


def test_switch_changes_the_language_live_and_the_url_keeps_it(page, app_server, navigation_known):
    p = page.page
    p.goto(f"{app_server.url}/explorer?fn=sigmoid,relu")
    wait_for_plots(p)
    wait_for_title(p, "Function Explorer")
    sidebar = p.locator('[data-testid="stSidebar"]')

    sidebar.get_by_role("radio", name="简体中文").click()
    wait_for_title(p, ZH("Function Explorer"))
    p.wait_for_function(
        "(t) => Array.from(document.querySelectorAll('.js-plotly-plot text')).some(e => e.textContent === t)",
        arg=ZH("Derivative f′(x)"),
        timeout=CHANGED_MS,
    )
    p.wait_for_function("location.search.includes('lang=zh')", timeout=CHANGED_MS)
    assert "fn=sigmoid" in p.url.replace("%2C", ",")

    sidebar.get_by_role("link", name=ZH("Softmax")).click()
    p.wait_for_url("**/softmax?*", timeout=CHANGED_MS)
    wait_for_title(p, ZH("Softmax"))
    p.wait_for_function("location.search.includes('lang=zh')", timeout=CHANGED_MS)

    sidebar.get_by_role("radio", name="English").click()
    wait_for_title(p, "Softmax")
    p.wait_for_function("!location.search.includes('lang=')", timeout=CHANGED_MS)

    sidebar.get_by_role("radio", name="简体中文").click()
    wait_for_title(p, ZH("Softmax"))
    sidebar.get_by_role("link", name=ZH("Overview")).click()
    wait_for_title(p, ZH("Activation Lab"))
    p.wait_for_function("location.search.includes('lang=zh')", timeout=CHANGED_MS)
    assert nav_titles(p) == [ZH(t) for _f, t, _u in PAGES]
    assert_clean(page)


def test_cold_deep_link_runs_through_app_py(browser):
    server = AppServer()
    context = browser.new_context()
    try:
        p = context.new_page()
        p.goto(server.url + "/softmax?lang=zh")
        wait_for_plots(p)
        p.wait_for_function(IDLE_JS, timeout=CHANGED_MS)  # the run has finished: the heading is the page's last word
        assert p.locator("h1").first.inner_text().strip() == ZH("Softmax")
    finally:
        context.close()
        server.stop()
