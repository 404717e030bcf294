"""The NGSI-LD schemas the test double checks every request and response against, read from the corpus.

Two third-party documents are combined, both loaded from the corpus at start-up
with every ``$ref`` resolved offline through a :class:`referencing.Registry`:

* the ETSI NGSI-LD JSON Schemas (``Entity.json``, ``common.json``,
  ``geometry-schema.json``, ``temporal/EntityTemporal.json``,
  ``subscriptions/Notification.json``; the v1.3 set) for entity, temporal
  entity and notification bodies;
* the ETSI OpenAPI of the NGSI-LD API V1.6.1 (``ngsi-ld-api.yaml``) for query
  parameters, subscriptions, batch operation results and ProblemDetails.

The OpenAPI's own entity schemas cannot be used: each combines, under
``allOf``, a subschema that has only ``additionalProperties``, so ``id`` and
``type`` must themselves be attributes and no entity validates. Where either
document contradicts the standard's text, :data:`ERRATA` patches it; each
patch names the clause and, where possible, takes its content from the other
corpus document. Nothing else is added.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT7

ETSI = "https://forge.etsi.org/rep/NGSI-LD/NGSI-LD/raw/master/schema/"
API_ID = "urn:ngsi-ld-openapi:1.6.1"
JSON_SCHEMA_DIR = Path("ngsi-ld/semantic-data-aggregator/ngsi-ld/etsi/schema")
OPENAPI_FILE = Path("ngsi-ld/python-ngsi-ld-client/schemas/ngsi-ld-api.yaml")

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")


def _entity(name: str) -> dict[str, str]:
    return {"$ref": f"{ETSI}Entity.json#/definitions/{name}"}


_ATTRIBUTE = [_entity("Property"), _entity("Relationship"), _entity("GeoProperty"), _entity("LanguageProperty")]

#: (document, JSON pointer, new value, reason). Applied in order to copies of the corpus documents.
ERRATA: list[tuple[str, str, Any, str]] = [
    ("Entity.json", "/definitions/Property/properties/unitCode", "openapi:/components/schemas/Property.Common/"
     "properties/unitCode", "clause 5.2.5: a Property may carry unitCode; the v1.3 schema omits it"),
    ("Entity.json", "/definitions/LanguageProperty", {
        "allOf": [{"$ref": f"{API_ID}#/components/schemas/LanguageProperty.Common"}],
        "required": ["type", "languageMap"],
        "additionalProperties": {"anyOf": [_entity("Property"), _entity("Relationship")]},
        "properties": {"type": {}, "languageMap": {}, "observedAt": {}, "datasetId": {}, "createdAt": {},
                       "modifiedAt": {}, "instanceId": {}},
    }, "clause 5.2.32 LanguageProperty (OpenAPI LanguageProperty.Common; its Input requires 'value', a typo "
       "for 'languageMap')"),
    ("Entity.json", "/definitions/Entity/additionalProperties", {"anyOf": [
        *_ATTRIBUTE, {"type": "array", "minItems": 1, "items": {"anyOf": _ATTRIBUTE}}]},
     "clause 4.5.5 multi-attributes: an attribute may be an array of instances told apart by datasetId "
     "(as in the OpenAPI Entity.Input); LanguageProperty from clause 5.2.32"),
    ("Entity.json", "/definitions/Entity/properties/type", {"anyOf": [
        {"$ref": f"{ETSI}common.json#/definitions/Name"},
        {"type": "array", "minItems": 1, "items": {"$ref": f"{ETSI}common.json#/definitions/Name"}}]},
     "clause 5.2.4: an entity may have several types (OpenAPI Entity.Common: string or array)"),
    ("openapi", "/components/schemas/BatchOperationResult/required", ["success", "errors"],
     "clause 5.2.16: the member is 'errors' (the schema's own property); 'error' is a typo"),
    ("openapi", "/components/parameters/Query.georel/schema", {"$ref": f"{ETSI}common.json#/definitions/georel"},
     "the YAML pattern is double-escaped (matches a backslash, not a digit); common.json has it right"),
]

#: query parameters of clause 6.3.10 that the V1.6.1 OpenAPI does not list for these operations
EXTRA_PARAMETERS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/entities"): {"offset": {"type": "integer", "minimum": 0}},
    ("get", "/temporal/entities"): {"offset": {"type": "integer", "minimum": 0}},
}


def _pointer_set(doc: Any, pointer: str, value: Any) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    for part in parts[:-1]:
        doc = doc[part]
    doc[parts[-1]] = value


def _pointer_get(doc: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        doc = doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


@dataclass
class Violation:
    """One schema failure: where (request/response/notification), what, and the first messages."""

    where: str
    what: str
    errors: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "what": self.what, "errors": self.errors}


class Schemas:
    """Validators for the payloads of the NGSI-LD API subset the double serves."""

    def __init__(self, corpus: Path) -> None:
        docs: dict[str, Any] = {}
        for path in sorted((corpus / JSON_SCHEMA_DIR).rglob("*.json")):
            docs[path.name] = json.loads(path.read_text(encoding="utf-8"))
        api = yaml.safe_load((corpus / OPENAPI_FILE).read_text(encoding="utf-8"))
        api["$id"] = API_ID
        docs["openapi"] = api
        docs = copy.deepcopy(docs)
        for name, pointer, value, _reason in ERRATA:
            if isinstance(value, str) and value.startswith("openapi:"):
                value = copy.deepcopy(_pointer_get(api, value.removeprefix("openapi:")))
            _pointer_set(docs[name], pointer, value)
        upsert_201 = docs["openapi"]["paths"]["/entityOperations/upsert"]["post"]["responses"]["201"]
        docs["openapi"]["components"]["schemas"]["_UpsertCreated"] = upsert_201["content"]["application/json"]["schema"]
        registry: Registry = Registry()
        for doc in docs.values():
            registry = registry.with_resource(doc["$id"], DRAFT7.create_resource(doc))
        self.registry = registry
        self.api = docs["openapi"]
        checker = jsonschema.FormatChecker()
        checker.checks("uri")(lambda v: not isinstance(v, str) or bool(_URI.match(v)))
        self.checker = checker
        self._cache: dict[str, jsonschema.Draft7Validator] = {}

    def validator(self, ref: str) -> jsonschema.Draft7Validator:
        """A validator for ``{"$ref": ref}`` (``entity``, ``temporal``, ``notification`` or ``api:<Schema>``)."""
        if ref not in self._cache:
            target = {
                "entity": f"{ETSI}Entity.json",
                "temporal": f"{ETSI}temporal/EntityTemporal.json",
                "notification": f"{ETSI}subscriptions/Notification.json",
            }.get(ref) or f"{API_ID}#/components/schemas/{ref.removeprefix('api:')}"
            self._cache[ref] = jsonschema.Draft7Validator({"$ref": target}, registry=self.registry,
                                                          format_checker=self.checker)
        return self._cache[ref]

    def errors(self, ref: str, instance: Any, *, context: bool = False) -> list[str]:
        """Messages (JSON path: message) of ``instance`` against ``ref``; ``context`` requires ``@context``."""
        out = [f"{e.json_path}: {e.message[:300]}" for e in self.validator(ref).iter_errors(instance)]
        if context and isinstance(instance, dict) and "@context" not in instance:
            out.append("$: '@context' is required in an application/ld+json body (clause 6.3.5)")
        return out[:10]

    def parameters(self, method: str, path: str) -> dict[str, dict[str, Any]]:
        """Query parameters the OpenAPI allows for an operation: name -> {"schema", "required", "explode"}."""
        op = self.api["paths"][path][method]
        out: dict[str, dict[str, Any]] = {}
        for entry in op.get("parameters", []):
            param = dict(_pointer_get(self.api, entry["$ref"].removeprefix("#"))) if "$ref" in entry else {}
            param.update({k: v for k, v in entry.items() if k != "$ref"})
            if param.get("in") != "query":
                continue
            out[param["name"]] = {"schema": param["schema"], "required": bool(param.get("required")),
                                  "explode": param.get("explode", True)}
        for name, schema in EXTRA_PARAMETERS.get((method, path), {}).items():
            out[name] = {"schema": schema, "required": False, "explode": True}
        return out

    def check_parameters(self, method: str, path: str, query: list[tuple[str, str]]) -> list[str]:
        """Validate raw query pairs against the operation's parameters (form style, comma-separated arrays)."""
        allowed = self.parameters(method, path)
        errors: list[str] = []
        seen: set[str] = set()
        for name, raw in query:
            spec = allowed.get(name)
            if spec is None:
                errors.append(f"query parameter {name!r} is not defined for {method.upper()} {path}")
                continue
            if name in seen:
                errors.append(f"query parameter {name!r} given twice")
            seen.add(name)
            value = _coerce(raw, spec["schema"], self)
            schema = _rebase(spec["schema"], f"{API_ID}#")
            v = jsonschema.Draft7Validator(schema, registry=self.registry, format_checker=self.checker)
            errors.extend(f"{name}: {e.message[:200]}" for e in v.iter_errors(value))
        for name, spec in allowed.items():
            if spec["required"] and name not in seen:
                errors.append(f"query parameter {name!r} is required for {method.upper()} {path}")
        return errors


def _rebase(schema: Any, base: str) -> Any:
    """Make the OpenAPI's document-relative ``#/...`` references absolute."""
    if isinstance(schema, dict):
        return {k: (base + v[1:] if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v, base))
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [_rebase(v, base) for v in schema]
    return schema


def _kind(schema: dict[str, Any], schemas: Schemas) -> str | None:
    if "$ref" in schema:
        ref = schema["$ref"]
        target = (schemas.registry.resolver().lookup(ref).contents if not ref.startswith("#")
                  else _pointer_get(schemas.api, ref[1:]))
        return _kind(target, schemas)
    if "type" in schema:
        return schema["type"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            kinds = {_kind(s, schemas) for s in schema[key]}
            return "array" if "array" in kinds else next(iter(kinds))
    return None


def _coerce(raw: str, schema: dict[str, Any], schemas: Schemas) -> Any:
    """Turn a query string value into the JSON value its schema describes."""
    kind = _kind(schema, schemas)
    if kind == "integer":
        return int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "array":
        if raw.startswith("["):  # coordinates are JSON arrays serialised as text (clause 4.10)
            try:
                return json.loads(raw)
            except ValueError:
                return raw
        return raw.split(",")
    return raw
