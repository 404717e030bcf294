"""Start real servers for tests on 127.0.0.1, wait for them boundedly, stop them by PID.

Every server a test needs goes through :func:`run_server`: a free loopback
port, a subprocess in its own process group, a readiness loop with a deadline,
and a ``finally`` that kills the group even when the test fails. The server's
output goes to a log file whose tail is shown when it does not come up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Server", "free_port", "http_ready", "port_ready", "run_server"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_ready(port: int) -> Callable[[], bool]:
    """Readiness check: something accepts TCP connections on the port."""
    def check() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        return False
    return check


def http_ready(url: str, *, ok: Sequence[int] = (200,)) -> Callable[[], bool]:
    """Readiness check: GET ``url`` answers with a status in ``ok``."""
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code in ok
        except httpx.HTTPError:
            return False
    return check


@dataclass
class Server:
    """A running server: its base URL, port, process and log file."""

    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def run_server(
    cmd: Sequence[str],
    *,
    port: int,
    url: str,
    ready: Callable[[], bool],
    log: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """Start ``cmd``, wait until ``ready()`` (at most ``timeout`` s), yield a :class:`Server`, stop it by PID."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(url=url, port=port, process=proc, log=log)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before it was ready:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} not ready after {timeout} s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        _stop(proc)
