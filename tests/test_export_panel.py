"""The sidebar export panel in AppTest: URL seeding, settings reaching every chart, presentation mode's CSS."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.export_panel import _FRAME_CSS, CHARTS_ONLY_CSS, PRESENT_CSS, PRESENT_RATIOS, nearest_ratio, present_size

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_app(query: dict[str, str] | None = None, state: dict | None = None) -> AppTest:
    """app.py itself (navigation, sidebar panel, then the Overview page), with a URL query and session state.

    One run per AppTest keeps each test independent; the browser test covers clicks.
    """
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def camera(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.config)["toImageButtonOptions"]


def styles(at: AppTest) -> list[str]:
    return [element.proto.body for element in at.get("html")]


def test_defaults_give_every_chart_a_download_and_a_slide_sized_camera():
    at = run_app()
    assert [e.label for e in at.sidebar.get("expander")] == ["Export and present"]
    (button,) = at.get("download_button")
    assert button.proto.label == "Download PNG"
    assert button.proto.ignore_rerun  # downloading does not rerun the page
    assert button.proto.deferred_file_id  # rendered only when clicked
    assert "activation_gallery.png: 1920 × 1080" in button.proto.help
    assert camera(at) == {"filename": "activation_gallery", "format": "png", "width": 1920, "height": 1080, "scale": 1}
    assert styles(at) == []
    assert not {"present", "theme", "figsize"} & set(at.query_params)


def test_url_opens_a_slide_in_presentation_mode():
    at = run_app({"present": "1", "theme": "slide", "figsize": "1440x1080"})
    assert at.session_state["export_present"] is True
    assert at.session_state["export_theme"] == "slide"
    assert at.session_state["export_size"] == "4:3"
    assert at.get("download_button") == []  # controls hidden: nothing but the chart
    assert styles(at) == [PRESENT_CSS, CHARTS_ONLY_CSS, _FRAME_CSS[(4, 3)]]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["font"]["size"] >= 18  # the slide theme's large type
    assert figure["layout"]["font"]["color"] == "#000000"
    assert "width" not in figure["layout"]  # it fills the frame instead
    assert camera(at)["width"] == 1440 and camera(at)["height"] == 1080
    assert dict(at.query_params) == {"present": "1", "theme": "slide", "figsize": "1440x1080"}
    assert [b.label for b in at.button] == ["Show the controls", "Exit presentation"]


def test_presenter_can_bring_the_controls_back_and_the_light_theme_is_projector_sized():
    at = run_app({"present": "1"})
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["font"]["size"] >= 18  # the light theme, at projector size
    assert figure["layout"]["font"]["color"] != "#000000"  # ... in its own colours
    at.button(key="export_controls_button").click().run()
    assert styles(at) == [PRESENT_CSS, _FRAME_CSS[(16, 9)]]  # the controls are no longer hidden
    assert [b.label for b in at.button] == ["Hide the controls", "Exit presentation"]
    assert at.session_state["export_present"] is True and at.query_params["present"] == "1"
    at.button(key="export_controls_button").click().run()
    assert styles(at) == [PRESENT_CSS, CHARTS_ONLY_CSS, _FRAME_CSS[(16, 9)]]
    at.button[1].click().run()  # exit: and the next presentation starts with the charts alone again
    assert at.session_state["export_present"] is False and at.session_state["export_present_controls"] is False


def test_bad_url_values_warn_and_fall_back():
    at = run_app({"theme": "neon", "figsize": "huge"})
    messages = [w.value for w in at.warning]
    assert any("theme" in m and "neon" in m for m in messages)
    assert any("figsize" in m and "huge" in m for m in messages)
    assert at.session_state["export_theme"] == "light"
    assert camera(at)["width"] == 1920


def test_url_text_never_reaches_the_stylesheet():
    at = run_app({"present": "1", "figsize": "1000x400</style><script>alert(1)</script>"})
    assert all(body in (PRESENT_CSS, CHARTS_ONLY_CSS, *_FRAME_CSS.values()) for body in styles(at))
    assert not any("script" in body for body in styles(at))


def test_panel_settings_reach_the_download_and_the_camera():
    at = run_app(state={"export_format": "svg", "export_size": "custom", "export_width": 1000, "export_height": 500})
    assert at.sidebar.segmented_control(key="export_format").value == "svg"
    assert at.sidebar.number_input(key="export_width").value == 1000
    (button,) = at.get("download_button")
    assert button.proto.label == "Download SVG"
    assert "activation_gallery.svg: 1000 × 500" in button.proto.help
    assert camera(at) == {"filename": "activation_gallery", "format": "svg", "width": 1000, "height": 500, "scale": 1}
    assert at.query_params["figsize"] == "1000x500"
    at = run_app(state={"export_format": "png", "export_size": "square", "export_scale": 3, "export_theme": "dark"})
    # another theme, another file name: the dark download does not overwrite the light one
    assert camera(at) == {
        "filename": "activation_gallery_dark",
        "format": "png",
        "width": 1080,
        "height": 1080,
        "scale": 3,
    }
    assert "3240 × 3240" in at.get("download_button")[0].proto.help
    assert at.query_params["theme"] == "dark"


def test_settings_out_of_range_in_the_session_are_clamped():
    at = run_app(state={"export_format": "gif", "export_size": "custom", "export_width": 99999, "export_scale": 9})
    assert camera(at)["format"] == "png" and camera(at)["width"] == 4000 and camera(at)["scale"] == 1


def test_presentation_geometry():
    assert nearest_ratio(1920, 1080) == (16, 9)
    assert nearest_ratio(1440, 1080) == (4, 3)
    assert nearest_ratio(960, 1080) == (8, 9)
    assert nearest_ratio(1000, 500) == (2, 1)
    assert nearest_ratio(1080, 1920) == (9, 16)
    assert set(_FRAME_CSS) == set(PRESENT_RATIOS)
    assert present_size(1920, 1080) == (1600, 900)
    assert present_size(1080, 1080) == (900, 900)
    assert present_size(960, 1080) == pytest.approx((800, 900), abs=1)


def test_without_a_browser_the_page_says_so_once_and_keeps_the_camera(monkeypatch):
    from activations import export

    monkeypatch.setattr(export, "browser_path", lambda: None)
    at = run_app()
    notes = [i.value for i in at.sidebar.info]
    assert len(notes) == 1 and "cannot render images" in notes[0] and "camera" in notes[0]
    assert at.get("download_button") == []
    assert camera(at)["width"] == 1920  # the browser-side camera export still works
