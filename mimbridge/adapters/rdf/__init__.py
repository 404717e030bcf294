"""RDF serialisations: ``turtle``, ``ntriples``, ``nquads``, ``rdf-jsonld``, ``rdfxml``.

Writing emits N-Triples lines straight from the model (no JSON-LD processing on
the hot path); the other syntaxes are that text re-serialised by pyoxigraph.
Reading parses with pyoxigraph (or takes an ``rdflib.Graph``) and builds the
model (:mod:`mimbridge.adapters.rdf.read`). Two profiles (option ``profile``):

``ngsi-ld`` (default)
    the triples NGSI-LD's JSON-LD semantics define (entity -attr-> attribute node
    with ``ngsi-ld:hasValue`` ...), plus ``mb:json`` literals where those triples
    cannot give the NGSI-LD JSON back (see ``docs/rdf.md``);
``sosa``
    SOSA/SSN observations, GeoSPARQL geometries, OWL-Time instants
    (:mod:`mimbridge.adapters.rdf.sosa`).

Attribute nodes get deterministic skolem IRIs unless ``blank_nodes=True``.

>>> import mimbridge
>>> e = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "t": {"type": "Property", "value": 21}}
>>> nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples", blank_nodes=True).output
>>> print(nt.splitlines()[3])
_:b0 <https://uri.etsi.org/ngsi-ld/hasValue> "21"^^<http://www.w3.org/2001/XMLSchema#integer> .
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, ClassVar

from ...model import Attr, Graph
from ...report import Coerced, ConversionReport
from ..base import Adapter, Capabilities, OptionSpec, option_table
from .profiles import profile_writer
from .session import SESSION
from .syntax import reserialise
from .terms import DEFAULT_PREFIXES, MB, SKOLEM_BASE, canonical_double

__all__ = [
    "MB",
    "SKOLEM_BASE",
    "NQuadsAdapter",
    "NTriplesAdapter",
    "RdfJsonLdAdapter",
    "RdfXmlAdapter",
    "TurtleAdapter",
    "canonical_double",
    "to_rdflib",
    "write_ntriples",
]


def to_rdflib(graph: Graph, **options: Any) -> Any:
    """The graph as an ``rdflib.Graph`` (NGSI-LD profile unless ``profile="sosa"``).

    >>> from mimbridge.model import Attr, Graph, Kind, Node
    >>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 1)]})],
    ...           meta={"ngsi-ld:single": True})
    >>> len(to_rdflib(g))  # type, attribute link, attribute type, value
    4
    """
    import rdflib

    text = write_ntriples(graph, ConversionReport(), **options)
    return rdflib.Graph().parse(data=text, format="nt")


def write_ntriples(graph: Graph, report: ConversionReport, **options: Any) -> str:
    """The graph as N-Triples text in the chosen ``profile`` (see :data:`.profiles.PROFILES`)."""
    profile = options.pop("profile", None) or "ngsi-ld"
    session = SESSION.get()  # within a stream: the writer of the batch before, ready for this one
    cls = profile_writer(profile)
    writer = cls(report, **options) if session is None else session.writer(cls, report, options)
    nt = writer.document(graph)
    if not nt.isascii() and _SURROGATE.search(nt):
        nt = _no_surrogates(nt, graph, report)
    return nt


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(nt: str, graph: Graph, report: ConversionReport) -> str:
    """RDF literals and IRIs are Unicode scalar values: lone surrogates become U+FFFD, each one reported."""
    single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1

    def strings(v: Any, ptr: str) -> Iterator[str]:
        if isinstance(v, str):
            if _SURROGATE.search(v):
                yield ptr
        elif isinstance(v, dict):
            for k, x in v.items():
                key = f"{ptr}/{_esc(str(k))}"
                yield from ([key] if isinstance(k, str) and _SURROGATE.search(k) else strings(x, key))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                yield from strings(x, f"{ptr}/{i}")

    for i, node in enumerate(graph.nodes):
        base = "" if single else f"/{i}"
        for ptr in strings(node.id, base + "/id"):
            report.add(Coerced, ptr, _SURROGATE_MSG, remedy=_SURROGATE_FIX)
        for ptr, a in _instances(node.attrs, base):
            for p in strings(a.value, ptr):
                report.add(Coerced, p, _SURROGATE_MSG, remedy=_SURROGATE_FIX)
    return _SURROGATE.sub("\ufffd", nt)


_SURROGATE_MSG = "a lone surrogate (not a Unicode character) written as U+FFFD: RDF text is Unicode"
_SURROGATE_FIX = "fix the string in the source data"


def _instances(attrs: dict[str, list[Attr]], path: str) -> Iterator[tuple[str, Attr]]:
    for name, instances in attrs.items():
        many = len(instances) > 1
        for i, a in enumerate(instances):
            p = f"{path}/{_esc(name)}" + (f"/{i}" if many else "")
            yield p, a
            if a.attrs:
                yield from _instances(a.attrs, p)


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


#: the instance meta-data the sosa profile writes (observation time, unit, collection, observation IRI)
SOSA_META = frozenset({"observed_at", "unit_code", "dataset_id", "instance_id"})


# -- adapters ----------------------------------------------------------------
class RdfAdapter(Adapter):
    """Base of the RDF syntaxes: the same model mapping, one syntax each."""

    syntax: ClassVar[str] = ""
    capabilities = Capabilities(output="text", media_type="text/turtle")
    options: ClassVar[dict[str, OptionSpec]] = option_table(
        OptionSpec("profile", "ngsi-ld", "RDF profile: ngsi-ld (lossless) or sosa (SOSA/SSN, GeoSPARQL, OWL-Time)"),
        OptionSpec("blank_nodes", False, "attribute nodes as blank nodes instead of skolem IRIs", "write"),
        OptionSpec("skolem_base", SKOLEM_BASE, "prefix of skolem IRIs", "write"),
        OptionSpec("roundtrip", True, "add mb:json annotations that make the way back lossless", "write"),
        OptionSpec("prefixes", None, "extra Turtle / RDF/XML prefixes {prefix: namespace}", "write"),
        OptionSpec("base", None, "base IRI: written as @base, and used to resolve relative IRIs on read"),
        OptionSpec("contexts", None, "offline copies of contexts: {url: dict or path}"),
        OptionSpec("allow_remote", [], "URL prefixes that may be fetched"),
        OptionSpec("core_version", "1.8", "NGSI-LD core context version used where an entity has none"),
    )

    carrying: ClassVar[dict[str, tuple[Any, ...]]] = {
        "profile": ("ngsi-ld", "sosa"), "roundtrip": (True, False), "blank_nodes": (False, True)}

    def capabilities_for(self, options: Mapping[str, Any] | None = None) -> Capabilities:
        opts = options or {}
        if (opts.get("profile") or "ngsi-ld") == "sosa":
            return replace(self.capabilities, typed=False, meta=SOSA_META, nested=False, entity_meta=frozenset(),
                           extras=frozenset(), notes="SOSA/SSN observations, GeoSPARQL, OWL-Time; the rest as plain "
                                                     "triples")
        if opts.get("roundtrip", True) is False:
            return replace(self.capabilities, extras=frozenset(),
                           notes="no round-trip annotations: what JSON-LD triples give back (reported)")
        return self.capabilities

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        from .read import read_rdf

        return read_rdf(data, self.syntax, report=report, **options)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        opts = {k: v for k, v in options.items() if k in WRITER_OPTIONS}
        from .check import rdf_ready  # what RDF cannot hold is reported, never written invalid

        return self.from_ntriples(write_ntriples(rdf_ready(graph, report), report, **opts), **options)

    def from_ntriples(self, nt: str, **options: Any) -> str:
        """N-Triples text (as :func:`write_ntriples` gives it) in this syntax, with the profile's prefixes.

        >>> TurtleAdapter().from_ntriples('<urn:x:1> <https://w3id.org/mimbridge/ns#p> "1" .\\n').splitlines()[0]
        '@prefix mb: <https://w3id.org/mimbridge/ns#> .'
        """
        prefixes = {**DEFAULT_PREFIXES, **(options.get("prefixes") or {})}
        extra = getattr(profile_writer(options.get("profile") or "ngsi-ld"), "prefixes", None)
        if extra:
            prefixes = {**DEFAULT_PREFIXES, **extra, **(options.get("prefixes") or {})}
        return reserialise(nt, self.syntax, prefixes=prefixes, base=options.get("base"))


WRITER_OPTIONS = ("profile", "blank_nodes", "skolem_base", "roundtrip", "contexts", "allow_remote", "loader",
                  "core_version")


class TurtleAdapter(RdfAdapter):
    """``turtle``: RDF 1.1 Turtle."""

    name = "turtle"
    syntax = "turtle"
    capabilities = Capabilities(output="text", media_type="text/turtle",
                                notes="lossless in the ngsi-ld profile")


class NTriplesAdapter(RdfAdapter):
    """``ntriples``: RDF 1.1 N-Triples (the fastest path)."""

    name = "ntriples"
    syntax = "ntriples"
    capabilities = Capabilities(output="text", media_type="application/n-triples",
                                notes="lossless in the ngsi-ld profile")


class NQuadsAdapter(RdfAdapter):
    """``nquads``: RDF 1.1 N-Quads (written in the default graph; named graphs are read into it)."""

    name = "nquads"
    syntax = "nquads"
    capabilities = Capabilities(output="text", media_type="application/n-quads",
                                notes="lossless in the ngsi-ld profile")


class RdfJsonLdAdapter(RdfAdapter):
    """``rdf-jsonld``: the RDF graph as expanded JSON-LD (read: remote contexts resolved offline only)."""

    name = "rdf-jsonld"
    syntax = "rdf-jsonld"
    capabilities = Capabilities(output="text", media_type="application/ld+json",
                                notes="RDF graph as JSON-LD; lossless in the ngsi-ld profile")


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class RdfXmlAdapter(RdfAdapter):
    """``rdfxml``: RDF/XML."""

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        out = super().write(graph, report=report, **options)
        if _XML_FORBIDDEN.search(out):  # XML 1.0 cannot hold control characters: said, not written broken
            report.add(Coerced, "", "control characters XML 1.0 cannot hold are written as U+FFFD",
                       remedy="use turtle, ntriples or rdf-jsonld to keep them")
            out = _XML_FORBIDDEN.sub("\ufffd", out)
        return out

    name = "rdfxml"
    syntax = "rdfxml"
    capabilities = Capabilities(output="text", media_type="application/rdf+xml",
                                notes="lossless in the ngsi-ld profile")
