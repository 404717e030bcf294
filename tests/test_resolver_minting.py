"""Minting rules: the shipped table and schema, validation errors, collisions, determinism."""

from __future__ import annotations

import copy
import json
from importlib import resources

import jsonschema
import pytest

from mimbridge.errors import MappingError, ResolutionError
from mimbridge.resolve.minting import Rules, load_schema

B = "https://id.example.city/"


def base_table():
    return {
        "version": 1, "base": B,
        "namespaces": [
            {"name": "doi", "scheme": "doi", "template": "{base}doi/{local}"},
            {"name": "sensor", "scheme": "local", "template": "{base}sensor/{local}"},
            {"name": "sta", "scheme": "sta", "server": "https://sta.example.city/v1.1/",
             "template": "{base}sta/{type}/{local}"},
            {"name": "ngsi-ld", "scheme": "ngsi-ld", "template": "{base}{type}/{local}"},
        ],
    }


def test_shipped_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_shipped_default_table_validates():
    data = json.loads(resources.files("mimbridge.minting").joinpath("minting.default.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(data)
    rules = Rules.default()
    assert rules.base == B and rules.placeholder
    assert not Rules.default(base=B).placeholder
    assert {n.scheme for n in rules.namespaces} >= {"doi", "handle", "ark", "orcid", "urn", "sta", "local",
                                                      "ngsi-ld"}


def _broken(change):
    data = base_table()
    change(data)
    return data


BROKEN = [
    ("no base", lambda d: d.pop("base"), "'base' is a required property"),
    ("relative base", lambda d: d.update(base="id.example.city/"), "does not match"),
    ("base without slash", lambda d: d.update(base="https://id.example.city"), "does not match"),
    ("unknown member", lambda d: d.update(extra=1), "Additional properties"),
    ("wrong version", lambda d: d.update(version=2), "1 was expected"),
    ("unknown scheme", lambda d: d["namespaces"][0].update(scheme="isbn"), "is not one of"),
    ("template not under base", lambda d: d["namespaces"][0].update(template="https://x.example/{local}"),
     "does not match"),
    ("template without local", lambda d: d["namespaces"][0].update(template="{base}doi/"), "does not match"),
    ("unknown variable", lambda d: d["namespaces"][0].update(template="{base}{year}/{local}"), "does not match"),
    ("sta without server", lambda d: d["namespaces"][2].pop("server"), "'server' is a required property"),
    ("ngsi-ld without type", lambda d: d["namespaces"][3].update(template="{base}e/{local}"), "does not match"),
    ("duplicate names", lambda d: d["namespaces"].append(dict(d["namespaces"][0], template="{base}d2/{local}")),
     "duplicate namespace names"),
    ("same template twice", lambda d: d["namespaces"].append(
        {"name": "other", "scheme": "local", "template": "{base}sensor/{local}"}), "share the template"),
    ("reserved prefix", lambda d: d.update(prefixes={"doi": "https://example.org/doi/"}), "reserved"),
    ("namespace shadows prefix", lambda d: d.update(prefixes={"sensor": "https://example.org/s/"}), "clashes"),
    ("duplicate URI prefixes", lambda d: d.update(prefixes={"a": "https://ex.org/", "b": "https://ex.org/"}),
     "prefixes"),
    ("default namespace not local", lambda d: d.update(default_namespace="doi"), "not a local namespace"),
    ("namespace under document path", lambda d: d["namespaces"].append(
        {"name": "docs", "scheme": "local", "template": "{base}doc/{local}"}), "document path"),
]


@pytest.mark.parametrize(("case", "change", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_tables_are_refused(case, change, words):
    with pytest.raises(MappingError) as info:
        Rules.from_dict(_broken(change))
    assert words in str(info.value)


def test_error_names_the_place(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(_broken(lambda d: d["namespaces"][1].update(scheme="nope"))), encoding="utf-8")
    with pytest.raises(MappingError, match=r"rules\.json/namespaces/1/scheme"):
        Rules.from_file(path)


def test_unreadable_or_malformed_files(tmp_path):
    with pytest.raises(MappingError, match="cannot read"):
        Rules.from_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid JSON"):
        Rules.from_file(bad)


def test_yaml_table(tmp_path):
    yaml = pytest.importorskip("yaml")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(base_table()), encoding="utf-8")
    assert Rules.from_file(path).iri_for("sensor", "42") == B + "sensor/42"


def test_base_override():
    rules = Rules.from_dict(base_table(), base="https://data.example.org/id")
    assert rules.iri_for("sensor", "42") == "https://data.example.org/id/sensor/42"
    assert rules.base_path == "/id/"
    assert rules.identify("https://data.example.org/id/sensor/42").value == "sensor:42"


# -- collisions -------------------------------------------------------------------------------------------

def test_ngsi_ld_type_that_shadows_a_namespace_is_refused():
    rules = Rules.from_dict(base_table())
    # {base}{type}/{local} with type 'doi' would read back as a DOI
    with pytest.raises(ResolutionError, match="collides"):
        rules.mint(rules.parse("urn:ngsi-ld:doi:10.1000/x"))
    # ... but a type named like a namespace is fine when it cannot be mistaken for it
    assert rules.mint(rules.parse("urn:ngsi-ld:doi:notadoi")) == B + "doi/notadoi"
    assert rules.identify(B + "doi/notadoi").value == "urn:ngsi-ld:doi:notadoi"


def test_ngsi_ld_type_that_is_the_document_path_is_refused():
    rules = Rules.from_dict(base_table())
    with pytest.raises(ResolutionError, match="document path"):
        rules.mint(rules.parse("urn:ngsi-ld:doc:1"))


@pytest.mark.parametrize("text", ["urn:ngsi-ld:Building:../../etc/passwd", "urn:ngsi-ld:..:x", "sensor:a/./b",
                                  "sensor:..", "doi:10.1000/../x"])
def test_dot_segments_cannot_be_minted(text):
    # clients remove '.' and '..' segments (even as %2E), so such URIs would not be stable
    table = base_table()
    rules = Rules.from_dict(table)
    with pytest.raises(ResolutionError, match="segments"):
        rules.mint(rules.parse(text))


def test_no_rule_for_scheme():
    rules = Rules.from_dict(base_table())
    with pytest.raises(ResolutionError, match="no minting rule for handle"):
        rules.mint(rules.parse("hdl:2381/1"))
    # uri() falls back to the global resolver
    assert rules.uri(rules.parse("hdl:2381/1")) == "https://hdl.handle.net/2381/1"


# -- converters: same input, same URI ----------------------------------------------------------------------

def test_iri_for_is_deterministic_across_instances():
    a, b = Rules.from_dict(base_table()), Rules.from_dict(copy.deepcopy(base_table()))
    assert a.iri_for("sensor", "42") == b.iri_for("sensor", "42") == B + "sensor/42"
    assert a.iri_for("ngsi-ld", "París", type="Building") == B + "Building/Par%C3%ADs"
    with pytest.raises(ResolutionError, match="cannot hold"):  # not a valid URN, so no NGSI-LD id
        a.iri_for("ngsi-ld", "b 1", type="Building")
    assert a.iri_for("doi", "10.5281/ZENODO.1") == B + "doi/10.5281/zenodo.1"


def test_sta_integer_and_string_ids_differ():
    rules = Rules.from_dict(base_table())
    assert rules.iri_for("sta", 7, type="Things") == B + "sta/Things/7"
    assert rules.iri_for("sta", "7", type="Things") == B + "sta/Things/'7'"
    assert rules.iri_for("sta", "O'Brien", type="Sensors") == B + "sta/Sensors/'O''Brien'"
    assert rules.identify(B + "sta/Sensors/'O''Brien'").local == "'O''Brien'"


def test_iri_for_needs_type_and_known_namespace():
    rules = Rules.from_dict(base_table())
    with pytest.raises(ResolutionError, match="needs a type"):
        rules.iri_for("ngsi-ld", "1")
    with pytest.raises(ResolutionError, match="no namespace named"):
        rules.iri_for("nope", "1")


def test_iri_for_content():
    rules = Rules.from_dict(base_table())
    a = rules.iri_for_content("sensor", {"name": "A", "pos": [1, 2]})
    assert a == rules.iri_for_content("sensor", {"pos": [1, 2], "name": "A"})  # key order is not content
    assert a != rules.iri_for_content("sensor", {"name": "A", "pos": [2, 1]})  # list order is
    assert a.startswith(B + "sensor/h") and len(a) == len(B + "sensor/h") + 32


def test_candidates_list_minted_then_own_uri():
    rules = Rules.from_dict(base_table())
    assert rules.candidates(rules.parse("doi:10.1/x")) == [B + "doi/10.1/x", "https://doi.org/10.1/x"]
    assert rules.candidates(rules.parse("urn:ngsi-ld:Room:1")) == [B + "Room/1", "urn:ngsi-ld:Room:1"]
    assert rules.candidates(rules.parse("sensor:1")) == [B + "sensor/1"]
