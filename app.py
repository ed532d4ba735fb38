"""Activation Lab: entry point. Declares the pages and the sidebar bits every page shares."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from activations.i18n import N_
from ui.common import language_switch, tr
from ui.export_panel import export_panel
from ui.server import warm_up

ICON = Path(__file__).parent / "assets" / "icon.png"

# (file, title, url path, icon): each page file is named after its URL path so deep links resolve.
PAGES = [
    ("app_pages/overview.py", N_("Overview"), "", ":material/grid_view:"),
    ("app_pages/explorer.py", N_("Function Explorer"), "explorer", ":material/show_chart:"),
    ("app_pages/softmax.py", N_("Softmax"), "softmax", ":material/bar_chart:"),
    ("app_pages/gradient-flow.py", N_("Gradient Flow"), "gradient-flow", ":material/stacked_line_chart:"),
    ("app_pages/training.py", N_("Training Lab"), "training", ":material/model_training:"),
]


def run() -> None:
    st.set_page_config(page_title="Activation Lab", page_icon=str(ICON), layout="wide")
    warm_up()  # before any page code: settles lazy imports once for the whole herd (ui/server.py)
    language_switch()
    _ = tr()
    pages = [
        st.Page(path, title=_(title), url_path=url or None, icon=icon, default=not url)
        for path, title, url, icon in PAGES
    ]
    page = st.navigation(pages)
    export_panel()
    page.run()


run()
