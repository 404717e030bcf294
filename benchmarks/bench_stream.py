"""Benchmark: streaming conversion of large inputs (peak RSS and rate next to in-memory convert), one run.

Each measurement runs in its own subprocess so that peak RSS (``ru_maxrss``) is
its own. The workload is :mod:`benchmarks.workload` (AirQualityObserved-like
entities), written once as JSON Lines and as one JSON array; GeoJSON points are
written as one FeatureCollection.

* ``convert``: ``mimbridge.convert`` of ``--memory-n`` entities read whole (the
  in-memory per-entity rate; its peak RSS grows with the input);
* ``stream``: ``mimbridge.stream`` of ``--n`` records from the file to a file;
* ``floor``: orjson load + dump of the same JSON Lines;
* ``sync``: ``mimbridge sync`` of the JSON Lines from a ``file:`` endpoint to
  an N-Triples ``file:`` endpoint (checkpointed), next to convert's rate.

"/convert" is a streamed rate over the in-memory rate of the same case in the
same run: the mean of a convert measured just before and one just after the
stream. "paired" is steadier on a shared machine, whose speed drifts by a
third during a long stream: the stream waits after every tenth of its records
while a convert runs in its own process, and each tenth's rate is divided by
the mean of the converts measured just before and just after it; the column
is the median of those ten ratios (listed after it). Rates are CPU time of
the measured process. Rows are printed (and appended to ``--json`` as JSON
Lines) as they are measured.

    python -m benchmarks.bench_stream --n 1000000 --dir /var/tmp/mb   # about an hour on 2 shared cores
    python -m benchmarks.bench_stream --n 100000 --json rows.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: case -> (source format, input kind, target format)
CASES: dict[str, tuple[str, str, str]] = {
    "jsonl->ntriples": ("ngsi-ld", "jsonl", "ntriples"),
    "array->ntriples": ("ngsi-ld", "array", "ntriples"),
    "jsonl->keyvalues": ("ngsi-ld", "jsonl", "ngsi-ld-keyvalues"),
    "array->keyvalues": ("ngsi-ld", "array", "ngsi-ld-keyvalues"),
    "geojson-points->ngsi-ld": ("geojson", "points", "ngsi-ld"),
    "sta-observations->temporal": ("sta", "observations", "ngsi-ld-temporal"),
}
#: options per case
OPTIONS: dict[str, dict[str, Any]] = {"sta-observations->temporal": {"mapping": "observations"}}


def write_inputs(folder: Path, n: int) -> dict[str, Path]:
    """The workload as JSON Lines, as one JSON array, and ``n`` GeoJSON points as a FeatureCollection."""
    import random

    from benchmarks.workload import entity

    paths = {"jsonl": folder / "ents.jsonl", "array": folder / "ents.json", "points": folder / "points.geojson",
             "observations": folder / "observations.json"}
    rng = random.Random(42)
    with paths["jsonl"].open("w", encoding="utf-8") as jl, paths["array"].open("w", encoding="utf-8") as arr:
        arr.write("[")
        for i in range(n):
            text = json.dumps(entity(i, rng))
            jl.write(text + "\n")
            arr.write(("," if i else "") + text)
        arr.write("]")
    with paths["points"].open("w", encoding="utf-8") as fc:
        fc.write('{"type": "FeatureCollection", "features": [')
        for i in range(n):
            f = {"type": "Feature", "id": f"p{i}", "geometry": {"type": "Point", "coordinates": [
                round(2 + rng.random(), 6), round(41 + rng.random(), 6)]}, "properties": {"name": f"point {i}",
                                                                                           "value": i}}
            fc.write(("," if i else "") + json.dumps(f))
        fc.write("]}")
    with paths["observations"].open("w", encoding="utf-8") as obs:  # one SensorThings page of Observations
        obs.write('{"value": [')
        for i in range(n):
            o = {"@iot.id": i, "phenomenonTime": f"2024-01-{1 + i // 86400 % 28:02d}T{i // 3600 % 24:02d}:"
                 f"{i // 60 % 60:02d}:{i % 60:02d}Z", "result": round(rng.random() * 30, 2),
                 "Datastream@iot.navigationLink": f"Observations({i})/Datastream"}
            obs.write(("," if i else "") + json.dumps(o))
        obs.write("]}")
    return paths


def child(mode: str, case: str, path: str, n: int, ref: tuple[str, int, int] | None = None) -> dict[str, Any]:
    """One measurement in this process (called through ``--child``).

    ``ref`` (stream only): ``(path, n, window)``: after every ``window`` records the stream waits while
    convert of that smaller input runs in a process of its own, so that each window of the stream has an
    in-memory reference measured next to it (the machine's speed drifts during a long stream).
    """
    import gc

    source, _, target = CASES[case]
    if mode != "floor":  # the adapters are imported before the clock starts, for both paths
        from mimbridge import registry

        registry.get(source), registry.get(target)
    t0 = time.process_time()
    if mode == "stream":
        import mimbridge

        marks: list[tuple[int, float, float]] = []  # (records, stream CPU so far, reference rate after them)

        def window(count: int) -> None:
            if ref is not None and count - (marks[-1][0] if marks else 0) >= ref[2]:
                cpu = time.process_time() - t0  # the reference runs in its own process: not counted here
                marks.append((count, cpu, _spawn("convert", case, Path(ref[0]), ref[1])["rate"]))

        start_ref = _spawn("convert", case, Path(ref[0]), ref[1])["rate"] if ref is not None else 0.0
        t0 = time.process_time()
        with open(os.devnull, "w", encoding="utf-8") as out:
            s = mimbridge.stream(Path(path), source=source, target=target, **OPTIONS.get(case, {}))
            s.on_record = window
            s.write_to(out)
        records = s.records or s.report.records_in
    elif mode == "convert":
        import mimbridge
        from mimbridge.convert import dumps

        with open(path, "rb") as fh:
            raw = fh.read()
        gc.collect()
        t0 = time.process_time()  # parsing the input counts, as it does for the stream
        data: Any = [json.loads(line) for line in raw.splitlines()[:n]] if path.endswith(".jsonl") else raw
        r = mimbridge.convert(data, source=source, target=target, **OPTIONS.get(case, {}))
        dumps(r.output)
        records = n
        del r, data, raw
    else:  # floor
        import orjson

        with open(path, "rb") as fh:
            for line in fh:
                orjson.dumps(orjson.loads(line))
        records = n
    secs = time.process_time() - t0
    row = {"mode": mode, "case": case, "records": records, "cpu_s": secs, "rate": records / secs if secs else 0.0,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if mode == "stream" and ref is not None:
        ratios, prev = [], (0, 0.0, start_ref)
        for mark in marks:
            rate = (mark[0] - prev[0]) / (mark[1] - prev[1]) if mark[1] > prev[1] else 0.0
            ratios.append(rate / ((prev[2] + mark[2]) / 2))
            prev = mark
        row["window_ratios"] = [round(r, 3) for r in ratios]
        row["paired_ratio"] = sorted(ratios)[len(ratios) // 2] if ratios else float("nan")
    return row


def _spawn(mode: str, case: str, path: Path, n: int, ref: tuple[Path, int, int] | None = None) -> dict[str, Any]:
    extra = ["--ref", str(ref[0]), str(ref[1]), str(ref[2])] if ref is not None else []
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_stream", "--child", mode, case,
                          str(path), str(n), *extra], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def sync_files(lines: Path, n: int, where: Path) -> dict[str, Any]:
    """``mimbridge sync`` from a JSON Lines ``file:`` endpoint to an N-Triples one (checkpointed), its own process.

    CPU time and peak RSS of that process (``wait4``), as for the other rows.
    """
    out, cp = where / "sync-out.nt", where / "sync-cp.json"
    out.unlink(missing_ok=True)
    cp.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "mimbridge", "sync", "--source", f"file:{lines}",
           "--target", f"file:{out}", "--checkpoint", str(cp), "-O", "source.page_size=1000"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sync failed: {err[-2000:]}")
    with out.open("rb") as fh:  # every record written: its entity's type triple
        typed = sum(1 for line in fh if line.startswith(b"<urn:ngsi-ld:AirQualityObserved:") and b"#type>" in line)
    out.unlink()
    secs = usage.ru_utime + usage.ru_stime
    return {"mode": "sync", "case": "jsonl->ntriples", "records": typed, "cpu_s": secs, "wall_s": wall,
            "rate": n / secs if secs else 0.0, "peak_rss_mb": usage.ru_maxrss / 1024}


def inputs(folder: Path, n: int) -> dict[str, Path]:
    """The inputs of ``n`` records in ``folder``, written once (a marker file records ``n``)."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "n.txt"
    if marker.exists() and marker.read_text(encoding="utf-8") == str(n):
        return {"jsonl": folder / "ents.jsonl", "array": folder / "ents.json", "points": folder / "points.geojson",
                "observations": folder / "observations.json"}
    paths = write_inputs(folder, n)
    marker.write_text(str(n), encoding="utf-8")
    return paths


def run(n: int, memory_n: int, cases: list[str] | None = None, *, folder: Path | None = None, sync: bool | str = True,
        floor: bool = True, log: Any = None, window: int = 10_000) -> list[dict[str, Any]]:
    """Every case: stream of ``n`` records, convert of ``memory_n`` (the in-memory rate), the orjson floor
    of the JSON Lines, and ``sync`` of the JSON Lines to N-Triples; one process each, one after another.

    ``folder`` keeps the generated inputs between runs (default: a temporary directory).
    """
    rows: list[dict[str, Any]] = []

    def done(row: dict[str, Any]) -> None:
        rows.append(row)
        if log is not None:
            log(row)

    with tempfile.TemporaryDirectory() as tmp:
        base = folder or Path(tmp)
        paths = inputs(base / f"n{n}", n)
        small = inputs(base / f"n{memory_n}", memory_n)
        if floor:
            done(_spawn("floor", "jsonl->ntriples", paths["jsonl"], n))
        for case in [] if sync == "only" else cases or list(CASES):
            kind = CASES[case][1]
            # the in-memory reference is measured before and after the stream: the ratio is against their mean,
            # so a change of the machine's load during a long stream weighs on both sides alike
            before = _spawn("convert", case, small[kind], memory_n)
            done(before)
            streamed = _spawn("stream", case, paths[kind], n, (small[kind], memory_n, max(window, n // 10)))
            after = _spawn("convert", case, small[kind], memory_n)
            streamed["reference_rate"] = (before["rate"] + after["rate"]) / 2
            done(streamed)
            done(after)
        if sync:
            if not cases or "jsonl->ntriples" not in cases:
                done(_spawn("convert", "jsonl->ntriples", small["jsonl"], memory_n))
            done(sync_files(paths["jsonl"], n, base))
    return rows


def _line(r: dict[str, Any], floor: float | None, memory: dict[str, float]) -> str:
    ref = r.get("reference_rate") or memory.get(r["case"])
    rel = r["rate"] / ref if r["mode"] in ("stream", "sync") and ref else float("nan")
    x = floor / r["rate"] if floor and r["rate"] else float("nan")
    paired = f" {r['paired_ratio']:>7.2f}  {r['window_ratios']}" if "paired_ratio" in r else ""
    return (f"{r['case']:<26} {r['mode']:<8} {r['records']:>9} {r['rate']:>10.0f} {x:>8.1f} {rel:>9.2f} "
            f"{r['peak_rss_mb']:>8.0f}{paired}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="records streamed (default 100000)")
    p.add_argument("--memory-n", type=int, default=50_000, help="records converted in memory (default 50000)")
    p.add_argument("--case", action="append", choices=sorted(CASES), help="cases to run (default: all)")
    p.add_argument("--no-sync", action="store_true", help="leave out the sync case")
    p.add_argument("--only-sync", action="store_true", help="only the sync case (and its convert reference)")
    p.add_argument("--no-floor", action="store_true", help="leave out the orjson floor")
    p.add_argument("--dir", type=Path, help="keep the generated inputs here (reused by the next run)")
    p.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    p.add_argument("--child", nargs=4, metavar=("MODE", "CASE", "PATH", "N"), help=argparse.SUPPRESS)
    p.add_argument("--ref", nargs=3, metavar=("PATH", "N", "WINDOW"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        mode, case, path, n = args.child
        ref = (args.ref[0], int(args.ref[1]), int(args.ref[2])) if args.ref else None
        print(json.dumps(child(mode, case, path, int(n), ref)))
        return 0
    print(f"{'case':<26} {'mode':<8} {'records':>9} {'records/s':>10} {'x floor':>8} {'/convert':>9} {'peak MB':>8} "
          f"{'paired':>7}  per window", flush=True)
    seen: dict[str, float] = {}

    def log(r: dict[str, Any]) -> None:  # each row as soon as it is measured (a 1M run takes a while)
        if r["mode"] == "convert":
            seen[r["case"]] = r["rate"]
        print(_line(r, seen.get("floor"), seen), flush=True)
        if r["mode"] == "floor":
            seen["floor"] = r["rate"]
        if args.json:
            with open(args.json, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(r) + "\n")

    run(args.n, args.memory_n, args.case, folder=args.dir, sync="only" if args.only_sync else not args.no_sync,
        floor=not args.no_floor, log=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
