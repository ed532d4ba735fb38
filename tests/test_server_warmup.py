"""ui.server.warm_up: the first-use work of the process, done once before any page (tests/test_cold_herd.py
shows the herd it protects against)."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from ui import server


@pytest.fixture
def cold(monkeypatch):
    """warm_up as in a fresh process, its two steps replaced by a slow counter."""
    calls = []

    def slow_step():
        calls.append(threading.current_thread().name)
        time.sleep(0.05)  # long enough for every other caller to arrive while the first is working

    monkeypatch.setattr(server, "_settled", threading.Event())
    monkeypatch.setattr(server, "_lock", threading.Lock())
    monkeypatch.setattr(server, "_import_lazy_modules", slow_step)
    monkeypatch.setattr(server, "_first_uses", lambda: None)
    monkeypatch.setattr(server.gc, "freeze", lambda: None)
    return calls


def test_concurrent_first_callers_wait_for_one_warm_up(cold):
    warm_on_return = []

    def visitor():
        server.warm_up()
        warm_on_return.append(server.is_warm())

    threads = [threading.Thread(target=visitor, name=f"visitor {i}") for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cold) == 1  # done once …
    assert warm_on_return == [True] * 8  # … and no caller went on before it was done


def test_a_failing_step_is_logged_not_raised(cold, monkeypatch, caplog):
    def broken():
        raise RuntimeError("no such thing")

    monkeypatch.setattr(server, "_first_uses", broken)
    server.warm_up()
    assert server.is_warm()
    assert "warm-up step broken failed: RuntimeError: no such thing" in caplog.text


@pytest.mark.slow  # the real warm-up: a few seconds in a fresh process
def test_after_warm_up_the_raced_modules_are_whole():
    server.warm_up()
    from plotly.validator_cache import ValidatorCache

    assert hasattr(sys.modules["pandas"], "Series")  # what Plotly's serialisation looks up
    assert hasattr(sys.modules["PIL.Image"], "Image")
    assert ValidatorCache._json_cache is not None
    started = time.perf_counter()
    server.warm_up()
    assert time.perf_counter() - started < 0.01  # later calls are a flag check
