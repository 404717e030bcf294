"""First contact, as a new user meets mimbridge: the command guesses the format and says so, suggests the
nearest name for a typo, lists formats with their options, ends each --help with examples, names the extra
to install, shows why a connector stopped, and offers the connectors as Python functions (real servers)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import mimbridge
from mimbridge.sniff import FormatGuessError, infer

from .conftest import ROOT

EXE = [sys.executable, "-m", "mimbridge.cli"]
EXAMPLE = ROOT / "docs" / "examples" / "air-quality.jsonld"
STA_PAGE = {"@iot.count": 2, "value": [
    {"@iot.id": 1, "name": "Thing 1", "description": "a thing", "properties": {"floor": 1}},
    {"@iot.id": 2, "name": "Thing 2", "description": "another", "properties": {"floor": 2}}]}
TURTLE = "@prefix ex: <http://example.org/> .\nex:a ex:p 1 .\n"
WFS = ('<?xml version="1.0"?>\n<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
       'xmlns:gml="http://www.opengis.net/gml/3.2" numberMatched="0" numberReturned="0"/>\n')


def cli(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, *args], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def blocked(*modules: str) -> list[str]:
    """A Python command line running ``mimbridge`` as if ``modules`` were not installed."""
    code = (f"import sys; sys.modules.update(dict.fromkeys({list(modules)!r})); "
            "from mimbridge.cli import main; sys.exit(main())")
    return [sys.executable, "-c", code]


# -- format inference --------------------------------------------------------------------------------

def test_convert_without_f_reads_the_suffix_and_the_content(tmp_path):
    p = cli("convert", str(EXAMPLE), "-t", "ngsi-ld-keyvalues")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)[0]["no2"] == 38.5
    assert "reading" in p.stderr and "as ngsi-ld: array of NGSI-LD entities in the normalized" in p.stderr

    sta = tmp_path / "things.json"  # .json: the content decides
    sta.write_text(json.dumps(STA_PAGE))
    p = cli("convert", str(sta), "-t", "ngsi-ld")
    assert p.returncode == 0, p.stderr
    assert "as sta: SensorThings page" in p.stderr
    things = sorted(e["id"] for e in json.loads(p.stdout) if e["type"] == "Thing")
    assert things == ["urn:ngsi-ld:sta:Thing:1", "urn:ngsi-ld:sta:Thing:2"]

    ttl = tmp_path / "graph.ttl"
    ttl.write_text(TURTLE)
    p = cli("convert", str(ttl), "-t", "ntriples")
    assert p.returncode == 0, p.stderr
    assert "as turtle: file suffix .ttl" in p.stderr
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert p.stdout.strip() == f'<http://example.org/a> <http://example.org/p> "1"^^<{xsd}integer> .'

    p = cli("convert", "-", "-t", "ngsi-ld", stdin=json.dumps(STA_PAGE))  # standard input: the content alone
    assert p.returncode == 0, p.stderr
    assert "reading - as sta" in p.stderr and len([e for e in json.loads(p.stdout) if e["type"] == "Thing"]) == 2


def test_convert_without_t_writes_what_the_output_suffix_says(tmp_path):
    out = tmp_path / "air.nt"
    p = cli("convert", str(EXAMPLE), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert f"writing {out} as ntriples: file suffix .nt" in p.stderr
    back = mimbridge.convert(out.read_text(), source="ntriples", target="ngsi-ld").output
    assert sorted(e["id"] for e in back) == sorted(e["id"] for e in json.loads(EXAMPLE.read_text()))
    p = cli("convert", str(EXAMPLE), "-o", str(tmp_path / "air.json"))
    assert p.returncode == 2 and "does not tell the format to write; pass -t/--to" in p.stderr
    assert "one of ngsi-ld, ngsi-ld-concise" in p.stderr and "ogc-records" not in p.stderr  # read-only
    p = cli("convert", str(EXAMPLE))
    assert p.returncode == 2 and "-t/--to is required unless -o OUT" in p.stderr


def test_validate_without_f(tmp_path):
    p = cli("validate", str(EXAMPLE))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "as ngsi-ld:" in p.stderr and p.stdout.strip().endswith("conforms")
    p = cli("validate", "-", stdin=TURTLE)  # standard input, told from the content
    assert "reading - as turtle: text that starts with a prefix declaration" in p.stderr, p.stderr


def test_inference_by_content_kinds():
    assert infer(json.dumps(STA_PAGE).encode()).format == "sta"
    assert infer(b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, '
                 b'"properties": {"name": "x"}}]}').format == "geojson"
    assert infer(b'{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "urn:ngsi-ld:A:1", '
                 b'"geometry": null, "properties": {"type": "A", "speed": {"type": "Property", "value": 1}}}]}'
                 ).format == "ngsi-ld-geojson"
    assert infer(WFS.encode(), name="page.xml").format == "wfs-gml"
    assert infer(b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
                 name="g.xml").format == "rdfxml"
    assert infer(b'{"id": "urn:ngsi-ld:T:1", "type": "T", "a": 1}').format == "ngsi-ld-keyvalues"
    assert infer(b'{"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"value": 1, "unitCode": "CEL"}}').format == \
        "ngsi-ld-concise"
    assert infer(b'{"id": "urn:ngsi-ld:T:1", "type": "T", "a": [{"type": "Property", "value": 1, '
                 b'"observedAt": "2024-01-01T00:00:00Z"}, {"type": "Property", "value": 2, '
                 b'"observedAt": "2024-01-02T00:00:00Z"}]}').format == "ngsi-ld-temporal"
    assert infer(b'{"@iot.id": 1, "dataArray@iot.count": 1, "components": ["id", "result"], "dataArray": [[1, 2]]}'
                 ).format == "sta-dataarray"
    assert infer(b'<urn:a> <urn:p> "1" .\n<urn:a> <urn:q> <urn:b> .\n').format == "ntriples"
    assert infer(b'<urn:a> <urn:p> "1" <urn:g> .\n').format == "nquads"
    # the first line of JSON Lines decides; a document cut short (the head of a large file) is read as far as it goes
    assert infer(json.dumps(STA_PAGE["value"][0]).encode() + b"\n{", name="t.jsonl").format == "sta"
    assert infer(json.dumps(STA_PAGE).encode()[:60]).format == "sta"
    # create bodies (no ids): navigation members or members only SensorThings entities have
    assert infer(b'{"name": "t", "description": "d", "Locations": [{"name": "l"}]}').format == "sta"
    assert infer(b'[{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": {"@iot.id": 1}}]',
                 name="obs.json").format == "sta"
    assert infer(b'{"name": "d", "resultType": {"type": "Quantity"}}').format == "sta2"
    # an NGSI-LD entity whose attributes happen to carry SensorThings names stays NGSI-LD
    assert infer(b'{"id": "urn:ngsi-ld:T:1", "type": "T", "phenomenonTime": {"type": "Property", "value": 1}}'
                 ).format == "ngsi-ld"
    # complete JSON of no known kind is an error; only an empty or cut-short head takes the suffix default
    with pytest.raises(FormatGuessError, match="cannot tell the format"):
        infer(b'{"title": "landing page", "links": []}', name="landing.json")
    assert infer(b"", name="empty.jsonl").format == "ngsi-ld"


def test_inference_refuses_to_guess(tmp_path):
    with pytest.raises(FormatGuessError, match="suffix says turtle but the content looks like sta") as exc:
        infer(json.dumps(STA_PAGE).encode(), name="x.ttl")
    assert [c.format for c in exc.value.candidates] == ["turtle", "sta"]
    with pytest.raises(FormatGuessError, match="cannot tell the format"):
        infer(b"hello", name="notes.txt")
    odd = tmp_path / "things.ttl"
    odd.write_text(json.dumps(STA_PAGE))
    p = cli("convert", str(odd), "-t", "ngsi-ld")
    assert p.returncode == 2
    assert "candidate: turtle (file suffix .ttl)" in p.stderr and "candidate: sta (SensorThings page" in p.stderr
    assert "Traceback" not in p.stderr


def test_a_wrong_f_says_what_the_input_looks_like(tmp_path):
    sta = tmp_path / "things.json"
    sta.write_text(json.dumps(STA_PAGE))
    p = cli("convert", str(sta), "-f", "ngsi-ld", "-t", "turtle")
    assert p.returncode == 1
    assert "this looks like sta (SensorThings page: value[] of entities (@iot.id members)); use -f sta" in p.stderr
    ttl = tmp_path / "g.txt"
    ttl.write_text(TURTLE)
    p = cli("convert", str(ttl), "-f", "geojson", "-t", "ngsi-ld")
    assert p.returncode == 1 and "this looks like turtle" in p.stderr and "use -f turtle" in p.stderr


HOSTILE_HEADS = {
    "integer of 5000 digits": b'{"id": "urn:x:1", "a": ' + b"7" * 5000 + b"}",
    "integer of 5000 digits, cut short": b'[{"id": "urn:x:1", "a": ' + b"7" * 5000,
    "100k nested arrays": b"[" * 100_000,
    "100k nested objects, cut short": b'{"a":' * 30_000,
    "lone surrogate": b'{"id": "\\ud800", "type": "T"}',
}


@pytest.mark.parametrize("head", HOSTILE_HEADS.values(), ids=HOSTILE_HEADS.keys())
def test_inference_and_hints_survive_hostile_input(head):
    # the sniffer reads heads that the JSON readers refuse: it must answer (a guess or FormatGuessError),
    # and a conversion under a wrong format must end in mimbridge's ParseError, never a crash
    try:
        infer(head)
    except FormatGuessError:
        pass
    for source in ("ngsi-ld", "sta", "geojson"):
        with pytest.raises(mimbridge.ParseError):
            mimbridge.convert(head, source=source, target="ntriples")


def test_python_convert_infers_and_hints():
    r = mimbridge.convert(STA_PAGE, target="ngsi-ld")
    assert r.source == "sta" and len([e for e in r.output if e["type"] == "Thing"]) == 2
    assert mimbridge.convert(EXAMPLE, target="ngsi-ld-keyvalues").source == "ngsi-ld"
    with pytest.raises(mimbridge.ParseError, match=r"this looks like sta .*use source='sta'"):
        mimbridge.convert(STA_PAGE, source="ngsi-ld", target="turtle")


# -- did you mean ------------------------------------------------------------------------------------

def test_did_you_mean():
    p = cli("conver", str(EXAMPLE))
    assert p.returncode == 2 and "did you mean 'convert'?" in p.stderr
    p = cli("convert", str(EXAMPLE), "-t", "ngsi-ld-keyvalue")
    assert p.returncode == 2 and "no format named 'ngsi-ld-keyvalue' (did you mean 'ngsi-ld-keyvalues'?)" in p.stderr
    p = cli("convert", str(EXAMPLE), "-t", "keyvalue")  # an alias counts, and the canonical name is suggested
    assert "(did you mean 'ngsi-ld-keyvalues'?)" in p.stderr
    p = cli("convert", str(EXAMPLE), "-f", "ngsi-ld", "-t", "turtle", "-O", "profil=sosa")
    assert p.returncode == 2 and "unknown option(s): profil; did you mean 'profile'?" in p.stderr
    p = cli("convert", str(EXAMPLE), "-t", "turtle", "--stirct")
    assert p.returncode == 2 and "did you mean '--strict'?" in p.stderr
    p = cli("convert", str(EXAMPLE), "-t", "turtle", "-O", "zzzzzz=1")
    assert p.returncode == 2 and "did you mean" not in p.stderr
    with pytest.raises(TypeError, match="did you mean 'geometry_property'"):
        mimbridge.convert(EXAMPLE, source="ngsi-ld", target="ngsi-ld-geojson", geometry_propery="location")


# -- discoverability --------------------------------------------------------------------------------

def test_version_and_examples_in_every_help():
    p = cli("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"mimbridge {mimbridge.__version__}"
    for command in ("convert", "formats", "validate", "mapping", "resolve", "load", "serve", "pull", "push",
                    "sync", "bridge"):
        p = cli(command, "--help")
        assert p.returncode == 0, command
        tail = p.stdout.rstrip().split("\nexamples:\n")
        assert len(tail) == 2, f"{command} --help has no examples"
        examples = tail[1].splitlines()
        assert 2 <= len(examples) <= 3 and all(e.strip().startswith(("mimbridge ", "curl ")) for e in examples)
        assert all(f"mimbridge {command}" in e or command == "check" for e in examples if "mimbridge" in e)
    assert "mimbridge mapping check" in cli("mapping", "check", "--help").stdout


def test_the_convert_examples_of_the_help_run():
    p = cli("convert", "docs/examples/air-quality.jsonld", "-t", "ngsi-ld-keyvalues")
    assert p.returncode == 0, p.stderr


def test_every_adapter_declares_its_options():
    from mimbridge import registry

    for name in registry.available():
        adapter = registry.get(name)
        specs = adapter.option_specs()
        assert [s.name for s in specs] == list(adapter.options), name
        assert all(s.help and s.applies_to in ("read", "write", "both") for s in specs), name
        if not adapter.capabilities.write:
            assert all(s.applies_to == "read" for s in specs), name
    rdf = {s.name: s for s in registry.get("turtle").option_specs()}
    assert rdf["profile"].default == "ngsi-ld" and rdf["roundtrip"].default is True
    assert rdf["blank_nodes"].applies_to == "write"
    # what an option declares is what the adapter does: the default profile writes what profile=ngsi-ld writes
    same = mimbridge.convert(EXAMPLE, source="ngsi-ld", target="ntriples").output
    assert same == mimbridge.convert(EXAMPLE, source="ngsi-ld", target="ntriples", profile="ngsi-ld").output
    temporal = {s.name: s for s in registry.get("ngsi-ld-temporal").option_specs()}
    assert temporal["timeproperty"].default == "observedAt"


# -- extras and errors -------------------------------------------------------------------------------

def test_serve_without_the_resolver_extra_names_it(tmp_path):
    p = subprocess.run([*blocked("starlette", "uvicorn"), "serve", "--store", str(tmp_path / "store")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert re.search(r"serve needs (starlette|uvicorn), which is not installed: pip install 'mimbridge\[resolver\]'",
                     p.stderr), p.stderr
    assert "Traceback" not in p.stderr and "ModuleNotFoundError" not in p.stderr


def test_bridge_without_paho_names_the_connectors_extra(tmp_path):
    p = subprocess.run([*blocked("paho", "paho.mqtt", "paho.mqtt.client"), "bridge", "--source",
                        "mqtt://127.0.0.1:1/v1.1/Datastreams(1)/Observations",
                        "--target", f"file:{tmp_path / 'o.jsonl'}"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert "the bridge stopped" in p.stderr and "pip install 'mimbridge[connectors]'" in p.stderr


def test_extra_names_come_from_the_installed_metadata():
    from mimbridge.extras import extras, install_hint

    table = extras()
    assert "starlette" in table["resolver"] and "paho-mqtt" in table["connectors"]
    assert install_hint("paho.mqtt.client") == "pip install 'mimbridge[connectors]'"
    # uvicorn is in two extras (two and three packages): the smaller first, unless a command says which it
    # prefers (the bridge prefers the connectors extra)
    assert install_hint("uvicorn") == "pip install 'mimbridge[resolver]'"
    assert install_hint("uvicorn", prefer=["connectors"]) == "pip install 'mimbridge[connectors]'"
    assert install_hint("starlette") == "pip install 'mimbridge[resolver]'"


def test_bridge_says_why_it_stopped_when_the_broker_is_unreachable(tmp_path):
    from .servers import free_port

    url = f"mqtt://127.0.0.1:{free_port()}/v1.1/Datastreams(1)/Observations"
    p = cli("bridge", "--source", url, "--target", f"file:{tmp_path / 'o.jsonl'}")
    assert p.returncode == 1
    assert f"the bridge stopped: ConnectorError: {url}: cannot connect to the MQTT broker" in p.stderr
    assert "Connection refused" in p.stderr


def test_bridge_says_why_the_broker_refused_it(private_mosquitto, tmp_path):
    private_mosquitto.stop()
    conf = private_mosquitto.config
    conf.write_text(conf.read_text().replace("allow_anonymous true", "allow_anonymous false"))
    private_mosquitto.start()
    url = f"{private_mosquitto.url}/v1.1/Datastreams(1)/Observations"
    p = cli("bridge", "--source", url, "--target", f"file:{tmp_path / 'o.jsonl'}")
    assert p.returncode == 1
    assert f"the bridge stopped: ConnectorError: {url}: the MQTT broker refused the connection: Not authorized" \
        in p.stderr


@pytest.mark.parametrize("command", [
    ["pull", "{base}/v1.1/Things", "-f", "sta", "-t", "ngsi-ld"],
    ["push", str(EXAMPLE), "--target", "ngsi-ld+{base}"],
    ["sync", "--source", "sta+{base}/v1.1/Things", "--target", "file:{tmp}/out.nt"],
])
def test_connector_commands_name_the_endpoint_and_the_failing_request(command, tmp_path):
    from .servers import free_port

    base = f"http://127.0.0.1:{free_port()}"
    args = [a.format(base=base, tmp=tmp_path) for a in command]
    p = cli(*args, "--retries", "0")
    assert p.returncode == 1
    line = p.stderr.strip().splitlines()[-1]
    assert line.startswith(f"mimbridge: error: {base}/") and ("GET failed" in line or "POST failed" in line)
    assert "Connection refused" in line and "Traceback" not in p.stderr


# -- the connectors from Python (real servers) --------------------------------------------------------

def test_python_pull_pages_a_bbox(pygeoapi_server):
    from .test_client_ogc import BBOX, CITIES, inside

    r = mimbridge.pull(f"{pygeoapi_server.url}/collections/cities", source="geojson", target="ngsi-ld",
                       source_options={"bbox": list(BBOX), "limit": 2}, type="City")
    assert isinstance(r, mimbridge.ConversionResult) and isinstance(r.report, mimbridge.ConversionReport)
    want = {f["id"]: f["geometry"]["coordinates"] for f in CITIES if inside(*f["geometry"]["coordinates"])}
    got = {e["id"].rsplit(":", 1)[-1]: e["location"]["value"]["coordinates"] for e in r.output}
    assert got == want and r.records == len(want) and r.pages == -(-len(want) // 2)
    assert (r.source, r.target) == ("geojson", "ngsi-ld")


def test_python_push_then_pull_through_a_sparql_store(oxigraph_server):
    entities = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    endpoint = f"sparql+{oxigraph_server.url}/query"
    pushed = mimbridge.push(EXAMPLE, endpoint, target_options={"graph": "urn:test:first-contact"})
    assert isinstance(pushed, mimbridge.ConversionResult) and pushed.source == "ngsi-ld"
    assert sorted(pushed.written) == sorted(e["id"] for e in entities) and pushed.failed == []
    back = mimbridge.pull(endpoint, target="ngsi-ld", source_options={"graph": "urn:test:first-contact"})
    assert sorted(e["id"] for e in back.output) == sorted(e["id"] for e in entities)
    no2 = {e["id"]: e["no2"]["value"] for e in back.output}
    assert no2 == {e["id"]: e["no2"]["value"] for e in entities}


def test_python_sync_resumes_from_its_checkpoint(pygeoapi_server, tmp_path):
    from .test_client_ogc import CITIES

    source, target, cp = f"ogcapi+{pygeoapi_server.url}/collections/cities", f"file:{tmp_path / 'c.jsonl'}", \
        tmp_path / "cp.json"
    first = mimbridge.sync(source, target, checkpoint=cp, max_pages=1, source_options={"limit": 3}, type="City")
    assert first.pages == 1 and first.records == 3 and first.report.target == "ngsi-ld"
    rest = mimbridge.sync(source, target, checkpoint=cp, source_options={"limit": 3}, type="City")
    assert rest.resumed_from is not None and first.records + rest.records == len(CITIES)
    lines = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert sorted(e["id"].rsplit(":", 1)[-1] for e in lines) == sorted(f["id"] for f in CITIES)


#: real payloads of the corpus and the format each is in (from where it was captured)
CORPUS_FORMATS = {
    "ogc/_captured/django-ogc-sensorthings-1.2.0/obs_page1.json": "sta",
    "ogc/_captured/django-ogc-sensorthings-1.2.0/locations.json": "sta",
    "ogc/_captured/django-ogc-sensorthings-1.2.0/obs_dataArray.json": "sta-dataarray",
    "ogc/_captured/django-ogc-sensorthings-1.2.0/inputs/createobs.json": "sta-dataarray",
    "ogc/_captured/mapserver-8.0.0/wfs20_getfeature_gml32.xml": "wfs-gml",
    "ogc/_captured/mapserver-8.0.0/wfs20_getfeature_geojson.json": "geojson",
    "ogc/_captured/pygeoapi-0.21.0/lakes_items_page1.json": "geojson",
    "ogc/_captured/pygeoapi-0.21.0/records_items.json": "ogc-records",
    "ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example-normalized.jsonld": "ngsi-ld",
    "ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example.jsonld": "ngsi-ld-keyvalues",
    "ngsi-ld/ngsi-ld-test-suite/data/temporalEntities/expectations/"
    "2020-08-vehicle-temporal-representation-temporal-values.json": "ngsi-ld-temporal",
    "rdf/dxwg/dcat/rdf/dcat3.ttl": "turtle",
    # SensorThings create bodies carry no @iot.id: their navigation and typical members tell them
    "ogc/_captured/django-ogc-sensorthings-1.2.0/inputs/thing1.json": "sta",
    "ogc/FROST-Server/docs/extracted/4_ExampleEntities__ex01.json": "sta",
    "ogc/sensorthings@18-088/src/18-088/extracted/10_create_update_delete__ex01.json": "sta",
    "ogc/sensorthings@23-019/sections/extracted/clause_08_core_data_model__ex08.json": "sta2",
}

#: JSON documents that are none of the formats (landing pages, schemas): an error, never the .json default
CORPUS_UNKNOWN = [
    "ogc/ogcapi-features/core/examples/json/LandingPage.json",
    "ogc/ogcapi-features/cql2/standard/data/ne_110m_populated_places_simple.json",
    "ogc/FROST-Server/Plugins/CoreModelV2/src/main/resources/plugincoremodelv2/model/Thing.json",
]


@pytest.mark.parametrize("rel", CORPUS_UNKNOWN)
def test_inference_refuses_json_that_is_no_known_kind(corpus, rel, tmp_path):
    from .conftest import need

    path = corpus / rel
    need(path.is_file(), f"{rel} missing from the corpus")
    p = cli("convert", str(path), "-t", "native", "-o", str(tmp_path / "out.json"))
    assert p.returncode == 2, p.stderr
    assert "cannot tell the format" in p.stderr and "pass -f/--from" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("rel", sorted(CORPUS_FORMATS))
def test_inference_on_real_payloads(corpus, rel, tmp_path):
    """The command tells the format without -f, says so, and the document reads in it."""
    from .conftest import need

    path = corpus / rel
    need(path.is_file(), f"{rel} missing from the corpus")
    p = cli("convert", str(path), "-t", "native", "-o", str(tmp_path / "out.json"))
    assert p.returncode == 0, p.stderr
    assert p.stderr.startswith(f"mimbridge: reading {path} as {CORPUS_FORMATS[rel]}: "), p.stderr
    assert json.loads((tmp_path / "out.json").read_text())["nodes"]
