"""Mean-field theory: Gaussian expectations against closed forms and scipy, the textbook values of χ,
and theory against measurement on wide networks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special

import activations
from activations import theory
from activations.network import forward_backward, layer_weight, simulate
from activations.theory import activation_moments, gaussian_expectation, gaussian_rule, length_map, mean_field


def quad_expectation(g, mean, var):
    """E[g(z)], z ~ N(mean, var), by adaptive quadrature with breakpoints every half unit in x."""
    sd = math.sqrt(var)

    def integrand(xi):
        return float(g(np.array([mean + sd * xi]))[0]) * math.exp(-0.5 * xi * xi) / math.sqrt(2 * math.pi)

    points = sorted({(k - mean) / sd for k in np.arange(-10, 10.5, 0.5)} | {0.0})
    points = [p for p in points if -14 < p < 14]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quad's roundoff notes on near-zero integrands
        return integrate.quad(integrand, -14, 14, points=points, limit=2000, epsabs=1e-14, epsrel=1e-12)[0]


def test_closed_forms_for_relu():
    for mean, var in ((0.0, 1.0), (0.3, 2.0), (-1.2, 0.25), (0.5, 1e4)):
        sd = math.sqrt(var)
        a = mean / sd
        phi, cdf = math.exp(-a * a / 2) / math.sqrt(2 * math.pi), special.ndtr(a)
        f2, d2 = activation_moments("relu", mean, var)
        assert d2 == pytest.approx(cdf, rel=1e-12)  # E[ReLU′(z)²] = P(z > 0)
        assert f2 == pytest.approx((mean**2 + var) * cdf + mean * sd * phi, rel=1e-10)
    assert gaussian_expectation(lambda x: x**2, 0.7, 3.0) == pytest.approx(3.0 + 0.49, rel=1e-12)
    assert gaussian_expectation(np.cos, 0.0, 2.0) == pytest.approx(math.exp(-1.0), rel=1e-12)


@pytest.mark.parametrize(("mean", "var", "kinks"), [(0.0, 1.0, ()), (-1.5, 0.04, (0.0,)), (0.3, 30.0, (0.0, 6.0))])
def test_one_rule_integrates_the_gaussian_moments(mean, var, kinks):
    """The nodes and weights activation_moments shares between f² and f′²: exact for polynomials of low
    degree, E[1] = 1, E[z] = mean, E[z²] = mean² + var, E[(z − mean)⁴] = 3 var²."""
    x, w = gaussian_rule(mean, var, kinks)
    assert w.sum() == pytest.approx(1.0, rel=1e-12)
    assert w @ x == pytest.approx(mean, abs=1e-12 * (1 + abs(mean) + math.sqrt(var)))
    assert w @ x**2 == pytest.approx(mean**2 + var, rel=1e-12)
    assert w @ (x - mean) ** 4 == pytest.approx(3 * var**2, rel=1e-10)
    assert np.all(np.diff(x) > 0)  # panels in order, no node twice
    assert gaussian_rule(0.5, 0.0)[0].tolist() == [0.5]
    assert math.isnan(gaussian_rule(0.0, math.nan)[0][0]) and math.isnan(activation_moments("tanh", 0.0, -1.0)[0])


@pytest.mark.parametrize("name", activations.names())
def test_moments_match_adaptive_quadrature(name):
    act = activations.get(name)
    for mean in (0.0, -1.2):
        for sd in (0.05, 1.0, 4.0):
            f2, d2 = activation_moments(name, mean, sd**2)
            assert f2 == pytest.approx(quad_expectation(lambda x: act(x) ** 2, mean, sd**2), rel=1e-6, abs=1e-12)
            assert d2 == pytest.approx(
                quad_expectation(lambda x: act.derivative(x) ** 2, mean, sd**2), rel=1e-6, abs=1e-12
            )


def test_gauss_hermite_is_exact_for_analytic_integrands_but_not_across_a_kink():
    tanh = activations.get("tanh")
    for name in ("tanh", "sigmoid", "gelu"):
        act = activations.get(name)
        exact = quad_expectation(lambda x, act=act: act.derivative(x) ** 2, 0.1, 1.0)
        hermite = gaussian_expectation(lambda x, act=act: act.derivative(x) ** 2, 0.1, 1.0, method="hermite")
        assert hermite == pytest.approx(exact, rel=1e-8)
    relu = activations.get("relu")
    hermite = gaussian_expectation(lambda x: relu.derivative(x) ** 2, 0.3, 1.0, method="hermite")
    assert abs(hermite - special.ndtr(0.3)) > 1e-3  # why activation_moments uses the panel rule
    with pytest.raises(ValueError, match="method"):
        gaussian_expectation(tanh, method="simpson")


@pytest.mark.parametrize(
    ("name", "params", "sigma_w2", "chi"),
    [
        ("relu", None, 2.0, 1.0),  # He init: critical
        ("relu", None, 1.0, 0.5),  # Xavier for square layers: halves the squared gradient per layer
        ("leaky_relu", {"alpha": 0.2}, 2.0 / 1.04, 1.0),
        ("prelu", None, 2.0 / (1 + 0.25**2), 1.0),
        ("identity", None, 1.0, 1.0),
    ],
)
def test_textbook_chi(name, params, sigma_w2, chi):
    field = mean_field(name, 10, 256, 32, sigma_w2, params=params)
    np.testing.assert_allclose(field.chi, chi, rtol=1e-12)


def test_sigmoid_with_unit_weights_loses_a_factor_of_about_18_per_layer():
    field = mean_field("sigmoid", 30, 256, 32, 1.0)
    assert field.chi[-1] == pytest.approx(0.056, abs=0.001)
    assert 1 / field.chi[-1] == pytest.approx(18, abs=0.5)
    # The per-layer factors telescope: the predicted ‖δ‖² ratio over the net is the product of χ.
    change = 2 * (field.log10_grad_z_norm[0] - field.log10_grad_z_norm[-1])
    assert change == pytest.approx(np.sum(np.log10(field.chi[:-1])), rel=1e-12)


def test_length_map_fixed_points():
    q, second, _ = length_map("relu", 20, 2.0, input_second_moment=1.0)
    np.testing.assert_allclose(q, 2.0, rtol=1e-12)  # He: the variance is preserved
    np.testing.assert_allclose(second, 1.0, rtol=1e-12)
    q, _, _ = length_map("tanh", 200, 0.8**2)
    assert q[-1] < 1e-30  # below the edge of chaos the signal dies
    q, _, derivative = length_map("tanh", 200, 1.0)
    assert 0 < q[-1] < 0.02 and derivative[-1] == pytest.approx(1.0, abs=0.03)  # edge of chaos: χ → 1
    q, _, _ = length_map("tanh", 200, 1.5**2)
    assert q[-1] == pytest.approx(q[-2], rel=1e-9) and q[-1] > 0.5  # above it: a non-zero fixed point
    q, _, _ = length_map("relu", 5, 1.0, bias=1.0, sigma_b2=0.5)
    assert q[0] == pytest.approx(1.5)


def test_overflowing_length_map_stops_with_nan():
    q, _, _ = length_map("relu", 300, 64.0)  # q multiplies by 32 per layer: float64 overflows near layer 205
    assert np.isfinite(q[:150]).all() and np.isnan(q[-1])


# --- theory against measurement, wide networks ------------------------------------------------------


def geometric_mean(values: np.ndarray) -> float:
    values = values[np.isfinite(values) & (values > 0)]
    return float(np.exp(np.mean(np.log(values))))


@pytest.mark.parametrize(
    ("name", "init", "chi"),
    [("relu", "he_normal", 1.0), ("relu", "xavier_normal", 0.5), ("sigmoid", "xavier_normal", None)],
)
def test_measured_per_layer_factor_follows_chi(name, init, chi):
    stats = simulate(name, depth=16, width=768, batch=32, init=init, seed=1)
    theory = stats.theory.chi[:-1]
    if chi is not None:
        np.testing.assert_allclose(theory, chi, rtol=1e-12)
    measured = geometric_mean(stats.layer_factor)
    assert measured == pytest.approx(geometric_mean(theory), rel=0.03)
    # Over the whole network (15 factors), the measured change in ‖δ‖ stays within ~15% of theory's.
    measured_change = stats.log10_grad_z_norm[0] - stats.log10_grad_z_norm[-1]
    predicted_change = stats.theory.log10_grad_z_norm[0] - stats.theory.log10_grad_z_norm[-1]
    assert measured_change == pytest.approx(predicted_change, abs=math.log10(1.15))
    # Absolute sizes too: the theory is not anchored on the measurement.
    np.testing.assert_allclose(stats.grad_z_norm[-1], stats.theory.grad_z_norm[-1], rtol=0.05)


@pytest.mark.parametrize(("name", "init"), [("tanh", "xavier_normal"), ("sigmoid", "xavier_normal")])
def test_measured_pre_activation_variance_follows_the_length_map(name, init):
    stats = simulate(name, depth=12, width=768, batch=32, init=init, seed=2)
    np.testing.assert_allclose(stats.pre_activation_var, stats.theory.q, rtol=0.1)
    np.testing.assert_allclose(stats.pre_activation_var[0], stats.theory.q[0], rtol=0.02)


def test_weight_gradient_prediction_includes_the_forward_signal():
    # ReLU/Xavier: ‖δ‖ halves (squared) going down while the inputs' size doubles: ‖∂L/∂W‖ stays flat.
    stats = simulate("relu", depth=16, width=768, batch=32, init="xavier_normal", seed=3)
    assert abs(stats.theory.log10_grad_norm[0] - stats.theory.log10_grad_norm[-1]) < 1e-9
    assert stats.theory.log10_grad_z_norm[0] - stats.theory.log10_grad_z_norm[-1] == pytest.approx(
        15 * math.log10(math.sqrt(0.5))
    )
    np.testing.assert_allclose(stats.grad_norm, stats.theory.grad_norm, rtol=0.35)


def test_the_plain_loss_breaks_the_agreement_which_is_why_simulate_uses_a_random_error():
    width, depth, batch, seed = 512, 16, 32, 0
    x = np.random.default_rng(seed).standard_normal((batch, width))
    weights = [layer_weight("he_normal", layer, width, seed, dtype=np.float64) for layer in range(depth)]
    trace = forward_backward(x, weights, [np.zeros(width)] * depth, "relu")  # loss ½‖h_L‖²: top gradient h_L
    squared = np.array([np.sum(g**2) for g in trace.grad_z])
    assert geometric_mean(squared[:-1] / squared[1:]) > 1.08  # THEORY.md: ~13% above χ = 1


# --- the order-to-chaos phase diagram -----------------------------------------------------------------


def test_phase_diagram_tanh_is_critical_at_sigma_w_1_without_bias_and_later_with_it():
    """Poole et al. 2016 / Schoenholz et al. 2017 (THEORY.md §6): tanh with σ_b = 0 is critical at σ_w = 1;
    random biases move the critical line to larger σ_w."""
    diagram = theory.phase_diagram("tanh", np.linspace(0.5, 3.0, 26), np.linspace(0.0, 1.0, 5))
    assert diagram.log_chi.shape == (5, 26) and np.all(np.isfinite(diagram.log_chi))
    assert diagram.critical_sigma_w[0] == pytest.approx(1.0, abs=1e-6)
    assert np.all(np.diff(diagram.critical_sigma_w) > 0.05)
    # ordered (χ₁ < 1) left of the line, chaotic right of it, in every row
    for row, critical in zip(diagram.log_chi, diagram.critical_sigma_w, strict=True):
        assert np.all(row[diagram.sigma_w < critical - 0.05] < 0) and np.all(row[diagram.sigma_w > critical + 0.05] > 0)
    # on the line, χ₁ computed from scratch (exact moments at the exact fixed point) is 1
    for sigma_b, sigma_w in zip(diagram.sigma_b[1:], diagram.critical_sigma_w[1:], strict=True):
        assert theory.depth_scales("tanh", sigma_w, sigma_b).chi_1 == pytest.approx(1.0, abs=2e-4)
    # below the line at σ_b = 0, q* = 0 and χ₁ = σ_w² tanh′(0)² = σ_w²
    left = diagram.sigma_w < 1
    np.testing.assert_allclose(diagram.log_chi[0, left], np.log(diagram.sigma_w[left] ** 2), atol=1e-6)


def test_phase_diagram_relu_line_is_sigma_w_squared_2_for_every_bias():
    """ReLU's E[f′(z)²] = ½ for any q, so χ₁ = σ_w²/2 everywhere: critical at σ_w = √2 (He init), whatever σ_b."""
    diagram = theory.phase_diagram("relu", np.linspace(0.5, 3.0, 26), np.linspace(0.0, 2.0, 5))
    np.testing.assert_allclose(diagram.log_chi, np.log(diagram.sigma_w**2 / 2)[None, :].repeat(5, 0), atol=1e-9)
    np.testing.assert_allclose(diagram.critical_sigma_w, math.sqrt(2), atol=1e-9)
    # q* = σ_b² / (1 − σ_w²/2) where it exists (ordered side)
    i, j = 2, 5  # σ_b = 1, σ_w = 1
    assert diagram.q_star[i, j] == pytest.approx(1.0 / (1 - 0.5), rel=1e-4)


def test_phase_diagram_refuses_bad_grids():
    with pytest.raises(ValueError, match="sigma_w"):
        theory.phase_diagram("tanh", [1.0], [0.0])
    with pytest.raises(ValueError, match="positive"):
        theory.phase_diagram("tanh", [0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="sigma_b"):
        theory.depth_scales("tanh", 1.0, -0.5)


def test_depth_scales_diverge_at_criticality_and_agree_in_the_ordered_phase():
    critical = theory.depth_scales("tanh", 1.0, 0.0)
    assert critical.chi_1 == pytest.approx(1.0, abs=1e-9) and critical.xi_grad > 1e8
    ordered = theory.depth_scales("tanh", 0.9, 0.0)
    assert ordered.c_star == 1.0 and ordered.xi_c == ordered.xi_grad == pytest.approx(-1 / math.log(0.81))
    near = theory.depth_scales("tanh", 0.99, 0.0)
    assert near.xi_grad > 10 * ordered.xi_grad  # ξ = −1/ln χ₁ ~ 1/(2·(1 − σ_w)) blows up toward the line
    he = theory.depth_scales("relu", math.sqrt(2) * 0.99, 0.5)
    assert he.chi_1 == pytest.approx(0.99**2) and he.xi_grad == pytest.approx(-1 / math.log(0.99**2))


def test_depth_scales_chaotic_phase_has_a_correlation_fixed_point_below_1():
    """σ_w = 1.5, σ_b = 0.3 (tanh): chaotic, so two inputs decorrelate to c* < 1, approached at the rate
    χ_c < 1 while gradients explode (ξ_∇ < 0)."""
    point = theory.depth_scales("tanh", 1.5, 0.3)
    assert point.chi_1 > 1 and point.xi_grad < 0
    assert 0 < point.c_star < 1 and 0 < point.chi_c < 1 and point.xi_c > 0
    # c* is a fixed point of the correlation map (checked with an independent Monte Carlo estimate)
    rng = np.random.default_rng(0)
    xi1, xi2 = rng.standard_normal((2, 400_000))
    c, q = point.c_star, point.q_star
    u1, u2 = math.sqrt(q) * xi1, math.sqrt(q) * (c * xi1 + math.sqrt(1 - c * c) * xi2)
    mapped = (1.5**2 * np.mean(np.tanh(u1) * np.tanh(u2)) + 0.3**2) / q
    assert mapped == pytest.approx(c, abs=5e-3)  # Monte Carlo error ~ 1/√(4e5) · O(1)
    odd = theory.depth_scales("tanh", 1.5, 0.0)  # no bias, odd f: c* = 0 (inputs end up uncorrelated)
    assert odd.c_star == pytest.approx(0.0, abs=1e-8)
    assert math.isnan(theory.depth_scales("relu", 1.6, 0.3).xi_c)  # q* diverges: no c* to sit on
