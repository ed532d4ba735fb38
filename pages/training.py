"""Training Lab: train a small network on 2-D toy data and watch, live, units die, gradients vanish and
PReLU learn its slope; optionally two activations side by side with the same seed."""

from __future__ import annotations

import streamlit as st

import activations
from activations import custom, datasets
from activations.engine import ARCHITECTURE_LABELS, ARCHITECTURES
from activations.figures.gradient_flow import INIT_LABELS
from activations.figures.training import dataset_figure
from activations.i18n import N_
from activations.init import INITS
from activations.pagestate import (
    ActivationParams,
    Choice,
    Compare,
    Flag,
    Formula,
    Number,
    PageControls,
    Preset,
    param_key,
)
from activations.training import OPTIMIZERS, PRESET_COMPARE, PRESET_INFO, PRESETS, TrainConfig
from activations.urlstate import format_number
from ui.common import formula_box, language, param_sliders, plain, show_warnings, tr
from ui.export_panel import show_chart
from ui.page import setup
from ui.state import apply_preset, leave_preset, seed, sync, widget
from ui.training import initial_state, live_run, pytorch_panel, show_results, stored_results, train_configs

CUSTOM = "custom"  # the preset picker's "hand-made" entry
FORMULA = custom.NAME  # the activation picker's "your own formula" entry
DEFAULT_FORMULA = "x * tanh(softplus(x))"
DEFAULT_PRESET = "dying_relu"
DEFAULT_CONFIG = TrainConfig()
DEFAULT_COMPARE = ("leaky_relu", {"alpha": 0.01})
MAX_SEED = 2**31 - 1
WIDTHS = (2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256)
SAMPLES = (100, 200, 300, 500, 1000, 2000, 5000)
BATCHES = (8, 16, 32, 64, 128, 256, 500, 512, 1000, 2000, 5000)
STEPS = (50, 100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 5000)
RECORD_EVERY = (1, 2, 5, 10, 20, 50, 100)
# Log-spaced learning rates, 1-1.5-2-3-5-7 per decade, from 10⁻⁴ to 10.
LEARNING_RATES = (*(round(m * 10.0**k, 6) for k in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)), 10.0)
MAX_COST = 3e10  # multiply-adds of one Run (both runs in compare mode): about 10–20 s here
MAX_PREVIEW_COST = 2e9  # multiply-adds of the step-0 preview drawn on every rerun: well under a second
OPTIMIZER_LABELS = {"sgd": N_("SGD"), "momentum": N_("SGD with momentum"), "adam": N_("Adam")}
DATASET_LABELS = {
    "moons": N_("Two moons"),
    "circles": N_("Circles"),
    "spiral": N_("Spiral"),
    "xor": N_("XOR"),
    "blobs": N_("Three blobs"),
    "digits": N_("Handwritten digits (8×8 images, 10 classes)"),
    "csv": N_("Your own points (CSV upload)"),
}


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
        "tl_arch": cfg.architecture,
        "tl_test": cfg.test_size,
    }
    for p in cfg.act.params:
        state[param_key("tl_", cfg.activation_name, p.name)] = float(cfg.params[p.name])
    for p in activations.get(fn2).params:
        state[param_key("tl2_", fn2, p.name)] = float(params2.get(p.name, p.default))
    return state


def integer(key: str, url: str, label: str, lo: int, hi: int, options=(), **kw) -> Number:
    return Number(key, url, lo, hi, label, integer=True, options=options, **kw)


PRESET = Preset("tl_preset", "preset", (CUSTOM, *PRESETS), DEFAULT_PRESET, CUSTOM, preset_state, N_("Preset"))
FN = Choice("tl_fn", "fn", (*activations.names(), FORMULA), N_("Activation"), aliases=("activation",))
DATASET = Choice("tl_dataset", "dataset", (*datasets.ALL_DATASETS, datasets.CSV), N_("Data set"), DATASET_LABELS)
TEST_SIZE = integer("tl_test", "test_size", N_("Held-out test examples"), 0, 1000, (0, 100, 200, 297, 500, 1000))
ARCH = Choice("tl_arch", "architecture", ARCHITECTURES, N_("Architecture"), ARCHITECTURE_LABELS)
N_SAMPLES = integer("tl_n", "n", N_("Training examples"), SAMPLES[0], SAMPLES[-1], SAMPLES)
NOISE = Number("tl_noise", "noise", 0.0, 1.0, N_("Noise (σ)"), step=0.01)
DEPTH = integer("tl_depth", "depth", N_("Hidden layers"), 1, 20)
WIDTH = integer("tl_width", "width", N_("Units per layer"), WIDTHS[0], WIDTHS[-1], WIDTHS)
INIT = Choice("tl_init", "init", tuple(INITS), N_("Initialisation"), INIT_LABELS)
SIGMA_W = Number(
    "tl_sigma_w", "sigma_w", 0.1, 4.0, N_("σ_w (scaled normal init)"), step=0.05,
    when=lambda state: state.get("tl_init") == "scaled_normal",
)  # fmt: skip
OPTIMIZER = Choice("tl_optimizer", "optimizer", OPTIMIZERS, N_("Optimiser"), OPTIMIZER_LABELS)
LR = Number(
    "tl_lr", "lr", LEARNING_RATES[0], LEARNING_RATES[-1], N_("Learning rate (log scale)"), options=LEARNING_RATES
)
MOMENTUM = Number("tl_momentum", "momentum", 0.0, 0.99, N_("Momentum μ"), step=0.01)
BATCH = integer("tl_batch", "batch", N_("Batch size"), 1, BATCHES[-1], BATCHES)
STEP_COUNT = integer("tl_steps", "steps", N_("Training steps"), 1, STEPS[-1], STEPS)
RECORD = integer(
    "tl_record", "record", N_("Record every (steps)"), 1, RECORD_EVERY[-1], RECORD_EVERY,
    help=N_("How often loss, accuracy, dead units and gradients are measured on the full training set."),
)  # fmt: skip
SEED = integer("tl_seed", "seed", N_("Seed"), 0, MAX_SEED)
COMPARE = Compare("tl_compare", "tl_fn2")
COMPARE_TOGGLE = Flag("tl_compare", "compare", N_("Compare with a second activation (same seed)"))
CONTROLS = PageControls(
    (
        FN, DATASET, N_SAMPLES, NOISE, TEST_SIZE, DEPTH, WIDTH, ARCH, INIT, SIGMA_W, OPTIMIZER, LR, MOMENTUM, BATCH,
        STEP_COUNT, RECORD, SEED, Formula("tl_formula", "tl_", FN.key, DEFAULT_FORMULA),
        ActivationParams("tl_", FN.key), COMPARE,
        ActivationParams("tl2_", COMPARE.fn_key, url_prefix="cmp", when=lambda s: bool(s.get("tl_compare"))),
    ),
    preset=PRESET,
)  # fmt: skip
on_preset, on_change = apply_preset(PRESET), leave_preset(PRESET)


def csv_points():
    """The uploaded points (x, y, label per line), or None with the reason shown; a link cannot carry them."""
    upload = st.file_uploader(_("Your points: a CSV file of x, y, label"), type=["csv", "txt"], key="tl_csv")
    if upload is None:
        st.caption(_("Upload a file to train on it; a shared link does not carry the file."))
        return None
    points, message = datasets.parse_points_csv(upload.getvalue(), language())
    if points is None:
        st.error(plain(message), icon="🚫")
    return points


def activation_sliders(prefix: str, fn: str, act=None) -> dict[str, float]:
    act = act or activations.get(fn)
    key_of = lambda name: param_key(prefix, fn, name)  # noqa: E731
    return param_sliders(act, key_of, on_change=on_change, label_prefix=f"{plain(act.label)}: ")


setup()
_ = tr()
seed(CONTROLS)

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
    preset = widget(
        PRESET, format_func=lambda k: _("Custom") if k == CUSTOM else _(PRESET_INFO[k]["title"]), on_change=on_preset
    )
    label = lambda n: _("Your own formula") if n == FORMULA else activations.get(n).label  # noqa: E731
    fn = widget(FN, format_func=label, on_change=on_change)
    act = formula_box("tl_formula", DEFAULT_FORMULA, on_change=on_change) if fn == FORMULA else activations.get(fn)
    params = activation_sliders("tl_", fn, act) if act is not None else {}
    compare = widget(COMPARE_TOGGLE, on_change=on_change)
    fn2, params2 = DEFAULT_COMPARE
    if compare:
        fn2 = st.selectbox(
            _("Second activation"), options=activations.names(), format_func=label, key="tl_fn2", on_change=on_change
        )
        params2 = activation_sliders("tl2_", fn2)
    with st.expander(_("Data"), expanded=False):
        dataset = widget(DATASET, on_change=on_change)
        n_samples = widget(N_SAMPLES, on_change=on_change)
        noise = widget(NOISE, on_change=on_change)
        test_size = widget(TEST_SIZE, on_change=on_change)
        points = csv_points() if dataset == datasets.CSV else None
    with st.expander(_("Network"), expanded=True):
        depth = widget(DEPTH, on_change=on_change)
        width = widget(WIDTH, on_change=on_change)
        architecture = widget(ARCH, on_change=on_change)
        init = widget(INIT, on_change=on_change)
        sigma_w = widget(SIGMA_W, on_change=on_change, disabled=init != "scaled_normal")
    with st.expander(_("Training"), expanded=True):
        optimizer = widget(OPTIMIZER, on_change=on_change)
        lr = widget(LR, format_func=format_number, on_change=on_change)
        momentum = widget(MOMENTUM, on_change=on_change, disabled=optimizer != "momentum")
        batch = widget(BATCH, on_change=on_change)
        steps = widget(STEP_COUNT, on_change=on_change)
        record_every = widget(RECORD, on_change=on_change)
        seed_value = int(st.number_input(_(SEED.label), 0, MAX_SEED, step=1, key=SEED.key, on_change=on_change))

settings = dict(
    dataset=dataset, n_samples=int(n_samples), noise=float(noise), activation=act, params=params, depth=int(depth),
    width=int(width), init=init, optimizer=optimizer, lr=float(lr), batch_size=int(batch), steps=int(steps),
    seed=seed_value, momentum=float(momentum), record_every=int(record_every), architecture=architecture,
    test_size=int(test_size), points=points,
    sigma_w=float(sigma_w) if init == "scaled_normal" else None,
)  # fmt: skip
second = (fn2, params2) if compare else None
configs, too_big, page_warnings = train_configs(settings, second, MAX_COST, PRESET_COMPARE.get(preset))

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
    stored = stored_results(run_key, configs, bar)
    if run_clicked and configs and not too_big:
        live_run(configs, run_key, bar)
        st.rerun()
    elif stored is not None:
        show_results(stored, run_key, configs)
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
        if c.n_features == 2 and c.points is None:
            data = datasets.make_dataset(c.dataset, c.n_samples, c.noise, c.seed)
            show_chart(dataset_figure(*data, lang=language()), f"training_{c.dataset}_data", key="tl_data")
    if configs:
        pytorch_panel(configs)

sync(CONTROLS)
