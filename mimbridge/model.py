"""The internal graph model: small, typed, no I/O, versioned.

Every reader produces a :class:`Graph`; every writer consumes one. The model
follows the NGSI-LD meta-model (itself defined on RDF), the richest of the
formats mimbridge bridges:

* a :class:`Graph` holds :class:`Node` s (entities);
* a node has an ``id`` (IRI), ``types`` (expanded IRIs) and ``attrs``: a dict
  from expanded attribute IRI to a list of :class:`Attr` instances (several
  instances = multi-attribute by ``dataset_id`` or temporal evolution);
* an :class:`Attr` has a :class:`Kind` (the eight NGSI-LD attribute types),
  the kind's value, the standard meta-data and nested ``attrs`` to any depth.

Names are expanded IRIs inside the model; compact terms exist only at the
edges (readers expand, writers compact). Values are plain JSON (``dict``,
``list``, ``str``, ``int``, ``float``, ``bool``, ``None``); GeoJSON geometries
stay GeoJSON dicts until an adapter needs shapely.

Format quirks that the model has no field for ride in ``meta`` (a dict whose
keys are namespaced by the format, e.g. ``"ngsi-ld:previousValue"``), so that
a same-format round trip re-emits them.

>>> g = Graph([Node("urn:ngsi-ld:Room:1", ["https://example.org/Room"])])
>>> g.nodes[0].add("https://example.org/temperature", Attr(Kind.PROPERTY, 21.5, unit_code="CEL"))
>>> g.nodes[0].attrs["https://example.org/temperature"][0].value
21.5
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["ATTR_FIELDS", "MODEL_VERSION", "NGSI_LD", "Attr", "Graph", "Kind", "Node", "copy_node", "instance"]

#: Version of the model and of its canonical JSON dump (``native`` format).
MODEL_VERSION = "1.0"

NGSI_LD = "https://uri.etsi.org/ngsi-ld/"


class Kind(StrEnum):
    """The eight NGSI-LD attribute types; the value is the NGSI-LD type name."""

    PROPERTY = "Property"
    GEO = "GeoProperty"
    LANGUAGE = "LanguageProperty"
    VOCAB = "VocabProperty"
    JSON = "JsonProperty"
    LIST = "ListProperty"
    RELATIONSHIP = "Relationship"
    LIST_RELATIONSHIP = "ListRelationship"


#: The meta-data fields an attribute instance carries, as (python name, NGSI-LD member).
META_FIELDS: tuple[tuple[str, str], ...] = (
    ("dataset_id", "datasetId"),
    ("observed_at", "observedAt"),
    ("unit_code", "unitCode"),
    ("created_at", "createdAt"),
    ("modified_at", "modifiedAt"),
    ("deleted_at", "deletedAt"),
    ("instance_id", "instanceId"),
    ("expires_at", "expiresAt"),
    ("scope", "scope"),
)


@dataclass(slots=True)
class Attr:
    """One attribute instance.

    ``value`` holds what the kind's value member holds: ``value`` (Property,
    GeoProperty), ``languageMap`` (dict), ``vocab`` (expanded IRI or list),
    ``json`` (any JSON), ``valueList`` (list), ``object`` (IRI or list of
    IRIs), ``objectList`` (list of IRIs).
    """

    kind: Kind
    value: Any
    dataset_id: str | None = None
    observed_at: str | None = None
    unit_code: str | None = None
    created_at: str | None = None
    modified_at: str | None = None
    deleted_at: str | None = None
    instance_id: str | None = None
    expires_at: str | None = None
    scope: Any = None
    attrs: dict[str, list[Attr]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, attr: Attr) -> None:
        """Append an instance of the nested attribute ``name`` (expanded IRI)."""
        self.attrs.setdefault(name, []).append(attr)


@dataclass(slots=True)
class Node:
    """One entity: an IRI, its type IRIs and its attributes (expanded IRIs)."""

    id: str
    types: list[str]
    attrs: dict[str, list[Attr]] = field(default_factory=dict)
    scope: Any = None
    created_at: str | None = None
    modified_at: str | None = None
    deleted_at: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, attr: Attr) -> None:
        """Append an instance of attribute ``name`` (expanded IRI)."""
        self.attrs.setdefault(name, []).append(attr)

    def first(self, name: str) -> Attr | None:
        """The default instance (no datasetId) of ``name``, else its first instance."""
        instances = self.attrs.get(name)
        if not instances:
            return None
        for a in instances:
            if a.dataset_id is None:
                return a
        return instances[0]


@dataclass(slots=True)
class Graph:
    """A set of nodes plus the document-level context and format meta-data.

    ``context`` is the JSON-LD ``@context`` the data came with (kept verbatim
    for output); ``meta`` holds document-level format data (paging links,
    notification envelopes, ...).
    """

    nodes: list[Node] = field(default_factory=list)
    context: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def get(self, node_id: str) -> Node | None:
        """The first node with this id, or None."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        return None


#: Field order of :class:`Attr`: the factories below build instances positionally (the fastest call);
#: a test keeps this tuple, the dataclass and the factories in step.
ATTR_FIELDS = ("kind", "value", "dataset_id", "observed_at", "unit_code", "created_at", "modified_at", "deleted_at",
               "instance_id", "expires_at", "scope", "attrs", "meta")


def instance(kind: Kind, value: Any, dataset_id: str | None = None, observed_at: str | None = None,
             unit_code: str | None = None, instance_id: str | None = None,
             attrs: dict[str, list[Attr]] | None = None) -> Attr:
    """An attribute instance with the fields hot paths set (one temporal instance, say), built positionally.

    >>> a = instance(Kind.PROPERTY, 4.2, "urn:ds:1", "2024-01-01T00:00:00Z", "CEL", "urn:obs:9")
    >>> (a.dataset_id, a.observed_at, a.unit_code, a.instance_id, a.attrs)
    ('urn:ds:1', '2024-01-01T00:00:00Z', 'CEL', 'urn:obs:9', {})
    """
    return Attr(kind, value, dataset_id, observed_at, unit_code, None, None, None, instance_id, None, None,
                {} if attrs is None else attrs)


def copy_node(node: Node) -> Node:
    """A shallow copy of a node: new ``types``, ``attrs`` and ``meta`` containers, the same instances.

    >>> n = Node("urn:x:1", ["https://ex.org/T"], scope="/a")
    >>> c = copy_node(n); c.types.append("https://ex.org/U")
    >>> (n.types, c.scope)
    (['https://ex.org/T'], '/a')
    """
    return Node(node.id, list(node.types), dict(node.attrs), node.scope, node.created_at, node.modified_at,
                node.deleted_at, dict(node.meta))


def walk(attrs: dict[str, list[Attr]], path: str = "") -> Iterator[tuple[str, str, Attr]]:
    """Yield ``(pointer, name, attr)`` for every instance, nested ones included.

    Pointers use the attribute IRIs and instance positions:
    ``/<iri>/0/<nested iri>/1``.
    """
    for name, instances in attrs.items():
        esc = name.replace("~", "~0").replace("/", "~1")
        for i, a in enumerate(instances):
            p = f"{path}/{esc}/{i}"
            yield p, name, a
            if a.attrs:
                yield from walk(a.attrs, p)
