"""Animated exports of a sweep: GIF frame count and size, the MP4 decodes (H.264, yuv420p), the standalone
HTML carries plotly.js and its frames, file names say what they show, and the CLI's --sweep flags."""

from __future__ import annotations

import base64
import io
import json
import threading
import time

import numpy as np
import pytest
from conftest import require_browser
from PIL import Image

from activations import animation, export, registry
from activations.export import main
from activations.figures.sweeps import explorer_sweep_figure, frame_spec

SIZE = (400, 240)


def run(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def small_sweep(count: int = 4):
    return explorer_sweep_figure(
        [("elu", {"alpha": 1.0})], "elu", "alpha", values=np.linspace(0, 2, count), budget=None
    )


def test_file_names_say_what_they_show():
    assert animation.sweep_stem("elu", "elu.alpha", [0.0, 2.0]) == "elu_alpha-0-2_sweep"
    assert animation.sweep_filename("elu", "elu.alpha", [0, 0.5, 2], "gif") == "elu_alpha-0-2_sweep.gif"
    assert animation.sweep_filename("softmax_bars", "t", [0.01, 100], "mp4") == "softmax_bars_t-0.01-100_sweep.mp4"
    with pytest.raises(ValueError, match="unknown animation format"):
        animation.sweep_filename("elu", "alpha", [0, 1], "avi")


def test_the_html_export_is_standalone_and_keeps_slider_and_play_button():
    html = animation.to_html(small_sweep(), theme="dark")
    assert "<script src=" not in html and 'src="http' not in html  # nothing fetched from a CDN
    assert len(html) > 3_000_000  # plotly.js itself is inside
    start = html.index('"sliders"')
    assert '"updatemenus"' in html and '"animate"' in html and start > 0
    assert html.count('"name":"f') >= 4 or html.count('"name": "f') >= 4  # the four frames


def test_themed_frames_keep_the_themes_look():
    """A frame replaces the annotations: they must be themed like the figure's own (slide: larger type)."""
    # ELU's largest f′ is 1 on x > 0 for α ≤ 1 and α at x = 0 beyond: the line stating it changes per frame
    fig = explorer_sweep_figure([("elu", {})], "elu", "alpha", values=[0.5, 1.5, 1.0], budget=None)
    themed = animation.themed_sweep(fig, "slide", (1920, 1080))
    assert all("annotations" in frame["layout"] for frame in themed["frames"])
    base_sizes = sorted(a["font"]["size"] for a in themed["layout"]["annotations"] if a.get("visible") is not False)
    for frame in themed["frames"]:
        sizes = sorted(a["font"]["size"] for a in frame["layout"]["annotations"] if a.get("visible") is not False)
        assert sizes == base_sizes
    assert themed["layout"]["sliders"][0]["steps"][2]["label"] == "1"


def test_a_still_frame_is_the_figure_at_that_value():
    fig = small_sweep(3)
    still = frame_spec(fig, 2)
    assert "sliders" not in still["layout"] and "frames" not in still
    assert still["data"][0]["name"] == "ELU (α=2)"


def test_the_frames_sent_to_the_browser_carry_the_cores_numbers_as_typed_arrays():
    """What kaleido draws: each frame's curves as base64 float32 (not decimal text), and they decode to the
    registry's ELU at that frame's α."""
    from plotly.utils import PlotlyJSONEncoder

    elu = registry.get("elu")
    values = [0.0, 0.5, 2.0]
    fig = explorer_sweep_figure([("elu", {"alpha": 1.0})], "elu", "alpha", values=values, budget=None)
    sent = animation.browser_stills(fig, "slide", SIZE)
    assert len(sent) == 3 and all(still["layout"]["width"] == SIZE[0] for still in sent)
    for still, alpha in zip(sent, values, strict=True):
        curve = still["data"][0]
        assert set(curve["y"]) == {"dtype", "bdata"} and curve["y"]["dtype"] == "f4"
        x = np.frombuffer(base64.b64decode(curve["x"]["bdata"]), np.float32).astype(np.float64)
        y = np.frombuffer(base64.b64decode(curve["y"]["bdata"]), np.float32)
        keep = np.isfinite(y)
        assert keep.sum() > 100 and np.allclose(y[keep], elu(x[keep], alpha=alpha), rtol=1e-6, atol=1e-6)
    as_text = json.dumps(animation.still_frames(fig, "slide", SIZE), cls=PlotlyJSONEncoder)
    assert len(json.dumps(sent, cls=PlotlyJSONEncoder)) < 0.6 * len(as_text)


# --- renders (kaleido, the system Chromium) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer():
    require_browser()
    export.warm_up(wait=True)
    assert export.unavailable_reason() is None
    return export


# imageio-ffmpeg's read_frames closes ffmpeg's pipes only when ffmpeg is still running at the end, so
# reading a short video back leaves two pipes for the garbage collector (imageio-ffmpeg 0.8, _io.py).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning", "ignore::ResourceWarning")
def test_gif_and_mp4_have_every_frame_at_the_slide_size(renderer, tmp_path):
    import imageio_ffmpeg
    from PIL import Image, ImageSequence

    fig = small_sweep(4)
    done = []
    frames = animation.render_stills(fig, *SIZE, theme="light", progress=lambda k, n: done.append((k, n)))
    assert done[-1] == (4, 4) and [f.shape for f in frames] == [(SIZE[1], SIZE[0], 3)] * 4
    assert not np.array_equal(frames[0], frames[3])  # α = 0 and α = 2 look different

    data = animation.encode_gif(frames, fps=5)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames == 4 and gif.size == SIZE
    assert gif.info.get("loop") == 0 and gif.info.get("duration") == 200
    # One palette for all frames, nearest colour, no dithering: the background and the lines keep their
    # exact colours; only a few antialiased edge pixels move.
    decoded = np.stack([np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(gif)]).astype(int)
    diff = np.abs(decoded - np.stack(frames).astype(int))
    assert diff.mean() < 0.5 and (diff.max(axis=-1) == 0).mean() > 0.95
    assert (decoded[:, 0, 0] == frames[0][0, 0]).all()  # the paper colour, exact in every frame

    mp4 = animation.encode_mp4(frames, fps=5)
    assert mp4[4:8] == b"ftyp" and mp4.index(b"moov") < mp4.index(b"mdat")  # +faststart: index first
    path = tmp_path / "sweep.mp4"
    path.write_bytes(mp4)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    video = np.stack([np.frombuffer(f, np.uint8).reshape(SIZE[1], SIZE[0], 3) for f in reader])
    reader.close()
    assert video.shape == (4, SIZE[1], SIZE[0], 3)
    assert meta["codec"] == "h264" and meta["fps"] == 5 and meta["size"] == SIZE
    assert "yuv420p" in meta["pix_fmt"]
    # The colours survive the encoding (the background stays white; the curves are not lost).
    assert np.abs(video.astype(int) - np.stack(frames).astype(int)).mean() < 6


def test_frames_drawn_in_one_batch_equal_frames_drawn_one_by_one(renderer):
    """The batch skips kaleido's tab reload between frames: the pictures must not change for it."""
    stills = animation.browser_stills(small_sweep(3), "dark", SIZE)
    threads, counts = set(), []

    def progress(done, total):
        threads.add(threading.current_thread())
        counts.append((done, total))

    batch = export.render_many(stills, "png", *SIZE, progress=progress)
    one_by_one = [export.render(still, "png", *SIZE) for still in stills]
    assert counts == [(1, 3), (2, 3), (3, 3)] and threads == {threading.current_thread()}
    pixels = [[np.asarray(Image.open(io.BytesIO(png)).convert("RGB")) for png in pngs] for pngs in (batch, one_by_one)]
    assert all(np.array_equal(a, b) for a, b in zip(*pixels, strict=True))
    assert not np.array_equal(pixels[0][0], pixels[0][2])


def test_a_frame_that_cannot_be_drawn_stops_the_batch_with_a_clear_error(renderer):
    stills = animation.browser_stills(small_sweep(3), "light", SIZE)
    start = time.monotonic()
    with pytest.raises(export.ExportError, match="rendering failed"):
        export.render_many([stills[0], {"layout": {}}, stills[2]], "png", *SIZE)
    assert time.monotonic() - start < 30  # reported when it fails, not after the timeout
    png = export.render(stills[0], "png", *SIZE)  # and the next render works (a fresh browser)
    assert Image.open(io.BytesIO(png)).size == SIZE


def test_the_transparent_themes_frames_lie_on_a_white_slide(renderer):
    """GIF and MP4 have no alpha: a clear background must not come out black under dark text."""
    for frame in animation.render_stills(small_sweep(2), *SIZE, theme="transparent"):
        assert (frame[0, 0] == 255).all() and (frame[-1, -1] == 255).all()
        assert (frame.sum(axis=-1) == 0).mean() < 0.01 and (frame.min(axis=-1) == 255).mean() > 0.5


def test_cli_writes_a_named_gif(renderer, tmp_path, capsys):
    from PIL import Image

    argv = ["--fn", "elu", "--sweep", "alpha=0:2:3", "--format", "gif", "--size", "400x240", "--out", str(tmp_path)]
    status, out, _err = run(argv, capsys)
    assert status == 0
    path = tmp_path / "elu_alpha-0-2_sweep.gif"
    assert out.strip() == str(path)
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.size == SIZE


def test_cli_writes_a_gradient_flow_html(tmp_path, capsys):
    spec = "activation=tanh,init=scaled_normal,sigma_w=1,depth=6,width=8,batch=8"
    argv = ["--gradient-flow", spec, "--sweep", "sigma_w=0.5:2:4", "--format", "html", "--out", str(tmp_path)]
    status, out, _err = run(argv, capsys)
    assert status == 0
    (path,) = tmp_path.iterdir()
    assert out.strip() == str(path)
    assert path.name == "tanh_depth-6_init-scaled_normal_width-8_batch-8_gradients_sigma_w-0.5-2_sweep.html"
    text = path.read_text()
    sliders, _end = json.JSONDecoder().raw_decode(text, text.index('"sliders":') + len('"sliders":'))
    labels = [step["label"] for step in sliders[0]["steps"]]
    assert labels == ["0.5", "1", "1.5", "2"]  # one slider step per frame, labelled with σ_w
    assert {step["method"] for step in sliders[0]["steps"]} == {"animate"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fn", "elu", "--sweep", "alpha=0:2", "--format", "gif"], "write NAME=START:STOP:COUNT"),
        (["--fn", "elu", "--sweep", "alpha=0:2:x", "--format", "gif"], "must be numbers"),
        (["--fn", "elu", "--sweep", "alpha=0:2:1", "--format", "gif"], "COUNT must be a whole number"),
        (["--fn", "elu", "--sweep", "alpha=1:1:5", "--format", "gif"], "must be finite and different"),
        (["--fn", "elu", "--sweep", "beta=0:2:5", "--format", "gif"], "none of elu has a parameter 'beta'"),
        (["--fn", "elu", "--sweep", "alpha=0:2:5", "--format", "png"], "use --format gif or mp4 or html"),
        (["--fn", "elu", "--sweep", "alpha=0:2:5", "--format", "gif", "--fps", "0"], "fps must be from 1 to 30"),
        (["--fn", "elu", "--sweep", "alpha=0:2:5", "--kind", "derivative", "--format", "gif"], "leave out --kind"),
        (["--gradient-flow", "activation=tanh", "--sweep", "sigma_w=0.5:2:4", "--format", "gif"], "scaled_normal"),
        (["--gradient-flow", "activation=tanh", "--sweep", "width=1:9:4", "--format", "gif"], "sigma_w, bias, depth"),
        (["--gradient-flow", "activation=tanh", "--sweep", "depth=0:9:4", "--format", "gif"], "from 1 to 200"),
        (["--sweep", "alpha=0:2:5", "--format", "gif"], "nothing to sweep"),
    ],
)
def test_bad_sweep_flags_exit_2_with_one_line(argv, message, capsys, tmp_path):
    status, out, err = run([*argv, "--out", str(tmp_path)], capsys)
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m activations.export: error: ")
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []
