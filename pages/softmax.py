"""Softmax: logits to probabilities, the Jacobian, temperature, and the link to the sigmoid."""

from __future__ import annotations

import streamlit as st

from activations.figures.softmax import bars_figure, jacobian_figure, sigmoid_link_figure, temperature_figure
from activations.figures.sweeps import softmax_sweep_figure
from activations.i18n import N_
from activations.pagestate import Number, NumberList, PageControls, Sweep
from activations.sweeps import parse_softmax_sweep
from activations.urlstate import format_number
from ui.common import language, tr
from ui.export_panel import show_chart, show_sweep_chart
from ui.page import setup
from ui.state import seed, sync, widget

MIN_CLASSES, MAX_CLASSES = 2, 8
LOGIT_LIMIT = 10.0
DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
# Temperature on a log scale: round numbers from 10^-2 to 10^2, evenly spread in log T.
TEMPERATURES = (*(float(f"{m * 10.0**e:.3g}") for e in range(-2, 2) for m in (1, 1.5, 2, 3, 5, 7)), 100.0)

LOGITS = NumberList(
    "sm_n", "sm_z{}", "z", -LOGIT_LIMIT, LOGIT_LIMIT, MIN_CLASSES, MAX_CLASSES, DEFAULT_LOGITS, N_("Number of classes")
)
TEMPERATURE = Number(
    "sm_t", "t", TEMPERATURES[0], TEMPERATURES[-1], N_("Temperature T (log scale)"), options=TEMPERATURES, snap=True
)
SWEEP = Sweep(
    "sm_live", "sweep", lambda raw, values, _: parse_softmax_sweep(raw, int(values["sm_n"]), _=_),
    N_("Live in the charts (an in-figure slider)"),
)  # fmt: skip
CONTROLS = PageControls((LOGITS, TEMPERATURE, SWEEP), defaults={"sm_t": 1.0})


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_sweep_figure(figure: str, logits: tuple, temperature: float, target: str, lang: str):
    return softmax_sweep_figure(figure, logits, temperature, target, lang=lang)


def sweep_label(target: str) -> str:
    if not target:
        return _("none (the sliders on the left only)")
    return "T" if target == "t" else f"z{int(target[1:]) + 1}"  # z0 in the URL is the first logit, z1


# One cache per figure, each built right before it is shown: the first chart goes out while the
# others are still being drawn.
@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def cached_bars(logits: tuple, temperature: float, lang: str):
    return bars_figure(logits, temperature, lang)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def cached_jacobian(logits: tuple, temperature: float, lang: str):
    return jacobian_figure(logits, temperature, lang)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def cached_sweep(logits: tuple, temperature: float, lang: str):
    return temperature_figure(logits, temperature, lang)


@st.cache_data(max_entries=4, show_spinner=False)
def cached_sigmoid_link(lang: str):
    return sigmoid_link_figure(lang)


setup()
_ = tr()
seed(CONTROLS)

st.title(_("Softmax"))
st.caption(
    _(
        "softmax(z / T)ᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T) turns logits into probabilities. Its Jacobian "
        "∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)/T is what the gradient passes through: at low temperature one class "
        "takes all the probability and the Jacobian, and with it the gradient, goes to zero."
    )
)


@st.fragment
def softmax_page() -> None:
    """Controls and charts. A fragment: moving a slider reruns only this, not the app's navigation and
    sidebar (language switch, export panel), so the charts come back sooner."""
    controls, plots = st.columns([1, 3], gap="medium")
    with controls:
        logits = widget(LOGITS)
        temperature = widget(TEMPERATURE)
        targets = ["", "t", *(f"z{i}" for i in range(len(logits)))]
        if st.session_state.get(SWEEP.key) not in targets:  # that logit was taken away
            st.session_state[SWEEP.key] = ""
        sweep = st.selectbox(_(SWEEP.label), targets, format_func=sweep_label, key=SWEEP.key)

    with plots:
        key = (tuple(logits), float(temperature), language())
        stem = f"softmax_T-{format_number(temperature)}"
        if sweep:
            bars = cached_sweep_figure("bars", tuple(logits), float(temperature), sweep, language())
            show_sweep_chart(bars, stem + "_probabilities", key="sm_bars", symbol=sweep_label(sweep))
        else:
            show_chart(cached_bars(*key), stem + "_probabilities", key="sm_bars")
        left, right = st.columns(2)
        with left:
            if sweep:
                jacobian = cached_sweep_figure("jacobian", tuple(logits), float(temperature), sweep, language())
                show_chart(jacobian, stem + "_jacobian", key="sm_jacobian")
            else:
                show_chart(cached_jacobian(*key), stem + "_jacobian", key="sm_jacobian")
        with right:
            show_chart(cached_sweep(*key), "softmax_temperature_sweep", key="sm_sweep")
        show_chart(cached_sigmoid_link(language()), "softmax_two_class_is_sigmoid", key="sm_sigmoid")
    sync(CONTROLS)


softmax_page()
