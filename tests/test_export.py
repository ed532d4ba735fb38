"""Server-side export: file names, settings, and real renders read back (PNG pixels, SVG XML, PDF pages)."""

import io
import time
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest
from conftest import require_browser

from activations import export
from activations.export import (
    SIZE_PRESETS,
    ExportSettings,
    ExportUnavailable,
    activation_stem,
    check_settings,
    export_filename,
    figure_stem,
    parse_size,
)
from activations.figures.functions import curves_figure

# --- names and settings (no browser) -----------------------------------------------------------------------


def test_file_name_from_the_issue():
    stem = figure_stem([("leaky_relu", {"alpha": 0.2})], "derivative")
    assert export_filename(stem, "png") == "leaky_relu_alpha-0.2_derivative.png"


def test_stems_name_every_activation_and_parameter():
    assert activation_stem("relu") == "relu"
    assert activation_stem("leaky_relu") == "leaky_relu_alpha-0.01"  # defaults are spelled out
    assert activation_stem("hardtanh", {"min_val": -2}) == "hardtanh_max_val-1_min_val--2"
    assert activation_stem("rrelu") == "rrelu_lower-0.125_upper-0.333333"
    assert figure_stem([("relu", {}), ("elu", {"alpha": 0.5})], "both") == "relu_elu_alpha-0.5_function_derivative"
    assert figure_stem([("sigmoid", {})]) == "sigmoid"
    with pytest.raises(ValueError, match="unknown activation"):
        activation_stem("relu7")


def test_export_filename_is_safe():
    assert export_filename("sigmoid depth=30 / ../etc", "svg") == "sigmoid_depth_30_.._etc.svg"
    assert export_filename("", "pdf") == "figure.pdf"
    assert export_filename("激活函数", "png") == "figure.png"
    long = export_filename("x" * 500, "png")
    assert len(long) == 124 and long.endswith(".png")
    assert export_filename("elu_alpha-0-2_sweep", "gif") == "elu_alpha-0-2_sweep.gif"  # a sweep's animation
    with pytest.raises(ValueError, match="png, svg, pdf, gif, mp4, html"):
        export_filename("relu", "avi")


def test_size_presets_from_the_issue():
    sizes = {label: (w, h) for label, w, h in SIZE_PRESETS.values()}
    assert sizes == {
        "16:9 slide": (1920, 1080),
        "4:3 slide": (1440, 1080),
        "half slide": (960, 1080),
        "square": (1080, 1080),
    }


def test_parse_size():
    assert parse_size("1920x1080") == (1920, 1080)
    assert parse_size(" 1440×1080 ") == (1440, 1080)
    assert parse_size("4:3") == (1440, 1080)
    for bad in ("1920", "1920x", "axb", "-5x10", "50x50", "1920x99999", "1e3x1e3"):
        with pytest.raises(ValueError):
            parse_size(bad)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gif", 800, 600, 1), "unknown format"),
        (("png", 800, 600, 1, "neon"), "unknown theme"),
        (("png", 99, 600, 1), "width"),
        (("png", 800, 4001, 1), "height"),
        (("png", 800.5, 600, 1), "whole number"),
        (("png", 800, 600, 0.5), "scale"),
        (("png", 800, 600, 4.5), "scale"),
        (("png", 800, 600, float("nan")), "scale"),
        (("png", 4000, 4000, 4), "megapixels"),
    ],
)
def test_bad_settings_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        check_settings(*args)


def test_settings_pixel_size():
    assert ExportSettings("png", 1920, 1080, 2).pixel_size == (3840, 2160)
    assert ExportSettings("png", 1440, 1080, 1.5).pixel_size == (2160, 1620)
    assert ExportSettings("svg", 1920, 1080, 3).pixel_size == (1920, 1080)  # vector: scale is moot
    assert ExportSettings("pdf").mime == "application/pdf"


def test_no_browser_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(export, "browser_path", lambda: None)
    browser = export._WarmBrowser()
    assert "Chromium" in browser.unavailable_reason()
    with pytest.raises(ExportUnavailable, match="BROWSER_PATH"):
        browser.render(go.Figure(), {"format": "png"}, 5)


def test_why_export_is_off_is_said_in_the_visitors_language(monkeypatch):
    from activations.i18n import translator

    monkeypatch.setattr(export, "browser_path", lambda: None)
    zh = export.unavailable_reason(translator("zh"))
    assert "Chromium" in zh and "服务器" in zh and "none was found" not in zh
    browser = export._WarmBrowser()
    monkeypatch.setattr(export, "browser_path", lambda: "/usr/bin/chromium")
    browser._failure, browser._failed_at = "exit code 1", time.monotonic()
    assert browser.unavailable_reason() == "Chromium would not start for export: exit code 1"
    assert browser.unavailable_reason(translator("zh")) == "用于导出的 Chromium 无法启动：exit code 1"


def test_browser_path_honours_browser_path(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    assert export.browser_path() == str(fake)


# --- real renders -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer():
    require_browser()
    export.warm_up(wait=True)
    assert export.unavailable_reason() is None
    return export  # left warm for test_export_cli.py, which closes it (and atexit would)


def small_figure() -> go.Figure:
    return curves_figure([("relu", {}), ("leaky_relu", {"alpha": 0.2})], "derivative")


@pytest.mark.parametrize(("width", "height", "scale"), [(640, 360, 1), (480, 540, 2), (400, 300, 1.5)])
def test_png_has_exactly_the_requested_pixels(renderer, width, height, scale):
    from PIL import Image

    data = renderer.render(small_figure(), "png", width, height, scale)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (round(width * scale), round(height * scale))


def test_themed_png_is_drawn_in_the_theme(renderer):
    from PIL import Image

    settings = ExportSettings("png", 640, 360, 1, "dark")
    with Image.open(io.BytesIO(renderer.export_figure(small_figure(), settings))) as image:
        corner = np.asarray(image.convert("RGB"))[:5, :5].reshape(-1, 3)
    assert np.all(corner == [0x11, 0x11, 0x11])  # the dark theme's paper colour
    transparent = ExportSettings("png", 640, 360, 1, "transparent")
    with Image.open(io.BytesIO(renderer.export_figure(small_figure(), transparent))) as image:
        assert image.mode == "RGBA" and image.getpixel((2, 2))[3] == 0


def test_svg_is_valid_xml_of_the_requested_size(renderer):
    data = renderer.render(small_figure(), "svg", 960, 1080)
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (float(root.get("width")), float(root.get("height"))) == (960, 1080)
    text = "".join(root.itertext())
    assert "Leaky ReLU (α=0.2)" in text


def test_pdf_is_one_page_of_the_requested_size(renderer):
    from pypdf import PdfReader

    data = renderer.export_figure(small_figure(), ExportSettings("pdf", 1440, 1080, 1, "slide"))
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    # CSS pixels are 1/96 inch, PDF points 1/72: the page is 0.75 × the pixel size.
    assert (float(box.width), float(box.height)) == pytest.approx((1440 * 0.75, 1080 * 0.75), abs=1)


def test_bad_settings_are_refused_before_rendering_and_the_browser_stays_warm(renderer):
    with pytest.raises(ValueError, match="width"):
        renderer.render(small_figure(), "png", 50, 50, 1)
    assert renderer.unavailable_reason() is None
    assert renderer.render(small_figure(), "png", 200, 200, 1)[:4] == b"\x89PNG"
