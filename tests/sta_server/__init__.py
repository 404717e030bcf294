"""A minimal Django project serving django-ogc-sensorthings (STA 1.1) on SQLite, for tests and benchmarks.

:func:`launch` starts it with uvicorn on a free 127.0.0.1 port (migrations
first) and yields the running :class:`~tests.servers.Server` whose ``url`` is
the v1.1 service root. The database lives in the folder named by
``MIMBRIDGE_STA_DATA`` (set by :func:`launch`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from ..servers import Server, free_port, http_ready, run_server

__all__ = ["available", "launch"]

ROOT = Path(__file__).resolve().parent.parent.parent


def available() -> str | None:
    """``None`` when the server can run here, else the reason it cannot."""
    for mod, pip in (("sensorthings", "django-ogc-sensorthings"), ("uvicorn", "uvicorn"), ("django", "django")):
        if importlib.util.find_spec(mod) is None:
            return f"{pip} is not installed (pip install {pip})"
    return None


@contextlib.contextmanager
def launch(base: Path, *, timeout: float = 90.0) -> Iterator[Server]:
    """Migrate a fresh SQLite database in ``base`` and serve STA 1.1 from it; yield the running server."""
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    root = f"http://127.0.0.1:{port}/sensorthings/v1.1"
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.sta_server.settings",
        "MIMBRIDGE_STA_DATA": str(base), "PYTHONUNBUFFERED": "1",
        "MIMBRIDGE_STA_SERVICE_URL": f"http://127.0.0.1:{port}/sensorthings",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    })
    with open(base / "migrate.log", "wb") as log:
        done = subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{(base / 'migrate.log').read_text(errors='replace')[-3000:]}")
    cmd = [sys.executable, "-m", "uvicorn", "tests.sta_server.asgi:application", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
    with run_server(cmd, port=port, url=root, ready=http_ready(root + "/"), log=base / "server.log", cwd=ROOT,
                    env=env, timeout=timeout) as server:
        yield server
