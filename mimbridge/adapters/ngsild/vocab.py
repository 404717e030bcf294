"""NGSI-LD vocabulary at the bottom of the NGSI-LD family: attribute types, value keys, members.

>>> VALUE_KEY[Kind.RELATIONSHIP]
'object'
"""


from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from ...errors import ParseError
from ...meta import MEMBER_NAME
from ...model import Kind

__all__ = [
    "ARRAY_MARK", "ENTITY_MEMBERS", "KV_EXTRAS", "NGSI_LD_EXTRAS", "GEO_TYPES", "INTERNAL_MEMBERS", "KIND_NAME",
    "META_MEMBERS", "NAME_MARK", "OLD_TYPES", "RAW_MEMBERS", "TYPES", "URI_RE", "VALUE_KEY", "VALUE_KEYS",
    "by_member", "esc_name", "is_geometry", "is_language_tag",
]

URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")

#: attribute type name -> (kind, value member)
TYPES: dict[str, tuple[Kind, str]] = {
    "Property": (Kind.PROPERTY, "value"),
    "GeoProperty": (Kind.GEO, "value"),
    "LanguageProperty": (Kind.LANGUAGE, "languageMap"),
    "VocabProperty": (Kind.VOCAB, "vocab"),
    "JsonProperty": (Kind.JSON, "json"),
    "ListProperty": (Kind.LIST, "valueList"),
    "Relationship": (Kind.RELATIONSHIP, "object"),
    "ListRelationship": (Kind.LIST_RELATIONSHIP, "objectList"),
}
OLD_TYPES = {"VocabularyProperty": "VocabProperty"}
VALUE_KEY: dict[Kind, str] = {k: m for k, m in TYPES.values()}
#: concise inference: key member -> kind (order matters: first match wins)
KEY_KIND = [(m, k) for k, m in TYPES.values() if k is not Kind.GEO]
VALUE_KEYS = frozenset(VALUE_KEY.values())
GEO_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                       "MultiPolygon", "GeometryCollection"})

#: attribute meta-data members -> model field
META_MEMBERS: dict[str, str] = {
    "datasetId": "dataset_id", "observedAt": "observed_at", "unitCode": "unit_code",
    "createdAt": "created_at", "modifiedAt": "modified_at", "deletedAt": "deleted_at",
    "instanceId": "instance_id", "expiresAt": "expires_at", "scope": "scope",
}
META_ORDER = tuple(META_MEMBERS.items())
#: other NGSI-LD members of an attribute, kept verbatim in ``Attr.meta``
RAW_MEMBERS = frozenset({
    "previousValue", "previousObject", "previousLanguageMap", "previousVocab", "previousJson",
    "previousValueList", "previousObjectList", "objectType", "lang", "entity", "entityList",
})
#: the model's meta data keys NGSI-LD writes (:mod:`mimbridge.meta`), and what keyValues writes of them
NGSI_LD_EXTRAS = frozenset({"@context", "ngsi-ld:notification", MEMBER_NAME, *RAW_MEMBERS})
KV_EXTRAS = frozenset({"@context"})
#: members mimbridge itself adds while reading (kept in ``Attr.meta``, never written as such)
INTERNAL_MEMBERS = frozenset({"ngsi-ld:aggregation"})
ENTITY_MEMBERS = frozenset({"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"})
ENTITY_KEYS = ENTITY_MEMBERS | {"@id", "@type"}
ARRAY_MARK = "ngsi-ld:array"  # meta flag: a single instance was given as a one-element array
#: meta field: the member name an instance came with, when several members expand to its attribute IRI
NAME_MARK = MEMBER_NAME


def by_member(instances: list[Any], default: str) -> dict[str, list[Any]]:
    """Instances grouped by the member name they came with (``meta[NAME_MARK]``, else ``default``)."""
    out: dict[str, list[Any]] = {}
    for a in instances:
        out.setdefault(a.meta.get(NAME_MARK, default), []).append(a)
    return out
URI_META = frozenset({"dataset_id", "instance_id"})


def esc_name(name: str) -> str:
    if "/" in name or "~" in name:
        return name.replace("~", "~0").replace("/", "~1")
    return name


PROPERTY, GEO, VOCAB, _JSON = Kind.PROPERTY, Kind.GEO, Kind.VOCAB, Kind.JSON
RELATIONSHIP = Kind.RELATIONSHIP
#: kinds whose value needs checking or expansion on read
CHECKED = frozenset({Kind.RELATIONSHIP, Kind.LIST_RELATIONSHIP, Kind.LANGUAGE, Kind.VOCAB, Kind.LIST, Kind.GEO})
KIND_NAME: dict[Kind, str] = {k: k.value for k in Kind}
META_GET = attrgetter(*(f for _, f in META_ORDER))
META_NAMES = tuple(m for m, _ in META_ORDER)
NO_META = (None,) * len(META_ORDER)

#: how ``Reader.instance`` treats each known member of an attribute instance (others are nested attributes)
VALUE_MEMBER, OBSERVED_AT, UNIT_CODE, DATASET_ID, META, SCOPE, RAW = range(7)
MEMBER_CODE: dict[str, int] = {
    **dict.fromkeys(VALUE_KEYS, VALUE_MEMBER),
    **dict.fromkeys(META_MEMBERS, META),
    "observedAt": OBSERVED_AT, "unitCode": UNIT_CODE, "datasetId": DATASET_ID, "scope": SCOPE,
    **dict.fromkeys(RAW_MEMBERS | INTERNAL_MEMBERS, RAW),
}


def not_string(key: str, ptr: str) -> ParseError:
    return ParseError(f"{key} must be a string", pointer=f"{ptr}/{key}",
                      expected="a string" + (" (DateTime)" if key.endswith("At") else ""))


_LANG_TAGS: dict[str, bool] = {}


def is_language_tag(tag: Any) -> bool:
    """True for a well-formed BCP 47 language tag (RFC 5646, as RDF requires) or ``@none``.

    >>> is_language_tag("de-CH-1901"), is_language_tag("x"), is_language_tag("@none")
    (True, False, True)
    """
    if tag.__class__ is not str:
        return False
    hit = _LANG_TAGS.get(tag)
    if hit is None:
        import pyoxigraph as ox

        try:
            ox.Literal("", language=tag)
            hit = True
        except ValueError:
            hit = tag == "@none"
        if len(_LANG_TAGS) < 4096:
            _LANG_TAGS[tag] = hit
    return hit


def is_geometry(v: Any) -> bool:
    """True for a GeoJSON geometry object."""
    return (isinstance(v, dict) and v.get("type").__class__ is str and v["type"] in GEO_TYPES
            and ("coordinates" in v or "geometries" in v))


