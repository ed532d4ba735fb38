"""``style.make_figure`` skips Plotly's validation (a slider move's biggest figure cost): safe only while every
builder already writes what validation would. Checked here for every chart of the figure catalog (the
training ones aside: they train for seconds) and a sweep: the JSON sent to the browser is the same
whether or not Plotly validated the figure."""

from __future__ import annotations

import json

import figure_catalog
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from activations.figures import explorer, gradient_flow, softmax, style, sweeps, training

BUILDER_MODULES = (explorer, gradient_flow, softmax, sweeps, training, style)
# The gallery is built with go.Figure's own validation; training trains for seconds; of the gradient-flow
# presets (the same builders on other numbers) two with labels of their own.
NAMES = [
    name
    for name in figure_catalog.BUILDERS
    if not name.startswith(("training/", "overview/"))
    and (not name.startswith("gradient-flow/") or name.split("/")[1] in ("default", "residual", "he_vs_xavier"))
]
MAKE_FIGURE = style.make_figure


def validated_json(traces, layout) -> dict:
    return json.loads(
        pio.to_json(go.Figure(data=traces, layout={"template": style.plot_template(), **layout}), validate=False)
    )


@pytest.fixture
def captured(monkeypatch):
    """Every (traces, layout, figure) that make_figure builds while the test runs."""
    calls = []

    def spy(traces, layout):
        figure = MAKE_FIGURE(traces, layout)
        calls.append((traces, layout, figure))
        return figure

    for module in BUILDER_MODULES:
        if hasattr(module, "make_figure"):
            monkeypatch.setattr(module, "make_figure", spy)
    return calls


def assert_same_as_validated(calls) -> None:
    assert calls, "the builder did not go through make_figure"
    for traces, layout, figure in calls:
        sent = json.loads(pio.to_json(figure, validate=False))
        sent.pop("frames", None)  # a sweep's frames are added afterwards, as validated go.Frame objects
        assert sent == validated_json(traces, layout)


@pytest.mark.parametrize("name", NAMES)
def test_catalog_chart_is_what_validation_writes(name, captured):
    figure_catalog.chart(name)
    assert_same_as_validated(captured)


def test_softmax_sweep_is_what_validation_writes(captured):
    sweeps.softmax_sweep_figure("jacobian", (2.0, 1.0, 0.1, -1.0), 1.0, "t", lang="en")
    assert_same_as_validated(captured)


@pytest.mark.parametrize("name", ["RdBu", "Viridis", "RdBu_r"])
def test_named_colorscales_are_expanded(name):
    """plotly.js has its own "RdBu" (running the other way): a name must never reach the browser."""
    figure = style.make_figure(
        [{"type": "heatmap", "z": [[0, 1]], "colorscale": name}], {"coloraxis": {"colorscale": name}}
    )
    spec = json.loads(figure.to_json())
    for scale in (spec["data"][0]["colorscale"], spec["layout"]["coloraxis"]["colorscale"]):
        assert isinstance(scale, list) and len(scale) > 2
        assert scale == json.loads(go.Figure(go.Heatmap(colorscale=name)).to_json())["data"][0]["colorscale"]


def test_make_figure_leaves_its_arguments_alone():
    trace = {"type": "heatmap", "z": [[0, 1]], "colorscale": "Viridis"}
    layout = {"coloraxis": {"colorscale": "RdBu"}}
    style.make_figure([trace], layout)
    assert trace["colorscale"] == "Viridis" and layout == {"coloraxis": {"colorscale": "RdBu"}}
