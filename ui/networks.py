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
from activations.network import Stats, simulate


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
