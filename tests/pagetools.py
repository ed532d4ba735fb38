"""Helpers for page tests: run a page of the app in AppTest with a URL query, read its figures back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_page(page: str, query: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
    """Run the app on ``pages/<page>.py`` (page "overview": ``app.py`` itself) with the given URL query."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.run()
    return at


def figures(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page as its JSON spec ({"data": [...], "layout": {...}})."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace(figure: dict, name: str) -> dict:
    """The first trace of ``figure`` whose name is ``name``."""
    for t in figure["data"]:
        if t.get("name") == name:
            return t
    raise KeyError(f"no trace named {name!r}; traces: {[t.get('name') for t in figure['data']]}")


def assert_clean(at: AppTest) -> None:
    """No exception element on the page."""
    assert not at.exception, [e.value for e in at.exception]


def warnings(at: AppTest) -> list[str]:
    """The warning boxes' text as a visitor reads it (the page escapes Markdown in URL-quoted text)."""
    return [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]


def array(value) -> np.ndarray:
    """A trace's x/y as a float array: Plotly 7 sends numpy data as base64 typed arrays
    ({"dtype": "f8", "bdata": ...}); plain lists (None for gaps) are handled too."""
    import base64

    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            data = data.reshape([int(n) for n in str(value["shape"]).split(",")])
        return data.astype(float)
    return np.array([np.nan if v is None else v for v in value], dtype=float)
