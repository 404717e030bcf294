"""What the SensorThings readers check before they build the model: JSON types and name collisions.

A member with the wrong JSON type (``"Locations": "x"``, ``"name": 3``) and a
member whose model name another member already took are errors, not guesses.

>>> wrong_type("Locations", "x", "", False)
Traceback (most recent call last):
...
mimbridge.errors.ParseError: /Locations: Locations is a string (expected an entity object or an array of entities)
"""

from __future__ import annotations

from typing import Any

from ...errors import ParseError
from .vocab import NAV_TYPE

__all__ = ["JSON_TYPES", "collision", "wrong_type"]

_NAV = ((dict, list), "an entity object or an array of entities")
#: member -> (allowed JSON types, what was expected); ``null`` passes (read as an absent value)
JSON_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    **dict.fromkeys(NAV_TYPE, _NAV),
    **dict.fromkeys(("name", "description", "encodingType", "definition", "observationType"), ((str,), "a string")),
    **dict.fromkeys(("properties", "parameters", "unitOfMeasurement"), ((dict,), "a JSON object")),
    **dict.fromkeys(("unitOfMeasurements", "multiObservationDataTypes"), ((list,), "an array")),
}
#: in STA 2.0 times may be {start, end} objects
_TIMES_1_1 = dict.fromkeys(("phenomenonTime", "resultTime", "validTime", "time"), ((str,), "an ISO 8601 string"))

_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def wrong_type(key: str, val: Any, ptr: str, v2: bool) -> None:
    """Raise ParseError when member ``key`` of the entity at ``ptr`` has a JSON type SensorThings forbids."""
    rule = JSON_TYPES.get(key) or (None if v2 else _TIMES_1_1.get(key))
    if rule is None or val is None:
        return
    types, expected = rule
    if not isinstance(val, types) or (isinstance(val, bool) and bool not in types):
        raise ParseError(f"{key} is a {_JSON_NAMES.get(type(val), type(val).__name__)}",
                         pointer=f"{ptr}/{_escape(key)}", expected=expected)


def collision(key: str, iri: str, ptr: str) -> ParseError:
    """The error for a member whose model name (``iri``) another member of the same object already took."""
    return ParseError(f"member {key!r} collides with another member read as {iri}", pointer=f"{ptr}/{_escape(key)}",
                      expected="member names that do not repeat a navigation, annotation or collection member")


_NGSI_LD_TYPES = frozenset({"Property", "GeoProperty", "Relationship", "LanguageProperty", "VocabProperty",
                            "JsonProperty", "ListProperty", "ListRelationship"})


def not_sensorthings(o: Any, ptr: str) -> None:
    """Raise ParseError when the object ``o`` at ``ptr`` is plainly NGSI-LD, not SensorThings.

    >>> not_sensorthings({"id": "urn:ngsi-ld:T:1", "type": "T"}, "")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mimbridge.errors.ParseError: /type: an NGSI-LD entity (id, type and attributes), not SensorThings JSON ...
    """
    if not (isinstance(o, dict) and "type" in o and "id" in o) or "@iot.id" in o:
        return
    eid = o["id"]
    if ("@context" in o or (isinstance(eid, str) and eid.startswith("urn:ngsi-ld:")) or any(
            isinstance(v, dict) and v.get("type") in _NGSI_LD_TYPES for v in o.values())):
        raise ParseError("an NGSI-LD entity (id, type and attributes), not SensorThings JSON", pointer=f"{ptr}/type",
                         expected="SensorThings JSON; read it as ngsi-ld")
