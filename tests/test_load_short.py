"""The classroom load test in its short form (10 browser sessions × 15 s on one server), run by CI.

It runs ``python -m benchmarks.load_test --short`` in a subprocess (its own server, its own Chromium,
so the memory it measures is that server's alone) and checks each criterion separately, so a failure
names what went wrong. The full form (10 × 60 s, or more sessions) is ``python -m benchmarks.load_test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, require_browser

from benchmarks.load_test import SERVER_NICE, Criteria, slowness

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    require_browser()
    out = tmp_path_factory.mktemp("load") / "load.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_test", "--short", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.exists(), (
        f"the load test wrote no figures (exit {done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}"
    )
    figures = json.loads(out.read_text())
    figures["report"] = done.stdout
    figures["returncode"] = done.returncode
    return figures


def test_server_ran_above_the_browsers(load):
    """The browsers stand in for laptops: the server gets the CPU first (benchmarks/load_test.py)."""
    assert load["server_nice"] == (SERVER_NICE if os.geteuid() == 0 else 0), load["report"]


def test_every_session_moved_sliders(load):
    assert load["sessions"] >= 10
    assert load["presses"] >= 2 * load["sessions"], load["report"]
    assert load["timeouts"] == [], load["report"]


def test_no_exception_shown_and_no_console_error(load):
    assert load["exceptions"] == []
    assert load["console_errors"] == []


def test_server_log_has_no_error(load):
    assert load["log_errors"] == []
    assert load["server_alive"]


def test_p95_slider_to_plot_under_3_s(load):
    """3 s on a machine like the reference one; on a busier machine the budget grows by the factor its
    single-visitor warm-up loads were slower (``benchmarks.load_test.slowness``), never below 3 s."""
    assert Criteria.p95_ms == 3000 and load["slowness"] == slowness(load["warm_up_ms"]) >= 1
    assert load["p95_ms"] < Criteria.p95_ms * load["slowness"], load["report"]


def test_server_memory_bounded_and_back_near_its_start(load):
    assert load["total_peak_mb"] < Criteria.peak_mb, load["report"]
    assert load["rss_after_mb"] <= load["rss_start_mb"] + Criteria.after_mb, load["report"]


def test_slowness_scales_only_up_from_the_reference():
    assert slowness([]) == 1.0 and slowness([1000.0, 2000.0, 9000.0]) == 1.0  # median 2 s: a fast machine
    assert slowness([5000.0, 5000.0, 100.0], reference_ms=2500.0) == 2.0


def test_exit_status_agrees(load):
    assert (load["returncode"] == 0) == (load["failures"] == []), load["report"]
