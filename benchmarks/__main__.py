"""``python -m benchmarks``: run every benchmark, print one table, write BENCHMARKS.md at the repo root.

    python -m benchmarks                     # everything (about 10–15 minutes on 2 cores)
    python -m benchmarks --quick             # fewer repeats and the short load test: a smoke run
    python -m benchmarks --only browser,load # some of them (names as in MODULES)
    python -m benchmarks --no-write          # print the table only

Each module's ``main()`` returns rows in the format documented in ``benchmarks/__init__.py``. A module
that is missing or fails gets a row saying so and the others still run; the exit status is 1 then.
Goals missed do not change the exit status (``--strict`` makes them do so). Anything below the line
``<!-- notes: kept between runs -->`` in an existing BENCHMARKS.md (explanations of gaps, profiles,
before/after figures) is kept when the file is rewritten.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import inspect
import math
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

from benchmarks import check_row, row

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "BENCHMARKS.md"
NOTES_MARKER = "<!-- notes: kept between runs -->"

# name -> module; run in this order (the browser ones last: they start servers and Chromium).
MODULES = {
    "engine": "benchmarks.bench_engine",
    "training": "benchmarks.bench_training",
    "export": "benchmarks.bench_export",
    "browser": "benchmarks.bench_browser",
    "drag": "benchmarks.bench_drag",
    "cpu": "benchmarks.bench_cpu",
    "load": "benchmarks.load_test",
}


def run_module(name: str, module_name: str, quick: bool) -> tuple[list[dict], bool]:
    """The module's rows and whether it ran cleanly (a missing or failing module gives one row saying so)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name == module_name:
            return [row(f"{name} benchmarks", math.nan, "", note=f"not run: {module_name} does not exist yet")], False
        raise
    main = getattr(module, "main", None)
    if main is None:
        return [row(f"{name} benchmarks", math.nan, "", note=f"not run: {module_name} has no main()")], False
    kwargs = {"quick": quick} if "quick" in inspect.signature(main).parameters else {}
    try:
        rows = [check_row(r) for r in main(**kwargs)]
    except Exception as err:
        traceback.print_exc(file=sys.stderr)
        return [row(f"{name} benchmarks", math.nan, "", note=f"failed: {type(err).__name__}: {err}"[:300])], False
    return rows, True


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"


def met_mark(met: bool | None) -> str:
    return {True: "yes", False: "**NO**", None: ""}[met]


def table(rows: list[dict]) -> list[list[str]]:
    header = ["Benchmark", "Value", "Baseline", "Ratio", "Goal", "Met", "Note"]
    body = []
    for r in rows:
        baseline = f"{fmt(r['baseline_value'])} {r['unit']} ({r['baseline']})" if r["baseline"] else ""
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else ""
        body.append(
            [
                r["name"],
                f"{fmt(r['value'])} {r['unit']}".strip(),
                baseline,
                ratio,
                r["goal"] or "",
                met_mark(r["met"]),
                r["note"],
            ]
        )
    return [header, *body]


def print_table(rows: list[dict], out=sys.stdout) -> None:
    cells = table(rows)
    widths = [min(max(len(line[i]) for line in cells), 60) for i in range(len(cells[0]))]
    for n, line in enumerate(cells):
        print("  ".join(cell[:60].ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * width for width in widths), file=out)


def markdown_table(rows: list[dict]) -> str:
    cells = table(rows)
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in cells[1:]]
    return "\n".join(lines)


def machine() -> list[str]:
    """What the figures were measured on: they mean little without it."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("streamlit", "plotly", "numpy", "torch", "kaleido", "playwright"):
        try:
            from importlib.metadata import version

            versions.append(f"{package} {version(package)}")
        except Exception:
            versions.append(f"{package} (not installed)")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", ""
    memory = ""
    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.1f} GB RAM"
    except ImportError:
        pass
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores{memory}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; " + ", ".join(versions),
        f"- Commit {commit or 'unknown'}{' with uncommitted changes' if dirty else ''}",
    ]


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def write_markdown(rows: list[dict], path: Path, started: str, load_before: str, elapsed: float, quick: bool) -> None:
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            kept = old.split(NOTES_MARKER, 1)[1].lstrip("\n")
    missed = [r for r in rows if r["met"] is False]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `python -m benchmarks{' --quick' if quick else ''}` on {started} in {elapsed / 60:.1f} min. "
        "Every figure is a median over repeated runs; ratios are against a baseline measured in the same "
        "run (a cost ratio: 1.3× means 30% slower than the baseline). The row format and what each "
        "benchmark does: `benchmarks/__init__.py` and the module docstrings.",
        "",
        *machine(),
        f"- Load average (1, 5, 15 min) before: {load_before}; after: {load_average()}. Figures taken on a "
        "busy machine are noisy: compare ratios, not absolute times.",
        "",
        markdown_table(rows),
        "",
        f"Goals met: {sum(r['met'] is True for r in rows)} of {sum(r['met'] is not None for r in rows)}."
        + (" Missed: " + "; ".join(r["name"] for r in missed) + "." if missed else ""),
        "",
        "## Notes",
        "",
        NOTES_MARKER,
        "",
        kept
        or "Explain here every goal that is missed (the profile, the cause, the fix and the before/after figures).\n",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, short load test (a smoke run)")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(MODULES)}")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the markdown table")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args(argv)
    names = list(MODULES)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in MODULES]
        if unknown:
            parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(MODULES)}")
    started = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_before, t0 = load_average(), time.monotonic()
    rows, clean = [], True
    for name in names:
        print(f"[benchmarks] {name} …", file=sys.stderr, flush=True)
        got, ok = run_module(name, MODULES[name], args.quick)
        rows += got
        clean &= ok
    print_table(rows)
    if not args.no_write:
        write_markdown(rows, args.output, started, load_before, time.monotonic() - t0, args.quick)
        print(f"\nwrote {args.output}", file=sys.stderr)
    if not clean:
        return 1
    return 1 if args.strict and any(r["met"] is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
