"""SHACL validation with pySHACL and the shapes mimbridge ships (core constraints only).

``shapes`` names a shipped shapes file (``"ngsi-ld"``, ``"sosa"``: the profiles
of the RDF adapter, ``mimbridge/shapes/*.ttl``) or is a shapes graph itself
(Turtle text, a path, or an ``rdflib.Graph``). Data is RDF text in ``fmt`` (any
RDF format name or alias: ``turtle``, ``ntriples``, ``.ttl``...) or an
``rdflib.Graph``; text is parsed by mimbridge's offline parser (no remote
context is fetched).

>>> ttl = '''@prefix ngsi-ld: <https://uri.etsi.org/ngsi-ld/> .
... <urn:x:1> <https://ex.org/t> [ a ngsi-ld:Property ; ngsi-ld:unitCode 12 ] .'''
>>> result = validate(ttl, shapes="ngsi-ld", fmt="turtle")
>>> result.conforms
False
>>> [v.message for v in result.violations]
['a Property has a value', 'unitCode: at most one plain string (a UN/CEFACT common code)']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["SHAPES", "ShaclResult", "Violation", "shapes_graph", "validate"]

#: shipped shapes: name -> file in ``mimbridge/shapes``
SHAPES = {"dcat-ap": "dcat-ap.ttl", "earl": "earl.ttl", "ngsi-ld": "ngsi-ld.ttl", "sosa": "sosa.ttl"}
SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: the focus node, the property path (None for node-level), the message."""

    focus_node: str
    path: str | None
    message: str
    severity: str = "Violation"
    source_shape: str | None = None
    value: str | None = None


@dataclass(slots=True)
class ShaclResult:
    """``conforms`` and the ``violations`` (every result, any severity); ``text`` is pySHACL's report."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    text: str = ""

    def __bool__(self) -> bool:
        return self.conforms


def shapes_graph(shapes: Any = "sosa") -> Any:
    """The shapes as an ``rdflib.Graph``: a shipped name, Turtle text, a path, or a Graph.

    >>> len(shapes_graph("ngsi-ld")) > 50
    True
    """
    import rdflib

    if isinstance(shapes, rdflib.Graph):
        return shapes
    if isinstance(shapes, str) and shapes in SHAPES:
        text = resources.files("mimbridge").joinpath("shapes", SHAPES[shapes]).read_text(encoding="utf-8")
        return rdflib.Graph().parse(data=text, format="turtle")
    if isinstance(shapes, os.PathLike) or (isinstance(shapes, str) and "\n" not in shapes
                                           and Path(shapes).is_file()):
        return rdflib.Graph().parse(data=Path(shapes).read_text(encoding="utf-8"), format="turtle")
    if isinstance(shapes, str):
        return rdflib.Graph().parse(data=shapes, format="turtle")
    raise TypeError(f"shapes must be one of {sorted(SHAPES)}, Turtle text, a path or an rdflib.Graph")


def data_graph(data: Any, fmt: str = "turtle") -> Any:
    """RDF text in ``fmt`` (or an rdflib Graph) as an ``rdflib.Graph``, parsed offline."""
    import rdflib
    from rdflib import BNode, Literal, URIRef

    from .. import registry
    from ..adapters.rdf.parse import parse_terms

    if isinstance(data, rdflib.Graph):
        return data
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    syntax = registry.resolve_name(fmt)
    g = rdflib.Graph()
    add = g.add

    def term(t: Any) -> Any:
        if isinstance(t, tuple):
            lex, dt, lang = t
            return Literal(lex, lang=lang) if lang else Literal(lex, datatype=URIRef(dt))
        return BNode(t[2:]) if t.startswith("_:") else URIRef(t)

    for s, p, o in parse_terms(data, syntax):
        add((term(s), URIRef(p), term(o)))
    return g


def validate(data: Any, shapes: Any = "sosa", *, fmt: str = "turtle") -> ShaclResult:
    """Validate ``data`` against ``shapes`` with pySHACL (no inference, no SPARQL constraints).

    ``shapes``: ``"ngsi-ld"`` / ``"sosa"`` (shipped), Turtle text, a path or an
    ``rdflib.Graph``. ``fmt``: the RDF format of ``data`` when it is text.
    """
    import pyshacl
    from rdflib import RDF, BNode, URIRef

    dg = data_graph(data, fmt)
    sg = shapes_graph(shapes)
    conforms, results, text = pyshacl.validate(dg, shacl_graph=sg, inference="none", advanced=False,
                                               abort_on_first=False, allow_warnings=False)
    sh = {k: URIRef(SH + k) for k in ("ValidationResult", "focusNode", "resultPath", "resultMessage",
                                       "resultSeverity", "sourceShape", "value")}
    violations = []
    for r in results.subjects(RDF.type, sh["ValidationResult"]):
        def one(key: str, r: Any = r) -> str | None:
            v = results.value(r, sh[key])
            if v is None:
                return None
            return v.n3() if isinstance(v, BNode) else str(v)

        severity = one("resultSeverity") or SH + "Violation"
        violations.append(Violation(focus_node=one("focusNode") or "", path=one("resultPath"),
                                    message=one("resultMessage") or "", severity=severity.rsplit("#", 1)[-1],
                                    source_shape=one("sourceShape"), value=one("value")))
    violations.sort(key=lambda v: (v.focus_node, v.path or "", v.message))
    return ShaclResult(bool(conforms), violations, str(text))
