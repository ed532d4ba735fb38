"""Deep networks for the Gradient Flow page: cached, and several side by side.

Speed (a slider move recomputes every network shown): the networks run side by side in a small thread
pool (numpy releases the GIL in matrix products and ufuncs), with OpenBLAS held to one thread per
product: on a shared 2-core server, OpenBLAS's own threads waiting for a busy core made one network
take up to 20× longer than on a single thread (``ui.server.tune_server``, run by every page).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from activations import custom
from activations.figures.gradient_flow import INIT_LABELS
from activations.network import DEFAULT_CONFIG, SizeFit, Stats, fit_size, simulate
from activations.urlstate import Warnings
from ui.common import language, tr

MAX_RUNS = 4  # networks on the page at once


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_simulate(
    fn: str,
    formula: str | None,
    params: tuple,
    depth: int,
    width: int,
    batch: int,
    init: str,
    sigma_w: float | None,
    bias: float,
    seed: int,
) -> Stats:
    return simulate(
        custom.resolve(fn, formula),
        depth=depth,
        width=width,
        batch=batch,
        init=init,
        bias=bias,
        seed=seed,
        params=dict(params),
        sigma_w=sigma_w,
    )


def simulate_all(jobs: list[tuple]) -> list[Stats | ValueError]:
    """``cached_simulate(*job)`` for every job, side by side on up to one thread per core (each worker
    carries this session's script context, so the cache and a rerun request work as on the script's
    own thread); a configuration the engine refuses gives its ValueError in place of the Stats."""

    def run(job: tuple) -> Stats | ValueError:
        try:
            return cached_simulate(*job)
        except ValueError as err:
            return err

    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return [run(job) for job in jobs]
    with ThreadPoolExecutor(workers, initializer=add_script_run_ctx, initargs=(None, get_script_run_ctx())) as pool:
        return list(pool.map(run, jobs))


def run_networks(
    fns: list[str],
    inits: list[str],
    formula: str | None,
    params: dict[str, dict[str, float]],
    depth: int,
    width: int,
    batch: int,
    sigma_w: float,
    bias: float,
    seed: int,
) -> tuple[SizeFit, list[Stats], Warnings]:
    """Every chosen activation × initialisation on the same network (at most MAX_RUNS, the size fitted to
    what a shared server can hold), with a warning for everything left out or changed."""
    _ = tr()
    warnings = Warnings()
    run_fns = [fn for fn in fns if fn != custom.NAME or formula is not None] or list(DEFAULT_CONFIG.activations)
    run_inits = list(inits) or list(DEFAULT_CONFIG.inits)
    if not fns:
        warnings.add(_("Choose at least one activation; showing the default ones."))
    if not inits:
        warnings.add(_("Choose at least one initialisation; showing {init}.").format(init=_(INIT_LABELS[run_inits[0]])))
    if len(run_fns) * len(run_inits) > MAX_RUNS:
        keep = MAX_RUNS // len(run_inits)
        warnings.add(
            _("At most {n} networks are compared at once: showing the first {k} activations.").format(
                n=MAX_RUNS, k=keep
            )
        )
        run_fns = run_fns[:keep]
    fit = fit_size(depth, int(width), int(batch), run_inits)
    for message in fit.warnings(language()):
        warnings.add(message)
    jobs = [
        (
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
        )
        for fn in run_fns
        for init in run_inits
    ]
    runs: list[Stats] = []
    for job, result in zip(jobs, simulate_all(jobs), strict=True):
        if isinstance(result, ValueError):
            warnings.add(_("{label}: {error}").format(label=custom.resolve(job[0], job[1]).label, error=result))
        else:
            runs.append(result)
    return fit, runs, warnings
