"""The pieces every page uses: the current language, URL sync, warnings, the formula box and parameter sliders."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np
import streamlit as st

from activations.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalise_language, translator
from activations.urlstate import Warnings, invalid_params_message

LANG_KEY = "lang"
EXPORT_KEYS = ("present", "theme", "figsize")


def query() -> dict[str, str]:
    """The current URL query as a plain {name: text} mapping (the last value of a repeated key)."""
    return {k: st.query_params[k] for k in st.query_params.keys()}


def language_switch() -> str:
    """The English / 简体中文 switch in the sidebar; the first run takes `lang=` from the URL."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = normalise_language(st.query_params.get("lang", DEFAULT_LANGUAGE))
    st.sidebar.segmented_control(
        "Language / 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_KEY,
        selection_mode="single",
        width="stretch",
    )
    if st.session_state.get(LANG_KEY) not in LANGUAGES:  # a segmented control can be deselected
        st.session_state[LANG_KEY] = DEFAULT_LANGUAGE
    return st.session_state[LANG_KEY]


def language() -> str:
    return st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)


def tr() -> Callable[[str], str]:
    """The translator for the session's language."""
    return translator(language())


def init_state(key: str, value) -> None:
    """Seed a widget's value (e.g. from the URL) only when the widget has none yet this session."""
    if key not in st.session_state:
        st.session_state[key] = value


MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:"})


def plain(text: str) -> str:
    """``text`` with every Markdown/LaTeX control character escaped, so URL text shows as typed."""
    return str(text).translate(MARKDOWN_SPECIALS)


def show_warnings(warnings: Warnings) -> None:
    """One warning box per message; messages quote URL text, so they are shown as plain text."""
    for message in warnings.messages:
        st.warning(plain(message), icon="⚠️")


def sync_url(state: Mapping[str, object]) -> None:
    """Make the address bar a shareable link to what is on screen (language kept, defaults omitted)."""
    params = {k: str(v) for k, v in state.items() if v is not None and v != ""}
    if language() != DEFAULT_LANGUAGE:
        params["lang"] = language()
    for sticky in EXPORT_KEYS:  # the export panel's (ui/export_panel.py) keeps its own
        if sticky in st.query_params and sticky not in params:
            params[sticky] = st.query_params[sticky]
    if params != query():
        st.query_params.from_dict(params)


def formula_box(key: str, default: str, on_change=None):
    """The "your own formula" text box shared by the pages: the parsed activation, or None after showing
    why the text was refused (the text stays in the box for fixing)."""
    from activations import custom

    _ = tr()
    init_state(key, default)
    text = st.text_input(
        _("Your formula f(x)"), key=key, max_chars=custom.MAX_LENGTH, help=custom.syntax_help(_), on_change=on_change
    )
    try:
        return custom.parse(text)
    except custom.FormulaError as err:
        st.error(plain(err.message(_)), icon="🚫")
        return None


def param_label(p) -> str:
    """A parameter's slider label: "alpha (α)" in English; the symbol alone in other languages (its name is
    a Python identifier, English either way)."""
    return f"{p.name} ({p.symbol})" if language() == DEFAULT_LANGUAGE or p.name == p.symbol else p.symbol


def param_sliders(act, key_of: Callable[[str], str], *, on_change=None, label_prefix: str = "", limit=None):
    """One slider per parameter of activation ``act`` (its name and symbol, range, step and help from
    its Param spec); ``key_of(param name)`` is the widget key. ``limit`` (custom formulas) replaces every
    range with ±limit. Values that ``act`` refuses together (Hardtanh with min_val ≥ max_val) give a
    warning and the defaults."""
    _ = tr()
    values = {}
    for p in act.params:
        if limit is not None:
            p = dataclasses.replace(p, min=-limit, max=limit)
        key = key_of(p.name)
        init_state(key, p.default)
        st.session_state[key] = float(np.clip(st.session_state[key], p.min, p.max))
        values[p.name] = st.slider(
            label_prefix + param_label(p),
            min_value=float(p.min),
            max_value=float(p.max),
            step=float(p.step),
            key=key,
            help=_(p.help),
            on_change=on_change,
        )
    try:
        act.resolve(values)
    except ValueError as err:
        st.warning(plain(invalid_params_message(act, values, err, _)), icon="⚠️")
        values = act.defaults
    return values
