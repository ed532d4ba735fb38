r"""Copy as PyTorch: a network on screen as a short standalone script that prints the app's numbers.

    script = gradient_flow_script("tanh", depth=12, init="xavier_normal")   # simulate's arguments
    script = training_script(TrainConfig(...))                               # a Training Lab run

The script imports only numpy and torch. It draws every random number with numpy exactly as the app
does (the same seeds, streams, order and dtype: :func:`activations.network._rng`, ``init_weight``,
``make_dataset``, ``minibatches``), runs the network in torch with autograd, and its last printed line
is one JSON object: ``{"grad_z_norm": [...], "grad_norm": [...]}`` (layer 1 first, the fields of
``network.Stats``) or ``{"loss": ..., "accuracy": ..., "dead_fraction": [...]}`` (the Training Lab's
last record).

Activations. A registry name becomes its ``torch.nn.functional`` call with its parameters
(:data:`TORCH_CALLS`); a typed formula becomes a small torch function **generated from its parsed
tree** (``CustomActivation.expression``, the SymPy tree :mod:`activations.custom` built from its own
checked syntax tree), never from the text: only whitelisted node types are translated, parameter names
are the checker's (``[a-z][a-z0-9_]*``, renamed when they would shadow a name the script uses), and the
result is checked token by token (:func:`check_generated`) before it is returned.

Kinks. Autograd of the generated forward must give the app's f′. It does for PyTorch's own functions
and for formulas built from smooth functions, abs, sign and relu (torch takes relu′(0) = |x|′(0) = 0,
as the app). It does not for ``maximum``/``minimum`` (torch splits a tie ½/½, the app takes the
subgradient nearest 0), ``clip`` (torch passes 1 at the bounds, the app 0) and ``where`` (torch's
autograd multiplies the unused branch's gradient by 0, which is NaN when that branch overflows); such
formulas become a ``torch.autograd.Function`` whose backward is the app's own derivative, generated
from ``CustomActivation.derivative_expression`` the same way.
"""

from __future__ import annotations

import builtins
import io
import keyword
import math
import re
import textwrap
import tokenize
from collections.abc import Mapping

import numpy as np
import sympy as sp

from . import custom, datasets, registry
from .init import INITS, he_gain_squared
from .registry import Activation

FRAMEWORKS = ("pytorch",)
ARCHITECTURES = ("plain", "residual", "layernorm", "batchnorm")
NORM_EPS = 1e-5
EVAL_CHUNK = 256  # the Training Lab evaluates the full set this many examples at a time (BatchNorm sees it)

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


def _parameter_names(act: custom.CustomActivation) -> dict[str, str]:
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
    names = _parameter_names(act)
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
    return set(_parameter_names(act).values()) if isinstance(act, custom.CustomActivation) else set()


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


# --- the script around it ------------------------------------------------------------------------------


def _init_code(init: str, gain2: float, sigma_w: float | None) -> str:
    """``init_weight(rng, fan_in, fan_out)`` drawing exactly as activations.init.init_weight (float64)."""
    shape = "(fan_out, fan_in)"
    variance = {
        "xavier_normal": "2.0 / (fan_in + fan_out)",
        "xavier_uniform": "2.0 / (fan_in + fan_out)",
        "he_normal": f"{gain2!r} / fan_in",
        "he_uniform": f"{gain2!r} / fan_in",
        "lecun_normal": "1.0 / fan_in",
        "scaled_normal": f"{float(sigma_w or 0.0)!r} ** 2 / fan_in",
    }
    doc = {
        "xavier_normal": "Xavier normal (Glorot & Bengio 2010): N(0, 2 / (fan_in + fan_out))",
        "xavier_uniform": "Xavier uniform (Glorot & Bengio 2010): U(±√(3·Var)), Var = 2 / (fan_in + fan_out)",
        "he_normal": f"He normal (He et al. 2015): N(0, gain² / fan_in), gain² = 2 / (1 + α²) = {gain2:g}",
        "he_uniform": f"He uniform (He et al. 2015): U(±√(3·Var)), Var = gain² / fan_in, gain² = {gain2:g}",
        "lecun_normal": "LeCun normal: N(0, 1 / fan_in)",
        "scaled_normal": f"N(0, σ_w² / fan_in) with σ_w = {float(sigma_w or 0.0):g}",
        "orthogonal": "Random orthogonal (Saxe et al. 2014): QR of a Gaussian, signs fixed (Mezzadri 2007)",
    }[init]
    head = f'def init_weight(rng, fan_in, fan_out):\n    """{doc}; shape {shape}."""\n'
    if init == "orthogonal":
        return head + (
            "    a = rng.standard_normal((max(fan_out, fan_in), min(fan_out, fan_in)))\n"
            "    q, r = np.linalg.qr(a)\n"
            "    q *= np.sign(np.diag(r))\n"
            "    w = q if fan_out >= fan_in else q.T\n"
            "    return w[:fan_out, :fan_in] * math.sqrt(max(1.0, fan_out / fan_in))"
        )
    if init.endswith("_uniform"):
        return head + (
            f"    bound = math.sqrt(3.0 * ({variance[init]}))\n    return rng.uniform(-bound, bound, size={shape})"
        )
    return head + f"    return rng.standard_normal({shape}) * math.sqrt({variance[init]})"


def _check_choice(name: str, value: str, choices) -> None:
    if value not in choices:
        raise CodegenError(f"unknown {name} {value!r}; valid: {', '.join(choices)}")


HEADER_IMPORTS = "import json\nimport math\n\nimport numpy as np\nimport torch\nimport torch.nn.functional as F"


def gradient_flow_script(
    activation: str | Activation = "relu",
    depth: int = 50,
    width: int = 256,
    batch: int = 256,
    init: str = "he_normal",
    bias: float = 0.0,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
    sigma_w: float | None = None,
    dtype=np.float32,
    architecture: str = "plain",
    sigma_b: float = 0.0,
    framework: str = "pytorch",
) -> str:
    """A standalone script for ``network.simulate`` with these arguments (same names and defaults): it
    builds the same network from the same draws, runs it forward and backward in torch and prints
    ``{"grad_z_norm": [...], "grad_norm": [...]}``. Invalid arguments raise ValueError."""
    from . import network

    _check_choice("framework", framework, FRAMEWORKS)
    _check_choice("architecture", architecture, ARCHITECTURES)
    act = registry.get(activation)
    p = act.resolve(params)
    depth = network._positive_int(depth, "depth", network.MAX_DEPTH)
    width = network._positive_int(width, "width", network.MAX_WIDTH)
    batch = network._positive_int(batch, "batch", network.MAX_BATCH)
    _check_choice("init", init, INITS)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise CodegenError(f"seed must be a non-negative integer, got {seed!r}")
    bias, sigma_b = _finite("bias", bias), _finite("sigma_b", sigma_b)
    if sigma_b < 0:
        raise CodegenError(f"sigma_b must be 0 or more, got {sigma_b!r}")
    if init == "scaled_normal":
        if sigma_w is None or not math.isfinite(float(sigma_w)) or sigma_w <= 0:
            raise CodegenError(f"scaled_normal needs a positive finite sigma_w, got {sigma_w!r}")
    network._check_size(depth, width, batch, init)
    dtype_name = np.dtype(dtype).name
    _check_choice("dtype", dtype_name, ("float32", "float64"))
    init_name = act.name if _is_registered(act) else "custom"
    gain2 = he_gain_squared(init_name, p if _is_registered(act) else None)

    what = _describe(act, p)
    norm = {"layernorm": ", LayerNorm before f", "batchnorm": ", BatchNorm before f", "residual": ", residual"}
    title = textwrap.fill(
        f"{what}: {depth} layers of {width} units{norm.get(architecture, '')}, {init} init, batch {batch}, "
        f"{dtype_name}, seed {seed}.",
        104,
    )
    bias_lines = f"BIAS = {bias!r}"
    biases = "biases = [BIAS] * DEPTH"
    if sigma_b:
        bias_lines += f"\nSIGMA_B = {sigma_b!r}  # biases b_l = BIAS + SIGMA_B·ξ_l, ξ_l ~ N(0, I) from stream (3, l)"
        biases = (
            "biases = [torch.from_numpy(BIAS + SIGMA_B * stream(3, l).standard_normal(WIDTH).astype(DTYPE))"
            " for l in range(DEPTH)]"
        )
    residual = architecture == "residual"
    z_line = {
        "plain": "    z = F.linear(h, w) + b  # z_l = h_{l-1} W_lᵀ + b_l",
        "residual": "    z = F.linear(h, w) + b  # z_l = h_{l-1} W_lᵀ + b_l",
        "layernorm": f"    z = F.layer_norm(F.linear(h, w) + b, (WIDTH,), eps={NORM_EPS!r})  # each sample's units",
        "batchnorm": (
            f"    z = F.batch_norm(F.linear(h, w) + b, None, None, training=True, eps={NORM_EPS!r})"
            "  # normalised over the batch"
        ),
    }[architecture]
    h_line = (
        "    h = h + f(z)  # the skip connection: h_l = h_{l-1} + f(z_l)"
        if residual
        else "    h = f(z)  # h_l = f(z_l)"
    )
    underflow = (
        "\n\nfloat32 gradients below ~1e-38 underflow to 0 here (the app rescales its backward pass every layer);\n"
        "set DTYPE = np.float64 for the app's float64 numbers."
        if dtype_name == "float32"
        else ""
    )
    script = f'''"""Activation Lab, Gradient Flow: a deep network at initialisation, as a standalone PyTorch script.

{title}
The last line printed is {{"grad_z_norm": [...], "grad_norm": [...]}}: the norms of ∂L/∂z_l and ∂L/∂W_l for
layers l = 1..{depth} (layer 1 first), the numbers the page plots. Every random number is drawn with numpy
exactly as the app draws it, so they are the app's numbers.{underflow}
"""

{HEADER_IMPORTS}

SEED = {seed}
DEPTH, WIDTH, BATCH = {depth}, {width}, {batch}
{bias_lines}
DTYPE = np.{dtype_name}


def stream(*key):
    """numpy's generator for one stream of SEED: the input (0), the top error (1), layer l's weights (2, l)."""
    return np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=key))


{_init_code(init, gain2, sigma_w)}


{activation_code(act, p)}


x = torch.from_numpy(stream(0).standard_normal((BATCH, WIDTH)).astype(DTYPE))
top_error = torch.from_numpy(stream(1).standard_normal((BATCH, WIDTH)).astype(DTYPE))
weights = [torch.from_numpy(init_weight(stream(2, l), WIDTH, WIDTH).astype(DTYPE)) for l in range(DEPTH)]
for w in weights:
    w.requires_grad_()
{biases}

h, zs = x, []
for w, b in zip(weights, biases, strict=True):
{z_line}
    z.retain_grad()
    zs.append(z)
{h_line}

# The gradient entering the top is a fixed random error: ∂L/∂h_L = ε / BATCH (the gradient of the
# read-out Σ_b ε_b·h_b / BATCH). It does not depend on the weights, as mean-field theory assumes.
((h * top_error).sum() / BATCH).backward()


def norm(t):
    return torch.linalg.vector_norm(t.double()).item()


print(json.dumps({{"grad_z_norm": [norm(z.grad) for z in zs], "grad_norm": [norm(w.grad) for w in weights]}}))
'''
    return script


def _finite(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise CodegenError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(value):
        raise CodegenError(f"{name} must be finite, got {value!r}")
    return value


def _describe(act: Activation, params: Mapping[str, float]) -> str:
    """'Leaky ReLU (alpha = 0.2)' for a registry activation, 'your formula (beta = 1.5)' for a formula."""
    described = ", ".join(f"{k} = {v:g}" for k, v in params.items())
    label = "your formula" if isinstance(act, custom.CustomActivation) else act.label
    return _docstring_safe(label + (f" ({described})" if described else ""))


# --- the Training Lab ------------------------------------------------------------------------------------

DATASET_CODE = {
    "moons": '''def shape(y, rng):
    """Upper moon (cos t, sin t), lower moon (1 − cos t, ½ − sin t), t ~ U[0, π]; shifted by (−½, −¼)."""
    t = rng.uniform(0.0, math.pi, size=y.shape)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    return np.where((y == 0)[:, None], upper, lower) - np.array([0.5, 0.25])''',
    "circles": '''def shape(y, rng):
    """Class 0 on the unit circle, class 1 on the circle of radius ½, angles uniform."""
    t = rng.uniform(0.0, 2 * math.pi, size=y.shape)
    radius = np.where(y == 0, 1.0, 0.5)
    return radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)''',
    "spiral": '''def shape(y, rng):
    """Arm c: r = t, θ = 3.5πt + cπ, t ~ U[0.1, 1]."""
    t = rng.uniform(0.1, 1.0, size=y.shape)
    theta = 3.5 * math.pi * t + math.pi * y
    return t[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)''',
    "xor": '''def shape(y, rng):
    """Uniform in the quadrants where x₁x₂ > 0 (class 1) or x₁x₂ < 0 (class 0)."""
    magnitude = rng.uniform(0.05, 1.0, size=(y.size, 2))
    first_sign = rng.choice([-1.0, 1.0], size=y.shape)
    second_sign = np.where(y == 1, first_sign, -first_sign)
    return magnitude * np.stack([first_sign, second_sign], axis=1)''',
    "blobs": '''def shape(y, rng):
    """Class c ~ N(centre_c, 0.3²I), centres at angles 90° + 120°·c on the unit circle."""
    angle = math.pi / 2 + 2 * math.pi / 3 * y
    centres = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + rng.normal(0.0, 0.3, size=centres.shape)''',
}
OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD(parameters, lr=LR)",
    "momentum": "torch.optim.SGD(parameters, lr=LR, momentum=MOMENTUM)",
    "adam": "torch.optim.Adam(parameters, lr=LR)  # betas (0.9, 0.999), eps 1e-8, as the app",
}


def training_script(cfg, framework: str = "pytorch") -> str:
    """A standalone script for the Training Lab run ``cfg`` (a ``training.TrainConfig``): the same data,
    initial weights, minibatches and optimiser, trained in torch; it prints loss, accuracy and dead units
    on the full training set at every record and ends with ``{"loss": ..., "accuracy": ...,
    "dead_fraction": [...]}`` at the last step."""
    from .training import TrainConfig

    _check_choice("framework", framework, FRAMEWORKS)
    if not isinstance(cfg, TrainConfig):
        raise CodegenError(f"training_script takes a TrainConfig, got {type(cfg).__name__}")
    architecture = getattr(cfg, "architecture", "plain")
    _check_choice("architecture", architecture, ARCHITECTURES)
    if cfg.dataset not in DATASET_CODE:
        raise CodegenError(f"the {cfg.dataset!r} data set cannot be written as a numpy-only script yet")
    act, p = cfg.act, dict(cfg.params)
    classes = datasets.n_classes(cfg.dataset)
    gain2 = he_gain_squared(cfg.activation_name, p)
    learns_alpha = cfg.learns_alpha
    if learns_alpha:
        f_code = (
            'def f(x, alpha):\n    """PReLU with a trained slope α, one per layer (torch.nn.PReLU())."""\n'
            "    return F.prelu(x, alpha)"
        )
        call, alpha_lines = (
            "f(z, alphas[layer])",
            (
                f"alphas = [torch.tensor([{p['alpha']!r}], requires_grad=True) for _ in range(DEPTH)]  # α per layer\n"
                "parameters += alphas\n"
            ),
        )
    else:
        f_code, call, alpha_lines = activation_code(act, p), "f(z)", ""
    if architecture == "layernorm":
        z_line = f"        z = F.layer_norm(F.linear(h, w, b), (WIDTH,), eps={NORM_EPS!r})  # over each example's units"
    elif architecture == "batchnorm":
        z_line = (
            f"        z = F.batch_norm(F.linear(h, w, b), None, None, training=True, eps={NORM_EPS!r})"
            "  # batch statistics"
        )
    else:
        z_line = "        z = F.linear(h, w, b)  # z_l = h_{l-1} W_lᵀ + b_l"
    if architecture == "residual":
        h_line = f"        h = h + {call} if h.shape[1] == z.shape[1] else {call}  # skip where the widths match"
    else:
        h_line = f"        h = {call}  # h_l = f(z_l)"
    sigma = f", σ_w = {cfg.sigma_w:g}" if cfg.init == "scaled_normal" else ""
    arch = "" if architecture == "plain" else f", {architecture}"
    title = textwrap.fill(
        f"{_describe(act, p)}: {cfg.depth} hidden layers of {cfg.width} units ({cfg.init} init{sigma}{arch}), "
        f"a linear read-out, softmax cross-entropy; {cfg.dataset} ({cfg.n_samples} points, noise {cfg.noise:g}); "
        f"{cfg.optimizer} at lr {cfg.lr:g}, batch {cfg.batch_size}, {cfg.steps} steps; seed {cfg.seed}; float64.",
        104,
    )
    loop = (
        "layer, (w, b) in enumerate(zip(weights, biases, strict=True))"
        if learns_alpha
        else ("w, b in zip(weights, biases, strict=True)")
    )
    if architecture == "batchnorm":
        evaluate = f'''def evaluate():
    """Loss, accuracy and the share of dead units per layer (f′(z) = 0 for every example) on the full
    training set, {EVAL_CHUNK} examples at a time as the app (each chunk's own batch statistics)."""
    loss, correct, alive = 0.0, 0, [torch.zeros(WIDTH, dtype=torch.bool) for _ in range(DEPTH)]
    for idx in torch.arange(N_SAMPLES).split({EVAL_CHUNK}):
        logits, zs = forward(X[idx])
        loss += F.cross_entropy(logits, Y[idx]).item() * len(idx) / N_SAMPLES
        correct += (logits.argmax(dim=1) == Y[idx]).sum().item()
        for layer, z in enumerate(zs):
            alive[layer] |= (derivative(z, layer) != 0).any(dim=0)
    return loss, correct / N_SAMPLES, [1.0 - a.double().mean().item() for a in alive]'''
    else:
        evaluate = '''def evaluate():
    """Loss, accuracy and the share of dead units per layer (f′(z) = 0 for every example) on the full
    training set, as the app records them."""
    logits, zs = forward(X)
    loss = F.cross_entropy(logits, Y).item()
    accuracy = (logits.argmax(dim=1) == Y).double().mean().item()
    dead = [1.0 - (derivative(z, layer) != 0).any(dim=0).double().mean().item() for layer, z in enumerate(zs)]
    return loss, accuracy, dead'''
    momentum = f"\nMOMENTUM = {cfg.momentum!r}" if cfg.optimizer == "momentum" else ""
    script = f'''"""Activation Lab, Training Lab: a small network trained on toy data, as a standalone PyTorch script.

{title}
Every {cfg.record_every} steps it prints loss, accuracy and the share of dead units per layer on the full
training set; the last line is {{"loss": ..., "accuracy": ..., "dead_fraction": [...]}} at step {cfg.steps}.
The data, the initial weights and the minibatches are drawn with numpy exactly as the app draws them, so
these are the app's numbers.
"""

{HEADER_IMPORTS}

torch.set_default_dtype(torch.float64)  # the app trains in float64

SEED = {cfg.seed}
N_SAMPLES, NOISE, CLASSES = {cfg.n_samples}, {float(cfg.noise)!r}, {classes}
DEPTH, WIDTH = {cfg.depth}, {cfg.width}
LR, BATCH_SIZE, STEPS, RECORD_EVERY = {float(cfg.lr)!r}, {cfg.batch_size}, {cfg.steps}, {cfg.record_every}{momentum}


{DATASET_CODE[cfg.dataset]}


def make_dataset(n_samples, noise, seed):
    """The app's {cfg.dataset}: CLASSES classes of n_samples // CLASSES points (the first n_samples % CLASSES one
    more), Gaussian noise on each coordinate, shuffled."""
    rng = np.random.default_rng(seed)
    counts = [n_samples // CLASSES + (1 if c < n_samples % CLASSES else 0) for c in range(CLASSES)]
    y = np.repeat(np.arange(CLASSES, dtype=np.int64), counts)
    points = shape(y, rng)
    points = points + noise * rng.standard_normal(points.shape)
    order = rng.permutation(n_samples)
    return points[order], y[order]


{_init_code(cfg.init, gain2, cfg.sigma_w)}


{f_code}


def minibatches(n_samples, batch_size, rng):
    """Without replacement within an epoch, reshuffled every epoch, an incomplete last batch dropped."""
    while True:
        order = rng.permutation(n_samples)
        for i in range(n_samples // batch_size):
            yield torch.from_numpy(order[i * batch_size : (i + 1) * batch_size])


points, labels = make_dataset(N_SAMPLES, NOISE, SEED)
X, Y = torch.from_numpy(points), torch.from_numpy(labels)

rng = np.random.default_rng((SEED, 1))  # hidden layers in order, then the read-out (LeCun normal)
fan_ins = [2] + [WIDTH] * (DEPTH - 1)
weights = [torch.tensor(init_weight(rng, fan_in, WIDTH), requires_grad=True) for fan_in in fan_ins]
readout_weight = torch.tensor(rng.standard_normal((CLASSES, WIDTH)) * math.sqrt(1.0 / WIDTH), requires_grad=True)
biases = [torch.zeros(WIDTH, requires_grad=True) for _ in range(DEPTH)]
readout_bias = torch.zeros(CLASSES, requires_grad=True)
parameters = [*weights, *biases, readout_weight, readout_bias]
{alpha_lines}

def forward(x):
    """The logits and each hidden layer's z (f's input)."""
    h, zs = x, []
    for {loop}:
{z_line}
        zs.append(z)
{h_line}
    return F.linear(h, readout_weight, readout_bias), zs


def derivative(z, layer):
    """f′(z), elementwise, by autograd."""
    z = z.detach().requires_grad_()
    (d,) = torch.autograd.grad({call}.sum(), z)
    return d


{evaluate}


def report(step):
    loss, accuracy, dead = evaluate()
    dead_units = [round(d, 3) for d in dead]
    print(f"step {{step}}: loss {{loss:.4f}}, accuracy {{accuracy:.3f}}, dead units per layer {{dead_units}}")
    return loss, accuracy, dead


optimizer = {OPTIMIZER_CODE[cfg.optimizer]}
batches = minibatches(N_SAMPLES, BATCH_SIZE, np.random.default_rng((SEED, 2)))
report(0)
for step in range(1, STEPS + 1):
    idx = next(batches)
    logits, _ = forward(X[idx])
    batch_loss = F.cross_entropy(logits, Y[idx])
    if not math.isfinite(batch_loss.item()):
        raise SystemExit(f"training diverged at step {{step}} (the loss is not finite); try a smaller learning rate")
    optimizer.zero_grad()
    batch_loss.backward()
    optimizer.step()
    if step % RECORD_EVERY == 0 or step == STEPS:
        loss, accuracy, dead = report(step)

print(json.dumps({{"loss": loss, "accuracy": accuracy, "dead_fraction": dead}}))
'''
    return script


# --- the command line (python -m activations.export ... --as-code pytorch) --------------------------------

_TRAIN_INTS = ("n_samples", "depth", "width", "batch_size", "steps", "record_every", "seed")
_TRAIN_FLOATS = ("noise", "lr", "momentum", "sigma_w")
_TRAIN_CHOICES = ("dataset", "init", "optimizer", "architecture")
_GF_EXTRAS = ("architecture", "sigma_b", "dtype")  # simulate's arguments parse_gradient_flow does not know


def parse_training(spec: str, formula=None):
    """'preset=dying_relu,lr=0.5,steps=100' -> a TrainConfig: a preset (default: TrainConfig's defaults),
    then TrainConfig fields and the activation's parameters; ``formula`` = (activation, params) from
    ``--formula`` replaces the activation. Problems raise ValueError (one line, naming the setting)."""
    import dataclasses

    from .export import parse_key_values
    from .training import PRESETS, TrainConfig

    where = f"--training {spec!r}"
    values = parse_key_values(spec, "--training")
    preset = values.pop("preset", "custom")
    if preset != "custom" and preset not in PRESETS:
        raise CodegenError(f"{where}: unknown preset {preset!r}; valid: custom, {', '.join(PRESETS)}")
    base = PRESETS.get(preset, TrainConfig())
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    changes: dict = {}
    for key in [k for k in values if k in fields]:
        raw = values.pop(key)
        if key in _TRAIN_INTS or key in _TRAIN_FLOATS:
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise CodegenError(f"{where}: {key} must be a finite number, got {raw!r}")
            if key in _TRAIN_INTS and not number.is_integer():
                raise CodegenError(f"{where}: {key} must be a whole number, got {raw!r}")
            changes[key] = int(number) if key in _TRAIN_INTS else number
        elif key in _TRAIN_CHOICES or key == "activation":
            changes[key] = raw
        else:
            raise CodegenError(f"{where}: {key} cannot be set here")
    act = registry.get(base.activation)
    if formula is not None:
        changes["activation"], given = formula
    elif "activation" in changes:
        try:
            changes["activation"] = registry.get(changes["activation"].lower())
        except ValueError as err:
            raise CodegenError(f"{where}: {err}") from None
    if "activation" in changes and changes["activation"] is not act:
        act, params = changes["activation"], dict(given) if formula is not None else {}
    else:
        params = dict(base.params)
    known = {p.name for p in act.params}
    unknown = sorted(set(values) - known)
    if unknown:
        allowed = ["preset", *sorted(fields - {"params"}), *sorted(known)]
        raise CodegenError(f"{where}: unknown setting {', '.join(unknown)} (settings: {', '.join(allowed)})")
    for key, raw in values.items():
        try:
            params[key] = float(raw)
        except ValueError:
            raise CodegenError(f"{where}: {key!r} must be a number, got {raw!r}") from None
    try:
        return dataclasses.replace(base, **changes, params=params)
    except ValueError as err:
        raise CodegenError(f"{where}: {err}") from None


def script_for_cli(args) -> tuple[str, str]:
    """(script, file-name stem) for ``--as-code``: one --gradient-flow or --training, optionally one
    --formula as its activation. Bad combinations and values raise ValueError."""
    from .export import activation_stem, gradient_flow_stem, parse_formula, parse_gradient_flow, parse_key_values

    if not args.as_code:
        raise CodegenError("--training describes a script: add --as-code pytorch")
    if len(args.gradient_flow) + len(args.training) != 1:
        raise CodegenError("--as-code writes one script: give one --gradient-flow or one --training")
    if args.fn:
        raise CodegenError("with --as-code, set the activation in the settings (activation=elu) or with --formula")
    if len(args.formula) > 1:
        raise CodegenError("--as-code takes at most one --formula")
    formula = parse_formula(args.formula[0]) if args.formula else None
    if args.training:
        cfg = parse_training(args.training[0], formula)
        stem = "_".join(
            [f"training_{activation_stem(cfg.act, cfg.params)}", cfg.dataset, cfg.optimizer, f"lr-{cfg.lr:g}"]
        )
        return training_script(cfg, args.as_code), stem
    spec = args.gradient_flow[0]
    values = parse_key_values(spec, "--gradient-flow")
    extras = {key: values.pop(key) for key in _GF_EXTRAS if key in values}
    kwargs, _figure = parse_gradient_flow(",".join(f"{k}={v}" for k, v in values.items()))
    if formula is not None:
        kwargs["activation"], kwargs["params"] = formula
    if "sigma_b" in extras:
        kwargs["sigma_b"] = _finite("sigma_b", extras["sigma_b"])
    if "dtype" in extras:
        if extras["dtype"] not in ("float32", "float64"):
            raise CodegenError(f"--gradient-flow {spec!r}: dtype must be float32 or float64, got {extras['dtype']!r}")
        kwargs["dtype"] = np.dtype(extras["dtype"])
    architecture = extras.get("architecture", "plain")
    try:
        script = gradient_flow_script(**kwargs, architecture=architecture, framework=args.as_code)
    except ValueError as err:
        raise CodegenError(f"--gradient-flow {spec!r}: {err}") from None
    stem = gradient_flow_stem(kwargs) + ("" if architecture == "plain" else f"_{architecture}")
    return script, stem


def write_script(script: str, stem: str, out: str | None, prog: str) -> int:
    """Print ``script`` (``out`` None), or write it to ``out`` (a .py file) or ``out``/stem.py; the exit
    status (1 when the file cannot be written)."""
    import sys
    from pathlib import Path

    if out is None:
        sys.stdout.write(script)
        return 0
    path = Path(out)
    if path.suffix != ".py":
        path = path / f"{stem}.py"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script, encoding="utf-8")
    except OSError as err:
        print(f"{prog}: error: cannot write {str(path)!r}: {err.strerror}", file=sys.stderr)
        return 1
    print(path)
    return 0
