"""A page with one swept chart, for the drag benchmark and the browser test of in-figure sliders.

``streamlit run benchmarks/sweep_app.py`` (from the repository root); ``?chart=explorer`` (ELU's α beside
ReLU, the default), ``softmax`` (the temperature) or ``gradient_flow`` (σ_w of a small tanh network).
The chart is shown the way a page shows a swept figure: ``st.plotly_chart(fig, width="stretch",
theme=None)``, no selection events, so moving its in-figure slider involves no server at all.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from activations.figures import sweeps  # noqa: E402

CHARTS = ("explorer", "softmax", "gradient_flow")


@st.cache_resource(max_entries=8, show_spinner=False)
def figure(chart: str):
    if chart == "softmax":
        return sweeps.softmax_sweep_figure("bars", [2.0, 1.0, 0.1, -1.0], 1.0, "t")
    if chart == "gradient_flow":
        run = dict(activation="tanh", depth=20, width=64, batch=64, init="scaled_normal", sigma_w=1.0)
        return sweeps.gradient_flow_sweep_figure([run], "sigma_w", count=21)
    return sweeps.explorer_sweep_figure([("elu", {"alpha": 1.0}), ("relu", {})], "elu", "alpha")


st.set_page_config(page_title="Sweep", layout="wide")
chart = st.query_params.get("chart", "explorer")
chart = chart if chart in CHARTS else "explorer"
st.plotly_chart(figure(chart), key="sweep_chart", width="stretch", theme=None)
