"""The Simplified Chinese interface: the catalog agrees with the code, every page renders in Chinese with
no English UI text left where a translation exists, and exported Chinese figures carry real CJK glyphs.

The catalog checks read the code with Babel's own extractor (keywords ``_`` and ``N_``), so a string
added to a page without a translation, or a translation left behind after its English text changed,
fails here. The page checks collect every string an AppTest run puts on screen (titles, Markdown,
captions, alerts, widget labels, help texts, options, table cells, sidebar, and the figures' titles,
axis titles, legend names, annotations and hover texts) and look for English msgids in it
(``i18ntools.LeakDetector``).
"""

from __future__ import annotations

import re

import pytest
from i18ntools import (
    CJK,
    PO_PATH,
    ROOT,
    LeakDetector,
    babel_messages,
    catalog_entries,
    english_words,
    extracted_messages,
    literal_arguments,
    placeholders,
    read_catalog,
    visible_strings,
    zh_detector,
)
from pagetools import APP, figures
from streamlit.testing.v1 import AppTest

import activations
from activations.figures.gradient_flow import INIT_LABELS
from activations.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog, normalise_language, translator
from activations.network import DEFAULT_CONFIG
from activations.urlstate import INVALID_PARAMS, invalid_params_message

# Translations that may equal their msgid: notation that reads the same in Chinese. Anything else with
# English words must be translated into Chinese (msgids without English words, such as "f′(0) = α",
# may be kept as they are).
NOTATION = {"softmax([x, 0])₁"}
PAGES = ["overview", *sorted(p.stem for p in (ROOT / "pages").glob("*.py"))]


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    return extracted_messages()


@pytest.fixture(scope="module")
def entries() -> dict[str, str]:
    return catalog_entries()


def sample_values(template: str) -> dict[str, int]:
    """A value for every placeholder that every format spec used in the app accepts ({x:g}, {code:04X})."""
    return {name: 7 for name, _spec, _conv in placeholders(template)}


# --- the catalog and the code agree --------------------------------------------------------------------


def test_catalog_parses_without_duplicates():
    text = PO_PATH.read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.*)"$', text, flags=re.MULTILINE)
    parsed = read_catalog()
    assert parsed.locale is not None and str(parsed.locale) == "zh_Hans"
    assert len(ids) - 1 == len(catalog_entries()), "a msgid appears twice (or a continued msgid was missed)"
    assert catalog("zh") == {k: v for k, v in catalog_entries().items() if v}


def test_the_code_has_messages(extracted):
    # A sanity floor, so a broken extractor cannot make the next two tests pass vacuously.
    assert len(extracted) > 250
    assert "Derivative f′(x)" in extracted and "Overview" in extracted


# _() calls Babel's extractor cannot see (inside an f-string, on Python 3.11): translated all the same,
# but `pybabel extract` would miss them, so they are listed here and should move out of the f-string.
INVISIBLE_TO_BABEL = {"accuracy": "activations/figures/training.py"}


def test_babel_finds_every_literal_message():
    """Babel's extractor (what a translator runs) and the parsed code agree on the messages."""
    babel = babel_messages()
    missed = {m: where[0].split(":")[0] for m, where in literal_arguments().items() if m not in babel}
    assert missed == {m: f for m, f in INVISIBLE_TO_BABEL.items() if m in missed}, missed


def test_every_message_has_a_chinese_translation(extracted, entries):
    missing = [f"{locations[0]}: {msgid!r}" for msgid, locations in extracted.items() if not entries.get(msgid)]
    assert not missing, f"{len(missing)} messages without a zh translation:\n" + "\n".join(missing)


def test_catalog_has_no_unused_keys(extracted, entries):
    unused = sorted(set(entries) - set(extracted))
    assert not unused, "translations whose English text is no longer in the code:\n" + "\n".join(map(repr, unused))


def test_placeholders_match_exactly(entries):
    wrong = [
        f"{msgid!r}: {sorted(placeholders(msgid))} != {sorted(placeholders(msgstr))}"
        for msgid, msgstr in entries.items()
        if msgstr and placeholders(msgid) != placeholders(msgstr)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_message_formats_in_every_language(entries, lang):
    _ = translator(lang)
    for msgid in entries:
        values = sample_values(msgid)
        assert _(msgid).format(**values)  # a KeyError or a bad format spec raises here


def test_translations_are_chinese_not_copies(entries):
    not_chinese = [
        (msgid, msgstr)
        for msgid, msgstr in entries.items()
        if english_words(msgid) and msgid not in NOTATION and not CJK.search(msgstr)
    ]
    assert not not_chinese, not_chinese


def test_chinese_terms_are_the_standard_ones(entries):
    """The field's standard Chinese terms, used consistently (e.g. not 梯度弥散 for vanishing gradients)."""
    zh = dict(entries)
    assert zh["Derivative f′(x)"].startswith("导数")
    assert zh["Vanishing gradients with sigmoid"] == "sigmoid 的梯度消失"
    assert "死亡神经元" in zh["No unit is dead in any layer."]
    assert zh["saturation"] == "饱和区"
    assert zh["Preset"] == "预设" and zh["Seed"] == "随机种子"
    assert zh["Bias (constant)"].startswith("偏置") and zh["Temperature T (log scale)"].startswith("温度")
    assert zh["Presentation mode"] == "演示模式" and zh["Export and present"].startswith("导出")
    assert "雅可比矩阵" in zh["Jacobian norm ‖J‖_F"] and "概率" in zh["largest probability"]
    assert "学习率" in zh["Dying ReLU: learning rate too high"]
    assert "初始化" in zh["Initialisation (up to 2, to compare)"]
    every = "".join(zh.values())
    for avoided in ("梯度弥散", "神经元死亡率", "激活功能"):
        assert avoided not in every


# --- the language itself -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "lang"),
    [
        ("zh", "zh"),
        ("ZH", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        (" zh-hans-cn ", "zh"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        (42, "en"),
        ("<script>", "en"),
    ],
)
def test_language_normalisation(raw, lang):
    assert normalise_language(raw) == lang


def test_translator_translates_and_falls_back_to_english():
    zh, en = translator("zh"), translator("en")
    assert zh("Derivative f′(x)") == "导数 f′(x)"
    assert translator("zh-CN")("Overview") == "概览"
    assert zh("A sentence nobody translated.") == "A sentence nobody translated."
    assert en("Derivative f′(x)") == "Derivative f′(x)"
    assert translator("fr")("Overview") == "Overview"
    assert DEFAULT_LANGUAGE == "en"


def test_core_parameter_errors_read_in_one_language():
    """The core's ValueError reasons are English; in Chinese the page says the same thing with the values
    in symbols instead, and English keeps the precise reason."""
    act = activations.get("hardtanh")
    values = {"min_val": 0.0, "max_val": 0.0}
    with pytest.raises(ValueError) as err:
        act.resolve(values)
    zh = invalid_params_message(act, values, err.value, translator("zh"))
    assert zh == translator("zh")(INVALID_PARAMS).format(label="Hardtanh", values="a = 0, b = 0")
    assert english_words(zh) == ["Hardtanh"], zh
    en = invalid_params_message(act, values, err.value)
    assert en == "Hardtanh: min_val (0) must be below max_val (0); using the defaults."
    rrelu, values = activations.get("rrelu"), {"lower": 0.5, "upper": 0.2}
    with pytest.raises(ValueError) as err:
        rrelu.resolve(values)
    assert (
        invalid_params_message(rrelu, values, err.value, translator("zh"))
        == "RReLU：参数 l = 0.5, u = 0.2 无效，已改用默认值。"
    )


# --- the leak detector finds what it must, and nothing in correct Chinese -------------------------------


def test_detector_flags_every_translated_english_message(entries):
    detector = zh_detector()
    checked = 0
    for msgid, msgstr in entries.items():
        if not english_words(msgid) or msgstr == msgid or msgid in detector.undetectable:
            continue
        shown = msgid.format(**sample_values(msgid))
        assert detector.leaks([shown]), f"an untranslated {msgid!r} would go unnoticed"
        checked += 1
    assert checked > 250


@pytest.mark.parametrize(
    "shown",
    [
        "ReLU · He normal",  # a legend name built from a label and an untranslated init
        "- **ReLU**: The gradient flowing back into layer 1 (∂L/∂z) is 10⁻⁹ of its size at layer 30.",
        "Sigmoid · layer %{x}: %{y:.3g}<extra></extra>",  # a hover text
        '<a href="./explorer?fn=relu">ReLU</a><br><sub>rectifier</sub>',  # a gallery tile title
        r"URL parameter “xmin” \= “abc” is not a usable number; using \-5\.",  # an escaped warning
        "no",
    ],
)
def test_detector_flags_english_inside_larger_text(shown):
    assert zh_detector().leaks([shown])


def test_detector_accepts_the_chinese_catalog(entries):
    shown = [msgstr.format(**sample_values(msgstr)) for msgstr in entries.values() if msgstr]
    labels = [activations.get(n).label for n in activations.names()]
    assert zh_detector().leaks(shown + labels) == []


def test_only_abbreviations_kept_in_chinese_escape_the_detector():
    """A msgid whose English a correct translation keeps cannot be told from a leak; keep that list short."""
    assert zh_detector().undetectable <= {"Softmax", "SGD", "XOR", "Adam"}


def test_detector_ignores_messages_whose_translation_is_the_same():
    detector = LeakDetector({"Layer": "层", "f′(0) = 0": "f′(0) = 0", "Softmax": ""})
    assert detector.leaks(["f′(0) = 0", "Softmax"]) == []
    assert detector.leaks(["Layer"]) == [("Layer", "Layer")]


# --- every page in Chinese ----------------------------------------------------------------------------


def run_zh(page: str, query: dict[str, str] | None = None) -> AppTest:
    """``page`` with ``lang=zh`` in the URL, with the session already in Chinese for pages other than the
    Overview, as after a click in the sidebar."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in {**(query or {}), "lang": "zh"}.items():
        at.query_params[key] = value
    if page != "overview":
        at.session_state["lang"] = "zh"
        at.switch_page(f"pages/{page}.py")
    return at.run()


def assert_chinese_page(at: AppTest) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and CJK.search(at.title[0].value), [t.value for t in at.title]
    shown = visible_strings(at)
    leaks = zh_detector().leaks(shown)
    assert not leaks, "English UI text on a Chinese page:\n" + "\n".join(f"{m!r} in {s!r}" for s, m in leaks)
    return shown


SCENARIOS = [
    *((page, {}) for page in PAGES),
    ("overview", {"present": "1", "figsize": "huge", "theme": "neon"}),
    ("explorer", {"fn": "nope,relu,hardtanh", "hardtanh.min_val": "0", "hardtanh.max_val": "0", "f2": "1"}),
    ("explorer", {"fn": "elu", "alpha": "abc", "xmin": "3", "xmax": "-3"}),
    ("explorer", {"fn": "custom,relu", "formula": "x^2"}),
    ("explorer", {"fn": "custom,relu", "formula": "x*sigmoid(beta*x)", "custom.beta": "abc"}),
    ("softmax", {"z": "1,2,x,4,5,6,7,8,9", "t": "0.013"}),
    ("gradient-flow", {"preset": "born_dead", "init": "he_normal,nope"}),
]


@pytest.mark.parametrize(("page", "query"), SCENARIOS, ids=lambda v: v if isinstance(v, str) else "&".join(v))
def test_page_in_chinese_shows_no_english_ui_text(page, query):
    at = run_zh(page, query)
    shown = assert_chinese_page(at)
    if query:
        assert at.warning, "the bad URL values were reported"
        assert all(CJK.search(w.value) for w in at.warning), [w.value for w in at.warning]
    titles = [fig["layout"].get("title", {}).get("text") for fig in figures(at)]
    assert all(CJK.search(t) for t in titles if t), titles
    assert any(CJK.search(s) for s in shown)


def test_overview_sidebar_is_in_chinese():
    at = run_zh("overview")
    assert_chinese_page(at)
    sidebar = [s for s in visible_strings(at) if s in {"格式", "尺寸", "主题", "演示模式"}]
    assert sorted(set(sidebar)) == ["主题", "尺寸", "格式", "演示模式"]
    assert at.session_state["lang"] == "zh"


def test_lang_in_the_url_is_normalised():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["lang"] = "zh-CN"
    at.run()
    assert at.title[0].value == translator("zh")("Activation Lab")
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["lang"] = "klingon"
    at.run()
    assert at.title[0].value == "Activation Lab"


def test_switching_the_language_switches_the_page():
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert at.title[0].value == "Activation Lab"
    switch = next(w for w in at.sidebar.button_group if w.label == "Language / 语言")
    switch.set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "激活函数实验室"
    assert at.query_params.get("lang") == "zh"


def test_gradient_flow_empty_choices_warn_in_chinese():
    at = run_zh("gradient-flow", {"preset": "born_dead"})
    at.multiselect(key="gf_fns").set_value([])
    at.multiselect(key="gf_inits").set_value([])
    at.run()
    assert_chinese_page(at)
    zh = translator("zh")
    shown = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]  # warnings are Markdown-escaped
    assert zh("Choose at least one activation; showing the default ones.") in shown
    fallback = INIT_LABELS[DEFAULT_CONFIG.inits[0]]
    assert zh("Choose at least one initialisation; showing {init}.").format(init=zh(fallback)) in shown


def test_training_results_are_in_chinese():
    """After Run: the plain-words summary, every chart (loss, dead units, gradients, decision boundary, α)."""
    query = {"fn": "prelu", "compare": "relu", "steps": "40", "record": "10", "depth": "2", "width": "8", "n": "100"}
    at = run_zh("training", query)
    at.button(key="tl_run").click().run()
    assert_chinese_page(at)
    assert len(figures(at)) >= 4
    assert any(CJK.search(m.value) for m in at.markdown if "PReLU" in m.value)


# --- exported Chinese figures carry CJK glyphs ---------------------------------------------------------------


def test_every_export_theme_uses_the_cjk_font_stack():
    from activations.figures.softmax import bars_figure
    from activations.figures.style import FONT_FAMILY
    from activations.themes import THEMES, apply_theme

    assert "Noto Sans CJK SC" in FONT_FAMILY
    for theme in THEMES:
        themed = apply_theme(bars_figure([1.0, 0.0], 1.0, "zh"), theme)
        assert "Noto Sans CJK SC" in themed.layout.font.family, theme


@pytest.fixture(scope="module")
def renderer():
    from conftest import require_browser

    require_browser()
    from activations import export

    if export.unavailable_reason():
        pytest.fail(f"image export is unavailable: {export.unavailable_reason()}")
    yield export.render
    export.shutdown()


def title_figure(text: str):
    """A blank figure with only ``text`` as a large title, in the app's base layout (its font stack)."""
    import plotly.graph_objects as go

    from activations.figures.style import base_layout

    fig = go.Figure()
    fig.update_layout(base_layout(title=dict(text=text, font=dict(size=80), x=0.05), height=200, width=400))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def png_pixels(data: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.int16)


@pytest.mark.browser
def test_chinese_svg_export_has_cjk_text_and_a_cjk_font(renderer):
    from activations.figures.softmax import temperature_figure
    from activations.themes import apply_theme

    fig = apply_theme(temperature_figure([2.0, 1.0, 0.1], 1.0, "zh"), "light")
    svg = renderer(fig, "svg", 800, 450).decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    assert translator("zh")("largest probability") in texts
    assert "温度 T（对数刻度）" in texts
    families = set(re.findall(r"font-family:\s*([^;\"]+)", svg))
    assert families and all("Noto Sans CJK SC" in f for f in families), families


@pytest.mark.browser
def test_chinese_png_export_draws_real_glyphs_not_boxes(renderer):
    """Missing glyphs are all drawn as the same box, so two different characters giving the same picture
    would mean no CJK font was found; real glyphs differ from each other and from an empty title."""
    images = {text: png_pixels(renderer(title_figure(text), "png", 400, 200)) for text in ("梯度", "消失", "", "导数")}
    blank = images.pop("")
    for text, pixels in images.items():
        assert pixels.shape == blank.shape
        assert (abs(pixels - blank) > 64).sum() > 300, f"{text!r} drew (almost) nothing"
    pictures = list(images.values())
    for i, a in enumerate(pictures):
        for b in pictures[i + 1 :]:
            changed = (abs(a - b) > 64).sum()
            assert changed > 300, "two different Chinese words drew the same picture: boxes, not glyphs"
