"""The one table of the app's pages that the benchmarks, the load test and the bad-input sweep read.

A new page is covered everywhere by adding one ``PageSpec`` to ``PAGES``: its URL parameters (swept
with every hostile value in ``HOSTILE``), the widget values its URL falls back to, and the slider the
benchmark and the load test move. An entry whose page file is not on disk yet, or not listed in
``ui/page.py``'s ``PAGES``, is skipped (``available_pages()``), so entries for pages still being written
can sit here and start being used the day the page lands.

Imports nothing from Streamlit or the pages: the registry and the core limits only.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import activations

ROOT = Path(__file__).resolve().parent.parent


# --- hostile URL values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """A value a stranger can put in any URL parameter.

    ``garbage``: unusable for every parameter (not a number, not a name), so each page must fall back to
    its defaults. The others (negative, zero, huge, fractional sizes, lists) are usable by some
    parameters and must be clamped or refused with a warning."""

    id: str
    value: str | tuple[str, ...]  # a tuple is a repeated key: ?k=a&k=b (the page reads the last one)
    garbage: bool


LONG = "x" * 10_000
PWNED = "/tmp/activation-lab-url-code-ran"  # the "code" value creates this file if a page ever evaluates it
SCRIPT = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
HOSTILE: tuple[Hostile, ...] = (
    Hostile("word", "abc", True),
    Hostile("nan", "nan", True),
    Hostile("minus-inf", "-inf", True),
    Hostile("overflow", "1e999", True),
    Hostile("negative", "-5", False),
    Hostile("zero", "0", False),
    Hostile("huge", "1e9", False),
    Hostile("fraction", "2.5", False),
    Hostile("long", LONG, True),
    Hostile("unicode", "α→∞ 😀 \u202eevil\u202c 漢字 ﷽", True),
    Hostile("script", SCRIPT, True),
    Hostile("format", "{0}{name}{__class__}%s%n\\", True),
    Hostile("code", f"__import__('os').system('touch {PWNED}')", True),
    Hostile("power-tower", "9**9**9**9", True),
    Hostile("overflowing-formula", "exp(exp(exp(x)))*a", True),
    Hostile("control", "\x1b[31m\r\nERROR fake log line\t", True),
    Hostile("repeated", ("1", "nope"), True),
    # 100 repeats: with every parameter at once the query must stay under Streamlit's 512 KiB limit.
    Hostile("list", ",".join(["relu", "nope", "-1", "nan"] * 100), False),
)


# --- the pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchSpec:
    """What the latency benchmark and the load test do on a page.

    ``query``: the URL query of the measured state; ``slider``: the widget key of the slider whose
    ArrowRight presses are timed (each press must change the data of plot number ``plot``, and the
    start value must leave room for 40 steps to the right: the benchmark's 3 rounds of 12 presses);
    ``goal``: the slider-to-plot ratio against the
    bare page (None: measured, no goal)."""

    label: str
    query: str
    slider: str
    plot: int = 0
    goal: float | None = None


@dataclass(frozen=True)
class PageSpec:
    """One page of the app, as every cross-page check sees it.

    ``name``: the file stem (``pages/<name>.py``, AppTest's ``switch_page``); ``url_path``: the path the
    browser opens (``""`` is ``/``); ``params``: every URL parameter the page reads; ``contexts``: queries
    under which the parameters that depend on others are read (``alpha`` only matters once ``fn``
    selects an activation that has one); ``defaults``: widget key -> the value the page must fall back
    to when its URL is garbage; ``min_charts``: Plotly charts the page always draws; ``bench``: the
    latency benchmark's scenario (None: the page is not benchmarked); ``activation_sliders``: the
    session-state key pattern of the page's per-activation parameter sliders ("ex_{fn}.{param}") and
    its activation picker's key, for the slider-extremes sweep."""

    name: str
    url_path: str
    params: tuple[str, ...]
    contexts: tuple[dict[str, str], ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    min_charts: int = 1
    bench: BenchSpec | None = None
    activation_sliders: tuple[str, str] | None = None
    max_functions: int = 6

    @property
    def path(self) -> str:
        """The page's script, relative to the app: ``app.py`` for the Overview, else ``pages/<name>.py``."""
        return "app.py" if self.url_path == "" else f"pages/{self.name}.py"

    @property
    def file(self) -> Path:
        return ROOT / self.path

    @property
    def url(self) -> str:
        return "/" + self.url_path


# Every page reads these (the language switch and the sidebar's export panel, ui/export_panel.py).
GLOBAL_PARAMS = ("lang", "present", "theme", "figsize")


def activation_param_names() -> tuple[str, ...]:
    """Every parameter name a URL can give an activation: bare (``alpha``) and qualified (``elu.alpha``)."""
    bare, qualified = [], []
    for fn in activations.names():
        for p in activations.get(fn).params:
            if p.name not in bare:
                bare.append(p.name)
            qualified.append(f"{fn}.{p.name}")
    return (*bare, *qualified)


def activation_contexts(max_functions: int, **fixed: str) -> tuple[dict[str, str], ...]:
    """Queries selecting every activation that has parameters, ``max_functions`` at a time, so that each
    of their parameters is read by the page (plus ``fixed`` parameters, e.g. a small network)."""
    with_params = [fn for fn in activations.names() if activations.get(fn).params]
    chunks = [with_params[i : i + max_functions] for i in range(0, len(with_params), max_functions)]
    return tuple({"fn": ",".join(chunk), **fixed} for chunk in chunks)


ACTIVATION_PARAMS = activation_param_names()
# "Your own formula" (activations/custom.py): fn=custom&formula=...; its parameters are named by the formula
# and given as custom.<name>= or <name>=. The second context gives a formula with parameters a and k.
FORMULA_PARAMS = ("formula", "custom.a", "custom.k", "k")
FORMULA_CONTEXTS = ({"fn": "custom"}, {"fn": "custom", "formula": "a*x + sigmoid(k*x)"})

PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        name="overview",
        url_path="",
        params=(),
        min_charts=1,
    ),
    PageSpec(
        name="explorer",
        url_path="explorer",
        params=("fn", "xmin", "xmax", "f2", *FORMULA_PARAMS, *ACTIVATION_PARAMS),
        contexts=(*activation_contexts(6), *FORMULA_CONTEXTS),
        defaults={"ex_fns": ["sigmoid", "tanh", "relu"], "ex_xrange": (-5.0, 5.0), "ex_second": False},
        bench=BenchSpec(
            label="explorer (3 functions)",
            query="fn=sigmoid,tanh,elu&elu.alpha=0.2",
            slider="ex_elu.alpha",
            goal=1.3,
        ),
        activation_sliders=("ex_{fn}.{param}", "ex_fns"),
        max_functions=6,
    ),
    PageSpec(
        name="softmax",
        url_path="softmax",
        params=("z", "t"),
        defaults={"sm_n": 4, "sm_z0": 2.0, "sm_z1": 1.0, "sm_t": 1.0},
        min_charts=4,
        bench=BenchSpec(label="softmax", query="z=-8,1,0.1,-1", slider="sm_z0", goal=1.3),
    ),
    # The gradient-flow page (issue 4): used as soon as pages/gradient-flow.py is listed in ui/page.py.
    PageSpec(
        name="gradient-flow",
        url_path="gradient-flow",
        params=(
            "preset",
            "fn",
            "init",
            "depth",
            "width",
            "batch",
            "sigma_w",
            "bias",
            "sigma_b",
            "architecture",
            "seed",
            *FORMULA_PARAMS,
            *ACTIVATION_PARAMS,
        ),
        contexts=(
            *activation_contexts(4, depth="3", width="8", batch="4"),
            *({**c, "depth": "3", "width": "8", "batch": "4"} for c in FORMULA_CONTEXTS),
        ),
        defaults={
            "gf_preset": "custom",
            "gf_fns": ["sigmoid", "tanh", "relu"],
            "gf_inits": ["xavier_normal"],
            "gf_depth": 30,
            "gf_width": 256,
            "gf_batch": 32,
            "gf_bias": 0.0,
            "gf_sigma_b": 0.0,
            "gf_archs": ["plain"],
            "gf_seed": 0,
        },
        min_charts=5,
        bench=BenchSpec(
            label="gradient flow (depth 50 × width 256, 3 activations, batch 32)",
            query="depth=50&width=256&bias=-1.5",
            slider="gf_bias",
            goal=2.0,
        ),
        activation_sliders=("gf_{fn}.{param}", "gf_fns"),
        max_functions=4,
    ),
    # The training page (issue 5). Not benchmarked here (its plots move on Run, not on a slider).
    PageSpec(
        name="training",
        url_path="training",
        params=(
            "preset",
            "dataset",
            "n",
            "noise",
            "fn",
            "activation",
            "depth",
            "width",
            "init",
            "sigma_w",
            "optimizer",
            "momentum",
            "lr",
            "batch",
            "steps",
            "record",
            "seed",
            "compare",
            "cmp.alpha",
            *FORMULA_PARAMS,
            *ACTIVATION_PARAMS,
        ),
        contexts=(
            *activation_contexts(1, depth="1", width="4", steps="1", n="8"),
            *({**c, "depth": "1", "width": "4", "steps": "1", "n": "8"} for c in FORMULA_CONTEXTS),
        ),
        min_charts=1,
        activation_sliders=("tl_{fn}.{param}", "tl_fn"),
        max_functions=1,
    ),
)


def registered_pages(navigation: Path = ROOT / "ui" / "page.py") -> set[str]:
    """The page files the navigation lists in its PAGES table (read with ``ast``: importing it needs Streamlit)."""
    tree = ast.parse(navigation.read_text(encoding="utf-8"))
    files: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            for entry in ast.walk(node.value):
                if isinstance(entry, ast.Tuple) and entry.elts and isinstance(entry.elts[0], ast.Constant):
                    files.add(str(entry.elts[0].value))
    return files


def available_pages() -> list[PageSpec]:
    """The entries of PAGES whose page is on disk and listed in the navigation."""
    registered = registered_pages()
    return [p for p in PAGES if p.file.exists() and p.path in registered]


def pending_pages() -> list[PageSpec]:
    """Entries still waiting for their page (reported, so nobody forgets to check them when it lands)."""
    ready = {p.name for p in available_pages()}
    return [p for p in PAGES if p.name not in ready]


def url_query(params: dict[str, str | tuple[str, ...]]) -> str:
    """``?a=1&b=x&b=y`` with every value percent-encoded (a tuple value repeats its key)."""
    from urllib.parse import urlencode

    pairs = []
    for key, value in params.items():
        for v in value if isinstance(value, tuple) else (value,):
            pairs.append((key, v))
    return "?" + urlencode(pairs) if pairs else ""
