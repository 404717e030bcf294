"""The NGSI-LD client against a real broker (Orion-LD, Scorpio, Stellio ...) named by ``NGSI_LD_URL``.

Set ``NGSI_LD_URL=http://localhost:1026`` to run these; notifications also
need ``NGSI_LD_NOTIFY_HOST``, an address of this machine the broker can reach
(e.g. ``host.docker.internal``) and, for a broker in a container,
``NGSI_LD_NOTIFY_BIND`` the interface the receiver listens on (default
127.0.0.1). Entities and subscriptions get unique ids
and are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

from mimbridge.clients import HttpClient
from mimbridge.clients.ngsild import NgsiLdSink, NgsiLdSource, NotificationReceiver, subscribe, unsubscribe

URL = os.environ.get("NGSI_LD_URL")
NOTIFY_HOST = os.environ.get("NGSI_LD_NOTIFY_HOST")
NOTIFY_BIND = os.environ.get("NGSI_LD_NOTIFY_BIND", "127.0.0.1")
pytestmark = [pytest.mark.opt_in,
              pytest.mark.skipif(not URL, reason="set NGSI_LD_URL to the base URL of a real NGSI-LD broker")]


@pytest.fixture
def http():
    with HttpClient(timeout=20.0, retries=2) as client:
        yield client


@pytest.fixture
def kind(http):
    """A fresh entity type; its entities are deleted afterwards."""
    name = f"MimbridgeTest{uuid.uuid4().hex[:8]}"
    yield name
    for page in NgsiLdSource(URL, http=http, type=name, limit=100).pages():
        for e in page.payload:
            http.request("DELETE", f"{URL.rstrip('/')}/ngsi-ld/v1/entities/{e['id']}", ok=(204, 404))


def entities(kind: str, n: int) -> list[dict]:
    return [{"id": f"urn:ngsi-ld:{kind}:{i}", "type": kind,
             "temperature": {"type": "Property", "value": i, "unitCode": "CEL"},
             "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2.35, 48.85 + i / 1000]}}}
            for i in range(n)]


def test_upsert_and_page(http, kind):
    sent = entities(kind, 7)
    result = NgsiLdSink(URL, http=http, batch=3).write(sent)
    assert result.failed == [] and sorted(result.written) == sorted(e["id"] for e in sent)
    again = NgsiLdSink(URL, http=http).write(sent)  # upsert: idempotent
    assert again.failed == []
    pages = list(NgsiLdSource(URL, http=http, type=kind, limit=2).pages())
    ids = [e["id"] for p in pages for e in p.payload]
    assert sorted(ids) == sorted(e["id"] for e in sent) and len(ids) == len(set(ids))
    assert all(p.count <= 2 for p in pages)
    assert pages[0].total in (None, 7)


def test_q_and_geo(http, kind):
    NgsiLdSink(URL, http=http).write(entities(kind, 6))
    q = [e["id"] for p in NgsiLdSource(URL, http=http, type=kind, q="temperature>=4").pages() for e in p.payload]
    assert sorted(q) == [f"urn:ngsi-ld:{kind}:{i}" for i in (4, 5)]
    near = NgsiLdSource(URL, http=http, type=kind, georel="near;maxDistance==250", geometry="Point",
                        coordinates=[2.35, 48.85])
    assert sorted(e["id"] for p in near.pages() for e in p.payload) == [f"urn:ngsi-ld:{kind}:{i}" for i in (0, 1, 2)]


def test_partial_failure(http, kind):
    good = entities(kind, 2)
    bad = {"id": f"urn:ngsi-ld:{kind}:bad", "type": kind, "temperature": {"type": "Property"}}
    result = NgsiLdSink(URL, http=http).write([good[0], bad, good[1]])
    assert sorted(result.written) == sorted(e["id"] for e in good)
    assert [f[0] for f in result.failed] == [bad["id"]]


@pytest.mark.skipif(not NOTIFY_HOST, reason="set NGSI_LD_NOTIFY_HOST to an address of this machine the broker reaches")
def test_notification(http, kind):
    with NotificationReceiver(host=NOTIFY_BIND, idle_timeout=20, max_notifications=1) as receiver:
        endpoint = f"http://{NOTIFY_HOST}:{receiver.port}{receiver.path}"
        sid = subscribe(URL, http=http, endpoint=endpoint, type=kind)
        try:
            NgsiLdSink(URL, http=http).write(entities(kind, 1))
            got: list = []
            for page in receiver.pages():
                got.extend(e["id"] for e in page.payload)
            assert got == [f"urn:ngsi-ld:{kind}:0"]
        finally:
            unsubscribe(URL, sid, http=http)
