"""Writing the structural model as SensorThings JSON (1.1, or the 2.0 draft spellings).

The inverse of :mod:`.sta_read`: a ``Collection`` node gives the document
envelope (``value``, ``@iot.count``, ``@iot.nextLink``), otherwise the nodes
no Relationship points to are the top-level entities (one: a single entity;
several: a collection). Relationships are written as expanded entities, so a
node referenced from several places is written at each of them, and a node
absent from the graph as a reference ``{"@iot.id": ...}``. What SensorThings
cannot hold (extra instances, NGSI-LD meta-data, non-SensorThings attributes)
is reported.

>>> from mimbridge.model import Attr, Graph, Kind, Node
>>> from mimbridge.report import ConversionReport
>>> n = Node("urn:ngsi-ld:sta:Thing:1", ["urn:mimbridge:sta:Thing"],
...          {"urn:mimbridge:sta:name": [Attr(Kind.PROPERTY, "Oven")]})
>>> StaWriter(ConversionReport()).document(Graph([n]))
{'@iot.id': 1, 'name': 'Oven'}
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from ...errors import MimbridgeError, ParseError
from ...meta import MEMBER_NAME, meta_key
from ...model import META_FIELDS, NGSI_LD, Attr, Graph, Kind, Node
from ...report import Approximated, Coerced, ConversionReport, Dropped
from .checks import wrong_type
from .names import is_absolute, member_key, nav_read_back, read_back
from .readback import annotation_loss, anonymous, field_kind, foreign_link, linked_id, nav_target, root_id, same_id
from .spelling import ENTITY_CONTEXT, Spelling
from .vocab import (
    COLLECTION,
    CONTEXT_URL,
    COUNT,
    DATA_ARRAY,
    ENTITY_SETS_IRI,
    FEATURE_WRAPPER,
    FORM,
    MEMBERS,
    NAV_PROPERTIES,
    NAVIGATION_LINK,
    NEXT_LINK,
    ODATA_CONTEXT,
    ORIGINAL,
    SELF_LINK,
    SERVICE_ROOT,
    STA,
    TIME_FIELDS,
    lower_first,
    parse_minted,
    upper_first,
)

__all__ = ["StaWriter", "is_sta_node", "references"]

DEFAULT_CONTEXT = NGSI_LD + "default-context/"
KNOWN_NAV = frozenset(lower_first(k) for k in NAV_PROPERTIES)
_ANN_V11 = {NAVIGATION_LINK: "@iot.navigationLink", COUNT: "@iot.count", NEXT_LINK: "@iot.nextLink"}
_ANN_V20 = {NAVIGATION_LINK: "@navigationLink", COUNT: "@count", NEXT_LINK: "@nextLink"}
_REL, _LREL, _GEO = Kind.RELATIONSHIP, Kind.LIST_RELATIONSHIP, Kind.GEO
_META = attrgetter(*(py for py, _ in META_FIELDS))
_NO_META = (None,) * len(META_FIELDS)
#: STA 2.0 draft names with a STA 1.1 counterpart
_V11_NAMES = {"ProximateFeatureOfInterest": "FeatureOfInterest", "Features": "FeaturesOfInterest",
              "Feature": "FeatureOfInterest"}
#: SWE Common result types -> STA 1.1 observationType (when the Datastream has none)
_OBSERVATION_TYPES = {
    "Quantity": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
    "Category": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation",
    "Count": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation",
    "Boolean": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation",
    "DataRecord": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation",
    "Text": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation",
}


def is_sta_node(node: Node) -> bool:
    """True for nodes typed in the SensorThings namespace.

    >>> is_sta_node(Node("urn:ngsi-ld:sta:Thing:1", ["urn:mimbridge:sta:Thing"]))
    True
    """
    return any(t.startswith(STA) for t in node.types)


def references(a: Attr) -> list[str]:
    """The node ids a (List)Relationship instance points to.

    >>> references(Attr(Kind.LIST_RELATIONSHIP, [{"object": "urn:x:1"}, "urn:x:2"]))
    ['urn:x:1', 'urn:x:2']
    """
    if a.kind is _REL:
        return [a.value] if isinstance(a.value, str) else [x for x in a.value if isinstance(x, str)]
    if a.kind is _LREL:
        return [x.get("object") if isinstance(x, dict) else x for x in a.value]  # type: ignore[misc]
    return []


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class StaWriter:
    """Writes a structural graph as SensorThings JSON; ``dialect`` is ``"1.1"`` or ``"2.0"``."""

    def __init__(self, report: ConversionReport, *, dialect: str = "1.1",
                 check_ids: bool | dict[str, str] = True) -> None:
        self.report = report
        #: report entities and links whose ids a SensorThings reader does not give back: of every entity, or
        #: of the entities named, with their pointers (a mapping that makes the others reports them itself)
        self.check_ids = check_ids
        self.v2 = dialect == "2.0"
        self.ann = _ANN_V20 if self.v2 else _ANN_V11
        self.id_key = "id" if self.v2 else "@iot.id"
        self.nodes: dict[str, Node] = {}
        self.from_v2 = False
        #: the entities written out (not as a reference)
        self._written: set[str] = set()
        #: more than one entity (report paths start with the entity's index)
        self._multi = False
        #: JSON pointer of each node of the graph (report paths)
        self.ptr: dict[str, str] = {}

    # -- documents -------------------------------------------------------------------
    def document(self, graph: Graph) -> Any:
        """The SensorThings document for ``graph``."""
        self.from_v2 = graph.meta.get("sta:version") == "2.0" and not self.v2
        nodes = self.nodes
        single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
        self._multi = len(graph.nodes) > 1
        if isinstance(self.check_ids, dict):  # pointers in the document the mapping was given
            self.ptr.update(self.check_ids)
            self._multi = any(self.check_ids.values())
        for i, n in enumerate(graph.nodes):
            self.ptr.setdefault(n.id, "" if single else f"/{i}")
        for i, n in enumerate(graph.nodes):
            if not is_sta_node(n):
                self.report.add(Dropped, "" if single else f"/{i}", f"entity of type {', '.join(n.types)} is not a "
                                "SensorThings entity", remedy="convert with mapping='observations' to turn entities "
                                "with temporal attributes into Things, Datastreams and Observations")
            elif n.id in nodes:
                self.report.add(Dropped, f"/{i}", f"a second entity with id {n.id} (the first one is written)",
                                remedy="merge the entities before converting")
            else:
                nodes[n.id] = n
        env = next((n for n in nodes.values() if n.types[0] in (COLLECTION, SERVICE_ROOT)), None)
        if env is not None and env.types[0] == SERVICE_ROOT:
            self.report.records_out += 1
            return {("value" if k == ENTITY_SETS_IRI else self._member(k)): a[0].value for k, a in env.attrs.items()}
        if env is not None:
            items = []
            members = env.attrs.get(MEMBERS)
            for m in references(members[0]) if members else []:
                items.append(self.entity(m, ()))
            self.report.records_out += len(items)
            form = env.attrs.get(FORM)
            if form and form[0].value == "array":
                return items
            doc: dict[str, Any] = {}
            for k, a in env.attrs.items():
                if k == COUNT:
                    doc["@count" if self.v2 else "@iot.count"] = a[0].value
                elif k == NEXT_LINK:
                    doc["@nextLink" if self.v2 else "@iot.nextLink"] = a[0].value
                elif k not in (MEMBERS, FORM, DATA_ARRAY):
                    doc[self._member(k)] = a[0].value
            doc["value"] = items
            return doc
        referenced: set[str] = set()
        for n in nodes.values():
            for instances in n.attrs.values():
                for inst in instances:
                    if inst.kind is _REL or inst.kind is _LREL:
                        referenced.update(references(inst))
        roots = [n.id for n in nodes.values() if n.id not in referenced] or list(nodes)[:1]
        items = [self.entity(r, ()) for r in roots]
        for n in nodes.values():  # entities only a cycle of links reaches: each cycle from its first entity
            if n.id not in self._written:
                items.append(self.entity(n.id, ()))
        self.report.records_out += len(items)
        if len(items) == 1:
            return items[0]
        return {"value": items}

    @staticmethod
    def _member(iri: str) -> str:
        return member_key(iri)

    # -- entities --------------------------------------------------------------------
    def _p(self, iri: str) -> str:
        return self.ptr.get(iri, "")

    def reference(self, iri: str) -> dict[str, Any]:
        """``{"@iot.id": ...}`` for an entity that is not in the graph."""
        parsed = parse_minted(iri)
        if parsed is None:
            return {self.id_key: iri}
        return {self.id_key: parsed[2]} if parsed[1] else {}

    def entity(self, iri: str, stack: tuple[str, ...]) -> dict[str, Any]:
        """The JSON object of node ``iri`` with what it expands (``stack``: the nodes above it)."""
        node = self.nodes.get(iri)
        if node is None:
            return self.reference(iri)
        if iri in stack:
            self.report.add(Coerced, self._p(iri), "navigation cycle: the entity is written as a reference",
                            remedy="break the cycle of Relationships")
            return self.reference(iri)
        d = self.reference(iri)
        self._written.add(iri)
        root = not stack
        stack = (*stack, iri)
        v2 = self.v2
        spelt = self._spelling(node) if self._checked(iri) else None
        for name, instances in node.attrs.items():
            a = instances[0]
            if spelt is not None:
                change = spelt.change(name, instances)
                if change is not None:
                    self.report.add(Coerced, f"{self._p(iri)}/{_esc(name)}", f"the attribute {change[0]!r} comes "
                                    f"back as {change[1]!r}: SensorThings JSON carries its IRI, not its @context "
                                    "or spelling", remedy="name the attribute as the SensorThings context does")
            for j in range(1, len(instances)):
                self.report.add(Dropped, f"{self._p(iri)}/{_esc(name)}/{j}", "only one instance per SensorThings "
                                "member is carried; other instances dropped", remedy="use mapping='observations' for "
                                "temporal attributes")
            if _META(a) != _NO_META:
                self._meta_dropped(a, iri, name)
            if a.meta:
                for k in a.meta:
                    mk = meta_key(k)
                    if mk is not None and mk.data and k != MEMBER_NAME:
                        self.report.add(Dropped, f"{self._p(iri)}/{_esc(name)}/{_esc(k)}",
                                        f"{k} has no SensorThings member")
            if name == SELF_LINK:
                d["@id" if v2 else "@iot.selfLink"] = a.value
                if self.from_v2:
                    self.report.add(Coerced, f"{self._p(iri)}/@id", "STA 2.0 @id written as @iot.selfLink",
                                    remedy="write format sta2 to keep STA 2.0 spellings")
                continue
            if name == ODATA_CONTEXT:
                if v2:
                    d["@context"] = a.value
                else:
                    self.report.add(Dropped, f"{self._p(iri)}/@context", "the STA 2.0 @context (OData metadata URL) "
                                    "has no STA 1.1 member", remedy="write format sta2")
                continue
            key = self._member(name)
            kind = a.kind
            at = f"{self._p(iri)}/{_esc(name)}"
            link = not (kind is _REL or kind is _LREL)
            if not link or (key in KNOWN_NAV and name.startswith(STA)) or NAVIGATION_LINK in a.attrs:
                nav = upper_first(key)
                if not self._name_kept(iri, name, nav, nav_read_back(nav, link=link), at):
                    continue
                if link:
                    self._link_only(d, nav, a)
                else:
                    self._navigation(d, nav, a, stack, at, checked=self._checked(iri))
                continue
            field: dict[str, Any] = {}
            self._field(field, key, a, iri, name)
            if key in d:
                self.report.add(Dropped, at, f"a second attribute written as the SensorThings member {key!r} (the "
                                "first one is kept)", remedy="rename one of the attributes")
                continue
            if not self._name_kept(iri, name, key, read_back(key, field[key], v2=v2), at):
                continue
            try:
                wrong_type(key, field[key], "", v2)
            except ParseError as exc:  # a reader refuses the whole document for it
                self.report.add(Dropped, at, f"{key} must be {exc.expected} in SensorThings: not written",
                                remedy=f"give {key} a value of that type, or another name")
                continue
            d[key] = field[key]
        if not v2 and self.from_v2:
            self._v11_fixes(d, iri)
        if root and self._checked(iri) and not anonymous(iri):
            back = root_id(node, d, v2=v2)
            if not same_id(iri, back):
                self._renamed(iri, back, "SensorThings JSON has no entity type: a reader infers it from the members")
        return d

    def _spelling(self, node: Node) -> Spelling | None:
        """The names of ``node`` to check (None: all come back as they are); reports a @context not carried."""
        ctx = node.meta.get("@context")
        marked = any(inst[0].meta and MEMBER_NAME in inst[0].meta for inst in node.attrs.values())
        if self.check_ids is not True and isinstance(ctx, list) and ctx and ctx[0] == CONTEXT_URL:
            ctx = None  # the observations mapping gives its entities contexts of its own making, and again reading
        if (ctx is None or ctx == ENTITY_CONTEXT) and not marked:
            return None
        if ctx is not None and ctx != ENTITY_CONTEXT:
            self.report.add(Dropped, f"{self._p(node.id)}/@context", "SensorThings JSON has no @context: the entity "
                            "is read back with the SensorThings context", remedy="use the SensorThings context")
        try:
            return Spelling(ctx)
        except MimbridgeError:
            self.report.add(Coerced, self._p(node.id), "the entity's @context cannot be resolved offline: its "
                            "names come back as the SensorThings context spells them")
            return None

    def _meta_dropped(self, a: Attr, iri: str, name: str) -> None:
        for (_, member), v in zip(META_FIELDS, _META(a), strict=True):
            if v is not None:
                self.report.add(Dropped, f"{self._p(iri)}/{_esc(name)}/{member}",
                                f"{member} has no SensorThings member",
                                remedy="use mapping='observations' to map observedAt, unitCode and datasetId")

    def _nav_name(self, key: str) -> str:
        if self.from_v2 and key in _V11_NAMES:
            self.report.add(Coerced, "", f"STA 2.0 {key} written as STA 1.1 {_V11_NAMES[key]}")
            return _V11_NAMES[key]
        return key

    def _annotations(self, d: dict[str, Any], key: str, a: Attr, skip: str = "", at: str = "") -> None:
        for sub, instances in a.attrs.items():
            if sub == skip:
                continue
            ann = self.ann.get(sub)
            if ann is None:
                ann = ("@" if self.v2 else "@iot.") + self._member(sub)
            lost = annotation_loss(sub, instances)
            if lost:
                self.report.add(Coerced, f"{at}/{_esc(sub)}", f"written as the annotation {key + ann!r}: {lost}",
                                remedy="move it into the entity's properties")
            d[key + ann] = instances[0].value

    def _name_kept(self, iri: str, name: str, key: str, back: str | None, at: str) -> bool:
        """False (reported as dropped) when the member ``key`` would not read back as an attribute of its own."""
        if back is None:
            self.report.add(Dropped, at, f"the attribute name has no SensorThings form: as the member {key!r} it "
                            "would read back as another kind of member (an id, an annotation, a link)",
                            remedy="use a full IRI (https://... or urn:...) without '@' as the attribute name")
            return False
        if back != name:
            self.report.add(Coerced, at, f"the attribute is written as the member {key!r}, which reads back as {back}",
                            remedy="use a full IRI (https://... or urn:...) as the attribute name")
            self.report.add(Coerced, f"{self._p(iri)}/{_esc(back)}", f"the attribute {name} renamed by SensorThings")
        return True

    def _checked(self, iri: str) -> bool:
        return self.check_ids is True or (self.check_ids is not False and iri in self.check_ids)

    def _navigation(self, d: dict[str, Any], key: str, a: Attr, stack: tuple[str, ...], at: str = "", *,
                    checked: bool = True) -> None:
        key = self._nav_name(key)
        targets = [a.value] if a.kind is _REL and isinstance(a.value, str) else references(a)
        keep = {x for x in targets if not checked or self._link_kept(x, key, at)}
        foreign = foreign_link(key)

        def write(x: str, stack: tuple[str, ...]) -> dict[str, Any]:
            # a link of another vocabulary: a reference holds the full id (there is no type to mint one with)
            if foreign and x not in self.nodes and is_absolute(x):
                return {self.id_key: x}
            out = self.entity(x, stack)
            if x in self.nodes and x not in stack and len(out) == 1 and self.id_key in out and checked:
                self.report.add(Dropped, self._p(x), "an entity with nothing but its id is written as a reference: "
                                "read back as a link to it, not as an entity", remedy="give the entity a name")
            return out
        if a.kind is _REL:
            if isinstance(a.value, str):
                if a.value not in keep:
                    return
                d[key] = write(a.value, stack)
            else:
                d[key] = [write(x, stack) for x in a.value]
        else:
            d[key] = [write(x, stack) for x in targets if x in keep]
        if a.attrs:
            self._annotations(d, key, a, at=at)

    def _link_kept(self, target: Any, key: str, at: str) -> bool:
        """False for a link that cannot be written; reports a link whose target comes back under another id."""
        if not isinstance(target, str):
            return True
        node = self.nodes.get(target)
        back = linked_id(target, key, present=node is not None)
        if same_id(target, back):
            return True
        if node is not None:
            if anonymous(target):
                return True  # an entity without an id: the reader names it (a hash of what it holds)
            self._renamed(target, back, f"written under {key}, which holds entities of type {nav_target(key)}")
            self.report.add(Coerced, at, f"the link to {target} is read back as a link to "
                            f"{back or 'an entity without an id'}", remedy=f"link a {nav_target(key)} under {key}")
            return True
        if back is None:
            self.report.add(Dropped, at, f"the link to {target} (an entity without a SensorThings id that the data "
                            "does not contain) has no SensorThings form", remedy="add the entity to the data")
            return False
        self.report.add(Coerced, at, f"the link points to {target}, which the data does not contain and which is "
                        f"not the id of a SensorThings {nav_target(key)}: read back as a link to {back}",
                        remedy=f"point to an id urn:ngsi-ld:sta:{nav_target(key)}:<id>, or add the entity to the data")
        return True

    def _renamed(self, iri: str, back: str | None, why: str) -> None:
        # the entity that comes back in place of ``iri`` is named by its id; in a one-entity document the
        # report is about the document (its only entity), whose pointers name no other entity
        at = "" if not self._multi else self._p(iri)
        self.report.add(Coerced, at, f"the entity {iri} comes back as {back or 'an entity without an id'} ({why})",
                        remedy="give SensorThings entities ids urn:ngsi-ld:sta:<Type>:<id> and the members of "
                        "their type")
        if back and self._multi:
            self.report.add(Coerced, f"/{_esc(back)}", f"an entity in place of {iri} ({why})")

    def _link_only(self, d: dict[str, Any], key: str, a: Attr) -> None:
        key = self._nav_name(key)
        link = a.attrs[NAVIGATION_LINK][0].value if NAVIGATION_LINK in a.attrs else a.value
        if link is not None:
            d[key + self.ann[NAVIGATION_LINK]] = link
        self._annotations(d, key, a, skip=NAVIGATION_LINK)

    def _field(self, d: dict[str, Any], key: str, a: Attr, iri: str, name: str = "") -> None:
        value = a.value
        at = f"{self._p(iri)}/{_esc(name or key)}"
        if a.attrs:
            for sub, instances in a.attrs.items():
                if sub == FEATURE_WRAPPER and a.kind is _GEO:
                    value = {**instances[0].value, "geometry": value}
                elif sub == ORIGINAL:
                    value = instances[0].value
                else:
                    self.report.add(Dropped, f"{at}/{_esc(sub)}", "attribute of an attribute has "
                                    "no SensorThings member", remedy="move it into the entity's properties")
        if a.kind in (Kind.LANGUAGE, Kind.VOCAB, Kind.LIST, Kind.LIST_RELATIONSHIP):
            self.report.add(Coerced, at, f"{a.kind.value} written as a plain JSON value")
        elif a.kind is not field_kind(key, value):  # read back as another kind (GeoProperty, JsonProperty...)
            self.report.add(Coerced, at, f"{a.kind.value} written as a plain JSON value, read back as a "
                            f"{field_kind(key, value).value}")
        if key in TIME_FIELDS and isinstance(value, str) and "/" in value:
            start, _, end = value.partition("/")
            if self.v2:
                value = {k: v for k, v in (("start", start), ("end", end)) if v and v != ".."}
            elif ".." in (start, end) or not start or not end:
                self.report.add(Approximated, at, "open time interval has no STA 1.1 form; written "
                                "with '..' for the open end", remedy="write format sta2")
        d[key] = value

    def _v11_fixes(self, d: dict[str, Any], iri: str) -> None:
        rt = d.pop("resultType", None)
        if rt is not None:
            self.report.add(Dropped, f"{self._p(iri)}/resultType",
                            "STA 2.0 resultType (SWE Common) has no STA 1.1 member",
                            remedy="write format sta2")
            if isinstance(rt, dict):
                if "observationType" not in d and rt.get("type") in _OBSERVATION_TYPES:
                    d["observationType"] = _OBSERVATION_TYPES[rt["type"]]
                    self.report.add(Approximated, f"{self._p(iri)}/observationType", "observationType derived from the "
                                    "STA 2.0 resultType")
                uom = rt.get("uom")
                if "unitOfMeasurement" not in d and isinstance(uom, dict):
                    d["unitOfMeasurement"] = {"name": uom.get("label"), "symbol": uom.get("symbol"),
                                              "definition": f"ucum:{uom['code']}" if uom.get("code") else None}
                    self.report.add(Approximated, f"{self._p(iri)}/unitOfMeasurement", "unitOfMeasurement derived from "
                                    "the STA 2.0 resultType uom")
        if d.pop("resultEncoding", None) is not None:
            self.report.add(Dropped, f"{self._p(iri)}/resultEncoding", "STA 2.0 resultEncoding has no STA 1.1 member",
                            remedy="write format sta2")
