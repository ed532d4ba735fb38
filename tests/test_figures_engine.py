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


# --- theory lines: visible over thick measured lines, and drawn only where the theory applies ----------


def _theory_traces(fig):
    return [t for t in fig.data if t.meta and "shade_of" in t.meta]


def test_theory_lines_are_drawn_last_in_a_shade_of_their_runs_colour():
    from activations.figures.gradient_flow import gradient_norm_figure
    from activations.figures.style import SCREEN_TEXT, shade

    runs = [simulate(name, depth=8, width=64, batch=16, init="xavier_normal") for name in ("sigmoid", "tanh", "relu")]
    fig = gradient_norm_figure(runs)
    for axis in ("y", "y2"):
        row = [t for t in fig.data if t.yaxis == axis]
        theory = [t for t in row if t.meta and "shade_of" in t.meta]
        assert len(theory) == 3 and row[-3:] == theory  # after every measured line of the panel
        measured = {t.name: t.line.color for t in row if t not in theory}
        for t, run in zip(theory, runs, strict=True):
            base = t.meta["shade_of"]
            assert base in measured.values() and t.line.color == shade(base, SCREEN_TEXT) != base
            assert t.line.dash == "dash" and run.label in t.name


@pytest.mark.parametrize("theme", ["slide", "dark"])
def test_themes_shade_the_themed_run_colour_toward_their_text(theme):
    from activations.figures.gradient_flow import gradient_norm_figure
    from activations.figures.style import shade
    from activations.themes import THEMES, parse_colour, relative_luminance, themed_spec

    runs = [simulate(name, depth=6, width=32, batch=8, init="he_normal") for name in ("relu", "tanh")]
    spec = themed_spec(gradient_norm_figure(runs), theme, size=(1920, 1080))
    by_name = {t["name"]: t for t in spec["data"] if not (t.get("meta") or {}).get("shade_of")}
    for t in (t for t in spec["data"] if (t.get("meta") or {}).get("shade_of")):
        run = by_name[t["name"].split(":")[0]]
        assert t["line"]["color"] == shade(run["line"]["color"], THEMES[theme].text_colour)
        lighter = relative_luminance(parse_colour(t["line"]["color"])[0]) > relative_luminance(
            parse_colour(run["line"]["color"])[0]
        )
        assert lighter == (theme == "dark")  # toward the text: lighter on the dark theme, darker on the slide


def test_narrow_networks_get_no_theory_line_and_say_why():
    from activations.figures.gradient_flow import gradient_norm_figure
    from activations.network import summarise

    narrow = [simulate(name, depth=10, width=3, batch=64, init="he_normal") for name in ("relu", "leaky_relu")]
    assert all(r.theory is not None for r in narrow)  # computed, but not drawn
    for fig in (gradient_norm_figure(narrow), layer_factor_figure(narrow)):
        assert _theory_traces(fig) == []
        assert "no theory line (width 3)" in fig.layout.title.text
        assert "dashed" not in fig.layout.title.text
    said = [s for r in narrow for s in summarise(r)]
    assert not any("Mean-field theory" in s or "χ =" in s for s in said)
    assert sum("No mean-field theory line" in s and "with 3 per layer" in s for s in said) == 2
    wide = simulate("leaky_relu", depth=10, width=theory.MIN_MEAN_FIELD_WIDTH, batch=64, init="he_normal")
    fig = gradient_norm_figure([wide])
    assert len(_theory_traces(fig)) == 2 and "dashed: mean-field theory" in fig.layout.title.text
    assert any("Mean-field theory predicts" in s for s in summarise(wide))
    assert not any("No mean-field theory line" in s for s in summarise(wide))
