"""Load benchmark of the resolver service (not a unit test).

Builds an embedded store of ``--n`` AirQualityObserved entities (the deterministic
workload of :mod:`benchmarks.workload`, converted by mimbridge), starts
``python -m mimbridge.resolve serve`` on 127.0.0.1, and drives it with
``--concurrency`` keep-alive HTTP/1.1 clients for ``--duration`` seconds per media
type (Turtle, HTML), each client asking for random entity documents. Reports
requests/s, latency percentiles and errors (any status other than 200, or a
broken connection). The server is stopped by PID at the end, also on failure.

    python -m benchmarks.bench_resolver                      # 10,000 entities, 50 clients, 10 s each
    python -m benchmarks.bench_resolver --n 2000 --duration 5 --json results.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://id.example.city/"
MEDIA = {"turtle": "text/turtle",
         "html": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def build_store(folder: Path, n: int) -> float:
    """Load ``n`` workload entities into an embedded store in ``folder``; returns seconds taken."""
    from benchmarks.workload import entities
    from mimbridge.resolve.store import OxigraphStore, load

    data = entities(n)
    t0 = time.perf_counter()
    with OxigraphStore(folder) as store:
        for i in range(0, n, 1000):
            load(store, data[i:i + 1000], source="ngsi-ld", graph=f"urn:mimbridge-bench:batch-{i // 1000:03d}")
        store.optimize()
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, log: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open(log, "ab") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "mimbridge.resolve", "serve", "--store", str(store),
                                 "--base", BASE, "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers)], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return proc, port
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"resolver did not start:\n{log.read_text(errors='replace')[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


async def _client(port: int, paths: list[str], accept: str, start: float, stop: float, seed: int,
                  lat: list[float], errors: list[str], sizes: list[int]) -> None:
    rng = random.Random(seed)
    reader = writer = None
    while time.perf_counter() < stop:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            path = rng.choice(paths)
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n".encode())
            status = (await reader.readline()).split(b" ", 2)
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v)
            body = await reader.readexactly(length)
            t1 = time.perf_counter()
            if t0 >= start:  # after warm-up
                lat.append(t1 - t0)
                sizes.append(len(body))
                if len(status) < 2 or status[1] != b"200":
                    errors.append(f"{path}: {b' '.join(status).strip().decode(errors='replace')}")
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            if time.perf_counter() >= start:
                errors.append(f"connection: {exc!r}")
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def drive(port: int, paths: list[str], accept: str, concurrency: int, warmup: float,
                duration: float) -> dict[str, Any]:
    lat: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    start = time.perf_counter() + warmup
    stop = start + duration
    await asyncio.gather(*(_client(port, paths, accept, start, stop, i, lat, errors, sizes)
                           for i in range(concurrency)))
    return {
        "requests": len(lat), "errors": len(errors), "error_samples": errors[:5],
        "requests_per_s": round(len(lat) / duration, 1),
        "p50_ms": round(_pct(lat, 0.50) * 1000, 2), "p90_ms": round(_pct(lat, 0.90) * 1000, 2),
        "p99_ms": round(_pct(lat, 0.99) * 1000, 2), "max_ms": round(max(lat, default=float("nan")) * 1000, 2),
        "mean_body_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000, help="entities in the store (default 10000)")
    p.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per media type (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)")
    p.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    p.add_argument("--store", type=Path, help="reuse/keep the store in this folder (default: a temporary one)")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mimbridge-bench-") as tmp:
        store = args.store or Path(tmp) / "store"
        load_s = None
        if not store.exists():
            load_s = build_store(store, args.n)
            print(f"store: {args.n} entities loaded in {load_s:.1f} s ({args.n / load_s:.0f} entities/s)")
        paths = [f"/doc/AirQualityObserved/station-{i:07d}" for i in range(args.n)]
        proc, port = start_server(store, Path(tmp) / "server.log", args.workers)
        results: dict[str, Any] = {"entities": args.n, "concurrency": args.concurrency, "duration_s": args.duration,
                                   "workers": args.workers, "cpus": os.cpu_count(), "load_s": load_s}
        try:
            for name, accept in MEDIA.items():
                r = asyncio.run(drive(port, paths, accept, args.concurrency, args.warmup, args.duration))
                results[name] = r
                print(f"{name:<7} {r['requests_per_s']:>8.1f} req/s   p50 {r['p50_ms']:>7.2f} ms   "
                      f"p99 {r['p99_ms']:>7.2f} ms   max {r['max_ms']:>7.2f} ms   errors {r['errors']}   "
                      f"({r['requests']} requests, {r['mean_body_bytes']} B/response)")
        finally:
            stop_server(proc)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(results[m]["errors"] == 0 for m in MEDIA) else 1


if __name__ == "__main__":
    sys.exit(main())
