r"""Every built-in activation: forward, derivative, parameters, LaTeX and metadata side by side.

Derivatives at kinks follow PyTorch's autograd (measured with torch 2.13, float64): ReLU'(0) = 0,
LeakyReLU'(0) = α, ELU'(0) = α, hardtanh' = 0 at both bounds, hardswish'(-3) = 0 and hardswish'(3) = 1,
shrinkages' = 0 at ±λ. Any subgradient would do for gradient descent; we pick PyTorch's so that numbers
here match what a practitioner's framework reports.

Numerically safe forms are the default: exponentials only ever see the clipped branch they are used
on, softplus is ``logaddexp``, sigmoid is ``scipy.special.expit``. Everything is finite and
warning-free for |x| up to 1e4 in float32 and float64.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .i18n import N_
from .registry import Activation, Param, register

SQRT_2 = math.sqrt(2.0)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772
GELU_TANH_C = 0.044715


def _frameworks(pytorch: str, keras: str = "", jax: str = "") -> dict[str, str]:
    return {"PyTorch": pytorch, "Keras": keras or "—", "JAX": jax or "—"}


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1/(1+e^{-x})`, overflow-safe (scipy's expit)."""
    return special.expit(x)


def sigmoid_derivative(x):
    r""":math:`\sigma'(x) = \sigma(x)\,\sigma(-x)`: the product form loses no precision for large |x|."""
    return special.expit(x) * special.expit(-x)


def softplus(x, beta=1.0, threshold=20.0):
    r"""Softplus :math:`\frac{1}{\beta}\log(1+e^{\beta x})`, and exactly x where βx > threshold (PyTorch)."""
    bx = beta * x
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)


def softplus_derivative(x, beta=1.0, threshold=20.0):
    r""":math:`\sigma(\beta x)`, and 1 where βx > threshold."""
    bx = beta * x
    return np.where(bx > threshold, 1.0, special.expit(bx))


# --- rectifiers -------------------------------------------------------------------------------------


def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`. Under differentiation we take ReLU'(0) = 0."""
    return np.maximum(x, 0)


def relu_derivative(x):
    return (x > 0).astype(x.dtype)


register(
    Activation(
        name="relu",
        label="ReLU",
        forward=relu,
        derivative_fn=relu_derivative,
        formula=r"\max(0, x)",
        derivative_formula=r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        family="rectifier",
        year=2010,
        paper="Nair & Hinton, Rectified Linear Units Improve Restricted Boltzmann Machines (ICML 2010)",
        output_range=(0.0, math.inf),
        smooth=False,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.ReLU", "keras.activations.relu", "jax.nn.relu"),
        kinks=lambda: (0.0,),
        kink_note=N_("f′(0) = 0"),
        summary=N_("Identity for positive inputs, zero otherwise: gradient 1 or 0, so units can die."),
    )
)


def relu6(x):
    r""":math:`\min(\max(0, x), 6)`; f' = 0 at both kinks, 0 and 6 (PyTorch)."""
    return np.clip(x, 0, 6)


def relu6_derivative(x):
    return ((x > 0) & (x < 6)).astype(x.dtype)


register(
    Activation(
        name="relu6",
        label="ReLU6",
        forward=relu6,
        derivative_fn=relu6_derivative,
        formula=r"\min(\max(0, x), 6)",
        derivative_formula=r"\begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
        family="rectifier",
        year=2010,
        paper="Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10 (2010)",
        output_range=(0.0, 6.0),
        smooth=False,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.ReLU6", "keras.activations.relu6", "jax.nn.relu6"),
        kinks=lambda: (0.0, 6.0),
        kink_note=N_("f′(0) = 0, f′(6) = 0"),
        summary=N_("ReLU capped at 6, popular in mobile networks for low-precision arithmetic."),
    )
)


def leaky_relu(x, alpha=0.01):
    r""":math:`x` for x > 0, :math:`\alpha x` otherwise; f'(0) = α (PyTorch)."""
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x, alpha=0.01):
    return np.where(x > 0, 1.0, alpha)


def _negative_slope_kink(alpha):
    return (0.0,)


ALPHA_SLOPE = Param("alpha", 0.01, 0.0, 1.0, 0.01, "α", N_("slope for negative inputs"))

register(
    Activation(
        name="leaky_relu",
        label="Leaky ReLU",
        forward=leaky_relu,
        derivative_fn=leaky_relu_derivative,
        formula=r"\begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
        derivative_formula=r"\begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
        family="rectifier",
        params=(ALPHA_SLOPE,),
        year=2013,
        paper="Maas, Hannun & Ng, Rectifier Nonlinearities Improve Neural Network Acoustic Models (ICML 2013)",
        output_range=(-math.inf, math.inf),
        smooth=False,
        frameworks=_frameworks("torch.nn.LeakyReLU", "keras.activations.leaky_relu", "jax.nn.leaky_relu"),
        kinks=_negative_slope_kink,
        kink_note=N_("f′(0) = α"),
        summary=N_("A small slope α for negative inputs keeps the gradient alive."),
    )
)

register(
    Activation(
        name="prelu",
        label="PReLU",
        forward=leaky_relu,
        derivative_fn=leaky_relu_derivative,
        formula=r"\begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
        derivative_formula=r"\begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
        family="rectifier",
        params=(Param("alpha", 0.25, 0.0, 1.0, 0.01, "α", N_("negative slope, learned during training")),),
        year=2015,
        paper="He, Zhang, Ren & Sun, Delving Deep into Rectifiers (ICCV 2015)",
        output_range=(-math.inf, math.inf),
        smooth=False,
        frameworks=_frameworks("torch.nn.PReLU", "keras.layers.PReLU"),
        kinks=_negative_slope_kink,
        kink_note=N_("f′(0) = α"),
        summary=N_("Leaky ReLU whose negative slope α is a trained parameter (initialised at 0.25)."),
    )
)


def rrelu(x, lower=1 / 8, upper=1 / 3):
    r"""Randomised leaky ReLU in evaluation mode: the fixed slope :math:`(l+u)/2` for negative inputs."""
    return leaky_relu(x, (lower + upper) / 2)


def rrelu_derivative(x, lower=1 / 8, upper=1 / 3):
    return leaky_relu_derivative(x, (lower + upper) / 2)


def _check_rrelu(lower, upper):
    if lower > upper:
        raise ValueError(f"RReLU: lower ({lower:g}) must not exceed upper ({upper:g})")


register(
    Activation(
        name="rrelu",
        label="RReLU",
        forward=rrelu,
        derivative_fn=rrelu_derivative,
        formula=r"\begin{cases} x & x > 0 \\ \tfrac{l+u}{2}\, x & x \le 0 \end{cases}",
        derivative_formula=r"\begin{cases} 1 & x > 0 \\ \tfrac{l+u}{2} & x \le 0 \end{cases}",
        family="rectifier",
        # The two ranges do not overlap, so every slider position is a valid pair (lower ≤ upper).
        params=(
            Param("lower", 1 / 8, 0.0, 0.3, 0.005, "l", N_("lower bound of the random slope")),
            Param("upper", 1 / 3, 0.3, 1.0, 0.005, "u", N_("upper bound of the random slope")),
        ),
        year=2015,
        paper="Xu, Wang, Chen & Li, Empirical Evaluation of Rectified Activations (2015)",
        output_range=(-math.inf, math.inf),
        smooth=False,
        frameworks=_frameworks("torch.nn.RReLU (eval mode)"),
        kinks=lambda lower, upper: (0.0,),
        kink_note=N_("f′(0) = (l+u)/2"),
        validate=_check_rrelu,
        summary=N_("Leaky ReLU with a random slope in training; in evaluation the mean slope (l+u)/2."),
    )
)


def squared_relu(x):
    r""":math:`\max(0, x)^2`, used in Primer; its derivative :math:`2\max(0,x)` is continuous."""
    return np.square(np.maximum(x, 0))


def squared_relu_derivative(x):
    return 2 * np.maximum(x, 0)


register(
    Activation(
        name="squared_relu",
        label="Squared ReLU",
        forward=squared_relu,
        derivative_fn=squared_relu_derivative,
        formula=r"\max(0, x)^2",
        derivative_formula=r"2\max(0, x)",
        family="rectifier",
        year=2021,
        paper="So et al., Primer: Searching for Efficient Transformers (NeurIPS 2021)",
        output_range=(0.0, math.inf),
        smooth=True,
        zero_gradient_region=True,
        frameworks=_frameworks("—", "—", "jax.nn.squareplus (related)"),
        summary=N_("ReLU squared: smooth first derivative, still zero for negative inputs."),
    )
)

# --- exponential units --------------------------------------------------------------------------------


def elu(x, alpha=1.0):
    r""":math:`x` for x > 0, :math:`\alpha(e^x - 1)` otherwise; expm1 sees only the clipped negative side."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_derivative(x, alpha=1.0):
    r""":math:`1` for x > 0, :math:`\alpha e^x` for x ≤ 0, so f'(0) = α (PyTorch)."""
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


register(
    Activation(
        name="elu",
        label="ELU",
        forward=elu,
        derivative_fn=elu_derivative,
        formula=r"\begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
        derivative_formula=r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        family="exponential",
        params=(Param("alpha", 1.0, 0.0, 3.0, 0.05, "α", N_("saturation value −α for very negative inputs")),),
        year=2015,
        paper="Clevert, Unterthiner & Hochreiter, Fast and Accurate Deep Network Learning by ELUs (ICLR 2016)",
        output_range=(-1.0, math.inf),
        smooth=True,  # C1 at the default α = 1 only; the explorer measures it for other α
        frameworks=_frameworks("torch.nn.ELU", "keras.activations.elu", "jax.nn.elu"),
        kinks=lambda alpha: (0.0,) if alpha != 1.0 else (),
        kink_note=N_("f′(0) = α"),
        summary=N_("Negative outputs saturate smoothly at −α, pushing mean activations toward zero."),
    )
)


def selu(x):
    r""":math:`\lambda\,\mathrm{ELU}(x; \alpha)` with Klambauer et al.'s λ ≈ 1.0507, α ≈ 1.6733."""
    return SELU_LAMBDA * elu(x, SELU_ALPHA)


def selu_derivative(x):
    return SELU_LAMBDA * elu_derivative(x, SELU_ALPHA)


register(
    Activation(
        name="selu",
        label="SELU",
        forward=selu,
        derivative_fn=selu_derivative,
        formula=r"\lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},"
        r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
        derivative_formula=r"\lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        family="exponential",
        year=2017,
        paper="Klambauer, Unterthiner, Mayr & Hochreiter, Self-Normalizing Neural Networks (NeurIPS 2017)",
        output_range=(-SELU_LAMBDA * SELU_ALPHA, math.inf),
        smooth=False,
        zero_centred=True,
        frameworks=_frameworks("torch.nn.SELU", "keras.activations.selu", "jax.nn.selu"),
        kinks=lambda: (0.0,),
        kink_note=N_("f′(0) = λα ≈ 1.7581"),
        summary=N_("Scaled ELU whose fixed point keeps activations at mean 0, variance 1 (with LeCun init)."),
    )
)


def celu(x, alpha=1.0):
    r""":math:`\max(0,x) + \min(0, \alpha(e^{x/\alpha} - 1))`: ELU made C1 for every α."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha))


def celu_derivative(x, alpha=1.0):
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / alpha))


def _check_positive_alpha(alpha):
    if alpha <= 0:
        raise ValueError(f"CELU: alpha must be positive, got {alpha:g}")


register(
    Activation(
        name="celu",
        label="CELU",
        forward=celu,
        derivative_fn=celu_derivative,
        formula=r"\max(0, x) + \min\!\big(0, \alpha (e^{x/\alpha} - 1)\big)",
        derivative_formula=r"\begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        family="exponential",
        params=(Param("alpha", 1.0, 0.05, 3.0, 0.05, "α", N_("saturation value −α; must be positive")),),
        year=2017,
        paper="Barron, Continuously Differentiable Exponential Linear Units (2017)",
        output_range=(-1.0, math.inf),
        smooth=True,
        frameworks=_frameworks("torch.nn.CELU", "keras.activations.celu", "jax.nn.celu"),
        kink_note=N_("f′(0) = 1"),
        validate=_check_positive_alpha,
        summary=N_("ELU rescaled so its derivative is continuous for every α."),
    )
)

# --- gated and smooth rectifiers ----------------------------------------------------------------------


def gelu(x):
    r"""Gaussian error linear unit :math:`x\,\Phi(x) = \tfrac{x}{2}(1 + \mathrm{erf}(x/\sqrt2))` (exact)."""
    return 0.5 * x * (1 + special.erf(x / SQRT_2))


def gelu_derivative(x):
    r""":math:`\Phi(x) + x\,\varphi(x)`."""
    # φ(x) underflows to 0 long before |x| = 40; clipping keeps x² finite for any input.
    return 0.5 * (1 + special.erf(x / SQRT_2)) + x * INV_SQRT_2PI * np.exp(-0.5 * np.square(np.clip(x, -40, 40)))


register(
    Activation(
        name="gelu",
        label="GELU",
        forward=gelu,
        derivative_fn=gelu_derivative,
        formula=r"x\,\Phi(x) = \tfrac{x}{2}\left(1 + \operatorname{erf}(x/\sqrt{2})\right)",
        derivative_formula=r"\Phi(x) + x\,\varphi(x)",
        family="gated/smooth",
        year=2016,
        paper="Hendrycks & Gimpel, Gaussian Error Linear Units (2016)",
        output_range=(-0.17, math.inf),
        monotonic=False,
        frameworks=_frameworks("torch.nn.GELU", "keras.activations.gelu", "jax.nn.gelu(approximate=False)"),
        summary=N_("Weights the input by the chance a standard normal is below it; the Transformer default."),
    )
)


def _gelu_tanh_inner(x):
    return SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x)


def gelu_tanh(x):
    r""":math:`\tfrac{x}{2}\left(1 + \tanh u\right)`, :math:`u = \sqrt{2/\pi}(x + 0.044715x^3)`.

    Computed as :math:`x\,\sigma(2u)` (the same function: ½(1 + tanh u) = σ(2u)), which does not cancel to
    exactly 0 for very negative x the way 1 + tanh u does.
    """
    return x * special.expit(2 * _gelu_tanh_inner(np.clip(x, -100, 100)))


def gelu_tanh_derivative(x):
    r""":math:`\sigma(2u) + 2x\,u'\,\sigma(2u)\,\sigma(-2u)`, :math:`u' = \sqrt{2/\pi}(1 + 0.134145x^2)`."""
    x_safe = np.clip(x, -100, 100)  # σ(2u) is flat long before; keeps x³ small in float32
    u = _gelu_tanh_inner(x_safe)
    du = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x_safe * x_safe)
    return special.expit(2 * u) + 2 * x_safe * du * special.expit(2 * u) * special.expit(-2 * u)


register(
    Activation(
        name="gelu_tanh",
        label="GELU (tanh approx.)",
        forward=gelu_tanh,
        derivative_fn=gelu_tanh_derivative,
        formula=r"\tfrac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^{3})\right)\right)",
        derivative_formula=r"\tfrac{1}{2}(1 + t) + \tfrac{x}{2}(1 - t^{2})\sqrt{2/\pi}\,(1 + 0.134145\,x^{2}),"
        r"\ t = \tanh\!\left(\sqrt{2/\pi}(x + 0.044715x^{3})\right)",
        family="gated/smooth",
        year=2016,
        paper="Hendrycks & Gimpel, Gaussian Error Linear Units (2016)",
        output_range=(-0.1701, math.inf),
        monotonic=False,
        frameworks=_frameworks(
            "torch.nn.GELU(approximate='tanh')", "keras.activations.gelu(approximate=True)", "jax.nn.gelu"
        ),
        summary=N_("The tanh approximation of GELU used by BERT and GPT-2."),
    )
)


def silu(x, beta=1.0):
    r"""SiLU / Swish :math:`x\,\sigma(\beta x)`."""
    return x * special.expit(beta * x)


def silu_derivative(x, beta=1.0):
    r""":math:`\sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)` (product rule)."""
    s = special.expit(beta * x)
    return s + beta * x * s * special.expit(-beta * x)


register(
    Activation(
        name="silu",
        label="SiLU / Swish",
        forward=silu,
        derivative_fn=silu_derivative,
        formula=r"x\,\sigma(\beta x)",
        derivative_formula=r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\,(1 - \sigma(\beta x))",
        family="gated/smooth",
        params=(Param("beta", 1.0, 0.0, 10.0, 0.1, "β", N_("sharpness; β → ∞ gives ReLU, β = 0 gives x/2")),),
        year=2017,
        paper="Ramachandran, Zoph & Le, Searching for Activation Functions (2017); Elfwing et al. 2017",
        output_range=(-0.279, math.inf),
        monotonic=False,
        frameworks=_frameworks("torch.nn.SiLU (β = 1)", "keras.activations.silu", "jax.nn.silu"),
        summary=N_("Self-gated: the input times its own sigmoid; smooth and slightly non-monotonic."),
    )
)


def mish(x):
    r""":math:`x\tanh(\mathrm{softplus}(x))`."""
    return x * np.tanh(softplus(x))


def mish_derivative(x):
    r""":math:`\tanh(s) + x\,(1 - \tanh^2 s)\,\sigma(x)` with s = softplus(x)."""
    t = np.tanh(softplus(x))
    return t + x * (1 - t * t) * special.expit(x)


register(
    Activation(
        name="mish",
        label="Mish",
        forward=mish,
        derivative_fn=mish_derivative,
        formula=r"x \tanh\!\big(\ln(1 + e^{x})\big)",
        derivative_formula=r"\tanh(s) + x\,(1 - \tanh^{2} s)\,\sigma(x),\ s = \ln(1 + e^{x})",
        family="gated/smooth",
        year=2019,
        paper="Misra, Mish: A Self Regularized Non-Monotonic Activation Function (2019)",
        output_range=(-0.309, math.inf),
        monotonic=False,
        frameworks=_frameworks("torch.nn.Mish", "keras.activations.mish", "—"),
        summary=N_("A smooth, non-monotonic cousin of Swish."),
    )
)


def _softplus_kinks(beta, threshold):
    """Where βx = threshold PyTorch switches to the identity; f jumps there by log1p(e^-t)/β, which only
    shows for small thresholds (at the default t = 20 it is 2e-9)."""
    return (threshold / beta,) if special.expit(-threshold) > 1e-6 else ()


def _check_softplus(beta, threshold):
    if beta <= 0:
        raise ValueError(f"Softplus: beta must be positive, got {beta:g}")


register(
    Activation(
        name="softplus",
        label="Softplus",
        forward=softplus,
        derivative_fn=softplus_derivative,
        formula=r"\tfrac{1}{\beta}\ln(1 + e^{\beta x}),\ \text{and } x \text{ where } \beta x > \text{threshold}",
        derivative_formula=r"\sigma(\beta x),\ \text{and } 1 \text{ where } \beta x > \text{threshold}",
        family="gated/smooth",
        params=(
            Param("beta", 1.0, 0.1, 10.0, 0.1, "β", N_("sharpness; large β approaches ReLU")),
            Param("threshold", 20.0, 1.0, 50.0, 1.0, "t", N_("above βx = t the function is exactly linear")),
        ),
        year=2001,
        paper="Dugas et al., Incorporating Second-Order Functional Knowledge for Better Option Pricing (2001)",
        output_range=(0.0, math.inf),
        frameworks=_frameworks("torch.nn.Softplus", "keras.activations.softplus", "jax.nn.softplus"),
        kinks=_softplus_kinks,
        kink_note=N_("f′ jumps from σ(t) to 1 at x = t/β"),
        validate=_check_softplus,
        summary=N_("A smooth ReLU; its derivative is the sigmoid."),
    )
)


def hardswish(x):
    r""":math:`x\,\mathrm{ReLU6}(x+3)/6`; f'(-3) = 0 and f'(3) = 1 (PyTorch)."""
    return x * np.clip(x + 3, 0, 6) / 6


def hardswish_derivative(x):
    return np.where(x <= -3, 0.0, np.where(x < 3, (2 * x + 3) / 6, 1.0))


register(
    Activation(
        name="hardswish",
        label="Hardswish",
        forward=hardswish,
        derivative_fn=hardswish_derivative,
        formula=r"x\,\frac{\min(\max(0, x + 3), 6)}{6}",
        derivative_formula=r"\begin{cases} 0 & x \le -3 \\ (2x + 3)/6 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
        family="gated/smooth",
        year=2019,
        paper="Howard et al., Searching for MobileNetV3 (ICCV 2019)",
        output_range=(-0.375, math.inf),
        monotonic=False,
        smooth=False,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.Hardswish", "keras.activations.hard_swish", "jax.nn.hard_swish"),
        kinks=lambda: (-3.0, 3.0),
        kink_note=N_("f′(−3) = 0, f′(3) = 1"),
        summary=N_("A piecewise-polynomial Swish that is cheap on phones."),
    )
)

# --- sigmoid-like -------------------------------------------------------------------------------------

register(
    Activation(
        name="sigmoid",
        label="Sigmoid",
        forward=sigmoid,
        derivative_fn=sigmoid_derivative,
        formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative_formula=r"\sigma(x)\,(1 - \sigma(x)) \le \tfrac14",
        family="sigmoid-like",
        year=1986,
        paper="Rumelhart, Hinton & Williams, Learning representations by back-propagating errors (1986)",
        output_range=(0.0, 1.0),
        frameworks=_frameworks("torch.nn.Sigmoid", "keras.activations.sigmoid", "jax.nn.sigmoid"),
        summary=N_("Squashes to (0, 1); its derivative is at most 1/4, so deep sigmoid nets lose gradient."),
    )
)


def hardsigmoid(x):
    r""":math:`\mathrm{ReLU6}(x+3)/6`; f' = 0 at ±3 (PyTorch)."""
    return np.clip(x + 3, 0, 6) / 6


def hardsigmoid_derivative(x):
    return np.where((x > -3) & (x < 3), 1 / 6, 0.0)


register(
    Activation(
        name="hardsigmoid",
        label="Hardsigmoid",
        forward=hardsigmoid,
        derivative_fn=hardsigmoid_derivative,
        formula=r"\frac{\min(\max(0, x + 3), 6)}{6}",
        derivative_formula=r"\begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
        family="sigmoid-like",
        year=2019,
        paper="Howard et al., Searching for MobileNetV3 (ICCV 2019)",
        output_range=(0.0, 1.0),
        smooth=False,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.Hardsigmoid", "keras.activations.hard_sigmoid", "jax.nn.hard_sigmoid"),
        kinks=lambda: (-3.0, 3.0),
        kink_note=N_("f′(±3) = 0"),
        summary=N_("A piecewise-linear sigmoid: flat, with zero gradient, beyond ±3."),
    )
)


def log_sigmoid(x):
    r""":math:`\log\sigma(x) = -\mathrm{softplus}(-x)`, computed as ``-logaddexp(0, -x)``."""
    return -np.logaddexp(0, -x)


def log_sigmoid_derivative(x):
    r""":math:`\sigma(-x) = 1 - \sigma(x)`."""
    return special.expit(-x)


register(
    Activation(
        name="log_sigmoid",
        label="LogSigmoid",
        forward=log_sigmoid,
        derivative_fn=log_sigmoid_derivative,
        formula=r"\log \sigma(x) = -\ln(1 + e^{-x})",
        derivative_formula=r"1 - \sigma(x)",
        family="sigmoid-like",
        year=None,
        paper="Log of the logistic function; used in log-likelihoods",
        output_range=(-math.inf, 0.0),
        frameworks=_frameworks("torch.nn.LogSigmoid", "keras.activations.log_sigmoid", "jax.nn.log_sigmoid"),
        summary=N_("The log of the sigmoid: linear for negative inputs, flat near 0 for positive ones."),
    )
)


def tanh(x):
    r"""Hyperbolic tangent."""
    return np.tanh(x)


def tanh_derivative(x):
    r""":math:`1 - \tanh^2(x)`."""
    t = np.tanh(x)
    return 1 - t * t


register(
    Activation(
        name="tanh",
        label="Tanh",
        forward=tanh,
        derivative_fn=tanh_derivative,
        formula=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative_formula=r"1 - \tanh^{2}(x)",
        family="sigmoid-like",
        year=1991,
        paper="LeCun et al., Efficient BackProp (1998) recommends it over the logistic sigmoid",
        output_range=(-1.0, 1.0),
        zero_centred=True,
        frameworks=_frameworks("torch.nn.Tanh", "keras.activations.tanh", "jax.numpy.tanh"),
        summary=N_("A zero-centred sigmoid with slope 1 at 0; it still saturates for large |x|."),
    )
)


def hardtanh(x, min_val=-1.0, max_val=1.0):
    r""":math:`\mathrm{clip}(x, a, b)`; f' = 0 at both bounds (PyTorch)."""
    return np.clip(x, min_val, max_val)


def hardtanh_derivative(x, min_val=-1.0, max_val=1.0):
    return ((x > min_val) & (x < max_val)).astype(x.dtype)


def _check_hardtanh(min_val, max_val):
    if min_val >= max_val:
        raise ValueError(f"Hardtanh: min_val ({min_val:g}) must be below max_val ({max_val:g})")


register(
    Activation(
        name="hardtanh",
        label="Hardtanh",
        forward=hardtanh,
        derivative_fn=hardtanh_derivative,
        formula=r"\min(\max(x, a), b)",
        derivative_formula=r"\begin{cases} 1 & a < x < b \\ 0 & \text{otherwise} \end{cases}",
        family="sigmoid-like",
        # The two ranges do not overlap, so every slider position is a valid pair (min_val < max_val).
        params=(
            Param("min_val", -1.0, -5.0, -0.1, 0.1, "a", N_("lower bound of the output")),
            Param("max_val", 1.0, 0.1, 5.0, 0.1, "b", N_("upper bound of the output")),
        ),
        year=2008,
        paper="Collobert, Large Scale Machine Learning (PhD thesis, 2004); Torch's HardTanh",
        output_range=(-1.0, 1.0),
        smooth=False,
        zero_centred=True,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.Hardtanh", "—", "jax.nn.hard_tanh"),
        kinks=lambda min_val, max_val: (min_val, max_val),
        kink_note=N_("f′ = 0 at both bounds"),
        validate=_check_hardtanh,
        summary=N_("Tanh made piecewise linear: slope 1 between the bounds, 0 outside."),
    )
)


def softsign(x):
    r""":math:`x / (1 + |x|)`."""
    return x / (1 + np.abs(x))


def softsign_derivative(x):
    r""":math:`1 / (1 + |x|)^2`."""
    return np.square(1 / (1 + np.abs(x)))


register(
    Activation(
        name="softsign",
        label="Softsign",
        forward=softsign,
        derivative_fn=softsign_derivative,
        formula=r"\frac{x}{1 + |x|}",
        derivative_formula=r"\frac{1}{(1 + |x|)^{2}}",
        family="sigmoid-like",
        year=2009,
        paper="Bergstra et al., Quadratic polynomials learn better image features (2009)",
        output_range=(-1.0, 1.0),
        zero_centred=True,
        frameworks=_frameworks("torch.nn.Softsign", "keras.activations.softsign", "jax.nn.soft_sign"),
        summary=N_("Like tanh, but it approaches ±1 polynomially, not exponentially."),
    )
)

# --- shrinkage ----------------------------------------------------------------------------------------


def tanhshrink(x):
    r""":math:`x - \tanh(x)`."""
    return x - np.tanh(x)


def tanhshrink_derivative(x):
    r""":math:`\tanh^2(x)`."""
    return np.square(np.tanh(x))


register(
    Activation(
        name="tanhshrink",
        label="Tanhshrink",
        forward=tanhshrink,
        derivative_fn=tanhshrink_derivative,
        formula=r"x - \tanh(x)",
        derivative_formula=r"\tanh^{2}(x)",
        family="shrinkage",
        year=None,
        paper="Torch7 nn library (shrinkage functions for sparse coding)",
        output_range=(-math.inf, math.inf),
        zero_centred=True,
        frameworks=_frameworks("torch.nn.Tanhshrink", "—", "—"),
        summary=N_("Near zero it is almost flat (x³/3), far away it is x ∓ 1."),
    )
)


def _check_lambd(lambd):
    if lambd < 0:
        raise ValueError(f"lambd must be non-negative, got {lambd:g}")


def softshrink(x, lambd=0.5):
    r""":math:`x - \lambda` for x > λ, :math:`x + \lambda` for x < -λ, 0 otherwise; f'(±λ) = 0."""
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))


def shrink_derivative(x, lambd=0.5):
    return (np.abs(x) > lambd).astype(x.dtype)


LAMBD = Param("lambd", 0.5, 0.0, 3.0, 0.05, "λ", N_("half-width of the zero band"))

register(
    Activation(
        name="softshrink",
        label="Softshrink",
        forward=softshrink,
        derivative_fn=shrink_derivative,
        formula=r"\begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\ 0 & \text{otherwise}"
        r"\end{cases}",
        derivative_formula=r"\begin{cases} 1 & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
        family="shrinkage",
        params=(LAMBD,),
        year=1995,
        paper="Donoho, De-noising by soft-thresholding (IEEE Trans. Inf. Theory 1995)",
        output_range=(-math.inf, math.inf),
        smooth=False,
        zero_centred=True,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.Softshrink", "keras.activations.soft_shrink", "—"),
        kinks=lambda lambd: (-lambd, lambd),
        kink_note=N_("f′(±λ) = 0"),
        validate=_check_lambd,
        summary=N_("Soft thresholding: shrinks inputs toward zero by λ, zeroing the band |x| ≤ λ."),
    )
)


def hardshrink(x, lambd=0.5):
    r""":math:`x` for |x| > λ, 0 otherwise; f'(±λ) = 0."""
    return np.where(np.abs(x) > lambd, x, 0.0)


register(
    Activation(
        name="hardshrink",
        label="Hardshrink",
        forward=hardshrink,
        derivative_fn=shrink_derivative,
        formula=r"\begin{cases} x & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
        derivative_formula=r"\begin{cases} 1 & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
        family="shrinkage",
        params=(LAMBD,),
        year=1994,
        paper="Donoho & Johnstone, Ideal spatial adaptation by wavelet shrinkage (Biometrika 1994)",
        output_range=(-math.inf, math.inf),
        smooth=False,
        monotonic=True,
        zero_centred=True,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.nn.Hardshrink", "keras.activations.hard_shrink", "—"),
        kinks=lambda lambd: (-lambd, lambd),
        kink_note=N_("f′(±λ) = 0"),
        validate=_check_lambd,
        summary=N_("Hard thresholding: keeps inputs beyond ±λ unchanged and zeroes the rest."),
    )
)

# --- other ----------------------------------------------------------------------------------------------


def identity(x):
    r"""The linear activation :math:`x`: a deep net with it is one matrix."""
    return x.copy()


def identity_derivative(x):
    return np.ones_like(x)


register(
    Activation(
        name="identity",
        label="Identity (linear)",
        forward=identity,
        derivative_fn=identity_derivative,
        formula=r"x",
        derivative_formula=r"1",
        family="other",
        year=None,
        paper="—",
        output_range=(-math.inf, math.inf),
        zero_centred=True,
        frameworks=_frameworks("torch.nn.Identity", "keras.activations.linear", "—"),
        summary=N_("No non-linearity: any depth of linear layers collapses to one."),
    )
)


def binary_step(x):
    r"""Heaviside step: 1 for x ≥ 0, 0 otherwise. Its derivative is 0 everywhere (as autograd sees it)."""
    return (x >= 0).astype(x.dtype)


def binary_step_derivative(x):
    return np.zeros_like(x)


register(
    Activation(
        name="binary_step",
        label="Binary step",
        forward=binary_step,
        derivative_fn=binary_step_derivative,
        formula=r"\begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
        derivative_formula=r"0",
        family="other",
        year=1943,
        paper="McCulloch & Pitts, A logical calculus of the ideas immanent in nervous activity (1943)",
        output_range=(0.0, 1.0),
        smooth=False,
        zero_gradient_region=True,
        frameworks=_frameworks("torch.heaviside(x, 1)", "—", "jax.numpy.heaviside"),
        kinks=lambda: (0.0,),
        kink_note=N_("f jumps at 0; f′ = 0 everywhere, so no gradient flows (the perceptron's problem)"),
        summary=N_("The perceptron's threshold: no gradient anywhere, so backpropagation cannot train it."),
    )
)


def snake(x, alpha=1.0):
    r"""Snake :math:`x + \sin^2(\alpha x)/\alpha`: periodic wiggles on a linear trend."""
    return x + np.square(np.sin(alpha * x)) / alpha


def snake_derivative(x, alpha=1.0):
    r""":math:`1 + \sin(2\alpha x)`."""
    return 1 + np.sin(2 * alpha * x)


def _check_snake(alpha):
    if alpha <= 0:
        raise ValueError(f"Snake: alpha must be positive, got {alpha:g}")


register(
    Activation(
        name="snake",
        label="Snake",
        forward=snake,
        derivative_fn=snake_derivative,
        formula=r"x + \frac{\sin^{2}(\alpha x)}{\alpha}",
        derivative_formula=r"1 + \sin(2\alpha x)",
        family="other",
        params=(Param("alpha", 1.0, 0.1, 5.0, 0.1, "α", N_("frequency of the periodic part; must be positive")),),
        year=2020,
        paper="Ziyin, Hartwig & Ueda, Neural Networks Fail to Learn Periodic Functions and How to Fix It (2020)",
        output_range=(-math.inf, math.inf),
        monotonic=True,
        frameworks=_frameworks("—", "—", "—"),
        validate=_check_snake,
        summary=N_("A monotone linear trend plus a periodic term, for learning periodic functions."),
    )
)
