"""Where the resolver finds its descriptions: an RDF store with one named graph per source.

:class:`TripleStore` is the interface; :class:`OxigraphStore` keeps the data
in an embedded persistent pyoxigraph store (``Store(path)``, or in memory),
:class:`SparqlStore` in a remote SPARQL 1.1 endpoint (Query + Update over
HTTP). :func:`open_store` picks one from a location (a folder, or an
``http(s)://`` endpoint URL) and :func:`load` converts data with mimbridge
and replaces one named graph with the result.

A description is the concise bounded description of a subject: its triples
plus, recursively, those of the blank nodes it points to (NGSI-LD attributes
are blank nodes), over the union of all named graphs. Skolem IRIs (RDF 1.1
``.../.well-known/genid/...``, which mimbridge's RDF writer gives attribute
nodes) count as blank nodes and are returned as blank nodes. No query text is ever
built from unchecked input: IRIs are validated (pyoxigraph's IRI parser plus a
refusal of every character that could end an ``<...>`` term) before they go
into a query; the embedded store takes terms, not query text.

>>> store = OxigraphStore()
>>> load(store, {"id": "urn:ngsi-ld:Room:1", "type": "Room", "t": {"type": "Property", "value": 21}},
...      source="ngsi-ld", graph="urn:example:rooms").triples
4
>>> sorted(t.predicate.value for t in store.describe(["urn:ngsi-ld:Room:1"]))  # doctest: +NORMALIZE_WHITESPACE
['http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type',
 'https://uri.etsi.org/ngsi-ld/default-context/t', 'https://uri.etsi.org/ngsi-ld/hasValue']
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import MimbridgeError, ResolutionError
from ..report import ConversionReport

__all__ = ["LoadResult", "OxigraphStore", "SparqlStore", "TripleStore", "load", "open_store", "parse_triples",
           "to_ntriples"]

#: how many attribute levels (attribute, sub-attribute, ...) a referrer may sit above the link
REFERRER_DEPTH = 8
REFERRER_DEPTH_SPARQL = 3
GENID = "/.well-known/genid/"
MAX_DEPTH = 64
_IRI_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|^`\\]")


def checked_iri(iri: str) -> ox.NamedNode:
    """``iri`` as a NamedNode, or ResolutionError if it is not an absolute IRI safe inside ``<...>``.

    >>> checked_iri("urn:a> ?p ?o")
    Traceback (most recent call last):
    ...
    mimbridge.errors.ResolutionError: not an IRI: 'urn:a> ?p ?o'
    """
    if not isinstance(iri, str) or _IRI_UNSAFE.search(iri):
        raise ResolutionError(f"not an IRI: {iri!r}")
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ResolutionError(f"not an IRI: {iri!r} ({exc})") from exc


def is_node_stand_in(term: Any) -> bool:
    """True for blank nodes and skolem IRIs (``.../.well-known/genid/...``)."""
    return isinstance(term, ox.BlankNode) or (isinstance(term, ox.NamedNode) and GENID in term.value)


def deskolemise(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Turn skolem IRIs back into blank nodes (the same IRI always gives the same label).

    >>> t = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("https://ex.org/.well-known/genid/x1"))
    >>> type(deskolemise([t])[0].object).__name__
    'BlankNode'
    """
    triples = list(triples)
    if not any(GENID in t.subject.value or GENID in t.object.value for t in triples  # type: ignore[union-attr]
               if isinstance(t.object, ox.NamedNode) or isinstance(t.subject, ox.NamedNode)):
        return triples
    names: dict[str, ox.BlankNode] = {}

    def un(term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and GENID in term.value:
            hit = names.get(term.value)
            if hit is None:
                hit = names[term.value] = ox.BlankNode(
                    "g" + hashlib.blake2b(term.value.encode("utf-8"), digest_size=13).hexdigest())
            return hit
        return term

    return [ox.Triple(un(t.subject), t.predicate, un(t.object)) for t in triples]


class TripleStore(ABC):
    """What the resolver needs from a store. Terms are pyoxigraph terms."""

    #: True when calls block on the network (the service then runs them in a thread pool).
    remote: bool = False

    @abstractmethod
    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace the named graph ``graph`` with ``triples``; returns the number of triples."""

    def replace_graph_text(self, graph: str, text: str, fmt: ox.RdfFormat) -> int:
        """:meth:`replace_graph` from RDF text (N-Triples, Turtle, RDF/XML); blank nodes kept apart per load."""
        return self.replace_graph(graph, parse_triples(text, fmt))

    @abstractmethod
    def describe(self, iris: Sequence[str]) -> list[ox.Triple]:
        """The concise bounded description of the subjects ``iris`` over all named graphs."""

    @abstractmethod
    def first_subject(self, iris: Sequence[str]) -> str | None:
        """The first of ``iris`` that is the subject of a triple, else None."""

    @abstractmethod
    def referrers(self, iri: str, *, limit: int = 100) -> list[tuple[str, str]]:
        """``(subject, predicate)`` of things that point to ``iri``, directly or through attribute nodes
        (NGSI-LD ``subject -predicate-> _:b . _:b ngsi-ld:hasObject <iri>``, and sub-attributes)."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """Names of the named graphs (sorted)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""

    def __enter__(self) -> TripleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class OxigraphStore(TripleStore):
    """Embedded pyoxigraph store: persistent in ``path`` (a folder), in memory when ``path`` is None.

    ``read_only=True`` opens an existing store without taking its write lock (several resolver
    processes may read one store).
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise ResolutionError(f"no store at {self.path}")
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.store = ox.Store(str(self.path))
        except OSError as exc:
            raise ResolutionError(f"cannot open store {self.path}: {exc}") from exc

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        g = checked_iri(graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)
        self.store.add_graph(g)
        self.store.extend(quads)
        self.store.flush()
        return len(quads)

    def replace_graph_text(self, graph: str, text: str, fmt: ox.RdfFormat) -> int:
        if fmt not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
            return super().replace_graph_text(graph, text, fmt)
        g = checked_iri(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)
        self.store.add_graph(g)
        try:  # parsed natively; pyoxigraph gives the blank nodes of each load fresh ids
            self.store.load(text, format=fmt, to_graph=g)
        except SyntaxError as exc:
            raise MimbridgeError(f"converted data is not valid RDF: {exc}") from exc
        self.store.flush()
        if fmt is ox.RdfFormat.N_TRIPLES:
            return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, g))

    def describe(self, iris: Sequence[str], *, exclude: Iterable[str] = ()) -> list[ox.Triple]:
        """As :meth:`TripleStore.describe`, leaving out the named graphs ``exclude``."""
        skip = {ox.NamedNode(g) for g in exclude}
        seen: set[ox.Triple] = set()
        out: list[ox.Triple] = []
        frontier: list[Any] = [checked_iri(i) for i in iris]
        visited: set[Any] = set(frontier)
        for _ in range(MAX_DEPTH):
            nxt: list[Any] = []
            for s in frontier:
                for q in self.store.quads_for_pattern(s, None, None, None):
                    if skip and q.graph_name in skip:
                        continue
                    t = q.triple
                    if t in seen:
                        continue
                    seen.add(t)
                    out.append(t)
                    o = t.object
                    if is_node_stand_in(o) and o not in visited:
                        visited.add(o)
                        nxt.append(o)
            if not nxt:
                break
            frontier = nxt
        return deskolemise(out)

    def first_subject(self, iris: Sequence[str], *, exclude: Iterable[str] = ()) -> str | None:
        """As :meth:`TripleStore.first_subject`, leaving out the named graphs ``exclude``."""
        skip = {ox.NamedNode(g) for g in exclude}
        for iri in iris:
            try:
                node = checked_iri(iri)
            except ResolutionError:
                continue
            quads = self.store.quads_for_pattern(node, None, None, None)
            if skip:
                if any(q.graph_name not in skip for q in quads):
                    return iri
            elif next(iter(quads), None) is not None:
                return iri
        return None

    def referrers(self, iri: str, *, limit: int = 100,
                  exclude: Callable[[str, str], bool] | None = None) -> list[tuple[str, str]]:
        """As :meth:`TripleStore.referrers`; ``exclude(subject, graph)`` leaves out what a graph says of a
        subject (the resolver's staged records stand for it)."""
        target = checked_iri(iri)
        out: list[tuple[str, str]] = []
        for q in self.store.quads_for_pattern(None, None, target, None):
            found: list[tuple[str, str]] = []
            self._owners(q.subject, q.predicate, q.graph_name, found, 0)
            graph = getattr(q.graph_name, "value", "")
            out += [f for f in found if exclude is None or not exclude(f[0], graph)]
            if len(out) >= limit:
                break
        return sorted(set(out))[:limit]

    def _owners(self, node: Any, predicate: Any, graph: Any, out: list[tuple[str, str]], depth: int) -> None:
        """Climb from an attribute node up to the entity that holds it."""
        if not is_node_stand_in(node):
            out.append((node.value, predicate.value))
            return
        if depth >= REFERRER_DEPTH:
            return
        for up in self.store.quads_for_pattern(None, None, node, graph):
            self._owners(up.subject, up.predicate, graph, out, depth + 1)


    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def optimize(self) -> None:
        """Compact the on-disk store (worth it after large loads: faster look-ups)."""
        if self.path is not None and not self.read_only:
            self.store.optimize()

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if self.store is not None and self.path is not None and not self.read_only:
            self.store.flush()
        self.store = None  # type: ignore[assignment]


def referrers_in(triples: Sequence[ox.Triple], iri: str) -> list[tuple[str, str]]:
    """``(subject, predicate)`` of the things in ``triples`` that point to ``iri``, climbing from attribute
    nodes to their entity as :meth:`OxigraphStore.referrers` does.

    >>> n, b = ox.NamedNode, ox.BlankNode("a")
    >>> referrers_in([ox.Triple(n("urn:e"), n("urn:rel"), b),
    ...               ox.Triple(b, n("https://uri.etsi.org/ngsi-ld/hasObject"), n("urn:t"))], "urn:t")
    [('urn:e', 'urn:rel')]
    """
    store = OxigraphStore()  # in memory: the store's own climb, over these triples alone
    store.store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store.referrers(iri, limit=len(triples) + 1)


def _fetch(url: str, data: dict[str, str], accept: str, timeout: float) -> bytes:
    body = urllib.parse.urlencode(data).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - configured endpoint
        "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - configured endpoint
            return resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace")
        raise ResolutionError(f"SPARQL endpoint {url} answered {exc.code}: {detail}") from exc
    except OSError as exc:
        raise ResolutionError(f"SPARQL endpoint {url} unreachable: {exc}") from exc


class SparqlStore(TripleStore):
    """A remote SPARQL 1.1 endpoint (``query_url``; ``update_url`` for :meth:`replace_graph`).

    Blank nodes cannot be addressed across requests, so loading replaces them with
    skolem IRIs under ``genid_base`` (``.../.well-known/genid/``) and descriptions turn
    those back into blank nodes. Only the configured URLs are ever contacted.
    """

    remote = True

    def __init__(self, query_url: str, update_url: str | None = None, *,
                 genid_base: str = "https://id.example.city/.well-known/genid/", timeout: float = 10.0) -> None:
        for u in (query_url, update_url):
            if u is not None and not u.startswith(("http://", "https://")):
                raise ResolutionError(f"SPARQL endpoint must be an http(s) URL, not {u!r}")
        self.query_url = query_url
        self.update_url = update_url
        self.genid_base = checked_iri(genid_base).value
        if GENID not in self.genid_base:
            raise ResolutionError(f"genid_base must contain {GENID!r}: {genid_base!r}")
        self.timeout = timeout

    def _construct(self, query: str) -> list[ox.Triple]:
        raw = _fetch(self.query_url, {"query": query}, "application/n-triples", self.timeout)
        try:
            return list(ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise ResolutionError(f"SPARQL endpoint {self.query_url} sent invalid N-Triples: {exc}") from exc

    def _select(self, query: str) -> list[dict[str, Any]]:
        import json

        raw = _fetch(self.query_url, {"query": query}, "application/sparql-results+json", self.timeout)
        try:
            return json.loads(raw)["results"]["bindings"]
        except (ValueError, KeyError) as exc:
            raise ResolutionError(f"SPARQL endpoint {self.query_url} sent invalid results: {exc}") from exc

    def _update(self, update: str) -> None:
        if self.update_url is None:
            raise ResolutionError("this SPARQL store has no update URL: it is read-only")
        _fetch(self.update_url, {"update": update}, "*/*", self.timeout)

    def _skolem(self, term: Any, names: dict[Any, ox.NamedNode]) -> Any:
        if isinstance(term, ox.BlankNode):
            if term not in names:
                names[term] = ox.NamedNode(self.genid_base + uuid.uuid4().hex)
            return names[term]
        return term

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        g = checked_iri(graph)
        names: dict[Any, ox.NamedNode] = {}
        sk = [ox.Triple(self._skolem(t.subject, names), t.predicate, self._skolem(t.object, names)) for t in triples]
        body = ox.serialize(sk, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")  # type: ignore[union-attr]
        self._update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")
        return len(sk)

    def describe(self, iris: Sequence[str]) -> list[ox.Triple]:
        frontier = [checked_iri(i) for i in iris]
        visited = set(frontier)
        seen: set[ox.Triple] = set()
        out: list[ox.Triple] = []
        for _ in range(MAX_DEPTH):
            if not frontier:
                break
            values = " ".join(str(n) for n in frontier)
            triples = self._construct("CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { " + values + " } "
                                      "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
            nxt = []
            for t in triples:
                if t not in seen:
                    seen.add(t)
                    out.append(t)
                if is_node_stand_in(t.object) and isinstance(t.object, ox.NamedNode) and t.object not in visited:
                    visited.add(t.object)
                    nxt.append(t.object)
            frontier = nxt
        return deskolemise(out)

    def first_subject(self, iris: Sequence[str]) -> str | None:
        nodes = []
        for iri in iris:
            try:
                nodes.append(checked_iri(iri))
            except ResolutionError:
                continue
        if not nodes:
            return None
        values = " ".join(str(n) for n in nodes)
        rows = self._select("SELECT DISTINCT ?s WHERE { VALUES ?s { " + values + " } "
                            "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        present = {r["s"]["value"] for r in rows if "s" in r}
        return next((n.value for n in nodes if n.value in present), None)

    def referrers(self, iri: str, *, limit: int = 100) -> list[tuple[str, str]]:
        target = str(checked_iri(iri))
        genid = _literal(GENID)

        def stand_in(v: str) -> str:
            return f"(isBlank({v}) || CONTAINS(STR({v}), {genid}))"

        branches = []
        for depth in range(REFERRER_DEPTH_SPARQL + 1):
            hops = ["?s ?p " + ("?b1" if depth else target)]
            hops += [f"?b{i} ?q{i} " + (f"?b{i + 1}" if i < depth else target) for i in range(1, depth + 1)]
            filters = " && ".join(stand_in(f"?b{i}") for i in range(1, depth + 1))
            branches.append("{ " + " . ".join(hops) + (f" FILTER({filters})" if filters else "") + " }")
        rows = self._select(
            "SELECT DISTINCT ?s ?p WHERE { GRAPH ?g { " + " UNION ".join(branches) + " } "
            "FILTER(isIRI(?s) && !CONTAINS(STR(?s), " + genid + ")) } "
            f"ORDER BY ?s ?p LIMIT {int(limit)}")
        return [(r["s"]["value"], r["p"]["value"]) for r in rows]

    def graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"]["value"] for r in rows)


def _literal(text: str) -> str:
    """A SPARQL string literal (pyoxigraph escapes it)."""
    return str(ox.Literal(text))


def open_store(location: str | Path, *, read_only: bool = False, update_url: str | None = None,
               genid_base: str | None = None) -> TripleStore:
    """The store at ``location``: an ``http(s)://`` SPARQL query URL, or a folder (embedded store).

    >>> isinstance(open_store("http://127.0.0.1:7878/query"), SparqlStore)
    True
    """
    text = str(location)
    if text.startswith(("http://", "https://")):
        kw: dict[str, Any] = {} if genid_base is None else {"genid_base": genid_base}
        return SparqlStore(text, None if read_only else (update_url or _update_url_of(text)), **kw)
    return OxigraphStore(Path(text), read_only=read_only)


def _update_url_of(query_url: str) -> str:
    """``.../query`` -> ``.../update`` (Oxigraph, Fuseki); other URLs are used for both."""
    return query_url[: -len("query")] + "update" if query_url.endswith("/query") else query_url


@dataclass(slots=True)
class LoadResult:
    """What :func:`load` did: the named ``graph``, its number of ``triples`` and the conversion ``report``."""

    graph: str
    triples: int
    report: ConversionReport


_RDF_TEXT = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML,
             "nquads": ox.RdfFormat.N_QUADS}


def to_ntriples(data: Any, *, source: str, **options: Any) -> tuple[str, ConversionReport]:
    """Convert ``data`` from ``source`` to N-Triples text with mimbridge.

    Uses the registered ``ntriples`` format when there is one; otherwise converts to
    NGSI-LD and runs pyld's ``to_rdf`` with mimbridge's offline context loader (no fetch).
    """
    from .. import registry
    from ..convert import convert

    if "ntriples" in registry.available():
        options.setdefault("roundtrip", False)  # the JSON-LD triples only, no mimbridge annotations
        # blank attribute nodes: deterministic skolem IRIs would merge the attribute nodes of one entity
        # described by several sources (named graphs); stores rename blank nodes per load instead
        options.setdefault("blank_nodes", True)
        result = convert(data, source=source, target="ntriples", **options)
        return result.output, result.report
    from pyld import jsonld

    from ..contexts.core import DEFAULT_CORE_VERSION, core_context_url
    from ..contexts.loader import ContextLoader

    options.setdefault("out_context", core_context_url(DEFAULT_CORE_VERSION))
    result = convert(data, source=source, target="ngsi-ld", **options)
    loader = options.get("loader") or ContextLoader(documents=options.get("contexts"))
    nquads = jsonld.to_rdf(result.output, {"format": "application/n-quads", "documentLoader": loader})
    return nquads, result.report


def parse_triples(text: str, fmt: Any) -> list[ox.Triple]:
    """The triples of RDF ``text`` in ``fmt`` (blank nodes renamed apart from every other parse)."""
    try:
        return [q.triple if isinstance(q, ox.Quad) else q
                for q in ox.parse(text, format=fmt, rename_blank_nodes=True)]
    except SyntaxError as exc:
        raise MimbridgeError(f"converted data is not valid RDF: {exc}") from exc


def source_graph(path: str | Path) -> str:
    """The default named graph of a source file: its absolute ``file:`` URI.

    >>> source_graph("/data/rooms.jsonld")
    'file:///data/rooms.jsonld'
    """
    return Path(path).resolve().as_uri()


def load(store: TripleStore, data: Any, *, source: str, graph: str | None = None, **options: Any) -> LoadResult:
    """Convert ``data`` (format ``source``) and replace the named graph ``graph`` with it.

    ``graph`` defaults to the ``file:`` URI of ``data`` when it is a ``Path``. RDF sources
    (``ntriples``, ``turtle``, ``rdfxml``, ``nquads`` as text or path) go in unconverted when
    mimbridge has no adapter for them. Other ``options`` go to :func:`mimbridge.convert`.
    """
    from .. import registry

    if graph is None:
        if not isinstance(data, os.PathLike):
            raise ResolutionError("load needs graph= (a named-graph IRI) unless data is a file path")
        graph = source_graph(data)  # type: ignore[arg-type]
    if source in _RDF_TEXT and source not in registry.available():
        text = Path(data).read_text(encoding="utf-8") if isinstance(data, os.PathLike) else str(data)
        fmt = _RDF_TEXT[source]
        report = ConversionReport(source=source, target=source)
    else:
        text, report = to_ntriples(data, source=source, **options)
        fmt = ox.RdfFormat.N_TRIPLES  # mimbridge writes triples only (no named graphs)
    return LoadResult(graph, store.replace_graph_text(graph, text, fmt), report)
