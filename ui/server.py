"""Process-wide settings and first-use work for the Streamlit server, settled once before any page runs.

A lecture starts with a herd: a freshly started server opened by a whole class within a second, each
visitor's script on its own thread. Whatever a library does on first use then happens in many threads
at once. Python's import system makes a second importer wait for a module another thread is importing,
but code that peeks at ``sys.modules`` does not wait: Plotly's figure serialisation asks
``sys.modules.get("pandas")`` (and ``"PIL.Image"``) to recognise DataFrames and images, and while
another visitor's ``st.dataframe`` is halfway through ``import pandas`` it gets the half-initialised
module and fails with ``AttributeError: partially initialized module 'pandas' has no attribute
'Series'``. First-use caches (Plotly's validator table and templates, the Babel catalogs, SymPy's
printers) are filled by whichever threads get there, some of them writing shared dicts as they go.

``warm_up()`` does all of that once, under a lock, before any page's code: every page's script calls it
first (through app.py, or the shared page setup), the first caller does the work and the others wait
for it, and every later call is one flag check.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
import time

from threadpoolctl import threadpool_limits

LOG = logging.getLogger(__name__)

# Imported by the libraries below the pages only when first needed (found by recording the imports of a
# first visit to every page): Streamlit's dataframe element imports pandas and pyarrow, Plotly's
# serialisation orjson and PIL, the formula box SymPy and mpmath, the export panel kaleido, the language
# switch Babel's PO reader. Optional ones that are not installed are skipped.
LAZY_MODULES = (
    "pandas",
    "pyarrow",
    "PIL.Image",
    "orjson",
    "narwhals",
    "sympy",
    "mpmath",
    "scipy.special",
    "babel.messages.pofile",
    "kaleido",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.tools",
    "streamlit.dataframe_util",
    "streamlit.elements.arrow",
    "streamlit.emojis",
    "streamlit.material_icon_names",
    "_strptime",
)
# A formula with a parameter and a branch: parsing it exercises the formula language end to end.
WARM_FORMULA = "where(x > 0, x, a*(exp(x) - 1))"

_lock = threading.Lock()
_settled = threading.Event()
_blas_limit: threadpool_limits | None = None  # kept alive: the limit lasts as long as this object


def warm_up() -> None:
    """Settle every lazy import and first-use initialisation of the process, once; cheap to call again.

    Thread-safe and idempotent: the first caller does the work (a few seconds on a cold process) while
    concurrent callers wait for it; every later call returns at once. Never raises: a step that fails
    is logged as a warning and the page then meets the problem itself, with its own message.

    Also applies the process-wide settings (both help every page):

    - OpenBLAS held to one thread: the page gets its parallelism from running the networks side by
      side (``simulate_all``), and many sessions run at once anyway;
    - ``gc.freeze()`` after the imports: Streamlit runs a full garbage collection after every script run
      (``runner.postScriptGC``), which walked the ~150k objects of the imported libraries for 60–100 ms
      each time, holding the GIL, so the last charts of a run reached the browser that much later.
      Frozen objects are skipped by the collector (still freed normally when unreferenced).
    """
    global _blas_limit
    if _settled.is_set():
        return
    with _lock:
        if _settled.is_set():
            return
        started = time.perf_counter()
        for step in (_import_lazy_modules, _first_uses):
            try:
                step()
            except Exception as err:  # a broken optional piece must not keep the app from starting
                LOG.warning("warm-up step %s failed: %s: %s", step.__name__, type(err).__name__, err)
        _blas_limit = threadpool_limits(limits=1, user_api="blas")
        gc.freeze()
        _settled.set()
        LOG.debug("warm-up took %.2f s", time.perf_counter() - started)


def is_warm() -> bool:
    """Whether ``warm_up()`` has finished in this process."""
    return _settled.is_set()


def _import_lazy_modules() -> None:
    for name in LAZY_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _first_uses() -> None:
    """Fill the first-use caches the pages rely on, by using each once the way a page does."""
    from activations import custom
    from activations.i18n import LANGUAGES, catalog
    from activations.themes import THEMES, template_dict

    for lang in LANGUAGES:
        catalog(lang)  # Babel parses the PO file on first use
    formula = custom.parse(WARM_FORMULA)
    formula.derivative(0.5, **formula.defaults)
    for theme in THEMES.values():
        template_dict(theme.template)  # Plotly loads each named template from its JSON on first use
    time.strptime("2026", "%Y")
    _serialise_like_streamlit(_warm_figure())


def _warm_figure():
    """A small figure with every trace type and layout part the app's figures use."""
    import plotly.graph_objects as go

    from activations.figures.style import base_layout

    layout = base_layout(
        title={"text": "warm-up"},
        xaxis2={"anchor": "y2"},
        yaxis2={"anchor": "x2", "type": "log"},
        annotations=[{"text": "a", "x": 0, "y": 0, "showarrow": False}],
        shapes=[{"type": "line", "x0": 0, "x1": 1, "y0": 0, "y1": 1}],
        sliders=[{"steps": [{"label": "0", "method": "restyle", "args": ["visible", [True]]}]}],
        updatemenus=[{"buttons": [{"label": "play", "method": "animate", "args": [None]}]}],
        coloraxis={"colorscale": "Viridis"},
    )
    traces = [
        go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], mode="lines+markers", line={"dash": "dot"}, fill="tozeroy"),
        go.Bar(x=["a", "b"], y=[1.0, 2.0], error_y={"array": [0.1, 0.2]}, marker={"line": {"width": 1}}),
        go.Heatmap(z=[[0.0, 1.0], [1.0, 0.0]], coloraxis="coloraxis", xaxis="x2", yaxis="y2"),
    ]
    return go.Figure(data=traces, layout=layout, frames=[go.Frame(data=[go.Scatter(y=[1.0, 0.0])], name="1")])


def _serialise_like_streamlit(fig) -> str:
    """What ``st.plotly_chart`` does with a figure (validated once more, then written as JSON)."""
    import plotly.io
    import plotly.tools

    figure = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    return plotly.io.to_json(figure, validate=False)
