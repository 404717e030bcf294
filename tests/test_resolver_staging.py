"""Staged loading (``load --defer``): entities served from their records at once, the triple store filled behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from mimbridge.errors import MimbridgeError
from mimbridge.minting import Rules
from mimbridge.resolve.bulk import bulk_load_file
from mimbridge.resolve.indexing import index_store
from mimbridge.resolve.service import Resolver
from mimbridge.resolve.snapshots import ServingStore, current_snapshot, publish, staged_upto
from mimbridge.resolve.staging import LayeredStore, RecordStore, stage_file
from mimbridge.resolve.store import OxigraphStore

from .conftest import ROOT
from .test_resolver_service import CONTEXT_FILES, CORE_18, entity_files

HAS_VALUE = ox.NamedNode("https://uri.etsi.org/ngsi-ld/hasValue")


def _rooms(n, value, *, start=0):
    return [{"id": f"urn:ngsi-ld:Room:r{i}", "type": "Room", "t": {"type": "Property", "value": value}}
            for i in range(start, start + n)]


def _graph(triples):
    g = rdflib.Graph()
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return g


def _values(store, iri):
    return sorted(t.object.value for t in store.describe([iri]) if t.predicate == HAS_VALUE)


def test_corpus_entities_are_served_from_their_records_as_the_triple_store_serves_them(corpus, tmp_path):
    """Every ETSI test-suite entity file: the description made from the staged record before indexing, the one
    after indexing, and the one of an ordinary load through the triple store are the same graph."""
    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    contexts[CORE_18[0]] = str(corpus / CORE_18[1])
    files = entity_files(corpus)
    assert len(files) >= 10
    ids = {}
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        ids[path] = [e["id"] for e in (doc if isinstance(doc, list) else [doc])]
        r = stage_file(tmp_path / "staged", path, source="ngsi-ld", contexts=contexts)
        assert (r.entities, r.rejected) == (len(ids[path]), 0), path.name
    with OxigraphStore(tmp_path / "plain") as plain:
        for path in files:
            bulk_load_file(plain, path, source="ngsi-ld", contexts=contexts)
        expected = {i: _graph(plain.describe([i])) for v in ids.values() for i in v}
    before = ServingStore(tmp_path / "staged")
    assert isinstance(before.store, LayeredStore) and before.upto == 0 and before.staged == len(files)
    assert sum(len(g) for g in expected.values()) > 100 and all(expected.values())
    for iri, graph in expected.items():
        assert isomorphic(_graph(before.store.describe([iri])), graph), iri
    results = index_store(tmp_path / "staged")
    assert sorted(r.graph for r in results) == sorted(p.resolve().as_uri() for p in files)
    after = ServingStore(tmp_path / "staged")
    assert isinstance(after.store, OxigraphStore) and after.upto == after.staged == len(files)
    for iri, graph in expected.items():
        assert isomorphic(_graph(after.store.describe([iri])), graph), iri


def test_restaging_replaces_changes_and_removes_at_once_and_indexing_agrees(tmp_path):
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(3, 20)), encoding="utf-8")
    folder = tmp_path / "store"
    stage_file(folder, data, source="ngsi-ld")
    index_store(folder)
    serving = ServingStore(folder)
    assert _values(serving.store, "urn:ngsi-ld:Room:r0") == ["20"]
    # r0 changed, r1 gone, r2 kept, r3 new
    data.write_text(json.dumps([*_rooms(1, 21), *_rooms(1, 20, start=2), *_rooms(1, 22, start=3)]),
                    encoding="utf-8")
    r = stage_file(folder, data, source="ngsi-ld")
    assert (r.entities, r.removed, r.seq) == (3, 1, 2)
    assert serving.check()  # the staging is seen without a new snapshot
    assert isinstance(serving.store, LayeredStore)
    assert _values(serving.store, "urn:ngsi-ld:Room:r0") == ["21"]
    assert serving.store.first_subject(["urn:ngsi-ld:Room:r1"]) is None
    assert serving.store.describe(["urn:ngsi-ld:Room:r1"]) == []
    assert _values(serving.store, "urn:ngsi-ld:Room:r2") == ["20"]
    assert _values(serving.store, "urn:ngsi-ld:Room:r3") == ["22"]
    index_store(folder)
    assert serving.check() and isinstance(serving.store, OxigraphStore)
    assert [_values(serving.store, f"urn:ngsi-ld:Room:r{i}") for i in range(4)] == [["21"], [], ["20"], ["22"]]
    assert staged_upto(current_snapshot(folder)) == 2


def test_other_graphs_still_describe_an_entity_a_staging_removed(tmp_path):
    folder = tmp_path / "store"
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps([{"id": "urn:ngsi-ld:Room:r0", "type": "Room",
                                  "u": {"type": "Property", "value": 5}}]), encoding="utf-8")
    with OxigraphStore(folder) as store:
        bulk_load_file(store, extra, source="ngsi-ld")
        publish(store)
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(1, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    serving = ServingStore(folder)
    assert _values(serving.store, "urn:ngsi-ld:Room:r0") == ["20", "5"]  # both graphs
    data.write_text("[]", encoding="utf-8")
    assert stage_file(folder, data, source="ngsi-ld").removed == 1
    assert serving.check() and _values(serving.store, "urn:ngsi-ld:Room:r0") == ["5"]
    assert sorted(serving.store.graphs()) == sorted([extra.resolve().as_uri(), data.resolve().as_uri()])


def test_unchanged_file_is_skipped_bad_records_are_reported_and_the_others_staged(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.jsonl"
    rows = [json.dumps(e) for e in _rooms(3, 20)]
    rows[1:1] = ['{"type": "Room"}', "[1, 2", '{"id": "not an iri", "type": "Room"}', rows[0]]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = stage_file(folder, data, source="ngsi-ld")
    assert (r.entities, r.rejected) == (3, 3)
    where = sorted(e.path for e in r.report.events)
    assert where == ["line 2", "line 3", "line 4", "line 5"]
    messages = " | ".join(e.message for e in r.report.events)
    assert "string 'id'" in messages and "malformed JSON line" in messages and "not an IRI" in messages
    assert "appears again (first at line 1)" in messages
    again = stage_file(folder, data, source="ngsi-ld")
    assert again.skipped and again.seq == r.seq == 1
    assert stage_file(folder, data, source="ngsi-ld", force=True).seq == 2


def test_only_entity_formats_stage(tmp_path):
    data = tmp_path / "x.json"
    data.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(MimbridgeError, match="NGSI-LD entities"):
        stage_file(tmp_path / "store", data, source="geojson")
    with pytest.raises(MimbridgeError, match="minting"):
        stage_file(tmp_path / "store", data, source="ngsi-ld", mint_base="https://id.example.city/")


def test_a_resolver_serves_staged_entities_and_an_ordinary_load_takes_the_graph_over(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(2, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    serving = ServingStore(folder)
    resolver = Resolver(serving.store, Rules.default(base="https://id.example.city/"))
    rep = resolver.represent("/doc/Room/r1", "", "ntriples")
    assert rep.status == 200 and b"urn:ngsi-ld:Room:r1" in rep.body and b'"20"' in rep.body
    assert resolver.represent("/Room/r1", "", None).status == 303
    assert resolver.represent("/doc/Room/r9", "", "ntriples").status == 404
    data.write_text(json.dumps(_rooms(2, 30)), encoding="utf-8")
    with OxigraphStore(folder) as store:  # not deferred: the graph is the triple store's now
        bulk_load_file(store, data, source="ngsi-ld")
        publish(store)
    assert not RecordStore(folder).pending_graphs(0)
    assert serving.check() and _values(serving.store, "urn:ngsi-ld:Room:r1") == ["30"]


def _cli(*args, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "mimbridge", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def test_load_defer_indexes_in_the_background(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.jsonl"
    data.write_text("".join(json.dumps(e) + "\n" for e in _rooms(50, 20)), encoding="utf-8")
    r = _cli("load", str(data), "--store", str(folder), "--defer")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{data.resolve().as_uri()}\t50 entities staged\n"
    assert "50 entities staged, 0 removed, 0 rejected" in r.stderr and "indexing in the background" in r.stderr
    deadline = time.monotonic() + 90
    try:
        while staged_upto(current_snapshot(folder)) < 1:
            assert time.monotonic() < deadline, (folder / "index.log").read_text(encoding="utf-8")
            time.sleep(0.2)
    finally:
        pid = int((folder / "index.lock").read_text(encoding="ascii").strip() or 0)
        try:  # the indexer ends by itself; never leave it behind
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    serving = ServingStore(folder)
    assert isinstance(serving.store, OxigraphStore) and len(serving.store.store) == 200
    r = _cli("load", str(data), "--store", str(folder), "--defer")
    assert r.returncode == 0 and "unchanged, not staged again" in r.stdout


def test_load_defer_refuses_what_it_cannot_stage(tmp_path):
    data = tmp_path / "x.geojson"
    data.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    r = _cli("load", str(data), "--store", str(tmp_path / "store"), "--defer", "--no-index")
    assert r.returncode == 1 and "NGSI-LD entities" in r.stderr
    r = _cli("load", str(data), "--store", "http://127.0.0.1:9/query", "--defer")
    assert r.returncode == 2 and "embedded store" in r.stderr
    r = _cli("index", "--store", str(tmp_path / "nothing"))
    assert r.returncode == 0 and r.stdout == ""


def test_a_running_resolver_serves_a_staging_within_seconds(tmp_path):
    from .test_resolver_service import start_server, stop_server

    folder = tmp_path / "store"
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(3, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    server = start_server(str(folder), tmp_path / "server.log")
    try:
        status, headers, body = server.request("/doc/Room/r0?format=nt")
        assert status == 200 and b'"20"' in body
        etag = headers["etag"]

        def answer(value, deadline=20.0):
            end = time.monotonic() + deadline
            while True:  # every worker switches within its reload interval (1 s)
                got = [server.request("/doc/Room/r0?format=nt") for _ in range(6)]
                if all(g[0] == 200 and f'"{value}"'.encode() in g[2] for g in got):
                    return got[0]
                assert time.monotonic() < end, [g[2][:300] for g in got]
                time.sleep(0.2)

        data.write_text(json.dumps(_rooms(2, 21)), encoding="utf-8")
        stage_file(folder, data, source="ngsi-ld")
        status, headers, _ = answer(21)
        assert headers["etag"] != etag
        end = time.monotonic() + 20
        while server.request("/doc/Room/r2?format=nt")[0] != 404:
            assert time.monotonic() < end
            time.sleep(0.2)
        index_store(folder)
        answer(21)
        assert server.request("/doc/Room/r2?format=nt")[0] == 404
    finally:
        stop_server(server)


def test_an_id_repeated_batches_later_keeps_its_first_record_and_is_reported(tmp_path):
    rooms = _rooms(2500, 20)
    rooms.append({**rooms[3], "t": {"type": "Property", "value": 99}})  # a later batch (2,000 rows a batch)
    rooms.append(dict(rooms[4]))  # the very same record again, batches later: nothing lost, nothing said
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(rooms), encoding="utf-8")
    r = stage_file(tmp_path / "store", data, source="ngsi-ld")
    assert (r.entities, r.rejected) == (2500, 1)
    assert [(e.path, e.message) for e in r.report.events] == [
        ("/2500", "the id urn:ngsi-ld:Room:r3 appears again in the file; the first is kept")]
    assert _values(ServingStore(tmp_path / "store").store, "urn:ngsi-ld:Room:r3") == ["20"]


def test_load_defer_and_index_show_progress_when_asked(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(4500, 20)), encoding="utf-8")
    r = _cli("load", str(data), "--store", str(folder), "--defer", "--no-index", "--progress")
    assert r.returncode == 0, r.stderr
    assert "stage rooms.json" in r.stderr and "4500 records" in r.stderr
    r = _cli("index", "--store", str(folder), "--progress")
    assert r.returncode == 0, r.stderr
    assert "index" in r.stderr and "4500 records" in r.stderr
    assert r.stdout == f"{data.resolve().as_uri()}\t18000 triples\n"


@pytest.mark.parametrize("lines", [False, True], ids=["array", "json-lines"])
def test_what_indexing_cannot_carry_is_reported_where_it_was_in_the_file(tmp_path, lines):
    records = [{"type": "Room"},  # rejected when staged: no id
               {"id": "urn:ngsi-ld:Room:r1", "type": "Room"},
               {"id": "urn:ngsi-ld:Room:r2", "type": "Room",
                "t": {"type": "Property", "value": 1, "observedAt": "yesterday"}},
               {"id": "urn:ngsi-ld:Room:r3"}]  # staged (it has an id), refused by the converter: no type
    data = tmp_path / ("rooms.jsonl" if lines else "rooms.json")
    data.write_text("".join(json.dumps(r) + "\n" for r in records) if lines else json.dumps(records),
                    encoding="utf-8")
    at = (lambda i: f"line {i + 1}") if lines else (lambda i: f"/{i}")
    staged = stage_file(tmp_path / "store", data, source="ngsi-ld")
    assert (staged.entities, staged.rejected) == (3, 1) and [e.path for e in staged.report.events] == [at(0)]
    [result] = index_store(tmp_path / "store")
    found = {type(e).__name__: e.paths for e in result.report.events}
    assert found["Invalid"] == [f"{at(2)}/t/observedAt"]
    assert found["Rejected"] == [f"{at(3)}/type"]
    assert (result.entities, result.triples) == (3, 6)  # r1: its type; r2: its type, t, and t's 3
    r = _cli("index", "--store", str(tmp_path / "store"))  # nothing left to do
    assert r.returncode == 0 and r.stdout == ""


def _graph_in(store, graph):
    g = ox.NamedNode(graph)
    return _graph([q.triple for q in store.store.quads_for_pattern(None, None, None, g)])


def _fresh(tmp_path, data):
    """The graph an ordinary load of ``data`` into an empty store gives (what indexing must end with)."""
    with OxigraphStore(tmp_path / "fresh") as store:
        bulk_load_file(store, data, source="ngsi-ld", force=True)
        return _graph_in(store, data.resolve().as_uri())


def test_indexing_again_touches_only_the_entities_that_changed(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(50, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    assert [r.entities for r in index_store(folder)] == [50]
    rooms = _rooms(50, 20)
    rooms[3]["t"]["value"] = 21  # changed
    del rooms[7]  # removed
    rooms.append(_rooms(1, 22, start=50)[0])  # new
    data.write_text(json.dumps(rooms), encoding="utf-8")
    assert stage_file(folder, data, source="ngsi-ld").removed == 1
    [r] = index_store(folder)
    assert (r.entities, r.triples) == (2, 8)  # r3 and r50 converted again, 4 triples each
    with OxigraphStore(folder) as store:
        assert isomorphic(_graph_in(store, data.resolve().as_uri()), _fresh(tmp_path, data))
        assert len(store) == 50 * 4
    # the same bytes again with --force: the whole graph is indexed anew
    stage_file(folder, data, source="ngsi-ld", force=True)
    assert [r.entities for r in index_store(folder)] == [50]


def test_changes_of_several_stagings_between_indexings_add_up(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(4, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    index_store(folder)
    data.write_text(json.dumps([*_rooms(1, 21), *_rooms(2, 20, start=2)]), encoding="utf-8")  # r0 21, r1 gone
    stage_file(folder, data, source="ngsi-ld")
    data.write_text(json.dumps([*_rooms(2, 20), *_rooms(1, 21, start=3)]), encoding="utf-8")  # r0 back, r1 back,
    stage_file(folder, data, source="ngsi-ld")                                     # r2 gone, r3 changed
    serving = ServingStore(folder)
    assert [_values(serving.store, f"urn:ngsi-ld:Room:r{i}") for i in range(4)] == [["20"], ["20"], [], ["21"]]
    [r] = index_store(folder)
    assert r.entities == 3  # r0, r1 and r3 converted again (r2 only removed)
    assert serving.check()
    assert [_values(serving.store, f"urn:ngsi-ld:Room:r{i}") for i in range(4)] == [["20"], ["20"], [], ["21"]]
    with OxigraphStore(folder) as store:
        assert isomorphic(_graph_in(store, data.resolve().as_uri()), _fresh(tmp_path, data))


def test_a_resolver_opens_a_folder_whose_indexer_has_not_made_the_triple_store_yet(tmp_path):
    folder = tmp_path / "store"
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(1, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    (folder / "index.log").write_text("", encoding="utf-8")  # what load --defer leaves before the indexer runs
    (folder / "index.lock").write_text("", encoding="ascii")
    assert _values(ServingStore(folder).store, "urn:ngsi-ld:Room:r0") == ["20"]


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_numbers_are_staged_as_json_reads_them(tmp_path, suffix):
    """orjson (the fast parser) reads an integer beyond 64 bits as a float: such records must keep the integer,
    among thousands of ordinary ones (the fast path in use around them)."""
    folder = tmp_path / "store"
    data = tmp_path / f"rooms{suffix}"
    odd = [123456789012345678901234567890, -9223372036854775809, 18446744073709551616, 0.0017748622025346439, 2.5]
    ents = _rooms(3000, 20)
    for i, v in enumerate(odd):
        ents[600 * i + 7]["t"]["value"] = v
    text = "\n".join(json.dumps(e) for e in ents) + "\n" if suffix == ".jsonl" else json.dumps(ents)
    data.write_text(text, encoding="utf-8")
    assert stage_file(folder, data, source="ngsi-ld").entities == 3000
    rs = RecordStore(folder)
    try:
        for i, v in enumerate(odd):
            iri = ents[600 * i + 7]["id"]
            body = rs.con.execute("SELECT body FROM records WHERE iri = ?", (iri,)).fetchone()[0]
            kept = json.loads(body)["t"]["value"]
            assert (kept.__class__, kept) == (v.__class__, v), iri
    finally:
        rs.close()
    resolver = Resolver(ServingStore(folder).store, Rules.default(base="https://id.example.city/"))
    rep = resolver.represent("/doc/Room/r7", "", "ntriples")  # as convert writes it (JSON-LD: a double)
    assert rep.status == 200 and b'"1.234567890123457E29"' in rep.body


HAS_OBJECT = ox.NamedNode("https://uri.etsi.org/ngsi-ld/hasObject")


def test_staged_records_show_their_links_as_the_indexed_store_shows_them(corpus, tmp_path):
    """Referrers (the resolver's HTML "links here") of every Relationship target in the ETSI test-suite entities
    and the Smart Data Models examples: from staged records before indexing, after indexing, and from an
    ordinary load, the same lists."""
    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    contexts[CORE_18[0]] = str(corpus / CORE_18[1])
    ngsi = corpus / "ngsi-ld"
    candidates = (sorted((ngsi / "ngsi-ld-test-suite/data/entities").rglob("*.json*"))
                  + sorted(ngsi.glob("dataModel.*/*/examples/example-normalized.jsonld"))
                  + sorted((ngsi / "stellio-context-broker").rglob("beehive*.jsonld")))
    files = [p for p in candidates if '"Relationship"' in p.read_text(encoding="utf-8")]
    used = []
    with OxigraphStore(tmp_path / "plain") as plain:
        for path in files:
            try:
                bulk_load_file(plain, path, source="ngsi-ld", contexts=contexts)
            except MimbridgeError:
                continue  # (a few corpus files are invalid on purpose)
            r = stage_file(tmp_path / "staged", path, source="ngsi-ld", contexts=contexts)
            assert r.rejected == 0, path
            used.append(path)
        targets = sorted({q.object.value for q in plain.store.quads_for_pattern(None, HAS_OBJECT, None, None)
                          if isinstance(q.object, ox.NamedNode)})
        expected = {t: plain.referrers(t) for t in targets}
    assert len(used) >= 8 and len(targets) >= 10, (len(used), len(targets))
    assert all(expected.values())
    before = ServingStore(tmp_path / "staged")
    assert isinstance(before.store, LayeredStore)
    assert {t: before.store.referrers(t) for t in targets} == expected
    index_store(tmp_path / "staged")
    after = ServingStore(tmp_path / "staged")
    assert isinstance(after.store, OxigraphStore)
    assert {t: after.store.referrers(t) for t in targets} == expected


def _linked(room, building):
    return {"id": f"urn:ngsi-ld:Room:{room}", "type": "Room",
            "inside": {"type": "Relationship", "object": f"urn:ngsi-ld:Building:{building}",
                       "by": {"type": "Relationship", "object": "urn:ngsi-ld:Person:p1"}}}


def test_a_restaging_moves_links_at_once_and_indexing_agrees(tmp_path):
    folder, data = tmp_path / "store", tmp_path / "rooms.json"
    inside = "https://uri.etsi.org/ngsi-ld/default-context/inside"
    data.write_text(json.dumps([_linked("r1", "b1"), _linked("r2", "b1"), _linked("r3", "b2")]), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    index_store(folder)
    serving = ServingStore(folder)
    assert serving.store.referrers("urn:ngsi-ld:Building:b1") == [("urn:ngsi-ld:Room:r1", inside),
                                                                  ("urn:ngsi-ld:Room:r2", inside)]
    # r2 moves to b2, r3 goes, r4 comes (in b1); the sub-relationship still names its person
    data.write_text(json.dumps([_linked("r1", "b1"), _linked("r2", "b2"), _linked("r4", "b1")]), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    assert serving.check() and isinstance(serving.store, LayeredStore)
    now = {b: serving.store.referrers(f"urn:ngsi-ld:Building:{b}") for b in ("b1", "b2")}
    assert now == {"b1": [("urn:ngsi-ld:Room:r1", inside), ("urn:ngsi-ld:Room:r4", inside)],
                   "b2": [("urn:ngsi-ld:Room:r2", inside)]}
    # (a sub-attribute's link is named by the attribute that holds it, as the triple store names it)
    assert serving.store.referrers("urn:ngsi-ld:Person:p1") == [(f"urn:ngsi-ld:Room:{r}", inside)
                                                               for r in ("r1", "r2", "r4")]
    index_store(folder)
    assert serving.check() and isinstance(serving.store, OxigraphStore)
    assert {b: serving.store.referrers(f"urn:ngsi-ld:Building:{b}") for b in ("b1", "b2")} == now


def test_the_catalog_describes_the_indexed_data_while_a_staging_waits(tmp_path):
    """/catalog (DCAT) is made by SPARQL over the triple store: with a staging on top it describes what is
    indexed, as without the staging (it described nothing while records waited), and the staged entities once
    indexed."""
    from rdflib.compare import to_isomorphic

    from mimbridge.resolve.catalog import catalog_graph

    folder, data = tmp_path / "store", tmp_path / "rooms.json"
    data.write_text(json.dumps(_rooms(3, 20)), encoding="utf-8")
    stage_file(folder, data, source="ngsi-ld")
    index_store(folder)
    serving = ServingStore(folder)
    indexed = catalog_graph(serving.store, "https://id.example.city/")
    assert "default-context/Room" in indexed.serialize(format="nt")
    more = tmp_path / "buildings.json"
    more.write_text(json.dumps([{"id": "urn:ngsi-ld:Building:b1", "type": "Building"}]), encoding="utf-8")
    stage_file(folder, more, source="ngsi-ld")
    assert serving.check() and isinstance(serving.store, LayeredStore)
    layered = catalog_graph(serving.store, "https://id.example.city/")
    assert to_isomorphic(layered) == to_isomorphic(indexed)
    index_store(folder)
    assert serving.check() and isinstance(serving.store, OxigraphStore)
    assert "default-context/Building" in catalog_graph(serving.store, "https://id.example.city/").serialize(format="nt")
