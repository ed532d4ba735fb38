"""Gradient Flow page: URL state, widgets driving the figures' data, presets, bad input; and the real
page in Chromium."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CHANGED_MS, DRAWN_MS
from pagetools import array, assert_clean, figures, run_page, trace, warnings

from activations.network import PRESETS, simulate

SMALL = {"fn": "relu,tanh", "depth": "12", "width": "64", "batch": "16", "init": "he_normal"}


def gradient_figure(at):
    return figures(at)[0]


def measured(at, label):
    """The measured ‖∂L/∂z‖ per layer of one run, as the page plots it (first panel)."""
    return array(trace(gradient_figure(at), label)["y"])


def test_default_page_compares_three_activations_with_theory():
    at = run_page("gradient-flow")
    assert_clean(at)
    assert not warnings(at)
    assert at.multiselect(key="gf_fns").value == ["sigmoid", "tanh", "relu"]
    assert at.select_slider(key="gf_batch").value == 32
    assert len(figures(at)) == 5  # the phase diagram waits for its toggle (or random biases)
    names = {t["name"] for t in gradient_figure(at)["data"]}
    for label in ("Sigmoid", "Tanh", "ReLU"):
        assert {label, f"{label}: mean-field theory"} <= names
    assert len(gradient_figure(at)["data"]) == 3 * 4  # measured and theory, in both panels, per activation
    expected = simulate("sigmoid", depth=30, width=256, batch=32, init="xavier_normal")
    np.testing.assert_allclose(measured(at, "Sigmoid"), expected.grad_z_norm, rtol=1e-6)
    summary = " ".join(m.value for m in at.markdown)
    assert "**Sigmoid**" in summary and "of its size at layer 30" in summary


def test_url_sets_every_control_and_the_data_follows():
    at = run_page("gradient-flow", {**SMALL, "seed": "3", "bias": "0.1", "tanh.alpha": "1"})
    assert_clean(at)
    assert at.slider(key="gf_depth").value == 12
    assert at.select_slider(key="gf_width").value == 64
    assert at.number_input(key="gf_seed").value == 3
    expected = simulate("tanh", depth=12, width=64, batch=16, init="he_normal", seed=3, bias=0.1)
    np.testing.assert_allclose(measured(at, "Tanh"), expected.grad_z_norm, rtol=1e-6)
    theory = array(trace(gradient_figure(at), "Tanh: mean-field theory")["y"])
    np.testing.assert_allclose(theory, expected.theory.grad_z_norm, rtol=1e-9)
    assert at.query_params["seed"] == "3" and at.query_params["bias"] == "0.1"


def test_depth_slider_changes_the_figures_and_the_url():
    at = run_page("gradient-flow", SMALL)
    before = measured(at, "ReLU")
    at.slider(key="gf_depth").set_value(20).run()
    assert_clean(at)
    after = measured(at, "ReLU")
    assert before.size == 12 and after.size == 20
    # Layer l's weights depend on (seed, l) only: the deeper network is the same one with layers added,
    # but the gradient reaching the old layers now comes through 8 more of them.
    assert not np.allclose(after[:12], before)
    assert at.query_params["depth"] == "20"
    assert array(figures(at)[4]["data"][0]["z"]).shape == (20, 64)  # layer × unit activity map


def test_widgets_change_the_data():
    at = run_page("gradient-flow", SMALL)
    before = measured(at, "ReLU")
    at.multiselect(key="gf_inits").set_value(["xavier_normal"]).run()
    assert_clean(at)
    xavier = measured(at, "ReLU")
    # Same draws, σ_w² 2 → 1: every layer now halves the squared gradient.
    ratio = (xavier[0] / xavier[-1]) / (before[0] / before[-1])
    assert ratio == pytest.approx(0.5 ** (11 / 2), rel=0.5)
    assert "init" not in at.query_params  # Xavier normal is the page's default: left out of the URL
    at.select_slider(key="gf_width").set_value(32).run()
    assert array(figures(at)[4]["data"][0]["z"]).shape == (12, 32)


def test_activation_parameters_come_from_the_url_and_reach_the_engine():
    at = run_page("gradient-flow", {**SMALL, "fn": "leaky_relu", "leaky_relu.alpha": "0.5"})
    assert_clean(at)
    assert at.slider(key="gf_leaky_relu.alpha").value == 0.5
    expected = simulate("leaky_relu", depth=12, width=64, batch=16, init="he_normal", params={"alpha": 0.5})
    np.testing.assert_allclose(measured(at, "Leaky ReLU"), expected.grad_z_norm, rtol=1e-6)
    assert at.query_params["leaky_relu.alpha"] == "0.5"


def test_presets_from_the_url_and_from_the_selectbox():
    at = run_page("gradient-flow", {"preset": "he_vs_xavier"})
    assert_clean(at)
    names = {t["name"] for t in gradient_figure(at)["data"]}
    assert {"ReLU · He normal", "ReLU · Xavier normal"} <= names
    assert at.query_params["preset"] == "he_vs_xavier" and "fn" not in at.query_params
    assert any("He init" in i.value for i in at.info)

    at.selectbox(key="gf_preset").set_value("edge_of_chaos").run()
    assert_clean(at)
    assert at.slider(key="gf_depth").value == PRESETS["edge_of_chaos"].depth
    assert at.multiselect(key="gf_inits").value == ["scaled_normal"]
    assert dict(at.query_params) == {"preset": "edge_of_chaos"}

    at.slider(key="gf_sigma_w").set_value(1.5).run()  # a hand-made change leaves the preset
    assert at.selectbox(key="gf_preset").value == "custom"
    assert "preset" not in at.query_params and at.query_params["sigma_w"] == "1.5"


def test_born_dead_preset_says_so():
    at = run_page("gradient-flow", {"preset": "born_dead"})
    assert_clean(at)
    summary = " ".join(m.value for m in at.markdown)
    assert "No gradient at all reaches layers 1–" in summary
    dead = trace(figures(at)[3], "ReLU")
    assert np.nanmax(array(dead["y"])) == 100


def test_huge_networks_are_clamped_with_a_warning():
    at = run_page(
        "gradient-flow", {"fn": "relu", "depth": "200", "width": "1024", "batch": "1024", "init": "he_normal"}
    )
    assert_clean(at)
    text = " ".join(warnings(at))
    assert "width reduced" in text and "batch reduced" in text
    assert measured(at, "ReLU").size == 200


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"depth": "abc"}, "depth"),
        ({"depth": "1e9"}, "depth"),
        ({"width": "0"}, "width"),
        ({"batch": "1e999"}, "batch"),
        ({"fn": "nope,relu"}, "nope"),
        ({"init": "glorot"}, "glorot"),
        ({"sigma_w": "nan", "init": "scaled_normal"}, "sigma"),
        ({"bias": "inf"}, "bias"),
        ({"seed": "-5"}, "seed"),
        ({"preset": "bogus"}, "preset"),
        ({"fn": "leaky_relu", "leaky_relu.alpha": "7"}, "alpha"),
        ({"fn": "relu,tanh,sigmoid,elu,gelu"}, "4"),
        ({"init": "he_normal,xavier_normal,orthogonal"}, "2"),
    ],
)
def test_bad_url_values_warn_and_fall_back(query, fragment):
    at = run_page("gradient-flow", {"depth": "6", "width": "16", "batch": "8", **query})
    assert_clean(at)
    assert any(fragment in w for w in warnings(at)), warnings(at)
    assert len(figures(at)) == 5


# --- the figures, built for speed ---------------------------------------------------------------------


def test_figures_look_as_with_plotly_white_and_make_subplots():
    """The builders skip Plotly's slow paths (the named template, make_subplots per call): the template is
    plotly_white's 2-D part and every panel sits where make_subplots puts it."""
    import plotly.io as pio
    from plotly.subplots import make_subplots

    from activations.figures import gradient_flow as gf

    runs = [simulate(fn, depth=6, width=16, batch=4, init="he_normal") for fn in ("relu", "tanh", "elu")]
    white = pio.templates["plotly_white"].to_plotly_json()
    fig = gf.distribution_figure(runs).to_plotly_json()
    template = fig["layout"]["template"]
    for key in ("xaxis", "yaxis", "colorway", "font", "paper_bgcolor", "plot_bgcolor", "hoverlabel"):
        assert template["layout"][key] == white["layout"][key]
    assert set(template["layout"]) <= set(white["layout"]) and {"scatter", "heatmap"} <= set(template["data"])
    reference = make_subplots(
        rows=1, cols=3, subplot_titles=["ReLU", "Tanh", "ELU"], horizontal_spacing=0.07, vertical_spacing=0.16
    ).layout
    for i, axis in enumerate(("xaxis", "xaxis2", "xaxis3")):
        assert fig["layout"][axis]["domain"] == list(reference[axis].domain)
        assert fig["layout"]["annotations"][i]["text"] == reference.annotations[i].text
    # each run's four traces (three bands and the median) in its own panel
    assert [t["xaxis"] for t in fig["data"]] == ["x"] * 4 + ["x2"] * 4 + ["x3"] * 4
    assert fig["data"][4]["name"].startswith("Tanh") and fig["data"][11]["name"] == "ELU: median"
    grad = gf.gradient_norm_figure(runs).to_plotly_json()
    assert grad["layout"]["xaxis"]["matches"] == "x2" and grad["layout"]["yaxis2"]["type"] == "log"
    assert {t["yaxis"] for t in grad["data"] if t["name"] == "ReLU"} == {"y", "y2"}


# --- in the browser ----------------------------------------------------------------------------------

PLOT = ".js-plotly-plot"


def first_plot_data(page) -> str:
    """The y arrays of the first chart's traces as Plotly.js decoded them (numpy data arrives base64)."""
    return page.evaluate(
        "() => JSON.stringify(document.querySelector('.js-plotly-plot')._fullData.map(t => Array.from(t.y || [])))"
    )


@pytest.mark.browser
def test_browser_depth_slider_redraws_the_gradients(page, app_server):
    page.page.goto(app_server.url + "/gradient-flow?fn=relu,tanh&depth=20&width=64&batch=16")
    page.page.wait_for_function(f"document.querySelectorAll('{PLOT} .main-svg').length >= 5", timeout=DRAWN_MS)
    before = first_plot_data(page.page)
    assert len(json.loads(before)[0]) == 20
    slider = page.page.get_by_role("slider").first  # the depth slider is the first on the page
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    page.page.wait_for_function(
        "(before) => { const c = document.querySelector('.js-plotly-plot');"
        " return !!c?._fullData && JSON.stringify(c._fullData.map(t => Array.from(t.y || []))) !== before; }",
        arg=before,
        timeout=CHANGED_MS,
    )
    page.page.wait_for_function("location.search.includes('depth=23')", timeout=CHANGED_MS)
    # The presses may be answered by more than one rerun (depth 21, 22, 23), each replacing the chart: wait
    # for the chart showing 23 layers, reading it only while it is there (a run can remove it for a moment).
    page.page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot')?._fullData?.[0]?.y?.length === 23", timeout=CHANGED_MS
    )
    after = json.loads(first_plot_data(page.page))
    assert len(after[0]) == 23
    assert page.exceptions() == []
    assert "Traceback" not in page.page.inner_text("body")
    assert page.console_errors == []


@pytest.mark.browser
def test_browser_bad_url_shows_warnings_and_the_page(page, app_server):
    page.page.goto(app_server.url + "/gradient-flow?fn=nope,relu&depth=abc&width=64&batch=8")
    page.page.wait_for_function(f"document.querySelectorAll('{PLOT} .main-svg').length >= 5", timeout=DRAWN_MS)
    alerts = page.page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("nope" in a for a in alerts) and any("depth" in a for a in alerts), alerts
    assert page.exceptions() == []
    assert page.console_errors == []


def test_a_typed_formula_runs_through_the_network_like_the_builtin():
    """`tanh(a*x)` with a = 1 is tanh: the same network must give the same per-layer gradient norms."""
    at = run_page("gradient-flow", {"fn": "custom,tanh", "formula": "tanh(a*x)", "depth": "12", "width": "32"})
    assert not at.exception, [e.value for e in at.exception]
    fig = figures(at)[0]
    typed = [t for t in fig["data"] if t["name"] == "f(x) = tanh(a * x)"]
    builtin = [t for t in fig["data"] if t["name"] == "Tanh"]
    assert typed and builtin
    np.testing.assert_allclose(array(typed[0]["y"]), array(builtin[0]["y"]), rtol=1e-5)
    assert at.query_params["formula"] == "tanh(a*x)"


def test_a_refused_formula_keeps_the_text_and_the_other_runs():
    at = run_page("gradient-flow", {"fn": "custom,relu", "formula": "x.__class__", "depth": "5", "width": "16"})
    assert not at.exception
    assert at.error and "attribute" in at.error[0].value
    assert at.text_input(key="gf_formula").value == "x.__class__"
    assert any(t["name"] == "ReLU" for t in figures(at)[0]["data"])


def test_architectures_and_random_biases_from_the_url_reach_the_engine():
    at = run_page("gradient-flow", {**SMALL, "fn": "tanh", "init": "xavier_normal", "architecture": "plain,residual",
                                    "sigma_b": "0.3"})  # fmt: skip
    assert_clean(at)
    assert at.multiselect(key="gf_archs").value == ["plain", "residual"]
    assert at.slider(key="gf_sigma_b").value == pytest.approx(0.3)
    names = {t["name"] for t in gradient_figure(at)["data"] if t.get("showlegend", True)}
    plain, residual = "Tanh · plain", "Tanh · residual (skip connections)"
    assert {plain, residual} <= names, names
    for architecture, label in (("plain", plain), ("residual", residual)):
        expected = simulate("tanh", depth=12, width=64, batch=16, init="xavier_normal", architecture=architecture,
                            sigma_b=0.3)  # fmt: skip
        np.testing.assert_allclose(measured(at, label), expected.grad_z_norm, rtol=1e-6)
    assert at.query_params["architecture"] == "plain,residual" and at.query_params["sigma_b"] == "0.3"


def test_unknown_architecture_warns_and_falls_back():
    at = run_page("gradient-flow", {**SMALL, "architecture": "transformer"})
    assert_clean(at)
    assert any("architecture" in w and "transformer" in w for w in warnings(at))
    assert at.multiselect(key="gf_archs").value == ["plain"]


def test_phase_diagram_marks_this_network_and_the_pytorch_script_is_the_generators():
    from activations import codegen

    at = run_page("gradient-flow", {**SMALL, "fn": "tanh", "init": "scaled_normal", "sigma_w": "1.5", "sigma_b": "0.2"})
    assert_clean(at)
    phase = figures(at)[-1]
    (point,) = [t for t in phase["data"] if t.get("mode") == "markers"]
    assert (array(point["x"])[0], array(point["y"])[0]) == pytest.approx((1.5, 0.2))
    assert not at.code  # the scripts are sent only when asked for
    at.toggle(key="gf_pytorch").set_value(True).run()
    (code,) = at.code
    expected = codegen.gradient_flow_script("tanh", depth=12, width=64, batch=16, init="scaled_normal", sigma_w=1.5,
                                            sigma_b=0.2)  # fmt: skip
    assert code.value.rstrip() == expected.rstrip()  # Streamlit drops the final newline


def test_a_bias_sweep_re_simulates_every_network_at_each_frame():
    at = run_page("gradient-flow", {**SMALL, "fn": "tanh", "depth": "6", "sweep": "bias"})
    assert_clean(at)
    chart = gradient_figure(at)
    values = chart["layout"]["meta"]["sweep"]["values"]
    assert len(chart["frames"]) == len(values) >= 5 and at.query_params["sweep"] == "bias"
    k = len(values) - 1
    expected = simulate("tanh", depth=6, width=64, batch=16, init="he_normal", bias=values[k])
    frame = chart["frames"][k]
    i = next(i for i, t in enumerate(chart["data"]) if t.get("name") == "Tanh" and t.get("yaxis") == "y")
    got = frame["data"][frame.get("traces", list(range(len(frame["data"])))).index(i)]
    np.testing.assert_allclose(array(got["y"]), expected.grad_z_norm, rtol=1e-5)


def test_a_bad_sweep_warns():
    at = run_page("gradient-flow", {**SMALL, "sweep": "width"})
    assert_clean(at)
    assert any("sweep" in w for w in warnings(at)) and at.selectbox(key="gf_live").value == ""
