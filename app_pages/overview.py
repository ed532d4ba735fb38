"""Overview: what the app is for, and every activation at a glance."""

import streamlit as st

from activations.figures.gallery import gallery_figure
from ui.common import language, show_chart, sync_url, tr

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
links = st.columns(4)
links[0].page_link("app_pages/explorer.py", label=_("Function Explorer"), icon=":material/show_chart:")
links[1].page_link("app_pages/softmax.py", label=_("Softmax"), icon=":material/bar_chart:")
st.caption(_("Click a function's name to open it in the Function Explorer."))
show_chart(cached_gallery(language()), "activation_gallery", key="gallery")
sync_url({})  # no state of its own; keeps lang=zh in the address
