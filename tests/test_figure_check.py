"""Every chart the app draws, drawn by plotly.js in real Chromium at slide size (1920×1080) in every theme
(and Chinese in the slide theme), checked for what a projector shows wrong: overlapping or cut text, text
below 12 px, a legend entry that draws nothing, labelled minor ticks on a log axis (tests/figurecheck.py).

The first tests show each check failing on a chart built to be wrong, so a pass means something."""

from __future__ import annotations

import pytest
from figure_catalog import BUILDERS, chart
from figurecheck import open_page, problems

from activations.themes import THEMES, themed_spec

pytestmark = pytest.mark.browser
SIZE = (1920, 1080)


@pytest.fixture(scope="module")
def chart_page(browser):
    """One page with plotly.js loaded, in the session's Chromium (tests/conftest.py)."""
    page = open_page(browser)
    yield page
    page.close()


def figure(data, **layout) -> dict:
    return {"data": data, "layout": {"margin": {"l": 60, "r": 20, "t": 40, "b": 40}, **layout}}


LINE = {"type": "scatter", "x": [1, 2, 3], "y": [1.0, 2.0, 3.0], "name": "line"}


def test_a_clean_chart_passes(chart_page):
    assert problems(chart_page, figure([LINE], font={"size": 16}), 800, 500) == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (figure([LINE], font={"size": 8}), "px (< 12)"),
        (figure([{**LINE, "y": [0.0, 0.0, 0.0]}], font={"size": 16}, yaxis={"type": "log"}), "draws nothing"),
        (figure([{**LINE, "y": [1.0, 2.0, 40.0]}], font={"size": 16}, yaxis={"type": "log"}), "labels minor ticks"),
        (
            figure([LINE], font={"size": 16}, annotations=[
                {"text": "a long note", "x": 2, "y": 2, "showarrow": False},
                {"text": "another note", "x": 2, "y": 2, "showarrow": False},
            ]),
            "overlaps",
        ),
        (
            figure([LINE], font={"size": 16}, annotations=[
                {"text": "a note past the edge", "xref": "paper", "x": 1.1, "y": 2, "showarrow": False},
            ]),
            "cut by the figure's edge",
        ),
    ],
    ids=["small text", "invisible legend entry", "minor tick labels", "overlap", "cut"],
)  # fmt: skip
def test_each_check_fails_a_chart_made_to_fail_it(chart_page, spec, expected):
    found = problems(chart_page, spec, 800, 500)
    assert any(expected in p for p in found), found


CASES = [(lang, name) for lang in ("en", "zh") for name in BUILDERS]


@pytest.mark.parametrize(("lang", "name"), CASES, ids=[f"{lang}-{name}" for lang, name in CASES])
def test_chart_reads_on_a_projector(chart_page, lang, name):
    themes = list(THEMES) if lang == "en" else ["slide"]
    found, fig = [], chart(name, lang)
    for theme in themes:
        spec = themed_spec(fig, theme, SIZE)
        found += [f"{theme}: {p}" for p in problems(chart_page, spec, *SIZE)]
    assert found == []
