"""DCAT descriptions: files of the corpus and the test data, every test server, and ``/catalog`` of the resolver.

Every description must pass the shipped DCAT-AP 3 shapes; bounding boxes and
periods are checked against values read from the data files here, not from
the code under test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
import rdflib

from mimbridge.cli import main
from mimbridge.describe import describe
from mimbridge.validate.shacl import validate

from .conftest import ROOT
from .servers import free_port, http_ready, run_server

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DATA = ROOT / "tests" / "pygeoapi"
CORPUS_FILES = [
    ("ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example-normalized.jsonld", None),
    ("ngsi-ld/dataModel.Transportation/Vehicle/examples/example-normalized.jsonld", None),
    ("ngsi-ld/dataModel.Parking/OffStreetParking/examples/example-normalized.jsonld", None),
    ("ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example-geojsonfeature.json", "ngsi-ld-geojson"),
]


def bbox_of(g: rdflib.Graph) -> list[float]:
    """(minx, miny, maxx, maxy) of the one dcat:bbox WKT polygon."""
    from shapely import wkt

    boxes = [str(o) for o in g.objects(None, DCAT.bbox)]
    assert len(boxes) == 1, boxes
    return list(wkt.loads(boxes[0]).bounds)


def period_of(g: rdflib.Graph) -> tuple[str, str]:
    start = [o.toPython() for o in g.objects(None, DCAT.startDate)]
    end = [o.toPython() for o in g.objects(None, DCAT.endDate)]
    assert len(start) == len(end) == 1
    return start[0].isoformat(), end[0].isoformat()


def conforms(g: rdflib.Graph) -> None:
    result = validate(g, "dcat-ap")
    assert result.conforms, [v.message for v in result.violations]


def geojson_bounds(path: Path) -> list[float]:
    coords: list[list[float]] = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            coords.append(c)
        else:
            for x in c:
                walk(x)

    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        walk(f["geometry"]["coordinates"])
    return [min(c[0] for c in coords), min(c[1] for c in coords), max(c[0] for c in coords),
            max(c[1] for c in coords)]


@pytest.mark.parametrize(("name", "fmt"), CORPUS_FILES, ids=[Path(n).parent.parent.name + "/" + Path(n).name
                                                             for n, _ in CORPUS_FILES])
def test_corpus_data_sets_pass_the_dcat_shapes(corpus, name, fmt):
    path = corpus / name
    g = describe(path, fmt=fmt)
    conforms(g)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc = doc[0] if isinstance(doc, list) else doc
    geo = doc["location"] if "location" in doc else doc["geometry"]  # a GeoProperty in both examples
    lon, lat = geo["value"]["coordinates"]
    assert bbox_of(g) == pytest.approx([lon, lat, lon, lat])
    types = {str(o) for o in g.objects(None, DCT.conformsTo)}
    etype = doc["properties"]["type"] if doc["type"] == "Feature" else doc["type"]
    assert any(t.endswith("/" + etype) for t in types), types


def test_test_data_files_bbox_and_period():
    cities = describe(DATA / "cities.geojson")
    conforms(cities)
    assert bbox_of(cities) == pytest.approx(geojson_bounds(DATA / "cities.geojson"))
    assert list(cities.objects(None, DCAT.startDate)) == []  # no time in the cities
    records = describe(DATA / "records.geojson", fmt="ogc-records")
    conforms(records)
    updated = sorted(f["properties"]["updated"] for f in
                     json.loads((DATA / "records.geojson").read_text(encoding="utf-8"))["features"])
    first, last = period_of(records)
    assert first.startswith(updated[0][:10]) and last.startswith(updated[-1][:10])


def test_cli_describe_then_validate(tmp_path, capsys):
    out = tmp_path / "cities.nt"
    assert main(["describe", str(DATA / "cities.geojson"), "-t", "nt", "-o", str(out)]) == 0
    assert main(["validate", str(out), "--shapes", "dcat-ap"]) == 0
    assert capsys.readouterr().out.strip().endswith("conforms")
    assert main(["describe", str(tmp_path / "missing.json")]) == 1


def test_shapes_catch_a_catalog_without_publisher():
    g = describe(DATA / "cities.geojson")
    g.remove((None, DCT.publisher, None))
    result = validate(g, "dcat-ap")
    assert not result.conforms
    assert "Catalog: exactly one dct:publisher, a foaf:Agent" in {v.message for v in result.violations}


def test_every_test_server_passes_the_shapes(pygeoapi_server, mapserver_server, sta_server):
    for url, api, std in ((pygeoapi_server.url, "ogcapi", "ogcapi-features-1"),
                          (mapserver_server.url, "wfs", "wfs/2.0"),
                          (sta_server.url, "sta", "sensorthings/1.1")):
        g = describe(url)
        conforms(g)
        endpoints = [str(o) for o in g.objects(None, DCAT.endpointURL)]
        assert len(endpoints) == 1 and endpoints[0].startswith(url.split("?")[0]), (api, endpoints)
        assert any(std in str(o) for o in g.objects(None, DCT.conformsTo)), api
    wfs = describe(mapserver_server.url)
    cities, districts = geojson_bounds(DATA / "cities.geojson"), geojson_bounds(DATA / "districts.geojson")
    both = [min(cities[0], districts[0]), min(cities[1], districts[1]), max(cities[2], districts[2]),
            max(cities[3], districts[3])]
    assert bbox_of(wfs) == pytest.approx(both, abs=1e-6)


def test_ngsild_double_description(ngsild_broker):
    ngsild_broker.reset()
    body = [{"id": f"urn:ngsi-ld:Sensor:{i}", "type": "Sensor",
             "temperature": {"type": "Property", "value": i, "observedAt": f"2024-05-0{i + 1}T00:00:00Z"},
             "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2 + i, 48]}}}
            for i in range(3)]
    r = httpx.post(f"{ngsild_broker.url}/ngsi-ld/v1/entityOperations/upsert", json=body, timeout=10,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 201
    g = describe(ngsild_broker.url, type="Sensor")
    conforms(g)
    assert bbox_of(g) == pytest.approx([2, 48, 4, 48])
    assert period_of(g) == ("2024-05-01T00:00:00+00:00", "2024-05-03T00:00:00+00:00")
    assert "temperature" in {str(o) for o in g.objects(None, DCAT.keyword)}


SOSA = """@prefix sosa: <http://www.w3.org/ns/sosa/> . @prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://id.example.city/sensor/1> a sosa:Sensor ; geo:hasGeometry [ geo:asWKT "POINT(4.9 52.37)"^^geo:wktLiteral ] .
<https://id.example.city/sensor/2> a sosa:Sensor ; geo:hasGeometry [ geo:asWKT "POINT(5.1 52.09)"^^geo:wktLiteral ] .
<https://id.example.city/obs/1> a sosa:Observation ; sosa:resultTime "2024-01-01T00:00:00Z"^^xsd:dateTime .
<https://id.example.city/obs/2> a sosa:Observation ; sosa:resultTime "2024-02-01T12:00:00Z"^^xsd:dateTime .
"""


def test_resolver_serves_its_catalog(tmp_path):
    data = tmp_path / "sensors.ttl"
    data.write_text(SOSA, encoding="utf-8")
    store = tmp_path / "store"
    assert main(["load", str(data), "--store", str(store)]) == 0
    port = free_port()
    cmd = [sys.executable, "-m", "mimbridge", "serve", "--store", str(store), "--port", str(port),
           "--base", "https://id.example.org/"]
    url = f"http://127.0.0.1:{port}"
    with run_server(cmd, port=port, url=url, ready=http_ready(f"{url}/catalog"), log=tmp_path / "serve.log",
                    cwd=ROOT, timeout=60):
        r = httpx.get(f"{url}/catalog", timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        g = rdflib.Graph().parse(data=r.text, format="turtle")
        j = httpx.get(f"{url}/catalog", headers={"Accept": "application/ld+json"}, timeout=10)
        assert j.headers["content-type"].startswith("application/ld+json")
    conforms(g)
    assert bbox_of(g) == pytest.approx([4.9, 52.09, 5.1, 52.37])
    assert period_of(g) == ("2024-01-01T00:00:00+00:00", "2024-02-01T12:00:00+00:00")
    assert {str(o) for o in g.objects(None, DCT.conformsTo)} >= {"http://www.w3.org/ns/sosa/Sensor",
                                                                  "http://www.w3.org/ns/sosa/Observation"}
