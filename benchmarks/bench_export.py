"""Export speed: a 1920×1080 PNG rendered server-side by kaleido, cold (browser start-up included) and warm.

The app keeps one browser warm (``activations.export.warm_up`` at the first page view), so what a lecturer
waits for after clicking a download button is the warm time. Goal: warm median under 300 ms.

    python -m benchmarks.bench_export            # prints a table; main() returns the rows
"""

from __future__ import annotations

import os
import statistics
import time

from activations import export
from activations.export import ExportSettings
from activations.figures.functions import curves_figure
from activations.figures.gallery import gallery_figure

WARM_GOAL_MS = 300.0
SETTINGS = ExportSettings("png", 1920, 1080, 1.0, "light")


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main(repeats: int = 7) -> list[dict]:
    """Cold and warm export times (ms) of the Function Explorer's figure and the Overview gallery."""
    figures = {
        "explorer figure (ReLU and Leaky ReLU, f and f′)": curves_figure(
            [("relu", {}), ("leaky_relu", {"alpha": 0.2})], "both"
        ),
        "overview gallery (27 tiles)": gallery_figure(link_prefix=None),
    }
    rows = []
    export.shutdown()
    first = next(iter(figures.values()))
    cold = _ms(lambda: export.export_figure(first, SETTINGS))
    rows.append({"benchmark": "export 1920×1080 PNG, cold (browser start + render)", "ms": cold, "goal_ms": None})
    try:
        for name, fig in figures.items():
            export.export_figure(fig, SETTINGS)  # one unmeasured render of this figure
            times = [_ms(lambda fig=fig: export.export_figure(fig, SETTINGS)) for _ in range(repeats)]
            median = statistics.median(times)
            rows.append(
                {
                    "benchmark": f"export 1920×1080 PNG, warm, {name}: median of {repeats}",
                    "ms": median,
                    "goal_ms": WARM_GOAL_MS if fig is first else None,
                    "min_ms": min(times),
                    "max_ms": max(times),
                }
            )
    finally:
        export.shutdown()
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    for row in rows:
        row["load_per_core"] = load  # renders share the CPU: read the times against this
    print(f"load average per core during the run: {load:.1f}")
    for row in rows:
        goal = row["goal_ms"]
        verdict = "" if goal is None else f" (goal < {goal:.0f} ms: {'met' if row['ms'] < goal else 'MISSED'})"
        print(f"{row['benchmark']}: {row['ms']:.0f} ms{verdict}")
    return rows


if __name__ == "__main__":
    main()
