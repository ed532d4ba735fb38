"""Every chart the app and the CLI draw, as the pages draw them: each page's default view and presets.

``charts(lang)`` yields (name, figure) pairs; the figure check (tests/test_figure_check.py) draws each one
in every theme at slide size. The computations are cached: the training presets take a few seconds.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

import activations
from activations.figures.explorer import function_figure, sample_curve
from activations.figures.gallery import gallery_figure
from activations.figures.gradient_flow import (
    activity_heatmap,
    dead_saturated_figure,
    distribution_figure,
    gradient_norm_figure,
    layer_factor_figure,
    run_label,
)
from activations.figures.softmax import bars_figure, jacobian_figure, sigmoid_link_figure, temperature_figure
from activations.figures.training import training_figures
from activations.network import DEFAULT_CONFIG, PRESETS, simulate
from activations.training import PRESET_COMPARE, PRESET_INFO, train
from activations.training import PRESETS as TRAINING_PRESETS

EXPLORER_VIEWS = {
    "default": (("sigmoid", {}), ("tanh", {}), ("relu", {})),
    "rectifiers": (("relu", {}), ("leaky_relu", {"alpha": 0.2}), ("elu", {}), ("gelu", {})),
    "smooth": (("silu", {}), ("mish", {}), ("softplus", {}), ("hardswish", {}), ("selu", {}), ("softsign", {})),
}
SOFTMAX_LOGITS, SOFTMAX_T = (2.0, 1.0, 0.1, -1.0), 1.0
TRAINING_VIEWS = ("dying_relu", "vanishing_sigmoid")  # trained to the end; the others at step 0


def explorer(view: str, lang: str):
    curves = [sample_curve(activations.get(fn), p, -5.0, 5.0) for fn, p in EXPLORER_VIEWS[view]]
    symbols = {c.name: {p.name: p.symbol for p in activations.get(c.name).params} for c in curves}
    return function_figure(curves, symbols, lang=lang)


@functools.cache
def gradient_flow_runs(preset: str) -> tuple:
    config = PRESETS.get(preset, DEFAULT_CONFIG)
    return tuple(
        simulate(fn, depth=config.depth, width=config.width, batch=config.batch, init=init, sigma_w=config.sigma_w,
                 bias=config.bias, seed=config.seed, params=config.params.get(fn))
        for fn in config.activations
        for init in config.inits
    )  # fmt: skip


GRADIENT_FLOW_FIGURES = {
    "gradients": gradient_norm_figure,
    "factor": layer_factor_figure,
    "activations": distribution_figure,
    "dead": dead_saturated_figure,
    "units": activity_heatmap,
}


def gradient_flow(preset: str, figure: str, lang: str):
    runs = list(gradient_flow_runs(preset))
    labels = [run_label(r, len({r.init for r in runs}) > 1, lang) for r in runs]
    return GRADIENT_FLOW_FIGURES[figure](runs, lang, labels)


@functools.cache
def training_results(preset: str) -> tuple:
    """The preset's run, and beside it the compare run when the page opens the preset with it switched on
    (dying ReLU beside Leaky ReLU, as a lecturer sees it)."""
    config = TRAINING_PRESETS[preset]
    info = PRESET_INFO.get(preset, {})
    if not info.get("compare_on"):
        return (train(config),)
    activation, params = info["compare"]
    change = {"activation": activation, "params": params, **PRESET_COMPARE.get(preset, {})}
    return train(config), train(dataclasses.replace(config, **change))


def _builders() -> dict:
    """name -> builder(lang), for every chart of every page's default view and presets (nothing is
    computed until a builder is called)."""
    out = {"overview/gallery": lambda lang: gallery_figure(lang=lang)}
    for view in EXPLORER_VIEWS:
        out[f"explorer/{view}"] = functools.partial(explorer, view)
    out["softmax/probabilities"] = lambda lang: bars_figure(SOFTMAX_LOGITS, SOFTMAX_T, lang)
    out["softmax/jacobian"] = lambda lang: jacobian_figure(SOFTMAX_LOGITS, SOFTMAX_T, lang)
    out["softmax/temperature"] = lambda lang: temperature_figure(SOFTMAX_LOGITS, SOFTMAX_T, lang)
    out["softmax/sigmoid"] = sigmoid_link_figure
    for preset in ("default", *PRESETS):
        for figure in GRADIENT_FLOW_FIGURES:
            out[f"gradient-flow/{preset}/{figure}"] = functools.partial(gradient_flow, preset, figure)
    for preset in TRAINING_VIEWS:
        for name in TRAINING_CHARTS:
            out[f"training/{preset}/{name}"] = functools.partial(training, preset, name)
    return out


TRAINING_CHARTS = ("loss", "boundary", "dead", "gradients")  # "alpha" only for PReLU


def training(preset: str, name: str, lang: str):
    return training_figures(list(training_results(preset)), lang)[name]


BUILDERS = _builders()


def chart(name: str, lang: str = "en"):
    return BUILDERS[name](lang)


def charts(lang: str = "en") -> Iterator[tuple[str, object]]:
    """(name, figure) for every chart of every page's default view and presets."""
    for name in BUILDERS:
        yield name, chart(name, lang)
