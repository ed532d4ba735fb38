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
from benchmarks import row

WARM_GOAL_MS = 300.0
SETTINGS = ExportSettings("png", 1920, 1080, 1.0, "light")


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main(quick: bool = False, repeats: int | None = None) -> list[dict]:
    """Cold and warm export times (ms) of the Function Explorer's figure and the Overview gallery, as rows."""
    repeats = repeats or (3 if quick else 7)
    figures = {
        "explorer figure (ReLU and Leaky ReLU, f and f′)": curves_figure(
            [("relu", {}), ("leaky_relu", {"alpha": 0.2})], "both"
        ),
        "overview gallery (27 tiles)": gallery_figure(link_prefix=None),
    }
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    rows = []
    export.shutdown()
    first = next(iter(figures.values()))
    cold = _ms(lambda: export.export_figure(first, SETTINGS))
    rows.append(
        row(
            "export 1920×1080 PNG, cold (browser start + first render)",
            cold,
            "ms",
            note=f"one run; load per core {load:.1f}",
        )
    )
    try:
        for name, fig in figures.items():
            export.export_figure(fig, SETTINGS)  # one unmeasured render of this figure
            times = [_ms(lambda fig=fig: export.export_figure(fig, SETTINGS)) for _ in range(repeats)]
            rows.append(
                row(
                    f"export 1920×1080 PNG, warm, {name}",
                    statistics.median(times),
                    "ms",
                    max_value=WARM_GOAL_MS if fig is first else None,
                    note=f"median of {repeats} (min {min(times):.0f}, max {max(times):.0f}); load per core {load:.1f}",
                )
            )
    finally:
        export.shutdown()
    return rows


if __name__ == "__main__":
    for r in main():
        print(
            f"{r['name']}: {r['value']:.0f} ms"
            + (f" (goal {r['goal']}: {'met' if r['met'] else 'MISSED'})" if r["goal"] else "")
        )
