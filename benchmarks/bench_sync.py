"""Benchmark: ``mimbridge sync`` between ``file:`` endpoints next to ``mimbridge convert`` of the same data.

Writes ``--n`` AirQualityObserved-like entities (:mod:`benchmarks.workload`,
about 50 triples each) once as a JSON array (what ``convert`` reads) and once
as JSON Lines (what ``sync`` pages through), then runs each path as its own
``python -m mimbridge`` process and reports wall time, records/s and peak RSS
(``wait4``'s ``ru_maxrss`` of that process):

* ``convert``: ``mimbridge convert in.json -t FORMAT`` (the whole document in memory);
* ``sync``: ``mimbridge sync --source file:in.jsonl --target file:out --checkpoint cp.json``
  (pages of ``--page-size`` records, a checkpoint saved and fsynced after each);
* ``sync (no checkpoint)``: the same without ``--checkpoint``.

for the targets NGSI-LD (JSON Lines out) and N-Triples. ``--skip-convert``
leaves ``convert`` out (at 1M entities it needs several GB).

    python -m benchmarks.bench_sync --n 100000
    python -m benchmarks.bench_sync --n 1000000 --skip-convert --path sync
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {"ngsi-ld": ".jsonl", "ntriples": ".nt"}


def write_inputs(n: int, where: Path, *, array_too: bool = True) -> tuple[Path, Path]:
    """``in.json`` (array; when ``array_too``) and ``in.jsonl`` (lines) with the same ``n`` entities, streamed."""
    from benchmarks.workload import entity

    array, lines = where / "in.json", where / "in.jsonl"
    rng = random.Random(42)
    with open(array if array_too else os.devnull, "w", encoding="utf-8") as fa, \
            open(lines, "w", encoding="utf-8") as fl:
        fa.write("[")
        for i in range(n):
            text = json.dumps(entity(i, rng), separators=(",", ":"))
            fa.write(("," if i else "") + text)
            fl.write(text + "\n")
        fa.write("]\n")
    return array, lines


def measure(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd``; its wall time and peak RSS (MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err[-2000:]}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}


def run(n: int, page_size: int, skip_convert: bool, rounds: int, *, targets: list[str] | None = None,
        paths_wanted: list[str] | None = None) -> list[dict[str, Any]]:
    exe = [sys.executable, "-m", "mimbridge"]
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="mimbridge-bench-sync-") as tmp:
        where = Path(tmp)
        array, lines = write_inputs(n, where, array_too=not skip_convert)
        for _ in range(rounds):  # interleaved, so machine load hits every path alike
            for fmt, suffix in TARGETS.items():
                if targets and fmt not in targets:
                    continue
                paths = {
                    "sync": ["sync", "--source", f"file:{lines}", "--target", f"file:{where / ('s' + suffix)}",
                             "--checkpoint", str(where / "cp.json"), "-O", f"source.page_size={page_size}"],
                    "sync (no checkpoint)": ["sync", "--source", f"file:{lines}",
                                             "--target", f"file:{where / ('n' + suffix)}",
                                             "-O", f"source.page_size={page_size}"],
                }
                if not skip_convert:
                    paths["convert"] = ["convert", str(array), "-f", "ngsi-ld", "-t", fmt,
                                        "-o", str(where / ("c" + suffix))]
                for name, args in paths.items():
                    if paths_wanted and name not in paths_wanted:
                        continue
                    for f in where.glob("[scn].*"):
                        f.unlink()
                    (where / "cp.json").unlink(missing_ok=True)
                    rows.setdefault((fmt, name), []).append(measure(exe + args))
    out = []
    for (fmt, name), runs in rows.items():
        best = min(runs, key=lambda r: r["seconds"])
        out.append({"target": fmt, "path": name, "n": n, "seconds": best["seconds"],
                    "records_per_s": n / best["seconds"],
                    "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--page-size", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--skip-convert", action="store_true")
    ap.add_argument("--target", action="append", choices=sorted(TARGETS), help="only these targets (repeatable)")
    ap.add_argument("--path", action="append", choices=["sync", "sync (no checkpoint)", "convert"],
                    help="only these paths (repeatable)")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args(argv)
    rows = run(args.n, args.page_size, args.skip_convert, args.rounds, targets=args.target, paths_wanted=args.path)
    print(f"{'target':<10} {'path':<22} {'records':>9} {'seconds':>9} {'records/s':>10} {'peak RSS MiB':>13}")
    for r in rows:
        print(f"{r['target']:<10} {r['path']:<22} {r['n']:>9} {r['seconds']:>9.1f} {r['records_per_s']:>10,.0f} "
              f"{r['peak_rss_mib']:>13.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
