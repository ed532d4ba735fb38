"""Gradient Flow: gradients, activations and dead units layer by layer in a deep network at
initialisation, measured beside mean-field theory, for up to four activations on the same network.


The networks run side by side (``ui.networks.simulate_all``).
"""

from __future__ import annotations

import streamlit as st

import activations
from activations import custom
from activations.engine import ARCHITECTURE_LABELS, ARCHITECTURES
from activations.figures import gradient_flow as charts
from activations.i18n import N_
from activations.init import INITS
from activations.network import (
    DEFAULT_CONFIG,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_WIDTH,
    PRESETS,
    summarise,
)
from activations.pagestate import (
    ActivationParams,
    Activations,
    Choices,
    Formula,
    Number,
    PageControls,
    Preset,
    Sweep,
    param_key,
)
from activations.sweeps import parse_gradient_flow_sweep
from activations.urlstate import format_number
from ui.common import formula_box, language, param_sliders, plain, show_warnings, tr
from ui.export_panel import show_chart, show_sweep_chart
from ui.networks import MAX_RUNS, phase_diagram, pytorch_panel, run_networks, sweep_figure
from ui.page import setup
from ui.state import apply_preset, leave_preset, seed, sync, widget

MAX_INITS = 2
CUSTOM = "custom"  # the preset picker's "hand-made" entry
FORMULA = custom.NAME  # the activation picker's "your own formula" entry
DEFAULT_FORMULA = "x * sigmoid(beta * x)"
WIDTHS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
MAX_SEED = 2**31 - 1


def preset_state(name: str) -> dict:
    """The widget values a preset (or, for CUSTOM, the page's opening view) stands for."""
    config = PRESETS.get(name, DEFAULT_CONFIG)
    state = {
        "gf_fns": list(config.activations),
        "gf_inits": list(config.inits),
        "gf_depth": config.depth,
        "gf_width": config.width,
        "gf_batch": config.batch,
        "gf_sigma_w": config.sigma_w,
        "gf_bias": config.bias,
        "gf_seed": config.seed,
        "gf_archs": list(config.architectures),
        "gf_sigma_b": config.sigma_b,
    }
    for fn in config.activations:
        for p in activations.get(fn).params:
            state[param_key("gf_", fn, p.name)] = float(config.params.get(fn, {}).get(p.name, p.default))
    return state


PRESET = Preset("gf_preset", "preset", (CUSTOM, *PRESETS), CUSTOM, CUSTOM, preset_state, N_("Preset"))
FUNCTIONS = Activations("gf_fns", "fn", MAX_RUNS, N_("Activations (up to 4)"))
INIT_CHOICES = Choices(
    "gf_inits", "init", tuple(INITS), MAX_INITS, N_("Initialisation (up to 2, to compare)"),
    too_many=N_("At most {n} initialisations can be compared; the rest were dropped."),
)  # fmt: skip
ARCHS = Choices(
    "gf_archs", "architecture", ARCHITECTURES, 2, N_("Architecture (up to 2, to compare)"),
    too_many=N_("At most {n} architectures can be compared; the rest were dropped."),
)  # fmt: skip
DEPTH = Number("gf_depth", "depth", 1, MAX_DEPTH, N_("Depth (layers)"), integer=True)
WIDTH = Number("gf_width", "width", 2, MAX_WIDTH, N_("Width (units per layer)"), integer=True, options=WIDTHS)
BATCH = Number("gf_batch", "batch", 1, MAX_BATCH, N_("Batch (inputs)"), integer=True, options=BATCHES)
SIGMA_W = Number(
    "gf_sigma_w", "sigma_w", 0.1, 4.0, N_("σ_w (scaled normal init)"), step=0.05,
    help=N_("Weights ~ N(0, σ_w²/fan_in). Used only by the scaled normal init."),
    when=lambda state: "scaled_normal" in (state.get("gf_inits") or ()),
)  # fmt: skip
BIAS = Number("gf_bias", "bias", -2.0, 2.0, N_("Bias (constant)"), step=0.05)
SIGMA_B = Number(
    "gf_sigma_b", "sigma_b", 0.0, 2.0, N_("σ_b (random biases)"), step=0.05,
    help=N_("Biases b = bias + σ_b·ξ with ξ ~ N(0, 1) per unit and layer (0: the constant bias alone)."),
)  # fmt: skip
SEED = Number("gf_seed", "seed", 0, MAX_SEED, N_("Seed"), integer=True)
SWEEP = Sweep("gf_live", "sweep", lambda raw, values, _: parse_gradient_flow_sweep(raw, _=_),
              N_("Live in the gradient chart (an in-figure slider)"))  # fmt: skip
SWEEP_LABELS = {"": N_("none (the sliders on the left only)"), "sigma_w": "σ_w", "bias": N_("bias"),
                "depth": N_("depth")}  # fmt: skip
CONTROLS = PageControls(
    (FUNCTIONS, Formula("gf_formula", "gf_", FUNCTIONS.key, DEFAULT_FORMULA), INIT_CHOICES, ARCHS, DEPTH, WIDTH,
     BATCH, SIGMA_W, BIAS, SIGMA_B, SEED, ActivationParams("gf_", FUNCTIONS.key), SWEEP),
    preset=PRESET,
)  # fmt: skip
on_preset, on_change = apply_preset(PRESET), leave_preset(PRESET)


setup()
_ = tr()
seed(CONTROLS)

st.title(_("Gradient Flow"))
st.caption(
    _(
        "A deep fully connected network at initialisation, every layer as wide as the input. Each layer "
        "multiplies the gradient flowing back by the weights and by f′: mean-field theory predicts the "
        "squared gradient changes by χ = σ_w²·E[f′(z)²] per layer, and below it vanishes, above it explodes."
    )
)


@st.fragment
def gradient_flow() -> None:
    """Controls, networks and charts. A fragment: moving a control reruns only this, not the app's
    navigation and sidebar (the export panel), so the charts come back sooner."""
    controls, plots = st.columns([1, 3], gap="medium")
    with controls:
        preset = widget(
            PRESET, format_func=lambda k: _("Custom") if k == CUSTOM else _(PRESETS[k].title), on_change=on_preset
        )
        fns = st.multiselect(
            _(FUNCTIONS.label),
            wrap=True,
            options=[*activations.names(), FORMULA],
            format_func=lambda n: _("Your own formula") if n == FORMULA else activations.get(n).label,
            max_selections=MAX_RUNS,
            placeholder=_("Choose activations"),
            key=FUNCTIONS.key,
            on_change=on_change,
        )
        inits = widget(
            INIT_CHOICES,
            format_func=lambda k: _(charts.INIT_LABELS[k]),
            placeholder=_("Choose initialisations"),
            on_change=on_change,
        )
        archs = widget(ARCHS, format_func=lambda k: _(ARCHITECTURE_LABELS[k]), on_change=on_change)
        depth = widget(DEPTH, on_change=on_change)
        width = widget(WIDTH, on_change=on_change)
        batch = widget(BATCH, on_change=on_change)
        sigma_w = widget(SIGMA_W, on_change=on_change, disabled="scaled_normal" not in inits)
        bias = widget(BIAS, on_change=on_change)
        sigma_b = widget(SIGMA_B, on_change=on_change)
        seed_value = int(st.number_input(_(SEED.label), 0, MAX_SEED, step=1, key=SEED.key, on_change=on_change))
        sweep = st.selectbox(
            _(SWEEP.label), list(SWEEP_LABELS), format_func=lambda k: _(SWEEP_LABELS[k]), key=SWEEP.key
        )
        params: dict[str, dict[str, float]] = {}
        formula = None
        for fn in fns:
            if fn == FORMULA:
                act = formula_box("gf_formula", DEFAULT_FORMULA, on_change=on_change)
                if act is None:
                    continue
                formula = act.source
            else:
                act = activations.get(fn)
            if act.params:
                st.markdown(f"**{plain(act.label)}**")
            values = param_sliders(act, lambda name, fn=fn: param_key("gf_", fn, name), on_change=on_change)
            params[fn] = values

    fit, done, page_warnings = run_networks(
        fns, inits, archs, formula, params, (depth, width, batch), sigma_w, bias, sigma_b, seed_value
    )
    jobs, runs = [job for job, _stats in done], [stats for _job, stats in done]

    with plots:
        show_warnings(page_warnings)
        if preset in PRESETS:
            st.info(_(PRESETS[preset].note), icon=":material/lightbulb:")
            if PRESETS[preset].paper:
                st.caption(plain(PRESETS[preset].paper))
        if runs:
            lang = language()
            preset_shows_phase = bool(sigma_b) or sweep == "sigma_w"  # random biases: the diagram is the point
            several = {"init": len({j.init for j in jobs}) > 1, "arch": len({j.architecture for j in jobs}) > 1}
            labels = [charts.run_label(r, several["init"], lang, with_architecture=several["arch"]) for r in runs]
            stem = "gradient-flow_{fns}_depth-{depth}_width-{width}".format(
                fns="-".join(dict.fromkeys(r.activation for r in runs)), depth=depth, width=fit.width
            )
            summary = [
                f"- **{plain(label)}**: " + " ".join(summarise(r, lang)) for label, r in zip(labels, runs, strict=True)
            ]
            st.markdown("\n".join(summary))
            if sweep == "sigma_w" and not any(j.init == "scaled_normal" for j in jobs):
                st.warning(_("σ_w moves only the scaled normal init: choose it to see the sweep change."), icon="⚠️")
            if sweep:
                figure = sweep_figure(jobs, sweep, labels)
                show_sweep_chart(figure, stem + "_gradients", key="gf_gradients", symbol=_(SWEEP_LABELS[sweep]))
            else:
                show_chart(charts.gradient_norm_figure(runs, lang, labels), stem + "_gradients", key="gf_gradients")
            st.caption(
                _(
                    "The gradient entering the top layer is a fixed random error drawn from the seed, the same for "
                    "every activation and independent of the weights (the gradient of a random read-out): the "
                    "condition under which mean-field theory applies. With the loss ½‖h_L‖² instead, the top "
                    "gradient would be correlated with every weight below it."
                )
            )
            show_chart(charts.layer_factor_figure(runs, lang, labels), stem + "_factor", key="gf_factor")
            show_chart(charts.distribution_figure(runs, lang, labels), stem + "_activations", key="gf_activations")
            show_chart(charts.dead_saturated_figure(runs, lang, labels), stem + "_dead", key="gf_dead")
            st.caption(
                _(
                    "Dead: f′(z) = 0 for every input in the batch, so the unit passes no gradient at all. Saturated: "
                    "|f′(z)| below 1% of the activation's largest |f′| for every input. Derivatives at kinks follow "
                    "PyTorch: ReLU′(0) = 0, Leaky ReLU′(0) = α."
                )
            )
            show_chart(charts.activity_heatmap(runs, lang, labels), stem + "_units", key="gf_units")
            st.caption(
                _(
                    "Inputs x ~ N(0, 1), {batch} of them; {width} units in every layer; bias {bias} in every unit. "
                    "Layer l's weights come from the seed and l alone, so every activation sees the same network "
                    "and a deeper network is this one with layers added."
                ).format(batch=fit.batch, width=fit.width, bias=format_number(float(bias)))
            )
            if st.toggle(_("Show the order-to-chaos phase diagram"), key="gf_show_phase", value=preset_shows_phase):
                show_chart(phase_diagram(jobs[0], labels[0]), stem + "_phase-diagram", key="gf_phase")
                st.caption(
                    _(
                        "Mean-field theory's phase diagram for {label}: blue, signals and gradients shrink layer "
                        "after layer (ordered); red, they grow (chaotic); the line χ₁ = 1 between them is where deep "
                        "networks train (Poole et al. 2016, Schoenholz et al. 2017). The marker is this network's "
                        "(σ_w, σ_b)."
                    ).format(label=plain(labels[0]))
                )
            pytorch_panel(jobs, labels)

    sync(CONTROLS)


gradient_flow()
