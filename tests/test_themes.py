"""Figure themes: the tables themselves, the colour arithmetic, and what apply_theme does to a figure."""

import dataclasses

import numpy as np
import plotly.graph_objects as go
import pytest

import activations
from activations.figures.gallery import gallery_figure
from activations.figures.style import FONT_FAMILY, OKABE_ITO, colour_for
from activations.i18n import translator
from activations.themes import (
    SLIDE_PALETTE,
    THEMES,
    Theme,
    apply_theme,
    contrast_ratio,
    get_theme,
    palette_mapping,
    parse_colour,
    readable_colour,
    relative_luminance,
    size_factor,
)


def curves(names=("relu", "sigmoid", "tanh")) -> go.Figure:
    x = np.linspace(-3, 3, 61)
    fig = go.Figure()
    for name in names:
        fig.add_trace(go.Scatter(x=x, y=activations.get(name)(x), name=name, line=dict(color=colour_for(name))))
    fig.update_layout(height=450, margin=dict(l=60, r=20, t=50, b=50), title="f(x)")
    fig.add_annotation(x=0, y=0, text="kink", font=dict(size=11, color="#000000"))
    return fig


# --- the tables ---------------------------------------------------------------------------------------------


def test_the_four_themes_the_issue_asks_for():
    assert set(THEMES) == {"light", "dark", "transparent", "slide"}
    for name, theme in THEMES.items():
        assert theme.name == name
        assert translator("en")(theme.label)  # a label to show in the panel


@pytest.mark.parametrize("name", list(THEMES))
def test_every_theme_uses_the_cjk_capable_font_stack(name):
    theme = THEMES[name]
    assert theme.font_family == FONT_FAMILY
    assert "Noto Sans CJK SC" in theme.font_family


@pytest.mark.parametrize("name", list(THEMES))
def test_theme_colours_are_parseable_and_text_is_readable(name):
    theme = THEMES[name]
    for field in dataclasses.fields(Theme):
        if field.name.endswith("colour"):
            assert parse_colour(getattr(theme, field.name)) is not None, field.name
    assert contrast_ratio(theme.text_colour, theme.contrast_background) >= 7  # WCAG AAA for body text


def test_slide_is_larger_thicker_and_higher_contrast_than_light():
    light, slide = THEMES["light"], THEMES["slide"]
    assert slide.font_size > light.font_size
    assert slide.title_size > light.title_size
    assert slide.axis_title_size > light.axis_title_size
    assert slide.line_width >= 2 * light.line_width
    assert contrast_ratio(slide.text_colour, "#FFFFFF") > contrast_ratio(light.text_colour, "#FFFFFF")
    assert slide.legend_outside and not light.legend_outside


def test_slide_palette_is_okabe_ito_without_the_yellow():
    assert set(SLIDE_PALETTE) <= set(OKABE_ITO)
    assert "#F0E442" not in SLIDE_PALETTE
    assert len(set(SLIDE_PALETTE)) == len(SLIDE_PALETTE) == 7


def test_transparent_and_dark_backgrounds():
    assert parse_colour(THEMES["transparent"].paper_colour)[1] == 0
    assert parse_colour(THEMES["transparent"].plot_colour)[1] == 0
    assert relative_luminance(parse_colour(THEMES["dark"].paper_colour)[0]) < 0.02


def test_unknown_theme_lists_the_valid_ones():
    with pytest.raises(ValueError, match="light, dark, transparent, slide"):
        get_theme("neon")


# --- colour arithmetic ---------------------------------------------------------------------------------------


def test_parse_colour_forms():
    assert parse_colour("#fff") == ((255.0, 255.0, 255.0), 1.0)
    assert parse_colour("#0072B2") == ((0.0, 114.0, 178.0), 1.0)
    assert parse_colour("rgba(213, 94, 0, 0.12)") == ((213.0, 94.0, 0.0), 0.12)
    assert parse_colour("rgb(1,2,3)") == ((1.0, 2.0, 3.0), 1.0)
    assert parse_colour("black") == ((0.0, 0.0, 0.0), 1.0)
    assert parse_colour("not a colour") is None
    assert parse_colour("#12345") is None


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48:1, #0072B2 on white 5.17:1.
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#0072B2", "#FFFFFF") == pytest.approx(5.17, abs=0.03)
    # Symmetric, and translucent black over white is composited first (50% black = #808080).
    assert contrast_ratio("#FFFFFF", "#777777") == pytest.approx(contrast_ratio("#777777", "#FFFFFF"))
    assert contrast_ratio("rgba(0,0,0,0.5)", "#FFFFFF") == pytest.approx(contrast_ratio("#808080", "#FFFFFF"), 0.01)


@pytest.mark.parametrize("name", activations.names())
@pytest.mark.parametrize("background", ["#FFFFFF", "#111111"])
def test_readable_colour_reaches_the_minimum_and_keeps_the_hue(name, background):
    colour = colour_for(name)
    fixed = readable_colour(colour, background, 3.0)
    assert contrast_ratio(fixed, background) >= 3.0 - 1e-9
    if contrast_ratio(colour, background) >= 3.0:
        assert fixed == colour  # already readable: untouched
    else:
        # Mixed with black or white only: the channels keep their order (same hue family).
        before, after = parse_colour(colour)[0], parse_colour(fixed)[0]
        assert np.argsort(before, kind="stable").tolist() == np.argsort(after, kind="stable").tolist() or (
            max(before) - min(before) < 1
        )


def test_palette_mapping_keeps_palette_colours_and_gives_the_rest_free_ones():
    colours = ["#0072B2", "#88CCEE", "#D55E00", "#332288"]
    mapping = palette_mapping(colours, SLIDE_PALETTE)
    assert mapping["#0072B2"] == "#0072B2" and mapping["#D55E00"] == "#D55E00"
    assert mapping["#88CCEE"] in SLIDE_PALETTE and mapping["#332288"] in SLIDE_PALETTE
    assert len(set(mapping.values())) == 4  # distinct while the palette lasts


def test_size_factor():
    assert size_factor(None) == 1
    assert size_factor((1000, 450)) == 1
    assert size_factor((1920, 1080)) == pytest.approx(1.92)  # width-bound: 1920 / 1000
    assert size_factor((1920, 1080), natural=(1000, 600)) == pytest.approx(1.8)
    assert size_factor((500, 300)) == 1  # never shrinks
    assert size_factor((8000, 8000)) == 3  # capped


# --- apply_theme -----------------------------------------------------------------------------------------------


def test_apply_theme_returns_a_copy_and_leaves_the_original_alone():
    fig = curves()
    before = fig.to_json()
    themed = apply_theme(fig, "slide", size=(1920, 1080))
    assert fig.to_json() == before
    assert themed is not fig
    assert [t.name for t in themed.data] == [t.name for t in fig.data]
    for original, new in zip(fig.data, themed.data, strict=True):
        np.testing.assert_array_equal(original.y, new.y)


def test_apply_theme_sets_size_fonts_lines_and_margins():
    themed = apply_theme(curves(), "light", size=(1920, 1080))
    k = size_factor((1920, 1080), (1000, 450))
    assert (themed.layout.width, themed.layout.height) == (1920, 1080)
    assert themed.layout.font.size == pytest.approx(13 * k)
    assert themed.layout.xaxis.tickfont.size == pytest.approx(13 * k)
    assert themed.layout.margin.l == pytest.approx(60 * k)
    assert all(t.line.width == pytest.approx(2 * k) for t in themed.data)
    assert all(t.line.simplify is False for t in themed.data)  # thick lines keep every sample: no corners
    assert themed.layout.annotations[0].font.size == pytest.approx(11 * k)


def test_on_screen_theme_changes_no_size():
    themed = apply_theme(curves(), "light")
    assert themed.layout.width is None
    assert themed.layout.font.size == 13
    assert themed.layout.paper_bgcolor == "#FFFFFF"


def test_dark_theme_makes_every_curve_readable_on_the_dark_background():
    dark = THEMES["dark"]
    themed = apply_theme(curves(("relu", "selu", "gelu", "identity")), "dark")
    assert themed.layout.paper_bgcolor == dark.paper_colour
    assert themed.layout.font.color == dark.text_colour
    for trace in themed.data:
        assert contrast_ratio(trace.line.color, dark.paper_colour) >= dark.min_contrast - 1e-9
    # SELU's dark indigo would vanish: it was lightened. ReLU's blue was fine: kept.
    assert themed.data[1].line.color != colour_for("selu")
    assert themed.data[0].line.color == colour_for("relu")
    # An explicitly black annotation becomes readable too.
    assert contrast_ratio(themed.layout.annotations[0].font.color, dark.paper_colour) >= dark.min_contrast - 1e-9


def test_slide_theme_uses_the_palette_and_puts_the_legend_outside():
    names = ("relu", "relu6", "gelu", "squared_relu", "sigmoid")
    themed = apply_theme(curves(names), "slide", size=(1920, 1080))
    colours = [t.line.color for t in themed.data]
    assert len(set(colours)) == len(names)
    darkened = {readable_colour(c, "#FFFFFF", 3.0) for c in SLIDE_PALETTE}
    assert set(colours) <= darkened
    assert colours[0] == colour_for("relu")  # already in the palette: the same blue as everywhere
    assert all(contrast_ratio(c, "#FFFFFF") >= 3.0 - 1e-9 for c in colours)
    legend = themed.layout.legend
    assert legend.x > 1 and legend.xanchor == "left"  # right of the axes, never over the data
    assert themed.data[0].line.width == pytest.approx(4 * size_factor((1920, 1080), (1000, 450)))


def test_transparent_theme_has_no_background():
    themed = apply_theme(curves(), "transparent", size=(960, 1080))
    assert parse_colour(themed.layout.paper_bgcolor)[1] == 0
    assert parse_colour(themed.layout.plot_bgcolor)[1] == 0


def test_translucent_bands_and_zero_width_edges_are_left_alone():
    x = np.arange(5.0)
    band = go.Scatter(
        x=np.r_[x, x[::-1]], y=np.r_[x, -x[::-1]], fill="toself", fillcolor="rgba(213,94,0,0.2)", line=dict(width=0)
    )
    themed = apply_theme(go.Figure([band]), "slide", size=(1920, 1080))
    assert themed.data[0].line.width == 0
    assert themed.data[0].fillcolor == "rgba(213,94,0,0.2)"


@pytest.fixture(scope="module")
def gallery():
    return gallery_figure(link_prefix=None)


@pytest.mark.parametrize("name", list(THEMES))
def test_every_theme_applies_to_the_gallery(name, gallery):
    fig = gallery
    themed = apply_theme(fig, name, size=(1920, 1080))
    assert len(themed.data) == len(fig.data)
    assert len(themed.layout.annotations) == len(fig.layout.annotations)
    assert themed.layout.height == 1080


def test_a_theme_other_than_the_default_is_named_in_the_file_name():
    from activations.themes import DEFAULT_THEME, THEMES, themed_stem

    stems = {themed_stem("relu_derivative", theme) for theme in THEMES}
    assert len(stems) == len(THEMES)  # one file name per theme
    assert themed_stem("relu_derivative", DEFAULT_THEME) == "relu_derivative"
    assert themed_stem("relu_derivative", "slide") == "relu_derivative_slide"
