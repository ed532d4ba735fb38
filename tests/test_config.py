"""Server configuration a public deployment relies on, and bounded caches in every page."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
STREAMLIT_SOURCES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"])


def test_usage_statistics_are_off():
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_visitors_never_see_error_details():
    # "none" hides the message and the traceback; True/"full"/"stacktrace" would show code paths.
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_server_does_not_rerun_on_file_changes():
    assert CONFIG["server"].get("runOnSave", False) is False
    assert CONFIG["server"].get("headless") is True


def cache_decorators(path: Path) -> list[tuple[int, str, set[str]]]:
    """(line, decorator, keyword names) of every st.cache_data / st.cache_resource decorator in ``path``,
    bare (``@st.cache_data``) or called (``@st.cache_data(max_entries=...)``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = ast.unparse(target)
            if name.split(".")[-1] in ("cache_data", "cache_resource"):
                keywords = {k.arg for k in decorator.keywords} if isinstance(decorator, ast.Call) else set()
                found.append((decorator.lineno, f"{name} on {node.name}()", keywords))
    return found


def test_the_scanner_sees_bare_and_called_decorators(tmp_path):
    sample = tmp_path / "page.py"
    sample.write_text(
        "import streamlit as st\n"
        "@st.cache_data\ndef a(): pass\n"
        "@st.cache_resource(ttl=5)\ndef b(): pass\n"
        "@st.cache_data(max_entries=8, ttl=60)\ndef c(): pass\n"
    )
    assert [(line, keywords) for line, _name, keywords in cache_decorators(sample)] == [
        (2, set()),
        (4, {"ttl"}),
        (6, {"max_entries", "ttl"}),
    ]


@pytest.mark.parametrize("path", STREAMLIT_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_streamlit_cache_is_bounded(path):
    """A cache keyed by what visitors choose grows with every new choice: max_entries bounds it, so
    server memory stays bounded however many students move sliders (ttl alone would not)."""
    unbounded = [
        f"line {line}: {name}" for line, name, keywords in cache_decorators(path) if "max_entries" not in keywords
    ]
    assert unbounded == [], f"{path.name}: caches without max_entries"
