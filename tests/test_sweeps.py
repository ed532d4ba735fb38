"""Sweeps: every frame is the core's value at its parameter value, the figure opens as the page's ordinary
figure, and a chart with its sweep stays under 2 MB of JSON."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from activations import custom, registry, sweeps
from activations.figures.explorer import function_figure, sample_curve
from activations.figures.softmax import bars_figure
from activations.figures.sweeps import (
    explorer_sweep_figure,
    figure_bytes,
    frame_spec,
    gradient_flow_sweep_figure,
    softmax_sweep_figure,
    thin,
)
from activations.network import simulate
from activations.softmax import softmax, softmax_jacobian

TWO_MB = 2_000_000


def decode(value):
    """A figure-JSON array (a list, or Plotly's {"dtype", "bdata"} typed array) as a numpy array."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return array.reshape([int(n) for n in str(value["shape"]).split(",")]) if "shape" in value else array
    return np.asarray(value, dtype=np.float64)


def frame_traces(spec: dict, k: int) -> list[dict]:
    """The traces drawn at frame k, read from the figure JSON as plotly.js would merge them."""
    data = [dict(t) for t in spec["data"]]
    frame = spec["frames"][k]
    for index, update in zip(frame["traces"], frame["data"], strict=True):
        data[index].update(update)
    return data


# --- the core ---------------------------------------------------------------------------------------------


def test_sweep_values_hold_the_current_value_and_span_the_range():
    values, i = sweeps.sweep_values(0.0, 2.0, 21, 1.0)
    assert len(values) == 21 and values[0] == 0.0 and values[-1] == 2.0 and values[i] == 1.0 and i == 10
    values, i = sweeps.sweep_values(0.0, 2.0, 21, 0.37)
    assert values[i] == 0.37 and sorted(values) == list(values)
    temps, i = sweeps.sweep_values(0.01, 100.0, 9, 1.0, log=True)
    assert np.allclose(np.diff(np.log10(temps)), 0.5) and temps[i] == 1.0
    depths, i = sweeps.sweep_values(1, 60, 41, 30, integer=True)
    assert all(float(d).is_integer() for d in depths) and depths[i] == 30 and len(set(depths)) == len(depths)


def test_frame_and_point_counts_follow_the_chart_width():
    assert sweeps.frame_count(1400) == 41 and sweeps.frame_count(200) == 11 and sweeps.frame_count(700) == 21
    assert sweeps.points_per_curve(1400) == 400 and sweeps.points_per_curve(300) == 120
    assert sweeps.points_per_curve(700) == 200
    assert sweeps.frame_count(float("nan")) == 41


def test_step_labels_show_the_value():
    sweep = sweeps.explorer_sweep(registry.get("elu"), "alpha", 1.0, count=9)
    assert sweep.labels[:3] == [f"{v:.3g}" for v in sweep.values[:3]]
    assert sweeps.step_label(0.25) == "0.25" and sweeps.step_label(30.0, integer=True) == "30"


@pytest.mark.parametrize(
    ("raw", "expected", "warns"),
    [
        ("elu.alpha", ("elu", "alpha"), False),
        (" ELU.alpha ", ("elu", "alpha"), False),
        ("nope.alpha", None, True),
        ("elu.beta", None, True),
        ("elu", None, True),
        ("relu.alpha", None, True),  # not chosen
        ("", None, False),
        (None, None, False),
    ],
)
def test_parse_explorer_sweep(raw, expected, warns):
    chosen = [registry.get("elu"), registry.get("sigmoid")]
    target, warning = sweeps.parse_explorer_sweep(raw, chosen)
    assert target == expected
    assert (warning is not None) == warns


def test_parse_explorer_sweep_messages_name_the_problem():
    chosen = [registry.get("elu")]
    assert "ELU has no parameter “beta” (alpha)" in sweeps.parse_explorer_sweep("elu.beta", chosen)[1]
    assert "nope is not among the chosen" in sweeps.parse_explorer_sweep("nope.alpha", chosen)[1]


def test_parse_explorer_sweep_takes_a_formulas_parameters():
    formula = custom.parse("x * sigmoid(beta * x)")
    assert sweeps.parse_explorer_sweep("custom.beta", [formula]) == (("custom", "beta"), None)
    assert sweeps.parse_explorer_sweep("custom.gamma", [formula])[1] is not None


@pytest.mark.parametrize(
    ("raw", "expected"), [("t", "t"), ("T", "t"), ("z0", "z0"), ("z3", "z3"), ("z4", None), ("zz", None), ("x", None)]
)
def test_parse_softmax_sweep(raw, expected):
    target, warning = sweeps.parse_softmax_sweep(raw, 4)
    assert target == expected and (warning is None) == (expected is not None)


@pytest.mark.parametrize(
    ("raw", "expected"), [("sigma_w", "sigma_w"), ("bias", "bias"), ("depth", "depth"), ("width", None)]
)
def test_parse_gradient_flow_sweep(raw, expected):
    target, warning = sweeps.parse_gradient_flow_sweep(raw)
    assert target == expected and (warning is None) == (expected is not None)


def test_thin_keeps_the_current_value_and_the_ends():
    sweep = sweeps.explorer_sweep(registry.get("elu"), "alpha", 0.37, count=41)
    thinned = thin(sweep, 11)
    assert len(thinned) == 11 and thinned.values[thinned.current] == 0.37
    assert thinned.values[0] == sweep.values[0] and thinned.values[-1] == sweep.values[-1]


def test_depth_sweep_spans_twice_the_current_depth():
    sweep = sweeps.gradient_flow_sweep("depth", 30, count=41)
    assert sweep.values[0] == 1 and sweep.values[-1] == 60 and sweep.values[sweep.current] == 30


# --- the explorer ----------------------------------------------------------------------------------------


def test_explorer_frame_data_are_the_registrys_values():
    elu = registry.get("elu")
    fig = explorer_sweep_figure([("elu", {"alpha": 1.0}), ("relu", {})], "elu", "alpha", width_px=700)
    spec = json.loads(fig.to_json())
    values = spec["layout"]["meta"]["sweep"]["values"]
    assert len(spec["frames"]) == len(values) == 21
    labels = [s["label"] for s in spec["layout"]["sliders"][0]["steps"]]
    assert labels == [f"{v:.3g}" for v in values]
    for k in (0, 5, 20):
        traces = frame_traces(spec, k)
        f, df = traces[0], traces[1]
        x, y = decode(f["x"]).astype(np.float64), decode(f["y"])
        assert decode(f["y"]).dtype == np.float32
        keep = np.isfinite(y)
        assert np.allclose(y[keep], elu(x[keep], alpha=values[k]), rtol=1e-6, atol=1e-6)
        xd, yd = decode(df["x"]).astype(np.float64), decode(df["y"])
        keep = np.isfinite(yd) & (np.abs(xd) > 1e-6)
        assert np.allclose(yd[keep], elu.derivative(xd[keep], alpha=values[k]), rtol=1e-6, atol=1e-6)
        # The kink dot shows ELU'(0) = α at every frame.
        dots = [t for t in traces if t.get("mode") == "markers" and t.get("legendgroup") == "elu"]
        assert np.allclose(decode(dots[0]["y"]), [values[k]], atol=1e-6)


def test_explorer_marks_follow_the_frames():
    fig = explorer_sweep_figure([("softshrink", {"lambd": 0.5})], "softshrink", "lambd", width_px=400)
    spec = json.loads(fig.to_json())
    values = spec["layout"]["meta"]["sweep"]["values"]
    for k in (1, len(values) - 1):
        still = frame_spec(spec, k)
        dead = [s for s in still["layout"]["shapes"] if s.get("visible") is not False and s.get("opacity") == 0.10]
        # Softshrink is dead on (−λ, λ): the shaded band's ends move with λ (within the 2001-point grid).
        assert len(dead) == 1 and abs(dead[0]["x1"] - values[k]) < 0.01 and abs(dead[0]["x0"] + values[k]) < 0.01


def test_a_still_frame_gives_the_slider_room_back_to_the_lines_under_the_chart():
    """A GIF frame has no slider: the lines written under the chart (the maxima of f′, what the grey bands
    mean) sit where the ordinary figure has them, not in the slider's place below the image."""
    selection = [("elu", {"alpha": 1.0}), ("relu", {})]
    fig = explorer_sweep_figure(selection, "elu", "alpha", width_px=960)
    curves = [sample_curve(registry.get(n), p, -5, 5, n_points=400) for n, p in selection]
    plain = function_figure(curves, {"elu": {"alpha": "α"}}).to_dict()["layout"]
    k = fig.layout.sliders[0].active
    still = frame_spec(fig, k)["layout"]
    below = {a["text"]: a["yshift"] for a in plain["annotations"] if a.get("yref") == "paper" and a.get("y") == 0}
    assert below and {a["text"]: a.get("yshift") for a in still["annotations"] if a["text"] in below} == below
    assert still["height"] == plain["height"] and still["margin"]["b"] == plain["margin"]["b"]
    assert "sliders" not in still and "updatemenus" not in still
    swept = fig.to_dict()["layout"]
    assert all(a["yshift"] < below[a["text"]] for a in swept["annotations"] if a["text"] in below)  # under it


def test_explorer_initial_state_is_the_ordinary_figure():
    selection = [("elu", {"alpha": 0.6}), ("sigmoid", {})]
    fig = explorer_sweep_figure(selection, "elu", "alpha", width_px=1400)
    curves = [sample_curve(registry.get(n), p, -5, 5, n_points=400) for n, p in selection]
    plain = function_figure(curves, {"elu": {"alpha": "α"}})
    # a mark some frames have and this one lacks (ELU's star at x = 0 once α > 1) is an empty trace here
    shown = [t for t in fig.data if t.x is not None and len(t.x)]
    assert len(shown) == len(plain.data)
    for swept, ordinary in zip(shown, plain.data, strict=True):
        assert np.allclose(np.asarray(swept.x, dtype=float), np.asarray(ordinary.x, dtype=np.float32), equal_nan=True)
        assert np.allclose(np.asarray(swept.y, dtype=float), np.asarray(ordinary.y, dtype=np.float32), equal_nan=True)
    assert [a.text for a in fig.layout.annotations if a.visible is not False] == [
        a.text for a in plain.layout.annotations
    ]
    assert fig.layout.sliders[0].steps[fig.layout.sliders[0].active].label == "0.6"


def test_explorer_formula_parameter_sweeps_over_the_given_bounds():
    formula = custom.parse("x * sigmoid(beta * x)")
    fig = explorer_sweep_figure([(formula, {"beta": 1.5})], "custom", "beta", bounds=(-2.0, 3.0), width_px=400)
    spec = json.loads(fig.to_json())
    values = spec["layout"]["meta"]["sweep"]["values"]
    assert values[0] == -2.0 and values[-1] == 3.0 and 1.5 in values
    k = values.index(3.0)
    f = frame_traces(spec, k)[0]
    x = decode(f["x"]).astype(np.float64)
    assert np.allclose(decode(f["y"]), x / (1 + np.exp(-3.0 * x)), atol=1e-5)


def test_explorer_sweeps_stay_under_two_megabytes_at_1400_px():
    default = [(n, {}) for n in ("sigmoid", "tanh", "relu")] + [("elu", {})]
    assert figure_bytes(explorer_sweep_figure(default, "elu", "alpha", width_px=1400)) < TWO_MB
    six = [(n, {}) for n in ("elu", "leaky_relu", "silu", "softplus", "celu", "gelu")]
    fig = explorer_sweep_figure(six, "elu", "alpha", width_px=1400, show_second=True)
    assert figure_bytes(fig) < TWO_MB and len(fig.frames) >= 11


# --- softmax ------------------------------------------------------------------------------------------


def test_softmax_temperature_frames_are_softmax_at_that_temperature():
    z = [2.0, 1.0, 0.1, -1.0]
    fig = softmax_sweep_figure("bars", z, 1.0, "t", width_px=1400)
    spec = json.loads(fig.to_json())
    temps = spec["layout"]["meta"]["sweep"]["values"]
    assert np.allclose(np.diff(np.log(temps)), np.log(temps[1] / temps[0]))  # log-spaced
    for k in (0, 13, 40):
        p = decode(frame_traces(spec, k)[1]["y"])
        assert np.allclose(p, softmax(np.array(z), temps[k]), atol=1e-6)
    assert figure_bytes(fig) < TWO_MB
    plain = bars_figure(z, 1.0)
    assert np.allclose(np.asarray(fig.data[1].y, dtype=float), plain.data[1].y, atol=1e-6)


def test_softmax_logit_frames_move_one_logit():
    z = [2.0, 1.0, 0.1]
    fig = softmax_sweep_figure("jacobian", z, 0.5, "z0", width_px=400)
    spec = json.loads(fig.to_json())
    values = spec["layout"]["meta"]["sweep"]["values"]
    k = 3
    jac = decode(frame_traces(spec, k)[0]["z"])
    assert np.allclose(jac, softmax_jacobian(np.array([values[k], 1.0, 0.1]), 0.5), atol=1e-6)
    step = spec["layout"]["sliders"][0]["steps"][0]["args"][1]
    assert step["frame"]["redraw"] is True  # a heatmap needs a redraw


# --- gradient flow ---------------------------------------------------------------------------------------

SMALL = dict(activation="tanh", depth=8, width=16, batch=16, init="scaled_normal", sigma_w=1.0, seed=3)


def test_gradient_flow_frames_are_simulate_at_that_sigma_w():
    fig = gradient_flow_sweep_figure([SMALL], "sigma_w", count=5)
    spec = json.loads(fig.to_json())
    values = spec["layout"]["meta"]["sweep"]["values"]
    assert len(values) == 5 and 1.0 in values
    for k in (0, 4):
        stats = simulate(**{**SMALL, "sigma_w": values[k]})
        measured, theory = frame_traces(spec, k)[0], frame_traces(spec, k)[1]
        assert np.allclose(decode(measured["y"]), stats.grad_z_norm, rtol=1e-5)
        assert np.allclose(decode(theory["y"]), stats.theory.grad_z_norm, rtol=1e-5)
    step = spec["layout"]["sliders"][0]["steps"][0]["args"][1]
    assert step["frame"]["redraw"] is False


def test_gradient_flow_depth_frames_change_the_layer_count():
    fig = gradient_flow_sweep_figure([SMALL], "depth", count=4)
    spec = json.loads(fig.to_json())
    values = spec["layout"]["meta"]["sweep"]["values"]
    assert [len(decode(frame_traces(spec, k)[0]["x"])) for k in range(len(values))] == [int(v) for v in values]
    # The x axis is fixed to what the deepest frame needs.
    assert spec["layout"]["xaxis2"]["range"][1] >= max(values)


def test_gradient_flow_log_axes_stay_put_while_sigma_w_moves():
    """Each frame's builder fits its log axes to its own norms; in a sweep every frame must share one
    range holding all of them, or the line's tilt (vanishing → exploding) would never be seen."""
    run = dict(SMALL, depth=20)
    fig = gradient_flow_sweep_figure([run], "sigma_w", count=5, values=[0.5, 0.75, 1.0, 1.5, 2.0])
    spec = json.loads(fig.to_json())
    assert not any(key.startswith(("yaxis", "xaxis")) for f in spec["frames"] for key in f.get("layout", {}))
    axis = spec["layout"]["yaxis"]
    low, high = axis["range"]
    norms = np.concatenate([decode(frame_traces(spec, k)[0]["y"]) for k in range(5)])
    assert low <= np.log10(norms.min()) and np.log10(norms.max()) <= high
    assert high - low > 6  # σ_w = 0.5 vanishes and σ_w = 2 explodes over 20 tanh layers
    ticks = np.log10(axis["tickvals"])
    shown = ticks[(low <= ticks) & (ticks <= high)]
    assert len(ticks) <= 6 and np.allclose(ticks, np.round(ticks)) and len(shown) >= 2  # whole decades, labelled


def test_default_gradient_flow_sweep_stays_under_two_megabytes():
    runs = [dict(SMALL, activation=a, depth=30, init="scaled_normal") for a in ("sigmoid", "tanh", "relu")]
    fig = gradient_flow_sweep_figure(runs, "sigma_w", width_px=1400)
    assert len(fig.frames) == 21 and figure_bytes(fig) < TWO_MB


def test_a_sweep_over_budget_drops_frames_but_keeps_the_current_value():
    from activations.figures.softmax import temperature_figure
    from activations.figures.sweeps import pack_within

    z = [2.0, 1.0, 0.1]
    sweep = sweeps.softmax_sweep("t", z, 0.5, count=41)
    frames = [temperature_figure(zz, t) for zz, t in sweeps.softmax_inputs("t", z, 0.5, sweep)]
    full = figure_bytes(pack_within(frames, sweep))
    fig = pack_within(frames, sweep, budget=full // 3)
    values = fig.layout.meta["sweep"]["values"]
    assert figure_bytes(fig) <= full // 3 and 2 < len(values) < 41
    assert values[fig.layout.sliders[0].active] == 0.5


# --- training ---------------------------------------------------------------------------------------------


def test_training_frames_show_the_run_up_to_each_step():
    from activations import datasets
    from activations.figures.sweeps import training_sweep_figures
    from activations.training import TrainConfig, decision_surface, train

    cfg = TrainConfig(n_samples=64, depth=2, width=8, batch_size=16, steps=40, record_every=5)
    full = train(cfg)
    sweep = sweeps.training_sweep(full.steps, width_px=200)
    assert sweep.values[0] == 0 and sweep.values[-1] == 40 and sweep.current == len(sweep) - 1
    snaps = sweeps.training_snapshots(cfg, sweep.values)
    assert sorted(snaps) == [int(v) for v in sweep.values]
    x, y = datasets.make_dataset(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)
    figs = training_sweep_figures(snaps, x, y, sweep, resolution=20)
    assert set(figs) == {"boundary", "loss", "dead", "gradients"}
    spec = json.loads(figs["loss"].to_json())
    for k in (1, len(sweep) - 1):
        step = int(sweep.values[k])
        loss = frame_traces(spec, k)[0]
        upto = full.steps <= step
        assert np.allclose(decode(loss["x"]), full.steps[upto]) and np.allclose(decode(loss["y"]), full.loss[upto])
    boundary = json.loads(figs["boundary"].to_json())
    p_first, p_last = (decode(frame_traces(boundary, k)[0]["z"]) for k in (0, len(sweep) - 1))
    assert p_first.shape == (20, 20) and not np.allclose(p_first, p_last)  # the boundary moved while training
    _gx, _gy, proba = decision_surface(full, x, resolution=20)
    assert np.allclose(p_last, proba[..., 1], atol=1e-6)  # the last frame is the finished network's surface


def test_gradient_flow_initial_state_is_the_ordinary_figure():
    from activations.figures.gradient_flow import gradient_norm_figure

    fig = gradient_flow_sweep_figure([SMALL], "bias", count=5)
    plain = gradient_norm_figure([simulate(**SMALL)])
    assert fig.layout.meta["sweep"]["values"][fig.layout.sliders[0].active] == 0.0
    for swept, ordinary in zip(fig.data, plain.data, strict=True):
        assert np.allclose(np.asarray(swept.y, dtype=float), np.asarray(ordinary.y, dtype=np.float32), rtol=1e-6)
