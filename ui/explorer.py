"""The Function Explorer's text beside its chart: the formulas in LaTeX and the measured properties table."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from activations import analysis, custom
from activations.i18n import minus
from ui.common import tr

CUSTOM = custom.NAME


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
    return minus(f"{left}{end(lo)}, {end(hi)}{right}")


def yes_no(flag: bool) -> str:
    _ = tr()
    return _("yes") if flag else _("no")


def properties_table(selection, formula, x_range) -> dict[str, list[str]]:
    _ = tr()
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
            minus(f"{props.derivative_at_zero:.4g}"),
            minus(f"{props.derivative_min:.4g}"),
            minus(f"{props.derivative_max:.4g}"),
            str(act.year or "—"),
            act.paper or "—",
            act.frameworks.get("PyTorch", "—"),
            act.frameworks.get("Keras", "—"),
            act.frameworks.get("JAX", "—"),
        ]
        for row, value in zip(rows.values(), values, strict=True):
            row.append(value)
    return rows


def show_formulas(selection, formula: str | None) -> None:
    """f and f′ of each selection in LaTeX with the current parameter values, and the kink convention."""
    _ = tr()
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
    _ = tr()
    st.subheader(_("Properties"))
    st.caption(_("Measured numerically at the chosen parameters; f′ range over the plotted x range."))
    table = properties_table(selection, formula, x_range)
    labels = [custom.resolve(fn, formula).label for fn, _params in selection]
    columns = {label: [row[i] for row in table.values()] for i, label in enumerate(labels)}
    # A static table at its full height, long cells wrapped: a data grid would clip the last rows (the
    # paper, the framework names) inside an inner scroll.
    st.table(pd.DataFrame(columns, index=pd.Index(list(table), name="")), border="horizontal")
