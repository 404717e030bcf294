"""The observations mapping's vocabulary and tables: reserved names, member IRIs, property and unit lookup.

>>> derived_name("Air temperature")
'airTemperature'
"""


from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ...errors import MappingError
from .vocab import (
    STA,
)

try:  # the unit table is optional: without it no unitCode is derived (and each unit is reported)
    from ...mapping import units
except ImportError:  # pragma: no cover - depends on the installation
    units = None  # type: ignore[assignment]

__all__ = [
    "DATASTREAMS", "DEFAULTS", "DEFAULT_CONTEXT", "DEFAULT_TABLE", "FOI_REL", "MULTI_DATASTREAMS", "NO_RESULT",
    "OBSERVATIONS", "OBSERVED_BY", "PHENOMENON_TIME", "RESERVED", "RESULT", "RESULT_TIME", "STA_MEMBERS",
    "attribute_terms", "derived_name", "table_lookup", "unit_code", "units",
]

DEFAULT_CONTEXT = "https://uri.etsi.org/ngsi-ld/default-context/"
SDM_ENVIRONMENT = "https://smartdatamodels.org/dataModel.Environment/"
QUANTITY_KIND = "http://qudt.org/vocab/quantitykind/"
#: ObservedProperty definition -> attribute IRI (the exact matches of the Smart Data Models
#: environment table, ``mappings/sdm-environment-quantitykinds.sssom.tsv``).
DEFAULT_TABLE: dict[str, str] = {
    QUANTITY_KIND + "Temperature": SDM_ENVIRONMENT + "temperature",
    QUANTITY_KIND + "RelativeHumidity": SDM_ENVIRONMENT + "relativeHumidity",
    QUANTITY_KIND + "AtmosphericPressure": SDM_ENVIRONMENT + "atmosphericPressure",
    QUANTITY_KIND + "Illuminance": SDM_ENVIRONMENT + "illuminance",
}
#: Names an attribute derived from an ObservedProperty must not take: entity members, NGSI-LD
#: members and the terms of the SensorThings context (they name other IRIs).
RESERVED = frozenset({"name", "description", "properties", "location", "id", "type", "scope", "createdAt",
                      "modifiedAt", "deletedAt", "observedAt", "unitCode", "datasetId", "instanceId", "value",
                      "observedBy", *json.loads(resources.files("mimbridge.contexts").joinpath("sta.jsonld")
                                               .read_text("utf-8"))["@context"]})

PHENOMENON_TIME = STA + "phenomenonTime"
RESULT_TIME = STA + "resultTime"
RESULT = STA + "result"
FOI_REL = STA + "featureOfInterest"
STA_MEMBERS = STA + "staMembers"
NO_RESULT = STA + "noResult"
#: the NGSI-LD name the Sensor of an Observation takes (``observedBy``, as the SOSA profile reads it)
OBSERVED_BY = DEFAULT_CONTEXT + "observedBy"
DEFAULTS = STA + "observationDefaults"
DATASTREAMS = STA + "datastreams"
MULTI_DATASTREAMS = STA + "multiDatastreams"
OBSERVATIONS = STA + "observations"

_WORD = re.compile(r"[A-Za-z0-9]+")


def derived_name(*texts: Any) -> str:
    """The attribute name derived from the first usable text (lowerCamelCase words).

    >>> derived_name("DewPoint Temperature"), derived_name(None, "http://dbpedia.org/page/Dew_point")
    ('dewPointTemperature', 'dewPoint')
    """
    for text in texts:
        if not isinstance(text, str):
            continue
        if "://" in text or text.startswith("urn:"):
            text = re.split(r"[/#:]", text.rstrip("/#"))[-1]
        words = _WORD.findall(text)
        if not words:
            continue
        first = words[0].lower() if words[0].isupper() else words[0][:1].lower() + words[0][1:]
        name = first + "".join(w[:1].upper() + w[1:] for w in words[1:])
        if name[0].isdigit():
            name = "n" + name
        return name + "Value" if name in RESERVED else name
    return "resultValue"


#: attribute IRIs the observations mapping names as they are (no term of their own in the entity's @context)
_OWN_NAMES = (STA, DEFAULT_CONTEXT, "https://uri.etsi.org/", "http://purl.org/dc/", "https://purl.org/geojson/")


def attribute_terms(names: Any) -> dict[str, str]:
    """The terms the observations mapping puts in an entity's @context for its other attribute IRIs.

    Each is the end of its IRI (the first IRI with that end gets it; reserved names get none), so the
    attribute reads back under a short name with the same IRI.

    >>> attribute_terms(["http://example.org/wind", "http://example.org/x/wind", DEFAULT_CONTEXT + "rain"])
    {'wind': 'http://example.org/wind'}
    """
    terms: dict[str, str] = {}
    for name in names:
        if not name.startswith(_OWN_NAMES):
            term = re.split(r"[/#:]", name)[-1]
            if term and term not in terms and term not in RESERVED:
                terms[term] = name
    return terms


def unit_code(uom: Any) -> str | bool | None:
    """UN/CEFACT code of a SensorThings unitOfMeasurement; None if it names no unit, False if unknown.

    >>> unit_code({"name": "degree Celsius", "symbol": "°C", "definition": "http://unitsofmeasure.org/ucum.html"})
    'CEL'
    >>> unit_code({"name": None, "symbol": None, "definition": None}) is None
    True
    """
    if not isinstance(uom, dict):
        return None
    definition, symbol = uom.get("definition"), uom.get("symbol")
    if not isinstance(definition, str) and not isinstance(symbol, str):
        return None
    if units is None:
        return False
    u = None
    if isinstance(definition, str):
        if "qudt.org" in definition:
            u = units.unit_by_qudt(definition)
        elif definition.startswith("ucum:"):
            u = units.unit_by_ucum(definition[5:])
    if u is None and isinstance(symbol, str) and symbol:
        u = units.unit_by_ucum(symbol) or units.unit_by_symbol(symbol)
    return u.code if u is not None else False


def table_lookup(table: Any) -> Any:
    if table is None:
        return DEFAULT_TABLE.get
    if isinstance(table, dict):
        return table.get
    if isinstance(table, (str, Path)):
        from ...mapping.sssom import read_sssom

        table = read_sssom(table)
    if hasattr(table, "apply"):
        def look(iri: str, _t: Any = table) -> str | None:
            try:
                return _t.apply(iri)
            except MappingError:
                return None
        return look
    raise MappingError("property_table must be a dict, an SSSOM/TSV path or a MappingSet")


