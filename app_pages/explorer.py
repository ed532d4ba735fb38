"""Function Explorer: overlay up to six activations, their derivatives, properties and formulas."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import activations
from activations import analysis, custom
from activations.figures.explorer import function_figure, sample_curve
from activations.i18n import N_
from activations.urlstate import (
    Warnings,
    encode_activation_params,
    format_number,
    parse_activation_params,
    parse_activations,
    parse_flag,
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

_ = tr()


def param_key(fn: str, name: str) -> str:
    return f"ex_{fn}.{name}"


def seed_from_url() -> None:
    """First visit: the URL decides the selection, parameters and range; bad values become warnings."""
    q, warnings = query(), Warnings()
    fns = parse_activations(q, warnings, default=DEFAULT_FUNCTIONS, max_count=MAX_FUNCTIONS, extra=(CUSTOM,), _=_)
    for fn, values in parse_activation_params(q, fns, warnings, _=_).items():
        for name, value in values.items():
            init_state(param_key(fn, name), value)
    formula, custom_values = custom.from_url(q, warnings, _=_)
    raw_formula = str(q.get(custom.FORMULA_KEY) or "")[: custom.MAX_LENGTH] if formula is None else formula.source
    init_state("ex_formula", raw_formula or DEFAULT_FORMULA)
    for name, value in custom_values.items():
        init_state(param_key(CUSTOM, name), value)
    init_state("ex_custom_range", max([5.0, *(math.ceil(abs(v)) for v in custom_values.values())]))
    x_min = parse_number(q, "xmin", -5.0, -X_LIMIT, X_LIMIT, warnings, _=_)
    x_max = parse_number(q, "xmax", 5.0, -X_LIMIT, X_LIMIT, warnings, _=_)
    if x_min >= x_max:
        warnings.add(_("xmin must be below xmax; using −5 to 5."))
        x_min, x_max = -5.0, 5.0
    init_state("ex_fns", fns)
    init_state("ex_xrange", (x_min, x_max))
    init_state("ex_second", parse_flag(q, "f2"))
    st.session_state["ex_url_warnings"] = warnings


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


if "ex_fns" not in st.session_state:
    seed_from_url()
show_warnings(st.session_state.pop("ex_url_warnings", Warnings()))

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
            init_state("ex_custom_range", 5.0)
            limit = st.number_input(
                _("Parameter slider range ±"), min_value=0.1, max_value=custom.PARAM_LIMIT, key="ex_custom_range"
            )
        values = param_sliders(act, lambda name, fn=fn: param_key(fn, name), limit=limit)
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


def url_state(fns, selection, formula, x_range, second) -> dict[str, str]:
    """What the address bar says about the page (defaults left out)."""
    state = {"fn": ",".join(fns)}
    state.update(encode_activation_params({fn: dict(params) for fn, params in selection if fn != CUSTOM}))
    if CUSTOM in fns:
        state[custom.FORMULA_KEY] = st.session_state.get("ex_formula", "")
        if formula is not None:
            state.update(custom.to_url(custom.parse(formula), dict(dict(selection)[CUSTOM])))
    if tuple(x_range) != (-5.0, 5.0):
        state.update(xmin=format_number(x_range[0]), xmax=format_number(x_range[1]))
    if second:
        state["f2"] = "1"
    return state


@st.fragment
def explorer() -> None:
    """Controls, chart, formulas and properties. A fragment: moving a slider reruns only this, not the
    app's navigation and sidebar (language switch, export panel), so the chart comes back sooner."""
    controls, plot = st.columns([1, 3], gap="medium")
    with controls:
        fns = st.multiselect(
            _("Activations (up to 6)"),
            options=[*activations.names(), CUSTOM],
            format_func=lambda n: _("Your own formula") if n == CUSTOM else activations.get(n).label,
            max_selections=MAX_FUNCTIONS,
            placeholder=_("Choose activations"),
            key="ex_fns",
        )
        selection, formula = activation_controls(fns)
        x_range = st.slider(_("x range"), min_value=-X_LIMIT, max_value=X_LIMIT, step=0.5, key="ex_xrange")
        if x_range[0] >= x_range[1]:
            x_range = (x_range[0], x_range[0] + 0.5) if x_range[0] < X_LIMIT else (X_LIMIT - 0.5, X_LIMIT)
        x_range = tuple(x_range)
        second = st.toggle(_("Show f″ (numerical)"), key="ex_second")
        init_state("ex_annotations", list(ANNOTATIONS))
        annotate = st.multiselect(
            _("Teaching annotations"),
            options=list(ANNOTATIONS),
            format_func=lambda a: _(ANNOTATIONS[a]),
            key="ex_annotations",
        )

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
    sync_url(url_state(fns, selection, formula, x_range, second))


explorer()
