"""Helpers for the translation tests: what the code asks to translate, what the catalog holds, and a
detector for English UI text left on a page that should be in Chinese.

The detector is the heart of the page checks (AppTest and Chromium): every msgid that has a Chinese
translation different from itself, and that contains English words, becomes a pattern (placeholders
match any text). A visible string is a leak when it, or one of its fragments (split at separators
such as ":", "·", "(", line breaks, HTML tags), IS such an msgid, or when it contains a msgid of two or
more English words as a whole phrase (e.g. "ReLU · He normal" leaks "He normal").
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app.py", "pages", "ui", "activations")
KEYWORDS = {"_": None, "N_": None}
PO_PATH = ROOT / "activations" / "locale" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def source_files() -> list[Path]:
    files = []
    for name in SOURCES:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def babel_messages() -> dict[str, list[str]]:
    """msgid -> ["file:line", ...] as Babel's Python extractor (what ``pybabel extract -k _ -k N_`` does)
    finds them: adjacent string literals are joined. Babel also picks up a literal *inside* a non-literal
    argument, e.g. "title" from ``_(PRESETS[k]["title"])``; ``extracted_messages`` drops those."""
    found: dict[str, list[str]] = {}
    for path in source_files():
        with open(path, "rb") as f:
            for lineno, message, _comments, _context in extract("python", f, keywords=KEYWORDS, comment_tags=()):
                if isinstance(message, str) and message:
                    found.setdefault(message, []).append(f"{path.relative_to(ROOT)}:{lineno}")
    return found


def literal_arguments() -> dict[str, list[str]]:
    """msgid -> ["file:line", ...] for every string that is the whole first argument of a call to _() or
    N_(), read with ast (so also inside f-strings, where Babel on Python 3.11 does not look)."""
    found: dict[str, list[str]] = {}
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in KEYWORDS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def extracted_messages() -> dict[str, list[str]]:
    """The messages of the app: Babel's extraction, without the artefacts it picks up inside non-literal
    arguments, plus any literal message Babel cannot see (test_babel_finds_every_literal_message lists them)."""
    literal, babel = literal_arguments(), babel_messages()
    return {
        **{m: where for m, where in babel.items() if m in literal},
        **{m: w for m, w in literal.items() if m not in babel},
    }


def read_catalog(path: Path = PO_PATH):
    """The parsed PO catalog (Babel raises on a syntax error with abort_invalid)."""
    with open(path, "rb") as f:
        return read_po(f, abort_invalid=True)


def catalog_entries(path: Path = PO_PATH) -> dict[str, str]:
    """msgid -> msgstr for every entry but the header, empty translations included."""
    return {m.id: m.string for m in read_catalog(path) if m.id and isinstance(m.id, str)}


def placeholders(text: str) -> set[tuple[str, str, str | None]]:
    """{(field name, format spec, conversion)} of a str.format template: '{d:.3g} at {x}' ->
    {('d', '.3g', None), ('x', '', None)}."""
    return {(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None}


def english_words(msgid: str) -> list[str]:
    """The English words (two letters or more) in a msgid's literal text, placeholders left out."""
    literal = " ".join(lit for lit, *_rest in string.Formatter().parse(msgid))
    return ENGLISH_WORD.findall(literal)


def _normalise(text: str) -> str:
    """Visible text as a person reads it: Markdown bold and backslash escapes removed."""
    text = re.sub(r"\\(.)", r"\1", str(text))
    return text.replace("**", "")


def _pattern(msgid: str) -> str:
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(_normalise(msgid)):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(r".+?")
    return "".join(parts)


FRAGMENT_SPLIT = re.compile(r"\s*(?:\n|<[^>]*>|%\{[^}]*\}|·|[:：;；,，()（）\[\]“”\"])\s*")


def fragments(text: str) -> list[str]:
    """The text and its pieces between separators, each stripped."""
    text = _normalise(text)
    return [f for f in dict.fromkeys([text.strip(), *(p.strip() for p in FRAGMENT_SPLIT.split(text))]) if f]


class LeakDetector:
    """Finds English msgids (with a real translation) in visible text."""

    def __init__(self, translations: Mapping[str, str]):
        self.whole: list[tuple[str, re.Pattern]] = []
        self.phrase: list[tuple[str, re.Pattern]] = []
        for msgid, msgstr in translations.items():
            words = english_words(msgid)
            if not msgstr or msgstr == msgid or not words:
                continue
            pattern = _pattern(msgid)
            self.whole.append((msgid, re.compile(pattern, re.DOTALL)))
            if len(words) >= 2:
                self.phrase.append((msgid, re.compile(r"(?<![A-Za-z])" + pattern + r"(?![A-Za-z])", re.DOTALL)))
        # English a correct translation keeps ("SGD" in "SGD（随机梯度下降）", "Softmax" in "Softmax 函数")
        # cannot be told from a leak in running text: such msgids are not looked for.
        kept = {m for _text, m in self.leaks(t for t in translations.values() if t)}
        self.undetectable = kept
        self.whole = [(m, p) for m, p in self.whole if m not in kept]
        self.phrase = [(m, p) for m, p in self.phrase if m not in kept]

    def leaks(self, texts: Iterable[str]) -> list[tuple[str, str]]:
        """(visible text, msgid) for each English msgid found."""
        found = []
        for text in dict.fromkeys(str(t) for t in texts if t):
            pieces = fragments(text)
            hits = {m for m, p in self.whole if any(p.fullmatch(piece) for piece in pieces)}
            hits |= {m for m, p in self.phrase if p.search(_normalise(text))}
            found += [(text, m) for m in sorted(hits)]
        return found


@cache
def zh_detector() -> LeakDetector:
    return LeakDetector(catalog_entries())


# --- what a page shows, read from AppTest ---------------------------------------------------------------------

# Proto fields that are not text a person reads (ids, icons, number formats, file ids, chart specs).
SKIP_FIELDS = {"id", "form_id", "icon", "format", "deferred_file_id", "config", "spec", "url", "data", "tag"}


def proto_strings(message) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.name in SKIP_FIELDS:
            continue
        values = value if field.is_repeated else [value]
        if field.type == field.TYPE_STRING:
            yield from values
        elif field.type == field.TYPE_MESSAGE:
            for v in values:
                if hasattr(v, "ListFields"):
                    yield from proto_strings(v)


FIGURE_TEXT_KEYS = {"text", "name", "hovertemplate", "texttemplate", "title"}


def figure_strings(node) -> Iterator[str]:
    """Titles, axis titles, legend names, annotations, hover templates and colour-bar titles of a Plotly
    figure's JSON (text under the keys a person reads)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FIGURE_TEXT_KEYS and isinstance(value, str):
                yield value
            elif key in FIGURE_TEXT_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield from value
            else:
                yield from figure_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from figure_strings(item)


def visible_strings(at) -> list[str]:
    """Every piece of text an AppTest run puts on screen: titles, Markdown, captions, alerts, widget labels,
    help texts and options, table headers and cells (main area and sidebar), and the figures' text (not
    code blocks: a script is Python whatever the interface language)."""
    import json

    out: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        proto = getattr(node, "proto", None)
        if node.type == "plotly_chart":
            out.extend(figure_strings(json.loads(proto.spec)))
        elif node.type == "code":
            pass  # program text (Copy as PyTorch): Python, in English whatever the interface language
        elif node.type in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            out.extend(str(c) for c in frame.columns)
            out.extend(str(v) for v in frame.to_numpy().ravel())
        elif proto is not None and hasattr(proto, "ListFields"):
            out.extend(proto_strings(proto))
        if children:
            for child in children.values():
                walk(child)

    walk(at._tree)
    return [s for s in out if s and s.strip()]
