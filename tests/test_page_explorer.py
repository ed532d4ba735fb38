"""Function Explorer page: URL state, widgets driving the figure's data, bad input."""

import numpy as np
import pytest
from pagetools import array, assert_clean, figures, run_page, trace, warnings

import activations


def curve(at, label, panel="f"):
    """(x, y) of one function's f (top panel) or f′ (middle panel) trace, NaN gaps dropped."""
    fig = figures(at)[0]
    name = label if panel == "f" else label + " f′"
    t = trace(fig, name)
    x, y = array(t["x"]), array(t["y"])
    keep = ~np.isnan(y)
    return x[keep], y[keep]


def test_default_page_shows_three_functions_and_their_derivatives():
    at = run_page("explorer")
    assert_clean(at)
    assert at.multiselect(key="ex_fns").value == ["sigmoid", "tanh", "relu"]
    x, dy = curve(at, "Sigmoid", "f′")
    assert np.max(dy) == pytest.approx(0.25, abs=1e-4)
    np.testing.assert_allclose(dy, activations.get("sigmoid").derivative(x), atol=1e-12)


def test_url_selects_functions_and_parameters():
    at = run_page(
        "explorer", {"fn": "elu,leaky_relu", "alpha": "0.5", "leaky_relu.alpha": "0.2", "xmin": "-3", "xmax": "2"}
    )
    assert_clean(at)
    assert not warnings(at)
    assert at.slider(key="ex_elu.alpha").value == 0.5
    assert at.slider(key="ex_leaky_relu.alpha").value == 0.2
    x, y = curve(at, "Leaky ReLU (α=0.2)")
    assert x.min() == pytest.approx(-3) and x.max() == pytest.approx(2)
    np.testing.assert_allclose(y, activations.get("leaky_relu")(x, alpha=0.2), atol=1e-12)
    x, dy = curve(at, "ELU (α=0.5)", "f′")
    np.testing.assert_allclose(dy, activations.get("elu").derivative(x, alpha=0.5), atol=1e-12)


def test_moving_a_slider_changes_the_plotted_data_and_the_url():
    at = run_page("explorer", {"fn": "leaky_relu"})
    _, before = curve(at, "Leaky ReLU (α=0.01)")
    at.slider(key="ex_leaky_relu.alpha").set_value(0.3).run()
    assert_clean(at)
    x, after = curve(at, "Leaky ReLU (α=0.3)")
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, activations.get("leaky_relu")(x, alpha=0.3), atol=1e-12)
    assert at.query_params["leaky_relu.alpha"] == "0.3"


def test_kink_dot_uses_pytorchs_convention():
    at = run_page("explorer", {"fn": "relu"})
    dots = [t for t in figures(at)[0]["data"] if t.get("mode") == "markers"]
    assert dots and dots[0]["x"] == [0.0] and dots[0]["y"] == [0.0]


def test_second_derivative_panel_on_request():
    at = run_page("explorer", {"fn": "tanh", "f2": "1"})
    t = trace(figures(at)[0], "Tanh f″")
    x, d2 = array(t["x"]), array(t["y"])
    exact = -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(d2, exact, atol=1e-6)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"fn": "nope"}, "nope"),
        ({"fn": "elu", "alpha": "abc"}, "alpha"),
        ({"fn": "elu", "alpha": "1e999"}, "alpha"),
        ({"fn": "elu", "alpha": "nan"}, "alpha"),
        ({"fn": "elu", "alpha": "-7"}, "alpha"),
        ({"fn": "relu", "xmin": "4", "xmax": "-4"}, "xmin"),
        ({"fn": "relu,tanh,sigmoid,elu,gelu,selu,mish,silu"}, "6"),
        ({"fn": "hardtanh", "min_val": "0", "max_val": "0"}, "min_val"),
    ],
)
def test_bad_url_values_warn_and_fall_back(query, fragment):
    at = run_page("explorer", query)
    assert_clean(at)
    shown = warnings(at)
    assert any(fragment in w for w in shown), shown
    assert figures(at), "the page still draws its figure"


def test_properties_table_reports_measured_values():
    at = run_page("explorer", {"fn": "sigmoid,relu,gelu"})
    assert not at.dataframe  # a static table: every row shown, none behind an inner scroll
    table = at.table[0].value
    assert table.loc["f′(0)", "Sigmoid"] == "0.25"
    assert table.loc["f′(0)", "ReLU"] == "0"
    assert table.loc["zero-gradient region", "ReLU"] == "yes"
    assert table.loc["output range", "Sigmoid"] == "(0, 1)"
    assert table.loc["output range", "ReLU"] == "[0, ∞)"
    assert table.loc["output range", "GELU"].startswith("[−0.17")  # the minus sign, as in the charts
    assert table.loc["min f′ on the range", "GELU"].startswith("−")
    assert list(table.index)[-3:] == ["PyTorch", "Keras", "JAX"] and table.loc["PyTorch", "GELU"] != "—"


def test_custom_formula_from_the_url_matches_the_builtin_and_round_trips():
    query = {"fn": "custom,silu", "formula": "x*sigmoid(beta*x)", "custom.beta": "2", "silu.beta": "2"}
    at = run_page("explorer", query)
    assert_clean(at)
    assert not warnings(at)
    fig = figures(at)[0]
    custom_f = trace(fig, "f(x) = x * sigmoid(beta * x) (β=2) f′")
    builtin_f = trace(fig, "SiLU / Swish (β=2) f′")
    np.testing.assert_allclose(array(custom_f["y"]), array(builtin_f["y"]), atol=1e-12)
    assert dict(at.query_params) == query


def test_custom_parameter_slider_changes_curve_and_url():
    at = run_page("explorer", {"fn": "custom", "formula": "where(x > 0, x, a * x)"})
    at.slider(key="ex_custom.a").set_value(0.5).run()
    assert_clean(at)
    t = trace(figures(at)[0], "f(x) = where(x > 0, x, a * x) (a=0.5)")
    x, y = array(t["x"]), array(t["y"])
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.5 * x), atol=1e-12)
    assert at.query_params["custom.a"] == "0.5"


@pytest.mark.parametrize("formula", ["__import__('os').system('ls')", "9**9**9", "x.real", "(" * 500, "x +"])
def test_hostile_formula_is_refused_with_a_message_and_the_page_still_works(formula):
    at = run_page("explorer", {"fn": "custom,relu", "formula": formula})
    assert_clean(at)
    assert at.error, "the formula box says what is wrong"
    assert at.text_input(key="ex_formula").value == formula[:300], "the user's text is kept for fixing"
    assert figures(at)[0]["data"][0]["name"] == "ReLU"


def test_sweep_in_the_url_makes_the_chart_live_with_every_frame_from_the_registry():
    at = run_page("explorer", {"fn": "elu,relu", "sweep": "elu.alpha", "alpha": "0.5"})
    assert_clean(at)
    assert at.selectbox(key="ex_sweep").value == "elu.alpha"
    (chart,) = figures(at)
    slider = chart["layout"]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == "0.5"  # opens at the page's value
    frame = chart["frames"][-1]
    alpha = chart["layout"]["meta"]["sweep"]["values"][-1]  # the last frame's α (the range's end)
    assert alpha == activations.get("elu").params[0].max
    i = next(i for i, t in enumerate(chart["data"]) if t.get("name", "").startswith("ELU") and t.get("yaxis") == "y")
    elu = {**chart["data"][i], **frame["data"][frame.get("traces", list(range(len(frame["data"])))).index(i)]}
    x, y = array(elu["x"]), array(elu["y"])
    drawn = np.isfinite(y)
    np.testing.assert_allclose(y[drawn], activations.get("elu")(x[drawn], alpha=alpha), rtol=1e-5, atol=1e-5)
    assert at.query_params["sweep"] == "elu.alpha"


@pytest.mark.parametrize("raw", ["nope.alpha", "elu.beta", "elu"])
def test_a_bad_sweep_warns_and_falls_back_to_a_still_chart(raw):
    at = run_page("explorer", {"fn": "elu", "sweep": raw})
    assert_clean(at)
    assert any("sweep" in w.lower() or "beta" in w or "nope" in w for w in warnings(at)), warnings(at)
    assert at.selectbox(key="ex_sweep").value == ""
    assert "sliders" not in figures(at)[0]["layout"]
