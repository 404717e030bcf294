"""RDF vocabulary at the bottom of the RDF family: namespaces, N-Triples term syntax, literal forms.

>>> nt_literal("a", lang="en")
'"a"@en'
"""


from __future__ import annotations

import json
import math
import re
from typing import Any

from ...contexts.core import DEFAULT_VOCAB, NGSI_LD
from ...model import Kind

__all__ = [
    "GEOJSON", "MB", "MB_DOCUMENT", "MB_JSON", "META_TERMS", "RDF", "RDFS", "RDF_JSON", "RDF_LANGSTRING",
    "RDF_TYPE", "SKOLEM_BASE", "XSD", "XSD_BOOLEAN", "XSD_DOUBLE", "XSD_INTEGER", "XSD_STRING", "Fallback",
    "canonical_double", "exact_value", "iri_changed", "json_literal", "mb_json", "nt_iri", "nt_literal",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GEOJSON = "https://purl.org/geojson/vocab#"
#: mimbridge's own vocabulary: round-trip annotations (``mb:json``) and the document node.
MB = "https://w3id.org/mimbridge/ns#"
#: Default prefix of skolem IRIs (RDF 1.1 section 3.5 well-known ``genid`` path).
SKOLEM_BASE = "https://w3id.org/mimbridge/.well-known/genid/"

RDF_TYPE = RDF + "type"
RDF_JSON = RDF + "JSON"
RDF_LANGSTRING = RDF + "langString"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
XSD_BOOLEAN = XSD + "boolean"
MB_JSON = MB + "json"
MB_DOCUMENT = MB + "Document"

#: Prefixes written in Turtle / RDF/XML unless ``prefixes=`` adds or overrides.
DEFAULT_PREFIXES: dict[str, str] = {
    "geojson": GEOJSON,
    "mb": MB,
    "ngsi-ld": NGSI_LD,
    "ngsi-ld-default": DEFAULT_VOCAB,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}

#: members whose JSON-LD term the core context defines, per model field (entity and attribute level)
META_TERMS: tuple[tuple[str, str], ...] = (
    ("dataset_id", "datasetId"), ("observed_at", "observedAt"), ("unit_code", "unitCode"),
    ("created_at", "createdAt"), ("modified_at", "modifiedAt"), ("deleted_at", "deletedAt"),
    ("instance_id", "instanceId"), ("expires_at", "expiresAt"),
)

#: characters an IRI cannot hold as such (RFC 3987): ASCII controls, space and ``<>"{}|^`\``, C1 controls,
#: surrogates, private use and non-characters, and a ``%`` that starts no percent-encoding (these are
#: percent-encoded as UTF-8 bytes: ``%`` becomes ``%25``)
IRI_BAD = re.compile('[\x00-\x20<>"{}|^`\\\\\x7f-\x9f\ud800-\uf8ff\ufdd0-\ufdef\ufff0-\uffff'
                     '\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U000efffe-\U0010ffff]'
                     '|%(?![0-9A-Fa-f]{2})')
LIT_ESC = re.compile(r'["\\\n\r]')
ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def canonical_double(v: float) -> str:
    """The canonical xsd:double lexical form JSON-LD uses (``1.5`` -> ``1.5E0``).

    >>> canonical_double(0.81), canonical_double(12.5), canonical_double(-3e-7)
    ('8.100000000000001E-1', '1.25E1', '-3.0E-7')
    """
    out = DOUBLES.get(v)
    if out is not None:
        return out
    m, _, e = f"{v:.15E}".partition("E")
    exp = EXP.get(e)
    if exp is None:
        return m  # INF / NAN
    m = m.rstrip("0")
    out = (m + "0" if m[-1] == "." else m) + exp
    if v:  # 0.0 and -0.0 are equal keys: never memoised
        if len(DOUBLES) >= DOUBLES_MAX:  # sensor values repeat; a bounded memo keeps the common ones
            DOUBLES.clear()
        DOUBLES[v] = out
    return out


def finite_double(v: float) -> str:
    """:func:`canonical_double` of a finite float, not memoised (for callers with their own memo)."""
    m, _, e = f"{v:.15E}".partition("E")
    m = m.rstrip("0")
    return (m + "0" if m[-1] == "." else m) + EXP[e]


EXP = {f"{e:+03d}": f"E{e}" for e in range(-330, 331)}
DOUBLES: dict[float, str] = {}
DOUBLES_MAX = 1 << 16


def esc_lit(s: str) -> str:
    if LIT_ESC.search(s) is None:
        return s
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def nt_iri(iri: str) -> str:
    """An IRI as an N-Triples term (characters N-Triples forbids are percent-encoded).

    >>> nt_iri("urn:a b"), nt_iri("http://[::1]/a[1]#x#y")
    ('<urn:a%20b>', '<http://[::1]/a%5B1%5D#x%23y>')
    """
    if IRI_BAD.search(iri) is None and _DELIMS.search(iri) is None:
        return f"<{iri}>"
    return "<" + _delims(IRI_BAD.sub(_pct, iri)) + ">"


#: ``[`` and ``]`` (an IRI holds them only around an IP literal host) and ``#`` (only the first one starts
#: the fragment): where an IRI cannot hold them they are percent-encoded
_DELIMS = re.compile(r"[\[\]]|#.*#")
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*")


def _delims(iri: str) -> str:
    if _DELIMS.search(iri) is None:
        return iri
    m = _AUTHORITY.match(iri)
    head = m.group() if m else ""
    rest = iri[len(head):].replace("[", "%5B").replace("]", "%5D")
    path, hash_, fragment = rest.partition("#")
    return head + path + hash_ + fragment.replace("#", "%23")


def iri_changed(iri: str) -> bool:
    """True when :func:`nt_iri` writes ``iri`` percent-encoded (what RDF gives back is not ``iri``).

    >>> iri_changed("urn:a:b"), iri_changed("urn:a b"), iri_changed("http://[::1]/a[1]#x#y")
    (False, True, True)
    """
    return IRI_BAD.search(iri) is not None or _DELIMS.search(iri) is not None


def _pct(m: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass"))


def nt_literal(lex: str, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal as an N-Triples term.

    >>> nt_literal('say "hi"'), nt_literal("1", XSD_INTEGER), nt_literal("x", lang="en")
    ('"say \\\\"hi\\\\""', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"@en')
    """
    if lang:
        return f'"{esc_lit(lex)}"@{lang}'
    if datatype is None or datatype == XSD_STRING:
        return f'"{esc_lit(lex)}"'
    return f'"{esc_lit(lex)}"^^{nt_iri(datatype)}'


def json_literal(value: Any) -> str:
    """A ``rdf:JSON`` literal of ``value`` in JSON canonical form (JCS, as JSON-LD writes it)."""
    try:
        from c14n.Canonicalize import canonicalize  # JCS, shipped with pyld (as pyld's own @json literals)
    except ImportError:  # older pyld: sorted compact JSON (JCS but for the number forms)
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return nt_literal(text, RDF_JSON)
    return nt_literal(canonicalize(value).decode("utf-8"), RDF_JSON)


NT_JSON = nt_iri(RDF_JSON)
NT_TYPE = nt_iri(RDF_TYPE)
NT_INTEGER = nt_iri(XSD_INTEGER)
NT_DOUBLE = nt_iri(XSD_DOUBLE)
NT_BOOLEAN = nt_iri(XSD_BOOLEAN)
NT_FIRST = nt_iri(RDF + "first")
NT_REST = nt_iri(RDF + "rest")
NT_NIL = nt_iri(RDF + "nil")
NT_MB_JSON = nt_iri(MB_JSON)
NT_COORDS = nt_iri(GEOJSON + "coordinates")


def mb_json(value: Any) -> str:
    return nt_literal(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True), RDF_JSON)


class Fallback(Exception):
    """A JSON-LD feature the direct emitter does not implement: let pyld expand this value."""


# -- exactness: does a value come back from the JSON-LD triples as it was? -----
def _exact_number(v: Any) -> bool:
    if v.__class__ is float:
        return math.isfinite(v) and not v.is_integer() and float(canonical_double(v)) == v
    return True


def _exact_list_item(v: Any) -> bool:
    c = v.__class__
    if c is str or c is bool:
        return True
    if c is int:
        return abs(v) < 1e21
    if c is float:
        return _exact_number(v)
    if c is list:
        return all(_exact_list_item(x) for x in v)
    return False


def _exact_geometry(v: dict) -> bool:
    if set(v) != {"type", "coordinates"} or v["type"] == "GeometryCollection":
        return False
    return isinstance(v["coordinates"], list) and _exact_list_item(v["coordinates"])


def _exact_json(v: Any) -> bool:
    c = v.__class__
    if c is float:
        return math.isfinite(v) and not v.is_integer()
    if c is list:
        return all(_exact_json(x) for x in v)
    if c is dict:
        return all(_exact_json(x) for x in v.values())
    return True


def exact_value(kind: Kind, v: Any) -> bool:
    """True when the JSON-LD triples of this kind's value give ``v`` back unchanged."""
    c = v.__class__
    if kind is Kind.PROPERTY or kind is Kind.GEO:
        if c is str or c is bool:
            return True
        if c is int:
            return abs(v) < 1e21
        if c is float:
            return _exact_number(v)
        if c is dict and kind is Kind.GEO:
            return _exact_geometry(v)
        return False
    if kind is Kind.RELATIONSHIP or kind is Kind.VOCAB:
        return c is str
    if kind is Kind.LANGUAGE:
        return c is dict and all(isinstance(t, str) and t == t.lower() and t != "@none" and isinstance(s, str)
                                 for t, s in v.items())
    if kind is Kind.JSON:
        return _exact_json(v)
    if kind is Kind.LIST:
        return c is list and all(_exact_list_item(x) for x in v)
    if kind is Kind.LIST_RELATIONSHIP:
        return c is list and (all(isinstance(x, str) for x in v) or all(
            isinstance(x, dict) and set(x) == {"object"} and isinstance(x["object"], str) for x in v))
    return False


