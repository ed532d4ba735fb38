"""The activation registry: one `Activation` per key, looked up with `get`.

Every page, the URL parser, the export command and the tests resolve activations through `get`, so an
activation registered in `activations/library.py` appears everywhere at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .i18n import N_

FAMILIES = (N_("rectifier"), N_("exponential"), N_("gated/smooth"), N_("sigmoid-like"), N_("shrinkage"), N_("other"))


@dataclass(frozen=True)
class Param:
    """A scalar parameter of an activation, with the slider range a user may explore."""

    name: str
    default: float
    min: float
    max: float
    step: float
    symbol: str
    help: str


@dataclass(frozen=True, eq=False)
class Activation:
    """An elementwise activation f with its exact derivative f', LaTeX and teaching metadata.

    ``forward`` and ``derivative_fn`` take an array and the parameters as keyword arguments (already
    validated floats). ``kinks(**params)`` lists the points where f' jumps; the value f' takes there
    follows PyTorch's autograd.
    """

    name: str
    label: str
    forward: Callable[..., np.ndarray]
    derivative_fn: Callable[..., np.ndarray]
    formula: str
    derivative_formula: str
    family: str
    params: tuple[Param, ...] = ()
    year: int | None = None
    paper: str = ""
    output_range: tuple[float, float] = (-math.inf, math.inf)
    monotonic: bool = True
    smooth: bool = True
    zero_centred: bool = False
    zero_gradient_region: bool = False
    frameworks: Mapping[str, str] = field(default_factory=dict)
    kinks: Callable[..., tuple[float, ...]] = lambda **_: ()
    kink_note: str = ""
    validate: Callable[..., None] = lambda **_: None
    summary: str = ""

    @property
    def bounded(self) -> bool:
        """Whether the output range is bounded on both sides (at the default parameters)."""
        return all(math.isfinite(v) for v in self.output_range)

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def resolve(self, params: Mapping[str, float] | None = None) -> dict[str, float]:
        """Fill in defaults and check every value: unknown names or non-finite values raise ValueError."""
        given = dict(params or {})
        known = {p.name for p in self.params}
        unknown = sorted(set(given) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"{self.label} has no parameter {', '.join(map(repr, unknown))} (its parameters: {allowed})"
            )
        resolved = {}
        for p in self.params:
            value = given.get(p.name, p.default)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.label}: parameter {p.name!r} must be a number, got {value!r}") from None
            if not math.isfinite(value):
                raise ValueError(f"{self.label}: parameter {p.name!r} must be finite, got {value!r}")
            resolved[p.name] = value
        self.validate(**resolved)
        return resolved

    def __call__(self, x, **params) -> np.ndarray:
        """f(x), elementwise; float32 stays float32, anything else becomes float64."""
        x = as_float_array(x)
        return np.asarray(self.forward(x, **self.resolve(params)), dtype=x.dtype)

    def derivative(self, x, **params) -> np.ndarray:
        """df/dx, elementwise, with PyTorch's value at kinks."""
        x = as_float_array(x)
        return np.asarray(self.derivative_fn(x, **self.resolve(params)), dtype=x.dtype)

    def kink_points(self, **params) -> tuple[float, ...]:
        return tuple(self.kinks(**self.resolve(params)))

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def as_float_array(x) -> np.ndarray:
    """An ndarray of floats: float32/float64 kept, anything else (ints, lists) as float64."""
    x = np.asarray(x)
    if x.dtype in (np.float32, np.float64):
        return x
    return x.astype(np.float64)


_REGISTRY: dict[str, Activation] = {}


def register(activation: Activation) -> Activation:
    if activation.name in _REGISTRY:
        raise ValueError(f"activation {activation.name!r} is registered twice")
    if activation.family not in FAMILIES:
        raise ValueError(f"{activation.name}: unknown family {activation.family!r}")
    _REGISTRY[activation.name] = activation
    return activation


def names() -> list[str]:
    """Registry keys grouped by family (in the order of FAMILIES), registration order within a family."""
    return [a.name for family in FAMILIES for a in _REGISTRY.values() if a.family == family]


def get(name: str) -> Activation:
    """The activation registered under ``name``; an unknown name raises ValueError listing valid keys."""
    if isinstance(name, Activation):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; valid keys: {', '.join(names())}") from None


def by_family() -> dict[str, list[str]]:
    return {family: [n for n in names() if _REGISTRY[n].family == family] for family in FAMILIES}
