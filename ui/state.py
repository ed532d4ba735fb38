"""URL <-> widget state for a page that declared its controls (``activations.pagestate``).

``seed(controls)`` on the page's first run this session puts the URL's values (or the defaults) into the
widgets' session keys and shows a warning for every unusable value; ``sync(controls)`` writes the widgets'
values back to the address bar, so it is always a shareable link. ``widget(field)`` draws the widget a
field declares (its label, range or choices come from the declaration).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from activations.pagestate import Choice, Choices, Flag, Interval, Number, NumberList, PageControls, Preset
from activations.urlstate import Warnings
from ui.common import init_state, query, show_warnings, sync_url, tr


def seed(controls: PageControls) -> None:
    """First run of the page this session (its widgets have no values yet): the URL decides every control."""
    if controls.first_key in st.session_state:
        return
    values, warnings = controls.read(query(), tr())
    for key, value in values.items():
        init_state(key, value)
    show_warnings(warnings)


def sync(controls: PageControls) -> None:
    """Make the address bar a link to what the widgets show."""
    sync_url(controls.write(st.session_state))


def apply_preset(preset: Preset) -> Callable[[], None]:
    """An on_change callback for the preset picker: the chosen preset's values into every widget."""

    def apply() -> None:
        name = st.session_state[preset.key]
        if name != preset.custom:
            st.session_state.update(preset.base(name))

    return apply


def leave_preset(preset: Preset) -> Callable[[], None]:
    """An on_change callback for every other control: a hand-made change is no longer the preset."""

    def leave() -> None:
        st.session_state[preset.key] = preset.custom

    return leave


_MISSING = object()


def widget(field, *, format_func: Callable | None = None, default=_MISSING, **kwargs):
    """The widget ``field`` declares, keyed by its session key; ``kwargs`` go to Streamlit (on_change,
    disabled, help, placeholder ...). ``default``: the value of a widget that has none yet this session
    (one the URL does not carry, or one Streamlit forgot while it was hidden). Returns the widget's value."""
    _ = tr()
    if isinstance(field, NumberList):
        return _number_list(field, **kwargs)
    if default is not _MISSING:
        init_state(field.key, default)
    label = _(field.label)
    if isinstance(field, Number):
        if field.options:
            current = st.session_state.get(field.key, field.options[0])
            return st.select_slider(
                label,
                options=field.options_for(current) if not field.snap else list(field.options),
                key=field.key,
                format_func=format_func or (lambda v: f"{v:g}"),
                help=_(field.help) if field.help else None,
                **kwargs,
            )
        kind = int if field.integer else float
        if field.input:
            step = kind(field.step) if field.step is not None else None
            return st.number_input(label, kind(field.lo), kind(field.hi), step=step, key=field.key, **kwargs)
        return st.slider(
            label,
            kind(field.lo),
            kind(field.hi),
            step=kind(field.step) if field.step is not None else None,
            key=field.key,
            help=_(field.help) if field.help else None,
            **kwargs,
        )
    if isinstance(field, Preset | Choice):
        labels = getattr(field, "labels", None)
        shown = format_func or ((lambda c: _(labels[c])) if labels else str)
        return st.selectbox(label, options=list(field.choices), format_func=shown, key=field.key, **kwargs)
    if isinstance(field, Choices):
        return st.multiselect(
            label,
            wrap=True,  # every chosen chip in view (in a column they would scroll in one row)
            options=list(field.choices),
            max_selections=field.max_count,
            key=field.key,
            format_func=format_func or str,
            **kwargs,
        )
    if isinstance(field, Flag):
        return st.toggle(label, key=field.key, **kwargs)
    if isinstance(field, Interval):
        return st.slider(label, field.limit_lo, field.limit_hi, step=field.step, key=field.key, **kwargs)
    raise TypeError(f"no widget for {type(field).__name__}")


def _number_list(field: NumberList, **kwargs) -> list[float]:
    """A slider for the count, then one slider per value (a new one starts at 0)."""
    _ = tr()
    n = st.slider(_(field.label), field.min_count, field.max_count, key=field.count_key, **kwargs)
    values = []
    for i in range(n):
        key = field.item_key.format(i)
        init_state(key, 0.0)
        values.append(st.slider(f"{field.symbol}{i + 1}", field.lo, field.hi, step=field.step, key=key, **kwargs))
    return values


__all__ = ["Warnings", "apply_preset", "leave_preset", "seed", "sync", "widget"]
