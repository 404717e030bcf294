"""Which format is this? Candidate format names for a file name and the first bytes of its content.

Used by ``mimbridge convert`` (and :func:`mimbridge.convert` without
``source``) when no source format is given, and to say "this looks like X"
when a document does not read in the format it was given as. A suffix
(``.ttl``, ``.nt``, ``.nq``, ``.rdf``, ``.gml``) decides alone; ``.json``,
``.jsonld``, ``.geojson``, ``.jsonl`` and ``.xml`` say which family, and the
content decides within it: an NGSI-LD entity (normalized, concise,
keyValues, temporal), a SensorThings entity or page, a GeoJSON
FeatureCollection, an OGC API Records page, WFS GML, RDF/XML, Turtle or
N-Triples. Only the head of a large file is read; a JSON document cut short
is read as far as it goes.

>>> infer(b'{"value": [{"@iot.id": 1, "name": "a"}], "@iot.nextLink": "x"}').format
'sta'
>>> infer(b'<?xml version="1.0"?><wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"/>').format
'wfs-gml'
>>> infer(b'{"id": "urn:ngsi-ld:T:1", "type": "T"}', name="t.ttl")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mimbridge.sniff.FormatGuessError: t.ttl: the suffix says turtle but the content looks like ngsi-ld ...
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ParseError

__all__ = ["HEAD_BYTES", "SUFFIXES", "FormatGuessError", "Guess", "guess_content", "infer", "infer_target",
           "looks_like"]

#: how much of a file the content checks read
HEAD_BYTES = 1 << 16

#: file suffix -> the formats it allows (the content decides when there are several)
SUFFIXES: dict[str, tuple[str, ...]] = {
    ".gml": ("wfs-gml",),
    ".nq": ("nquads",),
    ".nt": ("ntriples",),
    ".owl": ("rdfxml",),
    ".rdf": ("rdfxml",),
    ".ttl": ("turtle",),
    ".geojson": ("geojson", "ngsi-ld-geojson", "ogc-records"),
    ".xml": ("rdfxml", "wfs-gml"),
}
_JSON_FORMATS = ("ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal", "ngsi-ld-geojson", "geojson",
                 "ogc-records", "sta", "sta-dataarray", "sta2", "rdf-jsonld", "native")
for _s in (".json", ".jsonld", ".jsonl", ".ndjson"):
    SUFFIXES[_s] = _JSON_FORMATS
#: what a suffix means when the content says nothing
_SUFFIX_DEFAULT = {".json": "ngsi-ld", ".jsonld": "ngsi-ld", ".jsonl": "ngsi-ld", ".ndjson": "ngsi-ld",
                   ".geojson": "geojson"}


@dataclass(frozen=True, slots=True)
class Guess:
    """A candidate format and why: ``Guess("sta", "a SensorThings page ...")``."""

    format: str
    reason: str

    def __str__(self) -> str:
        return f"{self.format} ({self.reason})"


class FormatGuessError(ParseError):
    """The format cannot be told, or is ambiguous; ``candidates`` lists the guesses."""

    def __init__(self, message: str, *, candidates: Sequence[Guess] = (), pointer: str = "") -> None:
        self.candidates = list(candidates)
        super().__init__(message, pointer=pointer)

    def __str__(self) -> str:
        return self.message


_ATTR_TYPES = frozenset({"Property", "Relationship", "GeoProperty", "LanguageProperty", "VocabProperty",
                         "JsonProperty", "ListProperty", "ListRelationship"})
_ENTITY_KEYS = frozenset({"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt", "location",
                          "observationSpace", "operationSpace"})
_CONCISE_KEYS = frozenset({"value", "object", "languageMap", "vocab", "json", "valueList", "objectList"})
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _skeleton(raw: bytes) -> Any:
    """The JSON value of ``raw``, or as much of it as a document cut short holds (None: not JSON)."""
    raw = raw[:HEAD_BYTES]
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        pass
    import io

    import ijson

    from .limits import JsonScreen

    builder = ijson.ObjectBuilder()
    try:  # the screen refuses nesting past max_depth before ijson spends memory quadratic in it
        for _, event, value in ijson.parse(JsonScreen(io.BytesIO(raw)), use_float=True):
            builder.event(event, value)
    except (ijson.JSONError, ijson.IncompleteJSONError, ParseError, ValueError):
        pass
    return getattr(builder, "value", None)


def _is_attr_type(value: Any) -> bool:
    return isinstance(value, str) and value in _ATTR_TYPES


def _ngsild(entity: dict) -> Guess | None:
    """The NGSI-LD representation of an entity (None: not an entity)."""
    if not isinstance(entity.get("id"), str) or "type" not in entity or "@iot.id" in entity:
        return None
    attrs = {k: v for k, v in entity.items() if k not in _ENTITY_KEYS}
    typed = concise = plain = temporal = 0
    for v in attrs.values():
        insts = v if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) else [v]
        if isinstance(v, dict) and isinstance(v.get("values"), list):
            temporal += 1
        elif all(isinstance(x, dict) and _is_attr_type(x.get("type")) for x in insts):
            typed += 1
            if sum(1 for x in insts if "datasetId" not in x) > 1:
                temporal += 1
        elif all(isinstance(x, dict) and _CONCISE_KEYS & x.keys() for x in insts):
            concise += 1
        else:
            plain += 1
    if temporal:
        return Guess("ngsi-ld-temporal",
                     "NGSI-LD entity in the temporal representation (several instances of an attribute)")
    if plain and not typed:
        return Guess("ngsi-ld-keyvalues", "NGSI-LD entity in the keyValues representation (plain attribute values)")
    if concise and not typed:
        return Guess("ngsi-ld-concise", "NGSI-LD entity in the concise representation (untyped attributes)")
    return Guess("ngsi-ld", "NGSI-LD entity in the normalized representation (typed attributes)")


def _feature_collection(doc: dict) -> Guess:
    feats = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    first: dict = feats[0] if isinstance(feats, list) and feats and isinstance(feats[0], dict) else {}
    props: dict = first["properties"] if isinstance(first.get("properties"), dict) else {}
    what = "GeoJSON FeatureCollection" if doc.get("type") == "FeatureCollection" else "GeoJSON Feature"
    if "@context" in doc or "@context" in first or any(
            isinstance(v, dict) and _is_attr_type(v.get("type")) for v in props.values()):
        return Guess("ngsi-ld-geojson", f"{what} whose properties are NGSI-LD attributes")
    claims = first.get("conformsTo") or doc.get("conformsTo") or []
    conforms = " ".join(str(c) for c in (claims if isinstance(claims, list) else [claims]))
    if "record" in conforms.lower() or {"externalIds", "themes"} & props.keys() or props.get("type") == "dataset":
        return Guess("ogc-records", f"{what} of OGC API Records items")
    return Guess("geojson", what)


#: members only SensorThings entities have: navigation members (1.x and 2.0) and typical properties
_STA_NAVS = frozenset({"Thing", "Things", "Location", "Locations", "HistoricalLocations", "Datastream",
                       "Datastreams", "MultiDatastream", "MultiDatastreams", "Sensor", "Sensors", "ObservedProperty",
                       "ObservedProperties", "Observations", "FeatureOfInterest", "Feature", "Features"})
_STA_PROPS = frozenset({"unitOfMeasurement", "unitOfMeasurements", "observationType", "phenomenonTime",
                        "resultTime", "resultQuality", "validTime", "encodingType", "multiObservationDataTypes",
                        "resultType"})


def _sta(item: dict, where: str) -> Guess | None:
    keys = item.keys()
    if "dataArray" in keys or "dataArray@iot.count" in keys:
        return Guess("sta-dataarray", f"{where} in the dataArray form")
    if "@iot.id" in keys or "@iot.selfLink" in keys or any(k.endswith("@iot.navigationLink") for k in keys):
        return Guess("sta", f"{where} (@iot.id members)")
    if any(k.endswith("@navigationLink") for k in keys):
        return Guess("sta2", f"{where} in the SensorThings 2.0 spelling")
    if "id" in keys and "type" in keys:
        return None  # an NGSI-LD entity, whatever its attributes are called
    named = sorted((keys & _STA_NAVS) | (keys & _STA_PROPS))
    if named:
        version = "sta2" if "resultType" in keys else "sta"
        return Guess(version, f"{where} without ids (a create body: {', '.join(named[:3])})")
    return None


def _json_guesses(doc: Any) -> list[Guess]:
    if isinstance(doc, list):
        first = next((x for x in doc if isinstance(x, dict)), None)
        if first is None:
            return []
        if first.get("type") == "Feature":
            return [Guess(g.format, "array of " + g.reason.replace("Feature", "Features", 1))
                    for g in [_feature_collection(first)]]
        sta = _sta(first, "array of SensorThings entities")
        if sta is not None:
            return [sta]
        ent = _ngsild(first)
        if ent is not None:
            return [Guess(ent.format, "array of " + ent.reason.replace("entity", "entities", 1))]
        if "@id" in first or "@graph" in first:
            return [Guess("rdf-jsonld", "JSON-LD node objects (@id)")]
        return []
    if not isinstance(doc, dict):
        return []
    if doc.get("type") in ("FeatureCollection", "Feature"):
        return [_feature_collection(doc)]
    if doc.get("type") == "Notification" and isinstance(doc.get("data"), list):
        return [Guess("ngsi-ld", "NGSI-LD notification")]
    if isinstance(doc.get("value"), list) or any(k.startswith("@iot.") for k in doc):
        items: list = doc["value"] if isinstance(doc.get("value"), list) else []
        first = next((x for x in items if isinstance(x, dict)), {})
        guess = _sta(first, "SensorThings page: value[] of entities") if first else None
        if guess is None and any(k.startswith("@iot.") for k in doc):
            guess = _sta(doc, "SensorThings entity") or Guess("sta", "SensorThings page (@iot. members)")
        if guess is not None:
            return [guess]
    sta = _sta(doc, "SensorThings entity")
    if sta is not None:
        return [sta]
    if doc.get("mimbridge") is not None or ("nodes" in doc and "model_version" in doc):
        return [Guess("native", "mimbridge's model dump")]
    ent = _ngsild(doc)
    if ent is not None:
        return [ent]
    if "@graph" in doc or ("@id" in doc and "id" not in doc):
        return [Guess("rdf-jsonld", "JSON-LD with @id / @graph")]
    return []


_XML_ROOT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>", re.S)


def _xml_guesses(text: str) -> list[Guess]:
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    m = _XML_ROOT.search(body)
    if m is None:
        return []
    prefix, local, attrs = (m.group(1) or "")[:-1], m.group(2), m.group(3)
    ns = dict(re.findall(r'xmlns(?::([\w.-]+))?\s*=\s*["\']([^"\']*)["\']', attrs))
    root_ns = ns.get(prefix, "")
    if root_ns == _RDF_NS or (local == "RDF" and prefix == "rdf"):
        return [Guess("rdfxml", "XML whose root is rdf:RDF")]
    if local == "FeatureCollection" or "opengis.net/gml" in root_ns:
        return [Guess("wfs-gml", f"XML whose root is {prefix + ':' if prefix else ''}{local} (WFS / GML)")]
    if _RDF_NS in ns.values():
        return [Guess("rdfxml", "XML that declares the RDF namespace")]
    return []


_NT_LINE = re.compile(r'^\s*(<[^>]*>|_:\S+)\s+<[^>]*>\s+(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"\S*)\s*(\S+\s*)?\.\s*$')


def _text_guesses(text: str) -> list[Guess]:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    if re.match(r"\s*(@prefix|@base|PREFIX|BASE)\b", lines[0], re.I):
        return [Guess("turtle", "text that starts with a prefix declaration")]
    complete = lines[:-1] or lines  # the last line of a head may be cut
    matches = [_NT_LINE.match(ln) for ln in complete]
    if all(matches):
        if any(m.group(3) for m in matches if m is not None):
            return [Guess("nquads", "one statement a line, with a graph name")]
        return [Guess("ntriples", "one triple a line")]
    if re.match(r"\s*(<[^>]*>|_:\S+|\w*:\w*)\s", lines[0]):
        return [Guess("turtle", "RDF statements in Turtle syntax")]
    return []


def guess_content(head: bytes | str | Any, *, lines: bool = False) -> list[Guess]:
    """Candidate formats by content: raw bytes or text (the head of a file), or parsed JSON.

    ``lines``: the text is JSON Lines (the first line is the record looked at).

    >>> guess_content({"type": "FeatureCollection", "features": []})
    [Guess(format='geojson', reason='GeoJSON FeatureCollection')]
    >>> [g.format for g in guess_content("<http://ex.org/a> <http://ex.org/p> \\"1\\" .\\n")]
    ['ntriples']
    """
    if not isinstance(head, (bytes, str)):
        return _json_guesses(head)
    raw = head.encode("utf-8", "surrogatepass") if isinstance(head, str) else head
    raw = raw.removeprefix(b"\xef\xbb\xbf").lstrip()
    if lines:
        raw = raw.split(b"\n", 1)[0]
    if raw[:1] in (b"{", b"["):
        return _json_guesses(_skeleton(raw))
    text = raw.decode("utf-8", errors="replace")
    if raw[:1] == b"<" and not _NT_LINE.match(text.split("\n", 1)[0]):
        return _xml_guesses(text)
    return _text_guesses(text)


def _says_nothing(head: bytes | str | Any, *, lines: bool) -> bool:
    """True when ``head`` holds no JSON value to judge (empty, or cut short before its first member)."""
    if not isinstance(head, (bytes, str)):
        return not head
    raw = head.encode("utf-8", "surrogatepass") if isinstance(head, str) else head
    raw = raw.removeprefix(b"\xef\xbb\xbf").strip()
    if lines:
        raw = raw.split(b"\n", 1)[0]
    return not raw or not _skeleton(raw)


def infer(head: bytes | str | Any, *, name: str | None = None) -> Guess:
    """The one format ``head`` (the start of a document, or parsed JSON) is in, given its file ``name``.

    Raises :class:`FormatGuessError` when nothing fits, when several do, or
    when the suffix and the content disagree (each listed as a candidate).

    >>> infer(b'{"type": "FeatureCollection", "features": []}', name="roads.geojson")
    Guess(format='geojson', reason='GeoJSON FeatureCollection')
    >>> infer(b"", name="graph.ttl")
    Guess(format='turtle', reason='file suffix .ttl')
    """
    where = f"{name}: " if name else ""
    suffix = _suffix(name)
    allowed = SUFFIXES.get(suffix, ())
    content = guess_content(head, lines=suffix in (".jsonl", ".ndjson"))
    fitting = [g for g in content if not allowed or g.format in allowed]
    if len(allowed) == 1:
        if content and not fitting:
            raise FormatGuessError(
                f"{where}the suffix says {allowed[0]} but the content looks like {content[0]}; pass -f/--from",
                candidates=[Guess(allowed[0], f"file suffix {suffix}"), *content])
        return Guess(allowed[0], f"file suffix {suffix}")
    if len(fitting) == 1:
        return fitting[0]
    if len(fitting) > 1:
        raise FormatGuessError(f"{where}the format is ambiguous: {', '.join(map(str, fitting))}; pass -f/--from",
                               candidates=fitting)
    if content:
        raise FormatGuessError(f"{where}the suffix {suffix} does not fit the content, which looks like "
                               f"{content[0]}; pass -f/--from", candidates=content)
    if suffix in _SUFFIX_DEFAULT and _says_nothing(head, lines=suffix in (".jsonl", ".ndjson")):
        return Guess(_SUFFIX_DEFAULT[suffix], f"file suffix {suffix}")
    what = f"suffix {suffix!r}" if suffix else "no suffix"
    raise FormatGuessError(f"{where}cannot tell the format ({what}, and the content is none of the known "
                           "kinds); pass -f/--from (see mimbridge formats)")


#: output suffix -> the format written, for a target told from the output file name
_TARGETS = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".rdf": "rdfxml", ".owl": "rdfxml",
            ".xml": "rdfxml", ".jsonld": "ngsi-ld", ".geojson": "geojson"}


def infer_target(name: str) -> Guess:
    """The format to write a file called ``name`` in, by its suffix (FormatGuessError when it does not say).

    >>> infer_target("out.ttl")
    Guess(format='turtle', reason='file suffix .ttl')
    >>> infer_target("out.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mimbridge.sniff.FormatGuessError: out.json: the suffix .json does not tell the format to write; pass -t/--to
    """
    suffix = _suffix(name)
    if suffix in _TARGETS:
        return Guess(_TARGETS[suffix], f"file suffix {suffix}")
    many = [Guess(f, f"written as {suffix}") for f in SUFFIXES.get(suffix, ())]
    what = f"the suffix {suffix}" if suffix else "a name without suffix"
    raise FormatGuessError(f"{name}: {what} does not tell the format to write; pass -t/--to", candidates=many)


def looks_like(head: bytes | str | Any, used: str, *, lines: bool = False) -> Guess | None:
    """The format ``head`` looks like when that is not ``used`` (for "this looks like X" hints), else None.

    >>> looks_like({"value": [{"@iot.id": 1}]}, "ngsi-ld")
    Guess(format='sta', reason='SensorThings page: value[] of entities (@iot.id members)')
    >>> looks_like({"value": [{"@iot.id": 1}]}, "sta") is None
    True
    """
    try:
        content = guess_content(head, lines=lines)
    except Exception:  # a hint is advice: it never replaces the error it would explain (fuzzed in test_fuzz)
        return None
    if len(content) != 1 or content[0].format == used:
        return None
    if {content[0].format, used} <= {"ngsi-ld", "ngsi-ld-concise"}:
        return None  # the normalized reader reads concise too
    return content[0]


def _suffix(name: str | None) -> str:
    return Path(name).suffix.lower() if name else ""
