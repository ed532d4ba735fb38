"""Process-wide settings for the Streamlit server, applied once from app.py."""

from __future__ import annotations

import gc

import streamlit as st
from threadpoolctl import threadpool_limits


@st.cache_resource(max_entries=1, show_spinner=False)
def tune_server() -> threadpool_limits:
    """Once per server process, called by app.py (both settings are process-wide and help every page):

    - OpenBLAS held to one thread: the page gets its parallelism from running the networks side by
      side (``simulate_all``), and many sessions run at once anyway;
    - ``gc.freeze()``: Streamlit runs a full garbage collection after every script run
      (``runner.postScriptGC``), which walked the ~150k objects of the imported libraries for 60–100 ms
      each time, holding the GIL, so the last charts of a run reached the browser that much later.
      Frozen objects are skipped by the collector (still freed normally when unreferenced).
    """
    gc.freeze()
    return threadpool_limits(limits=1, user_api="blas")
