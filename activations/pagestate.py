"""A page's controls, declared once: what each widget holds, its URL name, its range or choices, its label.

Every page of the app is a shareable link. A page lists its controls as fields; this module turns a URL
query into widget values (with a warning for every unusable value, never an exception) and widget values
back into the shortest query that reproduces them. Pure functions of plain mappings, so pages, the
Streamlit layer (``ui.state``) and the tests share them.

A field reads from the query into one or more session keys and writes those keys back to the URL.
``base`` holds the defaults by session key (a preset's values, or the page's plain defaults): a value
equal to its base value is left out of the URL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import custom, registry
from .urlstate import (
    ENGLISH,
    MAX_TEXT,
    Warnings,
    encode_activation_params,
    format_number,
    parse_activation_params,
    parse_activations,
    parse_choice,
    parse_flag,
    parse_number,
)

Translate = Callable[[str], str]
State = Mapping[str, object]

APP_KEYS = ("lang", "present", "theme", "figsize")  # URL names that belong to the app, not to a page


@dataclass(frozen=True)
class Number:
    """A number in [lo, hi]: a slider, or a select-slider over ``options``.

    A URL value between the options is added to them (``options_for``), or with ``snap`` moved to the
    nearest option on a log scale, with a warning. ``when(state)`` false: the value is not in the URL
    (e.g. σ_w while the initialisation that uses it is not chosen); an empty ``url``: never."""

    key: str
    url: str
    lo: float
    hi: float
    label: str = ""
    step: float | None = None
    integer: bool = False
    options: tuple[float, ...] = ()
    snap: bool = False
    help: str = ""
    when: Callable[[State], bool] | None = None
    input: bool = False  # a number box instead of a slider

    def read(self, query: Mapping[str, str], base: State, values: dict, warnings: Warnings, _: Translate) -> dict:
        if not self.url:
            return {}
        value = parse_number(query, self.url, base[self.key], self.lo, self.hi, warnings, integer=self.integer, _=_)
        if self.snap and self.options and value not in self.options:
            near = nearest_option(self.options, value)
            warnings.add(
                _("URL parameter “{name}” = {raw} is shown as the nearest slider value, {near}.").format(
                    name=self.url, raw=format_number(value), near=format_number(near)
                )
            )
            value = near
        return {self.key: int(value) if self.integer else float(value)}

    def write(self, state: State, base: State) -> dict[str, str]:
        if not self.url or (self.when is not None and not self.when(state)):
            return {}
        value = state.get(self.key, base[self.key])
        return {} if _same(value, base[self.key]) else {self.url: format_number(value)}

    def options_for(self, current) -> list:
        """The select-slider's steps, with a value from the URL that is not one of them added in place."""
        return sorted({*self.options, int(current) if self.integer else float(current)})


def nearest_option(options: Sequence[float], value: float) -> float:
    """The option nearest ``value`` on a log scale (options and value positive)."""
    return min(options, key=lambda option: abs(math.log(option) - math.log(value)))


@dataclass(frozen=True)
class Choice:
    """One of ``choices`` (a selectbox); ``aliases`` are older URL names read in place of ``url``."""

    key: str
    url: str
    choices: tuple[str, ...]
    label: str = ""
    labels: Mapping[str, str] | None = None  # choice -> msgid shown for it
    aliases: tuple[str, ...] = ()

    def read(self, query, base, values, warnings, _) -> dict:
        name = next((n for n in (self.url, *self.aliases) if n in query), self.url)
        return {
            self.key: parse_choice({self.url: query.get(name)}, self.url, self.choices, base[self.key], warnings, _=_)
        }

    def write(self, state, base) -> dict[str, str]:
        value = state.get(self.key, base[self.key])
        return {} if value == base[self.key] else {self.url: str(value)}


@dataclass(frozen=True)
class Flag:
    """On or off (a toggle): ``f2=1``."""

    key: str
    url: str
    label: str = ""

    def read(self, query, base, values, warnings, _) -> dict:
        return {self.key: parse_flag(query, self.url) if self.url in query else bool(base[self.key])}

    def write(self, state, base) -> dict[str, str]:
        value = bool(state.get(self.key, base[self.key]))
        return {} if value == bool(base[self.key]) else {self.url: "1" if value else "0"}


@dataclass(frozen=True)
class Choices:
    """Several of ``choices``, in order, at most ``max_count`` (a multiselect): ``init=he_normal,xavier_normal``."""

    key: str
    url: str
    choices: tuple[str, ...]
    max_count: int
    label: str = ""
    too_many: str = ""  # msgid with {n}: the warning when more than max_count are given

    def read(self, query, base, values, warnings, _) -> dict:
        raw = query.get(self.url) if self.url else None
        if raw is None or not str(raw).strip():
            return {self.key: list(base[self.key])} if self.key in base else {}
        chosen: list[str] = []
        for item in str(raw)[: MAX_TEXT * 2].split(","):
            name = parse_choice({self.url: item}, self.url, self.choices, "", warnings, _=_)
            if name and name not in chosen:
                chosen.append(name)
        if len(chosen) > self.max_count and self.too_many:
            warnings.add(_(self.too_many).format(n=self.max_count))
        return {self.key: chosen[: self.max_count] or list(base[self.key])}

    def write(self, state, base) -> dict[str, str]:
        if not self.url:
            return {}
        value = list(state.get(self.key, base[self.key]))
        return {} if value == list(base[self.key]) else {self.url: ",".join(value)}


@dataclass(frozen=True)
class Activations:
    """Registry activations (and "custom", the typed formula, with ``formula``), at most ``max_count``:
    ``fn=relu,leaky_relu``. Unknown names are dropped with a warning."""

    key: str
    url: str
    max_count: int
    label: str = ""
    formula: bool = True

    def read(self, query, base, values, warnings, _) -> dict:
        extra = (custom.NAME,) if self.formula else ()
        default = list(base[self.key])
        return {
            self.key: parse_activations(query, warnings, default=default, max_count=self.max_count, extra=extra, _=_)
        }

    def write(self, state, base) -> dict[str, str]:
        value = list(state.get(self.key, base[self.key]))
        return {} if value == list(base[self.key]) else {self.url: ",".join(value)}


def chosen_activations(state: State, key: str) -> list[str]:
    """The registry names held under ``key`` (a multiselect's list or a selectbox's one name)."""
    value = state.get(key) or []
    names = [value] if isinstance(value, str) else list(value)
    return [n for n in names if n in registry.names()]


def param_key(prefix: str, fn: str, name: str) -> str:
    """The session key of activation ``fn``'s parameter ``name`` on a page (``gf_`` + ``elu.alpha``)."""
    return f"{prefix}{fn}.{name}"


@dataclass(frozen=True)
class ActivationParams:
    """The parameters of the activations chosen under ``of``: ``leaky_relu.alpha=0.2``, or a bare
    ``alpha=0.2`` for every chosen activation with an α. With ``url_prefix`` (e.g. "cmp") the URL names
    are ``cmp.alpha`` instead. Values missing from the URL keep their base value (a preset's), else the
    parameter's default."""

    prefix: str
    of: str
    url_prefix: str = ""
    when: Callable[[State], bool] | None = None  # false: left out of the URL

    def read(self, query, base, values, warnings, _) -> dict:
        names = chosen_activations(values, self.of)
        out = {}
        if self.url_prefix:
            for fn in names:
                for p in registry.get(fn).params:
                    key = param_key(self.prefix, fn, p.name)
                    default = float(base.get(key, p.default))
                    url = f"{self.url_prefix}.{p.name}"
                    out[key] = float(parse_number(query, url, default, p.min, p.max, warnings, _=_))
            return out
        parsed = parse_activation_params(query, names, warnings, _=_)
        for fn, params in parsed.items():
            for name, value in params.items():
                key = param_key(self.prefix, fn, name)
                explicit = f"{fn}.{name}" in query or name in query
                out[key] = value if explicit or key not in base else float(base[key])
        return out

    def values(self, state: State, fn: str) -> dict[str, float]:
        act = registry.get(fn)
        return {p.name: float(state.get(param_key(self.prefix, fn, p.name), p.default)) for p in act.params}

    def write(self, state, base) -> dict[str, str]:
        if self.when is not None and not self.when(state):
            return {}
        names = chosen_activations(state, self.of)
        if self.url_prefix:
            out = {}
            for fn in names:
                for p in registry.get(fn).params:
                    value = self.values(state, fn)[p.name]
                    if not math.isclose(value, p.default, rel_tol=0, abs_tol=1e-12):
                        out[f"{self.url_prefix}.{p.name}"] = format_number(value)
            return out
        return encode_activation_params({fn: self.values(state, fn) for fn in names})


@dataclass(frozen=True)
class Formula:
    """A typed formula (``formula=x*sigmoid(beta*x)``) and its parameters (``custom.beta=1.5``), shown when
    "custom" is among the activations under ``of``. A refused formula keeps its text (for fixing) and
    warns. ``range_key``: a slider-range widget that must hold the URL's parameter values."""

    key: str
    prefix: str
    of: str
    default: str
    range_key: str = ""

    def chosen(self, state: State) -> bool:
        value = state.get(self.of) or []
        return custom.NAME in ([value] if isinstance(value, str) else value)

    def read(self, query, base, values, warnings, _) -> dict:
        act, params = custom.from_url(query, warnings, _=_)
        raw = str(query.get(custom.FORMULA_KEY) or "")[: custom.MAX_LENGTH] if act is None else act.source
        out: dict[str, object] = {self.key: raw or self.default}
        for name, value in params.items():
            out[param_key(self.prefix, custom.NAME, name)] = value
        if self.range_key:
            out[self.range_key] = float(max([5.0, *(math.ceil(abs(v)) for v in params.values())]))
        return out

    def write(self, state, base) -> dict[str, str]:
        if not self.chosen(state):
            return {}
        text = str(state.get(self.key, ""))
        try:
            act = custom.parse(text)
        except custom.FormulaError:
            return {custom.FORMULA_KEY: text}
        params = {p.name: float(state.get(param_key(self.prefix, custom.NAME, p.name), p.default)) for p in act.params}
        return custom.to_url(act, params) | {custom.FORMULA_KEY: text}


@dataclass(frozen=True)
class NumberList:
    """A variable number of values in [lo, hi] (``z=3,1,0.2``): the count under ``count_key``, the values
    under ``item_key.format(i)``; between ``min_count`` and ``max_count`` of them."""

    count_key: str
    item_key: str
    url: str
    lo: float
    hi: float
    min_count: int
    max_count: int
    default: tuple[float, ...]
    label: str = ""  # the count slider's
    symbol: str = "z"  # the value sliders are labelled z1, z2, ...
    step: float = 0.1

    def read(self, query, base, values, warnings, _) -> dict:
        numbers = self._parse(query, warnings, _)
        return {self.count_key: len(numbers)} | {self.item_key.format(i): v for i, v in enumerate(numbers)}

    def _parse(self, query, warnings, _) -> list[float]:
        raw = query.get(self.url)
        if raw is None or not str(raw).strip():
            return list(self.default)
        items = str(raw)[: MAX_TEXT * 2].split(",")
        numbers = [parse_number({self.url: i}, self.url, 0.0, self.lo, self.hi, warnings, _=_) for i in items]
        if len(items) > self.max_count:
            warnings.add(_("At most {n} logits; the rest were dropped.").format(n=self.max_count))
        if len(numbers) < self.min_count:
            warnings.add(_("Softmax needs at least {n} logits; using the default logits.").format(n=self.min_count))
            return list(self.default)
        return numbers[: self.max_count]

    def current(self, state: State) -> tuple[float, ...]:
        n = int(state.get(self.count_key, len(self.default)))
        return tuple(float(state.get(self.item_key.format(i), 0.0)) for i in range(n))

    def write(self, state, base) -> dict[str, str]:
        values = self.current(state)
        return {} if values == tuple(self.default) else {self.url: ",".join(format_number(v) for v in values)}


@dataclass(frozen=True)
class Interval:
    """A range slider's (lo, hi) as two URL values (``xmin=-3&xmax=3``) inside [limit_lo, limit_hi]."""

    key: str
    url_lo: str
    url_hi: str
    limit_lo: float
    limit_hi: float
    default: tuple[float, float]
    label: str = ""
    step: float | None = None

    def read(self, query, base, values, warnings, _) -> dict:
        lo = parse_number(query, self.url_lo, self.default[0], self.limit_lo, self.limit_hi, warnings, _=_)
        hi = parse_number(query, self.url_hi, self.default[1], self.limit_lo, self.limit_hi, warnings, _=_)
        if lo >= hi:
            warnings.add(
                _("{lo} must be below {hi}; using {a} to {b}.").format(
                    lo=self.url_lo, hi=self.url_hi, a=_signed(self.default[0]), b=_signed(self.default[1])
                )
            )
            lo, hi = self.default
        return {self.key: (float(lo), float(hi))}

    def write(self, state, base) -> dict[str, str]:
        lo, hi = (float(v) for v in state.get(self.key, self.default))
        if (lo, hi) == tuple(self.default):
            return {}
        return {self.url_lo: format_number(lo), self.url_hi: format_number(hi)}


@dataclass(frozen=True)
class Compare:
    """A second activation to train beside the first: ``compare=elu`` (on, with ELU) or ``compare=none``."""

    toggle_key: str
    fn_key: str

    OFF = ("none", "off", "0", "false", "no")

    def read(self, query, base, values, warnings, _) -> dict:
        text = str(query.get("compare", "")).strip().lower()
        if text in self.OFF:
            return {self.toggle_key: False, self.fn_key: base[self.fn_key]}
        if not text:
            return {self.toggle_key: bool(base[self.toggle_key]), self.fn_key: base[self.fn_key]}
        fn = parse_choice({"compare": text}, "compare", registry.names(), base[self.fn_key], warnings, _=_)
        return {self.toggle_key: True, self.fn_key: fn}

    def write(self, state, base) -> dict[str, str]:
        on, fn = bool(state.get(self.toggle_key)), state.get(self.fn_key, base[self.fn_key])
        if on != bool(base[self.toggle_key]) or (on and fn != base[self.fn_key]):
            return {"compare": fn if on else "none"}
        return {}


@dataclass(frozen=True)
class Sweep:
    """Which value moves live in the browser (an in-figure slider): ``sweep=elu.alpha``. ``parse(raw,
    values, _)`` is the page's check of the text against what is on screen, (value or None, warning or
    None); a refused value warns and leaves no sweep."""

    key: str
    url: str
    parse: Callable[[str | None, dict, Translate], tuple[str | None, str | None]]
    label: str = ""

    def read(self, query, base, values, warnings, _) -> dict:
        value, warning = self.parse(query.get(self.url), values, _)
        if warning:
            warnings.add(warning)
        return {self.key: value or ""}

    def write(self, state, base) -> dict[str, str]:
        value = state.get(self.key) or ""
        return {self.url: str(value)} if value else {}


@dataclass(frozen=True)
class Preset:
    """A preset picker whose choice sets the base values of every other field (``preset=born_dead``).

    A link with no preset opens ``default``, unless it sets any of the page's own values: then those are
    changes to ``custom``'s base. ``base(name)`` gives a preset's widget values."""

    key: str
    url: str
    choices: tuple[str, ...]
    default: str
    custom: str
    base: Callable[[str], dict]
    label: str = ""


@dataclass(frozen=True)
class PageControls:
    """Everything a page keeps in its URL: an optional preset, then fields read in order (a field may
    depend on the values of the fields before it, e.g. parameters on the chosen activations)."""

    fields: tuple
    preset: Preset | None = None
    defaults: Mapping[str, object] = field(default_factory=dict)  # the base without a preset

    @property
    def first_key(self) -> str:
        """A session key that exists once the page's widgets were seeded this session."""
        if self.preset is not None:
            return self.preset.key
        first = self.fields[0]
        return getattr(first, "key", None) or first.count_key

    def base(self, preset: str | None) -> dict:
        return dict(self.preset.base(preset)) if self.preset is not None else dict(self.defaults)

    def read(self, query: Mapping[str, str], _: Translate = ENGLISH) -> tuple[dict, Warnings]:
        """The widget values a URL query stands for, by session key, and the warnings about it."""
        warnings = Warnings()
        values: dict[str, object] = {}
        preset = None
        if self.preset is not None:
            p = self.preset
            own = [k for k in query if k not in APP_KEYS]
            fallback = p.custom if own else p.default
            preset = parse_choice(query, p.url, p.choices, fallback, warnings, _=_)
            values[p.key] = preset
        base = self.base(preset)
        for f in self.fields:
            values.update(f.read(query, base | values, values, warnings, _))
        return values, warnings

    def write(self, state: State) -> dict[str, str]:
        """The shortest query that reproduces ``state`` (values equal to the base are left out)."""
        preset = None
        if self.preset is not None:
            preset = state.get(self.preset.key, self.preset.default)
            preset = preset if preset in self.preset.choices else self.preset.custom
        base = self.base(preset)
        params: dict[str, str] = {}
        for f in self.fields:
            params.update(f.write(state, base))
        p = self.preset
        if p is not None and (preset != p.default or (params and preset != p.custom)):
            params = {p.url: str(preset)} | params
        return params


def _same(a, b) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)
    except (TypeError, ValueError):
        return a == b


def _signed(value: float) -> str:
    """A number for reading, with a true minus sign (−5, not -5)."""
    return format_number(value).replace("-", "−")
