"""Function Explorer: overlay up to six activations, their derivatives, properties and formulas."""

from __future__ import annotations

import numpy as np
import streamlit as st

import activations
from activations import custom
from activations.figures.explorer import function_figure, sample_curve
from activations.figures.sweeps import explorer_sweep_figure
from activations.i18n import N_
from activations.pagestate import (
    ActivationParams,
    Activations,
    Choices,
    Flag,
    Formula,
    Interval,
    Number,
    PageControls,
    Sweep,
    param_key,
)
from activations.sweeps import parse_explorer_sweep
from activations.urlstate import format_number
from ui.common import formula_box, language, param_sliders, plain, tr
from ui.explorer import show_formulas, show_properties
from ui.export_panel import show_chart, show_sweep_chart
from ui.page import setup
from ui.state import seed, sync, widget

MAX_FUNCTIONS = 6
X_LIMIT = 20.0
DEFAULT_FUNCTIONS = ["sigmoid", "tanh", "relu"]
DEFAULT_FORMULA = "x * sigmoid(beta * x)"
CUSTOM = custom.NAME
ANNOTATIONS = {
    "dead": N_("zero-gradient regions"),
    "kinks": N_("kinks"),
    "peak": N_("peak of f′"),
    "saturation": N_("saturation"),
}

FUNCTIONS = Activations("ex_fns", "fn", MAX_FUNCTIONS, N_("Activations (up to 6)"))
X_RANGE = Interval("ex_xrange", "xmin", "xmax", -X_LIMIT, X_LIMIT, (-5.0, 5.0), N_("x range"), step=0.5)
SECOND = Flag("ex_second", "f2", N_("Show f″ (numerical)"))
# Not in the URL: how far the formula's parameter sliders reach, and which teaching marks are drawn.
CUSTOM_RANGE = Number("ex_custom_range", "", 0.1, custom.PARAM_LIMIT, N_("Parameter slider range ±"), input=True)
MARKS = Choices("ex_annotations", "", tuple(ANNOTATIONS), len(ANNOTATIONS), N_("Teaching annotations"))


def chosen(values, formula: str | None) -> list:
    """The chosen activations as objects (a refused formula left out)."""
    acts = []
    for fn in values.get(FUNCTIONS.key) or []:
        try:
            acts.append(custom.resolve(fn, formula))
        except custom.FormulaError:
            pass
    return acts


def parse_sweep(raw, values, _):
    target, warning = parse_explorer_sweep(raw, chosen(values, values.get("ex_formula")), _=_)
    return (".".join(target) if target else None), warning


SWEEP = Sweep("ex_sweep", "sweep", parse_sweep, N_("Live in the chart (an in-figure slider)"))
CONTROLS = PageControls(
    (
        FUNCTIONS,
        ActivationParams("ex_", FUNCTIONS.key),
        Formula("ex_formula", "ex_", FUNCTIONS.key, DEFAULT_FORMULA, range_key="ex_custom_range"),
        X_RANGE,
        SECOND,
        SWEEP,
    ),
    defaults={FUNCTIONS.key: DEFAULT_FUNCTIONS, SECOND.key: False},
)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def cached_figure(selection: tuple, formula: str | None, x_range: tuple, second: bool, annotate: tuple, lang: str):
    acts = [custom.resolve(fn, formula) for fn, _params in selection]
    params = [dict(values) for _fn, values in selection]
    curves = [sample_curve(act, p, *x_range, second=second) for act, p in zip(acts, params, strict=True)]
    symbols = {act.name: {p.name: p.symbol for p in act.params} for act in acts}
    return function_figure(curves, symbols, show_second=second, annotate=annotate, lang=lang)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def cached_sweep(selection: tuple, formula: str | None, target: str, x_range: tuple, second: bool, annotate: tuple,
                 bounds: tuple | None, lang: str):  # fmt: skip
    fn, param = target.split(".", 1)
    chosen_acts = [(custom.resolve(name, formula), dict(values)) for name, values in selection]
    return explorer_sweep_figure(chosen_acts, fn, param, x_range, show_second=second, annotate=annotate,
                                 lang=lang, bounds=bounds)  # fmt: skip


setup()
_ = tr()
seed(CONTROLS)

st.title(_("Function Explorer"))
st.caption(
    _(
        "Each activation f and its exact derivative f′, in the same colour. At a kink the derivative takes "
        "PyTorch's value (e.g. ReLU′(0) = 0, Leaky ReLU′(0) = α), drawn as a dot."
    )
)


def activation_controls(fns: list[str]) -> tuple[list[tuple[str, tuple]], str | None]:
    """The formula box and parameter sliders of the chosen activations: (selection, formula), where
    selection holds (name, sorted parameter items) per usable activation."""
    selection, formula = [], None
    for fn in fns:
        if fn == CUSTOM:
            act = formula_box("ex_formula", DEFAULT_FORMULA)
            if act is None:
                continue
            formula = act.source
        else:
            act = activations.get(fn)
        if act.params:
            st.markdown(f"**{plain(act.label)}**")
        limit = None
        if fn == CUSTOM and act.params:
            limit = widget(CUSTOM_RANGE, default=5.0)
        values = param_sliders(act, lambda name, fn=fn: param_key("ex_", fn, name), limit=limit)
        if fn == CUSTOM:
            problem = custom.check_finite(act, np.linspace(-X_LIMIT, X_LIMIT, 801), values, _=_)
            if problem:
                st.warning(plain(problem), icon="⚠️")
        selection.append((fn, tuple(sorted(values.items()))))
    if fns and not selection:  # only a refused formula was chosen: keep something on screen
        st.info(_("Showing the default activations until the formula is accepted."))
        selection = [(fn, tuple(sorted(activations.get(fn).defaults.items()))) for fn in DEFAULT_FUNCTIONS]
    return selection, formula


def sweep_label(target: str, formula: str | None) -> str:
    """ "α of ELU" for "elu.alpha"; "none" for no sweep."""
    if not target:
        return _("none (the sliders on the left only)")
    fn, param = target.split(".", 1)
    act = custom.resolve(fn, formula)
    symbol = {p.name: p.symbol for p in act.params}.get(param, param)
    return f"{symbol} ({act.label})"


@st.fragment
def explorer() -> None:
    """Controls, chart, formulas and properties. A fragment: moving a slider reruns only this, not the
    app's navigation and sidebar (language switch, export panel), so the chart comes back sooner."""
    controls, plot = st.columns([1, 3], gap="medium")
    with controls:
        fns = st.multiselect(
            _(FUNCTIONS.label),
            wrap=True,
            options=[*activations.names(), CUSTOM],
            format_func=lambda n: _("Your own formula") if n == CUSTOM else activations.get(n).label,
            max_selections=MAX_FUNCTIONS,
            placeholder=_("Choose activations"),
            key=FUNCTIONS.key,
        )
        selection, formula = activation_controls(fns)
        x_range = widget(X_RANGE)
        if x_range[0] >= x_range[1]:
            x_range = (x_range[0], x_range[0] + 0.5) if x_range[0] < X_LIMIT else (X_LIMIT - 0.5, X_LIMIT)
        x_range = tuple(x_range)
        second = widget(SECOND)
        annotate = widget(MARKS, default=list(ANNOTATIONS), format_func=lambda a: _(ANNOTATIONS[a]))
        live = [f"{fn}.{p.name}" for fn, _p in selection for p in custom.resolve(fn, formula).params]
        if st.session_state.get(SWEEP.key) not in ("", *live):  # its activation was taken off
            st.session_state[SWEEP.key] = ""
        sweep = st.selectbox(
            _(SWEEP.label), ["", *live], format_func=lambda t: sweep_label(t, formula), key=SWEEP.key,
            help=_("The browser moves through values the server computed once."),
        )  # fmt: skip

    with plot:
        if not selection:
            st.info(_("Choose at least one activation."))
        else:
            marks = tuple(sorted(annotate))
            stem = "_".join(fn + "".join(f"_{k}-{format_number(v)}" for k, v in params) for fn, params in selection)
            if sweep:
                bounds = (
                    (-limit, limit)
                    if (limit := st.session_state.get(CUSTOM_RANGE.key)) and sweep.startswith(CUSTOM)
                    else None
                )
                with st.spinner(_("Computing every frame…")):
                    figure = cached_sweep(tuple(selection), formula, sweep, x_range, second, marks, bounds, language())
                show_sweep_chart(figure, stem or "activations", key="ex_chart", symbol=sweep_label(sweep, formula))
            else:
                figure = cached_figure(tuple(selection), formula, x_range, second, marks, language())
                show_chart(figure, stem or "activations", key="ex_chart")
    if selection:
        show_formulas(selection, formula)
        show_properties(selection, formula, x_range)
    sync(CONTROLS)


explorer()
