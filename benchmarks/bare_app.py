"""The baseline page: one Streamlit slider driving one Plotly line chart, nothing else.

Every browser benchmark measures an app page against this page served by the same Streamlit, in the
same run, with the same ``.streamlit/config.toml``, so what is left in the ratio is the app's own work
(its widgets, core calls, figure size), not Streamlit's round trip or the machine's load.

``streamlit run benchmarks/bare_app.py`` (from the repository root); ``?k=`` sets the slider's start.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

POINTS = 500


def wave(k: int) -> tuple[np.ndarray, np.ndarray]:
    """y = sin((1 + k/10)·x) on 500 points of [−5, 5]: new data for every slider value."""
    x = np.linspace(-5.0, 5.0, POINTS)
    return x, np.sin((1.0 + k / 10.0) * x)


st.set_page_config(page_title="Bare", layout="wide")
start = st.query_params.get("k", "0")
if "k" not in st.session_state:
    st.session_state.k = int(start) if start.isdigit() and int(start) <= 100 else 0
k = st.slider("k", 0, 100, key="k")
x, y = wave(k)
figure = go.Figure(go.Scatter(x=x, y=y, mode="lines", name="wave"))
st.plotly_chart(figure, key="bare_chart", width="stretch", theme=None)
