"""Reading page state from URL query parameters, defensively, and writing it back.

Every page's address is a shareable link. Values come from strangers, so each reader returns a sane
value and, when the raw text was unusable, a short warning naming the parameter; nothing here raises
on bad input. Pure functions of a ``{name: text}`` mapping, so pages and tests share them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import registry
from .i18n import N_, translator

MAX_TEXT = 200  # longer raw values are cut before they appear in a warning
ENGLISH = translator("en")


def _short(raw: object) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "…"


@dataclass
class Warnings:
    """Collects the user-facing warnings produced while reading a query."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


def parse_number(
    query: Mapping[str, str],
    name: str,
    default: float,
    lo: float,
    hi: float,
    warnings: Warnings,
    *,
    integer: bool = False,
    _: Callable[[str], str] = ENGLISH,
) -> float:
    """``query[name]`` as a number in [lo, hi]; missing -> default; unusable -> default + warning;
    out of range -> clamped + warning."""
    raw = query.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()[:MAX_TEXT]
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (integer and value != math.floor(value)):
        warnings.add(
            _("URL parameter “{name}” = “{raw}” is not a usable number; using {default}.").format(
                name=name, raw=_short(text), default=_format(default)
            )
        )
        return default
    clamped = min(max(value, lo), hi)
    if clamped != value:
        warnings.add(
            _("URL parameter “{name}” = {raw} is outside {lo}…{hi}; using {value}.").format(
                name=name, raw=_short(text), lo=_format(lo), hi=_format(hi), value=_format(clamped)
            )
        )
    return int(clamped) if integer else clamped


def parse_choice(
    query: Mapping[str, str],
    name: str,
    choices: Sequence[str],
    default: str,
    warnings: Warnings,
    *,
    _: Callable[[str], str] = ENGLISH,
) -> str:
    """``query[name]`` if it is one of ``choices``; otherwise default (+ a warning if it was given)."""
    raw = query.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    if text in choices:
        return text
    warnings.add(
        _("URL parameter “{name}” = “{raw}” is not one of {choices}; using {default}.").format(
            name=name, raw=_short(text), choices=", ".join(choices), default=default
        )
    )
    return default


def parse_flag(query: Mapping[str, str], name: str) -> bool:
    return str(query.get(name, "")).strip().lower() in {"1", "true", "yes", "on"}


def parse_activations(
    query: Mapping[str, str],
    warnings: Warnings,
    *,
    default: Sequence[str],
    max_count: int,
    extra: Sequence[str] = (),
    name: str = "fn",
    _: Callable[[str], str] = ENGLISH,
) -> list[str]:
    """``fn=relu,leaky_relu`` -> registry keys (plus any names in ``extra``, e.g. "custom"), unknown
    names dropped with a warning, duplicates removed, at most ``max_count``."""
    raw = query.get(name)
    if raw is None or str(raw).strip() == "":
        return list(default)
    valid = set(registry.names()) | set(extra)
    chosen: list[str] = []
    unknown: list[str] = []
    for item in str(raw)[: MAX_TEXT * 4].split(","):
        key = item.strip().lower()
        if not key:
            continue
        if key not in valid:
            unknown.append(key)
        elif key not in chosen:
            chosen.append(key)
    if unknown:
        shown = ", ".join(f"“{_short(k)}”" for k in unknown[:3]) + (" …" if len(unknown) > 3 else "")
        warnings.add(_("Unknown activation {names} in the URL was ignored.").format(names=shown))
    if len(chosen) > max_count:
        warnings.add(_("At most {n} activations can be compared; the rest were dropped.").format(n=max_count))
        chosen = chosen[:max_count]
    return chosen or list(default)


def parse_activation_params(
    query: Mapping[str, str],
    activation_names: Sequence[str],
    warnings: Warnings,
    *,
    _: Callable[[str], str] = ENGLISH,
) -> dict[str, dict[str, float]]:
    """Parameters of the selected activations from the URL.

    ``leaky_relu.alpha=0.2`` sets alpha for Leaky ReLU only; a bare ``alpha=0.2`` sets it for every
    selected activation that has an alpha (the qualified form wins). Values outside the parameter's
    slider range are clamped; unusable ones fall back to the default; both with a warning. The result
    always holds every parameter of every selected registry activation.
    """
    result: dict[str, dict[str, float]] = {}
    for fn in activation_names:
        try:
            act = registry.get(fn)
        except ValueError:
            continue
        values = {}
        for p in act.params:
            qualified = f"{fn}.{p.name}"
            key = qualified if qualified in query else p.name
            values[p.name] = parse_number(query, key, p.default, p.min, p.max, warnings, _=_)
        try:
            act.resolve(values)
        except ValueError as err:
            warnings.add(invalid_params_message(act, values, err, _))
            values = act.defaults
        result[fn] = values
    return result


INVALID_PARAMS = N_("{label}: the parameters {values} are not valid; using the defaults.")


def invalid_params_message(
    act: registry.Activation, values: Mapping[str, float], error: Exception, _: Callable[[str], str] = ENGLISH
) -> str:
    """The warning for parameter values ``act.resolve`` refused (e.g. Hardtanh with a = b = 0).

    The core's reasons (``ValueError`` texts such as "min_val (0) must be below max_val (0)") are English.
    English keeps that precise reason; a language whose catalog translates INVALID_PARAMS gets that
    sentence instead, with the values in the parameters' symbols ("a = 0, b = 0"), so it reads in one language.
    """
    if _(INVALID_PARAMS) == INVALID_PARAMS:
        reason = str(error).removeprefix(f"{act.label}: ")  # the core's reasons often start with the label
        return _("{label}: {error}; using the defaults.").format(label=act.label, error=reason)
    shown = ", ".join(f"{p.symbol} = {_format(float(values.get(p.name, p.default)))}" for p in act.params)
    return _(INVALID_PARAMS).format(label=act.label, values=shown)


def encode_activation_params(params: Mapping[str, Mapping[str, float]]) -> dict[str, str]:
    """The inverse of parse_activation_params: only values that differ from the default, qualified."""
    out = {}
    for fn, values in params.items():
        act = registry.get(fn)
        for p in act.params:
            value = values.get(p.name, p.default)
            if not math.isclose(value, p.default, rel_tol=0, abs_tol=1e-12):
                out[f"{fn}.{p.name}"] = _format(value)
    return out


def _format(value: float) -> str:
    """Short, exact enough text for a number in a URL or a message (0.2, 1e-05, 30)."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.6g}"


format_number = _format
