"""Streamed input and published snapshots of the resolver store (no server)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from mimbridge.errors import ParseError
from mimbridge.resolve.bulk import bulk_load_file
from mimbridge.resolve.snapshots import ServingStore, current_snapshot, publish, read_config, write_config
from mimbridge.resolve.store import OxigraphStore


def _entities(n, value):
    return [{"id": f"urn:ngsi-ld:Room:r{i}", "type": "Room", "t": {"type": "Property", "value": value}}
            for i in range(n)]


def test_bulk_load_batches_and_publish(tmp_path):
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_entities(25, 20)), encoding="utf-8")
    seen = []
    with OxigraphStore(tmp_path / "store") as store:
        r = bulk_load_file(store, data, source="ngsi-ld", batch=10, progress=lambda e, t, s: seen.append(e))
        assert (r.entities, r.triples) == (25, 100) and seen == [10, 20, 25]
        assert len(store) == 100
        assert len(store.describe(["urn:ngsi-ld:Room:r24"])) == 4
        assert current_snapshot(tmp_path / "store") is None
        publish(store)
    serving = ServingStore(tmp_path / "store")
    assert serving.version and serving.store.first_subject(["urn:ngsi-ld:Room:r3"])
    assert not serving.check()


def test_serving_store_follows_published_snapshots_only(tmp_path):
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_entities(3, 20)), encoding="utf-8")
    store = OxigraphStore(tmp_path / "store")
    bulk_load_file(store, data, source="ngsi-ld", graph="urn:example:rooms")
    publish(store)
    serving = ServingStore(tmp_path / "store")
    hv = ox.NamedNode("https://uri.etsi.org/ngsi-ld/hasValue")

    def values():
        return sorted(t.object.value for t in serving.store.describe(["urn:ngsi-ld:Room:r0"]) if t.predicate == hv)

    assert values() == ["20"]
    data.write_text(json.dumps(_entities(3, 21)), encoding="utf-8")
    bulk_load_file(store, data, source="ngsi-ld", graph="urn:example:rooms")
    assert not serving.check() and values() == ["20"]  # loaded, not yet published
    publish(store)
    assert serving.check() and values() == ["21"]
    store.close()


def test_unchanged_file_is_skipped_and_force_reloads(tmp_path):
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_entities(5, 20)), encoding="utf-8")
    with OxigraphStore(tmp_path / "store") as store:
        first = bulk_load_file(store, data, source="ngsi-ld")
        again = bulk_load_file(store, data, source="ngsi-ld")
        assert again.skipped and again.triples == first.triples == 20 and len(store) == 20
        forced = bulk_load_file(store, data, source="ngsi-ld", force=True)
        assert not forced.skipped and len(store) == 20
        other = bulk_load_file(store, data, source="ngsi-ld", contexts={})  # other options: loaded
        assert not other.skipped and len(store) == 20


def test_bad_input_is_a_parse_error(tmp_path):
    data = tmp_path / "rooms.json"
    data.write_text(json.dumps(_entities(3, 20))[:-30], encoding="utf-8")
    with OxigraphStore(tmp_path / "store") as store, pytest.raises(ParseError, match="malformed JSON"):
        bulk_load_file(store, data, source="ngsi-ld", batch=1)


def test_json_lines_and_rdf_input(tmp_path):
    lines = tmp_path / "rooms.jsonl"
    lines.write_text("".join(json.dumps(e) + "\n" for e in _entities(4, 20)), encoding="utf-8")
    nt = tmp_path / "x.nt"
    nt.write_text('<urn:a> <urn:p> _:b .\n_:b <urn:q> "1" .\n', encoding="utf-8")
    with OxigraphStore(tmp_path / "store") as store:
        r = bulk_load_file(store, lines, source="ngsi-ld", batch=3)
        assert (r.entities, r.triples) == (4, 16)
        r = bulk_load_file(store, nt, source="ntriples")
        assert r.triples == 2 and len(store.describe(["urn:a"])) == 2


def test_store_configuration(tmp_path):
    assert read_config(tmp_path) == {}
    write_config(tmp_path, cache_control="public, max-age=60")
    assert read_config(tmp_path) == {"cache_control": "public, max-age=60"}
    (tmp_path / "resolver.json").write_text("[1]", encoding="utf-8")
    from mimbridge.errors import ResolutionError
    with pytest.raises(ResolutionError, match="cache_control"):
        read_config(tmp_path)


def test_shared_cache_between_handles_and_its_bound(tmp_path):
    from mimbridge.resolve.service import Representation
    from mimbridge.resolve.sharedcache import SharedCache

    a = SharedCache(tmp_path / "v.sqlite")
    b = SharedCache(tmp_path / "v.sqlite")
    rep = Representation.make(200, b"body", {"Content-Type": "text/turtle", "Vary": "Accept"})
    a.put(("/doc/x", "format=ttl", "turtle"), rep)
    got = b.get(("/doc/x", "format=ttl", "turtle"))
    assert got == rep and got.etag is not None
    assert b.get(("/doc/x", "", "turtle")) is None
    a.put(("/doc/x", "format=ttl", "turtle"), Representation.make(200, b"other", {}))  # first writer wins
    assert b.get(("/doc/x", "format=ttl", "turtle")).body == b"body"
    small = SharedCache(tmp_path / "w.sqlite", max_bytes=64 << 10)
    for i in range(2048):
        small.put((f"/doc/{i}", "", "turtle"), Representation.make(200, b"x" * 1000, {}))
    assert small.full and small.get(("/doc/0", "", "turtle")) is not None
    assert small.get(("/doc/2047", "", "turtle")) is None


def test_reloading_a_changed_file_replaces_its_graph_only(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_entities(4, 20)), encoding="utf-8")
    b.write_text(json.dumps([{"id": "urn:ngsi-ld:Hall:h1", "type": "Hall"}]), encoding="utf-8")
    hv = ox.NamedNode("https://uri.etsi.org/ngsi-ld/hasValue")
    with OxigraphStore(tmp_path / "store") as store:
        bulk_load_file(store, a, source="ngsi-ld")
        a.write_text(json.dumps(_entities(3, 21)), encoding="utf-8")  # alone in the store: cleared at once
        assert bulk_load_file(store, a, source="ngsi-ld").triples == 12 and len(store) == 12
        assert {t.object.value for t in store.describe(["urn:ngsi-ld:Room:r0"]) if t.predicate == hv} == {"21"}
        bulk_load_file(store, b, source="ngsi-ld")
        a.write_text(json.dumps(_entities(2, 22)), encoding="utf-8")  # beside another graph: only its own go
        assert bulk_load_file(store, a, source="ngsi-ld").triples == 8 and len(store) == 9
        assert store.first_subject(["urn:ngsi-ld:Hall:h1"]) and not store.first_subject(["urn:ngsi-ld:Room:r2"])
        assert store.graphs() == sorted([a.resolve().as_uri(), b.resolve().as_uri()])


def test_batches_joined_into_larger_loads_keep_their_blank_nodes_apart(tmp_path):
    data = tmp_path / "rooms.json"
    rooms = [{"id": f"urn:ngsi-ld:Room:r{i}", "type": "Room", "t": {"type": "Property", "value": i,
                                                                     "unitCode": "CEL"}} for i in range(40)]
    data.write_text(json.dumps(rooms), encoding="utf-8")
    hv = ox.NamedNode("https://uri.etsi.org/ngsi-ld/hasValue")
    with OxigraphStore(tmp_path / "store") as store:
        r = bulk_load_file(store, data, source="ngsi-ld", batch=5)  # loads of 5, 5, 10 and 20 entities
        assert (r.entities, r.triples, len(store)) == (40, 200, 200)
        for i in range(40):
            d = store.describe([f"urn:ngsi-ld:Room:r{i}"])
            assert len(d) == 5 and [t.object.value for t in d if t.predicate == hv] == [str(i)]
