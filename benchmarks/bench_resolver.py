"""Benchmark of the resolver: `mimbridge load` entities/s, and `mimbridge serve` under wrk (not a unit test).

In one run:

1. **load**: writes ``--sizes`` (default 10,000 and 100,000) AirQualityObserved entities
   (the deterministic workload of :mod:`benchmarks.workload`) to JSON files and times
   ``mimbridge load`` of each into a fresh store (wall clock of the command: streamed
   reading, conversion, the store's bulk loader, publishing the snapshot), then the same
   command again (unchanged file: skipped) and, for the first size, with ``--force``
   (the old graph removed, the file loaded again). Next to it, each in its own process:
   the **conversion** alone (``mimbridge.stream`` to N-Triples, written to a file) and the
   **store floor**: pyoxigraph's bulk loader reading that N-Triples file into a fresh
   on-disk store and into an in-memory store, with no mimbridge code in the way;
2. **serve**: starts ``mimbridge serve`` (``--workers``, default one per core) on the
   store of the first size, and drives it with ``wrk`` (compiled, keep-alive,
   ``--connections`` clients, default 64) for each target: the document in Turtle,
   JSON-LD, N-Triples and HTML, and the ``303`` of the thing URI. For each target a
   warm-up pass first asks for every entity once (16 Python clients; reported as the
   cache-filling rate: each of these requests reads the store), then ``--duration``
   seconds of uniformly random entities are measured with wrk. Any status other than
   the expected one, and any socket error, counts as an error.

The server is stopped by PID at the end, also on failure. Needs ``wrk`` on the PATH
(Debian: ``apt-get install wrk``).

    python -m benchmarks.bench_resolver
    python -m benchmarks.bench_resolver --sizes 2000 --duration 5 --json results.json
    python -m benchmarks.bench_resolver --load-only          # loading figures only (no wrk needed)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://id.example.city/"
LUA = Path(__file__).with_name("resolver_wrk.lua")
PREFIX = "AirQualityObserved/station-"
TARGETS = {  # name: (path prefix, Accept, expected status)
    "turtle": ("/doc/" + PREFIX, "text/turtle", 200),
    "jsonld": ("/doc/" + PREFIX, "application/ld+json", 200),
    "ntriples": ("/doc/" + PREFIX, "application/n-triples", 200),
    "html": ("/doc/" + PREFIX, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200),
    "303": ("/" + PREFIX, "text/turtle", 303),
}


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def write_entities(path: Path, n: int) -> None:
    """``n`` workload entities as one JSON array."""
    from benchmarks.workload import entities

    with open(path, "w", encoding="utf-8") as fh:
        json.dump(entities(n), fh)


def _timed(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float, float, int]:
    """Run ``cmd``; its output, wall-clock and CPU seconds, and peak RSS in MB."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=7200)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[2:4]} failed: {r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r, seconds, cpu, after.ru_maxrss // 1024


def timed_load(data: Path, store: Path, *extra: str) -> dict[str, Any]:
    """Wall-clock and CPU time of ``mimbridge load`` (a subprocess, as a user runs it)."""
    r, seconds, cpu, rss = _timed([sys.executable, "-m", "mimbridge", "load", str(data), "--store", str(store),
                                   "-f", "ngsi-ld", "-q", *extra])
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "triples": int(r.stdout.split("\t")[1].split()[0]), "peak_rss_mb_so_far": rss}


_CONVERT = """
import sys
from mimbridge.stream import stream
with open(sys.argv[2], "w", encoding="utf-8") as out:
    stream(sys.argv[1], source="ngsi-ld", target="ntriples", batch=2000, roundtrip=False,
           blank_nodes=True).write_to(out)
"""
_FLOOR = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2]) if sys.argv[2] != "-" else ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:example:floor"))
store.flush()
print(len(store))
"""


_FIRST = """
import json, random, sys, time
from mimbridge.minting import Rules
from mimbridge.resolve.service import Resolver
from mimbridge.resolve.snapshots import ServingStore
serving = ServingStore(sys.argv[1])
resolver = Resolver(serving.store, Rules.default(base="https://id.example.city/"))
n, k = int(sys.argv[2]), int(sys.argv[3])
ids = random.Random(7).sample(range(n), k)
times = []
for i in ids:
    t0 = time.perf_counter()
    rep = resolver.represent(f"/doc/AirQualityObserved/station-{i:07d}", "", "turtle")
    times.append(time.perf_counter() - t0)
    assert rep.status == 200, rep.status
times.sort()
print(json.dumps({"layered": type(serving.store).__name__, "p50_ms": round(times[k // 2] * 1e3, 2),
                  "p99_ms": round(times[int(k * 0.99)] * 1e3, 2), "per_s": round(k / sum(times))}))
"""


def timed_defer(data: Path, store: Path, n: int) -> dict[str, Any]:
    """``mimbridge load --defer --no-index`` (staging), the first request of staged entities (Turtle, one
    process, before indexing), then ``mimbridge index`` (the triple store filled behind): wall clock and CPU."""
    out: dict[str, Any] = {}
    r, seconds, cpu, _ = _timed([sys.executable, "-m", "mimbridge", "load", str(data), "--store", str(store),
                                 "-f", "ngsi-ld", "--defer", "--no-index"])
    inside = [line for line in r.stderr.splitlines() if "entities staged" in line]
    out["stage"] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "entities_per_s": round(n / seconds),
                    "reported": inside[-1] if inside else ""}
    r, _, _, _ = _timed([sys.executable, "-c", _FIRST, str(store), str(n), str(min(n, 500))])
    out["first_requests"] = json.loads(r.stdout)
    lines = data.with_suffix(".jsonl")  # the same entities as JSON Lines, staged into a store of their own
    with open(data, "rb") as src, open(lines, "w", encoding="utf-8") as dst:
        for entity in json.load(src):
            dst.write(json.dumps(entity) + "\n")
    r, seconds, cpu, _ = _timed([sys.executable, "-m", "mimbridge", "load", str(lines), "--store",
                                 str(store) + "-lines", "-f", "ngsi-ld", "--defer", "--no-index"])
    inside = [line for line in r.stderr.splitlines() if "entities staged" in line]
    out["stage_lines"] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                          "entities_per_s": round(n / seconds), "reported": inside[-1] if inside else ""}
    lines.unlink()
    shutil.rmtree(str(store) + "-lines", ignore_errors=True)
    r, seconds, cpu, _ = _timed([sys.executable, "-m", "mimbridge", "index", "--store", str(store), "-q"])
    out["index"] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                    "entities_per_s": round(n / seconds)}
    return out


def load_floor(data: Path, tmp: Path) -> dict[str, Any]:
    """The conversion alone (to an N-Triples file), then the store's bulk loader alone on that file
    (on disk and in memory): each in a fresh process, wall-clock and CPU seconds."""
    nt = tmp / (data.stem + ".nt")
    _, seconds, cpu, rss = _timed([sys.executable, "-c", _CONVERT, str(data), str(nt)])
    out: dict[str, Any] = {"convert": {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2)}}
    for name, where in (("store_disk", str(tmp / "floor-store")), ("store_memory", "-")):
        r, seconds, cpu, rss = _timed([sys.executable, "-c", _FLOOR, str(nt), where])
        out[name] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "triples": int(r.stdout),
                     "peak_rss_mb": rss}
        shutil.rmtree(tmp / "floor-store", ignore_errors=True)
    nt.unlink()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, log: Path, workers: int | None, cache_mb: int,
                 access_log: bool) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    cmd = [sys.executable, "-m", "mimbridge", "serve", "--store", str(store), "--base", BASE,
           "--host", "127.0.0.1", "--port", str(port), "--cache-mb", str(cache_mb)]
    if workers:
        cmd += ["--workers", str(workers)]
    if not access_log:
        cmd.append("--no-access-log")
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=fh, stderr=subprocess.STDOUT)
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


def warm_pass(port: int, target: str, n: int, clients: int = 16) -> dict[str, Any]:
    """Ask for every entity once (``clients`` keep-alive connections); requests/s and errors."""
    import http.client
    import threading

    prefix, accept, status = TARGETS[target]
    errors = [0]

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(k, n, clients):
            try:
                conn.request("GET", f"{prefix}{i:07d}", headers={"Accept": accept})
                resp = conn.getresponse()
                resp.read()
                errors[0] += resp.status != status
            except OSError:
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    return {"requests": n, "seconds": round(seconds, 1), "requests_per_s": round(n / seconds, 1),
            "errors": errors[0]}


def wrk(port: int, target: str, n: int, connections: int, seconds: float, *, sequential: bool) -> dict[str, Any]:
    """One wrk run; requests/s, latency percentiles (ms) and errors (wrong status + socket errors)."""
    prefix, accept, status = TARGETS[target]
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s", "-s", str(LUA),
           f"http://127.0.0.1:{port}", "--", str(n), prefix, accept, str(status), "seq" if sequential else "random"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^RESULT (\{.*\})$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed: {r.stdout[-1000:]} {r.stderr[-1000:]}")
    res = json.loads(m.group(1))
    secs = res["duration_us"] / 1e6
    return {"requests": res["requests"], "requests_per_s": round(res["requests"] / secs, 1),
            "p50_ms": round(res["p50_us"] / 1000, 2), "p90_ms": round(res["p90_us"] / 1000, 2),
            "p99_ms": round(res["p99_us"] / 1000, 2), "max_ms": round(res["max_us"] / 1000, 2),
            "errors": res["wrong_status"] + res["socket_errors"],
            "mean_body_bytes": round(res["bytes"] / max(1, res["requests"]))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000],
                   help="entities per load; the store of the first is served (default 10000 100000)")
    p.add_argument("--connections", type=int, default=64, help="concurrent keep-alive clients (default 64)")
    p.add_argument("--duration", type=float, default=15.0, help="measured seconds per target (default 15)")
    p.add_argument("--workers", type=int, default=None, help="server worker processes (default: one per core)")
    p.add_argument("--cache-mb", type=int, default=256, help="server cache per worker in MB (default 256)")
    p.add_argument("--no-access-log", action="store_true", help="serve without the access log")
    p.add_argument("--targets", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--load-only", action="store_true", help="measure loading only (no server, no wrk)")
    p.add_argument("--no-floor", action="store_true", help="skip the conversion-alone and store-floor runs")
    p.add_argument("--no-defer", action="store_true", help="skip the staged loads (load --defer, then index)")
    p.add_argument("--defer-only", action="store_true", help="staged loads only (implies --load-only)")
    args = p.parse_args(argv)
    args.load_only = args.load_only or args.defer_only
    if shutil.which("wrk") is None and not args.load_only:
        print("bench_resolver needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2

    results: dict[str, Any] = {"connections": args.connections, "duration_s": args.duration,
                               "workers": args.workers or "one per core",
                               "cpus": len(os.sched_getaffinity(0)), "cache_mb": args.cache_mb,
                               "access_log": not args.no_access_log, "load": {}, "serve": {}}
    with tempfile.TemporaryDirectory(prefix="mimbridge-bench-") as tmp:
        stores = []
        for n in args.sizes:
            data, store = Path(tmp) / f"entities-{n}.json", Path(tmp) / f"store-{n}"
            write_entities(data, n)
            if not args.no_defer:
                d = timed_defer(data, Path(tmp) / f"staged-{n}", n)
                st, first, ix = d["stage"], d["first_requests"], d["index"]
                print(f"load --defer {n:>7} entities: {st['seconds']:6.2f} s  {st['entities_per_s']:>7,} entities/s "
                      f"(CPU {st['cpu_seconds']:.2f} s; the command says: {st['reported']}); the same as JSON Lines: "
                      f"{d['stage_lines']['seconds']:.2f} s, CPU {d['stage_lines']['cpu_seconds']:.2f} s "
                      f"({d['stage_lines']['reported']}); first requests before "
                      f"indexing: {first['per_s']:,}/s, p50 {first['p50_ms']} ms, p99 {first['p99_ms']} ms; "
                      f"index behind: {ix['seconds']:.1f} s ({ix['entities_per_s']:,} entities/s, "
                      f"CPU {ix['cpu_seconds']:.1f} s)", flush=True)
                shutil.rmtree(Path(tmp) / f"staged-{n}", ignore_errors=True)
                if args.defer_only:
                    results["load"][str(n)] = {"defer": d}
                    data.unlink()
                    continue
            r = timed_load(data, store)
            r["entities_per_s"] = round(n / r["seconds"])
            r["entities_per_cpu_s"] = round(n / r["cpu_seconds"])
            print(f"load {n:>7} entities: {r['seconds']:7.1f} s  {r['entities_per_s']:>7,} entities/s  "
                  f"(CPU {r['cpu_seconds']:.1f} s: {r['entities_per_cpu_s']:,} entities per CPU-second; "
                  f"{r['triples']:,} triples; peak RSS of the runs so far {r['peak_rss_mb_so_far']} MB)", flush=True)
            r["unchanged_again"] = timed_load(data, store)
            print(f"  again, unchanged: {r['unchanged_again']['seconds']:.1f} s (skipped)", flush=True)
            if n == args.sizes[0]:
                r["forced_again"] = timed_load(data, store, "--force")
                print(f"  again, --force: {r['forced_again']['seconds']:.1f} s (old graph removed, loaded again)",
                      flush=True)
            if not args.no_floor:
                r["floor"] = f = load_floor(data, Path(tmp))
                conv, disk, mem = f["convert"], f["store_disk"], f["store_memory"]
                print(f"  conversion alone: {conv['seconds']:.1f} s ({n / conv['seconds']:,.0f} entities/s, "
                      f"CPU {conv['cpu_seconds']:.1f} s); store floor, bulk loader alone: disk "
                      f"{disk['seconds']:.1f} s ({n / disk['seconds']:,.0f} entities/s, "
                      f"{disk['triples'] / disk['seconds']:,.0f} triples/s, CPU {disk['cpu_seconds']:.1f} s), "
                      f"memory {mem['seconds']:.1f} s ({n / mem['seconds']:,.0f} entities/s)", flush=True)
            data.unlink()
            if not args.no_defer:
                r["defer"] = d
            results["load"][str(n)] = r
            stores.append(store)
        if args.load_only:
            if args.json:
                args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
            return 0
        n = args.sizes[0]
        results["served_entities"] = n
        proc, port = start_server(stores[0], Path(tmp) / "server.log", args.workers, args.cache_mb,
                                  not args.no_access_log)
        try:
            for name in args.targets:
                warm = warm_pass(port, name, n)
                r = wrk(port, name, n, args.connections, args.duration, sequential=False)
                results["serve"][name] = {"warm": r, "warm_up": warm}
                print(f"{name:<8} {r['requests_per_s']:>8.1f} req/s  p50 {r['p50_ms']:>6.2f} ms  "
                      f"p99 {r['p99_ms']:>6.2f} ms  errors {r['errors']}  ({r['requests']} requests, "
                      f"{r['mean_body_bytes']} B)   warm-up pass: {warm['requests_per_s']:.0f} req/s, "
                      f"errors {warm['errors']}", flush=True)
        finally:
            stop_server(proc)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["warm"]["errors"] == 0 for r in results["serve"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
