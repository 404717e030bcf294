"""Benchmark: NGSI-LD <-> RDF in mimbridge next to pyld and rdflib, on one workload.

The workload is :mod:`benchmarks.workload` (deterministic AirQualityObserved-like
entities, about 50 JSON-LD triples each, plus the attribute nodes' meta-data).
Paths, each timed as best of ``--repeat`` runs (each from a cold start: the
process-wide memo of xsd:double forms is cleared) in CPU time of the process (as
:mod:`benchmarks.bench_sta`; other tenants of a shared machine do not count,
``--wall`` for wall-clock time), interleaved so that machine load hits all of
them alike:

* ``ngsi-ld -> ntriples``: ``mimbridge.convert`` from parsed JSON (skolem IRIs,
  round-trip annotations: the default output), and with ``blank_nodes=True``;
* ``pyld to_rdf``: ``jsonld.to_rdf`` of the same parsed JSON, offline contexts
  (neither library changes its input, so both take the same objects each round);
* ``ngsi-ld text -> ntriples``: ``mimbridge.convert`` of ``orjson.loads`` of the
  JSON text, the counterpart of rdflib, which parses JSON text itself;
* ``rdflib JSON-LD + nt``: rdflib parses the JSON-LD text (core context given
  inline, so nothing is fetched) and serialises N-Triples;
* ``ntriples -> ngsi-ld``: ``mimbridge.convert`` of mimbridge's N-Triples text
  back to parsed NGSI-LD JSON;
* ``rdflib nt parse``: rdflib parses that same N-Triples text into a Graph.

Ratios are peer time / mimbridge time per entity (higher is better for mimbridge).
Every path runs on the same ``--n`` entities by default: per-entity cost grows
with the size of the document for mimbridge and the peers alike (bigger dicts
and graphs, more cache misses, and for the peers more garbage-collector work),
so ratios are only fair between equal sizes. ``--peer-n`` runs the peers on
fewer entities for a quick look; such ratios are not comparable::

    python -m benchmarks.bench_rdf                    # 3,000 entities everywhere (about 5 minutes)
    python -m benchmarks.bench_rdf --n 5000 --json rdf.json

Targets from the RDF adapter issue: >= 20x pyld, >= 30x rdflib JSON-LD, >= 10x
rdflib N-Triples parse.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGETS = {"x_pyld_to_rdf": 20.0, "x_rdflib_jsonld_nt": 30.0, "x_rdflib_nt_parse": 10.0}


#: the clock: CPU time of this process, or wall time with ``--wall``
CLOCK = time.process_time


def _cold() -> None:
    """Forget what an earlier round memoised process-wide (canonical xsd:double forms), so that every
    round costs what converting these entities for the first time costs."""
    from mimbridge.adapters.rdf import terms as rdf

    rdf.DOUBLES.clear()


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        _cold()
        gc.collect()
        t0 = CLOCK()
        fn()
        best = min(best, CLOCK() - t0)
    return best


def paths(n: int, peer_n: int) -> dict[str, tuple[Callable[[], Any], int]]:
    """name -> (callable, entities it handles)."""
    import orjson
    import rdflib
    from pyld import jsonld

    import mimbridge
    from benchmarks.workload import entities
    from mimbridge.contexts.core import core_context_document
    from mimbridge.contexts.loader import ContextLoader

    raw = orjson.dumps(entities(n))
    peer_raw = raw if peer_n == n else orjson.dumps(entities(peer_n))
    nt = mimbridge.convert(orjson.loads(raw), source="ngsi-ld", target="ntriples").output
    peer_nt = nt if peer_n == n else mimbridge.convert(orjson.loads(peer_raw), source="ngsi-ld",
                                                       target="ntriples").output
    doc = orjson.loads(raw)
    peer_doc = doc if peer_n == n else orjson.loads(peer_raw)
    inline = orjson.loads(peer_raw)
    core = core_context_document("1.8")["@context"]
    for d in inline:
        d["@context"] = core
    inline_raw = orjson.dumps(inline)
    loader = ContextLoader()
    graph = mimbridge.read(orjson.loads(raw), source="ngsi-ld")

    return {
        "mimbridge ngsi-ld -> ntriples": (
            lambda: mimbridge.convert(doc, source="ngsi-ld", target="ntriples").output, n),
        "mimbridge ngsi-ld -> ntriples (blank nodes)": (
            lambda: mimbridge.convert(doc, source="ngsi-ld", target="ntriples", blank_nodes=True).output, n),
        "pyld to_rdf": (
            lambda: jsonld.to_rdf(peer_doc, {"documentLoader": loader, "format": "application/n-quads"}), peer_n),
        "mimbridge ngsi-ld text -> ntriples": (
            lambda: mimbridge.convert(orjson.loads(raw), source="ngsi-ld", target="ntriples").output, n),
        "rdflib JSON-LD parse + nt serialise": (
            lambda: rdflib.Graph().parse(data=inline_raw, format="json-ld").serialize(format="nt"), peer_n),
        "mimbridge ntriples -> ngsi-ld": (
            lambda: mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output, n),
        # where the time goes (reference rows, not targets)
        "reference: mimbridge ngsi-ld -> model (NGSI-LD reader only)": (
            lambda: mimbridge.read(doc, source="ngsi-ld"), n),
        "reference: mimbridge model -> ntriples (RDF writer only)": (
            lambda: mimbridge.write(graph, target="ntriples"), n),
        "reference: mimbridge ntriples -> model (RDF reader only)": (
            lambda: mimbridge.read(nt, source="ntriples"), n),
        "rdflib nt parse": (lambda: rdflib.Graph().parse(data=peer_nt, format="nt"), peer_n),
    }


def run(n: int, peer_n: int, repeat: int) -> dict[str, Any]:
    """Time every path (interleaved rounds, best per path) and compute the ratios."""
    for fn, _ in paths(20, 20).values():
        fn()  # warm-up on a few entities: imports, context processing
    table = paths(n, peer_n)
    best = dict.fromkeys(table, float("inf"))
    for _ in range(repeat):
        for name, (fn, _size) in table.items():
            best[name] = min(best[name], _best(fn, 1))
    per = {name: best[name] / table[name][1] for name in table}
    rows = {name: {"entities": table[name][1], "seconds": best[name], "entities_per_s": 1 / per[name]}
            for name in table}
    write = per["mimbridge ngsi-ld -> ntriples"]
    write_text = per["mimbridge ngsi-ld text -> ntriples"]
    read = per["mimbridge ntriples -> ngsi-ld"]
    ratios = {
        "x_pyld_to_rdf": per["pyld to_rdf"] / write,
        "x_rdflib_jsonld_nt": per["rdflib JSON-LD parse + nt serialise"] / write_text,
        "x_rdflib_nt_parse": per["rdflib nt parse"] / read,
    }
    info = {
        "x_pyld_to_rdf (mimbridge from JSON text, pyld from parsed JSON)": per["pyld to_rdf"] / write_text,
        "x_pyld_to_rdf (writer alone)":
            per["pyld to_rdf"] / per["reference: mimbridge model -> ntriples (RDF writer only)"],
        "x_pyld_to_rdf (NGSI-LD reader alone)":
            per["pyld to_rdf"] / per["reference: mimbridge ngsi-ld -> model (NGSI-LD reader only)"],
        "x_rdflib_nt_parse (RDF reader alone)":
            per["rdflib nt parse"] / per["reference: mimbridge ntriples -> model (RDF reader only)"],
    }
    return {"rows": rows, "ratios": ratios, "targets": TARGETS, "reference_ratios": info}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=3000, help="entities for the mimbridge paths")
    p.add_argument("--peer-n", type=int, help="entities for the peers (default: --n; smaller is quicker "
                   "but not comparable)")
    p.add_argument("--repeat", type=int, default=3, help="interleaved rounds; the best of each path counts")
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument("--wall", action="store_true", help="measure wall-clock time instead of CPU time")
    args = p.parse_args(argv)
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    result = run(args.n, args.peer_n or args.n, args.repeat)
    result["clock"] = "wall" if args.wall else "cpu"
    print("| path | entities | entities/s |\n|---|---:|---:|")
    for name, r in result["rows"].items():
        print(f"| {name} | {r['entities']} | {r['entities_per_s']:,.0f} |")
    print()
    for key, value in result["ratios"].items():
        mark = "ok" if value >= TARGETS[key] else "below target"
        print(f"{key}: {value:.1f}x (target >= {TARGETS[key]:.0f}x, {mark})")
    for key, value in result["reference_ratios"].items():
        print(f"{key}: {value:.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
