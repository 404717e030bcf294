"""Re-serialising N-Triples into the other RDF syntaxes (pyoxigraph)."""

from __future__ import annotations

from typing import Any

__all__ = ["ox_format", "reserialise"]


def ox_format(name: str) -> Any:
    import pyoxigraph as ox

    return {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
            "rdf-jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[name]


def reserialise(nt: str, fmt: str, *, prefixes: dict[str, str] | None = None, base: str | None = None) -> str:
    """N-Triples text re-serialised as ``fmt`` (pyoxigraph), with prefixes and base IRI where it has them.

    >>> print(reserialise('<http://ex.org/s> <http://ex.org/p> "1" .\\n', "turtle", prefixes={"ex": "http://ex.org/"}),
    ...       end="")
    @prefix ex: <http://ex.org/> .
    ex:s ex:p "1" .
    """
    if fmt in ("ntriples", "nquads"):
        return nt
    import pyoxigraph as ox

    quads = ox.parse(nt, ox.RdfFormat.N_TRIPLES)
    triples = [q.triple for q in quads]
    if fmt == "rdf-jsonld":
        return bytes(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"").decode("utf-8")
    if fmt == "rdfxml":
        from .rdfxml import check_predicates

        check_predicates({t.predicate.value for t in triples})  # what RDF/XML cannot hold is said, not written
    used = _used_prefixes(nt, prefixes or {})
    data = ox.serialize(triples, format=ox_format(fmt), prefixes=used, base_iri=base)
    return bytes(data or b"").decode("utf-8")


def _used_prefixes(nt: str, prefixes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in sorted(prefixes.items()) if f"<{v}" in nt}


