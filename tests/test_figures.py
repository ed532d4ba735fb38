"""The figure builders of the Explorer and Softmax pages, and the shared template, checked as data.

These figures are assembled as plain dicts for speed (``activations.figures.style``), so what Plotly's
convenience calls used to guarantee is checked here: each panel sits where ``make_subplots`` puts it,
each mark refers to the panel it belongs to, and values come from the core (PyTorch's value at a kink,
sigmoid′'s peak 0.25, the softmax Jacobian), not from the figure code.
"""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.io as pio
import pytest
from pagetools import array
from plotly.subplots import make_subplots

import activations
from activations.figures import style
from activations.figures.explorer import function_figure, sample_curve
from activations.figures.softmax import bars_figure, jacobian_figure, sigmoid_link_figure, temperature_figure
from activations.softmax import softmax, softmax_jacobian


def as_json(fig) -> dict:
    return fig.to_plotly_json()


# --- the shared template ------------------------------------------------------------------------------


def test_template_is_plotly_white_where_the_app_draws():
    white = pio.templates["plotly_white"].to_plotly_json()
    template = style.plot_template()
    assert {"xaxis", "yaxis", "colorway", "font", "paper_bgcolor", "plot_bgcolor"} <= set(template["layout"])
    for key, value in template["layout"].items():
        assert value == white["layout"][key], key
    assert set(template["data"]) == {"scatter", "heatmap", "bar"}
    for kind, value in template["data"].items():
        assert value == white["data"][kind], kind


def test_template_is_a_fraction_of_the_named_one():
    named = len(json.dumps(pio.templates["plotly_white"].to_plotly_json()))
    assert len(json.dumps(style.plot_template())) < named / 2.5


@pytest.mark.parametrize("rows, cols", [(1, 1), (2, 1), (3, 1), (2, 3)])
def test_axis_names_follow_make_subplots(rows, cols):
    reference = make_subplots(rows=rows, cols=cols)
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            x_key, y_key = style.axis_key("x", rows, cols, row, col), style.axis_key("y", rows, cols, row, col)
            assert reference.layout[x_key].anchor == style.axis_ref("y", rows, cols, row, col)
            assert reference.layout[y_key].anchor == style.axis_ref("x", rows, cols, row, col)
            trace = style.on_subplot({"type": "scatter"}, rows, cols, row, col)
            reference.add_scatter(x=[0], y=[0], row=row, col=col)
            added = reference.data[-1]
            assert (trace["xaxis"], trace["yaxis"]) == (added.xaxis, added.yaxis)


def test_subplot_layout_is_a_fresh_copy():
    first = style.subplot_layout(2, 1, ("a", "b"), shared_xaxes=True)
    first["xaxis"]["title"] = {"text": "changed"}
    first["annotations"].append({"text": "extra"})
    second = style.subplot_layout(2, 1, ("a", "b"), shared_xaxes=True)
    assert "title" not in second["xaxis"] and len(second["annotations"]) == 2


# --- the explorer -------------------------------------------------------------------------------------


def curves(*specs, second=False, x_range=(-5.0, 5.0)):
    return [sample_curve(activations.get(name), params, *x_range, second=second) for name, params in specs]


def test_explorer_panels_sit_where_make_subplots_puts_them():
    for second in (False, True):
        rows = 3 if second else 2
        fig = as_json(function_figure(curves(("tanh", {}), second=second), show_second=second))
        reference = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08).layout
        for row in range(1, rows + 1):
            key = style.axis_key("y", rows, 1, row, 1)
            assert fig["layout"][key]["domain"] == list(reference[key].domain)
        assert [t["yaxis"] for t in fig["data"] if t["mode"] == "lines"] == ["y", "y2", "y3"][:rows]
        assert fig["layout"][style.axis_key("x", rows, 1, rows, 1)]["title"]["text"] == "x"
        titles = [a["text"] for a in fig["layout"]["annotations"][:rows]]
        assert titles[:2] == ["Activation f(x)", "Derivative f′(x)"]


def test_explorer_draws_f_and_its_exact_derivative():
    fig = as_json(function_figure(curves(("elu", {"alpha": 0.5}))))
    elu = activations.get("elu")
    f, df = fig["data"][0], fig["data"][1]
    for trace, fn in ((f, elu), (df, elu.derivative)):
        x, y = array(trace["x"]), array(trace["y"])
        drawn = np.isfinite(y)
        assert drawn.sum() > 300
        np.testing.assert_allclose(y[drawn], fn(x[drawn], alpha=0.5), rtol=1e-12, atol=1e-12)
    assert f["legendgroup"] == df["legendgroup"] == "elu" and f["line"]["color"] == df["line"]["color"]
    assert f["showlegend"] and not df["showlegend"]


def test_explorer_marks_pytorch_kink_values_and_dead_region_on_the_derivative_panel():
    fig = as_json(function_figure(curves(("relu", {}), ("leaky_relu", {"alpha": 0.1}))))
    dots = [t for t in fig["data"] if t.get("mode") == "markers"]
    assert [(list(t["x"]), list(t["y"])) for t in dots] == [([0.0], [0.0]), ([0.0], [0.1])]
    assert all((t["xaxis"], t["yaxis"]) == ("x2", "y2") for t in dots)
    dead = [s for s in fig["layout"]["shapes"] if s["fillcolor"] == style.colour_for("relu")]
    assert len(dead) == 1  # ReLU's x < 0; Leaky ReLU has no zero-gradient region
    (band,) = dead
    assert (band["xref"], band["yref"]) == ("x2", "y2 domain") and band["x0"] == -5.0 and abs(band["x1"]) < 0.01
    notes = [a for a in fig["layout"]["annotations"] if a["text"] == "f′ = 0: no gradient"]
    assert len(notes) == 1 and notes[0]["xref"] == "x2" and notes[0]["x"] < 0


def test_explorer_marks_sigmoid_derivative_peak_with_a_star_and_states_it_under_the_chart():
    fig = as_json(function_figure(curves(("sigmoid", {}))))
    (star,) = [t for t in fig["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert star["y"][0] == pytest.approx(0.25, abs=1e-6) and star["x"][0] == pytest.approx(0.0, abs=0.01)
    assert (star["xaxis"], star["yaxis"]) == ("x2", "y2")
    (summary,) = [a for a in fig["layout"]["annotations"] if a["text"].startswith("Maximum of f′")]
    assert "Sigmoid" in summary["text"] and "0.25 at x = 0" in summary["text"] and summary["yref"] == "paper"


def test_explorer_saturation_bands_follow_the_core():
    tanh = curves(("tanh", {}), x_range=(-8.0, 8.0))[0]
    assert tanh.saturated  # |tanh′| < 1% of its peak beyond |x| ≈ 3
    fig = as_json(function_figure([tanh], annotate=("saturation",)))
    bands = [(s["x0"], s["x1"]) for s in fig["layout"]["shapes"]]
    assert bands == [tuple(b) for b in tanh.saturated]
    (note,) = list(fig["layout"]["annotations"])[2:]  # after the two panel titles
    assert note["text"] == "grey bands: saturated, |f′| < 1% of its largest value"  # the bands say what they are
    assert note["yref"] == "paper" and note["y"] == 0 and note["yshift"] < 0  # under the chart, not on the curves


def test_a_flat_maximum_shared_by_several_functions_is_stated_once_naming_them():
    """ReLU, Leaky ReLU and ELU all have max f′ = 1 on the whole of x > 0: no point to point at (three
    arrows at an arbitrary x piled up before), so they are named together and get no star."""
    fig = as_json(function_figure(curves(("relu", {}), ("leaky_relu", {}), ("elu", {}), ("sigmoid", {}))))
    (summary,) = [a for a in fig["layout"]["annotations"] if a["text"].startswith("Maximum of f′")]
    flat = summary["text"].split(" · ")[-1]
    assert all(name in flat for name in ("ReLU", "Leaky ReLU", "ELU")) and "1 on a whole interval" in flat
    stars = [t for t in fig["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert len(stars) == 1 and stars[0]["y"][0] == pytest.approx(0.25, abs=1e-6)  # sigmoid's peak is a point
    assert not [a for a in fig["layout"]["annotations"] if a.get("showarrow")]


def test_coinciding_curves_get_different_dashes_and_a_shared_dead_region_one_label():
    fig = as_json(function_figure(curves(("relu", {}), ("relu6", {}), ("leaky_relu", {}))))
    dashes = [t["line"]["dash"] for t in fig["data"] if t.get("showlegend")]
    assert len(set(dashes)) == 3  # ReLU stays visible under Leaky ReLU on x > 0
    notes = [a for a in fig["layout"]["annotations"] if a["text"] == "f′ = 0: no gradient"]
    assert len(notes) == 1  # ReLU's and ReLU6's x < 0 is one region, labelled once
    assert notes[0]["yref"] == "y2 domain" and notes[0]["y"] == 1  # at the top, clear of the curves at f′ = 0


@pytest.mark.parametrize("name", ["gelu", "mish", "tanhshrink"])
def test_saturation_is_a_tail_not_a_zero_crossing(name):
    """GELU′ and Mish′ cross zero near x = −0.75 / −1.2, Tanhshrink′ = tanh² is small around 0: f′ is
    small there but the function does not flatten out, so no band is drawn there."""
    (curve,) = curves((name, {}))
    assert all(a == -5.0 or b == 5.0 for a, b in curve.saturated), curve.saturated
    inner = [a for a in np.linspace(-4.0, 4.0, 81) if any(lo <= a <= hi for lo, hi in curve.saturated)]
    crossing = {"gelu": -0.75, "mish": -1.19, "tanhshrink": 0.0}[name]
    assert all(abs(a - crossing) > 0.5 for a in inner)


def test_explorer_without_annotations_draws_curves_only():
    fig = as_json(function_figure(curves(("relu", {}), ("sigmoid", {})), annotate=()))
    assert not fig["layout"].get("shapes") and len(fig["layout"]["annotations"]) == 2
    assert len(fig["data"]) == 4


def test_explorer_in_chinese():
    fig = as_json(function_figure(curves(("relu", {})), lang="zh"))
    texts = {a["text"] for a in fig["layout"]["annotations"]}
    assert "Activation f(x)" not in texts and "f′ = 0: no gradient" not in texts


# --- softmax ------------------------------------------------------------------------------------------

LOGITS = (2.0, 1.0, 0.1, -1.0)


def test_bars_show_logits_left_and_probabilities_right():
    fig = as_json(bars_figure(LOGITS, 0.5))
    logits, probabilities = fig["data"]
    assert (logits["xaxis"], probabilities["xaxis"]) == ("x", "x2")
    np.testing.assert_allclose(array(logits["y"]), LOGITS)
    np.testing.assert_allclose(array(probabilities["y"]), softmax(np.array(LOGITS), 0.5))
    assert fig["layout"]["yaxis2"]["range"] == [0, 1.15]
    reference = make_subplots(rows=1, cols=2).layout
    assert fig["layout"]["xaxis2"]["domain"] == list(reference.xaxis2.domain)


def test_jacobian_heatmap_is_the_core_jacobian():
    fig = as_json(jacobian_figure(LOGITS, 2.0))
    (heatmap,) = fig["data"]
    jac = softmax_jacobian(np.array(LOGITS), 2.0)
    np.testing.assert_allclose(array(heatmap["z"]), jac)
    assert heatmap["zmin"] == -heatmap["zmax"] == pytest.approx(-np.abs(jac).max())
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"


def test_jacobian_rows_are_outputs_columns_inputs_and_the_title_names_the_frobenius_norm():
    fig = as_json(jacobian_figure(LOGITS, 2.0))
    (heatmap,) = fig["data"]
    n = len(LOGITS)
    assert list(heatmap["y"]) == [f"p{i + 1}" for i in range(n)]  # ∂pᵢ/∂zⱼ: row i is the output pᵢ
    assert list(heatmap["x"]) == [f"z{j + 1}" for j in range(n)]
    title = fig["layout"]["title"]["text"]
    norm = np.linalg.norm(softmax_jacobian(np.array(LOGITS), 2.0), "fro")
    assert "Frobenius" in title and f"{norm:.3g}" in title
    assert heatmap["textfont"]["size"] >= 14  # cell numbers readable from the back of a lecture hall


@pytest.mark.parametrize("temperature", [0.01, 0.5, 1.0, 20.0, 100.0])
def test_temperature_marker_sits_at_t_on_the_log_axis(temperature):
    """Shapes take data coordinates on a log axis, annotations its log10 (Plotly's rule): the old
    ``add_vline`` label at x = T sat at 10^T, off the chart for T = 20."""
    fig = as_json(temperature_figure(LOGITS, temperature))
    assert fig["layout"]["xaxis"]["type"] == "log"
    (line,) = fig["layout"]["shapes"]
    (label,) = fig["layout"]["annotations"]
    assert line["x0"] == line["x1"] == temperature
    assert label["x"] == pytest.approx(math.log10(temperature))
    assert label["text"] == f"T = {temperature:.3g}"
    assert [t["yaxis"] for t in fig["data"]] == ["y", "y2"] and fig["layout"]["yaxis2"]["overlaying"] == "y"
    low, high = fig["layout"]["yaxis2"]["range"]
    assert (high - low) / fig["layout"]["yaxis2"]["dtick"] <= 7  # whole decades, few enough to read


def test_two_class_softmax_is_drawn_on_the_sigmoid():
    sigmoid, two_class = as_json(sigmoid_link_figure())["data"]
    np.testing.assert_allclose(array(two_class["y"]), activations.get("sigmoid")(array(sigmoid["x"])), atol=1e-15)


@pytest.mark.parametrize(("name", "bounded"), [("sigmoid", True), ("tanh", True), ("relu", False), ("elu", False)])
def test_bounded_means_both_ends_of_the_measured_range_are_finite(name, bounded):
    from activations import analysis

    act = activations.get(name)
    grid = analysis.evaluation_grid(-5.0, 5.0, 2001, act.kink_points(**act.defaults))
    assert analysis.properties(act, grid, act.defaults).bounded is bounded


# --- one minus sign: U+2212 in every label, as in Plotly's own tick labels ------------------------------


@pytest.mark.parametrize(
    ("text", "typeset"),
    [("α=-0.5", "α=−0.5"), ("x = -1.5, -3", "x = −1.5, −3"), ("1e-05", "1e−05"), ("f′(-.5)", "f′(−.5)"),
     ("x-axis", "x-axis"), ("top-1", "top-1"), ("type-1", "type-1"), ("a - b", "a - b")],
)  # fmt: skip
def test_minus_sets_negative_numbers_with_the_minus_sign(text, typeset):
    from activations.i18n import minus

    assert minus(text) == typeset


def test_labels_of_negative_values_use_the_minus_sign():
    from activations.sweeps import step_label

    assert step_label(-0.25) == "−0.25" and step_label(0.25) == "0.25"
    jac = jacobian_figure([2.0, 1.0, 0.1], 1.0)
    cells = [c for row in jac.data[0].text for c in row]
    assert any(c.startswith("−") for c in cells) and not any("-" in c for c in cells)
    fig = function_figure([sample_curve(activations.get("celu"), {"alpha": 0.5}, -3, 3)], {"celu": {"alpha": "α"}})
    assert fig.data[0].name == "CELU (α=0.5)"
    assert style.param_suffix({"alpha": -0.5}, {"alpha": "α"}) == " (α=−0.5)"
