"""Structure-aware hypothesis strategies for every source format (used by tests/test_fuzz.py).

Each strategy builds documents close to what the format expects (entities,
attributes, features, Things, triples, XML elements) with hostile pieces mixed
in: wrong JSON types, huge and tiny numbers, NaN-like strings, lone
surrogates, odd language tags, deep nesting, broken IRIs, DOCTYPEs.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from mimbridge.model import MODEL_VERSION

__all__ = ["STRATEGIES"]

# -- leaves ------------------------------------------------------------------------
_weird_text = st.sampled_from([
    "", " ", "x", "@id", "@type", "@context", "_:b", "urn:", "a>b", 'q"q', "}", "\ud800", "\udfff", "v\u0000",
    "NaN", "Infinity", "-0", "1e999", "2024-13-45T99:99:99Z", "http://", "urn:ngsi-ld:T:1", "en", "x", "EN-us",
    "<", "&amp;", "]]>", "\\", "\n", "a" * 300,
])
text = st.one_of(st.text(max_size=20), _weird_text)
numbers = st.one_of(st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
                    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0, -1, 2 ** 63, 10 ** 40]))
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
json_values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                       st.dictionaries(text, c, max_size=4)), max_leaves=12)
iris = st.one_of(st.sampled_from(["urn:ngsi-ld:T:1", "urn:x:2", "https://ex.org/a", "http://ex.org/b#c"]),
                 st.builds(lambda s: "urn:x:" + s, st.text(max_size=8)), text)
times = st.one_of(st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01", "garbage"]), json_values)

# -- NGSI-LD -----------------------------------------------------------------------
_attr_type = st.one_of(st.sampled_from(["Property", "Relationship", "GeoProperty", "LanguageProperty",
                                        "VocabProperty", "JsonProperty", "ListProperty", "ListRelationship"]),
                       json_values)
_geom = st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString", "Polygon", "Foo"]),
                               "coordinates": json_values})
ngsi_attr = st.one_of(
    st.fixed_dictionaries({"type": _attr_type}, optional={
        "value": st.one_of(json_values, _geom), "object": st.one_of(iris, json_values),
        "languageMap": st.dictionaries(text, json_values, max_size=3), "vocab": json_values,
        "json": json_values, "valueList": json_values, "objectList": json_values,
        "observedAt": times, "unitCode": json_values, "datasetId": json_values, "createdAt": times,
        "values": json_values, "sub": st.fixed_dictionaries({"type": _attr_type, "value": json_values}),
    }),
    json_values,
)
ngsi_entity = st.fixed_dictionaries({"id": st.one_of(iris, json_values), "type": st.one_of(text, json_values)},
                                    optional={"createdAt": times, "scope": json_values,
                                              "@context": st.one_of(st.just([]), json_values),
                                              "a": ngsi_attr, "b": ngsi_attr, "c": st.lists(ngsi_attr, max_size=3)})
ngsi_doc = st.one_of(ngsi_entity, st.lists(ngsi_entity, max_size=4), json_values,
                     st.builds(lambda d: {"type": "Notification", "id": "urn:x:n", "data": d},
                               st.lists(ngsi_entity, max_size=3)))

# -- GeoJSON / OGC Records -----------------------------------------------------------
feature = st.fixed_dictionaries({"type": st.one_of(st.just("Feature"), text)}, optional={
    "id": json_values, "geometry": st.one_of(_geom, json_values),
    "properties": st.one_of(st.dictionaries(text, json_values, max_size=4), json_values),
    "links": json_values, "time": json_values})
features_doc = st.one_of(feature, st.builds(lambda fs: {"type": "FeatureCollection", "features": fs},
                                            st.lists(feature, max_size=4)), json_values)

# -- SensorThings ------------------------------------------------------------------
sta_entity = st.fixed_dictionaries({}, optional={
    "@iot.id": json_values, "@iot.selfLink": st.one_of(iris, text), "name": json_values,
    "description": json_values, "properties": json_values, "location": st.one_of(_geom, json_values),
    "encodingType": json_values, "result": json_values, "phenomenonTime": times, "resultTime": times,
    "unitOfMeasurement": json_values, "Datastreams": json_values, "Thing": json_values,
    "Datastream@iot.navigationLink": st.one_of(iris, text), "Observations": json_values})
sta_doc = st.one_of(sta_entity, st.builds(lambda v: {"value": v}, st.lists(sta_entity, max_size=4)), json_values)
data_array = st.builds(lambda comps, rows: {"value": [{"components": comps, "dataArray": rows,
                                                       "Datastream@iot.navigationLink": "http://x/Datastreams(1)"}]},
                       st.one_of(st.just(["id", "phenomenonTime", "result"]), json_values),
                       st.one_of(st.lists(st.lists(json_values, max_size=4), max_size=4), json_values))

# -- native ------------------------------------------------------------------------
native_attr = st.fixed_dictionaries({"kind": st.one_of(_attr_type, json_values), "value": json_values},
                                    optional={"observedAt": times, "attrs": json_values, "meta": json_values})
native_doc = st.one_of(
    st.fixed_dictionaries({"mimbridge": st.one_of(st.just(MODEL_VERSION), json_values),
                           "nodes": st.one_of(st.lists(st.fixed_dictionaries(
                               {"id": json_values, "types": json_values},
                               optional={"attrs": st.one_of(st.dictionaries(text, st.lists(native_attr, max_size=2),
                                                                            max_size=2), json_values),
                                         "meta": json_values, "scope": json_values}), max_size=3), json_values)},
                          optional={"context": json_values, "meta": json_values}),
    json_values)

# -- RDF text ------------------------------------------------------------------------
_term_iri = st.one_of(st.sampled_from(["<urn:a>", "<urn:b>", "<http://ex.org/p>", "<>", "<a b>", "<urn:a>>"]),
                      st.builds(lambda s: f"<urn:x:{s}>", st.text(max_size=6)))
_bnode = st.sampled_from(["_:b0", "_:b1", "_:x", "_:", "_:b0.", "[]"])
_literal = st.one_of(
    st.builds(lambda s: json.dumps(s, ensure_ascii=False), text),
    st.builds(lambda s, tag: json.dumps(s, ensure_ascii=False) + "@" + tag, text,
              st.sampled_from(["en", "x", "en-a", "EN", "", "123", "de-CH-1901", "a" * 9])),
    st.builds(lambda s, dt: f'"{s}"^^<{dt}>', st.sampled_from(["1", "1.5", "NaN", "INF", "x", "9" * 5000, "true"]),
              st.sampled_from(["http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#double",
                               "http://www.w3.org/2001/XMLSchema#boolean",
                               "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"])),
)
_ngsi = st.sampled_from(["<https://uri.etsi.org/ngsi-ld/hasValue>", "<https://uri.etsi.org/ngsi-ld/hasObject>",
                         "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                         "<https://uri.etsi.org/ngsi-ld/Property>", "<https://uri.etsi.org/ngsi-ld/observedAt>",
                         "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>",
                         "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>",
                         "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>", "<https://w3id.org/mimbridge/ns#json>"])
_subject = st.one_of(_term_iri, _bnode)
_pred = st.one_of(_term_iri, _ngsi)
_object = st.one_of(_term_iri, _bnode, _literal, _ngsi)
triple_line = st.one_of(st.builds(lambda s, p, o: f"{s} {p} {o} .", _subject, _pred, _object), text)
ntriples_doc = st.builds(lambda ls: "\n".join(ls) + "\n", st.lists(triple_line, max_size=8))
nquads_doc = st.builds(lambda ls, g: "\n".join(x[:-1] + g + " ." if x.endswith(" .") else x for x in ls),
                       st.lists(triple_line, max_size=6), st.sampled_from(["", "<urn:g>", "_:g"]))
turtle_doc = st.one_of(
    ntriples_doc,
    st.builds(lambda pfx, body: pfx + body, st.sampled_from(["", "@prefix ex: <urn:ex:> .\n", "@base <urn:b/> .\n",
                                                              "@prefix : <> .\n"]),
              st.builds(lambda s, p, objs: f"{s} {p} " + " , ".join(objs) + " .", _subject, _pred,
                        st.lists(st.one_of(_object, st.just("( 1 ( 2 ) )"), st.just("[ <urn:p> 1 ]"),
                                           st.just("ex:a"), st.just('"""x"""')), min_size=1, max_size=3))),
    text)
jsonld_doc = st.one_of(
    st.builds(json.dumps, st.fixed_dictionaries({"@id": st.one_of(iris, json_values)}, optional={
        "@type": json_values, "@context": st.one_of(st.just({"@vocab": "urn:v:"}), json_values),
        "urn:p": json_values, "@graph": json_values, "@list": json_values})),
    st.builds(json.dumps, json_values), text)

_xml_names = st.sampled_from(["rdf:Description", "ex:T", "rdf:li", "p", "rdf:RDF", "ex:p"])
_xml_attrs = st.lists(st.sampled_from(['rdf:about="urn:x:1"', 'rdf:about="a b"', 'rdf:resource="urn:y"',
                                       'rdf:nodeID="n1"', 'rdf:parseType="Resource"', 'rdf:parseType="Literal"',
                                       'rdf:parseType="Collection"', 'rdf:datatype="x y"', 'xml:lang="x"',
                                       'rdf:ID="1"', 'ex:a="v"', 'srsDimension="two"', 'gml:id="f1"']),
                      max_size=3, unique=True)
xml_element = st.recursive(
    st.builds(lambda n, a, t: f"<{n} {' '.join(a)}>{t}</{n}>", _xml_names, _xml_attrs,
              st.sampled_from(["", "x", "1 2", "&amp;", "&x;", "<!-- c -->"])),
    lambda c: st.builds(lambda n, a, kids: f"<{n} {' '.join(a)}>{''.join(kids)}</{n}>", _xml_names, _xml_attrs,
                        st.lists(c, max_size=3)), max_leaves=8)
_NS = ('xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex:" '
       'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0"')
_prolog = st.sampled_from(["", '<?xml version="1.0"?>', "\ufeff", '<!DOCTYPE r [<!ENTITY x "y">]>',
                           "<!---->" * 5, '<?xml version="1.0" encoding="latin-1"?>'])
rdfxml_doc = st.one_of(
    st.builds(lambda pro, kids: f'{pro}<rdf:RDF {_NS}>{"".join(kids)}</rdf:RDF>', _prolog,
              st.lists(xml_element, max_size=3)),
    text)
_gml_geom = st.sampled_from([
    '<gml:Point srsName="EPSG:4326"><gml:pos>1 2</gml:pos></gml:Point>',
    '<gml:Point srsDimension="two"><gml:pos>1 2</gml:pos></gml:Point>',
    '<gml:LineString><gml:posList>1 2 3</gml:posList></gml:LineString>',
    '<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>0 0 1 1 0 0</gml:posList></gml:LinearRing>'
    '</gml:exterior></gml:Polygon>', '<gml:Point><gml:pos>a b</gml:pos></gml:Point>', '<gml:Foo/>', ""])
gml_doc = st.one_of(
    st.builds(lambda pro, members: f'{pro}<wfs:FeatureCollection {_NS} numberMatched="x">{"".join(members)}'
                                   "</wfs:FeatureCollection>", _prolog,
              st.lists(st.builds(lambda g, v, el: f'<wfs:member><ex:F gml:id="f1"><ex:geom>{g}</ex:geom>'
                                                  f"<ex:v>{v}</ex:v>{el}</ex:F></wfs:member>",
                                 _gml_geom, st.sampled_from(["1", "x", "", "1e999", "true"]), xml_element),
                       max_size=3)),
    st.builds(lambda pro, el: pro + el, _prolog, xml_element),
    text)

#: format -> strategy of inputs (parsed JSON for JSON formats, text for text formats)
STRATEGIES = {
    "ngsi-ld": ngsi_doc, "ngsi-ld-concise": ngsi_doc, "ngsi-ld-keyvalues": ngsi_doc,
    "ngsi-ld-temporal": ngsi_doc, "ngsi-ld-geojson": features_doc,
    "geojson": features_doc, "ogc-records": features_doc,
    "sta": sta_doc, "sta2": sta_doc, "sta-dataarray": st.one_of(data_array, sta_doc),
    "native": native_doc,
    "ntriples": ntriples_doc, "nquads": nquads_doc, "turtle": turtle_doc, "rdf-jsonld": jsonld_doc,
    "rdfxml": rdfxml_doc, "wfs-gml": gml_doc,
}
