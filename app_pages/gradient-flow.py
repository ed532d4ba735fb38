"""Gradient Flow: gradients, activations and dead units layer by layer in a deep network at
initialisation, measured beside mean-field theory, for up to four activations on the same network.

Speed (a slider move recomputes every network shown): the networks run side by side in a small thread
pool (numpy releases the GIL in matrix products and ufuncs), with OpenBLAS held to one thread per
product: on a shared 2-core server, OpenBLAS's own threads waiting for a busy core made one network
take up to 20× longer than on a single thread (``ui.server.tune_server``, run by app.py).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import activations
from activations import custom
from activations.figures.gradient_flow import (
    INIT_LABELS,
    activity_heatmap,
    dead_saturated_figure,
    distribution_figure,
    gradient_norm_figure,
    layer_factor_figure,
    run_label,
)
from activations.init import INITS
from activations.network import (
    DEFAULT_CONFIG,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_WIDTH,
    PRESETS,
    Preset,
    Stats,
    fit_size,
    simulate,
    summarise,
)
from activations.urlstate import (
    Warnings,
    encode_activation_params,
    format_number,
    parse_activation_params,
    parse_activations,
    parse_choice,
    parse_number,
)
from ui.common import (
    formula_box,
    init_state,
    language,
    param_sliders,
    plain,
    query,
    show_chart,
    show_warnings,
    sync_url,
    tr,
)

MAX_RUNS = 4
MAX_INITS = 2
CUSTOM = "custom"  # the preset picker's "hand-made" entry
FORMULA = custom.NAME  # the activation picker's "your own formula" entry
DEFAULT_FORMULA = "x * sigmoid(beta * x)"
WIDTHS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
SIGMA_W_RANGE = (0.1, 4.0)
BIAS_RANGE = (-2.0, 2.0)
MAX_SEED = 2**31 - 1

_ = tr()


def param_key(fn: str, name: str) -> str:
    return f"gf_{fn}.{name}"


def parse_inits(q: dict[str, str], default: tuple[str, ...], warnings: Warnings) -> list[str]:
    """``init=he_normal,xavier_normal`` -> known schemes, at most MAX_INITS; bad names dropped with a warning."""
    raw = q.get("init")
    if raw is None or not str(raw).strip():
        return list(default)
    chosen: list[str] = []
    for item in str(raw)[:400].split(","):
        name = parse_choice({"init": item}, "init", INITS, "", warnings, _=_)
        if name and name not in chosen:
            chosen.append(name)
    if len(chosen) > MAX_INITS:
        warnings.add(_("At most {n} initialisations can be compared; the rest were dropped.").format(n=MAX_INITS))
    return chosen[:MAX_INITS] or list(default)


def apply_config(config: Preset) -> None:
    """Put a preset's values into the widgets (a callback: runs before the widgets are drawn)."""
    st.session_state.update(
        gf_fns=list(config.activations),
        gf_inits=list(config.inits),
        gf_depth=config.depth,
        gf_width=config.width,
        gf_batch=config.batch,
        gf_sigma_w=config.sigma_w,
        gf_bias=config.bias,
        gf_seed=config.seed,
    )
    for fn in config.activations:
        act = activations.get(fn)
        for p in act.params:
            st.session_state[param_key(fn, p.name)] = float(config.params.get(fn, {}).get(p.name, p.default))


def on_preset() -> None:
    key = st.session_state.gf_preset
    if key in PRESETS:
        apply_config(PRESETS[key])


def leave_preset() -> None:
    """Any hand-made change: the page no longer shows the preset as it was."""
    st.session_state.gf_preset = CUSTOM


def seed_from_url() -> None:
    """First visit: the URL (a preset, then any explicit values over it) decides every control."""
    q, warnings = query(), Warnings()
    preset = parse_choice(q, "preset", [CUSTOM, *PRESETS], CUSTOM, warnings, _=_)
    base = PRESETS.get(preset, DEFAULT_CONFIG)
    fns = parse_activations(q, warnings, default=base.activations, max_count=MAX_RUNS, extra=(FORMULA,), _=_)
    formula, formula_values = custom.from_url(q, warnings, _=_)
    raw_formula = str(q.get(custom.FORMULA_KEY) or "")[: custom.MAX_LENGTH] if formula is None else formula.source
    init_state("gf_formula", raw_formula or DEFAULT_FORMULA)
    for name, value in formula_values.items():
        init_state(param_key(FORMULA, name), value)
    inits = parse_inits(q, base.inits, warnings)
    init_state("gf_preset", preset)
    init_state("gf_fns", fns)
    init_state("gf_inits", inits)
    init_state("gf_depth", parse_number(q, "depth", base.depth, 1, MAX_DEPTH, warnings, integer=True, _=_))
    init_state("gf_width", parse_number(q, "width", base.width, 2, MAX_WIDTH, warnings, integer=True, _=_))
    init_state("gf_batch", parse_number(q, "batch", base.batch, 1, MAX_BATCH, warnings, integer=True, _=_))
    init_state("gf_sigma_w", parse_number(q, "sigma_w", base.sigma_w, *SIGMA_W_RANGE, warnings, _=_))
    init_state("gf_bias", parse_number(q, "bias", base.bias, *BIAS_RANGE, warnings, _=_))
    init_state("gf_seed", parse_number(q, "seed", base.seed, 0, MAX_SEED, warnings, integer=True, _=_))
    for fn, values in parse_activation_params(q, fns, warnings, _=_).items():
        for name, value in values.items():
            init_state(param_key(fn, name), value)
    st.session_state["gf_url_warnings"] = warnings


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_simulate(
    fn: str,
    formula: str | None,
    params: tuple,
    depth: int,
    width: int,
    batch: int,
    init: str,
    sigma_w: float | None,
    bias: float,
    seed: int,
) -> Stats:
    return simulate(
        custom.resolve(fn, formula),
        depth=depth,
        width=width,
        batch=batch,
        init=init,
        bias=bias,
        seed=seed,
        params=dict(params),
        sigma_w=sigma_w,
    )


def simulate_all(jobs: list[tuple]) -> list[Stats | ValueError]:
    """``cached_simulate(*job)`` for every job, side by side on up to one thread per core (each worker
    carries this session's script context, so the cache and a rerun request work as on the script's
    own thread); a configuration the engine refuses gives its ValueError in place of the Stats."""

    def run(job: tuple) -> Stats | ValueError:
        try:
            return cached_simulate(*job)
        except ValueError as err:
            return err

    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return [run(job) for job in jobs]
    with ThreadPoolExecutor(workers, initializer=add_script_run_ctx, initargs=(None, get_script_run_ctx())) as pool:
        return list(pool.map(run, jobs))


def options_with(values: tuple[int, ...], current: int) -> list[int]:
    """A select-slider's steps, with a value from the URL that is not one of them added in place."""
    return sorted({*values, int(current)})


if "gf_fns" not in st.session_state:
    seed_from_url()
show_warnings(st.session_state.pop("gf_url_warnings", Warnings()))

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
        preset = st.selectbox(
            _("Preset"),
            options=[CUSTOM, *PRESETS],
            format_func=lambda k: _("Custom") if k == CUSTOM else _(PRESETS[k].title),
            key="gf_preset",
            on_change=on_preset,
        )
        fns = st.multiselect(
            _("Activations (up to 4)"),
            options=[*activations.names(), FORMULA],
            format_func=lambda n: _("Your own formula") if n == FORMULA else activations.get(n).label,
            max_selections=MAX_RUNS,
            placeholder=_("Choose activations"),
            key="gf_fns",
            on_change=leave_preset,
        )
        inits = st.multiselect(
            _("Initialisation (up to 2, to compare)"),
            options=list(INITS),
            format_func=lambda k: _(INIT_LABELS[k]),
            max_selections=MAX_INITS,
            placeholder=_("Choose initialisations"),
            key="gf_inits",
            on_change=leave_preset,
        )
        depth = st.slider(_("Depth (layers)"), 1, MAX_DEPTH, key="gf_depth", on_change=leave_preset)
        width = st.select_slider(
            _("Width (units per layer)"),
            options=options_with(WIDTHS, st.session_state.gf_width),
            key="gf_width",
            on_change=leave_preset,
        )
        batch = st.select_slider(
            _("Batch (inputs)"),
            options=options_with(BATCHES, st.session_state.gf_batch),
            key="gf_batch",
            on_change=leave_preset,
        )
        sigma_w = st.slider(
            _("σ_w (scaled normal init)"),
            *SIGMA_W_RANGE,
            step=0.05,
            key="gf_sigma_w",
            on_change=leave_preset,
            disabled="scaled_normal" not in inits,
            help=_("Weights ~ N(0, σ_w²/fan_in). Used only by the scaled normal init."),
        )
        bias = st.slider(_("Bias (constant)"), *BIAS_RANGE, step=0.05, key="gf_bias", on_change=leave_preset)
        seed = int(st.number_input(_("Seed"), 0, MAX_SEED, step=1, key="gf_seed", on_change=leave_preset))
        params: dict[str, dict[str, float]] = {}
        formula = None
        for fn in fns:
            if fn == FORMULA:
                act = formula_box("gf_formula", DEFAULT_FORMULA, on_change=leave_preset)
                if act is None:
                    continue
                formula = act.source
            else:
                act = activations.get(fn)
            if act.params:
                st.markdown(f"**{plain(act.label)}**")
            values = param_sliders(act, lambda name, fn=fn: param_key(fn, name), on_change=leave_preset)
            params[fn] = values

    page_warnings = Warnings()
    run_fns = [fn for fn in fns if fn != FORMULA or formula is not None] or list(DEFAULT_CONFIG.activations)
    run_inits = list(inits) or list(DEFAULT_CONFIG.inits)
    if not fns:
        page_warnings.add(_("Choose at least one activation; showing the default ones."))
    if not inits:
        page_warnings.add(
            _("Choose at least one initialisation; showing {init}.").format(init=_(INIT_LABELS[run_inits[0]]))
        )
    if len(run_fns) * len(run_inits) > MAX_RUNS:
        keep = MAX_RUNS // len(run_inits)
        page_warnings.add(
            _("At most {n} networks are compared at once: showing the first {k} activations.").format(
                n=MAX_RUNS, k=keep
            )
        )
        run_fns = run_fns[:keep]
    fit = fit_size(depth, int(width), int(batch), run_inits)
    for message in fit.warnings(language()):
        page_warnings.add(message)

    jobs = [
        (
            fn,
            formula if fn == FORMULA else None,
            tuple(sorted((params.get(fn) or custom.resolve(fn, formula).defaults).items())),
            depth,
            fit.width,
            fit.batch,
            init,
            float(sigma_w) if init == "scaled_normal" else None,
            float(bias),
            seed,
        )
        for fn in run_fns
        for init in run_inits
    ]
    runs: list[Stats] = []
    for job, result in zip(jobs, simulate_all(jobs), strict=True):
        if isinstance(result, ValueError):
            page_warnings.add(_("{label}: {error}").format(label=custom.resolve(job[0], job[1]).label, error=result))
        else:
            runs.append(result)

    with plots:
        show_warnings(page_warnings)
        if preset in PRESETS:
            st.info(_(PRESETS[preset].note), icon=":material/lightbulb:")
        if runs:
            lang = language()
            labels = [run_label(r, len(run_inits) > 1, lang) for r in runs]
            stem = "gradient-flow_{fns}_depth-{depth}_width-{width}".format(
                fns="-".join(dict.fromkeys(r.activation for r in runs)), depth=depth, width=fit.width
            )
            summary = [
                f"- **{plain(label)}**: " + " ".join(summarise(r, lang)) for label, r in zip(labels, runs, strict=True)
            ]
            st.markdown("\n".join(summary))
            show_chart(gradient_norm_figure(runs, lang, labels), stem + "_gradients", key="gf_gradients")
            st.caption(
                _(
                    "The gradient entering the top layer is a fixed random error drawn from the seed, the same for "
                    "every activation and independent of the weights (the gradient of a random read-out): the "
                    "condition under which mean-field theory applies. With the loss ½‖h_L‖² instead, the top "
                    "gradient would be correlated with every weight below it."
                )
            )
            show_chart(layer_factor_figure(runs, lang, labels), stem + "_factor", key="gf_factor")
            show_chart(distribution_figure(runs, lang, labels), stem + "_activations", key="gf_activations")
            show_chart(dead_saturated_figure(runs, lang, labels), stem + "_dead", key="gf_dead")
            st.caption(
                _(
                    "Dead: f′(z) = 0 for every input in the batch, so the unit passes no gradient at all. Saturated: "
                    "|f′(z)| below 1% of the activation's largest |f′| for every input. Derivatives at kinks follow "
                    "PyTorch: ReLU′(0) = 0, Leaky ReLU′(0) = α."
                )
            )
            show_chart(activity_heatmap(runs, lang, labels), stem + "_units", key="gf_units")
            st.caption(
                _(
                    "Inputs x ~ N(0, 1), {batch} of them; {width} units in every layer; bias {bias} in every unit. "
                    "Layer l's weights come from the seed and l alone, so every activation sees the same network "
                    "and a deeper network is this one with layers added."
                ).format(batch=fit.batch, width=fit.width, bias=format_number(float(bias)))
            )

    base = PRESETS.get(preset, DEFAULT_CONFIG)
    state: dict[str, object] = {"preset": preset if preset in PRESETS else None}
    for name, value, default in (
        ("fn", ",".join(fns), ",".join(base.activations)),
        ("init", ",".join(inits), ",".join(base.inits)),
        ("depth", depth, base.depth),
        ("width", int(width), base.width),
        ("batch", int(batch), base.batch),
        ("sigma_w", float(sigma_w) if "scaled_normal" in inits else base.sigma_w, base.sigma_w),
        ("bias", float(bias), base.bias),
        ("seed", seed, base.seed),
    ):
        if value != default:
            state[name] = format_number(value) if isinstance(value, float) else value
    state.update(encode_activation_params({fn: v for fn, v in params.items() if fn != FORMULA}))
    if FORMULA in fns:
        state[custom.FORMULA_KEY] = st.session_state.get("gf_formula", "")
        if formula is not None:
            state.update(custom.to_url(custom.parse(formula), params.get(FORMULA)))
    sync_url(state)


gradient_flow()
