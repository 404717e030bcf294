"""SPARQL 1.1 endpoints: read entities page by page, write N-Triples / N-Quads, query with safe bindings.

* :class:`SparqlSource` (``sparql+http://host/query``) yields pages of
  entities as N-Triples (format ``ntriples``). An *entity* is an IRI subject
  that is not a skolem IRI (under ``skolem_base``); a page holds the triples
  of ``page_size`` entities, taken in a stable order (``ORDER BY``) with
  ``LIMIT``/``OFFSET``, together with their attribute nodes: the skolem IRIs
  mimbridge's RDF writer derives from the entity id and the blank nodes
  reachable from them (values, geometries). ``Page.url`` / ``next_link`` are
  the URLs of the ``SELECT`` that lists the entities of a page, so a
  checkpoint resumes at the right page. With ``query=`` (a ``CONSTRUCT``),
  pages are that query's triples, ``LIMIT``/``OFFSET`` appended (give it an
  ``ORDER BY`` for stable pages; blank-node structures may straddle pages).
* :class:`SparqlSink` writes N-Triples (or N-Quads) with SPARQL Update
  (``method="update"``, the default: per batch of entities one request that
  deletes what the graph holds about them and inserts them, an idempotent
  upsert that is safe to retry and to replay) or the Graph Store HTTP
  Protocol (``method="gsp"``: ``POST /store?graph=...``; retried after a
  dropped response only when the batch has no blank nodes, since a second
  POST would duplicate them). Terms are serialised by pyoxigraph, never
  pasted from the input text. Written ids are the entity IRIs; entities in
  ``skip`` are not written again.
* :func:`select` / :func:`construct` run a query with ``bindings``: values
  become SPARQL terms (IRIs validated, literals escaped) in a ``VALUES``
  block that opens the WHERE group, never text pasted into the query.

>>> term("say \\"hi\\" } ; DROP ALL #")
'"say \\\\"hi\\\\" } ; DROP ALL #"'
>>> term(iri("urn:ngsi-ld:Room:1")), term(21), term(None)
('<urn:ngsi-ld:Room:1>', '"21"^^<http://www.w3.org/2001/XMLSchema#integer>', 'UNDEF')
>>> iri("urn:x> } ; DROP ALL #")
Traceback (most recent call last):
...
ValueError: not an absolute IRI: 'urn:x> } ; DROP ALL #' (Invalid IRI code point '>')
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from ..adapters.rdf.terms import SKOLEM_BASE, canonical_double
from ..errors import CapabilityError, ConnectorError, OptionError, ParseError
from ..options import check_options
from .base import Page, WriteResult
from .http import HttpClient

__all__ = [
    "SparqlSink", "SparqlSource", "construct", "iri", "open_sink", "open_source", "select", "term",
]

_NGSI = "https://uri.etsi.org/ngsi-ld/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOUBLE = re.compile(r'"([-+0-9.eE]+)"\^\^<http://www\.w3\.org/2001/XMLSchema#double>')
_PAGE = re.compile(r"\sLIMIT (\d+) OFFSET (\d+)\s*\Z")
_MEDIA = {"ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
          "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS)}
#: Predicates not followed from an attribute node: they lead to other entities or to classes. ``hasObjectList``
#: is followed: its object is the RDF list (blank nodes) whose items hold the ``hasObject`` references.
_NOT_FOLLOWED = f"!(<{_NGSI}hasObject>|<{_RDF_TYPE}>)"


# -- terms and bindings --------------------------------------------------------

def iri(value: str) -> ox.NamedNode:
    """An IRI term, validated (absolute, no ``<>"{}|^`\\`` or spaces); ``ValueError`` otherwise.

    >>> iri("https://example.org/a")
    <NamedNode value=https://example.org/a>
    """
    try:
        return ox.NamedNode(str(value))
    except ValueError as exc:
        raise ValueError(f"not an absolute IRI: {value!r} ({exc})") from None


def term(value: Any) -> str:
    """``value`` as a SPARQL term: IRIs from :func:`iri` / ``rdflib.URIRef``, typed literals otherwise.

    ``str`` is a plain literal (wrap IRIs with :func:`iri`); ``bool``, ``int``,
    ``float``, ``datetime``/``date`` get their XSD datatype; ``None`` is
    ``UNDEF``. pyoxigraph and rdflib literals keep their datatype / language.

    >>> term(True), term(_dt.date(2024, 1, 2))
    ('"true"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date>')
    """
    if value is None:
        return "UNDEF"
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)
    if isinstance(value, ox.BlankNode):
        raise ValueError("a blank node cannot be bound in a query")
    kind = type(value).__module__.split(".")[0]
    if kind == "rdflib":
        name = type(value).__name__
        if name == "URIRef":
            return str(iri(str(value)))
        if name == "Literal":
            dt = getattr(value, "datatype", None)
            lang = getattr(value, "language", None)
            return str(ox.Literal(str(value), datatype=iri(str(dt)) if dt else None, language=lang or None))
        raise ValueError(f"cannot bind {name} {value!r}")
    if isinstance(value, bool | int | float):
        return str(ox.Literal(value))
    if isinstance(value, _dt.datetime):
        return str(ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "dateTime")))
    if isinstance(value, _dt.date):
        return str(ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "date")))
    if isinstance(value, str):
        return str(ox.Literal(value))
    raise ValueError(f"cannot bind a {type(value).__name__} as a SPARQL term")


_LEX = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*'
    r'|(?P<word>[A-Za-z]+)|(?P<brace>[{}])|[\s\S]'
)


def _where_brace(query: str) -> int:
    """Index just after the ``{`` that opens the query's top-level WHERE group (strings, IRIs, comments skipped)."""
    depth = 0
    seen_where = construct = False
    first_word = None
    top_braces = 0
    for m in _LEX.finditer(query):
        word, brace = m.group("word"), m.group("brace")
        if word and depth == 0:
            w = word.upper()
            if first_word is None and w not in ("PREFIX", "BASE"):
                first_word = w
                construct = w == "CONSTRUCT"
            if w == "WHERE":
                seen_where = True
        elif brace == "{":
            if depth == 0:
                top_braces += 1
                if construct and seen_where and top_braces == 1:
                    raise ValueError("bind values in the CONSTRUCT {template} WHERE {pattern} form, "
                                     "not in CONSTRUCT WHERE {...}")
                if seen_where or not construct or top_braces == 2:
                    return m.end()
            depth += 1
        elif brace == "}":
            depth -= 1
    raise ValueError("the query has no WHERE group to bind values in")


def bind(query: str, bindings: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None) -> str:
    """``query`` with a ``VALUES`` block (one row per mapping) opening its WHERE group.

    The values join the WHERE pattern before grouping, ordering and
    projection, so bound variables work with aggregates and ``LIMIT``.

    >>> bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": "x"})
    'SELECT ?s WHERE { VALUES (?o) { ("x") } ?s ?p ?o }'
    """
    if not bindings:
        return query
    rows = [bindings] if isinstance(bindings, Mapping) else list(bindings)
    names = sorted({k for row in rows for k in row})
    for name in names:
        if not isinstance(name, str) or not _VAR.match(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    body = " ".join("(" + " ".join(term(row.get(n)) for n in names) + ")" for row in rows)
    at = _where_brace(query)
    return f"{query[:at]} VALUES ({' '.join('?' + n for n in names)}) {{ {body} }}{query[at:]}"


def _run(http: HttpClient, url: str, query: str, accept: str) -> str:
    response = http.request("POST", url, content=query.encode("utf-8"), idempotent=True,
                            headers={"Content-Type": "application/sparql-query", "Accept": accept})
    return response.text


def select(url: str, query: str, *, http: HttpClient | None = None,
           bindings: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Run a ``SELECT`` (``bindings`` bound safely); rows map variable names to pyoxigraph terms."""
    http = http or HttpClient()
    text = _run(http, url, bind(query, bindings), "application/sparql-results+json")
    try:
        results = ox.parse_query_results(text.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise ConnectorError(f"not SPARQL JSON results: {exc}", url=url, body=text[:200]) from exc
    names = [v.value for v in results.variables]  # type: ignore[union-attr]
    return [{n: row[n] for n in names if row[n] is not None} for row in results]  # type: ignore[union-attr]


def construct(url: str, query: str, *, http: HttpClient | None = None,
              bindings: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> str:
    """Run a ``CONSTRUCT`` / ``DESCRIBE`` (``bindings`` bound safely); return N-Triples text."""
    return _run(http or HttpClient(), url, bind(query, bindings), "application/n-triples")


def canonical_doubles(text: str) -> str:
    """N-Triples with ``xsd:double`` literals in the canonical lexical form mimbridge's writer uses.

    Stores keep doubles as numbers and answer ``"73.3"`` for the ``"7.33E1"``
    that was written: the same value, which this gives back its written form.

    >>> canonical_doubles('<urn:a> <urn:p> "73.3"^^<http://www.w3.org/2001/XMLSchema#double> .')
    '<urn:a> <urn:p> "7.33E1"^^<http://www.w3.org/2001/XMLSchema#double> .'
    """
    def fix(m: re.Match[str]) -> str:
        try:
            f = float(m.group(1))
        except ValueError:
            return m.group(0)
        if f != f or f in (float("inf"), float("-inf")) or f.is_integer():
            return m.group(0)
        return f'"{canonical_double(f)}"^^<{_XSD}double>'
    return _DOUBLE.sub(fix, text) if "XMLSchema#double" in text else text


# -- entity descriptions ---------------------------------------------------------

def skolem_prefix(entity_id: str, *, base: str = SKOLEM_BASE) -> str:
    """Prefix of the skolem IRIs mimbridge's RDF writer gives the attribute nodes of ``entity_id``.

    >>> skolem_prefix("urn:ngsi-ld:Room:1").startswith(SKOLEM_BASE)
    True
    """
    return base + hashlib.blake2b(entity_id.encode(), digest_size=9).hexdigest() + "-"


def _in_graph(graph: str | None, pattern: str) -> str:
    return f"GRAPH {term(iri(graph))} {{ {pattern} }}" if graph else pattern


def _description(ids: Sequence[str], graph: str | None, base: str) -> str:
    """Pattern binding ?s ?p ?o to the triples of the entities ``ids`` and of their attribute nodes."""
    rows = " ".join(f"({term(iri(e))} {term(skolem_prefix(e, base=base))})" for e in ids)
    values = f"VALUES (?e ?pre) {{ {rows} }}"  # inside each branch: a FILTER sees only its own group
    inner = (
        f"{{ {values} ?e ?p ?o BIND(?e AS ?s) }} UNION "
        f"{{ {values} ?e ?p0 ?k FILTER(isBlank(?k) || STRSTARTS(STR(?k), ?pre)) "
        f"?k {_NOT_FOLLOWED}* ?s FILTER(isBlank(?s) || STRSTARTS(STR(?s), ?pre)) ?s ?p ?o }}"
    )
    return _in_graph(graph, inner)


def _sibling(url: str, name: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    path = f"{head}/{name}" if last in ("query", "update", "store", "sparql") else f"{path}/{name}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


# -- source ----------------------------------------------------------------------

class SparqlSource:
    """Pages of entities (N-Triples) from a SPARQL query endpoint; see the module docstring.

    >>> import httpx
    >>> def server(request):
    ...     if b"SELECT" in request.url.query.upper() or b"SELECT" in request.content.upper():
    ...         return httpx.Response(200, json={"head": {"vars": ["e"]}, "results": {"bindings": [
    ...             {"e": {"type": "uri", "value": "urn:ngsi-ld:Room:1"}}]}})
    ...     return httpx.Response(200, text='<urn:ngsi-ld:Room:1> <urn:p> "21" .\\n')
    >>> src = SparqlSource("http://rdf.test/query", http=HttpClient(transport=httpx.MockTransport(server)))
    >>> page = next(src.pages())
    >>> page.count, page.next_link, page.payload.split()[0]
    (1, None, '<urn:ngsi-ld:Room:1>')
    """

    format = "ntriples"

    def __init__(self, url: str, *, http: HttpClient | None = None, query: str | None = None,
                 graph: str | None = None, page_size: int = 100, skolem_base: str = SKOLEM_BASE) -> None:
        if page_size < 1:
            raise OptionError(f"page_size must be >= 1, got {page_size}", name="page_size")
        self.url = url
        self.http = http or HttpClient()
        self.query = query
        self.graph = graph
        self.page_size = page_size
        self.skolem_base = skolem_base
        if graph is not None:
            iri(graph)

    def page_url(self, offset: int) -> str:
        """URL of the query that gives the page at ``offset``."""
        if self.query is not None:
            text = f"{self.query.rstrip()}\nLIMIT {self.page_size} OFFSET {offset}"
        else:
            pattern = _in_graph(self.graph, f"?e ?p ?o FILTER(isIRI(?e) && !STRSTARTS(STR(?e), "
                                            f"{term(self.skolem_base)}))")
            text = (f"SELECT DISTINCT ?e WHERE {{ {pattern} }} ORDER BY ?e\n"
                    f"LIMIT {self.page_size + 1} OFFSET {offset}")
        sep = "&" if urlsplit(self.url).query else "?"
        return f"{self.url}{sep}{urlencode({'query': text})}"

    def _offset(self, link: str) -> int:
        query = dict(parse_qsl(urlsplit(link).query)).get("query", "")
        m = _PAGE.search(query)
        if not link.startswith(self.url) or m is None:
            raise ParseError("not a page link of this SPARQL source", pointer=link,
                             expected=f"a link made by this source for {self.url}")
        return int(m.group(2))

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield pages from the first (or from ``start``, a next link saved in a checkpoint)."""
        offset = 0 if start is None else self._offset(start)
        while True:
            url = self.page_url(offset)
            if self.query is not None:
                text = canonical_doubles(self.http.get(url, headers={"Accept": "application/n-triples"}).text)
                n = sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
                more = n >= self.page_size
                offset += self.page_size
                yield Page(text, url=url, next_link=self.page_url(offset) if more else None, count=n)
                if not more:
                    return
                continue
            ids = self._ids(url)
            more = len(ids) > self.page_size
            ids = ids[: self.page_size]
            offset += self.page_size
            text = self._describe(ids) if ids else ""
            yield Page(text, url=url, next_link=self.page_url(offset) if more else None, count=len(ids))
            if not more:
                return

    def _ids(self, url: str) -> list[str]:
        text = self.http.get(url, headers={"Accept": "application/sparql-results+json"}).text
        try:
            rows = ox.parse_query_results(text.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
            return [row["e"].value for row in rows if row["e"] is not None]  # type: ignore[union-attr]
        except (SyntaxError, ValueError) as exc:
            raise ConnectorError(f"not SPARQL JSON results: {exc}", url=url, body=text[:200]) from exc

    def _describe(self, ids: Sequence[str]) -> str:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_description(ids, self.graph, self.skolem_base)} }}"
        return canonical_doubles(_run(self.http, self.url, query, "application/n-triples"))


# -- sink ------------------------------------------------------------------------

def _group(quads: list[ox.Quad], base: str) -> dict[str, list[ox.Quad]]:
    """Quads by root entity IRI ("" for quads reachable from no entity)."""
    children: dict[Any, list[Any]] = {}
    by_subject: dict[Any, list[ox.Quad]] = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
        o = q.object
        if isinstance(o, ox.BlankNode) or (isinstance(o, ox.NamedNode) and o.value.startswith(base)):
            children.setdefault(q.subject, []).append(o)
    owner: dict[Any, str] = {}
    for s in by_subject:
        if isinstance(s, ox.NamedNode) and not s.value.startswith(base):
            owner[s] = s.value
    stack = list(owner)
    while stack:
        s = stack.pop()
        for child in children.get(s, ()):
            if child not in owner:
                owner[child] = owner[s]
                stack.append(child)
    groups: dict[str, list[ox.Quad]] = {}
    for s, qs in by_subject.items():
        groups.setdefault(owner.get(s, ""), []).extend(qs)
    return groups


class SparqlSink:
    """Writes N-Triples / N-Quads text to a SPARQL endpoint; see the module docstring.

    ``url`` is the endpoint's query, update or store URL (the siblings
    ``/update`` and ``/store`` are derived, or given as ``update_url`` /
    ``store_url``); ``graph`` the target named graph (``None``: the default
    graph; N-Quads in a named graph keep theirs); ``batch`` entities per request.

    >>> import httpx
    >>> sent = []
    >>> def server(request):
    ...     sent.append(request.content.decode())
    ...     return httpx.Response(204)
    >>> sink = SparqlSink("http://rdf.test/query", http=HttpClient(transport=httpx.MockTransport(server)),
    ...                   graph="urn:g")
    >>> sink.write('<urn:a> <urn:p> "x" .\\n<urn:b> <urn:p> "y" .\\n', skip=frozenset({"urn:b"})).written
    ['urn:a']
    >>> print(sent[0].split(";")[1].strip())
    INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "x" .
    } }
    """

    def __init__(self, url: str, *, http: HttpClient | None = None, graph: str | None = None,
                 method: str = "update", batch: int = 200, format: str = "ntriples",
                 update_url: str | None = None, store_url: str | None = None,
                 skolem_base: str = SKOLEM_BASE) -> None:
        if method not in ("update", "gsp"):
            raise OptionError(f"method must be 'update' or 'gsp', not {method!r}", name="method")
        if format not in _MEDIA:
            raise CapabilityError(f"the SPARQL sink writes {' or '.join(sorted(_MEDIA))}, not {format!r}")
        if batch < 1:
            raise OptionError(f"batch must be >= 1, got {batch}", name="batch")
        self.http = http or HttpClient()
        self.graph = graph
        if graph is not None:
            iri(graph)
        self.method = method
        self.batch = batch
        self.format = format
        self.update_url = update_url or _sibling(url, "update")
        self.store_url = store_url or _sibling(url, "store")
        self.skolem_base = skolem_base

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Write ``payload`` (text in ``self.format``); entities whose IRI is in ``skip`` are left out."""
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8")
        if not isinstance(payload, str):
            raise ParseError(f"expected {self.format} text, got {type(payload).__name__}", expected="text")
        try:
            quads = list(ox.parse(payload, format=_MEDIA[self.format][1]))
        except SyntaxError as exc:
            raise ParseError(f"not valid {self.format}: {exc}", pointer=f"line {getattr(exc, 'lineno', '?')}",
                             expected=self.format) from exc
        groups = _group(quads, self.skolem_base)
        result = WriteResult()
        roots = [r for r in groups if r and r not in skip]
        loose = groups.get("", [])
        for i in range(0, max(len(roots), 1), self.batch):
            chunk = roots[i:i + self.batch]
            qs = [q for r in chunk for q in groups[r]]
            if i == 0:
                qs += loose
            if not qs:
                continue
            try:
                self._send(chunk, qs)
            except ConnectorError as exc:
                result.failed.extend((r, str(exc)) for r in chunk)
                if not chunk and loose:
                    result.failed.append(("", str(exc)))
                continue
            result.written.extend(chunk)
        return result

    def _target(self, q: ox.Quad) -> str | None:
        g = q.graph_name
        return g.value if isinstance(g, ox.NamedNode) else self.graph

    def _send(self, roots: list[str], quads: list[ox.Quad]) -> None:
        by_graph: dict[str | None, list[ox.Quad]] = {}
        for q in quads:
            by_graph.setdefault(self._target(q), []).append(q)
        if self.method == "gsp":
            for g, qs in by_graph.items():
                body = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in qs)
                blank = any(isinstance(t, ox.BlankNode) for q in qs for t in (q.subject, q.object))
                params = {"graph": g} if g else {"default": ""}
                self.http.request("POST", self.store_url, params=params, content=body.encode("utf-8"),
                                  headers={"Content-Type": "application/n-triples"}, idempotent=not blank)
            return
        parts = []
        for g, qs in by_graph.items():
            mine = [r for r in roots if g == self.graph]
            if mine:
                d = _description(mine, g, self.skolem_base)
                wrapped = f"GRAPH {term(iri(g))} {{ ?s ?p ?o }}" if g else "?s ?p ?o"
                parts.append(f"DELETE {{ {wrapped} }} WHERE {{ {d} }}")
            triples = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in qs)
            parts.append(f"INSERT DATA {{ GRAPH {term(iri(g))} {{ {triples}}} }}" if g
                         else f"INSERT DATA {{ {triples}}}")
        self.http.request("POST", self.update_url, content=" ;\n".join(parts).encode("utf-8"), idempotent=True,
                          headers={"Content-Type": "application/sparql-update"})


# -- endpoint kinds --------------------------------------------------------------

def open_source(url: str, *, http: HttpClient, kind: str = "sparql", **options: Any) -> SparqlSource:
    """``sparql+http://host/query``: a :class:`SparqlSource` (options ``query``, ``graph``, ``page_size``)."""
    return SparqlSource(url, http=http, **check_options(SparqlSource, options, where="sparql source "))


def open_sink(url: str, *, http: HttpClient, kind: str = "sparql", **options: Any) -> SparqlSink:
    """``sparql+http://host/query``: a :class:`SparqlSink` (options ``graph``, ``method``, ``batch``, ``format``)."""
    return SparqlSink(url, http=http, **check_options(SparqlSink, options, where="sparql target "))
