"""hypothesis strategies for the all-pairs loss invariant: NGSI-LD entities, SensorThings trees, GeoJSON.

Small documents on purpose (the invariant runs them through every format pair); what varies is what
breaks converters: all eight attribute kinds, datasetIds, nested attributes, scope and system members,
previousValue, language maps, JSON values with null, lists, unusual names and Unicode, two member names
for one IRI, and contexts whose terms carry a @type or @container coercion.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["geojson_collections", "ngsi_ld_documents", "sta_trees", "sta_typed_documents"]

CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

times = st.sampled_from(["2024-01-01T00:00:00Z", "2024-06-30T12:30:00.5Z", "2023-12-31T23:59:59+01:00"])
#: text with Unicode beyond ASCII (no lone surrogates: their own test covers them)
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
plain_names = st.sampled_from(["speed", "a b", "été", "x~y", "name", "Ünïcode", "n_1", "max", "startAt",
                               "coordinates", "flag", "unit"])
scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.booleans(), text)
json_values = st.recursive(st.one_of(st.none(), scalars),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(text, inner, max_size=3)), max_leaves=6)
iris = st.sampled_from(["urn:ngsi-ld:Thing:1", "urn:ngsi-ld:Person:é", "https://example.org/x?y=1"])
points = st.lists(st.floats(-180, 180, allow_nan=False, width=32), min_size=2, max_size=2).map(
    lambda c: {"type": "Point", "coordinates": c})
geometries = st.one_of(points, st.lists(points.map(lambda p: p["coordinates"]), min_size=2, max_size=3).map(
    lambda cs: {"type": "LineString", "coordinates": cs}))
dataset_ids = st.sampled_from(["urn:ngsi-ld:Dataset:a", "urn:ngsi-ld:Dataset:b", "urn:ngsi-ld:Dataset:c"])


def _value(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return {
        "Property": scalars.map(lambda v: {"value": v}) | st.lists(scalars, min_size=1, max_size=3).map(
            lambda v: {"value": v}),
        "GeoProperty": geometries.map(lambda v: {"value": v}),
        "LanguageProperty": st.dictionaries(st.sampled_from(["en", "fr", "de-CH", "@none"]), text, min_size=1,
                                            max_size=3).map(lambda v: {"languageMap": v}),
        "VocabProperty": st.sampled_from(["Open", "closed", "https://example.org/v/x"]).map(lambda v: {"vocab": v}),
        "JsonProperty": json_values.map(lambda v: {"json": v}),
        "ListProperty": st.lists(scalars, max_size=3).map(lambda v: {"valueList": v}),
        "Relationship": iris.map(lambda v: {"object": v}),
        "ListRelationship": st.lists(iris, min_size=1, max_size=2).map(lambda v: {"objectList": v}),
    }[kind]


kinds = st.sampled_from(["Property", "GeoProperty", "LanguageProperty", "VocabProperty", "JsonProperty",
                         "ListProperty", "Relationship", "ListRelationship"])


@st.composite
def instances(draw: Any, kind: str, *, nested: bool = True, dataset_id: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"type": kind, **draw(_value(kind))}
    if dataset_id is not None:
        d["datasetId"] = dataset_id
    if draw(st.booleans()):
        d["observedAt"] = draw(times)
    if kind == "Property" and draw(st.booleans()):
        d["unitCode"] = draw(st.sampled_from(["CEL", "MTR", "KMH"]))
    if draw(st.integers(0, 5)) == 0:
        d["createdAt"] = draw(times)
        d["modifiedAt"] = draw(times)
    if kind == "Property" and draw(st.integers(0, 5)) == 0:
        d["previousValue"] = draw(scalars)
    if nested and draw(st.integers(0, 3)) == 0:
        sub = draw(st.sampled_from(["accuracy", "providedBy"]))
        d[sub] = draw(instances("Relationship" if sub == "providedBy" else "Property", nested=False))
    return d


@st.composite
def attributes(draw: Any) -> Any:
    kind = draw(kinds)
    n = draw(st.integers(1, 3)) if draw(st.integers(0, 3)) == 0 else 1
    if n == 1:
        return draw(instances(kind))
    ids = draw(st.lists(dataset_ids, min_size=n - 1, max_size=n - 1, unique=True))
    return [draw(instances(kind))] + [draw(instances(kind, dataset_id=i)) for i in ids]


@st.composite
def contexts(draw: Any) -> Any:
    local: dict[str, Any] = {}
    if draw(st.booleans()):
        local["flag"] = {"@id": EX + "flag", "@type": XSD + "boolean"}
    if draw(st.booleans()):
        local["unit"] = {"@id": EX + "unit", "@container": "@set"}
    if draw(st.booleans()):
        local["alias"] = EX + "speed"  # a second name for the IRI of "speed" below
        local["speed"] = EX + "speed"
    return [local, CORE] if local else CORE


@st.composite
def entities(draw: Any, n: int = 0, ctx: Any = None) -> dict[str, Any]:
    e: dict[str, Any] = {"id": f"urn:ngsi-ld:T:{n}{draw(st.sampled_from(['', 'é', '%2Fx']))}",
                         "type": draw(st.sampled_from(["T", "Room", "https://example.org/Type"]))}
    if draw(st.integers(0, 4)) == 0:
        e["scope"] = draw(st.sampled_from(["/a", "/a/b"])) if draw(st.booleans()) else ["/a", "/b"]
    if draw(st.integers(0, 4)) == 0:
        e["createdAt"] = draw(times)
        e["modifiedAt"] = draw(times)
    names = draw(st.lists(plain_names, max_size=4, unique=True))
    for name in names:
        e[name] = draw(attributes())
    if isinstance(ctx, list) and "alias" in ctx[0] and draw(st.booleans()):
        # two member names for one IRI: the NGSI-LD multi-attribute, each instance with its datasetId
        e["speed"] = draw(instances("Property", dataset_id="urn:ngsi-ld:Dataset:a"))
        e["alias"] = draw(instances("Property", dataset_id="urn:ngsi-ld:Dataset:b"))
    e["@context"] = ctx
    return e


STA_CONTEXT = "https://w3id.org/mimbridge/contexts/sta.jsonld"
#: SensorThings entity types and the links each has (NGSI-LD names of navigation properties) -> target type
STA_LINKS: dict[str, dict[str, str]] = {
    "Thing": {"datastreams": "Datastream", "locations": "Location"},
    "Location": {"things": "Thing"},
    "Datastream": {"thing": "Thing", "sensor": "Sensor", "observedProperty": "ObservedProperty",
                   "observations": "Observation"},
    "Sensor": {"datastreams": "Datastream"},
    "Observation": {"datastream": "Datastream", "featureOfInterest": "FeatureOfInterest"},
}
#: attribute names outside the SensorThings vocabulary: terms of the default context (also with characters
#: an IRI or a SensorThings member cannot hold as is), full IRIs, terms of another context, names in the
#: SensorThings namespace that no SensorThings member has
foreign_names = st.one_of(plain_names, st.sampled_from([
    "wind", "Wind", "a@b", "http://example.org/wind", "https://example.org/a@b", "urn:x:a b",
    "ex:gust", "sta:extra", "sta:Extra", "https://uri.etsi.org/ngsi-ld/default-context/t"]))


def _sta_id(t: str, k: int) -> str:
    return f"urn:ngsi-ld:sta:{t}:{k}"


@st.composite
def sta_entities(draw: Any, t: str, k: int, ids: dict[str, list[str]], ctx: Any) -> dict[str, Any]:
    """A SensorThings-typed NGSI-LD entity: its fields, attributes of other vocabularies, links in and out of
    the document (to entities it holds, to ids of the right or another type it does not hold, to other ids)."""
    e: dict[str, Any] = {"id": _sta_id(t, k) if draw(st.integers(0, 5)) else f"urn:ngsi-ld:T:{k}", "type": t}
    if draw(st.booleans()):
        e["name"] = {"type": "Property", "value": draw(text)}
    for name in draw(st.lists(foreign_names, max_size=3, unique=True)):
        e[name] = draw(attributes())
    for nav, target in STA_LINKS[t].items():
        if draw(st.integers(0, 2)):
            continue
        pool = st.sampled_from([*ids.get(target, []), _sta_id(target, 90 + k), _sta_id(
            draw(st.sampled_from(sorted(STA_LINKS))), 13), "urn:ngsi-ld:Thing:1", f"urn:ngsi-ld:sta:{target}:'a%20b'"])
        if draw(st.booleans()):
            e[nav] = {"type": "Relationship", "object": draw(pool)}
        else:
            e[nav] = {"type": "ListRelationship", "objectList": draw(st.lists(pool, min_size=1, max_size=2,
                                                                               unique=True))}
        if draw(st.integers(0, 3)) == 0:
            e[nav][draw(st.sampled_from(["accuracy", "count", "providedBy"]))] = draw(
                instances("Property", nested=False))
    e["@context"] = ctx
    return e


@st.composite
def sta_typed_documents(draw: Any) -> Any:
    """NGSI-LD entities typed in the SensorThings context (one, or an array of up to three)."""
    local = draw(st.sampled_from([None, {"ex": EX}]))
    ctx = [STA_CONTEXT, CORE] if local is None else [local, STA_CONTEXT, CORE]
    types = draw(st.lists(st.sampled_from(sorted(STA_LINKS)), min_size=1, max_size=3))
    ids: dict[str, list[str]] = {}
    for k, t in enumerate(types):
        ids.setdefault(t, []).append(_sta_id(t, k))
    docs = [draw(sta_entities(t, k, ids, ctx)) for k, t in enumerate(types)]
    return docs[0] if len(docs) == 1 and draw(st.booleans()) else docs


@st.composite
def ngsi_ld_documents(draw: Any) -> Any:
    """One NGSI-LD entity or an array of up to three (normalized representation), with one @context.

    One in four documents holds SensorThings-typed entities (:func:`sta_typed_documents`).
    """
    if draw(st.integers(0, 3)) == 0:
        return draw(sta_typed_documents())
    ctx = draw(contexts())
    n = draw(st.integers(0, 3))
    if n == 0:
        return draw(entities(0, ctx))
    return [draw(entities(i, ctx)) for i in range(n)]


@st.composite
def observations(draw: Any, i: int) -> dict[str, Any]:
    o: dict[str, Any] = {"@iot.id": i, "phenomenonTime": draw(times),
                         "result": draw(st.one_of(st.integers(-100, 100), st.floats(-1e3, 1e3, width=32), text))}
    if draw(st.booleans()):
        o["resultTime"] = draw(times)
    if draw(st.integers(0, 3)) == 0:
        o["parameters"] = draw(st.dictionaries(text, scalars, max_size=2))
    return o


@st.composite
def sta_trees(draw: Any) -> dict[str, Any]:
    """A Thing with Locations and Datastreams (ObservedProperty, Sensor, Observations), ids as numbers."""
    thing: dict[str, Any] = {"@iot.id": 1, "name": draw(text), "description": draw(text)}
    if draw(st.booleans()):
        thing["properties"] = draw(st.dictionaries(text, json_values, max_size=3))
    if draw(st.booleans()):
        thing["Locations"] = [{"@iot.id": 2, "name": "here", "description": draw(text),
                               "encodingType": "application/geo+json", "location": draw(geometries)}]
    streams = []
    for k in range(draw(st.integers(0, 2))):
        base = 10 * (k + 1)
        streams.append({
            "@iot.id": base, "name": draw(text), "description": draw(text),
            "unitOfMeasurement": draw(st.sampled_from([
                {"name": "degree Celsius", "symbol": "°C", "definition": "http://qudt.org/vocab/unit/DEG_C"},
                {"name": "metre", "symbol": "m", "definition": "http://qudt.org/vocab/unit/M"}])),
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "ObservedProperty": {"@iot.id": base + 1, "name": draw(text), "definition": f"{EX}op/{k}",
                                 "description": draw(text)},
            "Sensor": {"@iot.id": base + 2, "name": draw(text), "description": draw(text),
                       "encodingType": "text/plain", "metadata": draw(text)},
            "Observations": [draw(observations(base + 3 + j)) for j in range(draw(st.integers(0, 2)))],
        })
    if streams:
        thing["Datastreams"] = streams
    return thing


@st.composite
def geojson_collections(draw: Any) -> dict[str, Any]:
    """A FeatureCollection of up to three Features (string or number ids, null geometries, foreign members)."""
    feats = []
    for i in range(draw(st.integers(0, 3))):
        f: dict[str, Any] = {"type": "Feature", "id": draw(st.sampled_from([i, f"f{i}", f"é {i}"])),
                             "geometry": draw(st.one_of(st.none(), geometries)),
                             "properties": draw(st.dictionaries(plain_names, json_values, max_size=3))}
        if draw(st.integers(0, 3)) == 0:
            f["bbox"] = [0, 0, 1, 1]
        feats.append(f)
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    if draw(st.booleans()):
        fc["numberReturned"] = len(feats)
    return fc
