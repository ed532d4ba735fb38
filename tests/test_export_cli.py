"""`python -m activations.export`: flags, one-line errors with a non-zero status, and the files it writes."""

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, require_browser

from activations import export
from activations.export import build_parser, main, parse_fn, parse_formula, parse_gradient_flow, plan_jobs


def run(argv, capsys):
    """main(argv) -> (exit status, stdout, stderr); argparse's exits count as a status too."""
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fn", "relu", "--bogus"], "unrecognized arguments: --bogus"),
        (["--fn", "relu", "--kind", "integral"], "invalid choice: 'integral'"),
        (["--fn", "relu", "--format", "gif"], "give --sweep NAME=START:STOP:COUNT"),
        (["--fn", "relu", "--format", "webm"], "invalid choice: 'webm'"),
        (["--fn", "relu", "--theme", "neon"], "invalid choice: 'neon'"),
        (["--fn", "relu", "--size", "big"], "size must look like 1920x1080"),
        (["--fn", "relu", "--size", "20x20"], "width must be from 100 to 4000"),
        (["--fn", "relu", "--scale", "abc"], "invalid float value: 'abc'"),
        (["--fn", "relu", "--scale", "5"], "scale must be from 1 to 4"),
        (["--fn", "relu7"], "unknown activation 'relu7'"),
        (["--fn", "leaky_relu:beta=2"], "has no parameter 'beta'"),
        (["--fn", "leaky_relu:alpha=lots"], "'alpha' must be a number"),
        (["--fn", "leaky_relu:alpha"], "parameters are written name=value"),
        (["--fn", "elu:alpha=nan"], "must be finite"),
        (["--fn", "relu", "--xmin", "3", "--xmax", "1"], "--xmin must be below --xmax"),
        (["--kind", "gallery", "--fn", "relu"], "leave out --fn"),
        (["--kind", "gallery", "--formula", "x"], "leave out --fn and --formula"),
        (["--formula", "__import__('os').system('true')"], "is not allowed"),
        (["--formula", "x * sigmoid(beta * x):beta=lots"], "'beta' must be a number"),
        (["--formula", "x * a:b=1"], "has no parameter 'b'"),
        (["--formula", "x * a:a=nan"], "must be finite"),
        (["--formula", "exp(x"], "--formula 'exp(x'"),
        ([], "nothing to render"),
        (["--gradient-flow", "activation=sigmoid,depth=thirty"], "depth must be a finite number"),
        (["--gradient-flow", "activation=sigmoid,depth=2.5"], "depth must be a whole number"),
        (["--gradient-flow", "activation=sigmoid,depth=500"], "depth must be from 1 to 200"),
        (["--gradient-flow", "activation=sigmoid,init=zeros"], "init must be one of"),
        (["--gradient-flow", "activation=sigmoid,colour=red"], "unknown setting colour"),
        (["--gradient-flow", "activation=sigmoid,figure=movie"], "figure must be one of"),
        (["--gradient-flow", "depth=200,width=1024,batch=1024"], "is too large"),
        (["--gradient-flow", "init=scaled_normal"], "needs sigma_w > 0"),
        (
            ["--gradient-flow", "activation=relu,figure=dead", "--gradient-flow", "activation=tanh", "--compare"],
            "same figure=",
        ),
    ],
)
def test_bad_flags_exit_non_zero_with_one_line(argv, message, capsys, tmp_path):
    status, out, err = run([*argv, "--out", str(tmp_path)], capsys)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m activations.export: error: ")
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_help_documents_every_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for action in build_parser()._actions:
        for flag in action.option_strings:
            assert flag in text
        if action.option_strings and action.dest != "help":
            assert action.help and len(action.help) > 10, action.dest
    for word in ("function", "derivative", "both", "gallery", "png", "svg", "pdf", "1920x1080", "slide"):
        assert word in text


def test_parse_fn_and_gradient_flow_specs():
    assert parse_fn("leaky_relu:alpha=0.2") == ("leaky_relu", {"alpha": 0.2})
    assert parse_fn(" ELU ") == ("elu", {"alpha": 1.0})
    kwargs, figure = parse_gradient_flow("activation=sigmoid,depth=30,init=xavier_normal")
    assert figure == "gradients"
    assert kwargs == {
        "activation": "sigmoid",
        "init": "xavier_normal",
        "depth": 30,
        "width": 256,
        "batch": 256,
        "seed": 0,
        "bias": 0.0,
        "params": {},
    }
    kwargs, figure = parse_gradient_flow("activation=leaky_relu,alpha=0.2,figure=dead,width=64")
    assert kwargs["params"] == {"alpha": 0.2} and kwargs["width"] == 64 and figure == "dead"


def test_formula_specs():
    act, params = parse_formula("x * sigmoid(beta * x):beta=1.5")
    assert act.name == "custom" and act.source == "x * sigmoid(beta * x)" and params == {"beta": 1.5}
    assert parse_formula("where(x > 0, x, a * x)")[1] == {"a": 1.0}  # commas inside the formula are its own


def test_a_formula_is_drawn_like_the_activation_it_spells(capsys):
    """x·σ(βx) at β = 1 is SiLU: the formula's curves equal the registry's, in one figure with --compare."""
    from pagetools import array

    import activations

    args = build_parser().parse_args(["--fn", "silu", "--formula", "x * sigmoid(beta * x):beta=1", "--compare"])
    (job,) = plan_jobs(args)
    assert job.stem == "silu_beta-1_custom_beta-1_function_derivative"
    fig = job.build().to_plotly_json()
    f_silu, df_silu, f_formula, df_formula = (t for t in fig["data"] if t.get("mode") == "lines")
    assert f_formula["name"] == "f(x) = x * sigmoid(beta * x) (β=1)"
    for ours, theirs in ((f_formula, f_silu), (df_formula, df_silu)):
        np.testing.assert_allclose(array(ours["y"]), array(theirs["y"]), rtol=1e-12, atol=1e-15)
    silu = activations.get("silu")
    x = array(df_formula["x"])
    np.testing.assert_allclose(array(df_formula["y"]), silu.derivative(x), rtol=1e-12, atol=1e-15)


def test_no_browser_exits_with_a_plain_message(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "browser_path", lambda: None)
    status, _out, err = run(["--fn", "relu", "--out", str(tmp_path)], capsys)
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "Chromium" in err
    assert list(tmp_path.iterdir()) == []


# --- rendering -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warm_browser():
    require_browser()
    export.warm_up(wait=True)
    yield
    export.shutdown()


def test_writes_one_file_per_function_named_after_it(warm_browser, capsys, tmp_path):
    from PIL import Image

    status, out, err = run(
        ["--fn", "relu", "--fn", "leaky_relu:alpha=0.2", "--kind", "derivative", "--size", "640x360", "--scale", "2",
         "--theme", "slide", "--out", str(tmp_path / "slides")],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    names = ["relu_derivative_slide.png", "leaky_relu_alpha-0.2_derivative_slide.png"]  # the theme is named
    assert out.split() == [str(tmp_path / "slides" / name) for name in names]
    for name in names:
        with Image.open(tmp_path / "slides" / name) as image:
            assert image.size == (1280, 720)


def test_compare_svg_and_gradient_flow_pdf(warm_browser, capsys, tmp_path):
    from pypdf import PdfReader

    status, out, err = run(
        ["--fn", "sigmoid", "--fn", "tanh", "--compare", "--kind", "both", "--format", "svg", "--size", "800x600",
         "--gradient-flow", "activation=sigmoid,depth=6,width=16,batch=8,init=xavier_normal", "--out", str(tmp_path)],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    svg = tmp_path / "sigmoid_tanh_function_derivative.svg"
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    flow = tmp_path / "sigmoid_depth-6_init-xavier_normal_width-16_batch-8_gradients.svg"
    assert ET.parse(flow).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    status, out, err = run(
        ["--gradient-flow", "activation=relu,depth=6,width=16,batch=8,figure=dead", "--format", "pdf", "--out",
         str(tmp_path)],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    pdf = Path(out.strip())
    assert pdf.name == "relu_depth-6_init-he_normal_width-16_batch-8_dead.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) == 1


def test_writes_a_formula_figure(warm_browser, capsys, tmp_path):
    status, out, err = run(
        ["--formula", "where(x > 0, x, a * x):a=0.1", "--kind", "derivative", "--format", "svg", "--out",
         str(tmp_path)],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    svg = Path(out.strip())
    assert svg.name == "custom_a-0.1_derivative.svg"
    root = ET.parse(svg).getroot()
    assert "f(x) = where(x > 0, x, a * x) (a=0.1)" in "".join(root.itertext())


def test_module_entry_point():
    """`python -m activations.export` runs main(): --help exits 0, a bad flag exits 2 with one line."""
    ok = subprocess.run(
        [sys.executable, "-m", "activations.export", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert ok.returncode == 0 and "--gradient-flow" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "activations.export", "--fn", "relu", "--scale", "9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "python -m activations.export: error: scale must be from 1 to 4, got 9.0"
    ]
