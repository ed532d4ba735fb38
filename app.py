"""Activation Lab: the entry point and the Overview page (what the app is for, every activation at a glance).

The other pages are ``pages/<url-path>.py``; each calls ``ui.page.setup()`` first, as this one does.
"""

import streamlit as st

from activations.figures.gallery import gallery_figure
from ui.common import language, sync_url, tr
from ui.export_panel import show_chart
from ui.page import page_links, setup

setup()
_ = tr()


@st.cache_data(max_entries=4, show_spinner=False)
def cached_gallery(lang: str):
    return gallery_figure(lang=lang)


st.title(_("Activation Lab"))
st.markdown(
    _(
        "Every layer of a deep network multiplies the gradient flowing back through it by the "
        "activation's derivative and by the weights. If that product is below one layer after layer "
        "(sigmoid's derivative is at most ¼), the gradient **vanishes** and the first layers stop "
        "learning; if it is above one, it **explodes**. A ReLU unit whose input is negative for every "
        "example has derivative 0 and is **dead**: no gradient reaches its weights again. Leaky ReLU, "
        "PReLU and ELU keep a gradient on the negative side, and the right initialisation (He for "
        "ReLU, Xavier for tanh) keeps the product near one. Explore the functions, then watch it happen."
    )
)
page_links()
st.caption(_("Click a function's name to open it in the Function Explorer."))
show_chart(cached_gallery(language()), "activation_gallery", key="gallery")
sync_url({})  # no state of its own; keeps lang=zh in the address
