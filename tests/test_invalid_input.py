"""Bad input gets a typed error with a JSON pointer; in a batch the good records still convert."""

from __future__ import annotations

import pytest

import mimbridge
from mimbridge import ParseError

GOOD = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 21}}

# (case, document, expected pointer, words the message must contain)
CASES = [
    ("missing id", {"type": "Room"}, "/id", "id missing"),
    ("id not a URI", {"id": "room-1", "type": "Room"}, "/id", "not a URI"),
    ("missing type", {"id": "urn:ngsi-ld:Room:1"}, "/type", "type missing"),
    ("type not a string", {"id": "urn:ngsi-ld:Room:1", "type": 7}, "/type", "type"),
    ("unknown attribute type", {**GOOD, "temperature": {"type": "Propertee", "value": 1}},
     "/temperature/type", "unknown attribute type"),
    ("value key mismatch", {**GOOD, "temperature": {"type": "Property", "object": "urn:x:1"}},
     "/temperature", "has no 'value' member but 'object'"),
    ("relationship with value", {**GOOD, "owner": {"type": "Relationship", "value": "urn:x:1"}},
     "/owner", "has no 'object' member"),
    ("non-URI relationship object", {**GOOD, "owner": {"type": "Relationship", "object": "Bob"}},
     "/owner/object", "is not a URI"),
    ("non-URI object in array", {**GOOD, "owner": {"type": "Relationship", "object": ["urn:a:1", 3]}},
     "/owner/object/1", "is not a URI"),
    ("two default instances", {**GOOD, "temperature": [{"type": "Property", "value": 1},
                                                       {"type": "Property", "value": 2}]},
     "/temperature/1", "two default instances"),
    ("duplicate datasetId", {**GOOD, "temperature": [
        {"type": "Property", "value": 1, "datasetId": "urn:ds:a"},
        {"type": "Property", "value": 2, "datasetId": "urn:ds:a"}]}, "/temperature/1", "twice"),
    ("datasetId not a URI", {**GOOD, "temperature": {"type": "Property", "value": 1, "datasetId": "a"}},
     "/temperature/datasetId", "not a URI"),
    ("observedAt reified", {**GOOD, "temperature": {"type": "Property", "value": 1,
                                                    "observedAt": {"type": "Property", "value": "x"}}},
     "/temperature/observedAt", "must be a string"),
    ("languageMap not an object", {**GOOD, "name": {"type": "LanguageProperty", "languageMap": "x"}},
     "/name/languageMap", "languageMap"),
    ("valueList not an array", {**GOOD, "l": {"type": "ListProperty", "valueList": 3}}, "/l/valueList", "array"),
    ("objectList item not a URI", {**GOOD, "l": {"type": "ListRelationship", "objectList": ["x y"]}},
     "/l/objectList/0", "not a URI"),
    ("nested error deep", {**GOOD, "temperature": {"type": "Property", "value": 1, "accuracy": {
        "type": "Property", "value": 1, "source": {"type": "Relationship", "object": 5}}}},
     "/temperature/accuracy/source/object", "not a URI"),
    ("empty attribute array", {**GOOD, "temperature": []}, "/temperature", "empty"),
    ("attribute without type or value member", {**GOOD, "temperature": {"foo": 1}}, "/temperature", "no 'type'"),
    ("escaped pointer", {**GOOD, "a/b~c": {"type": "Relationship", "object": "no"}}, "/a~1b~0c/object", "URI"),
]


@pytest.mark.parametrize("case,doc,pointer,words", CASES, ids=[c[0] for c in CASES])
def test_single_entity_raises_parse_error_with_pointer(case, doc, pointer, words):
    with pytest.raises(ParseError) as info:
        mimbridge.convert(doc, source="ngsi-ld", target="ngsi-ld")
    assert info.value.pointer == pointer
    assert words in str(info.value)
    assert isinstance(info.value, mimbridge.MimbridgeError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("case,doc,pointer,words", CASES, ids=[c[0] for c in CASES])
def test_batch_keeps_good_entities(case, doc, pointer, words):
    r = mimbridge.convert([GOOD, doc, GOOD], source="ngsi-ld", target="ngsi-ld")
    assert r.output == [GOOD, GOOD]
    [ev] = r.report.rejected
    assert ev.path == "/1" + pointer
    assert r.report.records_in == 3 and r.report.records_out == 2


def test_strict_batch_with_bad_record_raises_lossy():
    with pytest.raises(mimbridge.LossyConversionError) as info:
        mimbridge.convert([GOOD, {"type": "x"}], source="ngsi-ld", target="ngsi-ld", strict=True)
    assert info.value.report.rejected[0].path == "/1/id"


def test_notification_pointer_prefix():
    note = {"type": "Notification", "id": "urn:ngsi-ld:Notification:1", "data": [GOOD, {"id": "urn:x:1"}]}
    r = mimbridge.convert(note, source="ngsi-ld", target="ngsi-ld")
    assert r.report.rejected[0].path == "/data/1/type"
    assert r.output["data"] == [GOOD]


@pytest.mark.parametrize("text,where", [
    ('{"id": "urn:x:1", "type": "T",', "line 1 column 31"),
    ('[\n  {"id": "urn:x:1"\n  "type": "T"}]', "line 3 column 3"),
    ("", "line 1 column 1"),
])
def test_malformed_json_names_line_and_column(text, where):
    with pytest.raises(ParseError) as info:
        mimbridge.convert(text, source="ngsi-ld", target="ngsi-ld")
    assert info.value.pointer == where
    assert "malformed JSON" in str(info.value)


def test_not_utf8():
    with pytest.raises(ParseError, match="not UTF-8"):
        mimbridge.convert(b'{"id": "\xff"}', source="ngsi-ld", target="ngsi-ld")


def test_top_level_scalar():
    with pytest.raises(ParseError) as info:
        mimbridge.convert("42", source="ngsi-ld", target="ngsi-ld")
    assert info.value.pointer == ""


def test_keyvalues_relationship_by_schema_must_be_uri():
    kv = {"id": "urn:ngsi-ld:Car:1", "type": "Car", "owner": "Bob"}
    with pytest.raises(ParseError) as info:
        mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", kinds={"owner": "Relationship"})
    assert info.value.pointer == "/owner"


def test_unknown_kind_in_kinds_option():
    with pytest.raises(mimbridge.MappingError, match="unknown attribute type"):
        mimbridge.convert({"id": "urn:x:1", "type": "T"}, source="ngsi-ld-keyvalues", target="ngsi-ld",
                          kinds={"a": "Prop"})


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="unknown option"):
        mimbridge.convert(GOOD, source="ngsi-ld", target="ngsi-ld", contxt={})


def test_input_is_not_mutated():
    import copy
    doc = {"id": "urn:ngsi-ld:V:1", "type": "V",
           "speed": {"type": "Property", "values": [[1, "2020-01-01T00:00:00Z"]]}}
    before = copy.deepcopy(doc)
    mimbridge.convert(doc, source="ngsi-ld-temporal", target="ngsi-ld")
    mimbridge.convert(GOOD, source="ngsi-ld", target="ngsi-ld-keyvalues")
    assert doc == before
