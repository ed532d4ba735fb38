"""Training Lab: train a small network on 2-D toy data and watch, live, units die, gradients vanish and
PReLU learn its slope; optionally two activations side by side with the same seed."""

from __future__ import annotations

import dataclasses
import math
import time

import streamlit as st

import activations
from activations import custom, datasets
from activations.figures.gradient_flow import INIT_LABELS
from activations.figures.training import (
    alpha_figure,
    dataset_figure,
    dead_fraction_figure,
    decision_boundary_figure,
    grad_norm_heatmap,
    loss_accuracy_figure,
    run_label,
    run_summary,
)
from activations.i18n import N_
from activations.init import INITS
from activations.training import OPTIMIZERS, PRESET_INFO, PRESETS, TrainConfig, TrainResult, iter_training
from activations.urlstate import (
    Warnings,
    encode_activation_params,
    format_number,
    parse_activation_params,
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

CUSTOM = "custom"  # the preset picker's "hand-made" entry
FORMULA = custom.NAME  # the activation picker's "your own formula" entry
DEFAULT_FORMULA = "x * tanh(softplus(x))"
NOT_OURS = ("lang", "present", "theme", "figsize")  # URL keys of the app and the export panel
DEFAULT_PRESET = "dying_relu"
DEFAULT_CONFIG = TrainConfig()
DEFAULT_COMPARE = ("leaky_relu", {"alpha": 0.01})
MAX_DEPTH = 20
MAX_SEED = 2**31 - 1
NOISE_RANGE = (0.0, 1.0)
SIGMA_W_RANGE = (0.1, 4.0)
WIDTHS = (2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256)
SAMPLES = (100, 200, 300, 500, 1000, 2000, 5000)
BATCHES = (8, 16, 32, 64, 128, 256, 500, 512, 1000, 2000, 5000)
STEPS = (50, 100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 5000)
RECORD_EVERY = (1, 2, 5, 10, 20, 50, 100)
# Log-spaced learning rates, 1-1.5-2-3-5-7 per decade, from 10⁻⁴ to 10.
LEARNING_RATES = (*(round(m * 10.0**k, 6) for k in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
MAX_COST = 3e10  # multiply-adds of one Run (both runs in compare mode): about 10–20 s here
MAX_PREVIEW_COST = 2e9  # multiply-adds of the step-0 preview drawn on every rerun: well under a second
FRAMES = 25  # live redraws per run, about
MIN_FRAME_SECONDS = 0.6  # the browser redraws four or five charts per frame: give it time
OPTIMIZER_LABELS = {"sgd": N_("SGD"), "momentum": N_("SGD with momentum"), "adam": N_("Adam")}
DATASET_LABELS = {
    "moons": N_("Two moons"),
    "circles": N_("Circles"),
    "spiral": N_("Spiral"),
    "xor": N_("XOR"),
    "blobs": N_("Three blobs"),
}

_ = tr()


def param_key(prefix: str, fn: str, name: str) -> str:
    return f"{prefix}{fn}.{name}"


def preset_state(name: str) -> dict:
    """The widget values a preset stands for (its config, and the compare run it suggests)."""
    cfg = PRESETS.get(name, DEFAULT_CONFIG)
    info = PRESET_INFO.get(name, {})
    fn2, params2 = info.get("compare", DEFAULT_COMPARE)
    state = {
        "tl_fn": cfg.activation_name,
        "tl_dataset": cfg.dataset,
        "tl_n": cfg.n_samples,
        "tl_noise": float(cfg.noise),
        "tl_depth": cfg.depth,
        "tl_width": cfg.width,
        "tl_init": cfg.init,
        "tl_sigma_w": float(cfg.sigma_w or 1.0),
        "tl_optimizer": cfg.optimizer,
        "tl_momentum": float(cfg.momentum),
        "tl_lr": float(cfg.lr),
        "tl_batch": cfg.batch_size,
        "tl_steps": cfg.steps,
        "tl_record": cfg.record_every,
        "tl_seed": cfg.seed,
        "tl_compare": bool(info.get("compare_on", False)),
        "tl_fn2": fn2,
    }
    for p in cfg.act.params:
        state[param_key("tl_", cfg.activation_name, p.name)] = float(cfg.params[p.name])
    act2 = activations.get(fn2)
    for p in act2.params:
        state[param_key("tl2_", fn2, p.name)] = float(params2.get(p.name, p.default))
    return state


def on_preset() -> None:
    name = st.session_state.tl_preset
    if name in PRESETS:
        st.session_state.update(preset_state(name))


def leave_preset() -> None:
    """Any hand-made change: the page no longer shows the preset as it was."""
    st.session_state.tl_preset = CUSTOM


def seed_from_url() -> None:
    """First visit: the URL (a preset, then any explicit values over it) decides every control."""
    q, warnings = query(), Warnings()
    if "fn" not in q and "activation" in q:
        q["fn"] = q["activation"]
    # No page setting in the link (only e.g. lang=): the default preset. Settings without a preset: they
    # are changes to the plain defaults.
    own = [k for k in q if k not in NOT_OURS]
    preset = parse_choice(q, "preset", [CUSTOM, *PRESETS], CUSTOM if own else DEFAULT_PRESET, warnings, _=_)
    base = preset_state(preset)
    names = activations.names()
    fn = parse_choice(q, "fn", [*names, FORMULA], base["tl_fn"], warnings, _=_)
    state = dict(base, tl_fn=fn)
    formula, formula_values = custom.from_url(q, warnings, _=_)
    raw_formula = str(q.get(custom.FORMULA_KEY) or "")[: custom.MAX_LENGTH] if formula is None else formula.source
    state["tl_formula"] = raw_formula or DEFAULT_FORMULA
    for name, value in formula_values.items():
        state[param_key("tl_", FORMULA, name)] = value
    state["tl_dataset"] = parse_choice(q, "dataset", datasets.DATASETS, base["tl_dataset"], warnings, _=_)
    state["tl_init"] = parse_choice(q, "init", INITS, base["tl_init"], warnings, _=_)
    state["tl_optimizer"] = parse_choice(q, "optimizer", OPTIMIZERS, base["tl_optimizer"], warnings, _=_)
    integers = {
        "tl_n": ("n", SAMPLES[0], SAMPLES[-1]),
        "tl_depth": ("depth", 1, MAX_DEPTH),
        "tl_width": ("width", WIDTHS[0], WIDTHS[-1]),
        "tl_batch": ("batch", 1, BATCHES[-1]),
        "tl_steps": ("steps", 1, STEPS[-1]),
        "tl_record": ("record", 1, RECORD_EVERY[-1]),
        "tl_seed": ("seed", 0, MAX_SEED),
    }
    for key, (name, lo, hi) in integers.items():
        state[key] = parse_number(q, name, base[key], lo, hi, warnings, integer=True, _=_)
    reals = {
        "tl_noise": ("noise", *NOISE_RANGE),
        "tl_lr": ("lr", LEARNING_RATES[0], LEARNING_RATES[-1]),
        "tl_momentum": ("momentum", 0.0, 0.99),
        "tl_sigma_w": ("sigma_w", *SIGMA_W_RANGE),
    }
    for key, (name, lo, hi) in reals.items():
        state[key] = float(parse_number(q, name, base[key], lo, hi, warnings, _=_))
    for name, value in parse_activation_params(q, [fn], warnings, _=_).get(fn, {}).items():
        if fn != base["tl_fn"] or any(k in q for k in (name, f"{fn}.{name}")):
            state[param_key("tl_", fn, name)] = value
    compare = str(q.get("compare", "")).strip().lower()
    if compare in ("none", "off", "0", "false", "no"):
        state["tl_compare"] = False
    elif compare:
        fn2 = parse_choice({"compare": compare}, "compare", names, base["tl_fn2"], warnings, _=_)
        state.update(tl_compare=True, tl_fn2=fn2)
    fn2 = state["tl_fn2"]
    for p in activations.get(fn2).params:
        key = param_key("tl2_", fn2, p.name)
        default = state.get(key, p.default)
        state[key] = float(parse_number(q, f"cmp.{p.name}", default, p.min, p.max, warnings, _=_))
    for key, value in state.items():
        init_state(key, value)
    init_state("tl_preset", preset)
    st.session_state["tl_url_warnings"] = warnings


def options_with(values: tuple, current) -> list:
    """A select-slider's steps, with a value from the URL that is not one of them added in place."""
    return sorted({*values, current})


def activation_sliders(prefix: str, fn: str, on_change, act=None) -> dict[str, float]:
    act = act or activations.get(fn)
    return param_sliders(
        act, lambda name: param_key(prefix, fn, name), on_change=on_change, label_prefix=f"{plain(act.label)}: "
    )


def format_lr(value: float) -> str:
    return format_number(value)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_figures(key: tuple, lang: str, _results: tuple[TrainResult, ...]) -> dict:
    """The five figures of finished runs (``key`` names the runs; the results themselves are not hashed)."""
    return build_figures(list(_results), lang)


def build_figures(results: list[TrainResult], lang: str, resolution: int = 80) -> dict:
    cfg = results[0].config
    x, y = datasets.make_dataset(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)
    figures = {
        "loss": loss_accuracy_figure(results, lang),
        "boundary": decision_boundary_figure(results, x, y, lang, resolution=resolution),
        "dead": dead_fraction_figure(results, lang),
        "gradients": grad_norm_heatmap(results, lang),
    }
    if any(r.alpha is not None for r in results):
        figures["alpha"] = alpha_figure(results, lang)
    return figures


CHART_ORDER = ("loss", "boundary", "dead", "gradients", "alpha")


def run_stem(configs: list[TrainConfig]) -> str:
    fns = "-vs-".join(c.activation_name for c in configs)
    c = configs[0]
    return f"training_{fns}_{c.dataset}_lr-{format_number(c.lr)}_depth-{c.depth}_width-{c.width}"


def progress_text(results: list[TrainResult | None], configs: list[TrainConfig]) -> tuple[float, str]:
    done = [int(r.steps[-1]) if r is not None and len(r.steps) else 0 for r in results]
    fraction = min(d / c.steps for d, c in zip(done, configs, strict=True))
    return fraction, _("Step {step} of {steps}").format(step=min(done), steps=max(c.steps for c in configs))


def live_run(configs: list[TrainConfig], run_key: tuple, slots: dict, bar) -> None:
    """Train the runs in step (one record of each in turn), redrawing about FRAMES times; the latest
    snapshots are kept in the session so that Stop (which interrupts this script) can show them."""
    runs = [iter_training(c) for c in configs]
    latest: list[TrainResult | None] = [None] * len(runs)
    finished = [False] * len(runs)
    every = max(1, math.ceil(max(c.n_records for c in configs) / FRAMES))
    lang, frame, records, last_draw = language(), 0, 0, 0.0
    while not all(finished):
        for i, run in enumerate(runs):
            if finished[i]:
                continue
            snapshot = next(run, None)
            if snapshot is None:
                finished[i] = True
            else:
                latest[i] = snapshot
                finished[i] = snapshot.diverged
        records += 1
        st.session_state["tl_results"] = {"key": run_key, "runs": list(latest), "complete": all(finished)}
        # The last frame is left to the rerun that follows (it draws the finished runs with their downloads).
        if not all(finished) and records % every == 0 and time.perf_counter() - last_draw >= MIN_FRAME_SECONDS:
            frame += 1
            fraction, text = progress_text(latest, configs)
            bar.progress(fraction, text=text)
            figures = build_figures([r for r in latest if r is not None], lang, resolution=50)
            for name in CHART_ORDER:
                if name in figures:
                    slots[name].plotly_chart(figures[name], key=f"tl_live_{name}_{frame}", width="stretch", theme=None)
            last_draw = time.perf_counter()


def initial_state(configs: list[TrainConfig]) -> list[TrainResult]:
    """Each network before its first step (one full-set record): what the plots show before Run."""
    return [next(iter_training(c)) for c in configs]


def show_results(results: list[TrainResult], run_key: tuple, configs: list[TrainConfig], summary: bool = True) -> None:
    lang = language()
    for r in results:
        if r.diverged:
            message = _(
                "{label} diverged at step {step}: the loss or the weights stopped being finite. "
                "Try a smaller learning rate."
            )
            st.warning(message.format(label=run_label(r), step=r.diverged_at), icon="⚠️")
        elif r.stopped:
            st.info(_("{label}: stopped at step {step}.").format(label=run_label(r), step=int(r.steps[-1])))
    if summary:
        st.markdown("\n".join(f"- {run_summary(r, lang)}" for r in results if len(r.steps)))
    tag = tuple((int(r.steps[-1]) if len(r.steps) else 0, r.stopped, r.diverged) for r in results)
    figures = cached_figures((run_key, tag), lang, tuple(results))
    stem = run_stem(configs)
    captions = {
        "dead": _(
            "A unit is dead when f′(z) = 0 for every training example: no gradient reaches its weights. "
            "Derivatives at kinks follow PyTorch (ReLU′(0) = 0), so only a unit that is off for every "
            "example counts."
        ),
        "gradients": _(
            "‖∂L/∂W_l‖ of the mean loss over the full training set. Blank cells: exactly zero (a dead layer)."
        ),
        "alpha": _("One α per hidden layer, shared by its units (like torch.nn.PReLU()), trained with the weights."),
    }
    for name in CHART_ORDER:
        if name in figures:
            show_chart(figures[name], f"{stem}_{name}", key=f"tl_{name}")
            if name in captions:
                st.caption(captions[name])
    if "alpha" not in figures:
        st.caption(_("Choose PReLU to see its learned slope α per layer over the steps."))


if "tl_fn" not in st.session_state:
    seed_from_url()
show_warnings(st.session_state.pop("tl_url_warnings", Warnings()))

st.title(_("Training Lab"))
st.caption(
    _(
        "Train a small network (hidden layers of the chosen activation, a linear read-out, softmax "
        "cross-entropy) on 2-D toy data and watch it learn: loss and accuracy, dead units per layer, each "
        "layer's gradient, the decision boundary and, for PReLU, the learned slope α. Every number is "
        "measured on the full training set."
    )
)

controls, plots = st.columns([1, 3], gap="medium")
with controls:
    preset = st.selectbox(
        _("Preset"),
        options=[CUSTOM, *PRESETS],
        format_func=lambda k: _("Custom") if k == CUSTOM else _(PRESET_INFO[k]["title"]),
        key="tl_preset",
        on_change=on_preset,
    )
    fn = st.selectbox(
        _("Activation"),
        options=[*activations.names(), FORMULA],
        format_func=lambda n: _("Your own formula") if n == FORMULA else activations.get(n).label,
        key="tl_fn",
        on_change=leave_preset,
    )
    act = None if fn == FORMULA else activations.get(fn)
    if fn == FORMULA:
        act = formula_box("tl_formula", DEFAULT_FORMULA, on_change=leave_preset)
    params = activation_sliders("tl_", fn, leave_preset, act) if act is not None else {}
    compare = st.toggle(_("Compare with a second activation (same seed)"), key="tl_compare", on_change=leave_preset)
    fn2, params2 = DEFAULT_COMPARE
    if compare:
        fn2 = st.selectbox(
            _("Second activation"),
            options=activations.names(),
            format_func=lambda n: activations.get(n).label,
            key="tl_fn2",
            on_change=leave_preset,
        )
        params2 = activation_sliders("tl2_", fn2, leave_preset)
    with st.expander(_("Data"), expanded=False):
        dataset = st.selectbox(
            _("Data set"),
            options=list(datasets.DATASETS),
            format_func=lambda d: _(DATASET_LABELS[d]),
            key="tl_dataset",
            on_change=leave_preset,
        )
        n_samples = st.select_slider(
            _("Training examples"),
            options=options_with(SAMPLES, st.session_state.tl_n),
            key="tl_n",
            on_change=leave_preset,
        )
        noise = st.slider(_("Noise (σ)"), *NOISE_RANGE, step=0.01, key="tl_noise", on_change=leave_preset)
    with st.expander(_("Network"), expanded=True):
        depth = st.slider(_("Hidden layers"), 1, MAX_DEPTH, key="tl_depth", on_change=leave_preset)
        width = st.select_slider(
            _("Units per layer"),
            options=options_with(WIDTHS, st.session_state.tl_width),
            key="tl_width",
            on_change=leave_preset,
        )
        init = st.selectbox(
            _("Initialisation"),
            options=list(INITS),
            format_func=lambda k: _(INIT_LABELS[k]),
            key="tl_init",
            on_change=leave_preset,
        )
        sigma_w = st.slider(
            _("σ_w (scaled normal init)"),
            *SIGMA_W_RANGE,
            step=0.05,
            key="tl_sigma_w",
            on_change=leave_preset,
            disabled=init != "scaled_normal",
        )
    with st.expander(_("Training"), expanded=True):
        optimizer = st.selectbox(
            _("Optimiser"),
            options=list(OPTIMIZERS),
            format_func=lambda k: _(OPTIMIZER_LABELS[k]),
            key="tl_optimizer",
            on_change=leave_preset,
        )
        lr = st.select_slider(
            _("Learning rate (log scale)"),
            options=options_with(LEARNING_RATES, float(st.session_state.tl_lr)),
            format_func=format_lr,
            key="tl_lr",
            on_change=leave_preset,
        )
        momentum = st.slider(
            _("Momentum μ"),
            0.0,
            0.99,
            step=0.01,
            key="tl_momentum",
            on_change=leave_preset,
            disabled=optimizer != "momentum",
        )
        batch = st.select_slider(
            _("Batch size"),
            options=options_with(BATCHES, st.session_state.tl_batch),
            key="tl_batch",
            on_change=leave_preset,
        )
        steps = st.select_slider(
            _("Training steps"),
            options=options_with(STEPS, st.session_state.tl_steps),
            key="tl_steps",
            on_change=leave_preset,
        )
        record_every = st.select_slider(
            _("Record every (steps)"),
            options=options_with(RECORD_EVERY, st.session_state.tl_record),
            key="tl_record",
            on_change=leave_preset,
            help=_("How often loss, accuracy, dead units and gradients are measured on the full training set."),
        )
        seed = int(st.number_input(_("Seed"), 0, MAX_SEED, step=1, key="tl_seed", on_change=leave_preset))

page_warnings = Warnings()
if batch > n_samples:
    page_warnings.add(
        _("A batch of {batch} is more than the {n} training examples: training on the full set.").format(
            batch=batch, n=n_samples
        )
    )
configs: list[TrainConfig] = []
try:
    if act is None:
        raise ValueError(_("the formula was refused; fix it or choose another activation"))
    main_config = TrainConfig(
        dataset=dataset,
        n_samples=int(n_samples),
        noise=float(noise),
        activation=act,
        params=params,
        depth=int(depth),
        width=int(width),
        init=init,
        optimizer=optimizer,
        lr=float(lr),
        batch_size=int(min(batch, n_samples)),
        steps=int(steps),
        seed=seed,
        momentum=float(momentum),
        record_every=int(min(record_every, steps)),
        sigma_w=float(sigma_w) if init == "scaled_normal" else None,
    )
    configs.append(main_config)
    if compare:
        configs.append(dataclasses.replace(main_config, activation=fn2, params=params2))
except ValueError as err:
    page_warnings.add(_("This configuration cannot be trained: {error}").format(error=err))
cost = sum(c.cost() for c in configs)
too_big = cost > MAX_COST
if too_big:
    page_warnings.add(
        _(
            "This run is too large for a shared server (about {ops:.1g} multiply-adds): use fewer steps, "
            "training examples, layers or units."
        ).format(ops=cost)
    )

with plots:
    show_warnings(page_warnings)
    if preset in PRESET_INFO:
        st.info(_(PRESET_INFO[preset]["text"]), icon=":material/lightbulb:")
    with st.container(horizontal=True):
        run_clicked = st.button(
            _("Run"), key="tl_run", type="primary", icon=":material/play_arrow:", disabled=not configs or too_big
        )
        st.button(_("Stop"), key="tl_stop", icon=":material/stop:")  # any click interrupts a running Run
    bar = st.empty()
    run_key = tuple(c.key() for c in configs)
    stored = st.session_state.get("tl_results")
    if run_clicked and configs and not too_big:
        slots = {name: st.empty() for name in CHART_ORDER}
        live_run(configs, run_key, slots, bar)
        st.rerun()
    elif stored is not None and stored["key"] == run_key and configs:
        complete = stored.get("complete", False)
        if complete:
            bar.progress(1.0, text=_("Done: {steps} steps.").format(steps=max(c.steps for c in configs)))
        else:
            fraction, text = progress_text(stored["runs"], configs)
            bar.progress(fraction, text=text)
        results = [r for r in stored["runs"] if r is not None]
        if not complete:  # a Stop (or any other click) interrupted the run
            results = [r if r.finished or r.diverged else dataclasses.replace(r, stopped=True) for r in results]
        show_results(results, run_key, configs)
    elif configs and not too_big and sum(c.record_cost() for c in configs) <= MAX_PREVIEW_COST:
        st.info(
            _("Press Run to train this network; the plots show it before its first step and update while it learns."),
            icon=":material/play_arrow:",
        )
        show_results(initial_state(configs), run_key, configs, summary=False)
    else:  # nothing to train (or too big to preview): the data alone
        c = configs[0] if configs else DEFAULT_CONFIG
        if configs and not too_big:
            st.info(_("Press Run to train this network."), icon=":material/play_arrow:")
        data = datasets.make_dataset(c.dataset, c.n_samples, c.noise, c.seed)
        show_chart(dataset_figure(*data, lang=language()), f"training_{c.dataset}_data", key="tl_data")

base = PRESETS.get(preset, DEFAULT_CONFIG)
base_state = preset_state(preset)
state: dict[str, object] = {"preset": preset if preset in PRESETS else CUSTOM}
for name, value, default in (
    ("fn", fn, base_state["tl_fn"]),
    ("dataset", dataset, base.dataset),
    ("n", int(n_samples), base.n_samples),
    ("noise", float(noise), float(base.noise)),
    ("depth", int(depth), base.depth),
    ("width", int(width), base.width),
    ("init", init, base.init),
    ("sigma_w", float(sigma_w) if init == "scaled_normal" else base_state["tl_sigma_w"], base_state["tl_sigma_w"]),
    ("optimizer", optimizer, base.optimizer),
    ("lr", float(lr), float(base.lr)),
    ("momentum", float(momentum), float(base.momentum)),
    ("batch", int(batch), base.batch_size),
    ("steps", int(steps), base.steps),
    ("record", int(record_every), base.record_every),
    ("seed", seed, base.seed),
):
    if value != default:
        state[name] = format_number(value) if isinstance(value, float) else value
if fn == FORMULA:
    state[custom.FORMULA_KEY] = st.session_state.get("tl_formula", "")
    if act is not None:
        state.update(custom.to_url(act, params))
else:
    state.update(encode_activation_params({fn: params}))
if compare != base_state["tl_compare"] or (compare and fn2 != base_state["tl_fn2"]):
    state["compare"] = fn2 if compare else "none"
if compare:
    for p in activations.get(fn2).params:
        if not math.isclose(params2[p.name], p.default, abs_tol=1e-12):
            state[f"cmp.{p.name}"] = format_number(params2[p.name])
if state["preset"] == DEFAULT_PRESET and len(state) == 1:
    state = {}
sync_url(state)
