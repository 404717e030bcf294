"""A probe report as W3C EARL 1.0 (Evaluation and Report Language) in Turtle, and SHACL shapes to check it.

One ``earl:Assertion`` per requirement: ``earl:subject`` the endpoint,
``earl:test`` the requirement (``R1``...``R8`` of MIM1, ``MIM2-1``... of the
data checks, as IRIs under :data:`MIM`), ``earl:result`` with the outcome
(``earl:passed``, ``earl:failed``, ``earl:inapplicable`` for "not offered",
``earl:cantTell``), a description and the evidence as ``earl:info``.

>>> from .verdict import ProbeReport, Result, Verdict
>>> ttl = to_earl(ProbeReport("http://b.test", "sparql", [Result("R6", Verdict.NOT_OFFERED, "none")]))
>>> "earl:inapplicable" in ttl
True
"""

from __future__ import annotations

from typing import Any

from .verdict import ProbeReport, Verdict

__all__ = ["MIM", "OUTCOMES", "earl_graph", "to_earl"]

EARL = "http://www.w3.org/ns/earl#"
#: namespace of the requirement IRIs (``MIM + "R1"``, ``MIM + "MIM2-1"``)
MIM = "https://w3id.org/mimbridge/mim#"
TOOL = "https://w3id.org/mimbridge/tool"
OUTCOMES = {Verdict.PASS: "passed", Verdict.FAIL: "failed", Verdict.NOT_OFFERED: "inapplicable",
            Verdict.UNKNOWN: "cantTell"}


def earl_graph(report: ProbeReport) -> Any:
    """The report as an ``rdflib.Graph``."""
    from importlib.metadata import PackageNotFoundError, version

    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

    from .verdict import REQUIREMENTS

    earl = Namespace(EARL)
    g = Graph()
    g.bind("earl", earl)
    g.bind("dct", DCTERMS)
    g.bind("mim", MIM)
    tool = URIRef(TOOL)
    g.add((tool, RDF.type, earl.Software))
    g.add((tool, RDF.type, earl.Assertor))
    g.add((tool, DCTERMS.title, Literal("mimbridge probe")))
    try:
        tool_version = version("mimbridge")  # the installed distribution
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        tool_version = "unknown"
    g.add((tool, DCTERMS.hasVersion, Literal(tool_version)))
    subject = URIRef(report.url)
    g.add((subject, RDF.type, earl.TestSubject))
    g.add((subject, DCTERMS.description, Literal("data file" if report.api == "data" else f"{report.api} endpoint")))
    for r in report.results:
        test = URIRef(MIM + r.requirement)
        g.add((test, RDF.type, earl.TestRequirement))
        g.add((test, DCTERMS.title, Literal(f"{r.requirement}: {REQUIREMENTS.get(r.requirement, '')}")))
        assertion, result = BNode(), BNode()
        g.add((assertion, RDF.type, earl.Assertion))
        g.add((assertion, earl.assertedBy, tool))
        g.add((assertion, earl.subject, subject))
        g.add((assertion, earl.test, test))
        g.add((assertion, earl.mode, earl.automatic))
        g.add((assertion, earl.result, result))
        g.add((result, RDF.type, earl.TestResult))
        g.add((result, earl.outcome, earl[OUTCOMES[r.verdict]]))
        g.add((result, DCTERMS.description, Literal(r.summary)))
        if report.started:
            g.add((result, DCTERMS.date, Literal(report.started, datatype=XSD.dateTime)))
        for e in r.evidence:
            status = "-" if e.status is None else str(e.status)
            info = BNode()
            g.add((result, earl.info, info))
            g.add((info, RDFS.label, Literal(f"{status} {e.request}" + (f" -> {e.found}" if e.found else ""))))
    return g


def to_earl(report: ProbeReport, *, fmt: str = "turtle") -> str:
    """The report as EARL text (``fmt``: any rdflib serializer name; Turtle by default)."""
    return str(earl_graph(report).serialize(format=fmt))
