"""Benchmark: ``mimbridge.dask.convert_files`` on a LocalCluster of 2 worker processes next to one process.

Writes ``--n`` AirQualityObserved-like entities (:mod:`benchmarks.workload`)
as ``--files`` JSON Lines files, then converts them to N-Triples

* in one process: the same tasks run one after another by Dask's synchronous
  scheduler (no cluster, no serialisation);
* on a ``distributed.LocalCluster`` of ``--workers`` worker processes (one
  thread each), started before the clock starts (its start-up is given apart).

Wall-clock time of each, best of ``--rounds`` (interleaved); the speedup is
the one-process time over the cluster time. Needs the ``dask`` extra.

    python -m benchmarks.bench_dask --n 200000 --files 8
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def write_files(folder: Path, n: int, files: int) -> list[Path]:
    """``n`` entities in ``files`` JSON Lines files of about equal size."""
    from benchmarks.workload import entity

    rng = random.Random(42)
    paths = [folder / f"part-{k:02d}.jsonl" for k in range(files)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    try:
        for i in range(n):
            handles[i * files // n].write(json.dumps(entity(i, rng), separators=(",", ":")) + "\n")
    finally:
        for h in handles:
            h.close()
    return paths


def _warm() -> None:
    from mimbridge import registry

    registry.get("ngsi-ld"), registry.get("ntriples")


def run(n: int, files: int, workers: int, rounds: int) -> dict[str, Any]:
    import dask
    from distributed import Client, LocalCluster

    from mimbridge.dask import convert_files

    _warm()  # the adapters imported before the clock starts, as on the workers
    with tempfile.TemporaryDirectory(prefix="mimbridge-bench-dask-") as tmp:
        where = Path(tmp)
        paths = write_files(where, n, files)
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
        client.run(_warm)  # the workers import the adapters before the clock starts too
        startup = time.perf_counter() - t0
        one: list[float] = []
        many: list[float] = []
        try:
            for _ in range(rounds):
                with dask.config.set(scheduler="sync"):
                    t0 = time.perf_counter()
                    rep1, _ = convert_files(paths, source="ngsi-ld", target="ntriples", out_dir=where / "one")
                    one.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                rep2, _ = convert_files(paths, source="ngsi-ld", target="ntriples", out_dir=where / "many",
                                        client=client)
                many.append(time.perf_counter() - t0)
                assert rep1.records_in == rep2.records_in == n
                for p in paths:  # the same output either way
                    name = p.name.replace(".jsonl", ".nt")
                    assert (where / "one" / name).stat().st_size == (where / "many" / name).stat().st_size
        finally:
            client.close()
            cluster.close()
    return {"n": n, "files": files, "workers": workers, "cluster_startup_s": startup,
            "one_process_s": min(one), "cluster_s": min(many), "speedup": min(one) / min(many),
            "one_rate": n / min(one), "cluster_rate": n / min(many), "rounds": rounds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--json", help="also write the result to this file")
    args = ap.parse_args(argv)
    r = run(args.n, args.files, args.workers, args.rounds)
    print(f"{r['n']:,} entities in {r['files']} files -> N-Triples: one process {r['one_process_s']:.1f} s "
          f"({r['one_rate']:,.0f}/s), {r['workers']} workers {r['cluster_s']:.1f} s ({r['cluster_rate']:,.0f}/s): "
          f"speedup {r['speedup']:.2f}x (cluster start-up {r['cluster_startup_s']:.1f} s, not counted)")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
