"""What readers do with identifiers: URNs in normal form, and the resolver's minting rules when asked.

Two rules, the same in every reader:

* **URN normal form** (RFC 8141): ``urn:`` and the namespace id are
  case-insensitive, so ``URN:NGSI-LD:Room:1`` and ``urn:ngsi-ld:Room:1`` are one
  entity; readers write the lower-case form (``%``-escapes upper-cased, UUID
  URNs lower-cased, the rest of the URN kept as given) and report each rewrite
  as ``Coerced`` at its pointer (:func:`normal_id`).
* **Minting** (opt-in): with a rule table (``minting=`` a path, a parsed table
  or :class:`~mimbridge.minting.Rules`) and/or a ``base=``, the entity ids and
  relationship objects a reader produces become the URIs ``mimbridge resolve``
  gives for them under the same rules (:class:`Minter`). Without either,
  nothing is minted: ids stay as the format gives them.

>>> from mimbridge.report import ConversionReport
>>> r = ConversionReport()
>>> normal_id("URN:NGSI-LD:Room:1", r, "/id", "entity id"), r.events[0].kind
('urn:ngsi-ld:Room:1', 'Coerced')
>>> rules_option(None, "https://id.example.city/").uri(Rules.default().parse("sensor:42"))
'https://id.example.city/sensor/42'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import MappingError, ResolutionError
from ..identifiers import normal_urn
from ..model import Attr, Graph, Kind
from ..report import Coerced, ConversionReport, Unresolved
from .rules import Rules

__all__ = ["BASE_OPTION", "MINTING_OPTION", "Minter", "mint_ids", "normal_graph_ids", "normal_id", "rules_option"]

#: Help of the reader option ``minting=`` (the adapters declare it).
MINTING_OPTION = ("minting rule table (path, dict or Rules): ids become the URIs `mimbridge resolve --rules` gives "
                  "(default: none, ids as given)")
#: Help of the reader option ``mint_base=`` (not ``base=``, which RDF formats use for their base IRI).
BASE_OPTION = ("base URI to mint ids under (the shipped rule table unless minting= is given), as `mimbridge resolve "
               "--base` does")

_RULE = "the URN normal form (RFC 8141: 'urn:' and the namespace id are case-insensitive, %-escapes upper-case)"


def normal_id(text: str, report: ConversionReport, pointer: str | Callable[[], str], what: str) -> str:
    """``text`` in URN normal form (:func:`~mimbridge.identifiers.normal_urn`); a rewrite is reported as Coerced.

    >>> r = ConversionReport()
    >>> normal_id("urn:ngsi-ld:Room:1", r, "/id", "entity id"), len(r.events)
    ('urn:ngsi-ld:Room:1', 0)
    """
    out = normal_urn(text)
    if out != text:
        report.add(Coerced, pointer, f"{what} {text[:120]!r} read as {out[:120]!r}: {_RULE}",
                   remedy="write URNs as urn:<namespace id in lower case>:...")
    return out


def normal_graph_ids(graph: Graph, report: ConversionReport) -> Graph:
    """Every URN a read graph holds as an id in normal form (:func:`normal_id`), for readers whose format
    names ids in many places (RDF): node ids, relationship objects, ``datasetId`` and ``instanceId``.

    Event paths are ``/<entity id as read>/<attribute IRI>/<member>``. Returns ``graph`` (changed in place).

    >>> from mimbridge.model import Node
    >>> r = ConversionReport()
    >>> g = Graph([Node("URN:NGSI-LD:Room:1", ["https://ex.org/Room"], {"https://ex.org/in": [
    ...     Attr(Kind.RELATIONSHIP, "urn:NGSI-LD:Building:2")]})])
    >>> n = normal_graph_ids(g, r).nodes[0]
    >>> n.id, n.attrs["https://ex.org/in"][0].value
    ('urn:ngsi-ld:Room:1', 'urn:ngsi-ld:Building:2')
    >>> [e.path for e in r.events]
    ['/URN:NGSI-LD:Room:1/id', '/URN:NGSI-LD:Room:1/https:~1~1ex.org~1in/object']
    """
    for node in graph.nodes:
        nid = node.id
        if _rewrites(nid):
            node.id = normal_id(nid, report, "/" + _esc(nid) + "/id", "entity id")
        if node.attrs:
            _normal_attrs(node.attrs, report, nid)
    return graph


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _rewrites(x: Any) -> bool:
    """Whether ``x`` is a URN not in normal form (fast: most ids are plain ``urn:ngsi-ld:`` ones or no URNs)."""
    if x.__class__ is not str or x[:4].lower() != "urn:":
        return False
    if x.startswith("urn:ngsi-ld:") and "%" not in x:
        return False
    return normal_urn(x) != x


def _normal_attrs(attrs: dict[str, list[Attr]], report: ConversionReport, node_id: str, path: str = "") -> None:
    for name, instances in attrs.items():
        for a in instances:
            kind = a.kind
            if kind is Kind.RELATIONSHIP or kind is Kind.LIST_RELATIONSHIP:
                v = a.value
                if v.__class__ is list:
                    if any(_rewrites(o) or (o.__class__ is dict and _rewrites(o.get("object"))) for o in v):
                        ptr = _ptr(node_id, path, name)
                        member = "object" if kind is Kind.RELATIONSHIP else "objectList"
                        a.value = [_normal_item(o, report, f"{ptr}/{member}/{i}") for i, o in enumerate(v)]
                elif _rewrites(v):
                    a.value = normal_id(v, report, _ptr(node_id, path, name) + "/object", "relationship object")
            if a.dataset_id is not None and _rewrites(a.dataset_id):
                a.dataset_id = normal_id(a.dataset_id, report, _ptr(node_id, path, name) + "/datasetId", "datasetId")
            if a.instance_id is not None and _rewrites(a.instance_id):
                a.instance_id = normal_id(a.instance_id, report, _ptr(node_id, path, name) + "/instanceId",
                                          "instanceId")
            if a.attrs:
                _normal_attrs(a.attrs, report, node_id, f"{path}/{_esc(name)}")


def _ptr(node_id: str, path: str, name: str) -> str:
    return f"/{_esc(node_id)}{path}/{_esc(name)}"


def _normal_item(o: Any, report: ConversionReport, ptr: str) -> Any:
    if _rewrites(o):
        return normal_id(o, report, ptr, "relationship object")
    if o.__class__ is dict and _rewrites(o.get("object")):
        return {**o, "object": normal_id(o["object"], report, ptr + "/object", "relationship object")}
    return o


def rules_option(minting: Any = None, base: Any = None) -> Rules | None:
    """The rule table of the reader options ``minting=`` and ``base=`` (None when neither is given).

    ``minting``: a :class:`Rules`, a parsed table (dict) or the path of a JSON/YAML table;
    ``base`` alone: the shipped table under that base (what ``mimbridge resolve --base`` uses).

    >>> rules_option() is None, rules_option(base="https://x.org/id").base
    (True, 'https://x.org/id/')
    """
    if minting is None and base is None:
        return None
    if base is not None and not isinstance(base, str):
        raise MappingError(f"base= is a URI string, not {type(base).__name__}")
    if isinstance(minting, Rules):
        return minting if base is None else Rules(minting.data, base=base)
    if isinstance(minting, Mapping):
        return Rules.from_dict(minting, base=base)
    if isinstance(minting, (str, Path)):
        try:
            stamp = Path(minting).stat().st_mtime_ns
        except OSError:
            return Rules.from_file(minting, base=base)  # says what is wrong with the path
        return _file_rules(str(minting), stamp, base)
    if minting is None:
        return _default_rules(base)
    raise MappingError(f"minting= is a rule table (path, dict or Rules), not {type(minting).__name__}")


def mint_ids(graph: Graph, report: ConversionReport, options: Mapping[str, Any], *,
             identify: Callable[[Graph, Rules], Callable[[str], str | None]] | None = None) -> Graph:
    """``graph`` with the ids the resolver gives under the reader options ``minting=`` / ``mint_base=``
    (unchanged without them); ``identify(graph, rules)`` gives the reader's :class:`Minter` ``identify``.

    >>> from mimbridge.model import Node
    >>> g = Graph([Node("urn:ngsi-ld:Room:1", ["https://ex.org/Room"])])
    >>> mint_ids(g, ConversionReport(), {}).nodes[0].id
    'urn:ngsi-ld:Room:1'
    >>> mint_ids(g, ConversionReport(), {"mint_base": "https://id.example.city/"}).nodes[0].id
    'https://id.example.city/Room/1'
    """
    rules = rules_option(options.get("minting"), options.get("mint_base"))
    if rules is None:
        return graph
    return Minter(rules, report, identify=identify(graph, rules) if identify is not None else None).apply(graph)


@lru_cache(maxsize=16)
def _file_rules(path: str, stamp: int, base: str | None) -> Rules:
    """A table read once per file version (readers of a stream read batch after batch)."""
    return Rules.from_file(path, base=base)


@lru_cache(maxsize=16)
def _default_rules(base: str) -> Rules:
    return Rules.default(base=base)


class Minter:
    """Gives a read graph the URIs the resolver gives: node ids and relationship objects, through ``rules``.

    ``identify(id)`` maps a reader's own id to the identifier text the resolver is asked about (for
    SensorThings: the entity's URL ``https://host/v1.1/Things(1)``), or None to keep the id as it is;
    by default the id itself is that text. Ids no rule takes keep their own URI (what the resolver
    answers too); an identifier the rules cannot give a URI is reported once, as ``Unresolved``.

    >>> from mimbridge.model import Node
    >>> g = Graph([Node("urn:ngsi-ld:Room:1", ["https://ex.org/Room"])])
    >>> Minter(Rules.default(base="https://id.example.city/"), ConversionReport()).apply(g).nodes[0].id
    'https://id.example.city/Room/1'
    """

    def __init__(self, rules: Rules, report: ConversionReport, *,
                 identify: Callable[[str], str | None] | None = None) -> None:
        self.rules = rules
        self.report = report
        self.identify = identify
        self._done: dict[str, str] = {}

    def uri(self, text: str, pointer: str = "") -> str:
        """The URI ``mimbridge resolve`` gives for the reader's id ``text`` (the same one every time)."""
        hit = self._done.get(text)
        if hit is not None:
            return hit
        source = self.identify(text) if self.identify is not None else text
        out = text
        if source is not None:
            try:
                out = self.rules.uri(self.rules.parse(source))
            except ResolutionError as exc:
                if source != text or ":" not in text:
                    self.report.add(Unresolved, pointer, f"id {text[:120]!r} kept: no URI minted ({exc})",
                                    remedy="add a namespace for it to the rule table (minting=)")
        self._done[text] = out
        return out

    def apply(self, graph: Graph) -> Graph:
        """Rewrite the ids of ``graph`` in place (every node first, so references agree); returns it."""
        single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
        where = ["" if single else f"/{i}" for i in range(len(graph.nodes))]
        for node, w in zip(graph.nodes, where, strict=True):
            if node.id:
                node.id = self.uri(node.id, f"{w}/id")
        for node, w in zip(graph.nodes, where, strict=True):
            self._attrs(node.attrs, w)
        return graph

    def _attrs(self, attrs: dict[str, list[Attr]], where: str) -> None:
        for name, instances in attrs.items():
            for a in instances:
                ptr = f"{where}/{name}"
                if a.kind is Kind.RELATIONSHIP:
                    if isinstance(a.value, str):
                        a.value = self.uri(a.value, ptr)
                    elif isinstance(a.value, list):
                        a.value = [self.uri(o, ptr) if isinstance(o, str) else o for o in a.value]
                elif a.kind is Kind.LIST_RELATIONSHIP and isinstance(a.value, list):
                    a.value = [self._list_item(o, ptr) for o in a.value]
                if a.dataset_id is not None:
                    a.dataset_id = self.uri(a.dataset_id, ptr + "/datasetId")
                if a.instance_id is not None:
                    a.instance_id = self.uri(a.instance_id, ptr + "/instanceId")
                if a.attrs:
                    self._attrs(a.attrs, ptr)

    def _list_item(self, o: Any, ptr: str) -> Any:
        if isinstance(o, str):
            return self.uri(o, ptr)
        if isinstance(o, dict) and isinstance(o.get("object"), str):
            return {**o, "object": self.uri(o["object"], ptr)}
        return o
