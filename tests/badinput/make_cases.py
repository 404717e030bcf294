"""Write tests/badinput/cases.jsonl: the bad-input corpus, one case per line.

Run ``python tests/badinput/make_cases.py`` after changing the families below.
Every case is built here, by hand-written rules, with what must happen:

``format`` / ``target``
    the conversion tried;
``input`` (and ``encoding``: ``text``, ``base64`` for raw bytes, or
``segments`` for big inputs: ``[[text, times], ...]`` joined)
    the bad input;
``expect``
    ``ParseError`` / ``ResolutionError``: the conversion fails with that
    error; ``Rejected``: the conversion goes on and reports the bad record
    (``strict=True`` fails); ``Coerced`` / ``Dropped`` / ``Unresolved``: a
    loss of that kind is reported;
``where``
    the location the error or the first such event must name (a JSON
    pointer, ``line N`` or ``line N column M``; ``line N`` also admits a
    column on that line), derived from how the input was built (never from
    running mimbridge).

No case is copied from a shared corpus: all are generated below.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("cases.jsonl")

JSON_FORMATS = ("ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal", "ngsi-ld-geojson",
                "geojson", "ogc-records", "sta", "sta2", "sta-dataarray", "native")
TARGETS = ("ntriples", "ngsi-ld", "turtle", "geojson", "sta", "native", "rdfxml", "rdf-jsonld")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS = f'xmlns:rdf="{RDF}" xmlns:ex="urn:ex:"'
WFS = ('xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" '
       'xmlns:ex="urn:ex:"')
GOOD = {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1}}

cases: list[dict[str, Any]] = []


def case(fmt: str, data: Any, expect: str, where: str, name: str, target: str | None = None) -> None:
    n = len(cases)
    entry = {"id": f"{fmt}-{n:03d}-{name}", "format": fmt,
             "target": target or TARGETS[n % len(TARGETS)], "expect": expect, "where": where}
    if isinstance(data, list):
        entry.update(input=data, encoding="segments")
    elif isinstance(data, bytes):
        entry.update(input=base64.b64encode(data).decode("ascii"), encoding="base64")
    else:
        entry.update(input=data, encoding="text")
    cases.append(entry)


def col(prefix: str) -> str:
    """``line 1 column N`` of the character right after ``prefix`` (one-line inputs)."""
    return f"line 1 column {len(prefix) + 1}"


# -- 1. JSON text that is not JSON, for every JSON format (11 x 11) ------------------------
for fmt in JSON_FORMATS:
    case(fmt, '{"a": 1,,}', "ParseError", col('{"a": 1,'), "double-comma")
    case(fmt, '{"a": 1', "ParseError", col('{"a": 1'), "truncated")
    case(fmt, '{"a": tru}', "ParseError", col('{"a": '), "bad-literal")
    case(fmt, "", "ParseError", "line 1 column 1", "empty")
    case(fmt, '{"a": 1}\n{"b": 2}', "ParseError", "line 2 column 1", "two-documents")
    case(fmt, '{"a": NaN}', "ParseError", col('{"a": '), "nan")
    case(fmt, '{"a": [1, -Infinity]}', "ParseError", col('{"a": [1, '), "infinity")
    case(fmt, '{"a": ' + "7" * 5000 + "}", "ParseError", col('{"a": '), "5000-digits")
    case(fmt, [["[", 100_000], ["]", 100_000]], "ParseError", "line 1 column 257", "100k-deep")
    case(fmt, '{"a": "\\ud800"}', "ParseError", "/a", "lone-surrogate")
    case(fmt, b'{"a": "\xff"}', "ParseError", "byte 7", "not-utf8")

# -- 2. NGSI-LD entities: one bad member, alone (error) and in a batch (one record lost) ------------
ENTITY_FAULTS = [
    ("id-not-uri", {"id": "not a uri"}, "/id"),
    ("id-missing", {"id": None}, "/id"),
    ("id-number", {"id": 5}, "/id"),
    ("type-number", {"type": 7}, "/type"),
    ("type-empty-list", {"type": []}, "/type"),
    ("attr-type-object", {"a": {"type": {"x": 1}, "value": 1}}, "/a/type"),
    ("attr-type-unknown", {"a": {"type": "Propertee", "value": 1}}, "/a/type"),
    ("created-at-object", {"createdAt": [{"@id": 5}]}, "/createdAt"),
    ("modified-at-number", {"modifiedAt": 5}, "/modifiedAt"),
    ("observed-at-list", {"a": {"type": "Property", "value": 1, "observedAt": [1]}}, "/a/observedAt"),
    ("unit-code-object", {"a": {"type": "Property", "value": 1, "unitCode": {"u": 1}}}, "/a/unitCode"),
    ("dataset-id-number", {"a": {"type": "Property", "value": 1, "datasetId": 5}}, "/a/datasetId"),
    ("lang-tag-x", {"a": {"type": "LanguageProperty", "languageMap": {"x": "v"}}}, "/a/languageMap/x"),
    ("lang-tag-9", {"a": {"type": "LanguageProperty", "languageMap": {"abcdefghi": "v"}}},
     "/a/languageMap/abcdefghi"),
    ("lang-map-list", {"a": {"type": "LanguageProperty", "languageMap": ["en"]}}, "/a/languageMap"),
    ("rel-object-number", {"r": {"type": "Relationship", "object": 5}}, "/r/object"),
    ("rel-object-not-uri", {"r": {"type": "Relationship", "object": "no uri"}}, "/r/object"),
    ("nested-array", {"a": [[1]]}, "/a/0"),
    ("context-number", {"@context": 5}, "/@context"),
    ("context-bad-term", {"@context": {"a": {"@id": 5}}}, "/@context"),
    ("scope-object", {"scope": {"@id": True}}, "/scope"),
    ("attr-scope-number", {"a": {"type": "Property", "value": 1, "scope": 5}}, "/a/scope"),
]
for name, patch, ptr in ENTITY_FAULTS:
    bad = {**GOOD, **patch}
    if patch.get("id", "x") is None:
        del bad["id"]
    case("ngsi-ld", json.dumps(bad), "ParseError", ptr, name)
    case("ngsi-ld", json.dumps([GOOD, bad, GOOD]), "Rejected", "/1" + ptr, "batch-" + name)
    case("ngsi-ld-temporal", json.dumps([GOOD, bad]), "Rejected", "/1" + ptr, "temporal-batch-" + name)

TEMPORAL_FAULTS = [
    ("values-not-list", {"a": {"type": "Property", "values": "x"}}, "/a/values"),
    ("values-member-scalar", {"a": {"type": "Property", "values": [[1, "2024-01-01T00:00:00Z"], "x"]}},
     "/a/values/1"),
    ("values-member-short", {"a": {"type": "Property", "values": [[1]]}}, "/a/values/0"),
    ("values-member-long", {"a": {"type": "Property", "values": [[1, "t", 3]]}}, "/a/values/0"),
]
for name, patch, ptr in TEMPORAL_FAULTS:
    bad = {**GOOD, **patch}
    case("ngsi-ld-temporal", json.dumps(bad), "ParseError", ptr, name)
    case("ngsi-ld-temporal", json.dumps([GOOD, bad, GOOD]), "Rejected", "/1" + ptr, "batch-" + name)

# -- 3. N-Triples / N-Quads: each bad line costs that line, every bad line is named ----------------
GOOD_NT = '<urn:x:1> <urn:p> "v" .'
BAD_LINES = [
    ("object-bare-word", "<urn:x:1> <urn:p> bad ."),
    ("no-dot", '<urn:x:1> <urn:p> "v"'),
    ("relative-iri", '<a> <urn:p> "v" .'),
    ("literal-subject", '"s" <urn:p> "v" .'),
    ("one-letter-lang", '<urn:x:1> <urn:p> "v"@x .'),
    ("empty-ext-lang", '<urn:x:1> <urn:p> "v"@en-a .'),
    ("long-subtag", '<urn:x:1> <urn:p> "v"@abcdefghi .'),
    ("bad-escape", '<urn:x:1> <urn:p> "\\q" .'),
    ("space-in-iri", '<urn:x:1> <urn:a b> "v" .'),
    ("unclosed-literal", '<urn:x:1> <urn:p> "v .'),
    ("blank-predicate", "<urn:x:1> _:p <urn:x:2> ."),
    ("lone-word", "garbage"),
]
for fmt in ("ntriples", "nquads"):
    for k, (name, line) in enumerate(BAD_LINES):
        pos = 1 + k % 3  # the bad line is line 1, 2 or 3 among good ones
        lines = [GOOD_NT] * 4
        lines.insert(pos - 1, line)
        case(fmt, "\n".join(lines) + "\n", "Rejected", f"line {pos}", name, target="ntriples" if k % 2 else "turtle")
    # several bad lines: all named (the first is where the event points)
    case(fmt, "\n".join([GOOD_NT, "bad one", GOOD_NT, "bad two", "bad three"]) + "\n", "Rejected", "line 2",
         "three-bad-lines")
    case(fmt, "only garbage\nmore garbage\n", "ParseError", "line 1", "no-good-line")
case("nquads", '<urn:x:1> <urn:p> "v" <urn:g> <urn:h> .\n' + GOOD_NT + "\n", "Rejected", "line 1", "two-graphs")

# -- 4. Turtle syntax errors with their line --------------------------------------------------------
TURTLE = [
    ("semicolon-end", '<urn:a> <urn:p> "x" ;', "line 1"),
    ("unclosed-literal-3", '@prefix ex: <urn:ex:> .\nex:a ex:p ex:b .\nex:c ex:p "x\n', "line 3"),
    ("relative-iri", "<a> <b> <c> .", "line 1"),
    ("unknown-prefix", "<urn:a> <urn:p> zz:b .", "line 1"),
    ("unclosed-list", "\n\n<urn:a> <urn:p> ( 1 2 .", "line 3"),
    ("unclosed-bnode", "<urn:a> <urn:p> [ <urn:q> 1 .", "line 1"),
    ("bad-prefix-decl", "@prefix ex <urn:ex:> .", "line 1"),
    ("one-letter-lang", '\n<urn:a> <urn:p> "v"@x .', "line 2"),
    ("literal-predicate", '<urn:a> "p" "v" .', "line 1"),
    ("double-dot", "<urn:a> <urn:p> <urn:b> . .", "line 1"),
]
for name, text, where in TURTLE:
    case("turtle", text, "ParseError", where, name)

# -- 5. Super-linear inputs: bounded time, a typed error or a linear result --------------------------
nested = "<urn:a> <urn:p> " + "(" * 22 + "1" + ")" * 22 + " ."
case("turtle", nested, "ok", "", "list-22-deep", target="ntriples")
diamond = ["<urn:a> <urn:p> _:d0 ."]
for i in range(30):
    diamond += [f"_:d{i} <urn:l> _:d{i + 1} .", f"_:d{i} <urn:r> _:d{i + 1} ."]
diamond.append('_:d30 <urn:v> "x" .')
case("ntriples", "\n".join(diamond) + "\n", "Coerced", "", "blank-diamond-30", target="ntriples")
chain = ["<urn:a> <urn:p> _:c0 ."] + [f"_:c{i} <urn:n> _:c{i + 1} ." for i in range(400)]
case("ntriples", "\n".join(chain) + "\n", "ParseError", "/urn:a", "blank-chain-400", target="turtle")
case("turtle", [["<urn:a> <urn:p> ", 1], ["[ <urn:n> ", 100_000], ["1", 1], ["]", 100_000], [" .", 1]], "ParseError",
     "/urn:a",
     "blank-chain-100k", target="ngsi-ld")
case("turtle", [["<urn:a> <urn:p> ", 1], ["[ <urn:n> ", 300], ["1", 1], ["]", 300], [" .", 1]], "ParseError", "/urn:a",
     "blank-chain-300", target="ngsi-ld")
case("turtle", [['<urn:a> <urn:p> "', 1], ["a", 17 << 20], ['" .', 1]], "ParseError", "", "literal-17mib")
case("wfs-gml", "<!---->" * 30 + "<x/>", "ok", "", "comment-run-then-element")
case("wfs-gml", [["<!---->", 3000], ["<!DOCTYPE x><x/>", 1]], "ParseError", "line 1", "comment-run-then-doctype")
SELF = '{"@iot.id": 1, "name": "x", "@iot.selfLink": "http://x/'
case("sta", [[SELF, 1], ["a(", 20_000], ['"}', 1]], "ok", "", "selflink-40k")
case("sta", [[SELF + "Things(", 1], ["a", 40_000], ['"}', 1]], "ok", "", "selflink-40k-letters")
case("sta", [[SELF, 1], ["a(1", 20_000], ['"}', 1]], "ok", "", "selflink-40k-parens")

# -- 6. XML: one safe policy for RDF/XML and WFS GML ------------------------------------------------
LAUGHS = ('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>")
BODY_RDF = f'<rdf:RDF {NS}><rdf:Description rdf:about="urn:x:1"><ex:p>&j;</ex:p></rdf:Description></rdf:RDF>'
BODY_WFS = f"<wfs:FeatureCollection {WFS}><ex:p>&j;</ex:p></wfs:FeatureCollection>"
PROLOGS = [
    ("plain", ""), ("decl", '<?xml version="1.0"?>\n'), ("comment", "<!-- c -->"),
    ("pi", "<?x y?>"), ("comments", "<!---->" * 50), ("space", "  \n\t"),
]
for fmt, body in (("rdfxml", BODY_RDF), ("wfs-gml", BODY_WFS)):
    for name, pro in PROLOGS:
        case(fmt, pro + LAUGHS + body, "ParseError", "line 1", f"billion-laughs-{name}")
        case(fmt, "\ufeff" + pro + LAUGHS + body, "ParseError", "line 1", f"billion-laughs-bom-{name}")
    case(fmt, f'<!DOCTYPE x SYSTEM "file:///etc/hostname">{body}', "ParseError", "line 1", "external-dtd")
    case(fmt, b"\xef\xbb\xbf<!DOCTYPE x SYSTEM 'file:///etc/hostname'><x/>", "ParseError", "line 1",
         "bom-bytes-external-dtd")
    case(fmt, ("\ufeff<!DOCTYPE x SYSTEM 'file:///etc/hostname'><x/>").encode("utf-16"), "ParseError", "line 1",
         "utf16-external-dtd")
    case(fmt, '<!doctype x [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]><x>&e;</x>', "ParseError", "line 1",
         "lowercase-doctype")
    case(fmt, "<a>\n<b>\n</a>", "ParseError", "line 3", "mismatched-tag")
    case(fmt, "<a>\n\n<b x='1' x='2'/></a>", "ParseError", "line 3", "duplicate-attribute")
    case(fmt, "<a>&undefined;</a>", "ParseError", "line 1", "undefined-entity")
    case(fmt, "\n\n<a><b></a>", "ParseError", "line 3", "unclosed")
    case(fmt, "<a>\ud800</a>", "ParseError", "line 1", "lone-surrogate")
    case(fmt, [["<a>", 300], ["</a>", 300]], "ParseError", "line 1", "300-deep")
    case(fmt, [["<a>", 1], ["<!---->", 5000], ["</a", 1]], "ParseError", "line 1", "comments-unclosed")

RDFXML_SEMANTIC = [
    ("no-namespace", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n<p>1</p>\n</rdf:Description></rdf:RDF>',
     "line 3"),
    ("resource-and-nodeid", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n'
     '<ex:q rdf:resource="urn:y" rdf:nodeID="x"/>\n</rdf:Description></rdf:RDF>', "line 3"),
    ("bad-rdf-id", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n<ex:p rdf:ID="a b"/>\n'
     "</rdf:Description></rdf:RDF>", "line 3"),
    ("rdf-rdf-as-property", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n<rdf:RDF/>\n'
     "</rdf:Description></rdf:RDF>", "line 3"),
    ("text-and-node", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n<ex:p>\n'
     "<rdf:Description/><rdf:Description/>\n</ex:p>\n</rdf:Description></rdf:RDF>", "line 4"),
    ("bad-datatype-iri", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n'
     '<ex:p rdf:datatype="x y">1</ex:p>\n</rdf:Description></rdf:RDF>', "line 3"),
    ("bad-resource-iri", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n'
     '<ex:p rdf:resource=" bad iri"/>\n</rdf:Description></rdf:RDF>', "line 3"),
    ("second-description-bad", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x"/>\n'
     '<rdf:Description rdf:about="urn:y">\n<ex:p rdf:ID="1 2"/>\n</rdf:Description></rdf:RDF>', "line 4"),
    ("root-node-element-bad", f'<ex:T {NS} rdf:about="urn:x">\n<ex:p rdf:resource="urn:y" rdf:nodeID="z"/>\n'
     "</ex:T>", "line 2"),
    ("bad-about-iri", f'<rdf:RDF {NS}>\n\n<rdf:Description rdf:about="a b"/></rdf:RDF>', "line 3"),
    ("bad-lang", f'<rdf:RDF {NS}>\n<rdf:Description rdf:about="urn:x">\n<ex:p xml:lang="x">v</ex:p>\n'
     "</rdf:Description></rdf:RDF>", "line 3"),
]
for name, text, where in RDFXML_SEMANTIC:
    case("rdfxml", text, "ParseError", where, name)

# -- 7. GML geometry errors ------------------------------------------------------------------------
for k, dim in enumerate(("two", "0", "-1", "99", "2.5", "")):
    geom = f'<gml:Point srsDimension="{dim}"><gml:pos>1 2</gml:pos></gml:Point>'
    text = (f"<wfs:FeatureCollection {WFS}>\n<wfs:member>\n<ex:F gml:id='f1'><ex:geom>\n{geom}\n</ex:geom>"
            "</ex:F></wfs:member></wfs:FeatureCollection>")
    # a geometry that cannot be read costs that geometry (reported), not the feature or the collection
    case("wfs-gml", text, "ok" if dim == "" else "Dropped", "" if dim == "" else "line 4", f"srs-dimension-{k}")

# -- 8. SensorThings: a short dataArray row costs one row -------------------------------------------
for k, row in enumerate(([2, "2024-01-01T00:00:00Z"], [2], [], "x", None, [2, "t", 3, 4])):
    doc = {"value": [{"Datastream@iot.navigationLink": "http://x/v1.1/Datastreams(1)",
                      "components": ["id", "phenomenonTime", "result"],
                      "dataArray": [[1, "2024-01-01T00:00:00Z", 1], row, [3, "2024-01-01T00:00:00Z", 3]]}]}
    case("sta-dataarray", json.dumps(doc), "Rejected", "/value/0/dataArray/1", f"bad-row-{k}")
case("sta-dataarray", json.dumps({"value": [{"components": "id", "dataArray": [[1]]}]}), "ParseError",
     "/value/0/components", "components-not-list")

# -- 9. native: a bad node costs that node ----------------------------------------------------------
NATIVE_NODE = {"id": "urn:x:1", "types": ["https://ex.org/T"], "attrs": {}}
NATIVE_FAULTS = [
    ("id-number", {"id": 5}, "/id"), ("types-string", {"types": "T"}, "/types"),
    ("types-number-item", {"types": [1]}, "/types"), ("meta-list", {"meta": []}, "/meta"),
    ("attrs-list", {"attrs": []}, "/attrs"), ("attr-not-list", {"attrs": {"urn:a": {}}}, "/attrs/urn:a"),
    ("attr-kind-unknown", {"attrs": {"urn:a": [{"kind": "X", "value": 1}]}}, "/attrs/urn:a/0/kind"),
    ("attr-kind-object", {"attrs": {"urn:a": [{"kind": {}, "value": 1}]}}, "/attrs/urn:a/0/kind"),
    ("attr-no-value", {"attrs": {"urn:a": [{"kind": "Property"}]}}, "/attrs/urn:a/0"),
    ("attr-observed-number", {"attrs": {"urn:a": [{"kind": "Property", "value": 1, "observedAt": 5}]}},
     "/attrs/urn:a/0/observedAt"),
    ("created-list", {"createdAt": []}, "/createdAt"), ("scope-number", {"scope": 5}, "/scope"),
]
for name, patch, ptr in NATIVE_FAULTS:
    doc = {"mimbridge": "1.0", "nodes": [NATIVE_NODE, {**NATIVE_NODE, **patch}]}
    case("native", json.dumps(doc), "Rejected", "/nodes/1" + ptr, name)
case("native", json.dumps({"mimbridge": "0", "nodes": []}), "ParseError", "/mimbridge", "old-version")
case("native", json.dumps({"mimbridge": "1.0", "nodes": {}}), "ParseError", "/nodes", "nodes-object")

# -- 10. Silent corruption made loud ----------------------------------------------------------------
DUP = [{"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": v}} for v in (1, 2)]
case("ngsi-ld", json.dumps(DUP), "Coerced", "/1/id", "duplicate-ids", target="ntriples")
for k, ch in enumerate(('>', '"', "}", "^", "|")):
    case("ngsi-ld", json.dumps({**GOOD, "id": f"urn:ngsi-ld:T:a{ch}b"}), "Coerced", "/0/id", f"id-needs-encoding-{k}",
         target="ntriples")
case("rdf-jsonld", json.dumps({"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "urn:x:1", "name": "x"}),
     "ResolutionError", "", "unresolved-context-empty", target="ntriples")
case("rdf-jsonld", json.dumps({"@context": ["http://127.0.0.1:9/ctx.jsonld", {"a": "urn:a"}], "@id": "urn:x:1",
                               "name": "x", "a": 1}), "Unresolved", "/@context", "unresolved-context",
     target="ntriples")

# -- 11. RDF JSON-LD ---------------------------------------------------------------------------------
# pyoxigraph names the place of a JSON syntax error; a JSON-LD keyword misuse is a ParseError of the document
JSONLD = [
    ("trailing-comma", '{"@id": "urn:x",}', col('{"@id": "urn:x",')),
    ("unclosed-array-line-3", '\n\n{"@id": "urn:x", "urn:p": [}', "line 3"),
    ("type-number", '{"@id": "urn:x", "@type": 5}', ""),
    ("language-on-number", '[{"@id": "urn:x", "urn:p": {"@value": 1, "@language": "en"}}]', ""),
    ("list-with-id", '{"@id": "urn:x", "urn:p": {"@list": 5, "@id": "y"}}', ""),
    ("context-term-number", '{"@context": {"a": {"@id": 5}}, "@id": "urn:x", "a": 1}', ""),
]
for name, text, where in JSONLD:
    case("rdf-jsonld", text, "ParseError", where, name)

OUT.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
print(f"{len(cases)} cases -> {OUT.name}")
