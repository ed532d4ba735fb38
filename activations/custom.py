r"""Your own activation: a formula typed by a stranger becomes an `Activation` with an exact derivative.

    act = parse("x * sigmoid(beta * x)")      # an activations.registry.Activation, name "custom"
    act(x, beta=1.5), act.derivative(x, beta=1.5), act.formula, act.derivative_formula, act.params

Safety. The text is never given to ``eval``, ``exec``, ``sympify``, ``parse_expr`` or ``lambdify``. It
is checked as text (length, printable ASCII only, bracket depth), parsed with Python's ``ast`` in
``"eval"`` mode, and every node is checked against a whitelist while it is converted into a small tree of
our own (`_Node`). Only that tree is turned into SymPy objects, by us, and numpy evaluates them through a
`_Tape`: a list of numpy functions taken from a fixed table, one per node. No code is generated.

Bounded cost. Length ≤ 300 characters, brackets nested ≤ 24 deep, ≤ 120 syntax nodes nested ≤ 40 deep,
≤ 8 parameters, literals and constant sub-expressions ≤ 1e12 in size, constant exponents ≤ 100 in size
(``9**9**9`` is refused after computing the float 9**9, never 9**387420489). The derivative is built by
forward-mode differentiation over our own tree (the chain rule written out, one rule per node). Nothing
is ``simplify``-ed; relations are built unevaluated; where() is our own `Cases` node, not SymPy's
Piecewise (whose constructor can call the inequality solvers); negative symbolic exponents are hidden
from the LaTeX printer's ``is_constant`` probe (`_LatexPrinter`). So SymPy only does its cheap automatic
canonicalisation (a test forbids simplify, equals, is_constant and solve while parsing). Nested max/min
and power towers can still double the derivative per level, so its size is measured on SymPy's shared
graph after every node and the formula refused beyond 2000 nodes (real activations need under 60). A
thread cannot interrupt SymPy and a subprocess per keystroke costs seconds of imports, so we bound the
input instead: the slowest formulas we found within the limits parse in well under a second.

Kinks. SymPy's own derivative of Abs/Max/Heaviside brings DiracDelta and sign(0) conventions we do not
want, so the derivative rules are ours and match the built-ins (PyTorch's modules):

* ``where(c, a, b)``: f′ is the derivative of the branch that ``c`` selects at that point, so
  ``where(x > 0, x, a*x)`` has f′(0) = a, like Leaky ReLU.
* ``abs``, ``relu``, ``maximum``, ``minimum``, ``clip``: at a tie the **minimum-norm subgradient**, the
  element of [min(a′, b′), max(a′, b′)] closest to 0. This gives relu′(0) = |x|′(0) = 0,
  maximum(x, 0)′(0) = 0 (= ReLU), maximum(x, a*x)′(0) = a (= Leaky ReLU), clip(x, -1, 1)′ = 0 at ±1
  (= Hardtanh), minimum(maximum(x, 0), 6)′ = 0 at 0 and 6 (= ReLU6) and x*clip(x + 3, 0, 6)/6 with
  f′(−3) = 0, f′(3) = 1 (= Hardswish). PyTorch's ``torch.maximum`` instead splits a tie 0.5/0.5 and
  ``torch.clamp`` passes 1 at its bounds; we follow the activation modules, not those two ops.
* ``sign``: f′ = 0 everywhere.

Numerics. Evaluation runs under ``np.errstate(all="ignore")``; non-finite results become NaN, which
`check_finite` reports. float32 in gives float32 out.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp
from scipy import special
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from . import registry
from .i18n import N_, translator
from .registry import Activation, Param, as_float_array
from .urlstate import Warnings, format_number, parse_number

NAME = "custom"  # the key pages use for it (fn=custom in the URL)
FORMULA_KEY = "formula"  # the URL parameter carrying the text

MAX_LENGTH = 300  # characters
MAX_NODES = 120  # expression nodes in the syntax tree
MAX_BRACKETS = 24  # nesting of brackets in the text
MAX_DEPTH = 40  # nesting of the syntax tree (a + b + c + ... nests one level per term)
MAX_PARAMS = 8
MAX_NUMBER = 1e12  # |literal| and |constant sub-expression| limit
MAX_EXPONENT = 100  # |constant exponent| limit
MAX_EXPRESSION_SIZE = 2000  # nodes of the derivative as a tree; typical activations need under 60
MAX_SYMPY_NUMBER = sp.Float(1e300)  # numbers SymPy produces by combining constants must stay finite in float64

PARAM_DEFAULT = 1.0
PARAM_MIN, PARAM_MAX, PARAM_STEP = -5.0, 5.0, 0.01
PARAM_LIMIT = 1000.0  # a widened slider (or the URL) never goes beyond ±PARAM_LIMIT
KINK_GRID = np.linspace(-50.0, 50.0, 20_001)  # where kinks are searched for (step 0.005; contains 0)
MAX_KINKS = 64
FAR = 1e4  # where "keeps growing" is checked for the output range

PARAM_NAME = re.compile(r"[a-z][a-z0-9_]{0,15}")
NUMBER = r"(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?"  # a decimal literal, as Python writes it
DECIMAL = re.compile(NUMBER)
NUMBER_THEN_NAME = re.compile(rf"(?<![\w.])(?>{NUMBER})(?![jJ]\b)[A-Za-z_]\w*")  # 2x, 1if; not 1e5, 3j
RESERVED = frozenset({"inf", "infty", "nan", "oo", "zoo", "true", "false", "none", "i", "j"})
CONSTANTS = {"pi": (math.pi, sp.pi), "e": (math.e, sp.E)}
GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa mu nu xi omicron rho sigma tau upsilon phi chi psi omega"
).split()
GREEK_SYMBOL = dict(zip(GREEK, "αβγδεζηθικμνξορστυφχψω", strict=True)) | {"lam": "λ", "lambd": "λ"}
TYPO_HINTS = {
    "−": "-", "–": "-", "×": "*", "·": "*", "∙": "*", "÷": "/", "π": "pi", "σ": "sigmoid", "²": "**2",
    "³": "**3", "√": "sqrt", "≤": "<=", "≥": ">=", "≠": "!=", "α": "alpha", "β": "beta", "λ": "lam",
}  # fmt: skip
ENGLISH = translator("en")
WHITESPACE = " \t\r\n"  # stripped at both ends; inside a formula only spaces are allowed


class FormulaError(ValueError):
    """A formula we refuse, with a message that names the offending part and (when known) its column.

    ``str(err)`` is English; ``err.message(_)`` translates the template before filling in the fields.
    """

    def __init__(self, template: str, *, column: int | None = None, **fields: object) -> None:
        self.template = template
        self.column = column
        self.fields = fields
        super().__init__(self.message())

    def message(self, _: Callable[[str], str] = ENGLISH) -> str:
        text = _(self.template).format(**self.fields)
        if self.column is not None:
            text = _("{message} (column {column})").format(message=text, column=self.column)
        return text


# --- SymPy functions with our LaTeX ---------------------------------------------------------------------
# Undefined SymPy functions: SymPy only carries and prints them. Their numpy forms (overflow-safe) are in
# NUMPY_FUNCTIONS and their derivatives in FUNCTIONS; SymPy is never asked to evaluate or differentiate them.


def _latex_call(template: str):
    def _latex(self, printer, exp=None):
        text = template.format(*(printer._print(a) for a in self.args))
        return rf"{{{text}}}^{{{exp}}}" if exp is not None else text

    return _latex


def _real(self) -> bool:
    return True  # real-valued on real inputs (NaN outside a domain); keeps SymPy from writing re(...)


def _sympy_function(cls_name: str, nargs: int, latex: str) -> type[sp.Function]:
    attributes = {"nargs": nargs, "_latex": _latex_call(latex), "_eval_is_extended_real": _real}
    return type(cls_name, (sp.Function,), attributes)


Sigmoid = _sympy_function("Sigmoid", 1, r"\sigma\left({}\right)")
Softplus = _sympy_function("Softplus", 1, r"\ln\left(1 + e^{{{}}}\right)")
Log1p = _sympy_function("Log1p", 1, r"\ln\left(1 + {}\right)")
Expm1 = _sympy_function("Expm1", 1, r"\left(e^{{{}}} - 1\right)")
Erf = _sympy_function("Erf", 1, r"\operatorname{{erf}}\left({}\right)")
Relu = _sympy_function("Relu", 1, r"\operatorname{{ReLU}}\left({}\right)")
Maximum = _sympy_function("Maximum", 2, r"\max\left({}, {}\right)")
Minimum = _sympy_function("Minimum", 2, r"\min\left({}, {}\right)")
Clip = _sympy_function("Clip", 3, r"\operatorname{{clip}}\left({}, {}, {}\right)")
MinNorm = _sympy_function("MinNorm", 2, r"\operatorname{{minnorm}}\left({}, {}\right)")


class Cases(sp.Expr):
    """``a`` where ``condition`` holds, else ``b``: our where(). Not SymPy's Piecewise, whose constructor
    rewrites conditions that contain a Piecewise (a where() inside a condition) and can end in the
    inequality solvers, with no bound on their cost. SymPy only carries and prints this node."""

    is_commutative = True
    _eval_is_extended_real = _real

    def __new__(cls, condition, a, b):
        return sp.Expr.__new__(cls, condition, sp.sympify(a), sp.sympify(b))

    def _latex(self, printer, exp=None):
        rows, node = [], self
        while isinstance(node, Cases):  # where(c1, a, where(c2, b, c)) reads as one cases block
            condition, a, node = node.args
            rows.append(rf"{printer._print(a)} & \text{{if }} {printer._print(condition)}")
        rows.append(rf"{printer._print(node)} & \text{{otherwise}}")
        text = r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


class Shown(sp.Expr):
    """A power or exponential printed exactly as SymPy prints it, but hidden from `_LatexPrinter`'s
    product rule (see there). For LaTeX only."""

    is_commutative = True
    precedence = PRECEDENCE["Pow"]

    def _latex(self, printer, exp=None):
        text = printer._print(self.args[0])
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


class _LatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer, except that a product's factors u**v or e**v with a negative non-numeric v
    are printed as they are: SymPy's product printer calls ``is_constant()`` on such exponents, and with
    it ``simplify``, whose cost has no bound."""

    def _print_Mul(self, expr):
        factors = [Shown(f) if _negative_symbolic_exponent(f) else f for f in expr.args]
        if any(isinstance(f, Shown) for f in factors):
            expr = sp.Mul(*factors, evaluate=False)
        return super()._print_Mul(expr)


def _negative_symbolic_exponent(factor: sp.Basic) -> bool:
    if not isinstance(factor, sp.Pow | sp.exp):
        return False
    exponent = factor.as_base_exp()[1]
    return not isinstance(exponent, sp.Number) and bool(exponent.is_negative)


def _latex(expr: sp.Expr) -> str:
    return _LatexPrinter().doprint(expr)


def _softplus(u):
    r""":math:`\log(1 + e^u)` as ``logaddexp(0, u)``: finite for every finite u."""
    return np.logaddexp(0, u)


def _min_norm(p, q):
    """The element of [min(p, q), max(p, q)] closest to 0."""
    return np.where(p * q <= 0, 0, np.where(np.abs(p) <= np.abs(q), p, q))


def _clip(u, lo, hi):
    """numpy's clip semantics, min(max(u, lo), hi), with array bounds allowed."""
    return np.minimum(np.maximum(u, lo), hi)


NUMPY_FUNCTIONS: dict[type, Callable] = {
    sp.Add: lambda *a: functools.reduce(np.add, a),
    sp.Mul: lambda *a: functools.reduce(np.multiply, a),
    sp.Pow: np.power,
    sp.exp: np.exp, sp.log: np.log, Log1p: np.log1p, Expm1: np.expm1,
    sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.atan: np.arctan,
    sp.tanh: np.tanh, sp.sinh: np.sinh, sp.cosh: np.cosh, sp.asinh: np.arcsinh,
    Sigmoid: special.expit, Softplus: _softplus, Erf: special.erf,
    sp.Abs: np.abs, sp.sign: np.sign, Relu: lambda u: np.maximum(u, 0),
    Maximum: np.maximum, Minimum: np.minimum, Clip: _clip, MinNorm: _min_norm,
    Cases: np.where,
    sp.StrictGreaterThan: np.greater, sp.GreaterThan: np.greater_equal,
    sp.StrictLessThan: np.less, sp.LessThan: np.less_equal,
    sp.Equality: np.equal, sp.Unequality: np.not_equal,
    sp.And: lambda *a: functools.reduce(np.logical_and, a),
    sp.Or: lambda *a: functools.reduce(np.logical_or, a),
    sp.Not: np.logical_not,
    sp.re: lambda u: u, sp.im: lambda u: 0 * u,  # SymPy writes Abs(u**v) with re(v); all our values are real
}  # fmt: skip
SPECIAL_POWERS = {0.5: np.sqrt, -0.5: lambda u: 1 / np.sqrt(u), 2.0: np.square, -1.0: np.reciprocal}


# --- derivative rules ----------------------------------------------------------------------------------


def _cases(*pairs: tuple[sp.Expr, object]) -> sp.Expr:
    """(e1, c1), (e2, c2), ..., (en, True) as nested `Cases`; equal neighbours merge, so
    maximum(x, 0)′ reads "1 if x > 0, otherwise 0"."""
    merged: list[tuple[sp.Expr, object]] = []
    for expr, cond in pairs:
        if merged and merged[-1][0] == expr:
            merged[-1] = (expr, sp.Or(merged[-1][1], cond, evaluate=False))
        else:
            merged.append((sp.sympify(expr), cond))
    result = merged[-1][0]
    for expr, cond in reversed(merged[:-1]):
        result = Cases(cond, expr, result)
    return result


def _relation(op: str, a: sp.Expr, b: sp.Expr):
    return SYMPY_RELATION[op](a, b, evaluate=False)


def _tie(da: sp.Expr, db: sp.Expr) -> sp.Expr:
    """The element of [min(a′, b′), max(a′, b′)] closest to 0: our derivative of max/min at a tie."""
    if da == 0 or db == 0:
        return sp.S.Zero
    if isinstance(da, sp.Number) and isinstance(db, sp.Number):
        return sp.S.Zero if da * db < 0 else da if abs(da) <= abs(db) else db
    return MinNorm(da, db)


def _d_maximum(a, b, da, db):
    """max(a, b)′: a′ where a > b, b′ where a < b, the minimum-norm subgradient at a tie."""
    return _cases((da, _relation(">", a, b)), (db, _relation("<", a, b)), (_tie(da, db), True))


def _d_minimum(a, b, da, db):
    return _cases((da, _relation("<", a, b)), (db, _relation(">", a, b)), (_tie(da, db), True))


def _d_clip(u, lo, hi, du, dlo, dhi):
    """clip(u, lo, hi) = min(max(u, lo), hi); with fixed bounds: u′ strictly inside, 0 outside and at them."""
    if dlo == 0 and dhi == 0:
        return _cases((du, sp.And(_relation(">", u, lo), _relation("<", u, hi), evaluate=False)), (0, True))
    return _d_minimum(Maximum(u, lo), hi, _d_maximum(u, lo, du, dlo), dhi)


def _d_relu(u, du):
    return _cases((du, _relation(">", u, sp.S.Zero)), (0, True))


def _sigmoid_value(u: float) -> float:
    return 1 / (1 + math.exp(-u)) if u >= 0 else math.exp(u) / (1 + math.exp(u))


def _sign_value(u: float) -> float:
    return float((u > 0) - (u < 0))


@dataclass(frozen=True)
class _Function:
    """One callable of the formula language: float value (for constant arguments), SymPy forward,
    derivative by the chain rule ``derivative(args, dargs)`` and the arguments whose zeros are kinks."""

    arity: int
    value: Callable[..., float]
    forward: Callable[..., sp.Expr]
    derivative: Callable[[tuple, tuple], sp.Expr]
    kinks: Callable[..., tuple] = lambda *args: ()


def _unary(value, forward, local):
    """A function of one argument u with f′(u) = local(u): derivative = local(u)·u′."""
    return _Function(1, value, forward, lambda a, d: local(a[0]) * d[0])


FUNCTIONS: dict[str, _Function] = {
    "exp": _unary(math.exp, sp.exp, sp.exp),
    "log": _unary(math.log, sp.log, lambda u: 1 / u),
    "log1p": _unary(math.log1p, Log1p, lambda u: 1 / (1 + u)),
    "expm1": _unary(math.expm1, Expm1, sp.exp),
    "sqrt": _unary(math.sqrt, sp.sqrt, lambda u: 1 / (2 * sp.sqrt(u))),
    "sin": _unary(math.sin, sp.sin, sp.cos),
    "cos": _unary(math.cos, sp.cos, lambda u: -sp.sin(u)),
    "tan": _unary(math.tan, sp.tan, lambda u: 1 + sp.tan(u) ** 2),
    "tanh": _unary(math.tanh, sp.tanh, lambda u: 1 - sp.tanh(u) ** 2),
    "sinh": _unary(math.sinh, sp.sinh, sp.cosh),
    "cosh": _unary(math.cosh, sp.cosh, sp.sinh),
    "atan": _unary(math.atan, sp.atan, lambda u: 1 / (1 + u**2)),
    "asinh": _unary(math.asinh, sp.asinh, lambda u: 1 / sp.sqrt(u**2 + 1)),
    "sigmoid": _unary(_sigmoid_value, Sigmoid, lambda u: Sigmoid(u) * (1 - Sigmoid(u))),
    "softplus": _unary(lambda u: max(u, 0.0) + math.log1p(math.exp(-abs(u))), Softplus, Sigmoid),
    "erf": _unary(math.erf, Erf, lambda u: 2 / sp.sqrt(sp.pi) * sp.exp(-(u**2))),
    # kinks: the arguments whose zeros are kinks go last
    "abs": _Function(1, abs, sp.Abs, lambda a, d: sp.sign(a[0]) * d[0], lambda u: (u,)),
    "sign": _Function(1, _sign_value, sp.sign, lambda a, d: sp.S.Zero, lambda u: (u,)),
    "relu": _Function(1, lambda u: max(u, 0.0), Relu, lambda a, d: _d_relu(a[0], d[0]), lambda u: (u,)),
    "maximum": _Function(2, max, Maximum, lambda a, d: _d_maximum(*a, *d), lambda a, b: (a - b,)),
    "minimum": _Function(2, min, Minimum, lambda a, d: _d_minimum(*a, *d), lambda a, b: (a - b,)),
    "clip": _Function(
        3, lambda u, lo, hi: min(max(u, lo), hi), Clip, lambda a, d: _d_clip(*a, *d),
        lambda u, lo, hi: (u - lo, u - hi),
    ),
}  # fmt: skip
ALIASES = {"arctan": "atan", "arcsinh": "asinh", "ln": "log", "max": "maximum", "min": "minimum"}
CALLABLE_NAMES = frozenset(FUNCTIONS) | frozenset(ALIASES) | {"where"}
COMPARISONS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}
SYMPY_RELATION = {">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le, "==": sp.Eq, "!=": sp.Ne}
FLOAT_RELATION = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}  # fmt: skip
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
REFUSED_OPERATORS = {
    ast.FloorDiv: N_("`//` (floor division) is not allowed; use /: `{code}`"),
    ast.Mod: N_("`%` (remainder) is not allowed: `{code}`"),
    ast.MatMult: N_("`@` (matrix product) is not allowed: `{code}`"),
    ast.BitXor: N_("`^` is not a power here; write x**2 for x²: `{code}`"),
    ast.BitAnd: N_("`&` is not allowed; inside where(...) write `and`: `{code}`"),
    ast.BitOr: N_("`|` is not allowed; inside where(...) write `or`: `{code}`"),
    ast.LShift: N_("bit shifts are not allowed: `{code}`"),
    ast.RShift: N_("bit shifts are not allowed: `{code}`"),
}
REFUSED_NODES = {
    ast.Attribute: N_("attribute access is not allowed: `{code}`"),
    ast.Subscript: N_("indexing is not allowed: `{code}`"),
    ast.Slice: N_("slices are not allowed: `{code}`"),
    ast.Lambda: N_("lambda expressions are not allowed: `{code}`"),
    ast.ListComp: N_("comprehensions are not allowed: `{code}`"),
    ast.SetComp: N_("comprehensions are not allowed: `{code}`"),
    ast.DictComp: N_("comprehensions are not allowed: `{code}`"),
    ast.GeneratorExp: N_("comprehensions are not allowed: `{code}`"),
    ast.List: N_("lists are not allowed: `{code}`"),
    ast.Tuple: N_("tuples are not allowed (one formula, one value): `{code}`"),
    ast.Set: N_("sets are not allowed: `{code}`"),
    ast.Dict: N_("dictionaries are not allowed: `{code}`"),
    ast.JoinedStr: N_("f-strings are not allowed: `{code}`"),
    ast.FormattedValue: N_("f-strings are not allowed: `{code}`"),
    ast.NamedExpr: N_("assignment (:=) is not allowed: `{code}`"),
    ast.Starred: N_("star arguments are not allowed: `{code}`"),
    ast.IfExp: N_("`a if c else b` is not supported; write where(c, a, b): `{code}`"),
    ast.Await: N_("`await` is not allowed: `{code}`"),
    ast.Yield: N_("`yield` is not allowed: `{code}`"),
    ast.YieldFrom: N_("`yield` is not allowed: `{code}`"),
}
KINK_NOTE = N_("minimum-norm subgradient at ties of max/min/clip/abs/relu; where(): the chosen branch's f′")
CONDITION_ONLY = N_("comparisons and and/or/not are only allowed as the condition of where(condition, a, b): `{code}`")


# --- step 1: the text ------------------------------------------------------------------------------------


def _character_problem(char: str, column: int) -> FormulaError | None:
    """Only printable ASCII is accepted; anything else (fullwidth letters, zero-width spaces, homoglyphs)
    is named by its Unicode name, since Python would otherwise normalise some of them into letters."""
    code = ord(char)
    if 32 <= code < 127:
        if char == "#":
            return FormulaError(N_("comments (#) are not allowed"), column=column)
        if char == "\\":
            return FormulaError(N_("backslashes are not allowed"), column=column)
        if char == ";":
            return FormulaError(N_("only one expression is allowed; remove “;”"), column=column)
        return None
    if code < 32 or code == 127:
        return FormulaError(N_("control character U+{code:04X} is not allowed (one line, spaces only)"),
                            column=column, code=code)  # fmt: skip
    name = unicodedata.name(char, "unnamed character")
    hint = TYPO_HINTS.get(char)
    if hint:
        return FormulaError(N_("character “{char}” (U+{code:04X} {name}) is not allowed; type {hint} instead"),
                            column=column, char=char, code=code, name=name, hint=hint)  # fmt: skip
    printable = char.isprintable() and not char.isspace() and unicodedata.category(char)[0] != "C"
    return FormulaError(
        N_("character {shown}U+{code:04X} ({name}) is not allowed: type formulas in plain ASCII"),
        column=column, shown=f"“{char}” " if printable else "", code=code, name=name,
    )  # fmt: skip


def _check_text(text: object) -> tuple[str, int]:
    """(the stripped text, its offset in the original) or FormulaError, before any parsing."""
    if not isinstance(text, str):
        raise FormulaError(N_("a formula must be text, got {kind}"), kind=type(text).__name__)
    if len(text) > MAX_LENGTH:
        raise FormulaError(N_("the formula is too long: {n} characters (limit {limit})"), n=len(text),
                           limit=MAX_LENGTH)  # fmt: skip
    stripped = text.strip(WHITESPACE)
    offset = len(text) - len(text.lstrip(WHITESPACE))
    if not stripped:
        raise FormulaError(N_("the formula is empty; type something like x * sigmoid(x)"))
    for i, char in enumerate(stripped):
        problem = _character_problem(char, offset + i + 1)
        if problem:
            raise problem
    # Checked here rather than left to the tokenizer, which only warns about some of these (1if, 0x1for)
    glued = NUMBER_THEN_NAME.search(stripped)
    if glued:
        template = (N_("write numbers in decimal: `{code}`") if re.match(r"0[xXoObB]", glued.group())
                    else N_("a number runs into a name; write 2*x, not 2x: `{code}`"))  # fmt: skip
        raise FormulaError(template, column=offset + glued.start() + 1, code=glued.group())
    depth = 0
    for i, char in enumerate(stripped):
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_BRACKETS:
            raise FormulaError(N_("brackets are nested too deeply (limit {limit})"), column=offset + i + 1,
                               limit=MAX_BRACKETS)  # fmt: skip
    return stripped, offset


def _syntax_error(err: SyntaxError, text: str, offset: int) -> FormulaError:
    column = offset + err.offset if err.offset and err.offset > 0 else None
    reason = (err.msg or "invalid syntax").split(". Maybe", 1)[0]
    words = re.findall(r"[A-Za-z_]\w*", text)
    reserved = next((w for w in words if keyword.iskeyword(w)), None)
    if reserved == "lambda":
        return FormulaError(N_("“lambda” is a Python keyword; name the parameter lam or lambd"), column=column)
    if reserved:
        return FormulaError(N_("“{word}” is a Python keyword and cannot be used in a formula"), column=column,
                            word=reserved)  # fmt: skip
    return FormulaError(N_("this is not a valid formula: {reason}"), column=column, reason=reason)


def _tree_size(tree: ast.AST) -> tuple[int, int]:
    """(number of expression nodes, nesting depth), iteratively, so a deep tree cannot exhaust the stack."""
    count, deepest, stack = 0, 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
            deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return count, deepest


# --- step 2: syntax tree -> our checked tree ------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """A checked node: kind in number/x/param/constant/neg/binary/call/where/compare/and/or/not.
    ``value`` is the float (or bool, for conditions) when the node does not depend on x or a parameter."""

    kind: str
    op: str = ""
    args: tuple[_Node, ...] = ()
    value: float | bool | None = None
    has_x: bool = False
    literal: str = ""


class _Checker:
    """Converts Python's syntax tree into `_Node`s, refusing everything outside the whitelist."""

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.offset = offset
        self.params: list[str] = []
        self.functions: set[str] = set()

    def code(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node) or ast.unparse(node)
        return segment if len(segment) <= 40 else segment[:39] + "…"

    def fail(self, template: str, node: ast.AST, **fields) -> FormulaError:
        column = getattr(node, "col_offset", None)
        return FormulaError(template, column=None if column is None else self.offset + column + 1,
                            code=self.code(node), **fields)  # fmt: skip

    def constant(self, node: ast.AST, compute: Callable[[], float]) -> float:
        """A constant sub-expression's float value, refused if undefined, not real or too large."""
        try:
            value = float(compute())
        except ZeroDivisionError:
            raise self.fail(N_("division by zero: `{code}`"), node) from None
        except OverflowError:
            raise self.fail(N_("`{code}` is too large to compute"), node) from None
        except (ValueError, TypeError):
            raise self.fail(N_("`{code}` is not a real number"), node) from None
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise self.fail(N_("`{code}` is too large (limit ±{limit:g})"), node, limit=MAX_NUMBER)
        return value

    # expressions (numbers)
    def expr(self, node: ast.AST) -> _Node:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                raise self.fail(CONDITION_ONLY, node)
            if isinstance(node.op, ast.Invert):
                raise self.fail(N_("`~` is not allowed: `{code}`"), node)
            arg = self.expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return arg
            value = None if arg.value is None else self.constant(node, lambda: -arg.value)
            return _Node("neg", args=(arg,), value=value, has_x=arg.has_x)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare | ast.BoolOp):
            raise self.fail(CONDITION_ONLY, node)
        template = REFUSED_NODES.get(type(node), N_("`{code}` is not allowed in a formula"))
        raise self.fail(template, node)

    def number(self, node: ast.Constant) -> _Node:
        value = node.value
        if isinstance(value, str | bytes):
            raise self.fail(N_("text strings are not allowed: `{code}`"), node)
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.fail(N_("`{code}` is not a number"), node)
        if isinstance(value, complex):
            raise self.fail(N_("complex numbers are not allowed: `{code}`"), node)
        literal = ast.get_source_segment(self.text, node) or ""
        if not DECIMAL.fullmatch(literal):
            raise self.fail(N_("write numbers in decimal: `{code}`"), node)
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise self.fail(N_("the number `{code}` is too large (limit ±{limit:g})"), node, limit=MAX_NUMBER)
        return _Node("number", value=float(value), literal=literal.replace("_", ""))

    def name(self, node: ast.Name) -> _Node:
        name = node.id
        if name == "x":
            return _Node("x", has_x=True)
        if name in CONSTANTS:
            return _Node("constant", op=name, value=CONSTANTS[name][0])
        if name.startswith("_"):
            raise self.fail(N_("names starting with _ are not allowed: `{code}`"), node)
        if name in CALLABLE_NAMES:
            raise self.fail(N_("`{code}` is a function: write {name}(...)"), node, name=name)
        if not PARAM_NAME.fullmatch(name):
            raise self.fail(N_("parameter names are lowercase letters, digits and _, start with a letter and "
                               "have at most 16 characters: `{code}`"), node)  # fmt: skip
        if name in RESERVED:
            raise self.fail(N_("`{code}` is reserved and cannot name a parameter"), node)
        if name not in self.params:
            if len(self.params) >= MAX_PARAMS:
                raise self.fail(N_("at most {limit} parameters are allowed: `{code}`"), node, limit=MAX_PARAMS)
            self.params.append(name)
        return _Node("param", op=name)

    def binary(self, node: ast.BinOp) -> _Node:
        op = BINARY.get(type(node.op))
        if op is None:
            raise self.fail(REFUSED_OPERATORS.get(type(node.op), N_("operator not allowed: `{code}`")), node)
        left, right = self.expr(node.left), self.expr(node.right)
        if op == "/" and right.value == 0:
            raise self.fail(N_("division by zero: `{code}`"), node)
        if op == "**" and right.value is not None and abs(right.value) > MAX_EXPONENT:
            raise self.fail(N_("the exponent in `{code}` is too large (limit ±{limit})"), node, limit=MAX_EXPONENT)
        value = None
        if left.value is not None and right.value is not None:
            a, b = left.value, right.value
            compute = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                       "**": lambda: _real_power(a, b)}[op]  # fmt: skip
            value = self.constant(node, compute)
        return _Node("binary", op=op, args=(left, right), value=value, has_x=left.has_x or right.has_x)

    def call(self, node: ast.Call) -> _Node:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self.fail(REFUSED_NODES[ast.Attribute], node.func)
            raise self.fail(N_("only the listed functions can be called: `{code}`"), node)
        name = node.func.id
        if name.startswith("_"):
            raise self.fail(N_("names starting with _ are not allowed: `{code}`"), node.func)
        if name == "x" or len(name) == 1 or name in GREEK:  # a(x + 1) meant as a product
            raise self.fail(N_("`{name}` is not a function; for a product write {name}*(...)"), node.func,
                            name=name)  # fmt: skip
        if name not in CALLABLE_NAMES:
            raise self.fail(N_("unknown function `{name}`; available: {available}"), node.func, name=name,
                            available=", ".join(sorted(CALLABLE_NAMES)))  # fmt: skip
        if node.keywords:
            raise self.fail(N_("keyword arguments are not allowed: `{code}`"), node)
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(N_("star arguments are not allowed: `{code}`"), node)
        name = ALIASES.get(name, name)
        arity = 3 if name == "where" else FUNCTIONS[name].arity
        if len(node.args) != arity:
            raise self.fail(N_("{name}() takes {arity} argument(s), got {n}: `{code}`"), node, name=name,
                            arity=arity, n=len(node.args))  # fmt: skip
        self.functions.add(name)
        if name == "where":
            cond, a, b = self.condition(node.args[0]), self.expr(node.args[1]), self.expr(node.args[2])
            value = None
            if cond.value is not None and a.value is not None and b.value is not None:
                value = a.value if cond.value else b.value
            return _Node("where", args=(cond, a, b), value=value, has_x=cond.has_x or a.has_x or b.has_x)
        args = tuple(self.expr(a) for a in node.args)
        value = None
        if all(a.value is not None for a in args):
            value = self.constant(node, lambda: FUNCTIONS[name].value(*(a.value for a in args)))
        return _Node("call", op=name, args=args, value=value, has_x=any(a.has_x for a in args))

    # conditions (booleans), only as where's first argument
    def condition(self, node: ast.AST) -> _Node:
        if isinstance(node, ast.Compare):
            parts, left = [], self.expr(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                symbol = COMPARISONS.get(type(op))
                if symbol is None:
                    raise self.fail(N_("only <, <=, >, >=, == and != can compare: `{code}`"), node)
                right = self.expr(comparator)
                value = None
                if left.value is not None and right.value is not None:
                    value = FLOAT_RELATION[symbol](left.value, right.value)
                parts.append(_Node("compare", op=symbol, args=(left, right), value=value,
                                   has_x=left.has_x or right.has_x))  # fmt: skip
                left = right
            return parts[0] if len(parts) == 1 else self.combine("and", parts)
        if isinstance(node, ast.BoolOp):
            return self.combine(
                "and" if isinstance(node.op, ast.And) else "or", [self.condition(v) for v in node.values]
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.condition(node.operand)
            return _Node("not", args=(inner,), value=None if inner.value is None else not inner.value,
                         has_x=inner.has_x)  # fmt: skip
        raise self.fail(N_("the first argument of where(...) must be a comparison such as x > 0: `{code}`"), node)

    @staticmethod
    def combine(kind: str, parts: list[_Node]) -> _Node:
        value = None
        if all(p.value is not None for p in parts):
            value = all(p.value for p in parts) if kind == "and" else any(p.value for p in parts)
        return _Node(kind, args=tuple(parts), value=value, has_x=any(p.has_x for p in parts))


def _real_power(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise ZeroDivisionError
    return math.pow(a, b)  # raises ValueError for a negative base with a fractional exponent


# --- step 3: our tree -> SymPy forward and derivative -------------------------------------------------

X = sp.Symbol("x", real=True)


@dataclass
class _Built:
    forward: sp.Expr
    derivative: sp.Expr


@dataclass
class _Builder:
    """Forward-mode symbolic differentiation over `_Node`s: each rule is the chain rule written out."""

    symbols: Mapping[str, sp.Symbol]
    kink_arguments: list[sp.Expr] = field(default_factory=list)
    sizes: dict[sp.Basic, int] = field(default_factory=dict)

    def build(self, node: _Node) -> _Built:
        """(f, f′) for ``node``; stops as soon as a derivative outgrows MAX_EXPRESSION_SIZE (nested max/min
        and power towers can double it per level), before SymPy spends time on a bigger one."""
        built = self._build(node)
        size = _expression_size(built.derivative, self.sizes)
        if size > MAX_EXPRESSION_SIZE:
            raise FormulaError(N_("the derivative is too large to show: over {limit} terms; simplify the formula"),
                               limit=MAX_EXPRESSION_SIZE)  # fmt: skip
        return built

    def _build(self, node: _Node) -> _Built:
        kind = node.kind
        if kind == "number":
            return _Built(sp.Integer(node.literal) if node.literal.isdigit() else sp.Float(node.literal), sp.S.Zero)
        if kind == "x":
            return _Built(X, sp.S.One)
        if kind == "param":
            return _Built(self.symbols[node.op], sp.S.Zero)
        if kind == "constant":
            return _Built(CONSTANTS[node.op][1], sp.S.Zero)
        if kind == "neg":
            inner = self.build(node.args[0])
            return _Built(-inner.forward, -inner.derivative)
        if kind == "binary":
            return self.binary(node)
        if kind == "where":  # f′ is the derivative of the branch the condition selects
            cond, a, b = node.args
            if cond.value is not None:
                return self.build(a if cond.value else b)
            condition, a, b = self.condition(cond), self.build(a), self.build(b)
            return _Built(_cases((a.forward, condition), (b.forward, True)),
                          _cases((a.derivative, condition), (b.derivative, True)))  # fmt: skip
        function = FUNCTIONS[node.op]
        built = [self.build(a) for a in node.args]
        forwards = tuple(b.forward for b in built)
        derivatives = tuple(b.derivative for b in built)
        if any(a.has_x for a in node.args):
            self.kink_arguments.extend(function.kinks(*forwards))
        if all(d == 0 for d in derivatives):
            return _Built(function.forward(*forwards), sp.S.Zero)
        return _Built(function.forward(*forwards), function.derivative(forwards, derivatives))

    def binary(self, node: _Node) -> _Built:
        left, right = self.build(node.args[0]), self.build(node.args[1])
        a, b, da, db = left.forward, right.forward, left.derivative, right.derivative
        if node.op == "+":
            return _Built(a + b, da + db)
        if node.op == "-":
            return _Built(a - b, da - db)
        if node.op == "*":
            return _Built(a * b, da * b + a * db)
        if node.op == "/":
            return _Built(a / b, (da * b - a * db) / b**2)
        power = a**b
        if not node.args[1].has_x:  # (u^c)′ = c·u^(c−1)·u′
            return _Built(power, b * a ** (b - 1) * da if da != 0 else sp.S.Zero)
        if not node.args[0].has_x:  # (c^u)′ = c^u·ln c·u′
            return _Built(power, power * sp.log(a) * db)
        return _Built(power, power * (db * sp.log(a) + b * da / a))

    def condition(self, node: _Node):
        """A SymPy boolean, unevaluated: evaluating relations of transcendental functions has no cost bound."""
        if node.value is not None:
            return sp.true if node.value else sp.false
        if node.kind == "compare":
            left, right = self.build(node.args[0]).forward, self.build(node.args[1]).forward
            if node.has_x:
                self.kink_arguments.append(left - right)
            return _relation(node.op, left, right)
        parts = [self.condition(p) for p in node.args]
        if node.kind == "not":
            return sp.Not(parts[0], evaluate=False)
        return (sp.And if node.kind == "and" else sp.Or)(*parts, evaluate=False)


def _expression_size(expr: sp.Basic, sizes: dict[sp.Basic, int] | None = None) -> int:
    """Nodes of ``expr`` counted as a tree (what printing walks), computed on SymPy's shared graph so that
    an exponentially large tree costs nothing to measure. ``sizes`` memoises across calls."""
    sizes = {} if sizes is None else sizes
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, children_done = stack.pop()
        if node in sizes:
            continue
        if children_done:
            sizes[node] = 1 + sum(sizes[a] for a in node.args)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in sizes)
    return sizes[expr]


BAD_ATOMS = frozenset({sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I})


def _check_numbers(expr: sp.Expr, *, derivative: bool) -> None:
    """Refuse what SymPy's automatic simplification made undefined (x/0 -> zoo·x, log(-1) -> iπ) or too
    large for float64 (1e600), naming the smallest such part. One pass over the shared graph."""
    seen: set[sp.Basic] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if any(a in BAD_ATOMS for a in node.args) or node in BAD_ATOMS:
            template = (N_("the derivative is undefined or not real here: `{code}`") if derivative
                        else N_("the formula is undefined or not real here: `{code}`"))  # fmt: skip
            raise FormulaError(template, code=_short(str(node)))
        if isinstance(node, sp.Number) and abs(node) > MAX_SYMPY_NUMBER:
            raise FormulaError(N_("the formula makes a number too large to evaluate: `{code}`"),
                               code=_short(str(node)))  # fmt: skip
        stack.extend(node.args)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- step 4: numpy ---------------------------------------------------------------------------------------


class _Tape:
    """A SymPy expression as a straight-line numpy program: one instruction per distinct node of SymPy's
    shared graph (so common sub-expressions are computed once), intermediate arrays freed after their
    last use. No code is generated or compiled: each instruction is a numpy function from
    NUMPY_FUNCTIONS, and a node of any other type refuses the formula."""

    def __init__(self, expr: sp.Basic, symbols: Sequence[sp.Symbol]) -> None:
        self.instructions: list[tuple[Callable | None, tuple[int, ...], object]] = []
        index: dict[sp.Basic, int] = {}
        inputs = {X: 0, **{s: i + 1 for i, s in enumerate(symbols)}}
        stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in index:
                continue
            if node in inputs:
                index[node] = self._emit(None, (), ("input", inputs[node]))
                continue
            if not node.args:
                index[node] = self._emit(None, (), ("value", _leaf_value(node)))
                continue
            operands = _operands(node)
            if ready:
                index[node] = self._emit(_numpy_function(node), tuple(index[o] for o in operands), None)
            else:
                stack.append((node, True))
                stack.extend((o, False) for o in operands if o not in index)
        self.free_after: list[list[int]] = [[] for _ in self.instructions]
        last_use = {}
        for i, (_fn, operands, _leaf) in enumerate(self.instructions):
            for o in operands:
                last_use[o] = i
        for slot, i in last_use.items():
            self.free_after[i].append(slot)

    def _emit(self, fn, operands, leaf) -> int:
        self.instructions.append((fn, operands, leaf))
        return len(self.instructions) - 1

    def run(self, x: np.ndarray, params: Sequence[float]):
        inputs = (x, *params)
        values: list = [None] * len(self.instructions)
        for i, (fn, operands, leaf) in enumerate(self.instructions):
            if fn is None:
                kind, content = leaf
                values[i] = inputs[content] if kind == "input" else content
            else:
                values[i] = fn(*(values[o] for o in operands))
            for slot in self.free_after[i]:
                values[slot] = None
        return values[-1]


def _leaf_value(node: sp.Basic) -> float | bool:
    """A number (Integer, Float, pi, E, ...) as a Python float, true/false as a bool."""
    if isinstance(node, sp.logic.boolalg.BooleanAtom):
        return bool(node)
    try:
        return float(node)
    except (TypeError, ValueError):
        raise FormulaError(N_("SymPy turned the formula into `{code}`, which we cannot evaluate"),
                           code=_short(str(node))) from None  # fmt: skip


def _special_power(node: sp.Basic) -> Callable | None:
    if isinstance(node, sp.Pow) and isinstance(node.exp, sp.Number):
        return SPECIAL_POWERS.get(float(node.exp))
    return None


def _operands(node: sp.Basic) -> tuple[sp.Basic, ...]:
    if _special_power(node):
        return (node.base,)
    return node.args


def _numpy_function(node: sp.Basic) -> Callable:
    special_power = _special_power(node)
    if special_power:
        return special_power
    try:
        return NUMPY_FUNCTIONS[type(node)]
    except KeyError:
        raise FormulaError(N_("SymPy turned the formula into `{code}`, which we cannot evaluate"),
                           code=_short(str(node))) from None  # fmt: skip


def _numeric(expr: sp.Expr, symbols: Sequence[sp.Symbol], names: Sequence[str]) -> Callable[..., np.ndarray]:
    """f(x, **params) from our SymPy expression: numpy, warning-free, NaN where not finite, x's dtype."""
    tape = _Tape(expr, symbols)

    def evaluate(x, **params) -> np.ndarray:
        x = as_float_array(x)
        with np.errstate(all="ignore"):
            y = tape.run(x, [params[n] for n in names])
            y = np.array(np.broadcast_to(y, x.shape), dtype=x.dtype)
        y[~np.isfinite(y)] = np.nan
        return y

    return evaluate


def _kink_finder(
    arguments: Sequence[sp.Expr], symbols: Sequence[sp.Symbol], names: Sequence[str]
) -> Callable[..., tuple[float, ...]]:
    """kinks(**params): where a kink argument (u of relu/abs/sign, a − b of max/min/comparisons) is 0 or
    changes sign on [-50, 50], refined by bisection; at most MAX_KINKS, those nearest 0 first."""
    compiled = [_numeric(g, symbols, names) for g in arguments]

    def kinks(**params) -> tuple[float, ...]:
        found: set[float] = set()
        for g in compiled:
            values = g(KINK_GRID, **params)
            found.update(KINK_GRID[values == 0].tolist())
            crossing = np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)
            lo, hi = KINK_GRID[crossing], KINK_GRID[crossing + 1]
            lo_sign = np.sign(values[crossing])
            for _step in range(60):
                mid = 0.5 * (lo + hi)
                same = np.sign(g(mid, **params)) == lo_sign
                lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
            found.update(np.where(g(hi, **params) == 0, hi, 0.5 * (lo + hi)).tolist())
        nearest = sorted(found, key=abs)[:MAX_KINKS]
        return tuple(sorted(nearest))

    return kinks


# --- the public API ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CustomActivation(Activation):
    """An `Activation` typed by the user; ``source`` is the text to put back in the text box and URL."""

    source: str = ""
    canonical: str = ""  # the same formula, normalised by ast.unparse (spaces around operators)
    expression: sp.Expr = sp.S.Zero
    derivative_expression: sp.Expr = sp.S.Zero
    functions: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return f"CustomActivation({self.source!r})"


def _param(name: str) -> Param:
    return Param(name, PARAM_DEFAULT, PARAM_MIN, PARAM_MAX, PARAM_STEP, GREEK_SYMBOL.get(name, name),
                 N_("a parameter of your formula"))  # fmt: skip


def check(text: str) -> tuple[str, ...]:
    """Validate ``text`` without building anything: the parameter names, or FormulaError."""
    return tuple(_check(text)[1].params)


def _check(text: object) -> tuple[_Node, _Checker, str]:
    stripped, offset = _check_text(text)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        raise _syntax_error(err, stripped, offset) from None
    except ValueError as err:  # e.g. null bytes; already refused above, kept as a safety net
        raise FormulaError(N_("this is not a valid formula: {reason}"), reason=str(err)) from None
    nodes, depth = _tree_size(tree)
    if nodes > MAX_NODES:
        raise FormulaError(N_("the formula has too many parts: {n} (limit {limit})"), n=nodes, limit=MAX_NODES)
    if depth > MAX_DEPTH:
        raise FormulaError(N_("the formula is nested too deeply: {n} levels (limit {limit})"), n=depth,
                           limit=MAX_DEPTH)  # fmt: skip
    checker = _Checker(stripped, offset)
    root = checker.expr(tree.body)
    return root, checker, ast.unparse(tree)


def parse(text: str) -> CustomActivation:
    """The activation ``text`` describes, e.g. ``parse("where(x > 0, x, a*(exp(x) - 1))")``.

    Parameters are the lowercase names other than x, pi, e and the functions, in order of appearance,
    each with default 1 and slider range −5…5. Anything outside the formula language raises
    `FormulaError` with a message naming the offending part. Results are cached by text.
    """
    if not isinstance(text, str):
        raise FormulaError(N_("a formula must be text, got {kind}"), kind=type(text).__name__)
    return _parse(text)


@functools.lru_cache(maxsize=128)
def _parse(text: str) -> CustomActivation:
    root, checker, canonical = _check(text)
    names = tuple(checker.params)
    symbols = {n: sp.Symbol(n, real=True) for n in names}
    ordered = [symbols[n] for n in names]
    builder = _Builder(symbols)
    # SymPy's constructors are trusted code run on our own checked tree; any failure inside them is a
    # refusal of this formula, never a traceback on the page.
    try:
        built = builder.build(root)
        _check_numbers(built.forward, derivative=False)
        _check_numbers(built.derivative, derivative=True)
        forward = _numeric(built.forward, ordered, names)
        derivative = _numeric(built.derivative, ordered, names)
        kinks = _kink_finder(builder.kink_arguments, ordered, names)
        formula, derivative_formula = _latex(built.forward), _latex(built.derivative)
    except FormulaError:
        raise
    except Exception as err:
        raise FormulaError(N_("could not differentiate this formula: {reason}"),
                           reason=_short(f"{type(err).__name__}: {err}", 80)) from None  # fmt: skip
    kinked = bool(builder.kink_arguments)
    act = CustomActivation(
        name=NAME,
        label=f"f(x) = {_short(canonical, 48)}",  # a formula reads the same in every language
        forward=forward,
        derivative_fn=derivative,
        formula=formula,
        derivative_formula=derivative_formula,
        family="other",
        params=tuple(_param(n) for n in names),
        paper="",
        smooth=not kinked,
        kinks=kinks,
        kink_note=KINK_NOTE if kinked else "",
        summary=N_("Your own formula; its derivative is exact (symbolic)."),
        source=text.strip(WHITESPACE),
        canonical=canonical,
        expression=built.forward,
        derivative_expression=built.derivative,
        functions=frozenset(checker.functions),
    )
    return _with_measured_metadata(act)


@functools.cache
def _hermite_nodes() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.hermite_e.hermegauss(80)


def _with_measured_metadata(act: CustomActivation) -> CustomActivation:
    """Metadata measured at the default parameters (where the registry states the built-ins' too):

    * output range: min and max of f on [-50, 50], ±∞ where f at ±1e4 goes beyond them (or overflows);
    * monotonic: f′ ≥ 0 and finite on [-50, 50];
    * zero-centred: |E f(z)| ≤ 1% of its standard deviation for z ~ N(0, 1) (Gauss–Hermite, 80 nodes);
    * zero-gradient region: f′ exactly 0 at two neighbouring grid points of [-6, 6].

    Nothing is assumed: NaN makes a bound infinite and a property false. ``smooth`` stays structural
    (no kink function of x is used); the explorer's properties table measures all of these again at the
    chosen parameters."""
    with np.errstate(all="ignore"):  # f may be finite but huge (cosh(x)): its square overflows to inf
        y, d = act(KINK_GRID), act.derivative(KINK_GRID)
        finite = y[np.isfinite(y)]
        far = act(np.array([-FAR, FAR]))
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-math.inf, math.inf)
        for far_value, end_value in ((far[0], y[0]), (far[1], y[-1])):
            # overflow out there (NaN): the grid's end value says which way f was heading
            lo = -math.inf if far_value < lo - 1 or (np.isnan(far_value) and end_value == lo) else lo
            hi = math.inf if far_value > hi + 1 or (np.isnan(far_value) and end_value == hi) else hi
        nodes, weights = _hermite_nodes()
        fz = act(nodes)
        mean = float(np.sum(weights * fz)) / math.sqrt(2 * math.pi)
        second_moment = float(np.sum(weights * fz**2)) / math.sqrt(2 * math.pi)
    spread = math.sqrt(max(second_moment - mean**2, 0.0)) if math.isfinite(second_moment) else math.inf
    near = np.abs(KINK_GRID) <= 6
    dead = (act.derivative(KINK_GRID[near]) == 0).astype(int)
    return replace(
        act,
        output_range=(lo, hi),
        monotonic=bool(np.all(np.isfinite(d)) and np.all(d >= 0)),
        zero_centred=bool(math.isfinite(mean) and abs(mean) <= 0.01 * max(spread, 1e-12)),
        zero_gradient_region=bool(np.any(dead[:-1] & dead[1:])),
    )


def check_finite(
    act: Activation, x, params: Mapping[str, float] | None = None, *, _: Callable[[str], str] = ENGLISH
) -> str | None:
    """A short message if f or f′ is not finite somewhere on ``x`` (e.g. exp(x) overflowing), else None."""
    x = np.asarray(as_float_array(x), dtype=np.float64).ravel()
    messages = []
    for label, values in (("f", act(x, **(params or {}))), ("f′", act.derivative(x, **(params or {})))):
        bad = ~np.isfinite(values)
        if bad.any():
            messages.append(
                _("{f} is not finite at {n} of {total} points (first at x = {x})").format(
                    f=label, n=int(bad.sum()), total=x.size, x=format_number(float(x[np.argmax(bad)]))
                )
            )
    return "; ".join(messages) or None


def resolve(name: str, formula: str | None) -> Activation:
    """The activation behind a picker entry: the registry's ``name``, or for NAME the parsed ``formula``
    (FormulaError if it is refused or missing)."""
    if name == NAME:
        return parse(formula or "")
    return registry.get(name)


def to_url(act: CustomActivation, params: Mapping[str, float] | None = None) -> dict[str, str]:
    """URL state for a custom activation: ``formula`` and ``custom.<name>`` for non-default values."""
    state = {FORMULA_KEY: act.source}
    for p in act.params:
        value = float((params or {}).get(p.name, p.default))
        if not math.isclose(value, p.default, rel_tol=0, abs_tol=1e-12):
            state[f"{NAME}.{p.name}"] = format_number(value)
    return state


def from_url(
    query: Mapping[str, str], warnings: Warnings, *, _: Callable[[str], str] = ENGLISH
) -> tuple[CustomActivation | None, dict[str, float]]:
    """(activation, parameter values) from ``formula=`` and ``custom.<name>=`` (or a bare ``<name>=``).

    No formula -> (None, {}); a refused formula -> (None, {}) and a warning; parameter values are
    clamped to ±PARAM_LIMIT (the page widens its slider with `slider_param`)."""
    raw = query.get(FORMULA_KEY)
    if raw is None or not str(raw).strip():
        return None, {}
    try:
        act = parse(str(raw))
    except FormulaError as err:
        warnings.add(_("The formula in the URL was refused: {error}").format(error=err.message(_)))
        return None, {}
    values = {}
    for p in act.params:
        qualified = f"{NAME}.{p.name}"
        key = qualified if qualified in query else p.name
        values[p.name] = parse_number(query, key, p.default, -PARAM_LIMIT, PARAM_LIMIT, warnings, _=_)
    return act, values


def slider_param(param: Param, value: float) -> Param:
    """``param`` with its slider range widened (to ±10ⁿ, at most ±PARAM_LIMIT) so that it holds ``value``."""
    if param.min <= value <= param.max:
        return param
    bound = min(10.0 ** math.ceil(math.log10(abs(value))), PARAM_LIMIT) if value else param.max
    return Param(param.name, param.default, min(param.min, -bound), max(param.max, bound), param.step,
                 param.symbol, param.help)  # fmt: skip


def syntax_help(_: Callable[[str], str] = ENGLISH) -> str:
    """A short description of the formula language, for the page's help text."""
    functions = ", ".join(sorted(set(FUNCTIONS) | {"where"}))
    aliases = ", ".join(f"{a} = {b}" for a, b in sorted(ALIASES.items()))
    return _(
        "A formula in x: numbers, x, pi, e, your own parameters (lowercase names such as a, beta, k2), "
        "+ − * / ** and parentheses. Functions: {functions} (also {aliases}). where(condition, a, b) "
        "picks a where the condition holds, else b; conditions use < <= > >= == != and, or, not. "
        "At most {length} characters."
    ).format(functions=functions, aliases=aliases, length=MAX_LENGTH)
