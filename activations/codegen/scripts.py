"""The standalone scripts: ``gradient_flow_script(**simulate_kwargs)`` and ``training_script(cfg)``.

Each draws its random numbers with numpy exactly as the app does and runs the network in torch; the
last printed line is one JSON object with the app's numbers (see the package docstring).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import numpy as np

from .. import custom, datasets, registry
from ..init import INITS, he_gain_squared
from ..registry import Activation
from .torch_activation import CodegenError, _docstring_safe, _is_registered, activation_code

FRAMEWORKS = ("pytorch",)
ARCHITECTURES = ("plain", "residual", "layernorm", "batchnorm")
NORM_EPS = 1e-5
EVAL_CHUNK = 256  # the Training Lab evaluates the full set this many examples at a time (BatchNorm sees it)


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
    from .. import network

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
    from ..training import TrainConfig

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
