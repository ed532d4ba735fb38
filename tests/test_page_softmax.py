"""Softmax page: logits and temperature from widgets and the URL drive probabilities and the Jacobian."""

import numpy as np
import pytest
from pagetools import array, assert_clean, figures, run_page, warnings

import activations


def probabilities(at):
    bars = figures(at)[0]
    return array(bars["data"][1]["y"])


def jacobian(at):
    return array(figures(at)[1]["data"][0]["z"])


def test_url_logits_and_temperature_give_the_softmax():
    at = run_page("softmax", {"z": "1,2,3", "t": "0.5"})
    assert_clean(at)
    assert not warnings(at)
    np.testing.assert_allclose(probabilities(at), activations.softmax(np.array([1.0, 2, 3]), 0.5), rtol=1e-12)
    np.testing.assert_allclose(
        jacobian(at).reshape(3, 3), activations.softmax_jacobian(np.array([1.0, 2, 3]), 0.5), rtol=1e-12
    )


def test_lowering_the_temperature_saturates_and_shrinks_the_jacobian():
    at = run_page("softmax", {"z": "1,2,3"})
    hot = np.linalg.norm(jacobian(at))
    at.select_slider(key="sm_t").set_value(0.1).run()
    assert_clean(at)
    cold = np.linalg.norm(jacobian(at))
    assert probabilities(at).max() > 0.9999
    assert cold < hot / 100
    assert at.query_params["t"] == "0.1"


def test_logit_slider_changes_probabilities():
    at = run_page("softmax", {"z": "0,0"})
    np.testing.assert_allclose(probabilities(at), [0.5, 0.5])
    at.slider(key="sm_z0").set_value(2.0).run()
    np.testing.assert_allclose(probabilities(at)[0], activations.get("sigmoid")(np.array(2.0)), rtol=1e-12)


def test_two_class_softmax_is_the_sigmoid_in_the_link_plot():
    at = run_page("softmax")
    link = figures(at)[3]
    x = array(link["data"][1]["x"])
    np.testing.assert_allclose(array(link["data"][1]["y"]), activations.get("sigmoid")(x), atol=1e-15)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"z": "1,abc,3"}, "z"),
        ({"z": "1"}, "at least 2"),
        ({"z": ",".join(["1"] * 20)}, "At most 8"),
        ({"z": "1e999,0"}, "z"),
        ({"t": "0"}, "t"),
        ({"t": "-1"}, "t"),
        ({"t": "inf"}, "t"),
        ({"t": "<script>alert(1)</script>"}, "t"),
    ],
)
def test_bad_url_values_warn_and_fall_back(query, fragment):
    at = run_page("softmax", query)
    assert_clean(at)
    assert any(fragment in w for w in warnings(at)), warnings(at)
    assert np.isclose(probabilities(at).sum(), 1.0)


def test_a_temperature_sweep_in_the_url_plays_the_cores_probabilities():
    at = run_page("softmax", {"z": "2,1,0", "sweep": "t"})
    assert_clean(at)
    bars = figures(at)[0]
    values = bars["layout"]["meta"]["sweep"]["values"]
    assert values[0] == pytest.approx(0.01) and values[-1] == pytest.approx(100.0)  # log-spaced over T
    assert len(bars["frames"]) == len(values) == len(bars["layout"]["sliders"][0]["steps"])
    assert at.query_params["sweep"] == "t"


def test_a_sweep_of_a_logit_that_is_not_there_warns():
    at = run_page("softmax", {"z": "2,1", "sweep": "z5"})
    assert_clean(at)
    assert warnings(at) and at.selectbox(key="sm_live").value == ""
