"""A registry activation or a parsed formula as torch source: ``activation_code(act, params)``.

A registry name becomes its ``torch.nn.functional`` call (:data:`TORCH_CALLS`); a formula is written
from its SymPy tree (``CustomActivation.expression``) by :class:`_Printer`, one rule per whitelisted node
type, and checked token by token by :func:`check_generated`. See the package docstring for the kinks.
"""

from __future__ import annotations

import builtins
import io
import keyword
import math
import re
import tokenize
from collections.abc import Mapping

import sympy as sp

from .. import custom, registry
from ..registry import Activation

# Registry name -> torch expression of ``x``; {name} are the activation's parameters (written as repr floats).
TORCH_CALLS: dict[str, str] = {
    "relu": "F.relu(x)",
    "relu6": "F.relu6(x)",
    "leaky_relu": "F.leaky_relu(x, negative_slope={alpha})",
    "prelu": "F.prelu(x, x.new_tensor([{alpha}]))",
    "rrelu": "F.rrelu(x, lower={lower}, upper={upper}, training=False)",
    "squared_relu": "torch.square(F.relu(x))",
    "elu": "F.elu(x, alpha={alpha})",
    "selu": "F.selu(x)",
    "celu": "F.celu(x, alpha={alpha})",
    "gelu": "F.gelu(x)",
    "gelu_tanh": "F.gelu(x, approximate='tanh')",
    "silu": "F.silu(x)",  # β = 1; other β below
    "mish": "F.mish(x)",
    "softplus": "F.softplus(x, beta={beta}, threshold={threshold})",
    "hardswish": "F.hardswish(x)",
    "sigmoid": "torch.sigmoid(x)",
    "hardsigmoid": "F.hardsigmoid(x)",
    "log_sigmoid": "F.logsigmoid(x)",
    "tanh": "torch.tanh(x)",
    "hardtanh": "F.hardtanh(x, min_val={min_val}, max_val={max_val})",
    "softsign": "F.softsign(x)",
    "tanhshrink": "F.tanhshrink(x)",
    "softshrink": "F.softshrink(x, lambd={lambd})",
    "hardshrink": "F.hardshrink(x, lambd={lambd})",
    "identity": "x",
    # 1 where x ≥ 0 (torch.heaviside(x, 1)); 0·x keeps it in the graph with the app's gradient, 0 everywhere
    "binary_step": "(x >= 0).to(x.dtype) + 0.0 * x",
    "snake": "x + torch.sin({alpha} * x) ** 2 / {alpha}",
}
SILU_BETA = "x * torch.sigmoid({beta} * x)"
STRING_LITERALS = frozenset({"'tanh'"})  # the only string a generated activation may contain


# --- a formula's tree -> torch source ------------------------------------------------------------------

# Python precedence, low to high: ternary, or, and, not, comparisons, |, &, + -, * /, unary -, **, atoms.
TERNARY, OR, AND, NOT, COMPARE, BIT_OR, BIT_AND, ADD, MUL, UNARY, POW, ATOM = range(12)

TORCH_FUNCTIONS: dict[type, str] = {
    sp.exp: "torch.exp", sp.log: "torch.log", custom.Log1p: "torch.log1p", custom.Expm1: "torch.expm1",
    sp.sin: "torch.sin", sp.cos: "torch.cos", sp.tan: "torch.tan", sp.atan: "torch.atan",
    sp.tanh: "torch.tanh", sp.sinh: "torch.sinh", sp.cosh: "torch.cosh", sp.asinh: "torch.asinh",
    custom.Sigmoid: "torch.sigmoid", custom.Softplus: "softplus", custom.Erf: "torch.erf",
    sp.Abs: "torch.abs", sp.sign: "torch.sign", custom.Relu: "torch.relu",
    custom.Maximum: "torch.maximum", custom.Minimum: "torch.minimum", custom.Clip: "clip",
    custom.MinNorm: "min_norm",
}  # fmt: skip
RELATIONS = {
    sp.StrictGreaterThan: ">", sp.GreaterThan: ">=", sp.StrictLessThan: "<", sp.LessThan: "<=",
    sp.Equality: "==", sp.Unequality: "!=",
}  # fmt: skip
# Node types whose torch autograd differs from the app's derivative (see the module docstring).
EXPLICIT_DERIVATIVE = (custom.Maximum, custom.Minimum, custom.Clip, custom.Cases)
HELPERS = {
    "softplus": '''def softplus(u):
    """log(1 + e^u) without overflow (the formula language's softplus)."""
    return torch.logaddexp(u, torch.zeros_like(u))''',
    "clip": '''def clip(u, lo, hi):
    """min(max(u, lo), hi), with tensor or number bounds."""
    return torch.minimum(torch.maximum(u, torch.as_tensor(lo, dtype=u.dtype)), torch.as_tensor(hi, dtype=u.dtype))''',
    "min_norm": '''def min_norm(p, q):
    """The element of [min(p, q), max(p, q)] nearest 0: the derivative of max/min at a tie."""
    p, q = torch.broadcast_tensors(torch.as_tensor(p), torch.as_tensor(q))
    return torch.where(p * q <= 0, torch.zeros_like(p), torch.where(p.abs() <= q.abs(), p, q))''',
}


class CodegenError(ValueError):
    """A configuration or formula that cannot be written as a script."""


class _Printer:
    """SymPy tree -> one Python expression of torch ops in ``x``. Each node type has one rule; any other
    type refuses the formula. x-free parts stay Python numbers (parameters are floats), wrapped in
    ``x.new_tensor`` where torch needs a tensor (a function's argument, a power's base)."""

    def __init__(self, names: Mapping[sp.Symbol, str]) -> None:
        self.names = dict(names)
        self.helpers: set[str] = set()
        self.cache: dict[sp.Basic, tuple[str, int, bool]] = {}

    def has_x(self, node: sp.Basic) -> bool:
        return custom.X in node.free_symbols

    def expression(self, node: sp.Basic) -> str:
        """The whole function body's value: always a tensor shaped like x."""
        code, prec, _tensor = self.emit(node)
        if self.has_x(node):
            return code
        return f"torch.zeros_like(x) + {code if prec > ADD else f'({code})'}"  # a constant, shaped like x

    def emit(self, node: sp.Basic) -> tuple[str, int, bool]:
        """(source, precedence, whether the value is a tensor), remembered per node of SymPy's shared graph."""
        if node not in self.cache:
            self.cache[node] = self._emit(node)
        return self.cache[node]

    def _emit(self, node: sp.Basic) -> tuple[str, int, bool]:
        if node == custom.X:
            return "x", ATOM, True
        if isinstance(node, sp.Symbol):
            if node not in self.names:
                raise CodegenError(f"unknown symbol {node} in the formula's tree")
            return self.names[node], ATOM, False
        if node is sp.pi:
            return "math.pi", ATOM, False
        if node is sp.E:
            return "math.e", ATOM, False
        if isinstance(node, sp.logic.boolalg.BooleanAtom):
            return ("True" if bool(node) else "False"), ATOM, False
        if isinstance(node, sp.Integer):
            value = int(node)
            return str(value), ATOM if value >= 0 else UNARY, False
        if isinstance(node, sp.Number):
            value = float(node)
            if not math.isfinite(value):
                raise CodegenError(f"the formula's tree holds the number {value}")
            return repr(value), ATOM if value >= 0 else UNARY, False
        if isinstance(node, sp.Add):
            return self.add(node)
        if isinstance(node, sp.Mul):
            return self.mul(node)
        if isinstance(node, sp.Pow):
            return self.power(node)
        if isinstance(node, custom.Cases):
            return self.cases(node)
        if type(node) in RELATIONS:
            (left, _, lt), (right, _, rt) = (self.operand(a, COMPARE + 1) for a in node.args)
            return f"{left} {RELATIONS[type(node)]} {right}", COMPARE, lt or rt
        if isinstance(node, sp.And | sp.Or):
            return self.logic(node)
        if isinstance(node, sp.Not):
            if self.has_x(node):
                code, _, _ = self.operand(node.args[0], ATOM)
                return f"~{code}", UNARY, True
            code, _, tensor = self.operand(node.args[0], NOT)
            return f"not {code}", NOT, tensor
        if isinstance(node, sp.re):
            return self.emit(node.args[0])
        if isinstance(node, sp.im):
            code, _, tensor = self.operand(node.args[0], MUL + 1)
            return f"0.0 * {code}", MUL, tensor
        function = TORCH_FUNCTIONS.get(type(node))
        if function is None:
            raise CodegenError(f"cannot write {type(node).__name__} in torch")
        if function in HELPERS:
            self.helpers.add(function)
        args = [self.tensor_argument(a) for a in node.args]
        if function == "clip" and not any(self.emit(a)[2] for a in node.args[1:]):
            function = "torch.clamp"  # number bounds
            self.helpers.discard("clip")
            args[1:] = [self.emit(a)[0] for a in node.args[1:]]
        return f"{function}({', '.join(args)})", ATOM, True

    def operand(self, node: sp.Basic, minimum: int) -> tuple[str, int, bool]:
        code, prec, tensor = self.emit(node)
        return (f"({code})" if prec < minimum else code), prec, tensor

    def tensor_argument(self, node: sp.Basic) -> str:
        code, _prec, tensor = self.emit(node)
        return code if tensor else f"x.new_tensor({code})"

    def add(self, node: sp.Add) -> tuple[str, int, bool]:
        parts, tensor = [], False
        for i, term in enumerate(node.as_ordered_terms()):
            negative = (term.is_Number and term < 0) or (term.is_Mul and term.args[0].is_Number and term.args[0] < 0)
            code, _, t = self.operand(-term if negative else term, ADD + (1 if negative else 0))
            tensor |= t
            parts.append(("-" if i == 0 else " - ") + code if negative else ("" if i == 0 else " + ") + code)
        return "".join(parts), ADD, tensor

    def mul(self, node: sp.Mul) -> tuple[str, int, bool]:
        factors = list(node.args)
        sign = ""
        if factors[0] == -1:
            sign, factors = "-", factors[1:]
        elif factors[0].is_Number and factors[0] < 0:
            sign, factors = "-", [-factors[0], *factors[1:]]
        numerator, denominator = [], []
        if factors and isinstance(factors[0], sp.Rational) and not isinstance(factors[0], sp.Integer):
            p, q = factors[0].p, factors[0].q  # 1/6 * u reads u / 6
            factors = ([sp.Integer(p)] if p != 1 else []) + factors[1:]
            denominator.append(sp.Integer(q))
        for factor in factors:
            if (
                isinstance(factor, sp.Pow)
                and factor.exp.is_Number
                and factor.exp < 0
                and self.has_x(factor.base)
                and factor.exp not in (sp.Rational(-1, 2),)
            ):
                denominator.append(
                    sp.Pow(factor.base, -factor.exp, evaluate=False) if factor.exp != -1 else factor.base
                )
            else:
                numerator.append(factor)
        tensor = False
        top = []
        for factor in numerator:
            code, _, t = self.operand(factor, MUL)
            top.append(code)
            tensor |= t
        code = " * ".join(top) if top else "1"
        for factor in denominator:
            below, _, t = self.operand(factor, MUL + 1)
            code += f" / {below}"
            tensor |= t
        return sign + code, MUL, tensor

    def power(self, node: sp.Pow) -> tuple[str, int, bool]:
        base, exponent = node.args
        if exponent.is_Number and self.has_x(base):
            value = float(exponent)
            if value == 0.5:
                return f"torch.sqrt({self.emit(base)[0]})", ATOM, True
            if value == -0.5:
                return f"1 / torch.sqrt({self.emit(base)[0]})", MUL, True
            if value == -1.0:
                return f"1 / {self.operand(base, MUL + 1)[0]}", MUL, True
        if self.has_x(base) or self.emit(base)[2]:
            base_code, _, _ = self.operand(base, ATOM)
        else:  # a number or parameter: a tensor, so (-2.0) ** 0.5 is NaN (as numpy), not complex
            base_code = f"x.new_tensor({self.emit(base)[0]})"
        exponent_code, _, _ = self.operand(exponent, UNARY)
        return f"{base_code} ** {exponent_code}", POW, True

    def cases(self, node: custom.Cases) -> tuple[str, int, bool]:
        condition, a, b = node.args
        if not self.has_x(condition):
            (ca, _, ta), (cc, _, _), (cb, _, tb) = (
                self.operand(a, TERNARY + 1), self.operand(condition, TERNARY + 1), self.operand(b, TERNARY)
            )  # fmt: skip
            return f"{ca} if {cc} else {cb}", TERNARY, ta or tb
        code, _, _ = self.emit(condition)
        (ca, _, ta), (cb, _, tb) = self.emit(a), self.emit(b)
        if not (ta or tb):  # two numbers: one as a tensor of x's dtype
            ca = f"x.new_tensor({ca})"
        return f"torch.where({code}, {ca}, {cb})", ATOM, True

    def logic(self, node: sp.Basic) -> tuple[str, int, bool]:
        if self.has_x(node):
            prec = BIT_AND if isinstance(node, sp.And) else BIT_OR
            joiner = " & " if isinstance(node, sp.And) else " | "
            return joiner.join(self.operand(a, prec + 1)[0] for a in node.args), prec, True
        prec = AND if isinstance(node, sp.And) else OR
        joiner = " and " if isinstance(node, sp.And) else " or "
        parts = [self.operand(a, prec + 1) for a in node.args]
        return joiner.join(p[0] for p in parts), prec, any(p[2] for p in parts)


RESERVED_NAMES = (
    frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | frozenset(dir(builtins))
    | {"torch", "np", "math", "json", "F", "x", "f", "ctx", "grad", "formula", "formula_derivative", "Formula"}
    | frozenset(HELPERS)
)


def parameter_names(act: custom.CustomActivation) -> dict[str, str]:
    """Each parameter's identifier in the script: its own name (checked again here), with a trailing _
    when it would shadow a name the script uses (a parameter called torch becomes torch_)."""
    out: dict[str, str] = {}
    for p in act.params:
        if not custom.PARAM_NAME.fullmatch(p.name):
            raise CodegenError(f"parameter name {p.name!r} is not a formula parameter")
        name = p.name
        while name in RESERVED_NAMES or name in out.values():
            name += "_"
        out[p.name] = name
    return out


def _formula_functions(act: custom.CustomActivation, params: Mapping[str, float]) -> tuple[str, list[str]]:
    """(definitions ending with ``f``, the helpers they call) for a parsed formula."""
    names = parameter_names(act)
    symbols = {
        s: names[s.name]
        for s in act.expression.free_symbols | act.derivative_expression.free_symbols
        if s.name in names
    }
    arguments = "".join(f", {names[p.name]}={float(params[p.name])!r}" for p in act.params)
    printer = _Printer(symbols)
    forward = printer.expression(act.expression)
    # torch's autograd of max/min/clip/where is not the app's derivative, and a constant f has none at all
    kinked = any(isinstance(n, EXPLICIT_DERIVATIVE) for n in sp.preorder_traversal(act.expression))
    explicit = kinked or not printer.has_x(act.expression)
    lines = [
        f"def f(x{arguments}):",
        '    """Your formula, written in torch from the app\'s parsed tree (never from its text)."""',
        f"    return {forward}",
    ]
    if not explicit:
        return "\n".join(lines), sorted(printer.helpers)
    derivative = printer.expression(act.derivative_expression)
    lines[0] = f"def formula(x{arguments}):"
    lines += [
        "",
        "",
        f"def formula_derivative(x{arguments}):",
        '    """Its exact derivative, as the app computes it: where() takes the chosen branch\'s, a tie of',
        '    max/min/clip the subgradient nearest 0."""',
        f"    return {derivative}",
        "",
        "",
        "class Formula(torch.autograd.Function):",
        '    """The formula with the app\'s derivative as its backward: autograd of torch.where would multiply',
        '    an overflowing unused branch by 0 (NaN), and torch.maximum / torch.clamp split ties differently."""',
        "",
        "    @staticmethod",
        "    def forward(ctx, x):",
        "        ctx.save_for_backward(x)",
        "        return formula(x)",
        "",
        "    @staticmethod",
        "    def backward(ctx, grad):",
        "        (x,) = ctx.saved_tensors",
        "        return grad * formula_derivative(x)",
        "",
        "",
        "f = Formula.apply",
    ]
    return "\n".join(lines), sorted(printer.helpers)


def _number(value: float) -> str:
    return repr(float(value))


def activation_code(activation: str | Activation, params: Mapping[str, float] | None = None) -> str:
    """The definitions a script needs for ``f`` (callable on a tensor): helpers and ``def f(x)``.

    A registry activation is its torch call; a parsed formula is generated from its tree. Raises
    CodegenError for an activation that is neither (or a tree with a node we cannot write).
    """
    act = registry.get(activation)
    p = act.resolve(params)
    if isinstance(act, custom.CustomActivation):
        definitions, helpers = _formula_functions(act, p)
        code = "\n\n\n".join([*(HELPERS[h] for h in helpers), definitions])
    elif _is_registered(act):
        call = SILU_BETA if act.name == "silu" and p["beta"] != 1.0 else TORCH_CALLS[act.name]
        body = call.format(**{k: _number(v) for k, v in p.items()})
        described = ", ".join(f"{k} = {v:g}" for k, v in p.items())
        torch_name = act.frameworks.get("PyTorch", "")
        note = f"{act.label}{f' ({described})' if described else ''}"
        if torch_name and torch_name != "—":
            note += f", {torch_name}"
        code = f'def f(x):\n    """{_docstring_safe(note)}."""\n    return {body}'
    else:
        raise CodegenError(f"{act.name!r} is neither a registered activation nor a parsed formula")
    check_generated(code, extra_names=_formula_identifiers(act))
    return code


def _formula_identifiers(act: Activation) -> set[str]:
    return set(parameter_names(act).values()) if isinstance(act, custom.CustomActivation) else set()


def _is_registered(act: Activation) -> bool:
    try:
        return registry.get(act.name) is act
    except ValueError:
        return False


def _docstring_safe(text: str) -> str:
    """Our own descriptive text, without anything that could end a docstring."""
    return re.sub(r'["\\]', "'", text)


ALLOWED_NAMES = frozenset(
    """def return class if else and or not True False x f z formula formula_derivative Formula torch F math ctx
    grad staticmethod forward backward save_for_backward saved_tensors apply new_tensor zeros_like as_tensor
    dtype to where exp log log1p expm1 sin cos tan atan tanh sinh cosh asinh sigmoid logaddexp erf abs sign relu
    maximum minimum clamp sqrt square softplus clip min_norm u lo hi p q broadcast_tensors relu6 leaky_relu
    negative_slope prelu rrelu lower upper training elu alpha selu celu gelu approximate silu mish beta threshold
    hardswish hardsigmoid logsigmoid hardtanh min_val max_val softsign tanhshrink softshrink lambd hardshrink pi e
    autograd Function""".split()
)


def check_generated(code: str, extra_names: set[str] = frozenset()) -> None:
    """Refuse generated activation code holding anything but our own vocabulary: every identifier is in
    ALLOWED_NAMES or is a formula parameter's checked name, every string is a docstring we wrote or one
    of STRING_LITERALS. A second line of defence behind the parser's whitelist."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    previous = None
    for token in tokens:
        if token.type == tokenize.NAME and token.string not in ALLOWED_NAMES | extra_names:
            raise CodegenError(f"generated code holds an unexpected name {token.string!r}")
        if token.type == tokenize.STRING:
            docstring = token.string.startswith('"""') and previous in (tokenize.INDENT, tokenize.NEWLINE)
            if not docstring and token.string not in STRING_LITERALS:
                raise CodegenError(f"generated code holds an unexpected string {token.string[:40]!r}")
        if token.type == tokenize.OP and token.string in (";", ":=", "{", "}"):
            raise CodegenError(f"generated code holds an unexpected operator {token.string!r}")
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
