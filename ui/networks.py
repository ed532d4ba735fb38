"""Deep networks for the Gradient Flow page: cached, several side by side, and as PyTorch scripts.

Speed (a slider move recomputes every network shown): the networks run side by side in a small thread
pool (numpy releases the GIL in matrix products and ufuncs), with OpenBLAS held to one thread per
product: on a shared 2-core server, OpenBLAS's own threads waiting for a busy core made one network
take up to 20× longer than on a single thread (``ui.server.warm_up``, run by every page).
"""

from __future__ import annotations

import dataclasses
import math
import os
from concurrent.futures import ThreadPoolExecutor

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from activations import codegen, custom, theory
from activations.figures.gradient_flow import INIT_LABELS, phase_diagram_figure
from activations.figures.sweeps import gradient_flow_sweep_figure
from activations.init import weight_variance
from activations.network import DEFAULT_CONFIG, SizeFit, Stats, fit_size, simulate
from activations.urlstate import Warnings
from ui.common import language, tr

MAX_RUNS = 4  # networks on the page at once


@dataclasses.dataclass(frozen=True)
class Run:
    """One network of the page: ``simulate``'s arguments, hashable (the cache key)."""

    fn: str
    formula: str | None
    params: tuple[tuple[str, float], ...]
    depth: int
    width: int
    batch: int
    init: str
    sigma_w: float | None
    bias: float
    seed: int
    architecture: str
    sigma_b: float

    def kwargs(self) -> dict:
        """``simulate``'s (and ``codegen.gradient_flow_script``'s) keyword arguments."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fn, formula = fields.pop("fn"), fields.pop("formula")
        return {**fields, "activation": custom.resolve(fn, formula), "params": dict(self.params)}


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_simulate(run: Run) -> Stats:
    return simulate(**run.kwargs())


def simulate_all(runs: list[Run]) -> list[Stats | ValueError]:
    """``cached_simulate(run)`` for every run, side by side on up to one thread per core (each worker
    carries this session's script context, so the cache and a rerun request work as on the script's
    own thread); a configuration the engine refuses gives its ValueError in place of the Stats."""

    def one(run: Run) -> Stats | ValueError:
        try:
            return cached_simulate(run)
        except ValueError as err:
            return err

    workers = min(len(runs), os.cpu_count() or 1)
    if workers <= 1:
        return [one(run) for run in runs]
    with ThreadPoolExecutor(workers, initializer=add_script_run_ctx, initargs=(None, get_script_run_ctx())) as pool:
        return list(pool.map(one, runs))


def run_networks(
    fns: list[str],
    inits: list[str],
    architectures: list[str],
    formula: str | None,
    params: dict[str, dict[str, float]],
    size: tuple[int, int, int],
    sigma_w: float,
    bias: float,
    sigma_b: float,
    seed: int,
) -> tuple[SizeFit, list[tuple[Run, Stats]], Warnings]:
    """Every chosen activation × initialisation × architecture on the same network (at most MAX_RUNS,
    ``size`` = (depth, width, batch) fitted to what a shared server can hold), with a warning for
    everything left out or changed."""
    _ = tr()
    warnings = Warnings()
    run_fns = [fn for fn in fns if fn != custom.NAME or formula is not None] or list(DEFAULT_CONFIG.activations)
    run_inits = list(inits) or list(DEFAULT_CONFIG.inits)
    run_archs = list(architectures) or ["plain"]
    if not fns:
        warnings.add(_("Choose at least one activation; showing the default ones."))
    if not inits:
        warnings.add(_("Choose at least one initialisation; showing {init}.").format(init=_(INIT_LABELS[run_inits[0]])))
    if len(run_fns) * len(run_inits) * len(run_archs) > MAX_RUNS:
        keep = max(1, MAX_RUNS // (len(run_inits) * len(run_archs)))
        warnings.add(
            _("At most {n} networks are compared at once: showing the first {k} activations.").format(
                n=MAX_RUNS, k=keep
            )
        )
        run_fns = run_fns[:keep]
        run_inits = run_inits[: MAX_RUNS // (keep * len(run_archs))] or run_inits[:1]
    depth, width, batch = size
    fit = fit_size(depth, int(width), int(batch), run_inits)
    for message in fit.warnings(language()):
        warnings.add(message)
    runs = [
        Run(
            fn,
            formula if fn == custom.NAME else None,
            tuple(sorted((params.get(fn) or custom.resolve(fn, formula).defaults).items())),
            depth,
            fit.width,
            fit.batch,
            init,
            float(sigma_w) if init == "scaled_normal" else None,
            float(bias),
            seed,
            architecture,
            float(sigma_b),
        )
        for fn in run_fns
        for init in run_inits
        for architecture in run_archs
    ]
    done: list[tuple[Run, Stats]] = []
    for run, result in zip(runs, simulate_all(runs), strict=True):
        if isinstance(result, ValueError):
            warnings.add(_("{label}: {error}").format(label=custom.resolve(run.fn, run.formula).label, error=result))
        else:
            done.append((run, result))
    return fit, done, warnings


def network_sigma_w(run: Run) -> float:
    """The σ_w of the run's weights: Var(W) = σ_w² / fan_in (He: √2 for ReLU, Xavier on square layers: 1)."""
    act = custom.resolve(run.fn, run.formula)
    variance = weight_variance(run.init, run.width, run.width, activation=act.name, params=dict(run.params),
                               sigma_w=run.sigma_w)  # fmt: skip
    return math.sqrt(variance * run.width)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def cached_phase_diagram(fn: str, formula: str | None, params: tuple, current: tuple, label: str, lang: str):
    diagram = theory.phase_diagram(custom.resolve(fn, formula), params=dict(params))
    return phase_diagram_figure(diagram, current=current, lang=lang, label=label)


def phase_diagram(run: Run, label: str):
    """The order-to-chaos phase diagram of the run's activation, the run's (σ_w, σ_b) marked."""
    current = (round(network_sigma_w(run), 4), run.sigma_b)
    return cached_phase_diagram(run.fn, run.formula, run.params, current, label, language())


def pytorch_panel(runs: list[Run], labels: list[str]) -> None:
    """Copy as PyTorch: each network on the page as a standalone script (numpy and torch only) that
    builds the same network from the same random numbers and prints the same gradient norms."""
    _ = tr()
    # A toggle, not an expander: the scripts (and their syntax highlighting) go to the browser only when
    # asked for, which a class of browsers opening the page at once can feel.
    if not st.toggle(_("Copy as PyTorch"), key="gf_pytorch"):
        return
    with st.container(border=True):
        st.caption(
            _(
                "A standalone script (numpy and torch only) that draws this network's random numbers exactly "
                "as the app does and prints the same per-layer gradient norms as its last line (JSON). Use "
                "the copy button at the top right of the code."
            )
        )
        tabs = st.tabs(labels) if len(runs) > 1 else [st.container()]
        for tab, run in zip(tabs, runs, strict=True):
            try:
                script = codegen.gradient_flow_script(**run.kwargs())
            except ValueError as err:
                tab.warning(_("No script for this network: {error}").format(error=err), icon="⚠️")
                continue
            tab.code(script, language="python")


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _cached_sweep(runs: tuple[Run, ...], target: str, labels: tuple[str, ...], lang: str):
    bar = st.progress(0.0, text=tr()("Computing every frame…"))
    fig = gradient_flow_sweep_figure([r.kwargs() for r in runs], target, labels=list(labels), lang=lang,
                                     progress=lambda f: bar.progress(min(max(f, 0.0), 1.0)))  # fmt: skip
    bar.empty()
    return fig


def sweep_figure(runs: list[Run], target: str, labels: list[str]):
    """The gradient-norm chart with ``target`` (σ_w, bias or depth) live: every network re-simulated at each
    frame's value, once (cached), with a progress bar while that takes."""
    return _cached_sweep(tuple(runs), target, tuple(labels), language())
