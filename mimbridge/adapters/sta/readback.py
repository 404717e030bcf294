"""What the SensorThings reader gives back for what the structural writer writes: ids, types, annotations.

SensorThings JSON carries no entity type and no full entity id: the reader mints
``urn:ngsi-ld:sta:<Type>:<id>`` from the ``@iot.id`` and the type it infers (from the navigation
property that holds the entity, or from the members of a top-level entity). The writer asks
these functions what will come back, and reports an entity, a link or an annotation that
comes back as something else.

>>> linked_id("urn:ngsi-ld:sta:Datastream:13", "Datastreams"), linked_id("urn:ngsi-ld:sta:Observation:13", "Datastream")
('urn:ngsi-ld:sta:Datastream:13', 'urn:ngsi-ld:sta:Datastream:13')
>>> linked_id("urn:ngsi-ld:Room:1", "Things")
"urn:ngsi-ld:sta:Thing:'urn:ngsi-ld:Room:1'"
"""

from __future__ import annotations

import re
from typing import Any

from ...errors import MimbridgeError
from ...meta import MEMBER_NAME
from ...model import META_FIELDS, Attr, Kind, Node
from ...report import ConversionReport
from .names import is_absolute, member_iri, member_key
from .vocab import GEO_FIELDS, NAV_TYPE, geometry_problem, mint, parse_minted

__all__ = ["annotation_loss", "anonymous", "field_kind", "foreign_link", "linked_id", "nav_target", "root_id",
           "same_id"]

_OCCURRENCE = re.compile(r";\d+\Z")
_SCALARS = (str, int, float, bool)


def nav_target(key: str) -> str:
    """The entity type the reader gives the entities a navigation property holds.

    >>> nav_target("Datastreams"), nav_target("Thing"), nav_target("Extras")
    ('Datastream', 'Thing', 'Extra')
    """
    return NAV_TYPE.get(key) or (key[:-1] if key.endswith("s") else key)


def _back(iri: str, tname: str) -> str | None:
    parsed = parse_minted(iri)
    if parsed is None:
        return mint(tname, iri)  # written as {"@iot.id": iri}
    if not parsed[1]:
        return None  # an entity without an id: the reader makes up one of its own
    return mint(tname, parsed[2])


def anonymous(iri: str) -> bool:
    """True for the id of an entity without a SensorThings id (``urn:ngsi-ld:sta:<Type>:_...``).

    >>> anonymous("urn:ngsi-ld:sta:Location:_ab12/Locations/0"), anonymous("urn:ngsi-ld:sta:Thing:1")
    (True, False)
    """
    parsed = parse_minted(iri)
    return parsed is not None and not parsed[1]


def same_id(iri: str, back: str | None) -> bool:
    """True when the reader's id ``back`` is ``iri`` (an occurrence suffix ``;n`` is the reader's own).

    >>> same_id("urn:ngsi-ld:sta:Thing:1;2", "urn:ngsi-ld:sta:Thing:1"), same_id("urn:x:1", None)
    (True, False)
    """
    return back is not None and (back == iri or _OCCURRENCE.sub("", iri) == back)


def foreign_link(key: str) -> bool:
    """True for a navigation property named by a full IRI (a link of another vocabulary).

    >>> foreign_link("Https://example.org/owner"), foreign_link("Datastreams")
    (True, False)
    """
    return is_absolute(key[:1].lower() + key[1:])


def linked_id(iri: str, key: str, *, present: bool = True) -> str | None:
    """The id the reader gives the entity ``iri`` written under the navigation property ``key`` (None: made up).

    ``present``: the entity is in the data (written out); else it is written as a reference, which under a
    link of another vocabulary holds the full id.
    """
    if not present and foreign_link(key) and is_absolute(iri):
        return iri
    return _back(iri, nav_target(key))


def root_id(node: Node, written: dict[str, Any], *, v2: bool) -> str | None:
    """The id the reader gives a top-level entity written as ``written`` (its type inferred from the members).

    >>> from mimbridge.model import Node
    >>> root_id(Node("urn:ngsi-ld:sta:Sensor:1", ["urn:mimbridge:sta:Sensor"]), {"@iot.id": 1, "metadata": "m"},
    ...         v2=False)
    'urn:ngsi-ld:sta:Sensor:1'
    """
    from .read import StaReader  # the reader's own inference (read imports this package's names)

    try:
        tname = StaReader(ConversionReport(), dialect="2.0" if v2 else "1.1")._infer(written, "")
    except MimbridgeError:
        return None
    return _back(node.id, tname)


def annotation_loss(name: str, instances: list[Attr]) -> str | None:
    """What a sub-attribute of a link loses as a SensorThings annotation (its value only is written), or None.

    >>> annotation_loss("urn:mimbridge:sta:x", [Attr(Kind.PROPERTY, 1)]) is None
    True
    >>> annotation_loss("urn:mimbridge:sta:x", [Attr(Kind.RELATIONSHIP, "urn:x:1")])
    'a Relationship is read back as a Property'
    """
    a = instances[0]
    lost = []
    kind = Kind.PROPERTY if isinstance(a.value, _SCALARS) else Kind.JSON
    if a.kind is not kind:
        lost.append(f"a {a.kind.value} is read back as a {kind.value}")
    if member_iri(member_key(name)) != name:
        lost.append(f"its name is read back as {member_iri(member_key(name))}")
    if len(instances) > 1:
        lost.append("only its first instance is written")
    if any(getattr(a, py) is not None for py, _ in META_FIELDS):
        lost.append("its meta-data (observedAt, unitCode, datasetId, ...) is not written")
    if a.attrs:
        lost.append("its own sub-attributes are not written")
    if any(k != MEMBER_NAME for k in a.meta):
        lost.append(f"its other members ({', '.join(sorted(k for k in a.meta if k != MEMBER_NAME))}) are not written")
    return "; ".join(lost) or None


def field_kind(key: str, value: Any) -> Kind:
    """The attribute kind the reader gives the field ``key`` holding ``value`` (as written).

    >>> field_kind("location", {"type": "Point", "coordinates": [1, 2]}), field_kind("x", [1]), field_kind("x", 1)
    (<Kind.GEO: 'GeoProperty'>, <Kind.JSON: 'JsonProperty'>, <Kind.PROPERTY: 'Property'>)
    """
    if key in GEO_FIELDS and isinstance(value, dict):
        geom = value.get("geometry") if value.get("type") == "Feature" else value
        if geometry_problem(geom) is None:
            return Kind.GEO
    return Kind.PROPERTY if isinstance(value, _SCALARS) else Kind.JSON
