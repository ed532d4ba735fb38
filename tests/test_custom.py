"""User-typed activations (`activations.custom`): safety against hostile text, exact derivatives checked
against finite differences, built-ins retyped as formulas, kink conventions, dtype, URL round trip."""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest
import sympy as sp

import activations
from activations import custom
from activations.custom import FormulaError, parse
from activations.registry import Activation
from activations.urlstate import Warnings

# --- hostile or broken text: (input, a fragment the refusal message must contain) ---------------------

INJECTION = [
    ("__import__('os').system('ls')", "attribute access is not allowed"),
    ("__import__('os')", "names starting with _"),
    ("().__class__.__bases__", "attribute access is not allowed: `().__class__.__bases__`"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("x.__class__", "attribute access is not allowed: `x.__class__`"),
    ("x.real", "attribute access is not allowed: `x.real`"),
    ("x.conjugate()", "attribute access"),
    ("sin.__globals__", "attribute access"),
    ("exp.__code__", "attribute access"),
    ("sigmoid(x).__class__", "attribute access"),
    ("(1).__add__(2)", "attribute access"),
    ("__builtins__", "names starting with _"),
    ("_", "names starting with _"),
    ("_a * x", "names starting with _ are not allowed: `_a`"),
    ("globals()", "unknown function `globals`"),
    ("locals()", "unknown function `locals`"),
    ("vars()", "unknown function `vars`"),
    ("dir()", "unknown function `dir`"),
    ("getattr(x, 'real')", "unknown function `getattr`"),
    ("open('/etc/passwd')", "unknown function `open`"),
    ("exec('import os')", "unknown function `exec`"),
    ("eval('1')", "unknown function `eval`"),
    ("compile('1', '', 'eval')", "unknown function `compile`"),
    ("breakpoint()", "unknown function `breakpoint`"),
    ("help()", "unknown function `help`"),
    ("input()", "unknown function `input`"),
    ("exit()", "unknown function `exit`"),
    ("print(x)", "unknown function `print`"),
    ("type(x)", "unknown function `type`"),
    ("sympify('x')", "unknown function `sympify`"),
    ("lambda: 1", "lambda expressions are not allowed"),
    ("lambda x: x", "lambda expressions are not allowed"),
    ("(lambda: 1)()", "only the listed functions can be called"),
    ("[x for x in ()]", "comprehensions are not allowed"),
    ("{x for x in ()}", "comprehensions are not allowed"),
    ("{x: 1 for x in ()}", "comprehensions are not allowed"),
    ("sum(x for x in ())", "unknown function `sum`"),
    ("x if x else 1", "write where(c, a, b)"),
    ("(y := 1)", "assignment (:=) is not allowed"),
    ("f'{x}'", "f-strings are not allowed"),
    ("f\"{__import__('os')}\"", "f-strings are not allowed"),
    ("'abc'", "text strings are not allowed"),
    ("b'abc'", "text strings are not allowed"),
    ('"x"', "text strings are not allowed"),
    ("x[0]", "indexing is not allowed: `x[0]`"),
    ("x[1:2]", "indexing is not allowed"),
    ("[x]", "lists are not allowed"),
    ("(x, 1)", "tuples are not allowed"),
    ("x, 1", "tuples are not allowed"),
    ("{x}", "sets are not allowed"),
    ("{1: 2}", "dictionaries are not allowed"),
    ("x;import os", "only one expression is allowed"),
    ("import os", "“import” is a Python keyword"),
    ("from os import system", "“from” is a Python keyword"),
    ("x = 1", "not a valid formula"),
    ("del x", "“del” is a Python keyword"),
    ("assert x", "“assert” is a Python keyword"),
    ("raise x", "“raise” is a Python keyword"),
    ("await x", "`await` is not allowed"),
    ("(yield x)", "`yield` is not allowed"),
    ("async def f(): pass", "Python keyword"),
    ("exp(x=1)", "keyword arguments are not allowed"),
    ("clip(x, lo=0, hi=1)", "keyword arguments are not allowed"),
    ("exp(*[x])", "star arguments are not allowed"),
    ("exp(**{})", "keyword arguments are not allowed"),
    ("where(x > 0, *[1, 2])", "star arguments are not allowed"),
    ("x # comment", "comments (#) are not allowed"),
    ("x \\\n+ 1", "backslashes are not allowed"),
]
BROKEN = [
    ("", "the formula is empty"),
    ("   ", "the formula is empty"),
    ("\t\n ", "the formula is empty"),
    ("(", "not a valid formula"),
    (")", "not a valid formula"),
    ("x +", "not a valid formula"),
    ("*", "not a valid formula"),
    ("x**", "not a valid formula"),
    ("()", "tuples are not allowed"),
    ("exp()", "exp() takes 1 argument(s), got 0"),
    ("exp(x, x)", "exp() takes 1 argument(s), got 2"),
    ("where(x > 0, 1)", "where() takes 3 argument(s), got 2"),
    ("clip(x, 1)", "clip() takes 3 argument(s), got 2"),
    ("maximum(x)", "maximum() takes 2 argument(s), got 1"),
    ("where(x, 1, 2)", "must be a comparison such as x > 0: `x`"),
    ("where(1, 2, 3)", "must be a comparison"),
    ("where(x is 0, 1, 2)", "only <, <=, >, >=, == and != can compare"),
    ("where(x in x, 1, 2)", "only <, <=, >, >=, == and != can compare"),
    ("2x", "a number runs into a name; write 2*x"),
    ("1if 1else 2", "a number runs into a name"),
    ("x y", "not a valid formula"),
    ("x^2", "`^` is not a power here; write x**2"),
    ("x // 2", "`//` (floor division) is not allowed"),
    ("x % 2", "`%` (remainder) is not allowed"),
    ("x @ x", "`@` (matrix product) is not allowed"),
    ("~x", "`~` is not allowed"),
    ("x & 1", "`&` is not allowed"),
    ("x | 1", "`|` is not allowed"),
    ("x << 1", "bit shifts are not allowed"),
    ("not x", "only allowed as the condition of where"),
    ("x and 1", "only allowed as the condition of where"),
    ("x > 0", "only allowed as the condition of where"),
    ("x == 1", "only allowed as the condition of where"),
    ("where(x > 0, x > 1, 0)", "only allowed as the condition of where"),
    ("True", "`True` is not a number"),
    ("None", "`None` is not a number"),
    ("...", "`...` is not a number"),
    ("1j", "complex numbers are not allowed"),
    ("0x10", "write numbers in decimal"),
    ("0b1 * x", "write numbers in decimal"),
    ("0o7 * x", "write numbers in decimal"),
    ("Beta * x", "parameter names are lowercase"),
    ("X", "parameter names are lowercase"),
    ("abcdefghijklmnopq * x", "at most 16 characters"),
    ("inf * x", "`inf` is reserved"),
    ("nan", "`nan` is reserved"),
    ("foo(x)", "unknown function `foo`; available: abs, arcsinh, arctan"),
    ("a(x + 1)", "`a` is not a function; for a product write a*(...)"),
    ("x(1)", "`x` is not a function"),
    ("exp", "`exp` is a function: write exp(...)"),
    ("exp + x", "`exp` is a function"),
    ("a + b + c + d + f + g + h + k + m", "at most 8 parameters are allowed: `m`"),
    ("lambda * x", "“lambda” is a Python keyword; name the parameter lam"),
]
HUGE = [
    ("9**9**9", "the exponent in `9**9**9` is too large"),
    ("10**100000", "the exponent in `10**100000` is too large"),
    ("2**1000", "the exponent in `2**1000` is too large"),
    ("x**101", "the exponent in `x**101` is too large"),
    ("x**-101", "the exponent"),
    ("10**20", "`10**20` is too large"),
    ("1e13", "the number `1e13` is too large"),
    ("1e999", "the number `1e999` is too large"),
    ("99999999999999 * x", "is too large"),
    ("9" * 299, "is too large"),
    ("exp(1000)", "`exp(1000)` is too large to compute"),
    ("exp(exp(exp(9)))", "too large to compute"),
    ("tan(pi/2)", "`tan(pi/2)` is too large"),
    ("1/0", "division by zero: `1/0`"),
    ("x/0", "division by zero: `x/0`"),
    ("0**-1", "division by zero"),
    ("log(0)", "`log(0)` is not a real number"),
    ("log(-1)", "`log(-1)` is not a real number"),
    ("sqrt(-1)", "`sqrt(-1)` is not a real number"),
    ("(-8)**(1/3)", "`(-8)**(1/3)` is not a real number"),
    ("x" * 301, "the formula is too long: 301 characters (limit 300)"),
    ("x" * 100_000, "the formula is too long: 100000 characters"),
    ("(" * 1000 + "x" + ")" * 1000, "the formula is too long"),
    ("(" * 25 + "x" + ")" * 25, "brackets are nested too deeply (limit 24)"),
    ("sin(" * 25 + "x" + ")" * 25, "brackets are nested too deeply"),
    ("-" * 45 + "x", "the formula is nested too deeply: 46 levels (limit 40)"),
    ("+".join(["x"] * 130), "the formula has too many parts"),
]
UNICODE = [
    ("ｅｘｐ(x)", "“ｅ” U+FF45 (FULLWIDTH LATIN SMALL LETTER E)"),
    ("ｘ", "FULLWIDTH LATIN SMALL LETTER X"),
    ("exp(１)", "FULLWIDTH DIGIT ONE"),
    ("e\u200bxp(x)", "U+200B (ZERO WIDTH SPACE) is not allowed"),
    ("x\u200d", "ZERO WIDTH JOINER"),
    ("\u202ex", "RIGHT-TO-LEFT OVERRIDE"),
    ("x\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    ("еxp(x)", "CYRILLIC SMALL LETTER IE"),
    ("lοg(x)", "GREEK SMALL LETTER OMICRON"),
    ("𝑥", "MATHEMATICAL ITALIC SMALL X"),
    ("ⅹ", "SMALL ROMAN NUMERAL TEN"),
    ("x\u0301", "COMBINING ACUTE ACCENT"),
    ("x\u00a0+ 1", "NO-BREAK SPACE"),
    ("x\u3000+ 1", "IDEOGRAPHIC SPACE"),
    ("x²", "type **2 instead"),
    ("x − 1", "type - instead"),
    ("2 × x", "type * instead"),
    ("2·x", "type * instead"),
    ("π * x", "type pi instead"),
    ("σ(x)", "type sigmoid instead"),
    ("x ≥ 0", "type >= instead"),
    ("exp(٣)", "ARABIC-INDIC DIGIT THREE"),
    ("x\x00", "control character U+0000"),
    ("\x00", "control character U+0000"),
    ("x\n+ 1", "control character U+000A"),
    ("x\t+ 1", "control character U+0009"),
    ("x\r+ 1", "control character U+000D"),
    ("x\x0c+ 1", "control character U+000C"),
    ("x\x1b[31m", "control character U+001B"),
    ("x\x7f", "control character U+007F"),
    ("\ud800", "U+D800"),
]
REFUSED = INJECTION + BROKEN + HUGE + UNICODE


def _case_id(case: tuple[str, str]) -> str:
    text = case[0]
    return ascii(text if len(text) <= 30 else f"{text[:20]}...[{len(text)} chars]")


def test_the_hostile_corpus_is_large():
    assert len(REFUSED) >= 100
    assert len({text for text, _ in REFUSED}) == len(REFUSED)


@pytest.fixture
def no_sympy(monkeypatch):
    """Anything refused while being checked never reaches SymPy."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a refused formula reached the SymPy builder")

    monkeypatch.setattr(custom._Builder, "build", forbidden)


@pytest.mark.parametrize("case", REFUSED, ids=_case_id)
def test_hostile_or_broken_text_is_refused_with_a_specific_message(case, no_sympy):
    text, fragment = case
    with pytest.raises(FormulaError) as caught:
        parse(text)
    message = str(caught.value)
    assert fragment in message
    assert len(message) < 400  # specific, and it does not echo a 100k-character input


@pytest.mark.parametrize(
    ("text", "column"),
    [("x.real", 1), ("  x.real", 3), ("x + y.real", 5), ("exp(x=1) + 1", 1), ("sin(x) + ｘ", 10), ("x + 2x", 5)],
)
def test_messages_point_at_the_column(text, column):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert caught.value.column == column
    assert f"(column {column})" in str(caught.value)


def test_refusals_have_no_side_effects(tmp_path):
    canary = tmp_path / "canary"
    attempts = [
        f"__import__('os').system('touch {canary}')",
        f"open('{canary}', 'w')",
        f"exec(\"open('{canary}', 'w')\")",
        f"eval(\"open('{canary}', 'w')\")",
        "__import__('antigravity')",
        "__import__('this')",
        "__import__('webbrowser').open('http://example.com')",
        "().__class__.__base__.__subclasses__()",
        f"where(x > 0, __import__('os').remove('{canary}'), 0)",
    ]
    parse("x * sigmoid(x)")  # warm up lazy imports of the valid path
    modules, environ = set(sys.modules), dict(__import__("os").environ)
    for text in attempts + [t for t, _ in REFUSED]:
        with pytest.raises(FormulaError):
            parse(text)
    assert not canary.exists()
    assert set(sys.modules) == modules
    assert not {"antigravity", "this", "webbrowser"} & (set(sys.modules) - modules)  # none imported by a refusal
    assert dict(__import__("os").environ) == environ


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("(x - x)**-1", "the formula is undefined or not real here"),
        ("log(x - x)", "the formula is undefined or not real here"),
        ("x / sin(2*pi)", "the formula is undefined or not real here: `zoo*x`"),
        ("(-1)**x", "the derivative is undefined or not real here"),
        ("(1000000*x)**100", "the formula makes a number too large to evaluate"),
        ("max(" * 12 + "sin(x)" + ", cos(x))" * 12, "the derivative is too large to show"),
    ],
)
def test_formulas_simplification_makes_undefined_are_refused(text, fragment):
    """Refused after SymPy's automatic simplification, which runs only on checked, bounded input."""
    with pytest.raises(FormulaError, match=None) as caught:
        parse(text)
    assert fragment in str(caught.value)


def test_no_open_ended_sympy_algorithm_runs(monkeypatch):
    """simplify, equals and is_constant (numeric probing with random points) have no cost bound; parsing,
    differentiating and printing must never reach them. Negative symbolic exponents used to, through
    SymPy's LaTeX product printer."""

    def forbidden(*args, **kwargs):
        raise AssertionError("an open-ended SymPy algorithm was called")

    for owner, name in [(sp.Basic, "simplify"), (sp.Expr, "equals"), (sp.Expr, "is_constant"), (sp, "solve")]:
        monkeypatch.setattr(owner, name, forbidden)
    custom._parse.cache_clear()
    for text in [t for t, _ in VALID] + ["exp(-cosh(x)) / (1 + y**(-x**2 - 1))", "where(sin(x) > cos(x), x, -x)"]:
        parse(text)
    custom._parse.cache_clear()


def test_non_text_is_refused():
    for value in (None, 3, b"x", ["x"]):
        with pytest.raises(FormulaError, match="must be text"):
            parse(value)


def test_refusal_messages_are_translatable():
    with pytest.raises(FormulaError) as caught:
        parse("x.real")
    catalog = {"attribute access is not allowed: `{code}`": "不允许访问属性：`{code}`",
               "{message} (column {column})": "{message}（第 {column} 列）"}  # fmt: skip
    assert caught.value.message(lambda s: catalog.get(s, s)) == "不允许访问属性：`x.real`（第 1 列）"
    assert isinstance(caught.value, ValueError)


# --- valid formulas: the derivative against central finite differences ------------------------------

VALID = [
    ("x * sigmoid(beta * x)", {"beta": 1.7}),
    ("log(1 + exp(x))", {}),
    ("softplus(k * x) / k", {"k": 2.5}),
    ("x * tanh(softplus(x))", {}),
    ("where(x > 0, x, a * (exp(x) - 1))", {"a": 1.3}),
    ("x * (1 + erf(x / sqrt(2))) / 2", {}),
    ("0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))", {}),
    ("x / (1 + abs(x))", {}),
    ("x - tanh(x)", {}),
    ("x + sin(a * x)**2 / a", {"a": 0.8}),
    ("relu(x)**2", {}),
    ("maximum(x, a * x)", {"a": 0.1}),
    ("clip(x, lo, hi)", {"lo": -1.5, "hi": 2.0}),
    ("x * clip(x + 3, 0, 6) / 6", {}),
    ("where(x > l, x - l, where(x < -l, x + l, 0))", {"l": 0.5}),
    ("cos(x) * exp(-x**2 / 2)", {}),
    ("atan(x) + asinh(x) / 2", {}),
    ("x**3 - 2*x**2 + x - 1", {}),
    ("sinh(x) / cosh(x) + tan(x / 4)", {}),
    ("log1p(x**2) + expm1(-x**2)", {}),
    ("x * sigmoid(x) * sign(x)", {}),
    ("2**x + x**x * 0", {}),
    ("where(0 < x < 1, x**2, where(x >= 1, 2*x - 1, 0))", {}),
    ("minimum(maximum(x, -1), exp(x))", {}),
    ("where(x > 0 and not x > 2 or x < -3, sin(x), cos(x))", {}),
    ("abs(sin(x)) + abs(x - pi) / e", {}),
    ("sqrt(1 + x**2) - 1", {}),
    ("x / sqrt(1 + b * x**2)", {"b": 0.3}),
    ("where(where(x > 0, x, -x) > 1, x, 0) + exp(-exp(-x))", {}),
    ("y**(-cosh(x)) * x", {"y": 2.0}),
]


def central_difference(act: Activation, x: np.ndarray, params: dict) -> np.ndarray:
    h = 1e-5 * (1 + np.abs(x))
    return (act(x + h, **params) - act(x - h, **params)) / (2 * h)


def test_the_valid_corpus_is_large():
    assert len(VALID) >= 20


@pytest.mark.parametrize(("text", "params"), VALID, ids=[t for t, _ in VALID])
def test_derivative_matches_central_differences_away_from_kinks(text, params):
    act = parse(text)
    x = np.linspace(-4.0, 4.0, 801) + 0.00123  # off the grid points where formulas have kinks
    kinks = np.array(act.kink_points(**params) or [np.inf])
    away = np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-3
    x = x[away]
    exact, numeric = act.derivative(x, **params), central_difference(act, x, params)
    assert np.all(np.isfinite(exact))
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("text", "params"), VALID, ids=[t for t, _ in VALID])
def test_valid_formulas_are_complete_activations(text, params):
    act = parse(text)
    assert isinstance(act, Activation)
    assert activations.get(act) is act
    assert act.name == "custom" and act.family == "other" and act.paper == ""
    assert act.label.startswith("f(x) = ") and act.canonical.startswith(act.label[7:].removesuffix("…"))
    assert act.source == text
    assert [p.name for p in act.params] == list(params)
    assert act.formula and act.derivative_formula
    for forbidden in ("Dirac", "Heaviside", "Piecewise", "zoo", "nan"):
        assert forbidden not in act.formula + act.derivative_formula


# --- the same formula typed for a built-in gives the built-in ---------------------------------------

BUILT_INS = [
    ("silu", {"beta": 1.7}, "x * sigmoid(beta * x)", {"beta": 1.7}),
    ("silu", {}, "x * sigmoid(x)", {}),
    ("softplus", {}, "softplus(x)", {}),
    ("softplus", {}, "log(1 + exp(x))", {}),
    ("mish", {}, "x * tanh(softplus(x))", {}),
    ("elu", {"alpha": 1.3}, "where(x > 0, x, a * (exp(x) - 1))", {"a": 1.3}),
    ("celu", {"alpha": 0.7}, "where(x > 0, x, a * (exp(x / a) - 1))", {"a": 0.7}),
    ("selu", {}, "1.0507009873554805 * where(x > 0, x, 1.6732632423543772 * expm1(x))", {}),
    ("relu", {}, "maximum(x, 0)", {}),
    ("relu", {}, "max(0, x)", {}),
    ("relu", {}, "relu(x)", {}),
    ("relu", {}, "where(x > 0, x, 0)", {}),
    ("leaky_relu", {"alpha": 0.05}, "where(x > 0, x, alpha * x)", {"alpha": 0.05}),
    ("leaky_relu", {"alpha": 0.05}, "maximum(x, alpha * x)", {"alpha": 0.05}),
    ("relu6", {}, "minimum(maximum(x, 0), 6)", {}),
    ("relu6", {}, "clip(x, 0, 6)", {}),
    ("hardtanh", {}, "clip(x, -1, 1)", {}),
    ("hardsigmoid", {}, "clip(x / 6 + 1/2, 0, 1)", {}),
    ("hardswish", {}, "x * minimum(maximum(x + 3, 0), 6) / 6", {}),
    ("squared_relu", {}, "relu(x)**2", {}),
    ("gelu", {}, "x * (1 + erf(x / sqrt(2))) / 2", {}),
    ("gelu_tanh", {}, "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))", {}),
    ("sigmoid", {}, "1 / (1 + exp(-x))", {}),
    ("tanh", {}, "tanh(x)", {}),
    ("softsign", {}, "x / (1 + abs(x))", {}),
    ("tanhshrink", {}, "x - tanh(x)", {}),
    ("softshrink", {"lambd": 0.5}, "where(x > l, x - l, where(x < -l, x + l, 0))", {"l": 0.5}),
    ("hardshrink", {"lambd": 0.5}, "where(abs(x) > l, x, 0)", {"l": 0.5}),
    ("log_sigmoid", {}, "-softplus(-x)", {}),
    ("snake", {"alpha": 0.8}, "x + sin(a * x)**2 / a", {"a": 0.8}),
    ("identity", {}, "x", {}),
    ("binary_step", {}, "where(x >= 0, 1, 0)", {}),
]
# the grid holds every built-in's kinks exactly, so derivatives are compared at the kinks too
KINK_GRID = np.unique(np.concatenate([np.linspace(-8, 8, 1601), [-3, -1, -0.5, 0, 0.5, 1, 3, 6]]))


@pytest.mark.parametrize(
    ("name", "builtin_params", "text", "params"), BUILT_INS, ids=[f"{n}={t}" for n, _, t, _ in BUILT_INS]
)
def test_a_built_in_typed_as_a_formula_matches_the_built_in(name, builtin_params, text, params):
    act, builtin = parse(text), activations.get(name)
    np.testing.assert_allclose(act(KINK_GRID, **params), builtin(KINK_GRID, **builtin_params), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        act.derivative(KINK_GRID, **params), builtin.derivative(KINK_GRID, **builtin_params), rtol=1e-9, atol=1e-12
    )
    for kink in builtin.kink_points(**builtin_params):  # same convention at the kinks, exactly
        assert act.derivative(np.array(kink), **params) == builtin.derivative(np.array(kink), **builtin_params)


def test_celu_written_with_max_and_min_takes_the_minimum_norm_subgradient():
    """PyTorch's CELU module reports f′(0) = 1; max(0, x) + min(0, ·) ties at 0 on both terms, and the
    minimum-norm rule gives 0 + 0. Typed with where(), it matches the module (see BUILT_INS)."""
    act = parse("maximum(0, x) + minimum(0, a * (exp(x / a) - 1))")
    np.testing.assert_allclose(act(KINK_GRID, a=0.7), activations.get("celu")(KINK_GRID, alpha=0.7), atol=1e-12)
    assert act.derivative(np.array(0.0), a=0.7) == 0.0


# --- kink conventions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "params", "at", "expected"),
    [
        ("relu(x)", {}, 0.0, 0.0),
        ("abs(x)", {}, 0.0, 0.0),
        ("sign(x)", {}, 0.0, 0.0),
        ("sign(x)", {}, 2.0, 0.0),
        ("maximum(x, 0)", {}, 0.0, 0.0),
        ("maximum(0, x)", {}, 0.0, 0.0),
        ("minimum(x, 0)", {}, 0.0, 0.0),
        ("maximum(x, a * x)", {"a": 0.2}, 0.0, 0.2),
        ("maximum(x, a * x)", {"a": -0.5}, 0.0, 0.0),  # subgradients [-0.5, 1] contain 0
        ("maximum(x, 2 * x)", {}, 0.0, 1.0),  # [1, 2]: the one nearer 0
        ("maximum(x, -x)", {}, 0.0, 0.0),  # = |x|
        ("minimum(x, 6)", {}, 6.0, 0.0),
        ("clip(x, -1, 1)", {}, -1.0, 0.0),
        ("clip(x, -1, 1)", {}, 1.0, 0.0),
        ("clip(x, -1, 1)", {}, 0.5, 1.0),
        ("where(x > 0, x, a * x)", {"a": 0.3}, 0.0, 0.3),
        ("where(x >= 0, x, a * x)", {"a": 0.3}, 0.0, 1.0),
        ("where(x == 0, 1, sin(x) / x)", {}, 0.0, 0.0),
        ("x * clip(x + 3, 0, 6) / 6", {}, -3.0, 0.0),
        ("x * clip(x + 3, 0, 6) / 6", {}, 3.0, 1.0),
    ],
)
def test_derivative_at_a_kink_follows_the_documented_convention(text, params, at, expected):
    assert parse(text).derivative(np.array(at), **params) == expected


def test_kinks_are_found_where_the_derivative_jumps():
    assert parse("relu(x)").kink_points() == (0.0,)
    assert parse("clip(x, -1, 2)").kink_points() == (-1.0, 2.0)
    assert parse("where(x > a, x, 0)").kink_points(a=0.3) == pytest.approx((0.3,), abs=1e-12)
    assert parse("abs(x**2 - 2)").kink_points() == pytest.approx((-(2**0.5), 2**0.5), abs=1e-12)
    assert parse("x * sigmoid(x)").kink_points() == ()
    smooth, kinked = parse("tanh(x)"), parse("maximum(x, 0)")
    assert smooth.smooth and not smooth.kink_note
    assert not kinked.smooth and "minimum-norm" in kinked.kink_note


@pytest.mark.torch
def test_kink_conventions_agree_with_torch_autograd_where_documented():
    """where/abs/relu/sign agree with torch autograd; torch.maximum (0.5 at ties) and torch.clamp (1 at
    the bounds) do not: we follow the activation modules (ReLU, Hardtanh), as the module docstring says."""
    torch = pytest.importorskip("torch")

    def grad(fn, at):
        t = torch.tensor([at], dtype=torch.float64, requires_grad=True)
        fn(t).sum().backward()
        return float(t.grad[0])

    cases = [
        ("where(x > 0, x, 0.3 * (exp(x) - 1))", lambda t: torch.where(t > 0, t, 0.3 * (torch.exp(t) - 1)), 0.0),
        ("abs(x)", torch.abs, 0.0),
        ("relu(x)", torch.relu, 0.0),
        ("sign(x)", torch.sign, 0.0),
        ("clip(x, -1, 1)", torch.nn.functional.hardtanh, 1.0),
    ]
    for text, fn, at in cases:
        assert parse(text).derivative(np.array(at)) == grad(fn, at), text
    assert grad(lambda t: torch.maximum(t, torch.zeros_like(t)), 0.0) == 0.5
    assert parse("maximum(x, 0)").derivative(np.array(0.0)) == 0.0
    assert grad(lambda t: torch.clamp(t, -1, 1), 1.0) == 1.0


# --- LaTeX, parameters, dtype, non-finite values ---------------------------------------------------------


def test_latex_is_produced_for_the_formula_and_its_derivative():
    act = parse("x * sigmoid(beta * x)")
    assert act.formula == r"x \sigma\left(\beta x\right)"
    assert r"\sigma\left(\beta x\right)" in act.derivative_formula and r"\beta" in act.derivative_formula
    elu = parse("where(x > 0, x, a * (exp(x) - 1))")
    assert elu.formula.startswith(r"\begin{cases}") and r"\text{otherwise}" in elu.formula
    assert elu.derivative_formula == r"\begin{cases} 1 & \text{if } x > 0 \\ a e^{x} & \text{otherwise} \end{cases}"
    assert parse("maximum(x, 0)").derivative_formula == parse("relu(x)").derivative_formula
    assert r"\sqrt{2}" in parse("x * (1 + erf(x / sqrt(2))) / 2").formula


def test_parameters_are_found_in_order_with_defaults_and_ranges():
    act = parse("a * x + beta * sigmoid(k2 * x) + a")
    assert [p.name for p in act.params] == ["a", "beta", "k2"]
    assert [p.symbol for p in act.params] == ["a", "β", "k2"]
    for p in act.params:
        assert (p.default, p.min, p.max, p.step) == (1.0, -5.0, 5.0, 0.01)
    assert act.defaults == {"a": 1.0, "beta": 1.0, "k2": 1.0}
    assert custom.check("a * x + beta") == ("a", "beta")
    with pytest.raises(ValueError, match="no parameter"):
        act(np.zeros(3), gamma=1.0)
    np.testing.assert_allclose(act(np.array([2.0]), a=0.5, beta=0.0, k2=3.0), [1.5])


def test_parameter_names_that_are_numpy_or_python_names_are_just_parameters():
    act = parse("select * x + x0 + where(x > nan_, print_, 0)")
    assert [p.name for p in act.params] == ["select", "x0", "nan_", "print_"]
    np.testing.assert_allclose(act(np.array([1.0, -1.0]), select=2.0, x0=3.0, nan_=0.0, print_=7.0), [12.0, 1.0])


@pytest.mark.parametrize(("text", "params"), VALID[:10], ids=[t for t, _ in VALID[:10]])
def test_float32_in_float32_out(text, params):
    act = parse(text)
    x64 = np.linspace(-5, 5, 201)
    x32 = x64.astype(np.float32)
    for fn in (act, act.derivative):
        out = fn(x32, **params)
        assert out.dtype == np.float32 and out.shape == x32.shape
        np.testing.assert_allclose(out, fn(x64, **params), rtol=2e-5, atol=2e-5)


def test_evaluation_is_warning_free_and_non_finite_values_are_nan_and_reported():
    """pytest turns warnings into errors, so overflow, log(−1) and 0/0 must stay silent here."""
    x = np.array([-1e4, -1.0, 0.0, 1.0, 1e4])
    for text in ("exp(x)", "log(x)", "1 / x", "sqrt(x)", "x**x", "cosh(x)**2"):
        act = parse(text)
        for values in (act(x), act.derivative(x), act(x.astype(np.float32)), act.derivative(x.astype(np.float32))):
            assert not np.any(np.isinf(values))
        message = custom.check_finite(act, x)
        assert message is not None and "not finite at" in message
    assert custom.check_finite(parse("tanh(x)"), x) is None
    assert custom.check_finite(parse("exp(x)"), x) == "f is not finite at 1 of 5 points (first at x = 10000); " + (
        "f′ is not finite at 1 of 5 points (first at x = 10000)"
    )


def test_scalar_and_constant_formulas_broadcast():
    assert parse("3").derivative(np.zeros((2, 3))).shape == (2, 3)
    np.testing.assert_array_equal(parse("pi + e").derivative(np.ones(4)), np.zeros(4))
    assert float(parse("x**2")(np.array(3.0))) == 9.0


def test_measured_metadata_at_the_default_parameters():
    tanh, relu, exp = parse("tanh(x)"), parse("maximum(x, 0)"), parse("exp(x)")
    assert tanh.output_range == pytest.approx((-1.0, 1.0)) and tanh.bounded
    assert tanh.monotonic and tanh.zero_centred and not tanh.zero_gradient_region
    assert relu.output_range == (0.0, np.inf) and relu.zero_gradient_region and not relu.zero_centred
    assert exp.output_range[1] == np.inf and exp.monotonic
    assert not parse("x**2").monotonic


def test_parse_is_cached_by_text():
    assert parse("x * tanh(x)") is parse("x * tanh(x)")


# --- URL round trip ------------------------------------------------------------------------------------


def test_url_round_trip():
    act = parse("x * sigmoid(beta * x) + a")
    state = custom.to_url(act, {"beta": 2.5, "a": 1.0})
    assert state == {"formula": "x * sigmoid(beta * x) + a", "custom.beta": "2.5"}
    warnings = Warnings()
    again, values = custom.from_url(state, warnings)
    assert again is act and values == {"beta": 2.5, "a": 1.0} and not warnings.messages


def test_url_with_a_bad_formula_or_bad_values_warns_and_falls_back():
    warnings = Warnings()
    assert custom.from_url({"formula": "__import__('os')"}, warnings) == (None, {})
    assert "The formula in the URL was refused: names starting with _" in warnings.messages[0]
    assert custom.from_url({}, Warnings()) == (None, {})
    warnings = Warnings()
    act, values = custom.from_url({"formula": "a * x", "custom.a": "1e9"}, warnings)
    assert act is parse("a * x")
    assert values == {"a": custom.PARAM_LIMIT} and "outside" in warnings.messages[0]
    _, values = custom.from_url({"formula": "a * x", "a": "0.25"}, Warnings())  # bare name, like built-ins
    assert values == {"a": 0.25}


def test_slider_param_widens_to_hold_a_value():
    p = parse("a * x").params[0]
    assert custom.slider_param(p, 2.0) is p
    wide = custom.slider_param(p, 42.0)
    assert (wide.min, wide.max) == (-100.0, 100.0) and wide.name == "a"
    assert custom.slider_param(p, -1e6).min == -custom.PARAM_LIMIT


def test_syntax_help_lists_every_function():
    text = custom.syntax_help()
    for name in [*custom.FUNCTIONS, "where", *custom.ALIASES]:
        assert name in text


# --- a small seeded fuzz: anything the grammar makes is an Activation or a FormulaError -------------------


def random_formula(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["x", "x", "a", "1", "2", "0.5", "pi", "e", "0", "-1", "1e-3"])
    roll = rng.random()
    if roll < 0.35:
        op = rng.choice(["+", "-", "*", "/", "**"])
        return f"({random_formula(rng, depth - 1)} {op} {random_formula(rng, depth - 1)})"
    if roll < 0.65:
        name = rng.choice(sorted(set(custom.FUNCTIONS) - {"maximum", "minimum", "clip"}))
        return f"{name}({random_formula(rng, depth - 1)})"
    if roll < 0.8:
        name = rng.choice(["maximum", "minimum"])
        return f"{name}({random_formula(rng, depth - 1)}, {random_formula(rng, depth - 1)})"
    op = rng.choice(["<", ">", "<=", ">=", "==", "!="])
    parts = [random_formula(rng, depth - 1) for _ in range(4)]
    return f"where({parts[0]} {op} {parts[1]}, {parts[2]}, {parts[3]})"


def test_random_formulas_parse_or_are_refused_and_evaluate_quietly():
    rng, x = random.Random(20240611), np.linspace(-5, 5, 41)
    accepted = 0
    for _ in range(40):
        text = random_formula(rng, 4)
        try:
            act = parse(text)
        except FormulaError as err:
            assert str(err)
            continue
        accepted += 1
        for dtype in (np.float32, np.float64):
            assert act(x.astype(dtype), **act.defaults).dtype == dtype
            assert act.derivative(x.astype(dtype), **act.defaults).dtype == dtype
        act.kink_points(**act.defaults)
    assert accepted >= 20


def test_resolve_picks_the_registry_or_the_formula():
    assert custom.resolve("relu", None) is activations.get("relu")
    assert custom.resolve("relu", "x * a") is activations.get("relu")  # a formula only matters for "custom"
    assert custom.resolve(custom.NAME, "x * a") is parse("x * a")
    with pytest.raises(FormulaError):
        custom.resolve(custom.NAME, None)
    with pytest.raises(ValueError, match="nope"):
        custom.resolve("nope", None)
