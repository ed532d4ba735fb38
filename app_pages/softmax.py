"""Softmax: logits to probabilities, the Jacobian, temperature, and the link to the sigmoid."""

from __future__ import annotations

import math

import streamlit as st

from activations.figures.softmax import bars_figure, jacobian_figure, sigmoid_link_figure, temperature_figure
from activations.urlstate import Warnings, format_number, parse_number
from ui.common import init_state, language, query, show_chart, show_warnings, sync_url, tr

MIN_CLASSES, MAX_CLASSES = 2, 8
LOGIT_LIMIT = 10.0
DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
# Temperature on a log scale: round numbers from 10^-2 to 10^2, evenly spread in log T.
TEMPERATURES = (*(float(f"{m * 10.0**e:.3g}") for e in range(-2, 2) for m in (1, 1.5, 2, 3, 5, 7)), 100.0)

_ = tr()


def nearest_temperature(t: float) -> float:
    return min(TEMPERATURES, key=lambda option: abs(math.log(option) - math.log(t)))


def parse_logits(q: dict, warnings: Warnings) -> list[float]:
    raw = q.get("z")
    if raw is None or not str(raw).strip():
        return list(DEFAULT_LOGITS)
    items = str(raw)[:400].split(",")
    logits = []
    for item in items[:MAX_CLASSES]:
        logits.append(parse_number({"z": item}, "z", 0.0, -LOGIT_LIMIT, LOGIT_LIMIT, warnings, _=_))
    if len(items) > MAX_CLASSES:
        warnings.add(_("At most {n} logits; the rest were dropped.").format(n=MAX_CLASSES))
    if len(logits) < MIN_CLASSES:
        warnings.add(_("Softmax needs at least {n} logits; using the default logits.").format(n=MIN_CLASSES))
        return list(DEFAULT_LOGITS)
    return logits


def seed_from_url() -> None:
    q, warnings = query(), Warnings()
    logits = parse_logits(q, warnings)
    init_state("sm_n", len(logits))
    for i, value in enumerate(logits):
        init_state(f"sm_z{i}", value)
    t = parse_number(q, "t", 1.0, TEMPERATURES[0], TEMPERATURES[-1], warnings, _=_)
    if nearest_temperature(t) != t:
        warnings.add(
            _("Temperature {t} is shown as the nearest slider value, {near}.").format(
                t=format_number(t), near=format_number(nearest_temperature(t))
            )
        )
    init_state("sm_t", nearest_temperature(t))
    st.session_state["sm_url_warnings"] = warnings


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


if "sm_n" not in st.session_state:
    seed_from_url()
show_warnings(st.session_state.pop("sm_url_warnings", Warnings()))

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
        n = st.slider(_("Number of classes"), MIN_CLASSES, MAX_CLASSES, key="sm_n")
        logits = []
        for i in range(n):
            init_state(f"sm_z{i}", 0.0)
            logits.append(st.slider(f"z{i + 1}", -LOGIT_LIMIT, LOGIT_LIMIT, step=0.1, key=f"sm_z{i}"))
        temperature = st.select_slider(
            _("Temperature T (log scale)"), options=TEMPERATURES, format_func=lambda t: f"{t:g}", key="sm_t"
        )

    with plots:
        key = (tuple(logits), float(temperature), language())
        show_chart(cached_bars(*key), f"softmax_T-{format_number(temperature)}_probabilities", key="sm_bars")
        left, right = st.columns(2)
        with left:
            show_chart(cached_jacobian(*key), f"softmax_T-{format_number(temperature)}_jacobian", key="sm_jacobian")
        with right:
            show_chart(cached_sweep(*key), "softmax_temperature_sweep", key="sm_sweep")
        show_chart(cached_sigmoid_link(language()), "softmax_two_class_is_sigmoid", key="sm_sigmoid")

    state = {}
    if tuple(logits) != DEFAULT_LOGITS:
        state["z"] = ",".join(format_number(v) for v in logits)
    if temperature != 1.0:
        state["t"] = format_number(temperature)
    sync_url(state)


softmax_page()
