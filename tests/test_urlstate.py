"""URL state from strangers (activations/urlstate.py): every reader returns a sane value and, when the
raw text was unusable, a short warning naming the parameter; nothing raises on bad input."""

from __future__ import annotations

import math

import pytest
from activation_cases import NAMES

import activations
from activations.urlstate import (
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

HOSTILE = [
    "abc",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e999",
    "-1e999",
    "1" * 5000,
    "9" * 400 + ".5",
    "0x1A",
    "1,5",
    "½",
    "一",
    "🙂",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "{name}",
    "{0}",
    "%s%s%n",
    "1e5e5",
    "--3",
    "\x00",
    "\u202e5",
]


def number(raw, *, default=30, lo=1, hi=200, integer=False):
    warnings = Warnings()
    value = parse_number({"depth": raw}, "depth", default, lo, hi, warnings, integer=integer)
    return value, warnings.messages


# --- parse_number -----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE)
@pytest.mark.parametrize("integer", [False, True])
def test_hostile_numbers_give_an_in_range_value_and_at_most_one_short_warning(raw, integer):
    value, messages = number(raw, integer=integer)
    assert isinstance(value, (int, float)) and math.isfinite(value)
    assert 1 <= value <= 200
    if integer:
        assert isinstance(value, int)
    assert len(messages) <= 1
    if value == 30:  # fell back to the default: the user must be told
        assert len(messages) == 1
    for message in messages:
        assert "depth" in message
        assert len(message) < 160, message


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "-inf", "1e999", "-1e999", "<script>", "", "  "])
def test_unusable_numbers_fall_back_to_the_default(raw):
    value, messages = number(raw)
    assert value == 30
    assert bool(messages) == bool(raw.strip())  # an empty value is simply "not given"


def test_a_missing_parameter_is_silent():
    warnings = Warnings()
    assert parse_number({}, "depth", 30, 1, 200, warnings) == 30
    assert warnings.messages == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("50", 50.0), (" 50 ", 50.0), ("5e1", 50.0), ("1.25", 1.25), ("200", 200.0), ("1", 1.0), ("+7", 7.0)],
)
def test_good_numbers_are_read_silently(raw, expected):
    value, messages = number(raw)
    assert value == expected
    assert messages == []


@pytest.mark.parametrize(("raw", "expected"), [("500", 200), ("-3", 1), ("0", 1), ("1e300", 200), ("-1e300", 1)])
def test_out_of_range_numbers_are_clamped_with_a_warning(raw, expected):
    value, messages = number(raw)
    assert value == expected
    assert len(messages) == 1 and "depth" in messages[0]


@pytest.mark.parametrize(("raw", "expected", "warned"), [("30", 30, False), ("30.0", 30, False), ("7.5", 30, True)])
def test_integer_parameters(raw, expected, warned):
    value, messages = number(raw, integer=True)
    assert value == expected and isinstance(value, int)
    assert bool(messages) == warned


def test_very_long_values_are_cut_in_the_warning():
    value, messages = number("x" * 100_000)
    assert value == 30
    assert len(messages) == 1 and len(messages[0]) < 160
    assert "x" * (MAX_TEXT // 2) not in messages[0]


def test_warnings_go_through_the_translator():
    warnings = Warnings()
    parse_number({"depth": "abc"}, "depth", 30, 1, 200, warnings, _=lambda s: "«" + s + "»")
    assert warnings.messages and warnings.messages[0].startswith("«")


def test_repeated_identical_warnings_are_kept_once():
    warnings = Warnings()
    for _ in range(3):
        parse_number({"depth": "abc"}, "depth", 30, 1, 200, warnings)
    assert len(warnings.messages) == 1


# --- parse_choice / parse_flag -------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [*HOSTILE, "Xavier ", "XAVIER", "he,xavier"])
def test_choice_outside_the_list_falls_back_with_a_warning(raw):
    warnings = Warnings()
    assert parse_choice({"init": raw}, "init", ["he", "xavier"], "he", warnings) == "he"
    assert len(warnings.messages) == 1 and "init" in warnings.messages[0]
    assert len(warnings.messages[0]) < 200


def test_choice_inside_the_list_is_read_silently():
    warnings = Warnings()
    assert parse_choice({"init": " xavier "}, "init", ["he", "xavier"], "he", warnings) == "xavier"
    assert parse_choice({}, "init", ["he", "xavier"], "he", warnings) == "he"
    assert warnings.messages == []


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("Yes", True), (" on ", True)])
def test_flags_true(raw, expected):
    assert parse_flag({"f": raw}, "f") is expected


@pytest.mark.parametrize("raw", ["0", "false", "", "no", "<script>", "1e999", "🙂"])
def test_flags_false(raw):
    assert parse_flag({"f": raw}, "f") is False
    assert parse_flag({}, "f") is False


# --- parse_activations --------------------------------------------------------------------------------


def fns(raw, *, default=("relu",), max_count=4, extra=()):
    warnings = Warnings()
    chosen = parse_activations({"fn": raw}, warnings, default=default, max_count=max_count, extra=extra)
    return chosen, warnings.messages


def test_a_valid_list_is_read_in_order_case_and_space_insensitively():
    chosen, messages = fns(" ReLU , leaky_relu,TANH ")
    assert chosen == ["relu", "leaky_relu", "tanh"]
    assert messages == []


@pytest.mark.parametrize("name", NAMES)
def test_every_registry_key_is_accepted(name):
    assert fns(name) == ([name], [])


def test_unknown_names_are_dropped_with_a_warning_naming_them():
    chosen, messages = fns("relu,swishy,tanh")
    assert chosen == ["relu", "tanh"]
    assert len(messages) == 1 and "swishy" in messages[0]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_lists_fall_back_to_the_default(raw):
    chosen, messages = fns(raw, default=("sigmoid", "relu"))
    assert chosen == ["sigmoid", "relu"]
    assert 1 <= len(messages) <= 3
    assert all(len(m) < 200 for m in messages)


def test_duplicates_are_removed_silently_before_counting():
    chosen, messages = fns("relu,relu,RELU,tanh,relu", max_count=2)
    assert chosen == ["relu", "tanh"]
    assert messages == []


def test_too_many_are_cut_to_max_count_with_a_warning():
    chosen, messages = fns(",".join(NAMES[:7]), max_count=4)
    assert chosen == NAMES[:4]
    assert len(messages) == 1 and "4" in messages[0]


@pytest.mark.parametrize("raw", ["", "   ", ",", ",,, ,"])
def test_empty_lists_give_the_default(raw):
    chosen, _ = fns(raw, default=("gelu",))
    assert chosen == ["gelu"]


def test_extra_names_are_accepted():
    assert fns("custom,relu", extra=("custom",)) == (["custom", "relu"], [])


def test_a_flood_of_unknown_names_gives_a_bounded_number_of_warnings():
    """A hostile link must not fill the page with hundreds of warning boxes."""
    chosen, messages = fns(",".join(f"bogus{i}" for i in range(500)))
    assert chosen == ["relu"]
    assert 1 <= len(messages) <= 5, f"{len(messages)} warnings"


def test_the_default_is_returned_as_a_fresh_list():
    default = ("relu",)
    chosen, _ = fns("", default=default)
    chosen.append("tanh")
    assert fns("", default=default)[0] == ["relu"]


# --- parse_activation_params / encode_activation_params -----------------------------------------------


def params_of(query, names):
    warnings = Warnings()
    return parse_activation_params(query, names, warnings), warnings.messages


def test_every_parameter_of_every_selected_activation_is_present():
    result, messages = params_of({}, NAMES)
    assert messages == []
    assert set(result) == set(NAMES)
    for name in NAMES:
        assert result[name] == activations.get(name).defaults


def test_qualified_parameters_win_over_bare_ones():
    query = {"alpha": "0.2", "leaky_relu.alpha": "0.3"}
    result, messages = params_of(query, ["leaky_relu", "prelu", "elu", "relu"])
    assert messages == []
    assert result["leaky_relu"] == {"alpha": 0.3}
    assert result["prelu"] == {"alpha": 0.2}
    assert result["elu"] == {"alpha": 0.2}
    assert result["relu"] == {}


def test_a_qualified_parameter_leaves_other_activations_alone():
    result, _ = params_of({"elu.alpha": "2"}, ["elu", "celu"])
    assert result["elu"] == {"alpha": 2.0}
    assert result["celu"] == {"alpha": 1.0}


def test_unknown_activations_in_the_list_are_skipped():
    result, _ = params_of({}, ["relu", "custom", "nope"])
    assert list(result) == ["relu"]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_parameter_values_give_defaults_or_clamped_values_with_a_warning(raw):
    result, messages = params_of({"leaky_relu.alpha": raw, "lambd": raw}, ["leaky_relu", "softshrink"])
    for name, values in result.items():
        act = activations.get(name)
        assert act.resolve(values) == values  # always usable as-is
        for p in act.params:
            assert p.min <= values[p.name] <= p.max
    assert 1 <= len(messages) <= 2
    assert all(len(m) < 200 for m in messages)


def test_out_of_range_parameters_are_clamped_to_the_slider():
    result, messages = params_of({"leaky_relu.alpha": "5", "softplus.beta": "-2"}, ["leaky_relu", "softplus"])
    assert result["leaky_relu"]["alpha"] == 1.0
    assert result["softplus"]["beta"] == activations.get("softplus").params[0].min
    assert len(messages) == 2
    assert any("leaky_relu.alpha" in m for m in messages) and any("softplus.beta" in m for m in messages)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("hardtanh", {"hardtanh.min_val": "0", "hardtanh.max_val": "0"}),
        ("rrelu", {"rrelu.lower": "0.9", "rrelu.upper": "0.1"}),
    ],
)
def test_invalid_combinations_are_clamped_into_valid_ranges_with_a_warning(name, query):
    """The two parameters' slider ranges do not overlap, so clamping each one always gives a valid pair."""
    act = activations.get(name)
    result, messages = params_of(query, [name])
    act.resolve(result[name])  # valid
    for p in act.params:
        assert p.min <= result[name][p.name] <= p.max
        assert any(f"{name}.{p.name}" in m for m in messages), messages


def test_encode_omits_defaults_and_qualifies_names():
    assert encode_activation_params({n: activations.get(n).defaults for n in NAMES}) == {}
    assert encode_activation_params({"leaky_relu": {"alpha": 0.2}, "relu": {}}) == {"leaky_relu.alpha": "0.2"}
    assert encode_activation_params({"softplus": {"beta": 2.0}}) == {"softplus.beta": "2"}


def _slider_value(p, fraction):
    """A value on the slider's step grid, ``fraction`` of the way along."""
    steps = round((p.max - p.min) / p.step)
    return round(p.min + round(fraction * steps) * p.step, 10)


@pytest.mark.parametrize("fraction", [0.0, 0.13, 0.5, 0.77, 1.0])
def test_encode_then_parse_round_trips_slider_values(fraction):
    chosen = {}
    for name in NAMES:
        act = activations.get(name)
        values = {p.name: _slider_value(p, fraction) for p in act.params}
        try:
            act.resolve(values)
        except ValueError:
            continue  # e.g. hardtanh min_val = max_val = 0 at fraction 1 / 0
        chosen[name] = values
    query = encode_activation_params(chosen)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    result, messages = params_of(query, list(chosen))
    assert messages == []
    for name, values in chosen.items():
        assert result[name] == pytest.approx(values, rel=1e-12, abs=1e-12), name


def test_encode_then_parse_round_trips_arbitrary_values_to_six_digits():
    chosen = {"leaky_relu": {"alpha": 0.123456789}, "hardtanh": {"min_val": -2.345678912, "max_val": 1.0100001}}
    result, messages = params_of(encode_activation_params(chosen), list(chosen))
    assert messages == []
    for name, values in chosen.items():
        assert result[name] == pytest.approx(values, rel=1e-5)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.2, "0.2"), (30.0, "30"), (30, "30"), (1e-05, "1e-05"), (1 / 3, "0.333333"), (-0.0, "0"), (-2.5, "-2.5")],
)
def test_format_number(value, text):
    assert format_number(value) == text
    assert float(format_number(value)) == pytest.approx(value, rel=1e-6)
