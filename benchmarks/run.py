"""Benchmark: mimbridge conversions next to the orjson floor and the peers, in one run.

Each path runs in its own subprocess (so peak RSS is per path) on the same
deterministic workload (:mod:`benchmarks.workload`); the report gives
entities/s, peak RSS and the ratio to the floor (orjson load + dump of the
same entities) measured in the same run.

    python -m benchmarks.run                  # default sizes
    python -m benchmarks.run --n 20000 --peer-n 1000 --json results.json

Peers (pyld expand / to_rdf, rdflib JSON-LD parse) are run on ``--peer-n``
entities because they are two to three orders of magnitude slower; their rate
is still per entity, so ratios are comparable.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: path name -> (description, group)
PATHS: dict[str, tuple[str, str]] = {
    "floor:orjson": ("orjson loads + dumps (the floor)", "floor"),
    "mimbridge:ngsi-ld->ngsi-ld": ("normalized -> model -> normalized", "mimbridge"),
    "mimbridge:ngsi-ld->ngsi-ld-keyvalues": ("normalized -> keyValues", "mimbridge"),
    "mimbridge:ngsi-ld->ngsi-ld-concise": ("normalized -> concise", "mimbridge"),
    "mimbridge:ngsi-ld-keyvalues->ngsi-ld": ("keyValues -> normalized (kinds given)", "mimbridge"),
    "mimbridge:ngsi-ld->native": ("normalized -> model dump", "mimbridge"),
    "peer:pyld-expand": ("pyld jsonld.expand (offline contexts)", "peer"),
    "peer:pyld-to_rdf": ("pyld jsonld.to_rdf (offline contexts)", "peer"),
    "peer:rdflib-jsonld": ("rdflib JSON-LD parse into a Graph", "peer"),
}


def _timed(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_one(path: str, n: int, repeat: int) -> dict[str, Any]:
    """Measure one path in this process; returns seconds (best of ``repeat``) and peak RSS."""
    import orjson

    from benchmarks.workload import entities

    raw = orjson.dumps(entities(n))
    kind, _, rest = path.partition(":")
    if kind == "floor":
        def fn() -> None:
            orjson.dumps(orjson.loads(raw))
    elif kind == "mimbridge":
        import mimbridge

        src, _, dst = rest.partition("->")
        opts: dict[str, Any] = {}
        data = raw
        if src == "ngsi-ld-keyvalues":
            out = mimbridge.convert(orjson.loads(raw), source="ngsi-ld", target="ngsi-ld-keyvalues").output
            data = orjson.dumps(out)
            opts["kinds"] = {"refDevice": "Relationship", "location": "GeoProperty"}
            opts["kinds"].update({k: "Property" for k in out[0] if k not in ("id", "type", "@context",
                                                                               "refDevice", "location")})

        def fn() -> None:
            orjson.dumps(mimbridge.convert(orjson.loads(data), source=src, target=dst, **opts).output)
    else:
        from pyld import jsonld

        from mimbridge.contexts.loader import ContextLoader

        loader = ContextLoader()
        options = {"documentLoader": loader}
        if rest == "pyld-expand":
            def fn() -> None:
                jsonld.expand(orjson.loads(raw), options)
        elif rest == "pyld-to_rdf":
            def fn() -> None:
                jsonld.to_rdf(orjson.loads(raw), {**options, "format": "application/n-quads"})
        elif rest == "rdflib-jsonld":
            import rdflib

            from mimbridge.contexts.core import core_context_document
            # rdflib is given the context as a dict (it would fetch the URL otherwise)
            docs = orjson.loads(raw)
            for d in docs:
                d["@context"] = core_context_document("1.8")["@context"]
            inline = orjson.dumps(docs)

            def fn() -> None:
                rdflib.Graph().parse(data=inline, format="json-ld")
        else:
            raise SystemExit(f"unknown path {path}")
    fn()  # warm-up (context processing, imports)
    seconds = _timed(fn, repeat)
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"path": path, "n": n, "seconds": seconds, "entities_per_s": n / seconds, "peak_rss_mib": rss_kib / 1024}


def run_all(n: int, peer_n: int, repeat: int, paths: list[str]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        size = peer_n if PATHS[path][1] == "peer" else n
        proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--one", path, "--n", str(size),
                               "--repeat", str(repeat if PATHS[path][1] != "peer" else 1)],
                              capture_output=True, text=True, cwd=ROOT, timeout=3600, check=False)
        if proc.returncode != 0:
            rows.append({"path": path, "error": proc.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(proc.stdout))
    floor = next(r for r in rows if r["path"] == "floor:orjson")
    for r in rows:
        if "seconds" in r:
            r["x_floor"] = floor["entities_per_s"] / r["entities_per_s"]
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    out = ["| path | what | entities | entities/s | x floor (lower is better) | peak RSS MiB |",
           "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['path']} | error: {r['error']} | | | | |")
            continue
        out.append(f"| `{r['path']}` | {PATHS[r['path']][0]} | {r['n']} | {r['entities_per_s']:,.0f} | "
                   f"{r['x_floor']:.2f} | {r['peak_rss_mib']:.0f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20000, help="entities for floor and mimbridge paths")
    p.add_argument("--peer-n", type=int, default=1000, help="entities for the (slow) peers")
    p.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    p.add_argument("--paths", nargs="*", default=list(PATHS), help="subset of paths")
    p.add_argument("--json", help="also write the rows as JSON to this file")
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.n, args.repeat)))
        return 0
    paths = ["floor:orjson", *[x for x in args.paths if x != "floor:orjson"]]
    rows = run_all(args.n, args.peer_n, args.repeat, paths)
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
