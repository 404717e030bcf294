"""``mimbridge sync`` killed with SIGKILL at random moments, then resumed, loses and duplicates nothing.

For every sink kind the sync supports, a JSON Lines file of NGSI-LD entities is
copied by ``mimbridge sync --checkpoint`` runs that :mod:`tests.sync_killer`
kills at random moments (at least ``MIMBRIDGE_RESUME_KILLS``, default 20) until
one finishes; then the target is read back and every record counted: lost
(in the source, not in the target) and duplicated (there more than once).

The default profile keeps the whole module within about a minute; for a longer
hand run: ``MIMBRIDGE_RESUME_KILLS=200 MIMBRIDGE_RESUME_RECORDS=20000 pytest tests/test_sync_resume.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from mimbridge.clients.http import HttpClient
from mimbridge.clients.sparql import iri, select

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("MIMBRIDGE_RESUME_KILLS", "20"))
RECORDS = int(os.environ.get("MIMBRIDGE_RESUME_RECORDS", "2000"))
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SENSOR = "https://uri.etsi.org/ngsi-ld/default-context/Sensor"


def entity(i: int) -> dict:
    """A record with a Property (observedAt, unitCode), a text Property, a Point and a Relationship."""
    return {
        "id": f"urn:ngsi-ld:Sensor:{i:07d}", "type": "Sensor",
        "temperature": {"type": "Property", "value": 20 + i % 10 + 0.5, "observedAt": "2024-01-01T00:00:00Z",
                        "unitCode": "CEL"},
        "name": {"type": "Property", "value": f"sensor {i}"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [5.0 + i % 7, 52.0]}},
        "partOf": {"type": "Relationship", "object": f"urn:ngsi-ld:Building:{i % 5}"},
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, list[dict]]:
    records = [entity(i) for i in range(RECORDS)]
    path = tmp_path_factory.mktemp("resume") / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path, records


def kill_and_resume(tmp_path: Path, src: Path, target: str, fmt: str, *, records: int, seed: int,
                    page_size: int = 10, options: tuple[str, ...] = ()) -> dict:
    """Run the sync under :mod:`tests.sync_killer`; return its result (kills, runs, exit)."""
    cp = tmp_path / "sync.checkpoint.json"
    args = ["sync", "--source", f"file:{src}", "--target", target, "--checkpoint", str(cp),
            "-O", f"source.page_size={page_size}", *[a for o in options for a in ("-O", o)]]
    config = {"args": args, "checkpoint": str(cp), "kills": KILLS, "total": records, "seed": seed,
              "page_size": page_size,
              "timeout": 60 + KILLS * 2, "warm": ["ngsi-ld", fmt, [entity(0)]]}
    (tmp_path / "killer.json").write_text(json.dumps(config), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tests.sync_killer", str(tmp_path / "killer.json")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120 + KILLS * 3)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["exit"] == 0, (result, proc.stderr[-3000:])
    assert result["kills"] >= KILLS, result
    assert result["kills_after_progress"] >= KILLS // 4, result  # the kills struck mid-copy, not only at start
    final = json.loads(cp.read_text(encoding="utf-8"))
    assert final["done"] and final["records"] == records == final["written"], final
    assert "written_ids" not in final and len(cp.read_bytes()) < 2000  # O(page), not O(everything)
    return result


def lost_and_duplicated(counts: Counter, ids: list[str]) -> tuple[int, int]:
    lost = sum(1 for i in ids if counts[i] == 0)
    duplicated = sum(c - 1 for i, c in counts.items() if c > 1)
    return lost, duplicated


def test_json_lines_file(tmp_path, source):
    src, records = source
    out = tmp_path / "out.jsonl"
    kill_and_resume(tmp_path, src, f"file:{out}", "ngsi-ld", records=len(records), seed=1)
    lines = out.read_text(encoding="utf-8").splitlines()
    parsed = [json.loads(line) for line in lines]  # a torn line would not parse
    counts = Counter(r["id"] for r in parsed)
    assert lost_and_duplicated(counts, [r["id"] for r in records]) == (0, 0)
    assert parsed == records  # in order, each exactly once, unchanged


def _rdf_counts(triples: list[ox.Triple]) -> Counter:
    return Counter(t.subject.value for t in triples
                   if t.predicate.value == RDF_TYPE and t.object.value == SENSOR)


@pytest.mark.parametrize(("suffix", "fmt", "syntax"), [
    (".nt", "ntriples", ox.RdfFormat.N_TRIPLES),
    (".ttl", "turtle", ox.RdfFormat.TURTLE),
    (".nq", "nquads", ox.RdfFormat.N_QUADS),
])
def test_rdf_text_file(tmp_path, source, suffix, fmt, syntax):
    src, records = source
    out = tmp_path / f"out{suffix}"
    kill_and_resume(tmp_path, src, f"file:{out}", fmt, records=len(records), seed=2)
    triples = list(ox.parse(path=out, format=syntax))  # a torn statement would not parse
    assert lost_and_duplicated(_rdf_counts(triples), [r["id"] for r in records]) == (0, 0)
    # duplicates of blank-node structures get other labels: count every statement against the records
    expected = _statements(records, fmt, syntax)
    assert len(triples) == expected


def _statements(records: list[dict], fmt: str, syntax: ox.RdfFormat) -> int:
    """Statements the records make, counted from a conversion of each record on its own."""
    import mimbridge

    n = 0
    for start in range(0, len(records), 500):
        text = mimbridge.convert(records[start:start + 500], source="ngsi-ld", target=fmt).output
        n += sum(1 for _ in ox.parse(text, format=syntax))
    return n


def test_sparql_graph_store(tmp_path, source, oxigraph_server):
    records = source[1][: max(RECORDS // 2, 200)]
    src = tmp_path / "part.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    base = oxigraph_server.url
    graph = "urn:test:resume"
    kill_and_resume(tmp_path, src, f"sparql+{base}/query", "ntriples", records=len(records), seed=3,
                    page_size=25, options=(f"target.graph={graph}",))
    http = HttpClient()
    rows = select(f"{base}/query", "SELECT ?e (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?e a ?t } } GROUP BY ?e",
                  http=http, bindings={"g": iri(graph), "t": iri(SENSOR)})
    counts = Counter({r["e"].value: int(r["n"].value) for r in rows})
    assert lost_and_duplicated(counts, [r["id"] for r in records]) == (0, 0)
    # a replayed page whose blank nodes were not replaced would add statements: count them all
    total = select(f"{base}/query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", http=http,
                   bindings={"g": iri(graph)})
    assert int(total[0]["n"].value) == _statements(records, "ntriples", ox.RdfFormat.N_TRIPLES)


def test_ngsild_broker(tmp_path, source, ngsild_broker):
    records = source[1]
    records = records[: max(RECORDS // 4, 200)]
    part = tmp_path / "part.jsonl"
    part.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ngsild_broker.reset()
    kill_and_resume(tmp_path, part, f"ngsi-ld+{ngsild_broker.url}", "ngsi-ld", records=len(records), seed=4)
    seen: list[dict] = []
    with httpx.Client(timeout=30) as client:
        for offset in range(0, len(records) + 100, 100):
            r = client.get(f"{ngsild_broker.url}/ngsi-ld/v1/entities",
                           params={"type": "Sensor", "limit": 100, "offset": offset})
            assert r.status_code == 200, r.text
            seen.extend(r.json())
    counts = Counter(e["id"] for e in seen)
    assert lost_and_duplicated(counts, [r["id"] for r in records]) == (0, 0)
    assert ngsild_broker.violations() == []


def test_a_json_lines_source_reads_values_as_json_and_names_a_bad_line(tmp_path):
    """Pages of a JSON Lines file: a byte-order mark skipped, an integer beyond 64 bits exact (the fast parser
    would read a float), the byte offsets of the next links right; NaN (not JSON) a ParseError at its line."""
    from mimbridge.clients.files import FileSource
    from mimbridge.errors import ParseError

    rows = [{"id": f"urn:ngsi-ld:T:{i}", "type": "T", "n": 123456789012345678901234567890 + i} for i in range(5)]
    path = tmp_path / "in.jsonl"
    text = "\ufeff" + "\n".join(json.dumps(r) for r in rows) + "\n\n"
    path.write_bytes(text.encode("utf-8"))
    pages = list(FileSource(path, format="ngsi-ld", page_size=2).pages())
    assert [r for p in pages for r in p.payload] == rows
    assert all(r["n"].__class__ is int for p in pages for r in p.payload)
    data = path.read_bytes()
    for page in pages[:-1]:  # the next link's byte offset is where its line starts
        fragment = dict(x.split("=") for x in page.next_link.rpartition("#")[2].split("&"))
        line, byte = int(fragment["line"]), int(fragment["byte"])
        assert data[byte:].split(b"\n", 1)[0] == json.dumps(rows[line - 1]).encode("utf-8")
        resumed = list(FileSource(path, format="ngsi-ld", page_size=2).pages(start=page.next_link))
        assert [r for p in resumed for r in p.payload] == rows[line - 1:]
    path.write_text(json.dumps(rows[0]) + "\n" + '{"id": "urn:ngsi-ld:T:9", "n": NaN}\n', encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(FileSource(path, format="ngsi-ld", page_size=2).pages())
    assert info.value.pointer == "line 2"
