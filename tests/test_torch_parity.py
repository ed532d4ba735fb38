"""Values and derivatives equal PyTorch's (float64, autograd) everywhere, kinks included (issue 2, §1).

Optional: skipped when torch is not installed (`pip install torch==2.13.0` installs a CPU build).
Activations torch lacks are written in torch from their definitions (binary_step = heaviside with
gradient 0, squared_relu = relu², snake = x + sin²(αx)/α, SiLU with β ≠ 1 = x·sigmoid(βx)).
"""

from __future__ import annotations

import numpy as np
import pytest
from activation_cases import NAMES, param_cases, with_points

import activations

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def _heaviside(x):
    step = torch.heaviside(x.detach(), torch.ones((), dtype=x.dtype))
    return step + 0.0 * x  # autograd through the step: gradient 0 everywhere


def _silu(x, beta):
    return F.silu(x) if beta == 1.0 else x * torch.sigmoid(beta * x)


TORCH = {
    "relu": lambda x, p: F.relu(x),
    "relu6": lambda x, p: F.relu6(x),
    "leaky_relu": lambda x, p: F.leaky_relu(x, p["alpha"]),
    "prelu": lambda x, p: F.prelu(x, torch.tensor([p["alpha"]], dtype=x.dtype)),
    "rrelu": lambda x, p: F.rrelu(x, p["lower"], p["upper"], training=False),
    "squared_relu": lambda x, p: F.relu(x) ** 2,
    "elu": lambda x, p: F.elu(x, p["alpha"]),
    "selu": lambda x, p: F.selu(x),
    "celu": lambda x, p: F.celu(x, p["alpha"]),
    "gelu": lambda x, p: F.gelu(x),
    "gelu_tanh": lambda x, p: F.gelu(x, approximate="tanh"),
    "silu": lambda x, p: _silu(x, p["beta"]),
    "mish": lambda x, p: F.mish(x),
    "softplus": lambda x, p: F.softplus(x, beta=p["beta"], threshold=p["threshold"]),
    "hardswish": lambda x, p: F.hardswish(x),
    "sigmoid": lambda x, p: torch.sigmoid(x),
    "hardsigmoid": lambda x, p: F.hardsigmoid(x),
    "log_sigmoid": lambda x, p: F.logsigmoid(x),
    "tanh": lambda x, p: torch.tanh(x),
    "hardtanh": lambda x, p: F.hardtanh(x, p["min_val"], p["max_val"]),
    "softsign": lambda x, p: F.softsign(x),
    "tanhshrink": lambda x, p: F.tanhshrink(x),
    "softshrink": lambda x, p: F.softshrink(x, p["lambd"]),
    "hardshrink": lambda x, p: F.hardshrink(x, p["lambd"]),
    "identity": lambda x, p: torch.nn.Identity()(x),
    "binary_step": lambda x, p: _heaviside(x),
    "snake": lambda x, p: x + torch.sin(p["alpha"] * x) ** 2 / p["alpha"],
}

BASE = np.concatenate([np.linspace(-8.0, 8.0, 801), [-1e4, -1e3, -100.0, -40.0, -25.0, 25.0, 40.0, 100.0, 1e3, 1e4]])


# PyTorch's hardsigmoid backward multiplies by a float32 1/6 (0.16666667163...) even in float64; the
# registry keeps the exact 1/6 (checked in test_derivatives), so here it only has to agree to float32.
DERIVATIVE_RTOL = {"hardsigmoid": 1e-7}


def grid_with_kinks(name, params):
    act = activations.get(name)
    resolved = act.resolve(params)
    points = list(act.kink_points(**params))
    if name == "softplus":  # where PyTorch switches to the linear branch
        points.append(resolved["threshold"] / resolved["beta"])
    return with_points(BASE, points, offsets=(0.0, 1e-9, 1e-3))


def torch_value_and_grad(name, x, params):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH[name](xt, params)
    (grad,) = torch.autograd.grad(y.sum(), xt)
    return y.detach().numpy(), grad.numpy()


def test_every_activation_has_a_torch_reference():
    assert set(NAMES) <= set(TORCH), f"add a torch reference for {sorted(set(NAMES) - set(TORCH))}"


@pytest.mark.parametrize(("name", "params"), param_cases())
def test_values_and_derivatives_equal_pytorch_including_kinks(name, params):
    if name not in TORCH:
        pytest.skip(f"no torch reference for {name}")
    act = activations.get(name)
    x = grid_with_kinks(name, params)
    full = act.resolve(params)
    y_ref, d_ref = torch_value_and_grad(name, x, full)
    y, d = act(x, **params), act.derivative(x, **params)
    bad_y = ~np.isclose(y, y_ref, rtol=1e-12, atol=1e-14)
    bad_d = ~np.isclose(d, d_ref, rtol=DERIVATIVE_RTOL.get(name, 1e-12), atol=1e-14)
    assert not bad_y.any(), f"f differs at x = {x[bad_y][:5]}: {y[bad_y][:5]} vs torch {y_ref[bad_y][:5]}"
    assert not bad_d.any(), f"f' differs at x = {x[bad_d][:5]}: {d[bad_d][:5]} vs torch {d_ref[bad_d][:5]}"


KINKED = [c for c in param_cases() if activations.get(c.values[0]).kink_points(**c.values[1])]


@pytest.mark.parametrize(("name", "params"), KINKED)
def test_derivative_at_each_kink_is_pytorchs(name, params):
    """The same comparison, only at the kinks, so a convention mismatch is named plainly."""
    if name not in TORCH:
        pytest.skip(f"no torch reference for {name}")
    act = activations.get(name)
    x = np.array(act.kink_points(**params), dtype=np.float64)
    _, d_ref = torch_value_and_grad(name, x, act.resolve(params))
    # Exact for the conventions (0, 1, α, …); a smooth value there (softplus's σ(t)) may differ in the last bit.
    np.testing.assert_allclose(act.derivative(x, **params), d_ref, rtol=DERIVATIVE_RTOL.get(name, 4e-16), atol=0)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "gelu", "hardswish", "softplus", "elu", "mish", "tanh"])
def test_float32_values_match_pytorch_float32(name):
    x = grid_with_kinks(name, {}).astype(np.float32)
    x = x[np.abs(x) <= 100]
    act = activations.get(name)
    xt = torch.tensor(x, requires_grad=True)
    y_ref = TORCH[name](xt, act.defaults)
    (d_ref,) = torch.autograd.grad(y_ref.sum(), xt)
    y, d = act(x), act.derivative(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, y_ref.detach().numpy(), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(d, d_ref.numpy(), rtol=2e-6, atol=1e-6)
