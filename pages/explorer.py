"""Function Explorer: overlay up to six activations, their derivatives, properties and formulas."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import activations
from activations import analysis, custom
from activations.figures.explorer import function_figure, sample_curve
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
    param_key,
)
from activations.urlstate import format_number
from ui.common import formula_box, language, param_sliders, plain, tr
from ui.export_panel import show_chart
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
CONTROLS = PageControls(
    (
        FUNCTIONS,
        ActivationParams("ex_", FUNCTIONS.key),
        Formula("ex_formula", "ex_", FUNCTIONS.key, DEFAULT_FORMULA, range_key="ex_custom_range"),
        X_RANGE,
        SECOND,
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


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def cached_properties(fn: str, formula: str | None, params: tuple, x_range: tuple) -> analysis.Properties:
    act = custom.resolve(fn, formula)
    grid = analysis.evaluation_grid(*x_range, 2001, act.kink_points(**dict(params)))
    return analysis.properties(act, grid, dict(params))


def format_range(props: analysis.Properties) -> str:
    def end(v):
        return "∞" if v == math.inf else "−∞" if v == -math.inf else f"{v:.4g}"

    lo, hi = props.output_min, props.output_max
    left = "[" if props.output_min_attained else "("
    right = "]" if props.output_max_attained else ")"
    return f"{left}{end(lo)}, {end(hi)}{right}"


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def properties_table(selection, formula, x_range) -> dict[str, list[str]]:
    rows = {
        _("output range"): [],
        _("monotonic"): [],
        _("smooth (C¹)"): [],
        _("zero-centred"): [],
        _("bounded"): [],
        _("zero-gradient region"): [],
        _("f′(0)"): [],
        _("min f′ on the range"): [],
        _("max f′ on the range"): [],
        _("year"): [],
        _("paper"): [],
        "PyTorch": [],
        "Keras": [],
        "JAX": [],
    }
    for fn, params in selection:
        act = custom.resolve(fn, formula)
        props = cached_properties(fn, formula, params, x_range)
        values = [
            format_range(props),
            yes_no(props.monotonic),
            yes_no(props.smooth),
            yes_no(props.zero_centred),
            yes_no(props.bounded),
            yes_no(props.zero_gradient_region),
            f"{props.derivative_at_zero:.4g}",
            f"{props.derivative_min:.4g}",
            f"{props.derivative_max:.4g}",
            str(act.year or "—"),
            act.paper or "—",
            act.frameworks.get("PyTorch", "—"),
            act.frameworks.get("Keras", "—"),
            act.frameworks.get("JAX", "—"),
        ]
        for row, value in zip(rows.values(), values, strict=True):
            row.append(value)
    return rows


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


def show_formulas(selection, formula: str | None) -> None:
    """f and f′ of each selection in LaTeX with the current parameter values, and the kink convention."""
    st.subheader(_("Formulas"))
    for fn, params in selection:
        act = custom.resolve(fn, formula)
        values = ", ".join(f"{p.symbol} = {dict(params)[p.name]:.4g}" for p in act.params)
        suffix = rf"\qquad ({values})" if values else ""
        name = _("Your formula") if fn == CUSTOM else act.label
        st.latex(rf"\text{{{name}}}:\quad f(x) = {act.formula}{suffix}")
        st.latex(rf"f'(x) = {act.derivative_formula}")
        if act.summary:
            st.caption(_(act.summary))
        if act.kink_note:
            st.caption(_("At the kink: {note} (PyTorch's autograd convention).").format(note=_(act.kink_note)))


def show_properties(selection, formula: str | None, x_range: tuple) -> None:
    st.subheader(_("Properties"))
    st.caption(_("Measured numerically at the chosen parameters; f′ range over the plotted x range."))
    table = properties_table(selection, formula, x_range)
    labels = [custom.resolve(fn, formula).label for fn, _params in selection]
    columns = {label: [row[i] for row in table.values()] for i, label in enumerate(labels)}
    st.dataframe({"": list(table), **columns}, hide_index=True, width="stretch")


@st.fragment
def explorer() -> None:
    """Controls, chart, formulas and properties. A fragment: moving a slider reruns only this, not the
    app's navigation and sidebar (language switch, export panel), so the chart comes back sooner."""
    controls, plot = st.columns([1, 3], gap="medium")
    with controls:
        fns = st.multiselect(
            _(FUNCTIONS.label),
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

    with plot:
        if not selection:
            st.info(_("Choose at least one activation."))
        else:
            marks = tuple(sorted(annotate))
            figure = cached_figure(tuple(selection), formula, x_range, second, marks, language())
            stem = "_".join(fn + "".join(f"_{k}-{format_number(v)}" for k, v in params) for fn, params in selection)
            show_chart(figure, stem or "activations", key="ex_chart")
    if selection:
        show_formulas(selection, formula)
        show_properties(selection, formula, x_range)
    sync(CONTROLS)


explorer()
