"""Figures of the new engine's results: the phase diagram, the residual net's dashed theory line, the
digits grid; assertions on the figures' data, which must be the core's numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from activations import theory
from activations.figures.gradient_flow import layer_factor_figure, phase_diagram_figure
from activations.network import simulate


def test_phase_diagram_figure_draws_the_cores_heatmap_line_and_point():
    diagram = theory.phase_diagram("tanh", np.linspace(0.5, 3.0, 11), np.linspace(0.0, 1.0, 6))
    fig = phase_diagram_figure(diagram, current=(1.2, 0.4), label="Tanh")
    heatmap, line, point = fig.data
    np.testing.assert_allclose(np.asarray(heatmap.z), diagram.log_chi, atol=1e-4)
    np.testing.assert_array_equal(heatmap.x, diagram.sigma_w)
    assert heatmap.zmin == -heatmap.zmax  # white is χ₁ = 1
    np.testing.assert_allclose(line.x, diagram.critical_sigma_w)
    assert line.x[0] == pytest.approx(1.0, abs=1e-6)
    assert (point.x[0], point.y[0]) == (1.2, 0.4)
    assert fig.layout.title.text.startswith("Tanh")
    # no critical line in range (sigmoid: χ₁ ≤ σ_w²/16) and no current network: the heatmap alone
    alone = phase_diagram_figure(theory.phase_diagram("sigmoid", [0.5, 1.0, 2.0], [0.0, 0.5]))
    assert [t.type for t in alone.data] == ["heatmap"]


def test_phase_diagram_figure_in_chinese():
    fig = phase_diagram_figure(theory.phase_diagram("relu", [1.0, 2.0], [0.0]), current=(1.0, 0.0), lang="zh_Hans")
    assert "χ₁" in fig.layout.title.text and fig.data[-1].name != "this network"


def test_residual_dashed_line_is_the_residual_prediction_not_chi():
    stats = simulate("tanh", 12, 128, 16, "xavier_normal", architecture="residual")
    fig = layer_factor_figure([stats])
    dashed = [t for t in fig.data if t.line.dash == "dash"]
    assert len(dashed) == 1
    np.testing.assert_allclose(dashed[0].y, stats.theory.layer_factor)
    assert np.all(np.asarray(dashed[0].y) > stats.theory.chi[:-1])  # the identity path adds to the branch
    assert not math.isclose(dashed[0].y[0], stats.theory.chi[0])
