"""What every page draws first: page settings, the server's one-time setup, the translated navigation,
the language switch and the export panel.

The app is Streamlit's ``pages/`` multipage app (``app.py`` is the Overview, ``pages/<url-path>.py`` the
others), with Streamlit's own sidebar menu hidden (``client.showSidebarNavigation = false``) so that this
menu, drawn with ``st.page_link``, can be translated and keep ``lang=`` in its links.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from activations.i18n import DEFAULT_LANGUAGE, N_
from ui.common import language, language_switch, tr
from ui.export_panel import export_panel
from ui.server import warm_up

ROOT = Path(__file__).resolve().parent.parent
ICON = ROOT / "assets" / "icon.png"
NAV_KEY = "app_nav"  # the menu's container: CSS class st-key-app_nav

# (file, title, icon); a page file is named after its URL path, so deep links resolve.
PAGES = (
    ("app.py", N_("Overview"), ":material/grid_view:"),
    ("pages/explorer.py", N_("Function Explorer"), ":material/show_chart:"),
    ("pages/softmax.py", N_("Softmax"), ":material/bar_chart:"),
    ("pages/gradient-flow.py", N_("Gradient Flow"), ":material/stacked_line_chart:"),
    ("pages/training.py", N_("Training Lab"), ":material/model_training:"),
)


def setup() -> None:
    """Call first on every page: settings, navigation, language switch and export panel, in the sidebar."""
    st.set_page_config(page_title="Activation Lab", page_icon=str(ICON), layout="wide")
    warm_up()  # first: settles lazy imports and first-use caches once for the whole herd (ui/server.py)
    language_switch()
    navigation()
    export_panel()


def navigation() -> None:
    """The menu of pages, in the visitor's language (the language travels with the link)."""
    _ = tr()
    keep = {"lang": language()} if language() != DEFAULT_LANGUAGE else None
    with st.sidebar.container(key=NAV_KEY):
        for path, title, icon in PAGES:
            st.page_link(path, label=_(title), icon=icon, query_params=keep, width="stretch")


def page_links(container=None) -> None:
    """Links to the four pages (the Overview's row of buttons)."""
    _ = tr()
    keep = {"lang": language()} if language() != DEFAULT_LANGUAGE else None
    targets = PAGES[1:]
    columns = (container or st).columns(len(targets))
    for column, (path, title, icon) in zip(columns, targets, strict=True):
        column.page_link(path, label=_(title), icon=icon, query_params=keep)
