"""Bad input on every page: hostile URL values in every parameter, and every slider at its ends.

The pages, their URL parameters and their fallback values come from one table,
``benchmarks/page_table.py``; a page added there is swept here with no change to this file.

For each page and each hostile value (``HOSTILE``: non-numbers, NaN, -inf, 1e999, negative, zero, huge
and fractional sizes, unknown names, 10k-character strings, unicode, script tags, format strings,
Python code, control characters, repeated keys, long lists):

* run A puts the value in EVERY parameter of the page at once (and in the shared ``lang``, ``present``,
  ``theme``, ``figsize``);
* run B does the same under one of the page's contexts (e.g. ``fn=elu,...``) so that parameters read only
  when another one selects them (``alpha``, ``elu.alpha``) are read too. The contexts take turns over the
  values; ``SWEEP_FULL=1`` runs every context with every value.

Each run must render with at least one short warning, no exception element, no traceback text, every
slider inside its range, the page's charts drawn, and (for garbage values) the page's default widget
values. A smaller browser sweep repeats this in Chromium and also checks the console, script injection
and that the server survives. Last, every parameter slider of every activation is moved to both of its
ends on each page that has them: finite plotted data and no warning.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request

import numpy as np
import pytest
from conftest import CHANGED_MS, DRAWN_MS
from pagetools import APP, array, figures, run_page
from streamlit.testing.v1 import AppTest

import activations
from benchmarks.page_table import GLOBAL_PARAMS, HOSTILE, PWNED, available_pages, pending_pages, url_query

PAGES = available_pages()
FULL = os.environ.get("SWEEP_FULL", "") not in ("", "0")
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages", '.py", line')
EXCEPTION_NAME = re.compile(r"\b[A-Z]\w*(Error|Exception):")  # "ValueError: ..." leaked from an except
MAX_WARNING_CHARS = 400


def test_page_table_covers_every_page_of_the_app():
    """Every page the app serves has an entry in benchmarks/page_table.py (else it would escape the sweep);
    entries whose page is not written yet are listed as a skip."""
    from benchmarks.page_table import PAGES as TABLE
    from benchmarks.page_table import registered_pages

    covered = {spec.path for spec in TABLE}
    assert registered_pages() - covered == set(), "add these pages to benchmarks/page_table.py"
    if pending_pages():
        pytest.skip("page table entries waiting for their page: " + ", ".join(p.name for p in pending_pages()))


def sweep_cases() -> list:
    cases = []
    for spec in PAGES:
        for i, hostile in enumerate(HOSTILE):
            cases.append(pytest.param(spec, hostile, None, id=f"{spec.name}-{hostile.id}"))
            contexts = range(len(spec.contexts)) if FULL else [i % len(spec.contexts)] if spec.contexts else []
            for c in contexts:
                cases.append(pytest.param(spec, hostile, c, id=f"{spec.name}-ctx{c}-{hostile.id}"))
    return cases


def run_spec(spec, query: dict) -> AppTest:
    """Run a page with a URL query. The default page runs through app.py's navigation, so the shared
    sidebar (language switch, export panel: ``lang``, ``present``, ``theme``, ``figsize``) reads the URL too;
    AppTest's ``switch_page`` runs other pages' scripts alone (without app.py), so for them the shared
    parameters are swept in the browser test below."""
    query = {k: list(v) if isinstance(v, tuple) else v for k, v in query.items()}
    if spec.url_path:
        return run_page(spec.name, query)
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def page_text(at) -> str:
    """Everything the page shows as text (markdown, captions, alerts, code, exceptions)."""
    parts = []
    for kind in ("markdown", "caption", "text", "code", "latex", "info", "warning", "error", "success", "exception"):
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "")))
    return "\n".join(parts)


def sliders_in_range(at) -> list[str]:
    """Sliders whose value lies outside [min, max] (a clamping bug would put it there)."""
    bad = []
    for slider in at.slider:
        lo, hi = slider.min, slider.max
        values = slider.value if isinstance(slider.value, (tuple, list)) else (slider.value,)
        if any(not (lo <= v <= hi) for v in values):
            bad.append(f"{slider.key}={slider.value} not in [{lo}, {hi}]")
    return bad


def assert_survives(at, spec, hostile, *, expect_defaults: bool) -> None:
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"{marker!r} shown on the page"
    assert not EXCEPTION_NAME.search(text), EXCEPTION_NAME.search(text)
    shown = [w.value for w in at.warning]
    assert shown, "a hostile URL value must produce a warning"
    too_long = [w[:80] + "…" for w in shown if len(w) > MAX_WARNING_CHARS]
    assert not too_long, f"warnings must quote hostile values shortly: {too_long}"
    assert sliders_in_range(at) == []
    assert len(figures(at)) >= spec.min_charts, "the page still draws its charts"
    if expect_defaults:
        for key, default in spec.defaults.items():
            value = at.session_state[key]
            value = list(value) if isinstance(value, list) else value
            assert value == default, f"{key} = {value!r}, expected the default {default!r}"


@pytest.mark.parametrize(("spec", "hostile", "context"), sweep_cases())
def test_hostile_url_values_warn_and_fall_back(spec, hostile, context):
    query = dict.fromkeys((*spec.params, *GLOBAL_PARAMS), hostile.value)
    if context is not None:
        query.update(spec.contexts[context])
    at = run_spec(spec, query)
    # Under a context the selected activations are valid, so only run A can expect the page's defaults.
    assert_survives(at, spec, hostile, expect_defaults=hostile.garbage and context is None)
    assert not os.path.exists(PWNED), "a URL value was run as Python code"


# --- every activation parameter slider at both ends ----------------------------------------------------


def slider_pages():
    return [spec for spec in PAGES if spec.activation_sliders]


def parametrised_activations() -> list[str]:
    return [fn for fn in activations.names() if activations.get(fn).params]


def assert_finite_charts(at) -> None:
    """Every trace's data is finite where drawn: NaN marks a gap (a kink, a jump), ±inf never appears,
    and at least nine in ten points of every curve are drawn."""
    for number, figure in enumerate(figures(at)):
        for trace in figure["data"]:
            for axis in ("x", "y", "z"):
                if axis not in trace or trace[axis] is None:
                    continue
                raw = trace[axis]
                if isinstance(raw, list) and raw and not isinstance(raw[0], (int, float, type(None), list)):
                    continue  # categorical axis (labels)
                values = array(raw) if not (isinstance(raw, list) and raw and isinstance(raw[0], list)) else None
                if values is None:
                    values = np.array([[np.nan if v is None else v for v in r] for r in raw], dtype=float)
                name = f"chart {number}, trace {trace.get('name')!r}, {axis}"
                assert not np.isinf(values).any(), f"{name}: infinite values plotted"
                if values.size >= 20:
                    assert np.isfinite(values).mean() >= 0.9, f"{name}: mostly NaN"


@pytest.mark.parametrize("spec", slider_pages(), ids=lambda s: s.name)
@pytest.mark.parametrize("fn", parametrised_activations())
def test_every_activation_parameter_slider_at_both_ends(spec, fn):
    key_pattern, _picker = spec.activation_sliders
    context = next((c for c in spec.contexts if fn in c["fn"].split(",")), {"fn": fn})
    at = run_spec(spec, {**context, "fn": fn})
    assert not at.exception, [e.value for e in at.exception]
    params = activations.get(fn).params
    for p in params:
        for end in (p.min, p.max):
            # This parameter at one end, every other one at its default, in one rerun.
            for other in params:
                value = end if other is p else other.default
                at.slider(key=key_pattern.format(fn=fn, param=other.name)).set_value(float(value))
            at.run()
            label = f"{fn}.{p.name} = {end} (others at their defaults)"
            assert not at.exception, (label, [e.value for e in at.exception])
            assert [w.value for w in at.warning] == [], label
            assert_finite_charts(at)


@pytest.mark.parametrize("spec", [s for s in PAGES if s.name == "explorer"], ids=lambda s: s.name)
def test_every_activation_on_the_widest_x_range(spec):
    """x from −20 to 20 (the range slider's ends) for every activation: finite curves, no warning."""
    names = activations.names()
    for start in range(0, len(names), spec.max_functions):
        chunk = names[start : start + spec.max_functions]
        at = run_spec(spec, {"fn": ",".join(chunk), "xmin": "-20", "xmax": "20"})
        assert not at.exception, [e.value for e in at.exception]
        assert [w.value for w in at.warning] == [], chunk
        assert_finite_charts(at)


# --- the same in a real browser --------------------------------------------------------------------------


def browser_query(spec) -> dict[str, str | tuple[str, ...]]:
    """One URL per page carrying many hostile values at once: parameter i gets value i (mod the list),
    skipping the huge sizes and the 10k strings (seconds of compute, swept above); the page's first
    parameter and the shared ``theme`` get the script tag."""
    values = [h.value for h in HOSTILE if h.id not in ("huge", "long")]
    names = (*spec.params, *GLOBAL_PARAMS)
    query = {name: values[i % len(values)] for i, name in enumerate(names)}
    script = next(h.value for h in HOSTILE if h.id == "script")
    query.update({names[0]: script, "theme": script})
    return query


@pytest.mark.browser
@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.name)
def test_browser_hostile_url_renders_a_warning(page, app_server, spec):
    p = page.page
    p.goto(app_server.url + spec.url + url_query(browser_query(spec)))
    p.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {spec.min_charts}", timeout=DRAWN_MS
    )
    p.wait_for_selector('[data-testid="stAlert"]', timeout=CHANGED_MS)
    assert page.exceptions() == []
    body = p.inner_text("body")
    for marker in TRACEBACK_MARKERS:
        assert marker not in body
    assert not EXCEPTION_NAME.search(body), EXCEPTION_NAME.search(body)
    assert p.evaluate("window.__xss") is None, "a URL value ran as script"
    assert (
        p.locator("script:not([src])").evaluate_all("els => els.filter(e => e.textContent.includes('__xss')).length")
        == 0
    )
    assert page.console_errors == []


@pytest.mark.browser
def test_server_survives_the_sweep(app_server):
    """After every hostile page above, the server still answers and its log has no traceback."""
    assert app_server.process.poll() is None, "the server exited"
    with urllib.request.urlopen(app_server.url + "/_stcore/health", timeout=10) as response:
        assert response.status == 200
    log = app_server.log()
    assert "Traceback" not in log, log[-3000:]
    json.dumps(log[-100:])  # the log is text (no undecodable bytes from control characters in URLs)
