"""Smart Data Models offline (the pysmartdatamodels catalogue, extra ``mimbridge[sdm]``).

The expected values come from outside the code under test: the catalogue's own
raw records (read here with gzip + json, not through mimbridge.sdm), the corpus'
published SDM examples, schemas and contexts, and the project's curated mapping table.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from importlib.metadata import version
from importlib.resources import files

import pytest

import mimbridge
from mimbridge.errors import CapabilityError, MappingError
from mimbridge.sdm import catalogue as catmod
from mimbridge.sdm import load_catalogue

from .conftest import load_json, need

ENV = "ngsi-ld/dataModel.Environment"
AQO = f"{ENV}/AirQualityObserved"
PARKING = "ngsi-ld/dataModel.Parking/OffStreetParking"
VEHICLE = "ngsi-ld/dataModel.Transportation/Vehicle"
MEMBER = {"Property": "value", "GeoProperty": "value", "Relationship": "object"}


@pytest.fixture(scope="module")
def cat():
    need(catmod.available(), "pysmartdatamodels not installed (pip install 'mimbridge[sdm]')")
    return load_catalogue()


@pytest.fixture(scope="module")
def raw(cat):
    """The catalogue's attribute records as the package ships them."""
    data = (files("pysmartdatamodels") / "model-assets" / "smartdatamodels.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))


def corpus_file(corpus, folder, name):
    p = corpus / folder / name
    need(p.is_file(), f"{p.relative_to(corpus)} missing from the corpus")
    return p


# --- the catalogue ---------------------------------------------------------------------------------

def test_missing_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(catmod, "PACKAGE", "pysmartdatamodels-not-installed")
    assert catmod.available() is False
    with pytest.raises(CapabilityError, match=r"pip install 'mimbridge\[sdm\]'"):
        catmod.catalogue_version()


def test_catalogue_version_size_and_lookups(cat, raw):
    assert cat.version == version("pysmartdatamodels")
    raw_models = {(r["repoName"], r["dataModel"]) for r in raw}
    assert len(cat) == len(raw_models) > 1000
    aqo = cat.model("AirQualityObserved")
    assert (aqo.subject, aqo.domains) == ("dataModel.Environment", ("SmartEnvironment",))
    assert aqo.attributes["refDevice"].kind == "Relationship"
    assert aqo.attributes["location"].kind == "GeoProperty"
    assert aqo.attributes["temperature"].iri == "https://smartdatamodels.org/dataModel.Environment/temperature"
    assert aqo.attributes["precipitation"].units == "Liters per square meter"
    assert "dateObserved" in aqo.required
    # names that clash: subject or domain decide, the error lists the candidates
    with pytest.raises(MappingError, match=r"dataModel\.ERA/Vehicle, dataModel\.Transportation/Vehicle"):
        cat.model("Vehicle")
    assert cat.model("Transportation/Vehicle").subject == "dataModel.Transportation"
    assert cat.model("Vehicle", domain="SmartCities").subject == "dataModel.Transportation"
    assert cat.model("https://smartdatamodels.org/dataModel.ERA/Vehicle").subject == "dataModel.ERA"
    with pytest.raises(MappingError, match="close names: AirQualityObserved"):
        cat.model("AirQualityObservd")


def test_subject_context_agrees_with_the_published_context(cat, corpus):
    published = load_json(corpus_file(corpus, ENV, "context.jsonld"))["@context"]
    ours = cat.context("Environment")["@context"]
    shared = set(ours) & set(published)
    assert len(shared) > 150
    assert {t: ours[t] for t in shared} == {t: published[t] for t in shared}


# --- keyValues -> normalized ------------------------------------------------------------------------

def kinds_of(normalized):
    return {k: v["type"] for k, v in normalized.items() if isinstance(v, dict) and "type" in v and k != "@context"}


@pytest.mark.parametrize(("folder", "kv_name"),
                         [(f"{AQO}/examples", "example.jsonld"), (f"{PARKING}/examples", "example.json")])
def test_corpus_keyvalues_read_with_the_catalogue_give_the_published_kinds(cat, corpus, folder, kv_name):
    kv = load_json(corpus_file(corpus, folder, kv_name))
    norm = load_json(corpus_file(corpus, folder, "example-normalized.jsonld"))
    published = kinds_of(norm)
    if not kv["id"].startswith("urn:"):  # the parking example.json keeps an NGSIv2 id; its pair has the URN
        kv["id"] = norm["id"]
    ctx = cat.context_documents()
    out = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", contexts=ctx,
                            read_options={"model": "auto"})
    got = kinds_of(out.output)
    both = set(got) & set(published)
    assert len(both) >= 20
    assert {k: got[k] for k in both} == {k: published[k] for k in both}
    # the Approximated events name only attributes the catalogue does not list for the model
    model = cat.model(kv["type"])
    guessed = {p.rsplit("/", 1)[-1] for e in out.report.events if e.kind == "Approximated" for p in e.paths}
    assert guessed == {k for k in kv if k not in ("id", "type", "@context") and k not in model.attributes}
    if folder.startswith(AQO):  # the catalogue spells it typeofLocation; the example typeOfLocation
        assert guessed == {"typeOfLocation"} and "typeofLocation" in model.attributes
    else:
        assert guessed == set()
    back = mimbridge.convert(out.output, source="ngsi-ld", target="ngsi-ld-keyvalues", contexts=ctx).output
    assert back == kv


def test_held_out_models_get_their_relationships_from_the_catalogue(cat):
    """Three models the corpus has no schema for: without the catalogue the references are guessed wrong."""
    cases = {"ParkingSpot": "refParkingSite", "RoadSegment": "refRoad", "ParkingGroup": "refParkingSite"}
    for model, ref in cases.items():
        kv = {"id": f"urn:ngsi-ld:{model}:1", "type": model, ref: "urn:ngsi-ld:Thing:9", "name": "x"}
        guessed = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld")
        assert guessed.output[ref]["type"] == "Property" and not guessed.report.lossless
        known = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", read_options={"model": "auto"})
        assert known.output[ref] == {"type": "Relationship", "object": "urn:ngsi-ld:Thing:9"}
        assert known.report.events == []


def test_vehicle_normalized_to_keyvalues_and_back_with_the_model(cat, corpus):
    norm = load_json(corpus_file(corpus, VEHICLE, "examples/example-normalized.jsonld"))
    ctx = cat.context_documents(["Transportation"])
    kv = mimbridge.convert(norm, source="ngsi-ld", target="ngsi-ld-keyvalues", contexts=ctx).output
    again = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", contexts=ctx,
                              read_options={"model": "Transportation/Vehicle"})
    assert kinds_of(again.output) == kinds_of(norm)
    assert again.report.events == []


def test_model_option_errors_are_mimbridge_errors(cat):
    kv = {"id": "urn:ngsi-ld:X:1", "type": "Vehicle", "speed": 3}
    with pytest.raises(MappingError, match="ambiguous"):
        mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", read_options={"model": "Vehicle"})
    out = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", read_options={"model": "auto"})
    assert any(e.kind == "Unresolved" and "several" in e.message for e in out.report.events)
    # the catalogue says Relationship, the data holds no URI: read as Property, and said
    bad = {"id": "urn:ngsi-ld:RoadSegment:1", "type": "RoadSegment", "refRoad": "road 7"}
    out = mimbridge.convert(bad, source="ngsi-ld-keyvalues", target="ngsi-ld", read_options={"model": "auto"})
    assert out.output["refRoad"] == {"type": "Property", "value": "road 7"}
    assert [e.path for e in out.report.events] == ["/refRoad"]


# --- generated entities for many catalogue models ---------------------------------------------------

def value_for(rec):
    kind, jtype, enum = rec.get("typeNGSI"), rec.get("type"), rec.get("enum")
    if kind == "Relationship":
        return "urn:ngsi-ld:Thing:target-1"
    if kind == "GeoProperty":
        return {"type": "Point", "coordinates": [2.35, 48.85]}
    if isinstance(enum, list) and enum and all(isinstance(e, str | int | float) for e in enum):
        return [enum[0]] if jtype == "array" else enum[0]
    if rec.get("format") == "date-time":
        return "2024-05-01T10:00:00Z"
    return {"number": 12.5, "integer": 7, "boolean": True, "array": ["a", "b"], "object": {"k": "v"}}.get(
        jtype, "some text")


def generated_models(raw, cat, per_domain=6):
    """Models with one record per top-level attribute, each with a stated NGSI-LD type, across domains."""
    by_model = defaultdict(list)
    for r in raw:
        ctx = r.get("context", "")
        if "parentId" in r or ctx in ("@id", "@type") or ctx.startswith("https://purl.org/geojson/vocab#"):
            continue
        by_model[(r["repoName"], r["dataModel"])].append(r)
    chosen, per = [], defaultdict(int)
    for (subject, name), recs in sorted(by_model.items()):
        names = [r["property"] for r in recs]
        if len(names) != len(set(names)) or not all(r.get("typeNGSI") for r in recs) or len(recs) < 3:
            continue
        domain = cat.model(f"{subject}/{name}").domains[:1] or ("none",)
        if per[domain[0]] >= per_domain:
            continue
        per[domain[0]] += 1
        chosen.append((subject, name, recs))
    return chosen


def test_generated_keyvalues_for_many_models_round_trip_with_catalogue_kinds(cat, raw):
    models = generated_models(raw, cat)
    domains = {cat.model(f"{s}/{n}").domains[:1] for s, n, _ in models}
    assert len(models) >= 50 and len(domains) >= 10
    relationships = 0
    for subject, name, recs in models:
        kv = {"id": f"urn:ngsi-ld:{name}:gen-1", "type": name, **{r["property"]: value_for(r) for r in recs}}
        out = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld",
                                read_options={"model": f"{subject}/{name}"})
        assert out.report.events == [], (subject, name, out.report.events)
        want = {r["property"]: r["typeNGSI"] for r in recs}
        assert kinds_of(out.output) == want, (subject, name)
        relationships += sum(k == "Relationship" for k in want.values())
        back = mimbridge.convert(out.output, source="ngsi-ld", target="ngsi-ld-keyvalues").output
        assert back == kv, (subject, name)
    assert relationships >= 20


def test_auto_model_over_a_mixed_feed(cat, raw):
    models = [m for m in generated_models(raw, cat, per_domain=2) if cat.find(m[1]) is not None][:12]
    feed = [{"id": f"urn:ngsi-ld:{n}:{i}", "type": n, **{r["property"]: value_for(r) for r in recs}}
            for i, (_, n, recs) in enumerate(models)]
    out = mimbridge.convert(feed, source="ngsi-ld-keyvalues", target="ngsi-ld", read_options={"model": "auto"})
    assert out.report.events == []
    for entity, (_, _, recs) in zip(out.output, models, strict=True):
        assert kinds_of(entity) == {r["property"]: r["typeNGSI"] for r in recs}


def test_cli_convert_with_model_keeps_the_published_terms(cat, corpus, tmp_path, capsys):
    from mimbridge.cli import main

    kv_path = corpus_file(corpus, f"{AQO}/examples", "example.jsonld")
    norm = load_json(corpus_file(corpus, f"{AQO}/examples", "example-normalized.jsonld"))
    out = tmp_path / "out.json"
    assert main(["convert", str(kv_path), "-f", "ngsi-ld-keyvalues", "-t", "ngsi-ld", "-O", "model=auto",
                 "-o", str(out)]) == 0
    got = load_json(out)
    assert got["@context"] == load_json(kv_path)["@context"]  # the entity's SDM context, kept and resolved
    assert got["refPointOfInterest"]["type"] == "Relationship" == norm["refPointOfInterest"]["type"]
    assert all(":" not in k for k in got)  # every IRI compacted back to its published term
    assert "typeOfLocation" in capsys.readouterr().err  # the one attribute the catalogue does not list


def test_cli_catalogue_lookups(cat, raw, capsys):
    from mimbridge.cli import main

    assert main(["sdm", "model", "Transportation/Vehicle", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    records = {r["property"]: r for r in raw if r["repoName"] == "dataModel.Transportation"
               and r["dataModel"] == "Vehicle" and "parentId" not in r and r.get("typeNGSI")}
    kinds = {a["name"]: a["kind"] for a in shown["attributes"]}
    assert shown["catalogue"] == cat.version and kinds["refVehicleModel"] == "Relationship"
    assert {n: kinds[n] for n in records if n in kinds} == {n: r["typeNGSI"] for n, r in records.items()
                                                            if n in kinds}
    assert main(["sdm", "model", "Vehicle"]) == 1
    assert "dataModel.ERA/Vehicle, dataModel.Transportation/Vehicle" in capsys.readouterr().err
    assert main(["sdm", "models", "--domain", "SmartEnvironment"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Smart Data Models catalogue {cat.version}")
    assert "dataModel.Environment/AirQualityObserved\t" in text
