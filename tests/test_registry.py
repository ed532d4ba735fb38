"""The registry's public contract (issue 2, §1): names, lookup, parameters and their validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from activation_cases import NAMES

import activations
from activations import FAMILIES, Param

# The table in issue 2: key -> {parameter: default}. Other issues and the acceptance checks use exactly
# these names, so they are pinned here, not read back from the code.
REQUIRED = {
    "relu": {},
    "relu6": {},
    "leaky_relu": {"alpha": 0.01},
    "prelu": {"alpha": 0.25},
    "rrelu": {"lower": 1 / 8, "upper": 1 / 3},
    "elu": {"alpha": 1.0},
    "selu": {},
    "celu": {"alpha": 1.0},
    "gelu": {},
    "gelu_tanh": {},
    "silu": {"beta": 1.0},
    "mish": {},
    "softplus": {"beta": 1.0, "threshold": 20.0},
    "sigmoid": {},
    "hardsigmoid": {},
    "log_sigmoid": {},
    "tanh": {},
    "hardtanh": {"min_val": -1.0, "max_val": 1.0},
    "hardswish": {},
    "tanhshrink": {},
    "softshrink": {"lambd": 0.5},
    "hardshrink": {"lambd": 0.5},
    "softsign": {},
    "identity": {},
    "binary_step": {},
}

LABELS = {"leaky_relu": "Leaky ReLU", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}

X = np.linspace(-4.0, 4.0, 81)


# --- names() and get() ------------------------------------------------------------------------------


def test_names_are_unique_strings_and_cover_the_required_keys():
    names = activations.names()
    assert all(isinstance(n, str) and n for n in names)
    assert len(names) == len(set(names))
    assert set(REQUIRED) <= set(names)
    assert len(names) >= 25


def test_names_are_grouped_by_family_in_the_order_of_families():
    families = [activations.get(n).family for n in activations.names()]
    # Each family forms one contiguous block, and the blocks follow FAMILIES.
    blocks = [f for i, f in enumerate(families) if i == 0 or f != families[i - 1]]
    assert len(blocks) == len(set(blocks)), f"a family is split: {blocks}"
    assert blocks == [f for f in FAMILIES if f in blocks]


def test_names_order_is_stable_and_a_fresh_list():
    first = activations.names()
    first.append("not_an_activation")  # a caller mutating its copy must not change the registry
    assert activations.names() == activations.names() == NAMES
    assert "not_an_activation" not in activations.names()


def test_by_family_agrees_with_names():
    groups = activations.by_family()
    assert list(groups) == list(FAMILIES)
    assert [n for f in FAMILIES for n in groups[f]] == activations.names()


@pytest.mark.parametrize("name", NAMES)
def test_get_returns_the_activation_with_that_name(name):
    act = activations.get(name)
    assert act.name == name
    assert activations.get(act) is act  # an Activation passes through


@pytest.mark.parametrize("bad", ["nope", "ReLU ", "", "relu,tanh", None, 3, ["relu"]])
def test_get_unknown_raises_valueerror_listing_every_valid_key(bad):
    with pytest.raises(ValueError) as err:
        activations.get(bad)
    message = str(err.value)
    for name in NAMES:
        assert name in message
    assert repr(bad) in message or str(bad) in message


@pytest.mark.parametrize(("name", "label"), LABELS.items())
def test_labels_from_the_issue(name, label):
    assert activations.get(name).label == label


@pytest.mark.parametrize("name", NAMES)
def test_label_and_formulas_are_nonempty_strings(name):
    act = activations.get(name)
    for text in (act.label, act.formula, act.derivative_formula):
        assert isinstance(text, str) and text.strip()
    assert act.formula.count("{") == act.formula.count("}")
    assert act.derivative_formula.count("{") == act.derivative_formula.count("}")


# --- parameters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED)
def test_required_parameter_names_and_defaults(name):
    act = activations.get(name)
    assert [p.name for p in act.params] == list(REQUIRED[name])
    for p in act.params:
        assert p.default == pytest.approx(REQUIRED[name][p.name], rel=1e-15)
    assert act.defaults == pytest.approx(REQUIRED[name], rel=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_params_are_a_tuple_of_param_with_a_sane_slider_box(name):
    act = activations.get(name)
    assert isinstance(act.params, tuple)
    assert len({p.name for p in act.params}) == len(act.params)
    for p in act.params:
        assert isinstance(p, Param)
        assert p.name.isidentifier()
        assert all(math.isfinite(v) for v in (p.default, p.min, p.max, p.step))
        assert p.min <= p.default <= p.max
        assert 0 < p.step <= p.max - p.min
        assert isinstance(p.symbol, str) and p.symbol
        assert isinstance(p.help, str) and p.help


@pytest.mark.parametrize("name", NAMES)
def test_omitted_params_take_their_defaults(name):
    act = activations.get(name)
    assert act.resolve({}) == act.defaults
    assert act.resolve(None) == act.defaults
    np.testing.assert_array_equal(act(X), act(X, **act.defaults))
    np.testing.assert_array_equal(act.derivative(X), act.derivative(X, **act.defaults))
    for p in act.params:  # giving one parameter leaves the others at their defaults
        resolved = act.resolve({p.name: p.default})
        assert resolved == act.defaults


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_raises_a_message_naming_it_and_the_real_ones(name):
    act = activations.get(name)
    for call in (act, act.derivative):
        with pytest.raises(ValueError) as err:
            call(X, not_a_param=1.0)
        message = str(err.value)
        assert "not_a_param" in message
        for p in act.params:
            assert p.name in message
        if not act.params:
            assert "none" in message


@pytest.mark.parametrize("name", [n for n in NAMES if activations.get(n).params])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "abc", None, [1.0, 2.0]])
def test_unusable_parameter_value_raises_a_message_naming_the_parameter(name, bad):
    act = activations.get(name)
    for p in act.params:
        for call in (act, act.derivative, lambda _x, **kw: act.kink_points(**kw)):
            with pytest.raises(ValueError) as err:
                call(X, **{p.name: bad})
            assert p.name in str(err.value)


@pytest.mark.parametrize("name", [n for n in NAMES if activations.get(n).params])
def test_numeric_strings_and_numpy_scalars_are_accepted_as_parameters(name):
    act = activations.get(name)
    for p in act.params:
        expected = act(X)
        np.testing.assert_array_equal(act(X, **{p.name: np.float64(p.default)}), expected)
        np.testing.assert_array_equal(act(X, **{p.name: repr(p.default)}), expected)


INVALID_COMBINATIONS = [
    ("hardtanh", {"min_val": 1.0, "max_val": 1.0}),
    ("hardtanh", {"min_val": 0.5, "max_val": -0.5}),
    ("hardtanh", {"min_val": 2.0}),  # above the default max_val = 1
    ("softplus", {"beta": 0.0}),
    ("softplus", {"beta": -1.0}),
    ("rrelu", {"lower": 0.5, "upper": 0.2}),
    ("rrelu", {"lower": 0.5}),  # above the default upper = 1/3
    ("celu", {"alpha": 0.0}),
    ("celu", {"alpha": -1.0}),
]


@pytest.mark.parametrize(("name", "params"), INVALID_COMBINATIONS)
def test_invalid_parameter_combinations_raise_valueerror(name, params):
    act = activations.get(name)
    for call in (act, act.derivative):
        with pytest.raises(ValueError) as err:
            call(X, **params)
        assert any(k in str(err.value) for k in params)
    with pytest.raises(ValueError):
        act.kink_points(**params)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("hardtanh", {"min_val": -0.001, "max_val": 0.001}),
        ("rrelu", {"lower": 0.2, "upper": 0.2}),  # lower == upper is a fixed slope, allowed
        ("softplus", {"beta": 1e-3}),
        ("celu", {"alpha": 1e-3}),
    ],
)
def test_boundary_of_valid_combinations_is_accepted(name, params):
    act = activations.get(name)
    assert np.all(np.isfinite(act(X, **params)))
    assert np.all(np.isfinite(act.derivative(X, **params)))


@pytest.mark.parametrize("name", NAMES)
def test_every_corner_of_the_slider_box_is_valid_or_a_clean_valueerror(name):
    """Sliders can reach any corner; each must either work (finite, warning-free) or be rejected."""
    act = activations.get(name)
    x = np.concatenate([X, [-1e4, -100.0, 100.0, 1e4]])
    corners = [{}]
    for p in act.params:
        corners = [{**c, p.name: v} for c in corners for v in (p.min, p.max)]
    worked = 0
    for params in corners:
        try:
            act.resolve(params)
        except ValueError:
            continue
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            assert np.all(np.isfinite(act(x, **params))), params
            assert np.all(np.isfinite(act.derivative(x, **params))), params
        worked += 1
    assert worked >= 1
