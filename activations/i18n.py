"""One message catalog for every string a user reads, in the app and in exported figures.

Strings are written in English in the code, wrapped in ``_()``; the Simplified Chinese catalog is the
gettext PO file ``activations/locale/zh_Hans/LC_MESSAGES/messages.po``, read with Babel (no compile
step, so the catalog in the repository is the one the app uses). A message missing from a catalog
falls back to English.

    _ = translator("zh")
    _("Derivative")            # -> "导数"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
_CATALOG_LOCALE = {"zh": "zh_Hans"}


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / _CATALOG_LOCALE[lang] / "LC_MESSAGES" / "messages.po"


@cache
def catalog(lang: str) -> dict[str, str]:
    """msgid -> translated text for ``lang`` (empty for English, the source language)."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    from babel.messages.pofile import read_po

    with open(catalog_path(lang), "rb") as f:
        po = read_po(f)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string}


def normalise_language(lang: object) -> str:
    """'zh', 'zh-CN', 'zh_Hans' -> 'zh'; anything unknown -> English."""
    text = str(lang or "").strip().lower().replace("_", "-")
    if text.startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


def translator(lang: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """A ``_(message)`` function for ``lang``."""
    messages = catalog(normalise_language(lang))

    def _(message: str) -> str:
        return messages.get(message, message)

    return _


def N_(message: str) -> str:
    """Marks a string for translation where it is defined; it is translated where it is shown."""
    return message


_HYPHEN_MINUS = re.compile(r"(?<![\w\-])-(?=\.?\d)|(?<=\de)-(?=\d)")


def minus(text: str) -> str:
    """Display text with the minus sign U+2212 in negative numbers ("α=-0.5" -> "α=−0.5", "1e-05" ->
    "1e−05"), the sign Plotly writes in its own tick labels, so one chart never mixes "-" and "−".
    Hyphens inside words ("x-axis", "top-1") stay. Never for URLs or file names."""
    return _HYPHEN_MINUS.sub("\u2212", text)
