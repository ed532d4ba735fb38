"""Copy as PyTorch (issue 16): generated activations equal the registry's values and derivatives, hostile
formula text reaches a script only through the parsed tree, and generated scripts run without this
package and print the app's numbers.

The activation checks run the generated definitions in this process (they are our own code, generated
from the registry or a parsed tree); the scripts run in one subprocess with a clean environment and a
working directory outside the repository, where ``activations`` is not importable (asserted), so that
importing torch is paid once.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import math
import os
import subprocess
import sys
import tokenize

import numpy as np
import pytest
import sympy as sp
from activation_cases import param_cases, with_points
from conftest import ROOT
from test_custom import VALID

import activations
from activations import codegen, custom, export, network, training
from activations.init import INITS
from activations.registry import Param

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch

BASE = np.concatenate([np.linspace(-8.0, 8.0, 801), [-1e4, -1e3, -100.0, -25.0, 25.0, 100.0, 1e3, 1e4]])
# PyTorch's hardsigmoid backward multiplies by a float32 1/6 even in float64 (see test_torch_parity).
DERIVATIVE_RTOL = {"hardsigmoid": 1e-7}


def generated_function(activation, params=None):
    """``f`` from ``activation_code``, defined in a namespace holding only torch, F and math."""
    namespace = {"torch": torch, "F": F, "math": math}
    exec(codegen.activation_code(activation, params), namespace)  # our generated code, never user text
    return namespace["f"]


def value_and_derivative(f, x, dtype=torch.float64):
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    y = f(xt)
    (d,) = torch.autograd.grad(y.sum(), xt)
    return y.detach().numpy(), d.numpy()


def grid(act, params):
    resolved = act.resolve(params)
    points = list(act.kink_points(**params))
    if act.name == "softplus":  # where PyTorch switches to the linear branch
        points.append(resolved["threshold"] / resolved["beta"])
    return with_points(BASE, points, offsets=(0.0, 1e-9, 1e-3))


@pytest.mark.parametrize(("name", "params"), param_cases())
def test_registry_activation_equals_the_registry_values_and_derivatives(name, params):
    act = activations.get(name)
    x = grid(act, params)
    y, d = value_and_derivative(generated_function(name, params), x)
    np.testing.assert_allclose(y, act(x, **params), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(d, act.derivative(x, **params), rtol=DERIVATIVE_RTOL.get(name, 1e-12), atol=1e-14)


def test_every_registry_activation_has_a_torch_call():
    assert set(activations.names()) <= set(codegen.TORCH_CALLS)


# Smooth ones go through plain autograd; max/min/clip/where through the explicit derivative.
FORMULAS = {
    "x * sigmoid(beta * x)": {"beta": 1.5},
    "where(x > 0, x, a * (exp(x) - 1))": {"a": 0.7},
    "where(x > 0, x, 0.1 * x)": {},
    "maximum(x, 0.1 * x)": {},
    "minimum(maximum(x, 0), 6)": {},
    "clip(x, -1, 1)": {},
    "x * clip(x + 3, 0, 6) / 6": {},
    "clip(x, a, b)": {"a": -0.5, "b": 2.0},
    "maximum(x, a * x) - minimum(0, x)": {"a": 0.2},
    "x / (1 + abs(x))": {},
    "log(1 + exp(x))": {},
    "x * tanh(softplus(x))": {},
    "sqrt(x**2 + 1) - 1": {},
    "2**x": {},
    "a ** x": {"a": 2.0},
    "x ** a": {"a": 3.0},
    "x**3 - x": {},
    "relu(x)**2": {},
    "sign(x) * log1p(abs(x))": {},
    "0.5 * erf(x / sqrt(2)) + 0.5": {},
    "exp(a) * x + sqrt(a)": {"a": 0.3},
    "where(a > 0 and x > 1, x, 0)": {"a": 1.0},
    "where(x < -1 or x > 1, x, 0.5 * x)": {},
    "where(not x > 0, 0.1 * x, x)": {},
    "where(x > a, x - a, where(x < -a, x + a, 0))": {"a": 0.5},
    "cosh(x) - 1 + atan(x) + asinh(x)": {},
    "expm1(x) / (1 + x**2) + x ** (-1)": {},
    "exp(-x**2 / 2) * x + tanh(x) * pi + e": {},
    "3": {},
    "torch * x + math": {"torch": 2.0, "math": 0.5},  # parameters named like the script's modules
    "print * x - exec + f + x_": {"print": 3.0},
}


FORMULA_CASES = {**FORMULAS, **dict(VALID)}  # plus test_custom's corpus of valid formulas


@pytest.mark.parametrize(("text", "params"), list(FORMULA_CASES.items()), ids=list(FORMULA_CASES))
def test_formula_equals_the_registry_values_and_derivatives(text, params):
    act = custom.parse(text)
    x = with_points(BASE, act.kink_points(**params), offsets=(0.0, 1e-9, 1e-3))
    y, d = value_and_derivative(generated_function(act, params), x)
    y_ref, d_ref = act(x, **params), act.derivative(x, **params)
    finite_y, finite_d = np.isfinite(y_ref), np.isfinite(d_ref)  # the app shows NaN where f or f′ overflows
    assert finite_y.mean() > 0.7 and finite_d.mean() > 0.7
    np.testing.assert_allclose(y[finite_y], y_ref[finite_y], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d[finite_d], d_ref[finite_d], rtol=1e-9, atol=1e-12)


def test_kinks_follow_the_apps_conventions_not_torchs_own():
    """torch.maximum splits a tie ½/½ and torch.clamp passes 1 at its bounds; the app does neither."""
    zero = np.array([0.0, 1.0, -1.0])
    assert value_and_derivative(generated_function(custom.parse("maximum(x, 0)")), zero)[1].tolist() == [0, 1, 0]
    assert value_and_derivative(generated_function(custom.parse("clip(x, -1, 1)")), zero)[1].tolist() == [1, 0, 0]
    leaky = generated_function(custom.parse("where(x > 0, x, 0.1 * x)"))
    assert value_and_derivative(leaky, np.array([0.0, -1e4]))[1].tolist() == [0.1, 0.1]
    elu = generated_function(custom.parse("where(x > 0, x, exp(x) - 1)"))
    assert value_and_derivative(elu, np.array([1e4]))[1].tolist() == [1.0]  # torch.where's autograd: NaN


def test_float32_activation_stays_float32():
    x = np.linspace(-5, 5, 101, dtype=np.float32)
    for act in (activations.get("prelu"), custom.parse("where(x > 0, x, 0.1 * x)"), custom.parse("3")):
        y, d = value_and_derivative(generated_function(act), x, torch.float32)
        assert y.dtype == d.dtype == np.float32
        np.testing.assert_allclose(y, act(x), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(d, act.derivative(x), rtol=1e-6, atol=1e-7)


# --- hostile text -------------------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('true')",
    "'x; import os'",
    "x if open('/etc/passwd') else x",
    "exec('import os')",
    "x.__class__",
    "x; import os",
    'x + "\\n import os"',
    "[x for x in ()]",
    "lambda: x",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_by_the_parser(text):
    with pytest.raises(custom.FormulaError):
        custom.parse(text)


def tokens(code):
    return list(tokenize.generate_tokens(io.StringIO(code).readline))


def strings(code):
    return {t.string for t in tokens(code) if t.type == tokenize.STRING}


OUR_DOCSTRINGS = set().union(
    *(strings(code) for code in codegen.HELPERS.values()),
    strings(codegen.activation_code(custom.parse("x * 2"))),
    strings(codegen.activation_code(custom.parse("where(x > 0, x, 0)"))),
)


@pytest.mark.parametrize("text", list(FORMULA_CASES))
def test_generated_formula_holds_only_whitelisted_names_and_no_strings(text):
    act = custom.parse(text)
    code = codegen.activation_code(act, FORMULA_CASES[text])
    parameters = set(codegen.parameter_names(act).values())
    for token in tokens(code):
        if token.type == tokenize.NAME:
            assert token.string in codegen.ALLOWED_NAMES | parameters, token.string
        if token.type == tokenize.STRING:  # only our own docstrings, the same whatever the formula
            assert token.string in OUR_DOCSTRINGS, token.string
    assert "import" not in code and "exec(" not in code and "__" not in code


def test_parameter_names_that_would_shadow_the_script_are_renamed():
    code = codegen.activation_code(custom.parse("torch * x + math"), {"torch": 2.0})
    assert "def f(x, torch_=2.0, math_=1.0):" in code
    names = codegen.parameter_names(custom.parse("torch * x + torch_"))
    assert names == {"torch": "torch_", "torch_": "torch__"}


def test_a_tampered_tree_is_refused():
    """Only whitelisted node types and the checker's own parameter symbols can be written."""
    act = custom.parse("x * a")
    system = sp.Function("system")
    for expression in (system(custom.X), custom.X * sp.Symbol("os")):
        with pytest.raises(codegen.CodegenError):
            codegen.activation_code(dataclasses.replace(act, expression=expression), {})
    bad_param = Param("a) or __import__('os'", 1.0, -5.0, 5.0, 0.01, "a", "")
    with pytest.raises(codegen.CodegenError):
        codegen.parameter_names(dataclasses.replace(act, params=(bad_param,)))


@pytest.mark.parametrize(
    "code",
    [
        "def f(x):\n    return __import__('os')",
        "def f(x):\n    import os\n    return x",
        "def f(x):\n    return x; print(1)",
        "def f(x):\n    return eval('x')",
    ],
)
def test_check_generated_refuses_anything_outside_the_vocabulary(code):
    with pytest.raises(codegen.CodegenError):
        codegen.check_generated(code)


# --- scripts -------------------------------------------------------------------------------------------

DRIVER = """
import contextlib, importlib.util, io, json, runpy, sys
import torch

assert importlib.util.find_spec("activations") is None, "the project's package is importable"
results = {}
for path in sys.argv[1:]:
    torch.set_default_dtype(torch.float32)  # a training script sets float64 for itself
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    results[path] = json.loads(out.getvalue().strip().splitlines()[-1])
print(json.dumps(results))
"""


def run_scripts(scripts: dict[str, str], tmp_path) -> dict[str, dict]:
    """Each script's last printed line, parsed, all run in one clean subprocess outside the repo."""
    paths = {}
    for key, text in scripts.items():
        path = tmp_path / f"{key}.py"
        path.write_text(text)
        paths[key] = str(path)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(tmp_path), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-I", str(driver), *paths.values()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return {key: results[path] for key, path in paths.items()}


GRADIENT_FLOW = {
    "he_normal-relu": dict(activation="relu", init="he_normal"),
    "xavier_normal-tanh": dict(activation="tanh", init="xavier_normal", bias=0.1),
    "xavier_uniform-sigmoid": dict(activation="sigmoid", init="xavier_uniform"),
    "he_uniform-leaky_relu": dict(activation="leaky_relu", init="he_uniform", params={"alpha": 0.2}),
    "lecun_normal-selu": dict(activation="selu", init="lecun_normal"),
    "orthogonal-gelu": dict(activation="gelu", init="orthogonal"),
    "scaled_normal-tanh": dict(activation="tanh", init="scaled_normal", sigma_w=1.5),
    "prelu-float64": dict(activation="prelu", init="he_normal", params={"alpha": 0.1}, dtype=np.float64),
    "rrelu-float64": dict(activation="rrelu", init="he_normal", dtype=np.float64),
    "formula-where-float64": dict(activation="where(x > 0, x, a * (exp(x) - 1))", params={"a": 0.5}, dtype=np.float64),
    "formula-swish": dict(activation="x * sigmoid(beta * x)", params={"beta": 1.7}, init="he_normal"),
}
SMALL = dict(depth=6, width=16, batch=8, seed=3)
DEFAULT_PAGE = network.DEFAULT_CONFIG  # sigmoid, depth 30, width 256, batch 32, Xavier: the page's opening view


def _resolve(kwargs):
    activation = kwargs["activation"]
    if "(" in activation or activation not in activations.names():
        activation = custom.parse(activation)
    return {**kwargs, "activation": activation}


def gradient_flow_cases():
    cases = {key: _resolve({**SMALL, **kwargs}) for key, kwargs in GRADIENT_FLOW.items()}
    for name in activations.names():  # every activation in a tiny float64 network
        cases[f"every-{name}"] = dict(activation=name, depth=3, width=6, batch=4, init="he_normal", dtype=np.float64)
    cfg = DEFAULT_PAGE
    cases["page-default"] = dict(
        activation=cfg.activations[0], depth=cfg.depth, width=cfg.width, batch=cfg.batch, init=cfg.inits[0]
    )
    return cases


TRAINING = {
    "dying_relu-preset": training.PRESETS["dying_relu"],  # as the page opens it: 600 full-batch Adam steps
    "dying_relu-adam": dataclasses.replace(training.PRESETS["dying_relu"], n_samples=200, batch_size=200, steps=30),
    "vanishing_sigmoid-sgd": dataclasses.replace(training.PRESETS["vanishing_sigmoid"], n_samples=200, steps=30),
    "prelu_learns_alpha-adam": dataclasses.replace(training.PRESETS["prelu_learns_alpha"], n_samples=200, steps=30),
    "momentum-circles-orthogonal": training.TrainConfig(
        dataset="circles", n_samples=150, activation="tanh", init="orthogonal", optimizer="momentum", lr=0.05,
        steps=30, batch_size=32, depth=2, width=12, seed=4,
    ),
    "spiral-formula-scaled": training.TrainConfig(
        dataset="spiral", n_samples=120, activation=custom.parse("maximum(x, a * x)"), params={"a": 0.05},
        init="scaled_normal", sigma_w=1.3, optimizer="adam", lr=0.01, steps=20, batch_size=40, width=10, seed=2,
    ),
    "xor-elu-xavier_uniform": training.TrainConfig(
        dataset="xor", n_samples=100, activation="elu", init="xavier_uniform", steps=20, batch_size=25, width=8
    ),
    "blobs-gelu-he_uniform": training.TrainConfig(
        dataset="blobs", n_samples=90, activation="gelu", init="he_uniform", steps=20, batch_size=30, width=8
    ),
}  # fmt: skip


ARCHITECTURE = "architecture-"  # the key prefix of architecture_cases' scripts among every script run


@pytest.fixture(scope="module")
def every_script_result(tmp_path_factory):
    """Every script of this module (plain configurations and architectures), run in one subprocess, so that
    torch is imported once: (gradient-flow cases, architecture cases, results by script key)."""
    gf = gradient_flow_cases()
    scripts = {f"gf-{key}": codegen.gradient_flow_script(**kwargs) for key, kwargs in gf.items()}
    scripts |= {f"train-{key}": codegen.training_script(cfg) for key, cfg in TRAINING.items()}
    architectures, architecture_scripts = architecture_cases()
    scripts |= {ARCHITECTURE + key: text for key, text in architecture_scripts.items()}
    return gf, architectures, run_scripts(scripts, tmp_path_factory.mktemp("scripts"))


@pytest.fixture(scope="module")
def script_results(every_script_result):
    """The plain configurations: (gradient-flow cases, results)."""
    gf, _architectures, results = every_script_result
    return gf, {key: value for key, value in results.items() if not key.startswith(ARCHITECTURE)}


def assert_gradient_flow_matches(printed, kwargs):
    stats = network.simulate(**kwargs)
    rtol = 1e-6 if np.dtype(kwargs.get("dtype", np.float32)) == np.float64 else 1e-4
    for field in ("grad_z_norm", "grad_norm"):
        assert len(printed[field]) == stats.depth
        np.testing.assert_allclose(printed[field], getattr(stats, field), rtol=rtol, err_msg=field)


@pytest.mark.parametrize("key", [*GRADIENT_FLOW, "page-default", *(f"every-{name}" for name in activations.names())])
def test_gradient_flow_script_prints_the_apps_numbers(key, script_results):
    cases, results = script_results
    assert_gradient_flow_matches(results[f"gf-{key}"], cases[key])


def test_every_init_is_covered():
    assert {kwargs.get("init", "he_normal") for kwargs in GRADIENT_FLOW.values()} == set(INITS)


def assert_training_matches(printed, cfg):
    result = training.train(cfg)
    assert result.finished
    np.testing.assert_allclose(printed["loss"], result.loss[-1], rtol=1e-6)
    assert printed["accuracy"] == pytest.approx(result.accuracy[-1], abs=1e-12)
    np.testing.assert_allclose(printed["dead_fraction"], result.dead_fraction[-1], atol=1e-12)


@pytest.mark.parametrize("key", list(TRAINING))
def test_training_script_prints_the_apps_numbers(key, script_results):
    _cases, results = script_results
    assert_training_matches(results[f"train-{key}"], TRAINING[key])


def test_training_covers_every_optimizer_and_dataset():
    assert {cfg.optimizer for cfg in TRAINING.values()} == set(training.OPTIMIZERS)
    assert {cfg.dataset for cfg in TRAINING.values()} >= set(codegen.DATASET_CODE)


def test_a_script_runs_as_a_plain_file_without_the_package(tmp_path):
    """`python script.py` in a clean environment: the script as a user would run it after copying it."""
    script = tmp_path / "gradient_flow.py"
    kwargs = dict(activation="tanh", depth=4, width=8, batch=4, init="xavier_normal", seed=1)
    script.write_text(codegen.gradient_flow_script(**kwargs))
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(tmp_path), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-I", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert_gradient_flow_matches(json.loads(done.stdout.strip().splitlines()[-1]), kwargs)


def test_scripts_import_only_numpy_torch_and_the_standard_library():
    scripts = [codegen.gradient_flow_script(**kwargs) for kwargs in gradient_flow_cases().values()]
    scripts += [codegen.training_script(cfg) for cfg in TRAINING.values()]
    for text in scripts:
        imports = {line.split()[1].split(".")[0] for line in text.splitlines() if line.startswith(("import ", "from "))}
        assert imports == {"json", "math", "numpy", "torch"}
        assert "activations" not in text.replace("Activation Lab", "")


def test_bad_configurations_are_refused_with_a_message():
    for kwargs, message in [
        (dict(depth=0), "depth"),
        (dict(init="zeros"), "unknown init"),
        (dict(init="scaled_normal"), "sigma_w"),
        (dict(architecture="dense"), "unknown architecture"),
        (dict(framework="jax"), "unknown framework"),
        (dict(dtype=np.float16), "dtype"),
        (dict(bias=math.inf), "bias"),
    ]:
        with pytest.raises(ValueError, match=message):
            codegen.gradient_flow_script(**kwargs)


# --- architectures (enabled once simulate / TrainConfig accept them) -------------------------------------

ENGINE_HAS_ARCHITECTURES = "architecture" in inspect.signature(network.simulate).parameters
ENGINE_HAS_SIGMA_B = "sigma_b" in inspect.signature(network.simulate).parameters
TRAINING_HAS_ARCHITECTURES = "architecture" in {f.name for f in dataclasses.fields(training.TrainConfig)}
needs_architectures = pytest.mark.skipif(
    not ENGINE_HAS_ARCHITECTURES, reason="network.simulate has no architecture= yet (issue 15's engine)"
)


def architecture_cases():
    """Gradient-flow configurations of every architecture (float32 and float64), random biases and Training
    Lab architectures, as far as the engine accepts them; keys say which."""
    scripts, cases = {}, {}
    if ENGINE_HAS_ARCHITECTURES:
        for architecture in codegen.ARCHITECTURES:
            for name, dtype in (("relu", np.float32), ("tanh", np.float64)):
                key = f"gf-{architecture}-{dtype.__name__}-{name}"
                cases[key] = dict(
                    activation=name, architecture=architecture, dtype=dtype, init="he_normal", bias=0.05, **SMALL
                )
    if ENGINE_HAS_SIGMA_B:
        for architecture in ("plain", "residual"):
            cases[f"gf-sigma_b-{architecture}"] = dict(
                activation="tanh", init="xavier_normal", sigma_b=0.3, bias=0.1, architecture=architecture, **SMALL
            )
    scripts |= {key: codegen.gradient_flow_script(**kwargs) for key, kwargs in cases.items()}
    if TRAINING_HAS_ARCHITECTURES:
        base = dict(n_samples=300, steps=15, batch_size=64, depth=3, optimizer="adam", lr=0.01, seed=5)
        for architecture in codegen.ARCHITECTURES:  # residual at width 2: the first layer has a skip too
            width = 2 if architecture == "residual" else 8
            cases[f"train-{architecture}"] = training.TrainConfig(
                architecture=architecture, activation="relu", width=width, **base
            )
        cases["train-residual-wide"] = training.TrainConfig(architecture="residual", activation="tanh", width=8, **base)
        scripts |= {key: codegen.training_script(cfg) for key, cfg in cases.items() if key.startswith("train-")}
    return cases, scripts


@pytest.fixture(scope="module")
def architecture_results(every_script_result):
    """The architectures' cases and results (run with the plain configurations' scripts)."""
    _gf, cases, results = every_script_result
    return cases, {key.removeprefix(ARCHITECTURE): out for key, out in results.items() if key.startswith(ARCHITECTURE)}


@needs_architectures
@pytest.mark.parametrize("architecture", codegen.ARCHITECTURES)
def test_gradient_flow_architectures_print_the_apps_numbers(architecture, architecture_results):
    cases, results = architecture_results
    keys = [key for key in cases if key.startswith(f"gf-{architecture}-")]
    assert len(keys) == 2
    for key in keys:
        assert_gradient_flow_matches(results[key], cases[key])


@pytest.mark.skipif(not ENGINE_HAS_SIGMA_B, reason="network.simulate has no sigma_b= yet (issue 15's engine)")
def test_gradient_flow_random_biases_print_the_apps_numbers(architecture_results):
    cases, results = architecture_results
    for key in ("gf-sigma_b-plain", "gf-sigma_b-residual"):
        assert_gradient_flow_matches(results[key], cases[key])


@pytest.mark.skipif(not TRAINING_HAS_ARCHITECTURES, reason="TrainConfig has no architecture yet (issue 15's engine)")
@pytest.mark.parametrize("architecture", [*codegen.ARCHITECTURES, "residual-wide"])
def test_training_architectures_print_the_apps_numbers(architecture, architecture_results):
    cases, results = architecture_results
    assert_training_matches(results[f"train-{architecture}"], cases[f"train-{architecture}"])


# --- the command line ---------------------------------------------------------------------------------


def run_cli(argv, capsys):
    try:
        status = export.main(argv)
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_prints_the_gradient_flow_script(capsys):
    status, out, err = run_cli(
        ["--gradient-flow", "activation=tanh,depth=12,init=xavier_normal", "--as-code", "pytorch"], capsys
    )
    assert status == 0 and err == ""
    assert out == codegen.gradient_flow_script("tanh", depth=12, width=256, batch=256, init="xavier_normal")


def test_cli_passes_architecture_dtype_sigma_b_and_a_formula(capsys):
    argv = ["--gradient-flow", "depth=5,width=8,batch=4,architecture=layernorm,dtype=float64,sigma_b=0.2"]
    status, out, _err = run_cli([*argv, "--formula", "maximum(x, a * x):a=0.1", "--as-code", "pytorch"], capsys)
    assert status == 0
    expected = codegen.gradient_flow_script(
        custom.parse("maximum(x, a * x)"), depth=5, width=8, batch=4, init="he_normal", params={"a": 0.1},
        dtype=np.float64, architecture="layernorm", sigma_b=0.2,
    )  # fmt: skip
    assert out == expected
    assert "F.layer_norm" in out and "SIGMA_B = 0.2" in out and "class Formula" in out


def test_cli_training_preset_with_overrides(capsys, tmp_path):
    target = tmp_path / "sub" / "run.py"
    argv = ["--training", "preset=dying_relu,steps=50,lr=0.5", "--as-code", "pytorch", "--out", str(target)]
    status, out, _err = run_cli(argv, capsys)
    assert status == 0 and out.strip() == str(target)
    cfg = dataclasses.replace(training.PRESETS["dying_relu"], steps=50, lr=0.5)
    assert target.read_text() == codegen.training_script(cfg)
    status, out, _err = run_cli(["--training", "activation=leaky_relu,alpha=0.2", "--as-code", "pytorch"], capsys)
    assert status == 0 and "F.leaky_relu(x, negative_slope=0.2)" in out
    status, out, _err = run_cli(
        ["--training", "preset=vanishing_sigmoid", "--as-code", "pytorch", "--out", str(tmp_path)], capsys
    )
    written = tmp_path / "training_sigmoid_moons_sgd_lr-1.py"
    assert status == 0 and out.strip() == str(written) and written.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--training", "preset=dying_relu"], "add --as-code pytorch"),
        (["--training", "preset=nope", "--as-code", "pytorch"], "unknown preset 'nope'"),
        (["--training", "lr=abc", "--as-code", "pytorch"], "lr must be a finite number"),
        (["--training", "steps=2.5", "--as-code", "pytorch"], "steps must be a whole number"),
        (["--training", "lr=-1", "--as-code", "pytorch"], "lr must be in (0, 1000]"),
        (["--training", "colour=red", "--as-code", "pytorch"], "unknown setting colour"),
        (["--training", "dataset=mnist", "--as-code", "pytorch"], "unknown dataset 'mnist'"),
        (["--training", "activation=relu7", "--as-code", "pytorch"], "unknown activation 'relu7'"),
        (["--training", "activation=elu,alpha=big", "--as-code", "pytorch"], "'alpha' must be a number"),
        (["--gradient-flow", "depth=3", "--training", "steps=3", "--as-code", "pytorch"], "one --gradient-flow"),
        (["--as-code", "pytorch"], "one --gradient-flow or one --training"),
        (["--gradient-flow", "architecture=dense", "--as-code", "pytorch"], "unknown architecture 'dense'"),
        (["--gradient-flow", "dtype=float16", "--as-code", "pytorch"], "dtype must be float32 or float64"),
        (["--gradient-flow", "depth=500", "--as-code", "pytorch"], "depth must be from 1 to 200"),
        (["--gradient-flow", "depth=3", "--as-code", "jax"], "invalid choice: 'jax'"),
        (["--gradient-flow", "depth=3", "--fn", "relu", "--as-code", "pytorch"], "set the activation in the settings"),
        (["--gradient-flow", "depth=3", "--formula", "__import__('os')", "--as-code", "pytorch"], "not allowed"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    status, out, err = run_cli(argv, capsys)
    assert status == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_generated_scripts_are_clean_under_the_projects_ruff_rules(tmp_path):
    scripts = [codegen.gradient_flow_script(**kwargs) for kwargs in gradient_flow_cases().values()]
    scripts += [codegen.training_script(cfg) for cfg in TRAINING.values()]
    scripts += [codegen.gradient_flow_script(architecture=a, sigma_b=0.1) for a in codegen.ARCHITECTURES]
    xor = TRAINING["xor-elu-xavier_uniform"]
    scripts += [codegen.training_script(dataclasses.replace(xor, init=init)) for init in INITS[:-1]]
    for i, script in enumerate(scripts):
        (tmp_path / f"script_{i}.py").write_text(script)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(ROOT / "pyproject.toml"), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
