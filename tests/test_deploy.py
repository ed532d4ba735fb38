"""deploy/serve.py's HAProxy config and command line, without starting anything (tests/test_proxy.py runs it)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

from deploy.serve import Backend, find_haproxy, parse_backend, render_config


def test_serve_refuses_to_start_without_replicas():
    done = subprocess.run(
        [sys.executable, "-m", "deploy.serve", "--replicas=0", "--print-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--replicas must be" in done.stderr


def test_the_config_lists_each_replica_with_its_cookie_and_checks_its_health():
    config = render_config("0.0.0.0:8600", [Backend("r1", "10.0.0.5", 8501), Backend("r2", "10.0.0.6", 8501)])
    assert "bind 0.0.0.0:8600" in config
    assert "server r1 10.0.0.5:8501 cookie r1" in config and "server r2 10.0.0.6:8501 cookie r2" in config
    assert "cookie LAB insert" in config and "option httpchk GET /_stcore/health" in config
    assert "timeout tunnel" in config and "option redispatch" in config
    haproxy = find_haproxy()
    if haproxy:  # HAProxy itself accepts it
        check = subprocess.run([haproxy, "-c", "-f", "/dev/stdin"], input=config, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_backend_is_host_and_port():
    assert parse_backend("10.0.0.5:8501", 3) == Backend("r3", "10.0.0.5", 8501)
    for bad in ("10.0.0.5", ":8501", "host:http", "host:0", "host:70000"):
        try:
            parse_backend(bad, 1)
        except ValueError as err:
            assert "host:port" in str(err)
        else:
            raise AssertionError(f"{bad!r} was accepted")
