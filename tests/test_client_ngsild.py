"""The NGSI-LD client against the schema-validating broker double (real HTTP), plus offline header/paging checks.

Every test against the double ends by asserting that the double recorded no
schema violation: each request the client sent and each response and
notification the double produced matched the ETSI schemas of the corpus.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import httpx
import pytest

import mimbridge
from mimbridge.clients import Checkpoint, HttpClient, WriteResult, sync
from mimbridge.clients.ngsild import (
    CONTEXT_REL,
    NgsiLdSink,
    NgsiLdSource,
    NotificationReceiver,
    open_sink,
    open_source,
    subscribe,
    unsubscribe,
)
from mimbridge.errors import ConnectorError

CTX = "https://example.org/ngsi-ld/sensors.jsonld"
SUITE = Path("ngsi-ld/ngsi-ld-test-suite/data")
#: corpus entities (normalized, Property / Relationship / GeoProperty / LanguageProperty, multi-instance)
CORPUS_ENTITIES = [
    SUITE / "entities/building-simple-attributes.jsonld",
    SUITE / "entities/building-multi-instances-attributes.jsonld",
    SUITE / "entities/building-relationship-of-property.jsonld",
    SUITE / "entities/building-language-property.jsonld",
    SUITE / "entities/building-location-polygon.jsonld",
    SUITE / "entities/building-observation-space-geoproperty.jsonld",
    SUITE / "entities/building-with-two-types.jsonld",
    SUITE / "entities/vehicle-two-datasetid-attributes.jsonld",
    SUITE / "entities/interoperability/offstreet-parking1-full.jsonld",
    Path("ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example-normalized.jsonld"),
    Path("ngsi-ld/dataModel.Parking/OffStreetParking/examples/example-normalized.jsonld"),
    Path("ngsi-ld/dataModel.Transportation/Vehicle/examples/example-normalized.jsonld"),
    Path("ngsi-ld/stellio-context-broker/shared/src/test/resources/ngsild/beehive_with_multi_attribute_instances.jsonld"),
]


def sensor(i: int, *, kind: str = "Sensor", lat_step: float = 0.001) -> dict:
    """Sensor ``i``: temperature ``i``, ``i * lat_step`` degrees north of (2.35, 48.85)."""
    return {
        "id": f"urn:ngsi-ld:{kind}:{i:03d}", "type": kind,
        "temperature": {"type": "Property", "value": i, "unitCode": "CEL", "observedAt": "2024-05-01T10:00:00Z"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2.35, 48.85 + i * lat_step]}},
        "@context": CTX,
    }


@pytest.fixture
def broker(ngsild_broker):
    ngsild_broker.reset()
    yield ngsild_broker


@pytest.fixture
def http():
    with HttpClient(timeout=10.0, retries=1, sleep=lambda s: None) as client:
        yield client


def api_requests(broker, method: str, suffix: str) -> list[dict]:
    return [r for r in broker.requests() if r["method"] == method and r["path"].endswith(suffix)]


# --- query and paging ---


@pytest.mark.parametrize("next_links", [True, False], ids=["link-header", "offset-count"])
def test_paging_yields_every_entity_once(broker, http, next_links):
    broker.configure(next_links=next_links)
    sent = [sensor(i) for i in range(23)]
    result = NgsiLdSink(broker.url, http=http, batch=10).write(sent)
    assert sorted(result.written) == sorted(e["id"] for e in sent) and result.failed == []
    assert len(api_requests(broker, "POST", "/entityOperations/upsert")) == 3

    pages = list(NgsiLdSource(broker.url, http=http, type="Sensor", limit=5, context=CTX).pages())
    ids = [e["id"] for p in pages for e in p.payload]
    assert sorted(ids) == sorted(e["id"] for e in sent)
    assert len(ids) == len(set(ids))
    assert [p.count for p in pages] == [5, 5, 5, 5, 3]
    assert {p.total for p in pages} == {23}
    assert pages[-1].next_link is None and all(p.next_link for p in pages[:-1])
    gets = api_requests(broker, "GET", "/entities")
    assert len(gets) == 5 and {g["status"] for g in gets} == {200}
    assert all("count=true" in g["query"] for g in gets)
    assert broker.violations() == []


def test_resume_from_checkpoint_next_link(broker, http, tmp_path):
    NgsiLdSink(broker.url, http=http).write([sensor(i) for i in range(12)])

    class Collect:
        format = "ngsi-ld"

        def __init__(self):
            self.ids: list[str] = []

        def write(self, payload, *, skip=frozenset()):
            ids = [e["id"] for e in (payload if isinstance(payload, list) else [payload]) if e["id"] not in skip]
            self.ids.extend(ids)
            return WriteResult(written=ids)

    sink = Collect()
    source = NgsiLdSource(broker.url, http=http, type="Sensor", limit=5, context=CTX)
    cp_path = tmp_path / "cp.json"
    first = sync(source, sink, checkpoint=Checkpoint(cp_path), max_pages=1)
    assert first.records == 5 and not Checkpoint(cp_path).done
    second = sync(source, sink, checkpoint=Checkpoint(cp_path))
    assert second.resumed_from is not None and second.records == 7
    assert sorted(sink.ids) == [f"urn:ngsi-ld:Sensor:{i:03d}" for i in range(12)]
    assert broker.violations() == []


def test_type_and_q_filters(broker, http):
    sent = [sensor(i) for i in range(20)] + [sensor(i, kind="Meter") for i in range(5)]
    NgsiLdSink(broker.url, http=http).write(sent)
    got = [e["id"] for p in NgsiLdSource(broker.url, http=http, type="Sensor", q="temperature>10;temperature<=15",
                                          context=CTX).pages() for e in p.payload]
    assert sorted(got) == [f"urn:ngsi-ld:Sensor:{i:03d}" for i in range(11, 16)]
    both = [e["id"] for p in NgsiLdSource(broker.url, http=http, type=["Sensor", "Meter"], q="temperature==3",
                                           context=CTX).pages() for e in p.payload]
    assert sorted(both) == ["urn:ngsi-ld:Meter:003", "urn:ngsi-ld:Sensor:003"]
    assert broker.violations() == []


def test_geo_queries(broker, http):
    # sensor i stands i * 0.001 degrees (about 111 m) north of the reference point
    NgsiLdSink(broker.url, http=http).write([sensor(i) for i in range(10)])
    step_m = math.radians(0.001) * 6_371_008.8
    near = NgsiLdSource(broker.url, http=http, type="Sensor", context=CTX, georel="near;maxDistance==500",
                        geometry="Point", coordinates=[2.35, 48.85])
    got = sorted(e["id"] for p in near.pages() for e in p.payload)
    assert got == [f"urn:ngsi-ld:Sensor:{i:03d}" for i in range(10) if i * step_m <= 500]
    box = [[[2.34, 48.8525], [2.36, 48.8525], [2.36, 48.8565], [2.34, 48.8565], [2.34, 48.8525]]]
    within = NgsiLdSource(broker.url, http=http, type="Sensor", context=CTX, georel="within", geometry="Polygon",
                          coordinates=box)
    assert sorted(e["id"] for p in within.pages() for e in p.payload) == [
        f"urn:ngsi-ld:Sensor:{i:03d}" for i in (3, 4, 5, 6)]
    far = NgsiLdSource(broker.url, http=http, type="Sensor", context=CTX, georel="near;minDistance==800",
                       geometry="Point", coordinates=[2.35, 48.85])
    assert sorted(e["id"] for p in far.pages() for e in p.payload) == [
        f"urn:ngsi-ld:Sensor:{i:03d}" for i in range(10) if i * step_m >= 800]
    assert broker.violations() == []


def test_context_goes_in_link_header_only_when_not_core(broker, http):
    NgsiLdSink(broker.url, http=http).write([sensor(1)])
    list(NgsiLdSource(broker.url, http=http, type="Sensor", context=CTX).pages())
    core = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
    list(NgsiLdSource(broker.url, http=http, type="Sensor", context=core).pages())
    with_ctx, with_core = api_requests(broker, "GET", "/entities")
    assert with_ctx["headers"]["link"] == f'<{CTX}>; rel="{CONTEXT_REL}"; type="application/ld+json"'
    assert with_ctx["headers"]["accept"] == "application/ld+json"
    assert "link" not in with_core["headers"]
    upsert = api_requests(broker, "POST", "/entityOperations/upsert")[0]
    assert upsert["headers"]["content-type"] == "application/ld+json" and "link" not in upsert["headers"]
    assert broker.violations() == []


# --- batch upsert ---


def corpus_entities(corpus: Path) -> list[dict]:
    out = []
    for n, rel in enumerate(CORPUS_ENTITIES):
        data = json.loads((corpus / rel).read_text(encoding="utf-8"))
        entity = mimbridge.convert(data, source="ngsi-ld", target="ngsi-ld").output
        # test-suite files share placeholder ids: give each file its own
        entity["id"] = f"urn:ngsi-ld:Corpus:{n}-{rel.stem}"
        out.append(entity)
    return out


def test_upsert_converted_corpus_entities(broker, http, corpus):
    entities = corpus_entities(corpus)
    sink = open_sink(broker.url, http=http, batch="5")
    result = sink.write(entities)
    assert result.failed == []
    assert sorted(result.written) == sorted(e["id"] for e in entities)
    assert broker.violations() == []
    # read back by id: what the broker holds is what was sent
    source = NgsiLdSource(broker.url, http=http, id=[e["id"] for e in entities], limit=4)
    got = {e["id"]: e for p in source.pages() for e in p.payload}
    for e in entities:
        assert got[e["id"]] == e
    # a rerun is an idempotent upsert: 204, nothing added
    again = sink.write(entities)
    assert sorted(again.written) == sorted(result.written)
    statuses = [r["status"] for r in api_requests(broker, "POST", "/entityOperations/upsert")]
    assert statuses == [201, 201, 201, 204, 204, 204]
    assert broker.violations() == []


def test_upsert_partial_failure_207(broker, http, corpus):
    bad = json.loads((corpus / SUITE / "entities/temporal-observedat-reified.jsonld").read_text(encoding="utf-8"))
    good = [sensor(i) for i in range(4)]
    result = NgsiLdSink(broker.url, http=http).write([good[0], good[1], bad, good[2], good[3]])
    assert sorted(result.written) == sorted(e["id"] for e in good)
    assert [f[0] for f in result.failed] == [bad["id"]]
    assert "BadRequestData" in result.failed[0][1]
    assert [r["status"] for r in api_requests(broker, "POST", "/entityOperations/upsert")] == [207]
    stored = [e["id"] for p in NgsiLdSource(broker.url, http=http, type="Sensor", context=CTX).pages()
              for e in p.payload]
    assert sorted(stored) == sorted(e["id"] for e in good)
    # the double recorded exactly the bad entity, and its own 207 reply was valid
    assert [v["what"] for v in broker.violations()] == [f"POST upsert entity {bad['id']}"]


def test_skip_ids_are_not_sent(broker, http):
    result = NgsiLdSink(broker.url, http=http).write([sensor(1), sensor(2)], skip=frozenset({sensor(1)["id"]}))
    assert result.written == [sensor(2)["id"]]
    stored = [e["id"] for p in NgsiLdSource(broker.url, http=http, type="Sensor").pages() for e in p.payload]
    assert stored == [sensor(2)["id"]]


# --- temporal ---


def test_temporal_write_and_query(broker, http, corpus):
    raw = json.loads((corpus / SUITE / "temporalEntities/vehicle-temporal-representation.jsonld").read_text())
    temporal = mimbridge.convert(raw, source="ngsi-ld-temporal", target="ngsi-ld-temporal").output
    sink = open_sink(broker.url, http=http, temporal=True)
    assert sink.format == "ngsi-ld-temporal"
    result = sink.write(temporal)
    assert result.written == [raw["id"]] and result.failed == []
    start, end = "2020-09-01T12:04:00Z", "2020-09-01T14:00:00Z"
    source = NgsiLdSource(broker.url, http=http, temporal=True, type=raw["type"], timerel="between",
                          time_at=start, end_time_at=end)
    pages = list(source.pages())
    assert source.format == "ngsi-ld-temporal" and len(pages) == 1
    [entity] = pages[0].payload
    for name in ("speed", "fuelLevel"):
        expected = sorted(i["observedAt"] for i in raw[name] if start <= i["observedAt"] < end)
        assert sorted(i["observedAt"] for i in entity.get(name, [])) == expected
    # the page reads as the temporal representation
    back = mimbridge.convert(pages[0].payload, source="ngsi-ld-temporal", target="ngsi-ld-temporal").output
    assert back
    assert all("timerel=between" in r["query"] for r in api_requests(broker, "GET", "/temporal/entities"))
    assert broker.violations() == []


# --- subscriptions and notifications ---


def test_notification_end_to_end(broker, http):
    with NotificationReceiver(idle_timeout=5, max_notifications=1) as receiver:
        sid = subscribe(broker.url, http=http, endpoint=receiver.url, type="Sensor", context=CTX)
        NgsiLdSink(broker.url, http=http).write([sensor(7), sensor(1, kind="Meter")])

        class Collect:
            format = "ngsi-ld-keyvalues"

            def __init__(self):
                self.got: list = []

            def write(self, payload, *, skip=frozenset()):
                items = payload if isinstance(payload, list) else [payload]
                self.got.extend(items)
                return WriteResult(written=[e["id"] for e in items])

        sink = Collect()
        summary = sync(receiver, sink)
        assert summary.pages == 1 and summary.records == 1
        assert [(e["id"], e["temperature"]) for e in sink.got] == [(sensor(7)["id"], 7)]
        unsubscribe(broker.url, sid, http=http)
    assert [(n["subscriptionId"], n["ids"], n["status"]) for n in broker.notifications()] == [
        (sid, [sensor(7)["id"]], 200)]
    assert receiver.received == 1 and receiver.rejected == 0
    # no subscription any more: nothing is sent
    NgsiLdSink(broker.url, http=http).write([sensor(8)])
    assert len(broker.notifications()) == 1
    assert broker.violations() == []


def test_receiver_rejects_non_notifications(http):
    with NotificationReceiver(idle_timeout=0) as receiver:
        resp = http.request("POST", receiver.url, json_body={"type": "Entity", "data": []}, ok=(400,))
        assert resp.json()["title"] == "BadRequestData"
        resp = http.request("POST", receiver.url, content=b"x", headers={"Content-Type": "text/plain"}, ok=(415,))
    assert receiver.rejected == 2 and list(receiver.pages()) == []


# --- the double can fail: deliberately wrong requests are refused and recorded ---


def test_double_rejects_invalid_requests(broker):
    api = f"{broker.url}/ngsi-ld/v1"
    ld = {"Content-Type": "application/ld+json"}
    cases = [
        httpx.get(f"{api}/entities", params={"type": "Sensor", "limit": "-1"}),
        httpx.get(f"{api}/entities", params={"type": "Sensor", "colour": "red"}),
        httpx.get(f"{api}/entities", params={"type": "Sensor", "georel": "near;max==5", "geometry": "Point",
                                              "coordinates": "[2,48]"}),
        httpx.get(f"{api}/temporal/entities", params={"type": "Sensor"}),  # V1.6: timerel, timeAt required
        httpx.post(f"{api}/entityOperations/upsert", json={"id": "urn:x:1", "type": "T"}),  # not an array
        httpx.post(f"{api}/entityOperations/upsert", content=json.dumps([sensor(1)]),
                   headers={**ld, "Link": f'<{CTX}>; rel="{CONTEXT_REL}"; type="application/ld+json"'}),
        httpx.post(f"{api}/subscriptions", content=json.dumps({"type": "Subscription", "@context": CTX}),
                   headers=ld),
    ]
    assert [r.status_code for r in cases] == [400] * len(cases)
    for r in cases:
        problem = r.json()
        assert problem["type"].startswith("https://uri.etsi.org/ngsi-ld/errors/") and problem["status"] == 400
    assert len([v for v in broker.violations() if v["where"] == "request"]) == len(cases)
    # a body without @context under application/ld+json fails entity by entity
    entity = {k: v for k, v in sensor(2).items() if k != "@context"}
    r = httpx.post(f"{api}/entityOperations/upsert", content=json.dumps([entity]), headers=ld)
    assert r.status_code == 207 and r.json()["errors"][0]["entityId"] == entity["id"]
    assert not [v for v in broker.violations() if v["where"] != "request"]


# --- offline: headers and paging details with httpx.MockTransport ---


def mock(handler) -> HttpClient:
    return HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None, retries=2)


def test_follows_next_link_as_given_and_keeps_link_context():
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        if "cursor" not in request.url.params:
            return httpx.Response(200, json=[{"id": "urn:a:1", "type": "T"}],
                                  headers={"Link": '</ngsi-ld/v1/entities?cursor=abc&limit=1>; rel="next"'})
        return httpx.Response(200, json=[{"id": "urn:a:2", "type": "T"}])

    pages = list(NgsiLdSource("http://b.test/", http=mock(handler), type="T", limit=1, context=CTX).pages())
    assert [str(r.url) for r in seen][1] == "http://b.test/ngsi-ld/v1/entities?cursor=abc&limit=1"
    assert all(r.headers["Link"].startswith(f"<{CTX}>") for r in seen)
    assert pages[0].next_link == "http://b.test/ngsi-ld/v1/entities?cursor=abc&limit=1"
    assert [p.payload[0]["@context"] for p in pages] == [CTX, CTX]  # JSON replies get the context back


def test_start_resumes_at_the_given_link():
    urls: list[str] = []

    def handler(request):
        urls.append(str(request.url))
        return httpx.Response(200, json=[], headers={"NGSILD-Results-Count": "10"})

    source = NgsiLdSource("http://b.test", http=mock(handler), type="T")
    list(source.pages(start="http://b.test/ngsi-ld/v1/entities?type=T&limit=5&offset=5&count=true"))
    assert urls == ["http://b.test/ngsi-ld/v1/entities?type=T&limit=5&offset=5&count=true"]


def test_stops_without_count_when_page_is_short():
    offsets: list[str] = []

    def handler(request):
        offsets.append(request.url.params["offset"])
        n = 3 if request.url.params["offset"] == "0" else 1
        return httpx.Response(200, json=[{"id": f"urn:a:{len(offsets)}{i}", "type": "T"} for i in range(n)])

    pages = list(NgsiLdSource("http://b.test", http=mock(handler), type="T", limit=3, count=False).pages())
    assert offsets == ["0", "3"] and [p.total for p in pages] == [None, None]


def test_non_array_reply_is_a_connector_error():
    http = mock(lambda r: httpx.Response(200, json={"id": "urn:a:1"}))
    with pytest.raises(ConnectorError, match="JSON array"):
        list(NgsiLdSource("http://b.test", http=http, type="T").pages())


def test_batch_400_is_bisected_to_the_bad_entity():
    calls: list[list[str]] = []

    def handler(request):
        ids = [e["id"] for e in json.loads(request.content)]
        calls.append(ids)
        if "urn:a:bad" in ids:
            return httpx.Response(400, json={"type": "https://uri.etsi.org/ngsi-ld/errors/BadRequestData",
                                             "title": "BadRequestData", "status": 400, "detail": "bad"})
        return httpx.Response(201, json=ids)

    entities = [{"id": f"urn:a:{i}", "type": "T"} for i in range(3)] + [{"id": "urn:a:bad", "type": "T"}]
    result = NgsiLdSink("http://b.test", http=mock(handler), batch=4).write(entities)
    assert sorted(result.written) == ["urn:a:0", "urn:a:1", "urn:a:2"]
    assert result.failed == [("urn:a:bad", "HTTP 400 BadRequestData: bad")]
    assert len(calls) == 5  # [0..3] -> [0,1] ok, [2,bad] -> [2] ok, [bad]


def test_sink_body_headers_and_options():
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return httpx.Response(204)

    sink = open_sink("http://b.test/ngsi-ld/v1", http=mock(handler), update="true", tenant="city",
                     context=CTX)
    sink.write({"id": "urn:a:1", "type": "T"})
    [req] = seen
    assert req.url.path == "/ngsi-ld/v1/entityOperations/upsert" and req.url.params["options"] == "update"
    assert req.headers["Content-Type"] == "application/ld+json" and req.headers["NGSILD-Tenant"] == "city"
    assert json.loads(req.content) == [{"id": "urn:a:1", "type": "T", "@context": CTX}]


def test_open_source_reads_the_query_from_the_url():
    src = open_source("http://b.test/ngsi-ld/v1/entities?type=T&q=a%3D%3D1&local=true", http=HttpClient(),
                      limit="7", context=CTX)
    assert (src.format, src.params["type"], src.params["q"], src.params["local"], src.params["limit"]) == (
        "ngsi-ld", "T", "a==1", "true", "7")
    assert open_source("http://b.test", http=HttpClient(), options="keyValues").format == "ngsi-ld-keyvalues"
