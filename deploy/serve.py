"""Serve a class: several app replicas behind HAProxy, in the foreground, all stopped on Ctrl-C.

    python -m deploy.serve --replicas 4 --port 8600          # what `make serve REPLICAS=4 PORT=8600` runs
    python -m deploy.serve --backend 10.0.0.5:8501 --backend 10.0.0.6:8501 --port 8600   # replicas elsewhere
    python -m deploy.serve --replicas 4 --port 8600 --print-config                       # the HAProxy config

Each replica is ``streamlit run app.py`` (through ``deploy/replica.py``, so it has done its first-use work
before it accepts anyone) on a loopback port, PORT+1 … PORT+N unless ``--replica-ports`` says otherwise.
Once every replica answers ``/_stcore/health``, HAProxy starts on PORT with ``deploy/haproxy.cfg`` (sticky
sessions by cookie, websocket tunnelling, health checks, redispatch). A replica that exits is started
again; if HAProxy exits, everything stops. Ctrl-C (or SIGTERM) stops HAProxy first, then the replicas.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg")
# What a class server runs with (README, "Serving a large class"): no file watcher (it unloads modules
# that change on disk under running sessions), and sessions of closed tabs dropped after a minute.
REPLICA_ARGS = (
    "--server.headless=true",
    "--server.fileWatcherType=none",
    "--browser.gatherUsageStats=false",
)
SESSION_TTL_S = 60
START_TIMEOUT_S = 120.0
RESTART_DELAY_S = 1.0


@dataclass(frozen=True)
class Backend:
    """One replica as HAProxy sees it: ``name`` is also the value of its sticky cookie."""

    name: str
    host: str
    port: int

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.port}/_stcore/health"


def render_config(bind: str, backends: Sequence[Backend], template: Path = TEMPLATE) -> str:
    """``deploy/haproxy.cfg`` for HAProxy listening on ``bind`` (``host:port``) in front of ``backends``."""
    if not backends:
        raise ValueError("at least one replica is needed")
    servers = "\n".join(f"    server {b.name} {b.host}:{b.port} cookie {b.name}" for b in backends)
    return template.read_text(encoding="utf-8").format(bind=bind, servers=servers)


def find_haproxy() -> str | None:
    """The haproxy executable (Debian puts it in /usr/sbin, which a user's PATH may lack), or None."""
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None
    )


def parse_backend(text: str, index: int) -> Backend:
    """``host:port`` -> Backend ``r<index>``; ValueError with a message for anything else."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--backend wants host:port, got {text!r}")
    return Backend(f"r{index}", host, int(port))


def healthy(backend: Backend, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(backend.health_url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child: get SIGTERM when serve.py dies, even by SIGKILL (Linux; elsewhere a no-op)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def replica_command(port: int, address: str = "127.0.0.1", session_ttl: int = SESSION_TTL_S) -> list[str]:
    return [
        sys.executable,
        "-m",
        "deploy.replica",
        "run",
        "app.py",
        f"--server.port={port}",
        f"--server.address={address}",
        f"--server.disconnectedSessionTTL={session_ttl}",
        *REPLICA_ARGS,
    ]


def spawn(command: list[str]) -> subprocess.Popen:
    """A child in its own process group (Ctrl-C reaches serve.py, which stops the children in order)."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def stop(process: subprocess.Popen | None, timeout: float = 10.0) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def say(message: str) -> None:
    print(f"[serve] {message}", flush=True)


class Stop(Exception):
    """Ctrl-C or SIGTERM."""


def _raise_stop(signum, frame) -> None:
    raise Stop


def wait_healthy(backends: Sequence[Backend], replicas: dict[str, subprocess.Popen], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(backends)
    while waiting:
        for name, process in replicas.items():
            if process.poll() is not None:
                raise RuntimeError(f"replica {name} exited with status {process.returncode} while starting")
        waiting = [b for b in waiting if not healthy(b)]
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"replicas not healthy after {timeout:g} s: {', '.join(b.name for b in waiting)}")
        if waiting:
            time.sleep(0.3)


def serve(args: argparse.Namespace) -> int:
    local = not args.backend
    if local:
        ports = args.replica_ports or [args.port + 1 + i for i in range(args.replicas)]
        backends = [Backend(f"r{i + 1}", "127.0.0.1", port) for i, port in enumerate(ports)]
    else:
        backends = [parse_backend(text, i + 1) for i, text in enumerate(args.backend)]
    config = render_config(f"{args.bind}:{args.port}", backends)
    if args.print_config:
        print(config, end="")
        return 0
    haproxy_path = find_haproxy()
    if haproxy_path is None:
        say("haproxy not found: install Debian's haproxy package (`make proxy-deps`)")
        return 2
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    replicas: dict[str, subprocess.Popen] = {}
    haproxy = None
    with tempfile.TemporaryDirectory(prefix="activation-lab-serve-") as tmp:
        try:
            if local:
                for b in backends:
                    replicas[b.name] = spawn(replica_command(b.port, session_ttl=args.session_ttl))
                    say(f"replica {b.name} starting on {b.host}:{b.port} (pid {replicas[b.name].pid})")
                wait_healthy(backends, replicas, START_TIMEOUT_S)
            cfg = Path(tmp) / "haproxy.cfg"
            cfg.write_text(config, encoding="utf-8")
            haproxy = spawn([haproxy_path, "-db", "-f", str(cfg)])
            say(
                f"HAProxy (pid {haproxy.pid}) on http://{args.bind}:{args.port} in front of "
                f"{', '.join(f'{b.name}={b.host}:{b.port}' for b in backends)}; Ctrl-C stops everything"
            )
            while True:
                time.sleep(0.5)
                if haproxy.poll() is not None:
                    say(f"HAProxy exited with status {haproxy.returncode}: stopping")
                    return 1
                for b in backends:
                    process = replicas.get(b.name)
                    if process is not None and process.poll() is not None and args.restart:
                        say(f"replica {b.name} exited (status {process.returncode}): starting it again")
                        time.sleep(RESTART_DELAY_S)
                        replicas[b.name] = spawn(replica_command(b.port, session_ttl=args.session_ttl))
                        say(f"replica {b.name} starting on {b.host}:{b.port} (pid {replicas[b.name].pid})")
        except Stop:
            say("stopping")
            return 0
        except RuntimeError as err:
            say(str(err))
            return 1
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop(haproxy)
            for process in replicas.values():
                stop(process)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServeProcess:
    """``python -m deploy.serve`` with ``replicas`` replicas, all on free loopback ports, for the tests and
    the load test: started and healthy when constructed, its output in ``log_dir``, stopped by ``stop()``."""

    def __init__(self, replicas: int, log_dir: Path, *extra_args: str, session_ttl: int = 5, timeout: float = 180):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.replica_ports = [free_port() for _ in range(replicas)]
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"serve-{self.port}.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "deploy.serve",
                f"--replicas={replicas}",
                f"--port={self.port}",
                "--bind=127.0.0.1",
                f"--replica-ports={','.join(map(str, self.replica_ports))}",
                f"--session-ttl={session_ttl}",
                *extra_args,
            ],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while "HAProxy (pid" not in self.log() or not healthy(Backend("proxy", "127.0.0.1", self.port)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"deploy.serve did not start:\n{self.log()}")
            time.sleep(0.2)

    def replica_pids(self) -> dict[str, int]:
        """Replica name (the LAB cookie's value) -> process id of its latest start, from the log."""
        return {m[1]: int(m[2]) for m in re.finditer(r"replica (r\d+) starting on \S+ \(pid (\d+)\)", self.log())}

    def replica_port(self, name: str) -> int:
        return self.replica_ports[int(name[1:]) - 1]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        pids = self.replica_pids()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)  # serve stops HAProxy, then the replicas
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for pid in pids.values():  # whatever serve could not stop (each replica leads its process group)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self._log.close()


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="local replicas to start (default 2)")
    parser.add_argument("--port", type=int, default=8600, help="the port HAProxy listens on (default 8600)")
    parser.add_argument("--bind", default="0.0.0.0", help="the address HAProxy listens on (default 0.0.0.0)")
    parser.add_argument(
        "--replica-ports",
        type=lambda text: [int(p) for p in text.split(",")],
        help="comma-separated loopback ports for the local replicas (default PORT+1 … PORT+N)",
    )
    parser.add_argument(
        "--backend",
        action="append",
        metavar="HOST:PORT",
        help="a replica already running elsewhere (repeatable); none are started locally then",
    )
    parser.add_argument(
        "--session-ttl", type=int, default=SESSION_TTL_S, help="server.disconnectedSessionTTL of the replicas"
    )
    parser.add_argument("--no-restart", dest="restart", action="store_false", help="leave a replica that exits")
    parser.add_argument("--print-config", action="store_true", help="print the HAProxy config and exit")
    args = parser.parse_args(argv)
    if args.replicas < 1 or not 0 < args.port < 65536:
        parser.error("--replicas must be ≥ 1 and --port a TCP port")
    if args.replica_ports is not None and len(args.replica_ports) != args.replicas:
        parser.error("--replica-ports must list one port per replica")
    try:
        return serve(args)
    except ValueError as err:
        parser.error(str(err))


if __name__ == "__main__":
    sys.exit(cli())
