"""Activation Lab benchmarks: ``python -m benchmarks`` runs them all, prints one table, writes BENCHMARKS.md.

Every benchmark module ``benchmarks/bench_<topic>.py`` has a ``main()`` that returns a list of rows; it may
accept ``quick: bool = False`` (fewer repeats, for a smoke run; ``python -m benchmarks --quick``). It
prints nothing it is not asked to, and it never exits the process: ``benchmarks/__main__.py`` imports it
and calls ``main()``.

The row format
==============

A row is a plain ``dict`` with exactly these keys (``row()`` below builds one and checks it):

========================  =====================  ==============================================================
key                       type                   meaning
========================  =====================  ==============================================================
``name``                  str                    what was measured, e.g. "slider-to-plot, explorer (3 functions)"
``value``                 float                  the measurement: a median over repeated runs
``unit``                  str                    "ms", "s", "MB", "steps/s", ...
``baseline``              str | None             what the value is compared with, e.g. "bare Streamlit page",
                                                 "PyTorch CPU"; None when there is no baseline
``baseline_value``        float | None           the baseline's median, measured in the same run, same unit
``ratio``                 float | None           the COST ratio, "how many times slower than the baseline":
                                                 value / baseline_value for times and sizes (lower is better),
                                                 baseline_value / value for rates such as steps/s
                                                 (higher is better). So ratio ≤ 1.3 always means "at most
                                                 1.3× the baseline's cost". None without a baseline.
``goal``                  str | None             the goal as text, e.g. "≤ 1.3×", "< 300 ms"; None if no goal
``met``                   bool | None            whether the goal is met; None when there is no goal
``note``                  str                    anything a reader needs: sizes, repeats, "noisy: load 3.2"
========================  =====================  ==============================================================

Example::

    from benchmarks import row

    def main(quick: bool = False) -> list[dict]:
        ours, torch = time_engine(repeats=3 if quick else 20), time_torch(...)
        return [row("engine forward+backward, depth 50 × width 256", ours, "ms",
                    baseline="PyTorch CPU", baseline_value=torch, max_ratio=1.2, note="median of 20")]

``row`` computes ``ratio``, ``goal`` and ``met`` from ``max_ratio`` (a goal on the ratio) or ``max_value``
(a goal on the value itself, e.g. export < 300 ms); pass ``higher_is_better=True`` for rates.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

ROW_KEYS = ("name", "value", "unit", "baseline", "baseline_value", "ratio", "goal", "met", "note")


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def row(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: str | None = None,
    baseline_value: float | None = None,
    higher_is_better: bool = False,
    max_ratio: float | None = None,
    max_value: float | None = None,
    goal: str | None = None,
    met: bool | None = None,
    note: str = "",
) -> dict:
    """One benchmark row (see the module docstring).

    ratio = value / baseline_value, or baseline_value / value when ``higher_is_better`` (a cost ratio
    either way). With ``max_ratio`` the goal is ratio ≤ max_ratio; with ``max_value`` it is value <
    max_value (for rates: value > max_value). An explicit ``goal``/``met`` overrides both.
    """
    value = float(value)
    baseline_value = _number(baseline_value)
    ratio = None
    if baseline_value is not None and math.isfinite(value) and baseline_value > 0 and value > 0:
        ratio = baseline_value / value if higher_is_better else value / baseline_value
    if goal is None and max_ratio is not None:
        goal = f"≤ {max_ratio:g}×"
        met = ratio is not None and ratio <= max_ratio if met is None else met
    elif goal is None and max_value is not None:
        goal = f"{'>' if higher_is_better else '<'} {max_value:g} {unit}"
        if met is None:
            met = math.isfinite(value) and (value > max_value if higher_is_better else value < max_value)
    return check_row(
        {
            "name": name,
            "value": value,
            "unit": unit,
            "baseline": baseline,
            "baseline_value": baseline_value,
            "ratio": ratio,
            "goal": goal,
            "met": met,
            "note": note,
        }
    )


def check_row(r: dict) -> dict:
    """``r`` if it has the row format's keys and types; ValueError naming the problem otherwise."""
    if not isinstance(r, dict):
        raise ValueError(f"a benchmark row must be a dict, got {type(r).__name__}")
    missing = [k for k in ROW_KEYS if k not in r]
    extra = [k for k in r if k not in ROW_KEYS]
    if missing or extra:
        raise ValueError(f"row {r.get('name')!r}: missing keys {missing}, unknown keys {extra}")
    if not isinstance(r["name"], str) or not isinstance(r["unit"], str):
        raise ValueError(f"row {r.get('name')!r}: name and unit must be text")
    for key in ("value", "baseline_value", "ratio"):
        if r[key] is not None and not isinstance(r[key], (int, float)):
            raise ValueError(f"row {r['name']!r}: {key} must be a number or None, got {r[key]!r}")
    if r["met"] not in (True, False, None):
        raise ValueError(f"row {r['name']!r}: met must be True, False or None")
    return r


def median(samples: Iterable[float]) -> float:
    """The median of the samples (NaN for none)."""
    values = [float(s) for s in samples]
    return statistics.median(values) if values else math.nan


def percentile(samples: Iterable[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between order statistics (NaN for none)."""
    values = sorted(float(s) for s in samples)
    if not values:
        return math.nan
    position = (len(values) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(values) - 1)
    return values[lower] + (values[upper] - values[lower]) * (position - lower)
