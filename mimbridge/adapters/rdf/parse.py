"""RDF text -> grouped terms: pyoxigraph, rdflib graphs, offline JSON-LD, and the N-Triples fast path.

Terms are plain Python values: an IRI is a ``str``, a blank node a ``str``
starting with ``_:``, a literal a ``(lexical, datatype, language)`` tuple.

>>> parse_terms('<urn:x:1> <urn:p> "a" .', "ntriples")
[('urn:x:1', 'urn:p', ('a', 'http://www.w3.org/2001/XMLSchema#string', None))]
"""


from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ...contexts.core import CORE_VERSIONS, DEFAULT_VOCAB, NGSI_LD, core_terms
from ...contexts.loader import ContextLoader, loader_error
from ...errors import ParseError, ResolutionError
from ...model import Kind
from ...report import Coerced, ConversionReport, Dropped, Unresolved
from ..ngsild.vocab import RAW_MEMBERS
from .ntriples import group_lines
from .syntax import ox_format
from .terms import (
    MB_DOCUMENT,
    RDF,
    RDF_JSON,
    RDF_TYPE,
    RDFS,
    XSD_BOOLEAN,
    XSD_DOUBLE,
    XSD_INTEGER,
    XSD_STRING,
    canonical_double,
)

__all__ = ["KIND_BY_TYPE", "MEMBER_BY_PRED", "classify", "from_ox", "group_triples", "lit_value", "unique_pairs",
           "parse_grouped", "parse_terms"]

RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"
RDFS_RESOURCE = RDFS + "Resource"

KIND_BY_TYPE: dict[str, Kind] = {}
for _k in Kind:
    KIND_BY_TYPE[NGSI_LD + _k.value] = _k
    KIND_BY_TYPE[DEFAULT_VOCAB + _k.value] = _k
KIND_BY_TYPE[NGSI_LD + "VocabularyProperty"] = Kind.VOCAB

VALUE_MEMBERS = ("value", "object", "languageMap", "vocab", "json", "valueList", "objectList")
FIELD_MEMBERS = {"datasetId": "dataset_id", "observedAt": "observed_at", "unitCode": "unit_code",
                 "createdAt": "created_at", "modifiedAt": "modified_at", "deletedAt": "deleted_at",
                 "instanceId": "instance_id", "expiresAt": "expires_at", "scope": "scope"}
#: members whose objects are references (never inlined value nodes)
REF_MEMBERS = frozenset({"object", "objectList", "vocab", "datasetId", "instanceId", "previousObject",
                         "previousObjectList", "previousVocab", "objectType"})


def _member_predicates() -> dict[str, str]:
    """Predicate IRI -> NGSI-LD member, over every core context version."""
    out: dict[str, str] = {}
    members = (*VALUE_MEMBERS, *FIELD_MEMBERS, *sorted(RAW_MEMBERS))
    for m in members:
        out[DEFAULT_VOCAB + m] = m
    for v in CORE_VERSIONS:
        terms = core_terms(v)
        for m in members:
            iri = terms.get(m)
            if iri:
                out[iri] = m
    return out


MEMBER_BY_PRED = _member_predicates()

VALUE_PREDS = frozenset(iri for iri, m in MEMBER_BY_PRED.items() if m not in REF_MEMBERS)
Lit = tuple  # (lexical, datatype IRI, language or None)
Triple = tuple[str, str, Any]
#: ``(by_subject, marks)``: subject -> its ``(p, o)`` pairs, and the flagged triples (see :func:`classify`)
Grouped = tuple[dict[str, list[tuple[str, Any]]], list[tuple[str, Any, int]]]


# -- parsing -----------------------------------------------------------------
def parse_terms(data: Any, syntax: str, *, base: str | None = None, report: ConversionReport | None = None,
                loader: ContextLoader | None = None) -> list[tuple[str, str, Any]]:
    """Parse RDF text (or take an rdflib / pyoxigraph graph) into ``(s, p, o)`` Python terms.

    Nothing is fetched: pyoxigraph resolves no remote JSON-LD context; JSON-LD
    documents that name contexts are expanded by pyld with the offline loader.

    >>> parse_terms('<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .', "ntriples")
    [('urn:a', 'urn:p', ('1', 'http://www.w3.org/2001/XMLSchema#integer', None))]
    """
    if hasattr(data, "triples") and hasattr(data, "namespace_manager"):
        return list(_from_rdflib(data))
    if syntax == "rdfxml" and isinstance(data, (bytes, str)):  # bytes: the XML declares its encoding
        return _parse_ox(data, syntax, base, report)  # type: ignore[arg-type]
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    if not isinstance(data, str):
        if syntax == "rdf-jsonld" and isinstance(data, (dict, list)):
            data = json.dumps(data)
        else:
            raise ParseError(f"expected RDF text, got {type(data).__name__}", pointer="", expected="RDF text")
    if syntax == "rdf-jsonld" and "@context" in data and _names_context(data):
        loader = loader or ContextLoader()
        before = len(loader.unresolved)
        data = _jsonld_offline(data, loader, base)
        syntax = "nquads"
        missing = loader.unresolved[before:]
        if missing:  # JSON-LD drops every term an unresolved context would define: never silently
            if not data.strip():
                from ...errors import ResolutionError

                raise ResolutionError(f"the @context {missing[0]} was not resolved offline and the document gives "
                                      "no triples without it; pass its content with contexts={url: document}")
            if report is not None:
                for url in missing:
                    report.add(Unresolved, "/@context", f"context {url} was not resolved offline: the terms it "
                               "defines are dropped", remedy="pass its content with contexts={url: document}")
    if syntax == "ntriples":
        fast = group_lines(data, _no_flags)  # the canonical line form mimbridge writes; else pyoxigraph
        if fast is not None:
            return [(s, p, o) for s, pos in fast[0].items() for p, o in pos]
    return _parse_ox(data, syntax, base, report)


def parse_grouped(data: Any, syntax: str, *, base: str | None = None, report: ConversionReport | None = None,
                  loader: ContextLoader | None = None) -> Grouped:
    """Like :func:`parse_terms`, grouped by subject for :class:`Builder` (``(by_subject, marks)``).

    >>> t = '<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://uri.etsi.org/ngsi-ld/Property> .'
    >>> by_s, marks = parse_grouped(t, "ntriples")
    >>> marks
    [('urn:a', 'https://uri.etsi.org/ngsi-ld/Property', 2)]
    """
    if syntax == "ntriples" and isinstance(data, (str, bytes)):
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        fast = group_lines(text, classify)
        if fast is not None:
            return unique_pairs(fast)
        return group_triples(_parse_ox(text, syntax, base, report))
    return group_triples(parse_terms(data, syntax, base=base, report=report, loader=loader))


def _parse_ox(data: str, syntax: str, base: str | None, report: ConversionReport | None) -> list[Triple]:
    import pyoxigraph as ox

    if syntax == "rdfxml":  # the one safe XML policy (no DOCTYPE, limits), errors with their line
        from .rdfxml import parse_rdfxml

        return from_ox(parse_rdfxml(data, base), report)
    if syntax in ("ntriples", "nquads"):  # line-based: a bad line costs that line, every bad line is named
        from .lines import parse_lines

        return from_ox(parse_lines(data, syntax, base, report), report)
    try:
        quads = ox.parse(data, ox_format(syntax), base_iri=base)
        return from_ox(quads, report)
    except SyntaxError as exc:
        raise ParseError(f"malformed {syntax}: {exc.msg if hasattr(exc, 'msg') else exc}",
                         pointer=_where(exc), expected=f"{syntax} text") from None
    except ValueError as exc:
        raise ParseError(f"malformed {syntax}: {exc}", pointer="", expected=f"{syntax} text") from None
    except MemoryError:  # pyoxigraph refuses a token over its buffer size (16 MiB)
        raise ParseError(f"a {syntax} token (literal or IRI) is too long to read", pointer="",
                         expected="literals and IRIs under 16 MiB") from None



def _where(exc: SyntaxError) -> str:
    if exc.lineno:
        return f"line {exc.lineno} column {exc.offset or 0}"
    return ""


def _names_context(text: str) -> bool:
    """True when a JSON-LD document has an ``@context`` member (not just the string in a literal)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return False  # pyoxigraph reports the syntax error
    stack = [doc]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "@context" in x:
                return True
            stack.extend(v for k, v in x.items() if k != "@value")
        elif isinstance(x, list):
            stack.extend(x)
    return False


def _jsonld_offline(text: str, loader: ContextLoader, base: str | None) -> str:
    from pyld import jsonld

    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"malformed JSON: {exc}", pointer="", expected="JSON-LD text") from None
    try:
        options = {"documentLoader": loader, "format": "application/n-quads", "base": base or ""}
        return jsonld.to_rdf(doc, options)
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError) as exc:  # pyld raises plain errors too
        cause = loader_error(exc)
        if cause is not None:  # an allowed context could not be fetched: say why
            raise ResolutionError(str(cause)) from exc
        raise ParseError(f"invalid JSON-LD: {str(exc).splitlines()[0][:300]}", pointer="",
                         expected="JSON-LD") from None


def from_ox(quads: Iterable[Any], report: ConversionReport | None) -> list[tuple[str, str, Any]]:
    import pyoxigraph as ox

    named, blank, default = ox.NamedNode, ox.BlankNode, ox.DefaultGraph
    out: list[tuple[str, str, Any]] = []
    graphs: set[str] = set()
    append = out.append
    for q in quads:
        s, o = q.subject, q.object
        sv = s.value if s.__class__ is named else "_:" + s.value
        oc = o.__class__
        if oc is named:
            ov: Any = o.value
        elif oc is blank:
            ov = "_:" + o.value
        elif oc is ox.Literal:
            ov = (o.value, o.datatype.value, o.language)
        else:
            if report is not None:
                report.add(Dropped, "", "a quoted triple (RDF-star) is not carried")
            continue
        g = q.graph_name
        if g.__class__ is not default:
            graphs.add(str(g))
        append((sv, q.predicate.value, ov))
    if graphs and report is not None:
        report.add(Coerced, "", f"{len(graphs)} named graph(s) read into the default graph (a triple stated in "
                   "several graphs is one value)",
                   remedy="split the dataset by graph before converting")
    return out


def _from_rdflib(g: Any) -> Iterable[tuple[str, str, Any]]:
    from rdflib import BNode, Literal, URIRef

    for s, p, o in g.triples((None, None, None)):
        sv = "_:" + str(s) if isinstance(s, BNode) else str(s)
        if isinstance(o, URIRef):
            ov: Any = str(o)
        elif isinstance(o, BNode):
            ov = "_:" + str(o)
        elif isinstance(o, Literal):
            dt = str(o.datatype) if o.datatype else (RDF + "langString" if o.language else XSD_STRING)
            lex = str(o)
            if dt == XSD_DOUBLE:  # rdflib normalises double lexicals: back to the canonical form
                try:
                    f = float(lex)
                    lex = canonical_double(f) if not f.is_integer() else lex
                except ValueError:
                    pass
            ov = (lex, dt, o.language)
        else:
            continue
        yield sv, str(p), ov


# -- model building ------------------------------------------------------------
def lit_value(o: Lit) -> Any:
    """A literal as JSON: native where JSON-LD gives the same literal back, else a value object."""
    lex, dt, lang = o
    if dt == XSD_STRING:
        return lex
    if lang:
        return {"@value": lex, "@language": lang}
    if dt == XSD_INTEGER:
        try:
            if str(int(lex)) == lex:
                return int(lex)
        except ValueError:
            pass
    elif dt == XSD_DOUBLE:
        try:
            f = float(lex)
            if f - f == 0 and not f.is_integer() and canonical_double(f) == lex:  # finite: NaN/INF stay literals
                return f
        except ValueError:
            pass
    elif dt == XSD_BOOLEAN and lex in ("true", "false"):
        return lex == "true"
    elif dt == RDF_JSON:
        try:
            return {"@value": json.loads(lex), "@type": "@json"}
        except ValueError:
            pass
    return {"@value": lex, "@type": dt}


REF, KIND, DOC, CAND = 1, 2, 4, 8


def classify(p: str, o: Any) -> int:
    """Flags of a triple that :class:`Builder` needs before building (most triples: 0).

    ``REF``: the object may be a blank node (incoming triples counted);
    ``KIND``: ``rdf:type`` of an NGSI-LD attribute type; ``DOC``: the
    document annotation; ``CAND``: an IRI object of a value member (maybe a
    value node rather than a reference).
    """
    if o.__class__ is not str:
        return 0
    if o[0] == "_":
        return REF | CAND if o[1:2] != ":" and p in VALUE_PREDS else REF
    if p == RDF_TYPE:
        return KIND if o in KIND_BY_TYPE else DOC if o == MB_DOCUMENT else 0
    return CAND if p in VALUE_PREDS else 0


def unique_pairs(grouped: Grouped) -> Grouped:
    """``grouped`` without repeated ``(predicate, object)`` pairs of a subject (RDF graphs are sets of triples).

    >>> unique_pairs(({"urn:a": [("urn:p", "_:b"), ("urn:p", "_:b")]}, [("urn:a", "_:b", 1), ("urn:a", "_:b", 1)]))
    ({'urn:a': [('urn:p', '_:b')]}, [('urn:a', '_:b', 1)])
    """
    by_s = grouped[0]
    dup = False
    for lst in by_s.values():
        if len(lst) > 1 and len(set(lst)) != len(lst):
            dup = True
            break
    if not dup:
        return grouped
    out = {s: list(dict.fromkeys(lst)) for s, lst in by_s.items()}
    return out, [(s, o, f) for s, lst in out.items() for p, o in lst if (f := classify(p, o))]


def _no_flags(p: str, o: Any) -> int:
    return 0


def group_triples(triples: Iterable[Triple]) -> Grouped:
    """``(s, p, o)`` terms -> ``(by_subject, marks)``, as :func:`~mimbridge.adapters.rdf.ntriples.group_lines` gives."""
    by_s: dict[str, list[tuple[str, Any]]] = {}
    marks: list[tuple[str, Any, int]] = []
    seen: set[tuple[str, str, Any]] = set()
    for t in triples:
        if t in seen:
            continue  # one triple is one value: a duplicate statement (or the same triple in two graphs) adds nothing
        seen.add(t)
        s, p, o = t
        lst = by_s.get(s)
        if lst is None:
            lst = by_s[s] = []
        lst.append((p, o))
        f = classify(p, o)
        if f:
            marks.append((s, o, f))
    return by_s, marks


