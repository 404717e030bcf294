"""End to end against a real SensorThings server: deep insert, paged pulls, NGSI-LD temporal, and back.

The flow is reusable: :func:`load_stations` fills a server, :func:`pull_to_ngsild`
pulls every Thing with its Observations and returns NGSI-LD temporal
entities (the next hop, e.g. a SPARQL store, takes them from there).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import mimbridge
from mimbridge.clients import HttpClient, sync
from mimbridge.clients.sta import StaSink, StaSource

MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
T0 = datetime(2024, 3, 1, tzinfo=UTC)
#: (Thing, [(Datastream name, ObservedProperty definition, unit symbol, number of Observations)])
STATIONS = (
    ("station north", [("temperature north", "http://qudt.org/vocab/quantitykind/Temperature", "°C", 300),
                       ("humidity north", "http://qudt.org/vocab/quantitykind/RelativeHumidity", "%", 200)]),
    ("station south", [("temperature south", "http://qudt.org/vocab/quantitykind/Temperature", "°C", 500)]),
)
THINGS_QUERY = "Things?$top=1&$expand=Locations,Datastreams/Observations($top=100)"
#: one Datastream per page with its Thing, Sensor and ObservedProperty (django-ogc-sensorthings expands
#: only one path per first segment, so Things?$expand=Datastreams/... cannot bring the Sensors too)
DATASTREAMS_QUERY = "Datastreams?$top=1&$expand=Thing/Locations,Sensor,ObservedProperty,Observations($top=100)"


def result_of(stream: int, i: int) -> float:
    """The i-th value of a stream: a fixed formula, independent of the code under test."""
    return round(((i * 37 + stream * 11) % 1000) / 10.0 - 20.0, 1)


def expected() -> Counter:
    """(Datastream name, instant, result) of every Observation inserted."""
    out: Counter = Counter()
    n = 0
    for _, streams in STATIONS:
        for name, _, _, count in streams:
            for i in range(count):
                out[(name, T0 + timedelta(minutes=i), result_of(n, i))] += 1
            n += 1
    return out


def things_body() -> list[dict[str, Any]]:
    """Deep-insert bodies: Thing + Location + Datastreams + Sensor + ObservedProperty + Observations."""
    bodies, n = [], 0
    for k, (thing, streams) in enumerate(STATIONS):
        datastreams = []
        for name, definition, symbol, count in streams:
            datastreams.append({
                "name": name, "description": f"{name} (test)", "observationType": MEASUREMENT,
                "unitOfMeasurement": {"name": symbol, "symbol": symbol, "definition": f"ucum:{symbol}"},
                "Sensor": {"name": f"sensor {name}", "description": "thermometer", "encodingType": "application/pdf",
                           "metadata": "https://example.org/sensor.pdf"},
                "ObservedProperty": {"name": name.split()[0], "definition": definition, "description": name},
                "Observations": [{"phenomenonTime": (T0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                  "result": result_of(n, i)} for i in range(count)],
            })
            n += 1
        bodies.append({"name": thing, "description": "weather station",
                       "Locations": [{"name": f"{thing} site", "description": "roof",
                                      "encodingType": "application/geo+json",
                                      "location": {"type": "Point", "coordinates": [5.1 + k, 52.1]}}],
                       "Datastreams": datastreams})
    return bodies


def load_stations(root: str, http: HttpClient) -> dict[str, Any]:
    """Deep-insert the stations into the server at ``root``; returns source key -> new Thing id."""
    sink = StaSink(f"{root}/Things", http=http)
    written = sink.write({"value": things_body()})
    assert not written.failed, written.failed
    return {k: sink.created[k] for k in written.written}


def pull_to_ngsild(sta_url: str, http: HttpClient, *, query: str = DATASTREAMS_QUERY) -> list[dict[str, Any]]:
    """Pull ``query`` (nested next links followed) from the service root ``sta_url``; NGSI-LD temporal entities.

    A Thing met on several pages (one per Datastream) is one entity: the attributes of the pages are merged.
    """
    merged: dict[str, dict[str, Any]] = {}
    for page in StaSource(f"{sta_url}/{query}", http=http).pages():
        out = mimbridge.convert(page.payload, source="sta", target="ngsi-ld-temporal", mapping="observations")
        for e in out.output if isinstance(out.output, list) else [out.output]:
            if e.get("type") != "Thing":
                continue
            have = merged.setdefault(e["id"], {})
            for name, value in e.items():
                if name in have and isinstance(value, list) and name != "@context":
                    have[name].extend(v for v in value if v not in have[name])
                else:
                    have[name] = value
    return list(merged.values())


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _observations(pages) -> list[tuple[Any, str, datetime, float]]:
    """(Observation id, Datastream name, instant, result) of every Observation in expanded Things pages."""
    rows = []
    for page in pages:
        for thing in page.payload["value"]:
            for ds in thing.get("Datastreams", []):
                assert "Observations@iot.nextLink" not in ds, "nested next link left in a merged page"
                rows.extend((o["@iot.id"], ds["name"], _instant(o["phenomenonTime"]), o["result"])
                            for o in ds.get("Observations", []))
    return rows


@pytest.fixture(scope="module")
def loaded(sta_server):
    http = HttpClient(timeout=60)
    things = load_stations(sta_server.url, http)
    yield sta_server.url, http, things
    http.close()


def test_deep_insert_returns_thing_ids(loaded):
    root, http, things = loaded
    assert len(things) == len(STATIONS)
    for thing_id in things.values():
        got = http.get_json(f"{root}/Things({thing_id})")
        assert got["name"] in {name for name, _ in STATIONS}


def test_flat_observation_pages_return_every_observation_once(loaded):
    root, http, things = loaded
    ids = ",".join(str(t) for t in things.values())
    assert ids
    src = StaSource(f"{root}/Observations?$top=100&$count=true&$expand=Datastream", http=http)
    pages = list(src.pages())
    assert len(pages) >= 10 and all(p.count <= 100 for p in pages)
    assert pages[0].total is not None and pages[0].total >= 1000
    rows = [(o["@iot.id"], o["Datastream"]["name"], _instant(o["phenomenonTime"]), o["result"])
            for p in pages for o in p.payload["value"] if o["Datastream"]["name"].endswith(("north", "south"))]
    assert len({r[0] for r in rows}) == len(rows)
    assert Counter(r[1:] for r in rows) == expected()


def test_things_with_nested_next_links_are_complete(loaded):
    root, http, _ = loaded
    src = StaSource(f"{root}/{THINGS_QUERY}", http=http)
    pages = list(src.pages())
    assert src.nested_requests >= 4  # 500 Observations at 100 per nested page
    rows = [r for r in _observations(pages) if r[1].endswith(("north", "south"))]
    assert len({r[0] for r in rows}) == len(rows) == 1000
    assert Counter(r[1:] for r in rows) == expected()
    flat = StaSource(f"{root}/Observations?$top=100&$expand=Datastream", http=http)
    by_id = {o["@iot.id"]: (o["Datastream"]["name"], _instant(o["phenomenonTime"]), o["result"])
             for p in flat.pages() for o in p.payload["value"]}
    assert all(by_id[r[0]] == r[1:] for r in rows)


def test_data_array_pages(loaded):
    root, http, _ = loaded
    src = StaSource(f"{root}/Observations?$top=250", http=http, result_format="dataArray")
    pages = list(src.pages())
    assert src.format == "sta-dataarray"
    assert sum(p.count for p in pages) >= 1000
    model = mimbridge.read(pages[0].payload, source="sta-dataarray")
    assert len([n for n in model.nodes if n.types[0].endswith("Observation")]) == pages[0].count


def _instances(entities) -> dict[tuple[str, str], Counter]:
    """(Thing name, attribute) -> Counter of (instant, value) of every temporal instance."""
    out: dict[tuple[str, str], Counter] = {}
    for e in entities:
        thing = e["name"][0]["value"]
        for attr, instances in e.items():
            if not isinstance(instances, list):
                continue
            for inst in instances:
                if isinstance(inst, dict) and "observedAt" in inst:
                    out.setdefault((thing, attr), Counter())[(_instant(inst["observedAt"]), inst["value"])] += 1
    return out


def _expected_by_thing() -> dict[tuple[str, str], Counter]:
    stream_thing = {name: thing for thing, streams in STATIONS for name, *_ in streams}
    out: dict[tuple[str, str], Counter] = {}
    for (name, t, v), n in expected().items():
        out.setdefault((stream_thing[name], name), Counter())[(t, v)] += n
    return out


def _same_series(got: dict[tuple[str, str], Counter], want: dict[tuple[str, str], Counter]) -> None:
    """Per Thing, the series are equal (attribute names come from the mapping table, not the Datastream names)."""
    for thing in {t for t, _ in want}:
        g = sorted((c for (t, _), c in got.items() if t == thing), key=lambda c: sorted(c.items()))
        w = sorted((c for (t, _), c in want.items() if t == thing), key=lambda c: sorted(c.items()))
        assert [sum(c.values()) for c in g] == [sum(c.values()) for c in w], thing
        assert g == w, thing


def _mine(entities):
    names = {name for name, _ in STATIONS}
    return [e for e in entities if e["name"][0]["value"] in names]


def test_pull_to_ngsild_temporal(loaded):
    root, http, things = loaded
    entities = [e for e in _mine(pull_to_ngsild(root, http)) if e["id"].split(":")[-1].strip("'") in
                {str(v) for v in things.values()}]
    assert len(entities) == len(STATIONS)
    got = _instances(entities)
    assert sum(sum(c.values()) for c in got.values()) == 1000
    assert {attr for _, attr in got} == {"temperature", "relativeHumidity"}  # SDM names from the definitions
    _same_series(got, _expected_by_thing())
    by_things = _instances(_mine(pull_to_ngsild(root, http, query=THINGS_QUERY)))
    _same_series({k: c for k, c in by_things.items()}, _expected_by_thing())


def test_round_trip_ngsild_temporal_into_sta(loaded):
    root, http, things = loaded
    entities = [e for e in _mine(pull_to_ngsild(root, http)) if e["id"].split(":")[-1].strip("'") in
                {str(v) for v in things.values()}]
    body = mimbridge.convert(entities, source="ngsi-ld-temporal", target="sta", mapping="observations").output
    sink = StaSink(f"{root}/Things", http=http)
    result = sink.write(body)
    assert not result.failed, result.failed
    assert len(result.written) == len(STATIONS)
    assert sink.write(body, skip=frozenset(result.written)).written == []  # resumed: nothing twice
    new_ids = {sink.created[k] for k in result.written}
    assert not new_ids & set(things.values())
    series: dict[tuple[str, str], Counter] = {}
    for page in StaSource(f"{root}/{THINGS_QUERY}", http=http).pages():
        for thing in page.payload["value"]:
            if thing["@iot.id"] not in new_ids:
                continue
            for ds in thing["Datastreams"]:
                series[(thing["name"], ds["name"])] = Counter(
                    (_instant(o["phenomenonTime"]), o["result"]) for o in ds["Observations"])
    assert sum(sum(c.values()) for c in series.values()) == 1000
    _same_series(series, _expected_by_thing())


def test_sync_sta_to_sta_with_create_observations(loaded):
    root, http, _ = loaded
    target = http.post_json(f"{root}/Things", {
        "name": "copy target", "description": "receives copies",  # a Location gives the FeatureOfInterest
        "Locations": [{"name": "here", "description": "here", "encodingType": "application/geo+json",
                       "location": {"type": "Point", "coordinates": [4.9, 52.4]}}],
        "Datastreams": [{"name": "copy", "description": "copy", "observationType": MEASUREMENT,
                         "unitOfMeasurement": {"name": "C", "symbol": "C", "definition": "ucum:Cel"},
                         "Sensor": {"name": "s", "description": "s", "encodingType": "application/pdf",
                                    "metadata": "m"},
                         "ObservedProperty": {"name": "t", "definition": "urn:t", "description": "t"}}]})
    thing = target.headers["Location"].rsplit("(", 1)[1].rstrip(")")
    ds_id = http.get_json(f"{root}/Things({thing})/Datastreams")["value"][0]["@iot.id"]
    source_ds = http.get_json(f"{root}/Datastreams?$filter=name eq 'humidity north'")["value"][0]["@iot.id"]
    src = StaSource(f"{root}/Datastreams({source_ds})/Observations?$top=60", http=http)
    sink = StaSink(f"{root}/Datastreams({ds_id})/Observations", http=http, batch_size=45)
    before = http.requests
    summary = sync(src, sink)
    assert summary.written == 200 and not summary.failed, summary.failed[:3]
    assert http.requests - before >= 4 + 5  # 4 pages read, 5 batches (60 -> 45 + 15 per page)
    copied = [(o["phenomenonTime"], o["result"]) for p in StaSource(
        f"{root}/Datastreams({ds_id})/Observations?$top=100", http=http).pages() for o in p.payload["value"]]
    original = [(o["phenomenonTime"], o["result"]) for p in StaSource(
        f"{root}/Datastreams({source_ds})/Observations?$top=100", http=http).pages() for o in p.payload["value"]]
    assert Counter(copied) == Counter(original) and len(copied) == 200


def test_refused_records_are_failures_not_silence(loaded):
    root, http, _ = loaded
    sink = StaSink(f"{root}/Things", http=http)
    bad = {"@iot.id": "bad-1", "name": "bad", "description": "string result",
           "Datastreams": [{"name": "x", "description": "x", "observationType": MEASUREMENT,
                            "unitOfMeasurement": {"name": "C", "symbol": "C", "definition": "ucum:Cel"},
                            "Sensor": {"name": "s", "description": "s", "encodingType": "application/pdf",
                                       "metadata": "m"},
                            "ObservedProperty": {"name": "t", "definition": "urn:t", "description": "t"},
                            "Observations": [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": "warm"}]}]}
    good = {"@iot.id": "good-1", "name": "good", "description": "no datastreams"}
    result = sink.write([bad, good])
    assert result.written == ["Things(good-1)"]
    assert [k for k, _ in result.failed] == ["Things(bad-1)"] and "HTTP 4" in result.failed[0][1]
