"""The declarative page-state layer: a URL query -> widget values (with warnings) -> the same query."""

from __future__ import annotations

import pytest

from activations.pagestate import (
    ActivationParams,
    Activations,
    Choice,
    Choices,
    Compare,
    Flag,
    Formula,
    Interval,
    Number,
    NumberList,
    PageControls,
    Preset,
    nearest_option,
)

DEPTH = Number("p_depth", "depth", 1, 200, integer=True)
SIGMA = Number("p_sigma", "sigma_w", 0.1, 4.0, when=lambda s: "scaled_normal" in (s.get("p_inits") or ()))
WIDTH = Number("p_width", "width", 2, 1024, integer=True, options=(2, 4, 8, 16))
TEMPERATURE = Number("p_t", "t", 0.01, 100.0, options=(0.1, 1.0, 10.0), snap=True)
FNS = Activations("p_fns", "fn", 3)
INITS = Choices("p_inits", "init", ("he_normal", "xavier_normal", "scaled_normal"), 2, too_many="at most {n}")
PLAIN = PageControls(
    (FNS, ActivationParams("p_", "p_fns"), INITS, DEPTH, WIDTH, SIGMA, Flag("p_f2", "f2")),
    defaults={"p_fns": ["relu"], "p_inits": ["he_normal"], "p_depth": 30, "p_width": 8, "p_sigma": 1.0, "p_f2": False},
)


def round_trip(controls: PageControls, query: dict[str, str]) -> tuple[dict, dict, list[str]]:
    values, warnings = controls.read(query)
    return values, controls.write(values), warnings.messages


def test_an_empty_query_gives_the_defaults_and_an_empty_link():
    values, query, warnings = round_trip(PLAIN, {})
    assert values["p_fns"] == ["relu"] and values["p_depth"] == 30 and values["p_f2"] is False
    assert query == {} and warnings == []


def test_good_values_come_back_as_the_same_link():
    query = {"fn": "elu,leaky_relu", "leaky_relu.alpha": "0.2", "init": "scaled_normal", "depth": "12",
             "width": "16", "sigma_w": "1.5", "f2": "1"}  # fmt: skip
    values, written, warnings = round_trip(PLAIN, query)
    assert warnings == []
    assert values["p_leaky_relu.alpha"] == 0.2 and values["p_elu.alpha"] == 1.0
    assert written == query


def test_bad_values_warn_name_the_parameter_and_fall_back_or_clamp():
    values, written, warnings = round_trip(PLAIN, {"depth": "1e999", "width": "5000", "fn": "nope,relu"})
    assert values["p_depth"] == 30 and values["p_width"] == 1024 and values["p_fns"] == ["relu"]
    assert any("depth" in w for w in warnings) and any("width" in w for w in warnings)
    assert any("nope" in w for w in warnings)
    assert written == {"width": "1024"}


def test_a_value_used_only_under_a_condition_is_left_out_of_the_link():
    values, _ = PLAIN.read({"sigma_w": "2"})
    assert values["p_sigma"] == 2.0  # kept for the widget...
    assert "sigma_w" not in PLAIN.write(values)  # ...but no init uses it, so the link does not carry it
    assert PLAIN.write(values | {"p_inits": ["scaled_normal"]})["sigma_w"] == "2"


def test_a_select_slider_keeps_an_off_step_value_and_a_snapping_one_moves_it_with_a_warning():
    assert WIDTH.options_for(12) == [2, 4, 8, 12, 16]
    controls = PageControls((TEMPERATURE,), defaults={"p_t": 1.0})
    values, warnings = controls.read({"t": "0.4"})
    assert values["p_t"] == 1.0  # log distance 0.92 to 1, 1.39 to 0.1
    assert len(warnings.messages) == 1 and "nearest" in warnings.messages[0]
    assert nearest_option((0.1, 1.0, 10.0), 3.0) == 1.0 and nearest_option((0.1, 1.0, 10.0), 3.3) == 10.0


def test_too_many_choices_are_cut_with_a_warning_and_duplicates_dropped():
    values, warnings = PageControls((INITS,), defaults={"p_inits": ["he_normal"]}).read(
        {"init": "he_normal,he_normal,xavier_normal,scaled_normal,bogus"}
    )
    assert values["p_inits"] == ["he_normal", "xavier_normal"]
    assert "at most 2" in warnings.messages and any("bogus" in m for m in warnings.messages)


def test_a_choice_reads_an_older_alias_of_its_url_name():
    field = Choice("p_fn", "fn", ("relu", "elu"), aliases=("activation",))
    controls = PageControls((field,), defaults={"p_fn": "relu"})
    assert controls.read({"activation": "elu"})[0]["p_fn"] == "elu"
    assert controls.read({"activation": "elu", "fn": "relu"})[0]["p_fn"] == "relu"


def preset_base(name: str) -> dict:
    return {"p_depth": {"deep": 100, "shallow": 3}.get(name, 30), "p_fns": ["relu"]}


PRESETS = PageControls(
    (FNS, DEPTH),
    preset=Preset("p_preset", "preset", ("custom", "deep", "shallow"), "deep", "custom", preset_base),
)


@pytest.mark.parametrize(
    ("query", "preset", "depth"),
    [
        ({}, "deep", 100),  # no page setting: the default preset
        ({"lang": "zh"}, "deep", 100),  # the app's own keys are not page settings
        ({"depth": "5"}, "custom", 5),  # settings without a preset change the custom base
        ({"preset": "shallow"}, "shallow", 3),
        ({"preset": "shallow", "depth": "7"}, "shallow", 7),  # explicit values over the preset
        ({"preset": "nope"}, "custom", 30),
    ],
)
def test_a_preset_sets_the_base_and_explicit_values_go_over_it(query, preset, depth):
    values, warnings = PRESETS.read(query)
    assert (values["p_preset"], values["p_depth"]) == (preset, depth)
    assert bool(warnings.messages) == (query.get("preset") == "nope")


def test_a_preset_link_is_as_short_as_it_can_be_and_reads_back_the_same():
    for state in (
        {"p_preset": "deep", "p_depth": 100, "p_fns": ["relu"]},
        {"p_preset": "custom", "p_depth": 30, "p_fns": ["relu"]},
        {"p_preset": "shallow", "p_depth": 3, "p_fns": ["relu"]},
        {"p_preset": "deep", "p_depth": 50, "p_fns": ["relu", "elu"]},
    ):
        link = PRESETS.write(state)
        values, warnings = PRESETS.read(link)
        assert warnings.messages == []
        assert {k: values[k] for k in state} == state, link
    assert PRESETS.write({"p_preset": "deep", "p_depth": 100, "p_fns": ["relu"]}) == {}
    assert PRESETS.write({"p_preset": "custom", "p_depth": 30, "p_fns": ["relu"]}) == {"preset": "custom"}


def test_activation_parameters_keep_the_preset_value_unless_the_url_sets_one():
    controls = PageControls(
        (FNS, ActivationParams("p_", "p_fns")),
        preset=Preset("p_preset", "preset", ("custom", "leaky"), "leaky", "custom",
                      lambda name: {"p_fns": ["leaky_relu"], "p_leaky_relu.alpha": 0.3 if name == "leaky" else 0.01}),
    )  # fmt: skip
    assert controls.read({})[0]["p_leaky_relu.alpha"] == 0.3
    assert controls.read({"preset": "leaky", "alpha": "0.05"})[0]["p_leaky_relu.alpha"] == 0.05
    assert controls.read({"preset": "leaky", "leaky_relu.alpha": "7"})[0]["p_leaky_relu.alpha"] == 1.0  # clamped


def test_a_formula_round_trips_and_a_refused_one_keeps_its_text_with_a_warning():
    controls = PageControls((FNS, Formula("p_formula", "p_", "p_fns", "x", range_key="p_range")),
                            defaults={"p_fns": ["relu"]})  # fmt: skip
    query = {"fn": "custom,relu", "formula": "x*sigmoid(beta*x)", "custom.beta": "12"}
    values, warnings = controls.read(query)
    assert warnings.messages == [] and values["p_custom.beta"] == 12.0 and values["p_range"] == 12.0
    assert controls.write(values) == query
    values, warnings = controls.read({"fn": "custom", "formula": "__import__('os')"})
    assert values["p_formula"] == "__import__('os')" and len(warnings.messages) == 1
    assert controls.write(values) == {"fn": "custom", "formula": "__import__('os')"}


def test_a_number_list_and_an_interval():
    logits = NumberList("p_n", "p_z{}", "z", -10, 10, 2, 4, (1.0, 0.0))
    interval = Interval("p_x", "xmin", "xmax", -20, 20, (-5.0, 5.0))
    controls = PageControls((logits, interval))
    values, warnings = controls.read({"z": "3,x,50,1,2", "xmin": "3", "xmax": "-3"})
    assert [values[f"p_z{i}"] for i in range(values["p_n"])] == [3.0, 0.0, 10.0, 1.0]
    assert values["p_x"] == (-5.0, 5.0)
    assert len(warnings.messages) == 4  # x, 50, five logits, xmin above xmax
    assert controls.write(values) == {"z": "3,0,10,1"}
    assert controls.write(values | {"p_x": (-2.0, 8.0)})["xmin"] == "-2"


def test_compare_on_off_and_its_own_parameter_names():
    compare = Compare("p_cmp", "p_fn2")
    params = ActivationParams("p2_", "p_fn2", url_prefix="cmp", when=lambda s: bool(s.get("p_cmp")))
    controls = PageControls((compare, params), defaults={"p_cmp": False, "p_fn2": "leaky_relu"})
    values, _ = controls.read({"compare": "elu", "cmp.alpha": "0.5"})
    assert (values["p_cmp"], values["p_fn2"], values["p2_elu.alpha"]) == (True, "elu", 0.5)
    assert controls.write(values) == {"compare": "elu", "cmp.alpha": "0.5"}
    values, _ = controls.read({"compare": "none", "cmp.alpha": "0.5"})
    assert values["p_cmp"] is False and controls.write(values) == {}
