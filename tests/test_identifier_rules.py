"""Identifiers in readers: URNs in RFC 8141 normal form (reported), and the resolver's minting rules on request.

Corpus data and the live SensorThings server; every expected URI comes from ``mimbridge resolve`` run
as a user runs it (its own process), so a converted graph and the resolver's answers are shown to join.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import httpx
import pytest

import mimbridge
from mimbridge import registry
from mimbridge.report import Coerced, Unresolved

BASE = "https://id.example.city/"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
UPPER = "URN:NGSI-LD:"


def resolve_cli(*ids: str, rules=None, base: str | None = None) -> list[str]:
    """``mimbridge resolve --json`` in its own process: the URI it answers for each identifier."""
    args = [sys.executable, "-m", "mimbridge.resolve", "resolve", "--json"]
    if rules is not None:
        args += ["--rules", str(rules)]
    if base is not None:
        args += ["--base", base]
    r = subprocess.run([*args, *ids], capture_output=True, text=True, timeout=120, check=True)
    return [json.loads(line)["uri"] for line in r.stdout.splitlines() if line.strip()]


def upper(doc):
    """The document with every ``urn:ngsi-ld:`` spelled ``URN:NGSI-LD:`` (the same ids, RFC 8141)."""
    return json.loads(json.dumps(doc).replace("urn:ngsi-ld:", UPPER))


@pytest.fixture(scope="module")
def air_quality(corpus):
    """A Smart Data Models entity with a Relationship (``refPointOfInterest``)."""
    path = corpus / "ngsi-ld" / "dataModel.Environment" / "AirQualityObserved" / "examples" / \
        "example-normalized.jsonld"
    return json.loads(path.read_text("utf-8"))


# -- (a) URN normal form --------------------------------------------------------------------------------------


def coerced(report) -> dict[str, str]:
    return {e.path: e.message for e in report.of_type(Coerced) if "RFC 8141" in e.message}


def test_upper_case_urns_read_as_the_corpus_entity(air_quality):
    r = mimbridge.convert(upper(air_quality), source="ngsi-ld", target="ngsi-ld")
    assert r.output == air_quality
    assert set(coerced(r.report)) == {"/id", "/refPointOfInterest/object"}
    assert "'URN:NGSI-LD:AirQualityObserved:" in coerced(r.report)["/id"]


@pytest.mark.parametrize("fmt", ["ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal", "ngsi-ld-geojson"])
def test_every_ngsild_representation_reads_upper_case_urns(air_quality, fmt):
    opts = {"kinds": {"refPointOfInterest": "Relationship"}} if fmt == "ngsi-ld-keyvalues" else {}
    written = mimbridge.convert(air_quality, source="ngsi-ld", target=fmt).output
    plain = mimbridge.convert(written, source=fmt, target="ngsi-ld", read_options=opts)
    shouted = mimbridge.convert(upper(written), source=fmt, target="ngsi-ld", read_options=opts)
    assert shouted.output == plain.output
    assert UPPER not in json.dumps(shouted.output)
    assert len(coerced(shouted.report)) == 2 and not coerced(plain.report)


@pytest.mark.parametrize("syntax", ["ntriples", "turtle", "rdf-jsonld", "rdfxml"])
def test_rdf_read_back_gives_the_normal_form(air_quality, syntax):
    rdf = mimbridge.convert(air_quality, source="ngsi-ld", target=syntax).output
    text = rdf if isinstance(rdf, str) else json.dumps(rdf)
    back = mimbridge.convert(text.replace("urn:ngsi-ld:", UPPER), source=syntax, target="ngsi-ld")
    assert back.output == mimbridge.convert(text, source=syntax, target="ngsi-ld").output
    assert back.output["id"] == air_quality["id"]
    assert {p.rsplit("/", 1)[-1] for p in coerced(back.report)} == {"id", "object"}


def test_the_two_spellings_join_in_one_graph(air_quality):
    """Two files naming one entity in two spellings give one IRI in RDF."""
    a = mimbridge.convert(air_quality, source="ngsi-ld", target="ntriples").output
    b = mimbridge.convert(upper(air_quality), source="ngsi-ld", target="ntriples").output
    assert set(a.splitlines()) == set(b.splitlines())


def test_nss_stays_case_sensitive_and_escapes_are_upper_cased():
    e = {"id": "Urn:Ngsi-Ld:Room:ABC%2fx", "type": "Room",
         "seq": {"type": "ListRelationship", "objectList": [{"object": "URN:NGSI-LD:Room:Def"}]},
         "t": {"type": "Property", "value": 1, "datasetId": "URN:NGSI-LD:Dataset:Q"}}
    r = mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld")
    assert r.output["id"] == "urn:ngsi-ld:Room:ABC%2Fx"
    assert r.output["seq"]["objectList"] == [{"object": "urn:ngsi-ld:Room:Def"}]
    assert r.output["t"]["datasetId"] == "urn:ngsi-ld:Dataset:Q"
    assert set(coerced(r.report)) == {"/id", "/seq/objectList/0", "/t/datasetId"}


def test_geojson_feature_ids_in_normal_form():
    f = {"type": "Feature", "id": "URN:NGSI-LD:Lake:Baikal", "geometry": None, "properties": {"name": "Baikal"}}
    r = mimbridge.convert(f, source="geojson", target="ngsi-ld")
    assert r.output["id"] == "urn:ngsi-ld:Lake:Baikal" and set(coerced(r.report)) == {"/id"}


def test_observations_mapping_finds_sensorthings_ids_in_upper_case_urns(corpus):
    """Temporal entities whose datasetIds / instanceIds are spelled in upper case still give the @iot.ids."""
    page = json.loads((corpus / "ogc" / "_captured" / "django-ogc-sensorthings-1.2.0" / "obs_page1.json")
                      .read_text("utf-8"))
    temporal = mimbridge.convert(page, source="sta", target="ngsi-ld-temporal", mapping="observations").output
    assert "urn:ngsi-ld:sta:Observation:" in json.dumps(temporal)
    back = mimbridge.convert(upper(temporal), source="ngsi-ld-temporal", target="sta", mapping="observations")
    plain = mimbridge.convert(temporal, source="ngsi-ld-temporal", target="sta", mapping="observations")
    assert back.output == plain.output
    assert {o["@iot.id"] for o in page["value"]} <= set(_iot_ids(back.output))


def _iot_ids(doc):
    if isinstance(doc, list):
        for x in doc:
            yield from _iot_ids(x)
    elif isinstance(doc, dict):
        if "@iot.id" in doc:
            yield doc["@iot.id"]
        for v in doc.values():
            yield from _iot_ids(v)


# -- (b) minting rules in readers ------------------------------------------------------------------------------


def table(tmp_path, *namespaces, sta_server: str | None = None):
    """A rule table file of one's own (what ``--rules`` and ``minting=`` are given)."""
    ns = [*namespaces, {"name": "urn", "scheme": "urn", "template": "{base}urn/{local}"},
          {"name": "ngsi-ld", "scheme": "ngsi-ld", "template": "{base}{type}/{local}"}]
    if sta_server:
        ns.append({"name": "sta", "scheme": "sta", "server": sta_server, "template": "{base}sta/{type}/{local}"})
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"version": 1, "base": BASE, "namespaces": ns}), "utf-8")
    return path


def test_without_rules_nothing_is_minted(air_quality):
    assert mimbridge.convert(air_quality, source="ngsi-ld", target="ngsi-ld").output == air_quality


def test_ngsild_entities_take_the_resolvers_uris(air_quality):
    r = mimbridge.convert(air_quality, source="ngsi-ld", target="ngsi-ld", read_options={"mint_base": BASE})
    rel = air_quality["refPointOfInterest"]["object"]
    assert [r.output["id"], r.output["refPointOfInterest"]["object"]] == resolve_cli(
        air_quality["id"], rel, base=BASE)
    assert r.output["id"].startswith(BASE)


def test_records_local_codes_join_the_resolver(corpus, tmp_path):
    """pygeoapi's records carry externalIds of scheme ``default``: with a namespace of that name they are
    local codes, minted as ``mimbridge resolve default:<code>`` mints them."""
    page = json.loads((corpus / "ogc" / "_captured" / "pygeoapi-0.21.0" / "records_items.json").read_text("utf-8"))
    rules = table(tmp_path, {"name": "default", "scheme": "local", "template": "{base}record/{local}"})
    out = mimbridge.convert(page, source="ogc-records", target="ngsi-ld", read_options={"minting": str(rules)}).output
    codes = [x["value"] for f in page["features"] for x in f["properties"]["externalIds"]]
    assert len(codes) == len(page["features"]) >= 2
    got = [e[SAME_AS]["object"] for e in out]
    assert got == resolve_cli(*(f"default:{c}" for c in codes), rules=rules)
    assert all(u.startswith(BASE + "record/") for u in got)
    # without the rules, no sameAs (these are no DOIs), as before
    plain = mimbridge.convert(page, source="ogc-records", target="ngsi-ld").output
    assert all(SAME_AS not in e for e in plain)


def test_record_urn_id_and_externalid_join_the_resolver(corpus):
    rec = json.loads((corpus / "ogc" / "ogcapi-records" / "core" / "examples" / "json" / "record.json")
                     .read_text("utf-8"))
    e = mimbridge.convert(rec, source="ogc-records", target="ngsi-ld", mint_base=BASE).output
    (ext,) = rec["properties"]["externalIds"]
    assert [e["id"], e[SAME_AS]["object"]] == resolve_cli(rec["id"], ext["value"], base=BASE)


def test_an_external_id_the_rules_cannot_mint_is_reported(tmp_path):
    rec = {"type": "Feature", "id": "r1", "geometry": None,
           "properties": {"externalIds": [{"scheme": "isbn", "value": "9780131103627"}]}}
    r = mimbridge.convert(rec, source="ogc-records", target="ngsi-ld", minting=str(table(tmp_path)))
    assert SAME_AS not in r.output
    (ev,) = r.report.of_type(Unresolved)
    assert ev.path == "/properties/externalIds/0/value" and "isbn" in ev.message


def test_geojson_feature_codes_join_the_resolver(corpus):
    """pygeoapi's lakes have integer ids: the reader's ``urn:ngsi-ld:lakes:<id>`` is minted as the resolver mints it."""
    page = json.loads((corpus / "ogc" / "_captured" / "pygeoapi-0.21.0" / "lakes_items_page1.json")
                      .read_text("utf-8"))
    out = mimbridge.convert(page, source="geojson", target="ngsi-ld", mint_base=BASE).output
    plain = mimbridge.convert(page, source="geojson", target="ngsi-ld").output
    assert len(out) >= 2 and all(e["id"].startswith(BASE) for e in out)
    assert [e["id"] for e in out] == resolve_cli(*(e["id"] for e in plain), base=BASE)


def test_sensorthings_pages_of_the_corpus_take_their_urls(corpus):
    """Without an ``sta`` namespace for the server, an entity's URI is its URL (what the resolver answers)."""
    page = json.loads((corpus / "ogc" / "_captured" / "django-ogc-sensorthings-1.2.0" / "locations.json")
                      .read_text("utf-8"))
    out = mimbridge.convert(page, source="sta", target="ngsi-ld", mint_base=BASE).output
    links = [x["@iot.selfLink"] for x in page["value"]]
    ids = [e["id"] for e in out if not e["id"].startswith("urn:ngsi-ld:sta:Collection:")]
    assert ids == links == resolve_cli(*links, base=BASE)


def test_sensorthings_ids_without_a_service_root_are_reported(tmp_path):
    doc = {"@iot.id": 7, "name": "T", "Datastreams": [{"@iot.id": 8, "name": "d"}]}
    r = mimbridge.convert(doc, source="sta", target="ngsi-ld", minting=str(table(tmp_path)))
    assert {e["id"] for e in r.output} == {"urn:ngsi-ld:sta:Thing:7", "urn:ngsi-ld:sta:Datastream:8"}
    assert len(r.report.of_type(Unresolved)) == 2
    # with the shipped table the service root of its sta namespace is the one
    shipped = mimbridge.convert(doc, source="sta", target="ngsi-ld", mint_base=BASE).output
    assert [e["id"] for e in shipped] == resolve_cli("Things(7)", "Datastreams(8)", base=BASE)


@pytest.fixture(scope="module")
def seeded(sta_server):
    body = {"name": "idrules station", "description": "test", "Datastreams": [{
        "name": "idrules temperature", "description": "test", "observationType":
            "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
        "Sensor": {"name": "idrules sensor", "description": "s", "encodingType": "application/pdf",
                   "metadata": "https://example.org/s.pdf"},
        "ObservedProperty": {"name": "idrules T", "definition": "https://example.org/T", "description": "T"}}]}
    r = httpx.post(f"{sta_server.url}/Things", json=body, timeout=30)
    assert r.status_code == 201, r.text
    return sta_server


def test_live_sensorthings_graph_joins_the_resolver(seeded, tmp_path):
    """Things and Datastreams of the live server, converted with a rule table naming the server, have the URIs
    ``mimbridge resolve --rules`` gives for their self links; the references between them agree."""
    root = seeded.url.rstrip("/") + "/"
    rules = table(tmp_path, sta_server=root)
    doc = httpx.get(f"{seeded.url}/Things", params={"$filter": "name eq 'idrules station'",
                                                    "$expand": "Datastreams($expand=Sensor,ObservedProperty)"},
                    timeout=30).json()
    assert doc["value"]
    nt = mimbridge.convert(doc, source="sta", target="ntriples", read_options={"minting": str(rules)}).output
    ngsi = mimbridge.convert(doc, source="sta", target="ngsi-ld", read_options={"minting": str(rules)}).output
    links = [t["@iot.selfLink"] for t in doc["value"]]
    links += [d["@iot.selfLink"] for t in doc["value"] for d in t["Datastreams"]]
    links += [d[k]["@iot.selfLink"] for t in doc["value"] for d in t["Datastreams"] for k in ("Sensor",
                                                                                             "ObservedProperty")]
    uris = resolve_cli(*links, rules=rules)
    assert all(u.startswith(BASE + "sta/") for u in uris)
    ids = {e["id"] for e in ngsi}
    assert set(uris) <= ids
    for u in uris:
        assert f"<{u}>" in nt
    # a Datastream's Thing, Sensor and ObservedProperty are the same URIs
    thing_uri = uris[0]
    ds = next(e for e in ngsi if e["id"] == uris[len(doc["value"])])
    objects = {v["object"] for v in ds.values() if isinstance(v, dict) and v.get("type") == "Relationship"}
    assert set(uris[len(doc["value"]) + 1:]) <= objects
    thing = next(e for e in ngsi if e["id"] == thing_uri)
    listed = [v for v in thing.values() if isinstance(v, dict) and v.get("type") == "ListRelationship"]
    assert uris[len(doc["value"])] in json.dumps(listed)


def test_live_references_without_self_links_take_the_servers_key_form(seeded):
    """A Datastream page whose expanded Thing has its id but no self link: the Thing's URI is built from the
    service root of the page and the server's own key form (unquoted GUIDs), which is what the resolver gives
    for the Thing's self link."""
    thing = httpx.get(f"{seeded.url}/Things", params={"$filter": "name eq 'idrules station'"}, timeout=30).json()
    link = thing["value"][0]["@iot.selfLink"]
    page = httpx.get(f"{seeded.url}/Datastreams", params={"$filter": "name eq 'idrules temperature'",
                                                          "$expand": "Thing($select=id,name)"}, timeout=30).json()
    (ds,) = page["value"]
    assert "@iot.selfLink" not in ds["Thing"] and "@iot.id" in ds["Thing"]
    out = mimbridge.convert(page, source="sta", target="ngsi-ld", mint_base=BASE).output
    (expected,) = resolve_cli(link, base=BASE)
    assert expected == link  # no sta namespace for this server: the URL is the URI
    assert expected in {e["id"] for e in out}
    ds_out = next(e for e in out if e["id"] == ds["@iot.selfLink"])
    assert expected in {v["object"] for v in ds_out.values() if isinstance(v, dict) and v.get("type") == "Relationship"}


def test_minting_options_are_declared():
    for fmt in ("ngsi-ld", "ngsi-ld-keyvalues", "ngsi-ld-temporal", "ngsi-ld-geojson", "geojson", "ogc-records",
                "wfs-gml", "sta"):
        names = {s.name: s.applies_to for s in registry.get(fmt).option_specs()}
        assert names.get("minting") == names.get("mint_base") == "read", fmt


def test_the_rule_engine_is_shared():
    from mimbridge import minting
    from mimbridge.resolve import minting as resolver_minting

    assert resolver_minting.Rules is minting.Rules


def test_upper_helper_changes_something(air_quality):
    assert upper(copy.deepcopy(air_quality)) != air_quality


def test_bad_minting_options_say_what_is_expected(tmp_path):
    from mimbridge.errors import MappingError

    e = {"id": "urn:ngsi-ld:Room:1", "type": "Room"}
    with pytest.raises(MappingError, match="rule table"):
        mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld", minting=42)
    with pytest.raises(MappingError, match="cannot read rule table"):
        mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld", minting=str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "base": BASE}), "utf-8")
    with pytest.raises(MappingError, match="namespaces"):
        mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld", minting=str(bad))


def test_convert_command_and_resolve_command_agree(air_quality, tmp_path):
    """What a user types: ``mimbridge convert -O mint_base=...`` then ``mimbridge resolve --base ...``."""
    src = tmp_path / "aq.json"
    src.write_text(json.dumps(upper(air_quality)), "utf-8")
    r = subprocess.run([sys.executable, "-m", "mimbridge", "convert", str(src), "-f", "ngsi-ld", "-t", "ngsi-ld",
                        "-O", f"mint_base={BASE}", "-q"], capture_output=True, text=True, timeout=120, check=True)
    out = json.loads(r.stdout)
    assert [out["id"], out["refPointOfInterest"]["object"]] == resolve_cli(
        "URN:NGSI-LD:" + air_quality["id"][len("urn:ngsi-ld:"):], air_quality["refPointOfInterest"]["object"],
        base=BASE)
