r"""Train a small multilayer perceptron on 2-D toy data and record how its units live and die.

The network: ``depth`` hidden layers of ``width`` units with the activation f, a linear read-out and
softmax cross-entropy,

.. math::
   z_l = h_{l-1} W_l^\top + b_l,\quad h_l = f(z_l),\quad h_0 = x,\qquad
   s = h_L W_o^\top + b_o,\qquad
   \mathcal{L} = -\frac{1}{B}\sum_{i} \log \mathrm{softmax}(s_i)_{y_i}.

Backward, the chain rule written out: :math:`\partial\mathcal{L}/\partial s = (p - \mathrm{onehot}(y))/B`,
:math:`\delta_l = \partial\mathcal{L}/\partial z_l = (\partial\mathcal{L}/\partial h_l) \odot f'(z_l)`,
:math:`\partial\mathcal{L}/\partial W_l = \delta_l^\top h_{l-1}`,
:math:`\partial\mathcal{L}/\partial h_{l-1} = \delta_l W_l`.

PReLU's negative slope is a trained parameter, **one α per hidden layer** (shared by its units, like
``torch.nn.PReLU()`` and He et al.'s "channel-shared" variant), initialised from ``params["alpha"]``:
:math:`\partial\mathcal{L}/\partial\alpha_l = \sum_{i,j:\,z_{ij}\le 0} z_{ij}\,
\partial\mathcal{L}/\partial h_{ij}`.

Hidden weights come from :func:`activations.init.init_weight` with the chosen scheme; the read-out is
LeCun-normal (variance 1/fan_in); biases start at 0. Optimisers follow ``torch.optim`` exactly:
SGD, SGD with momentum (:math:`v \leftarrow \mu v + g,\ \theta \leftarrow \theta - \eta v`) and Adam
(β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸, bias-corrected). Minibatches are drawn without replacement, a new
shuffle every epoch.

Every ``record_every`` steps (and at step 0 and the last step) the network is evaluated on the **full
training set**: loss, accuracy, the fraction of dead units per layer (a unit is dead when f′(z) is
exactly 0 for every example) and the Frobenius norm of each hidden layer's weight gradient.

A run whose loss or parameters stop being finite ends cleanly with ``diverged=True`` and a message;
the parameters are those of the last finite step.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from . import datasets, registry
from .engine import check_architecture, layer_backward, layer_forward
from .i18n import N_
from .init import INITS, init_weight
from .registry import Activation
from .softmax import log_softmax

OPTIMIZERS = ("sgd", "momentum", "adam")
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
LIMITS = {
    "n_samples": (8, 100_000),
    "depth": (1, 100),
    "width": (1, 1024),
    "batch_size": (1, 100_000),
    "steps": (1, 1_000_000),
    "record_every": (1, 1_000_000),
}
TRAINED_ALPHA = "prelu"  # the activation whose α is a trained parameter


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run; the same config always gives the same result.

    ``activation`` is a registry key or an :class:`~activations.registry.Activation` (e.g. a custom
    formula). ``params`` are the activation's parameters; they are validated and completed with the
    defaults, so ``params`` is always a full dict. Invalid values raise ValueError on construction.
    """

    dataset: str = "moons"
    n_samples: int = 1000
    noise: float = 0.1
    activation: str | Activation = "relu"
    params: Mapping[str, float] | None = None
    depth: int = 3
    width: int = 32
    init: str = "he_normal"
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 64
    steps: int = 600
    seed: int = 0
    momentum: float = 0.9
    record_every: int = 10
    sigma_w: float | None = None
    architecture: str = "plain"
    test_size: int = 0
    points: datasets.Points | None = None

    def __post_init__(self) -> None:
        check_architecture(self.architecture)
        if self.dataset == datasets.CSV:
            if not isinstance(self.points, datasets.Points):
                raise ValueError("dataset 'csv' needs the uploaded points (datasets.parse_points_csv)")
        elif self.points is not None:
            raise ValueError(f"points are for dataset 'csv', not {self.dataset!r}")
        elif self.dataset not in datasets.ALL_DATASETS:
            valid = ", ".join((*datasets.ALL_DATASETS, datasets.CSV))
            raise ValueError(f"unknown dataset {self.dataset!r}; valid: {valid}")
        if isinstance(self.test_size, bool) or not isinstance(self.test_size, numbers.Integral) or self.test_size < 0:
            raise ValueError(f"test_size must be a non-negative integer, got {self.test_size!r}")
        available = len(self.points) if self.points is not None else datasets.max_samples(self.dataset)
        if self.dataset in (datasets.CSV, "digits") and self.n_samples + self.test_size > available:
            raise ValueError(
                f"{self.dataset!r} has {available} examples: n_samples + test_size must not exceed it, "
                f"got {self.n_samples} + {self.test_size}"
            )
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{name} must be an integer, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo} and {hi}, got {value}")
        if self.batch_size > self.n_samples:
            raise ValueError(f"batch_size ({self.batch_size}) cannot exceed n_samples ({self.n_samples})")
        if self.n_samples < self.n_classes:
            raise ValueError(f"n_samples must be at least the number of classes of {self.dataset!r}")
        _check_real("noise", self.noise, 0.0, datasets.MAX_NOISE)
        _check_real("lr", self.lr, 0.0, 1e3, open_low=True)
        _check_real("momentum", self.momentum, 0.0, 1.0, open_high=True)
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2³²), got {self.seed!r}")
        if self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r}; valid: {', '.join(INITS)}")
        if self.init == "scaled_normal":
            if self.sigma_w is None:
                raise ValueError("init 'scaled_normal' needs sigma_w")
            _check_real("sigma_w", self.sigma_w, 0.0, 100.0, open_low=True)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        act = registry.get(self.activation)  # raises ValueError listing the valid names
        if self.params is not None and not isinstance(self.params, Mapping):
            raise ValueError(f"params must be a mapping of parameter name to value, got {self.params!r}")
        object.__setattr__(self, "params", act.resolve(self.params))

    def __hash__(self) -> int:
        values = [getattr(self, f.name) for f in dataclasses.fields(self)]
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in values))

    @property
    def act(self) -> Activation:
        return registry.get(self.activation)

    @property
    def activation_name(self) -> str:
        return self.act.name

    @property
    def learns_alpha(self) -> bool:
        """Whether the activation's negative slope α is trained (PReLU)."""
        return self.act.name == TRAINED_ALPHA and "alpha" in self.params

    @property
    def layer_sizes(self) -> list[int]:
        """[input, hidden × depth, classes]."""
        return [self.n_features, *([self.width] * self.depth), self.n_classes]

    @property
    def n_classes(self) -> int:
        return self.points.n_classes if self.points is not None else datasets.n_classes(self.dataset)

    @property
    def n_features(self) -> int:
        return 2 if self.points is not None else datasets.n_features(self.dataset)

    @property
    def n_records(self) -> int:
        """How many times the history is recorded: step 0, every ``record_every`` steps, the last step."""
        return self.steps // self.record_every + 1 + (self.steps % self.record_every != 0)

    def key(self) -> tuple:
        """The config as a tuple of plain values (a custom activation by its name and formula), for caches
        and for telling runs apart."""
        act = self.act
        values = [getattr(self, f.name) for f in dataclasses.fields(self)]
        names = [f.name for f in dataclasses.fields(self)]
        values[names.index("activation")] = (act.name, act.formula)
        values[names.index("points")] = None if self.points is None else self.points.digest
        return tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in values)

    def cost(self) -> float:
        """Multiply-adds the run needs, roughly: 3 matrix products per layer per example for each training
        step (forward, ∂W, ∂h), and the same over the full set at each record."""
        return self._per_example_cost() * (self.steps * self.batch_size + self.n_records * self.n_samples)

    def record_cost(self) -> float:
        """Multiply-adds of one record (a forward and backward pass over the full training set)."""
        return self._per_example_cost() * self.n_samples

    def _per_example_cost(self) -> float:
        return 3.0 * sum(a * b for a, b in itertools.pairwise(self.layer_sizes))


def _check_real(name, value, lo, hi, *, open_low=False, open_high=False) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    low_ok = value > lo if open_low else value >= lo
    high_ok = value < hi if open_high else value <= hi
    if not (low_ok and high_ok):
        left, right = "(" if open_low else "[", ")" if open_high else "]"
        raise ValueError(f"{name} must be in {left}{lo:g}, {hi:g}{right}, got {value!r}")


# --- the network ------------------------------------------------------------------------------------


@dataclass
class Network:
    """Parameters in torch.nn.Linear's layout: weights[l] is (fan_out, fan_in); alpha is (depth,) or None."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    readout_weight: np.ndarray
    readout_bias: np.ndarray
    alpha: np.ndarray | None = None
    architecture: str = "plain"
    norm_statistics: list[tuple[np.ndarray, np.ndarray]] | None = None  # BatchNorm's (μ, σ²) per layer, inference

    def arrays(self) -> list[np.ndarray]:
        """All trainable arrays in a fixed order: W₁, b₁, …, W_L, b_L, W_o, b_o[, α]."""
        out = [a for wb in zip(self.weights, self.biases, strict=True) for a in wb]
        out += [self.readout_weight, self.readout_bias]
        if self.alpha is not None:
            out.append(self.alpha)
        return out

    @classmethod
    def from_arrays(cls, arrays: list[np.ndarray], depth: int, learns_alpha: bool, architecture="plain") -> Network:
        return cls(
            weights=list(arrays[0 : 2 * depth : 2]),
            biases=list(arrays[1 : 2 * depth : 2]),
            readout_weight=arrays[2 * depth],
            readout_bias=arrays[2 * depth + 1],
            alpha=arrays[2 * depth + 2] if learns_alpha else None,
            architecture=architecture,
        )

    def copy(self) -> Network:
        arrays = [a.copy() for a in self.arrays()]
        return Network.from_arrays(arrays, len(self.weights), self.alpha is not None, self.architecture)


def init_network(cfg: TrainConfig, rng: np.random.Generator) -> Network:
    """Hidden weights from ``cfg.init`` (He gain from the activation's slope), LeCun-normal read-out,
    zero biases, α = params["alpha"] for PReLU."""
    sizes = cfg.layer_sizes
    weights = [
        init_weight(
            cfg.init, fan_in, fan_out, rng, activation=cfg.activation_name, params=cfg.params, sigma_w=cfg.sigma_w
        )
        for fan_in, fan_out in itertools.pairwise(sizes[:-1])
    ]
    readout = init_weight("lecun_normal", sizes[-2], sizes[-1], rng)
    alpha = np.full(cfg.depth, cfg.params["alpha"]) if cfg.learns_alpha else None
    return Network(
        weights=weights,
        biases=[np.zeros(n) for n in sizes[1:-1]],
        readout_weight=readout,
        readout_bias=np.zeros(sizes[-1]),
        alpha=alpha,
        architecture=cfg.architecture,
    )


@dataclass
class Pass:
    """One forward and backward pass over a batch."""

    loss: float
    logits: np.ndarray
    derivatives: list[np.ndarray]  # f'(z_l), one (batch, width) array per hidden layer
    grads: list[np.ndarray]  # same order as Network.arrays()


def forward(net: Network, x: np.ndarray, act: Activation, params: Mapping[str, float]) -> list[np.ndarray]:
    """[z₁, h₁, …, z_L, h_L, logits]: every intermediate of the forward pass (no derivatives).

    BatchNorm layers use ``net.norm_statistics`` (inference mode) when set, else the batch's own."""
    out = []
    h = x
    for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        stats = net.norm_statistics[layer] if net.norm_statistics is not None else None
        step = layer_forward(
            h, w, b, act, _layer_params(net, params, layer), net.architecture, statistics=stats, with_derivative=False
        )
        h = step.h
        out += [step.z, h]
    out.append(h @ net.readout_weight.T + net.readout_bias)
    return out


def _layer_params(net: Network, params: Mapping[str, float], layer: int) -> Mapping[str, float]:
    if net.alpha is None:
        return params
    return {**params, "alpha": float(net.alpha[layer])}


def forward_backward(net: Network, x: np.ndarray, y: np.ndarray, act: Activation, params: Mapping[str, float]) -> Pass:
    """Mean softmax cross-entropy over the batch and its exact gradient with respect to every parameter.

    The hidden layers are :mod:`activations.engine`'s (``net.architecture``, batch statistics for
    BatchNorm); this function adds the read-out, the loss and PReLU's α. A non-finite logit (a
    diverging run) gives ``loss = inf`` and no gradients.
    """
    layers = []
    h = x
    for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        layers.append(layer_forward(h, w, b, act, _layer_params(net, params, layer), net.architecture))
        h = layers[-1].h
    logits = h @ net.readout_weight.T + net.readout_bias
    depth = len(net.weights)
    if not np.all(np.isfinite(logits)):
        return Pass(math.inf, logits, [], [])
    batch = x.shape[0]
    log_p = log_softmax(logits)
    rows = np.arange(batch)
    loss = -float(np.mean(log_p[rows, y]))

    grad_logits = np.exp(log_p)
    grad_logits[rows, y] -= 1.0
    grad_logits /= batch
    grad_wo = grad_logits.T @ h
    grad_bo = grad_logits.sum(axis=0)
    grad_h = grad_logits @ net.readout_weight

    grad_w: list[np.ndarray] = [np.empty(0)] * depth
    grad_b: list[np.ndarray] = [np.empty(0)] * depth
    grad_alpha = np.zeros(depth) if net.alpha is not None else None
    for layer in reversed(range(depth)):
        h_below = x if layer == 0 else layers[layer - 1].h
        if grad_alpha is not None:
            # h = αz on the non-positive side (PyTorch's branch at 0), so ∂h/∂α = min(z, 0) there.
            grad_alpha[layer] = np.sum(grad_h * np.minimum(layers[layer].z, 0.0))
        _, grad_u, grad_h = layer_backward(
            layers[layer], grad_h, net.weights[layer], net.architecture, need_below=layer > 0
        )
        grad_w[layer] = grad_u.T @ h_below
        grad_b[layer] = grad_u.sum(axis=0)
    grads = [g for wb in zip(grad_w, grad_b, strict=True) for g in wb] + [grad_wo, grad_bo]
    if grad_alpha is not None:
        grads.append(grad_alpha)
    return Pass(loss, logits, [layer.fprime for layer in layers], grads)


# --- optimisers ---------------------------------------------------------------------------------------


class Optimizer:
    """torch.optim's SGD, SGD with momentum and Adam, on a list of arrays (no weight decay)."""

    def __init__(self, name: str, lr: float, momentum: float = 0.9):
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(OPTIMIZERS)}")
        self.name, self.lr, self.momentum = name, float(lr), float(momentum)
        self.t = 0
        self.state: list[tuple[np.ndarray, ...]] | None = None

    def updated(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """New parameter arrays after one step (the inputs are left untouched)."""
        self.t += 1
        if self.name == "sgd":
            return [p - self.lr * g for p, g in zip(params, grads, strict=True)]
        if self.name == "momentum":
            if self.state is None:  # torch starts the buffer at the first gradient
                self.state = [(g.copy(),) for g in grads]
            else:
                self.state = [(self.momentum * v + g,) for (v,), g in zip(self.state, grads, strict=True)]
            return [p - self.lr * v for p, (v,) in zip(params, self.state, strict=True)]
        beta1, beta2 = ADAM_BETAS
        if self.state is None:
            self.state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        self.state = [
            (beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g)
            for (m, v), g in zip(self.state, grads, strict=True)
        ]
        step_size = self.lr / (1 - beta1**self.t)
        correction2 = math.sqrt(1 - beta2**self.t)
        return [
            p - step_size * m / (np.sqrt(v) / correction2 + ADAM_EPS)
            for p, (m, v) in zip(params, self.state, strict=True)
        ]


def minibatches(n_samples: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of ``batch_size`` examples, without replacement within an epoch, reshuffled each epoch
    (an incomplete last batch of an epoch is dropped, as DataLoader's ``drop_last=True``)."""
    per_epoch = n_samples // batch_size
    while True:
        order = rng.permutation(n_samples)
        for i in range(per_epoch):
            yield order[i * batch_size : (i + 1) * batch_size]


# --- training -----------------------------------------------------------------------------------------


@dataclass
class TrainResult:
    """The history of a run (recorded on the full training set) and its final parameters."""

    config: TrainConfig
    steps: np.ndarray  # (k,)
    loss: np.ndarray  # (k,)
    accuracy: np.ndarray  # (k,)
    dead_fraction: np.ndarray  # (k, depth)
    grad_norm: np.ndarray  # (k, depth) Frobenius norm of ∂L/∂W_l on the full training set
    alpha: np.ndarray | None  # (k, depth) PReLU's α per layer, None for other activations
    weights: list[np.ndarray]  # hidden layers, (fan_out, fan_in)
    biases: list[np.ndarray]
    readout_weight: np.ndarray
    readout_bias: np.ndarray
    final_alpha: np.ndarray | None = None
    diverged: bool = False
    diverged_at: int | None = None  # the step whose update would have made the run non-finite
    stopped: bool = False  # the callback asked to stop
    message: str = ""
    elapsed: float = 0.0  # seconds of training so far
    extra: dict = field(default_factory=dict)
    test_accuracy: np.ndarray | None = None  # (k,) on the held-out set (NaN without one), beside ``accuracy``

    @property
    def network(self) -> Network:
        """The final parameters; for BatchNorm with the inference statistics of :meth:`norm_statistics`."""
        return Network(
            list(self.weights),
            list(self.biases),
            self.readout_weight,
            self.readout_bias,
            self.final_alpha,
            architecture=self.config.architecture,
            norm_statistics=self.norm_statistics() if self.config.architecture == "batchnorm" else None,
        )

    def norm_statistics(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """BatchNorm's inference statistics: each layer's (μ, σ²) over the first NORM_STATISTICS_SAMPLES
        training examples (the data are shuffled, so a fair sample), layer by layer, each layer seeing the
        layers below normalised by their own statistics; what ``BatchNorm1d``'s running averages estimate.
        Computed once per result."""
        if "norm_statistics" not in self.extra:
            cfg = self.config
            net = Network(
                list(self.weights), list(self.biases), self.readout_weight, self.readout_bias, self.final_alpha
            )
            net.architecture = "batchnorm"
            self.extra["norm_statistics"] = batchnorm_statistics(net, load_data(cfg)[0], cfg.act, cfg.params)
        return self.extra["norm_statistics"]

    @property
    def finished(self) -> bool:
        return not (self.diverged or self.stopped) and len(self.steps) > 0 and self.steps[-1] == self.config.steps

    def overall_dead_fraction(self) -> float:
        """Share of all hidden units dead at the last record (layers have equal widths)."""
        return float(np.mean(self.dead_fraction[-1])) if len(self.steps) else 0.0

    def gradient_ratio(self) -> np.ndarray:
        """‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ at every record: how much smaller the first layer's gradient is than the
        last hidden layer's (NaN where the last layer's gradient is exactly 0)."""
        first, last = self.grad_norm[:, 0], self.grad_norm[:, -1]
        ratio = np.full(first.shape, np.nan)
        np.divide(first, last, out=ratio, where=last > 0)
        return ratio

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities softmax(s) for inputs x of shape (n, n_features) under the final parameters
        (BatchNorm in inference mode, with :meth:`norm_statistics`)."""
        cfg = self.config
        x = np.asarray(x, dtype=np.float64)
        net = self.network
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged network: caught below
            logits = np.concatenate(
                [forward(net, x[lo : lo + EVAL_CHUNK], cfg.act, cfg.params)[-1] for lo in range(0, len(x), EVAL_CHUNK)]
            )
        if not np.all(np.isfinite(logits)):
            return np.full((len(logits), logits.shape[1]), 1.0 / logits.shape[1])
        return np.exp(log_softmax(logits))


Callback = Callable[[int, TrainResult], object]


def train(cfg: TrainConfig, callback: Callback | None = None) -> TrainResult:
    """Train the network ``cfg`` describes; see the module docstring for the model and the history.

    ``callback(step, snapshot)`` is called after each record (step 0 first) with the history so far
    and copies of the current parameters; if it returns a true value, training stops there
    (``stopped=True``).
    """
    result = None
    for snapshot in iter_training(cfg):
        result = snapshot
        if callback is not None and not snapshot.diverged and callback(int(snapshot.steps[-1]), snapshot):
            step = int(snapshot.steps[-1])
            return dataclasses.replace(snapshot, stopped=True, message=f"Stopped at step {step}.")
    return result


def iter_training(cfg: TrainConfig) -> Iterator[TrainResult]:
    """The run as a stream of snapshots, one after each record (step 0 first). The last snapshot is the
    result; if the run diverged, it comes with ``diverged=True`` and the history up to the last finite
    record. Lets a caller interleave two runs or stop one by no longer asking for snapshots."""
    if not isinstance(cfg, TrainConfig):
        raise ValueError(f"train takes a TrainConfig, got {type(cfg).__name__}")
    start = time.perf_counter()
    x, y, x_test, y_test = load_data(cfg)
    act, params = cfg.act, cfg.params
    net = init_network(cfg, np.random.default_rng((cfg.seed, 1)))
    batches = minibatches(cfg.n_samples, cfg.batch_size, np.random.default_rng((cfg.seed, 2)))
    optimizer = Optimizer(cfg.optimizer, cfg.lr, cfg.momentum)
    history = _History.empty(cfg.n_records, cfg.depth, cfg.learns_alpha)

    def snapshot(diverged_at: int | None = None, message: str = "") -> TrainResult:
        return history.result(cfg, net.copy(), time.perf_counter() - start, diverged_at, False, message)

    full = evaluate(net, x, y, act, params)
    if not math.isfinite(full.loss):
        yield snapshot(0, "The network's output is not finite at initialisation.")
        return
    history.append(0, full, net, held_out_accuracy(net, x, x_test, y_test, act, params))
    yield snapshot()

    arrays = net.arrays()
    for step in range(1, cfg.steps + 1):
        idx = next(batches)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows; detected below
            if len(idx) <= EVAL_CHUNK or cfg.architecture == "batchnorm":  # BatchNorm: the whole batch's statistics
                batch = forward_backward(net, x[idx], y[idx], act, params)
            else:
                batch = chunked_forward_backward(net, x[idx], y[idx], act, params)
            new = optimizer.updated(arrays, batch.grads) if math.isfinite(batch.loss) else None
        if new is None or not all(np.all(np.isfinite(a)) for a in new):
            yield snapshot(step, _diverged_message(step, batch.loss))
            return
        arrays = new
        net = Network.from_arrays(arrays, cfg.depth, cfg.learns_alpha, cfg.architecture)
        if step % cfg.record_every == 0 or step == cfg.steps:
            full = evaluate(net, x, y, act, params)
            if not math.isfinite(full.loss):
                yield snapshot(step, _diverged_message(step, full.loss))
                return
            history.append(step, full, net, held_out_accuracy(net, x, x_test, y_test, act, params))
            yield snapshot()


EVAL_CHUNK = 256
NORM_STATISTICS_SAMPLES = 4096


def load_data(cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, x_test, y_test) of a config: the training set (``datasets.make_dataset``, or the uploaded
    points' seeded split) and its held-out test set of ``cfg.test_size`` examples (empty when 0)."""
    if cfg.points is not None:
        return datasets.split_points(cfg.points, cfg.n_samples, cfg.test_size, cfg.seed)
    x, y = datasets.make_dataset(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)
    x_test, y_test = datasets.make_test_set(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed, cfg.test_size)
    return x, y, x_test, y_test


def batchnorm_statistics(net: Network, x: np.ndarray, act: Activation, params) -> list[tuple[np.ndarray, np.ndarray]]:
    """BatchNorm's inference statistics: each layer's (μ, σ²) of u = h Wᵀ + b over the first
    NORM_STATISTICS_SAMPLES rows of ``x`` (the training data are shuffled, so a fair sample), layer by
    layer, each layer seeing the ones below normalised by their own; what ``BatchNorm1d``'s running
    averages estimate."""
    h = x[:NORM_STATISTICS_SAMPLES]
    out = []
    with np.errstate(over="ignore", invalid="ignore"):
        for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            u = h @ w.T + b
            stats = (u.mean(axis=0), u.var(axis=0))
            out.append(stats)
            p = _layer_params(net, params, layer)
            h = layer_forward(h, w, b, act, p, "batchnorm", u=u, statistics=stats, with_derivative=False).h
    return out


def held_out_accuracy(
    net: Network, x: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, act: Activation, params
) -> float:
    """Share of the held-out examples whose largest logit is their class (NaN without a test set); BatchNorm
    in inference mode, with the statistics of the training data ``x``."""
    if len(y_test) == 0:
        return math.nan
    if net.architecture == "batchnorm":
        net = dataclasses.replace(net, norm_statistics=batchnorm_statistics(net, x, act, params))
    with np.errstate(over="ignore", invalid="ignore"):
        logits = np.concatenate(
            [forward(net, x_test[lo : lo + EVAL_CHUNK], act, params)[-1] for lo in range(0, len(x_test), EVAL_CHUNK)]
        )
    return float(np.mean(np.argmax(logits, axis=1) == y_test))


@dataclass
class Evaluation:
    """The network on the full training set: what one record of the history holds."""

    loss: float
    accuracy: float
    dead_fraction: np.ndarray  # (depth,)
    grad_norm: np.ndarray  # (depth,) ‖∂L/∂W_l‖ of the mean loss over the full set


@dataclass
class BatchGradient:
    """Mean loss and gradient over a set, computed chunk by chunk, with what a record needs."""

    loss: float
    grads: list[np.ndarray]  # same order as Network.arrays()
    correct: int  # examples whose largest logit is their class
    alive: list[np.ndarray]  # per layer, (width,) bool: f'(z) != 0 for at least one example


def chunked_forward_backward(
    net: Network, x: np.ndarray, y: np.ndarray, act: Activation, params, chunk: int = EVAL_CHUNK
) -> BatchGradient:
    """:func:`forward_backward` over (x, y) ``chunk`` examples at a time, the chunks' means combined with
    weights n_c/n: the same numbers up to rounding.

    Why chunks: OpenBLAS multithreads larger matrix products, and on a busy 2-core server a 1000-row
    product spun its threads 400× slower than four 256-row ones. A non-finite chunk gives ``loss = inf``.
    """
    n = len(x)
    total = BatchGradient(
        0.0, [np.zeros_like(a) for a in net.arrays()], 0, [np.zeros(len(b), bool) for b in net.biases]
    )
    for lo in range(0, n, chunk):
        part = forward_backward(net, x[lo : lo + chunk], y[lo : lo + chunk], act, params)
        if not math.isfinite(part.loss):
            total.loss = part.loss
            return total
        share = len(part.logits) / n
        total.loss += part.loss * share
        total.correct += int(np.sum(np.argmax(part.logits, axis=1) == y[lo : lo + chunk]))
        for g_total, g in zip(total.grads, part.grads, strict=True):
            g_total += g * share
        for alive, d in zip(total.alive, part.derivatives, strict=True):
            alive |= np.any(d != 0, axis=0)
    return total


def evaluate(net: Network, x: np.ndarray, y: np.ndarray, act: Activation, params) -> Evaluation:
    """Loss, accuracy, dead fraction per layer and weight-gradient norm per layer on all of (x, y);
    ``loss = inf`` when anything is not finite (a diverging run)."""
    depth = len(net.weights)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows; checked below
        full = chunked_forward_backward(net, x, y, act, params)
    grad_w = full.grads[0 : 2 * depth : 2]
    if not math.isfinite(full.loss) or not all(np.all(np.isfinite(g)) for g in grad_w):
        return Evaluation(math.inf, 0.0, np.zeros(depth), np.zeros(depth))
    return Evaluation(
        loss=full.loss,
        accuracy=full.correct / len(x),
        dead_fraction=np.array([1.0 - np.mean(a) for a in full.alive]),
        grad_norm=np.array([_norm(g) for g in grad_w]),
    )


def _norm(a: np.ndarray) -> float:
    """Frobenius norm ‖a‖ = m·‖a/m‖ with m = max|aᵢⱼ|, so huge but finite entries do not overflow."""
    m = float(np.max(np.abs(a))) if a.size else 0.0
    if m == 0.0 or not math.isfinite(m):
        return m
    return m * float(np.linalg.norm(a / m))


def _diverged_message(step: int, loss: float) -> str:
    what = "NaN" if math.isnan(loss) else "infinite" if math.isinf(loss) else "finite but the update was not"
    return f"Training diverged at step {step} (the loss became {what}); try a smaller learning rate."


@dataclass
class _History:
    steps: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    dead_fraction: np.ndarray
    grad_norm: np.ndarray
    alpha: np.ndarray | None
    test_accuracy: np.ndarray
    k: int = 0

    @classmethod
    def empty(cls, n: int, depth: int, learns_alpha: bool) -> _History:
        return cls(
            steps=np.zeros(n, dtype=np.int64),
            loss=np.zeros(n),
            accuracy=np.zeros(n),
            test_accuracy=np.full(n, np.nan),
            dead_fraction=np.zeros((n, depth)),
            grad_norm=np.zeros((n, depth)),
            alpha=np.zeros((n, depth)) if learns_alpha else None,
        )

    def append(self, step: int, full: Evaluation, net: Network, test: float = math.nan) -> None:
        k = self.k
        self.test_accuracy[k] = test
        self.steps[k] = step
        self.loss[k] = full.loss
        self.accuracy[k] = full.accuracy
        self.dead_fraction[k] = full.dead_fraction
        self.grad_norm[k] = full.grad_norm
        if self.alpha is not None:
            self.alpha[k] = net.alpha
        self.k += 1

    def result(self, cfg, net: Network, elapsed: float, diverged_at, stopped, message) -> TrainResult:
        k = self.k
        return TrainResult(
            config=cfg,
            steps=self.steps[:k],
            loss=self.loss[:k],
            accuracy=self.accuracy[:k],
            test_accuracy=self.test_accuracy[:k],
            dead_fraction=self.dead_fraction[:k],
            grad_norm=self.grad_norm[:k],
            alpha=None if self.alpha is None else self.alpha[:k],
            weights=net.weights,
            biases=net.biases,
            readout_weight=net.readout_weight,
            readout_bias=net.readout_bias,
            final_alpha=net.alpha,
            diverged=diverged_at is not None,
            diverged_at=diverged_at,
            stopped=stopped,
            message=message,
            elapsed=elapsed,
        )


def decision_surface(result: TrainResult, x: np.ndarray, resolution: int = 100, margin: float = 0.5):
    """A grid over the data's bounding box (plus ``margin``) and the predicted class probabilities on it:
    ``(grid_x (r,), grid_y (r,), proba (r, r, K))``."""
    if not 2 <= resolution <= 1000:
        raise ValueError(f"resolution must be between 2 and 1000, got {resolution}")
    x = np.asarray(x, dtype=np.float64)
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    gx, gy = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    mesh = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    proba = result.predict_proba(mesh)
    return gx, gy, proba.reshape(resolution, resolution, -1)


# --- presets ------------------------------------------------------------------------------------------

# Tuned on 8–16 seeds each (see the Training Lab section of README.md for the measured spread).
_DYING_NETWORK = dict(
    dataset="moons", n_samples=500, batch_size=500, depth=3, width=16, init="he_normal", optimizer="adam", steps=600
)
PRESETS: dict[str, TrainConfig] = {
    # Full-batch Adam at lr 1.5: every parameter moves by about ±lr in the first steps, which pushes many
    # ReLU units below zero for every example. Leaky ReLU units land there too, but keep a gradient of
    # α·upstream, which Adam rescales to full-size steps, so they come back.
    "dying_relu": TrainConfig(activation="relu", lr=1.5, seed=1, **_DYING_NETWORK),
    "healthy_relu": TrainConfig(activation="relu", lr=0.003, seed=1, **_DYING_NETWORK),
    "vanishing_sigmoid": TrainConfig(
        activation="sigmoid", depth=10, width=32, init="xavier_normal", optimizer="sgd", lr=1.0, steps=600, seed=0
    ),
    "prelu_learns_alpha": TrainConfig(activation="prelu", optimizer="adam", lr=0.01, steps=600, seed=0),
    # Real data: 500 training digits and 297 held out, full-batch Adam at lr 0.1 (CS231n's "as much as
    # 40% of your network can be dead ... if the learning rate is set too high").
    "dying_relu_digits": TrainConfig(
        dataset="digits",
        n_samples=500,
        test_size=297,
        depth=3,
        width=64,
        activation="relu",
        init="he_normal",
        optimizer="adam",
        lr=0.1,
        batch_size=500,
        steps=100,
        record_every=10,
        seed=0,
    ),
    # 20 sigmoid layers of 16 units, plain SGD: the plain net's gradient vanishes (χ ≈ 0.06 per layer);
    # with skip connections (the only change) the identity path carries it.
    "residual_rescue": TrainConfig(
        dataset="moons",
        n_samples=500,
        depth=20,
        width=16,
        activation="sigmoid",
        init="xavier_normal",
        optimizer="sgd",
        lr=1.0,
        batch_size=100,
        steps=1000,
        record_every=50,
        seed=0,
        architecture="plain",
    ),
    # He et al. 2015, Fig. 3: a 30-layer ReLU net converges with He init and stalls with Xavier (each
    # ReLU layer halves the signal's variance under Xavier: 2⁻³⁰ after 30 layers).
    "he_vs_xavier_deep": TrainConfig(
        dataset="moons",
        n_samples=500,
        depth=30,
        width=32,
        activation="relu",
        init="he_normal",
        optimizer="momentum",
        lr=0.01,
        batch_size=100,
        steps=600,
        record_every=50,
        seed=0,
    ),
}

# The second run a preset's compare mode trains: a TrainConfig change (dataclasses.replace keywords).
PRESET_COMPARE: dict[str, dict] = {
    "dying_relu_digits": {"activation": "leaky_relu", "params": {"alpha": 0.01}},
    "residual_rescue": {"architecture": "residual"},
    "he_vs_xavier_deep": {"init": "xavier_normal"},
}

# What each preset shows, and (for the compare mode) the activation to set beside it and whether the
# compare mode starts switched on.
PRESET_INFO: dict[str, dict] = {
    "dying_relu": {
        "title": N_("Dying ReLU: learning rate too high"),
        "text": N_(
            "Adam at a learning rate of 1.5 moves every weight by about ±1.5 in the first steps and pushes many "
            "ReLU units below zero for every example: their derivative is 0 everywhere, no gradient reaches "
            "them again and they are dead for good. Leaky ReLU, trained with the same seed, lands there too "
            "but keeps a gradient of α times the upstream one, which Adam scales back up: its units recover."
        ),
        "compare": ("leaky_relu", {"alpha": 0.01}),
        "compare_on": True,
    },
    "healthy_relu": {
        "title": N_("Healthy ReLU: a sane learning rate"),
        "text": N_("The same network at a sane learning rate: almost every unit stays alive and it fits the moons."),
        "compare": ("leaky_relu", {"alpha": 0.01}),
    },
    "vanishing_sigmoid": {
        "title": N_("Vanishing gradients: deep sigmoid network"),
        "text": N_(
            "Each sigmoid layer multiplies the backward signal by at most ¼ times the weights, so the first "
            "layers' gradients are orders of magnitude below the last layer's for the whole run: the bottom "
            "layers barely move and in 600 steps of SGD the network gets no further than chance."
        ),
        "compare": ("tanh", {}),
        "compare_on": True,
    },
    "prelu_learns_alpha": {
        "title": N_("PReLU learns its slope"),
        "text": N_(
            "PReLU's negative slope α (one per layer, starting at 0.25) is trained with the weights; watch "
            "it move away from its initial value."
        ),
        "compare": ("leaky_relu", {"alpha": 0.25}),
    },
    "dying_relu_digits": {
        "title": N_("Dying ReLU on real digits"),
        "text": N_(
            "Handwritten digits (scikit-learn's 8×8 images, 10 classes) with full-batch Adam at a learning rate "
            "of 0.1: within a few steps most ReLU units are below zero for every image and never recover, "
            "as CS231n warns (“as much as 40% of your network can be dead”). Leaky ReLU with the same seed "
            "keeps a gradient on the negative side and learns the digits; the held-out images show it."
        ),
        "compare": ("leaky_relu", {"alpha": 0.01}),
        "compare_on": True,
        "paper": "Stanford CS231n, Neural Networks Part 1",
    },
    "residual_rescue": {
        "title": N_("Skip connections rescue a deep sigmoid net"),
        "text": N_(
            "Twenty sigmoid layers trained with plain SGD: the gradient shrinks by about χ ≈ 0.06 per layer "
            "on its way down and the plain network never leaves chance. Add skip connections "
            "(h = h + f(Wh + b), the only change) and the identity path carries the gradient to every "
            "layer: the same network fits the moons (He et al. 2016)."
        ),
        "compare": ("sigmoid", {}),
        "compare_on": True,
        "paper": "He, Zhang, Ren, Sun 2016, Deep Residual Learning",
    },
    "he_vs_xavier_deep": {
        "title": N_("30 ReLU layers: He init trains, Xavier stalls"),
        "text": N_(
            "A 30-layer ReLU network with SGD and momentum. With He init (σ_w² = 2) the signal and the "
            "gradient keep their size through every layer and it converges; with Xavier init each layer "
            "halves the signal's variance, the top layers see almost nothing and training stalls at chance, "
            "as in He et al. 2015, Fig. 3."
        ),
        "compare": ("relu", {}),
        "compare_on": True,
        "paper": "He, Zhang, Ren, Sun 2015, Delving Deep into Rectifiers",
    },
}
