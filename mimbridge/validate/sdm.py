"""Validating NGSI-LD data sets against Smart Data Models, offline.

:func:`validate_dataset` checks every entity of a document (one entity, an
array, or a notification; keyValues, normalized or concise) against

* ``model=``: the model's schema built from the catalogue records
  (:func:`mimbridge.sdm.schema.model_schema`); ``"auto"`` takes each entity's
  ``type`` (and its ``@context`` where several subjects have a model of that name); or
* ``schema=``: a ``schema.json`` (path, dict, or URL looked up in ``schema_dir``;
  a model's schema URL without a local copy falls back to its catalogue records). Its ``$ref`` s resolve from
  ``schema_dir`` (a local folder of schemas, see
  :func:`mimbridge.sdm.schema.folder_resources`); the catalogue package ships no
  schema files, so references left unresolved are listed in ``notes`` and, when
  the catalogue knows the model the schema describes, the attributes they would
  have defined are checked against the catalogue records instead.

Each violation's pointer starts at the document: ``/3/temperature/value``.

>>> result = validate_dataset([{"id": "urn:x:1", "type": "T", "t": "hot"}],
...                           schema={"properties": {"t": {"type": "number"}}})
>>> [str(v) for v in result.violations]
["/0/t: 'hot' is not of type 'number'"]
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CapabilityError, MappingError
from .jsonschema import Schema, SchemaViolation, load_schema

__all__ = ["DatasetValidation", "entities_of", "validate_dataset"]


@dataclass(slots=True)
class DatasetValidation:
    """Violations of a data set (pointers into the document) and notes on what was (not) checked."""

    violations: list[SchemaViolation] = field(default_factory=list)
    entities: int = 0
    notes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when no entity violates its schema."""
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"conforms": self.conforms, "entities": self.entities, "notes": self.notes,
                "unresolved": self.unresolved, "violations": [v.to_dict() for v in self.violations]}


def entities_of(data: Any) -> list[tuple[str, Any]]:
    """``(pointer, entity)`` for each entity of a document (entity, array, notification).

    >>> entities_of({"type": "Notification", "data": [{"id": "urn:x:1"}]})
    [('/data/0', {'id': 'urn:x:1'})]
    """
    if isinstance(data, dict) and data.get("type") == "Notification" and isinstance(data.get("data"), list):
        return [(f"/data/{i}", e) for i, e in enumerate(data["data"])]
    if isinstance(data, list):
        return [(f"/{i}", e) for i, e in enumerate(data)]
    return [("", data)]


def _type_name(entity: Any) -> str:
    t = entity.get("type", entity.get("@type")) if isinstance(entity, dict) else None
    if isinstance(t, list) and len(t) == 1:
        t = t[0]
    return t if isinstance(t, str) else ""


def validate_dataset(data: Any, *, model: str | None = None, schema: Any = None,
                     schema_dir: str | os.PathLike | None = None, formats: bool = False,
                     catalogue: Any = None) -> DatasetValidation:
    """Validate every entity of ``data`` against a catalogue model or a ``schema.json`` (see module docs)."""
    if (model is None) == (schema is None):
        raise MappingError("validate_dataset needs exactly one of model= and schema=")
    result = DatasetValidation()
    items = entities_of(data)
    result.entities = len(items)
    checks: dict[str, list[Schema]] = {}
    fixed: list[Schema] | None = None
    if schema is not None:
        fixed = _from_file(schema, schema_dir, formats, catalogue, result)
    for ptr, entity in items:
        if fixed is not None:
            schemas = fixed
        else:
            name = model if model is not None and model != "auto" else _type_name(entity)
            context = entity.get("@context") if model == "auto" and isinstance(entity, dict) else None
            key = f"{name}\x1f{json.dumps(context, sort_keys=True)}"
            if key not in checks:
                checks[key] = _from_catalogue(name, context, formats, catalogue, result, ptr)
            schemas = checks[key]
        seen: set[tuple[str, str]] = set()
        for s in schemas:
            for v in s.validate(entity):
                # a file schema and the catalogue records may both report the same fault
                if (v.pointer, v.keyword) in seen:
                    continue
                seen.add((v.pointer, v.keyword))
                result.violations.append(SchemaViolation(ptr + v.pointer, v.message, v.keyword, v.schema_path))
    return result


def _catalogue(catalogue: Any) -> Any:
    if catalogue is not None:
        return catalogue
    from ..sdm.catalogue import load_catalogue

    return load_catalogue()


def _from_catalogue(name: str, context: Any, formats: bool, catalogue: Any, result: DatasetValidation,
                    ptr: str) -> list[Schema]:
    from ..sdm.schema import model_schema

    cat = _catalogue(catalogue)
    try:
        spec = cat.model(name, context=context)
    except MappingError as exc:
        result.notes.append(f"{ptr or '/'}: {exc}; entities of this type are not checked")
        return []
    result.notes.append(f"{spec.qualified} {spec.version}: schema built from the Smart Data Models catalogue "
                        f"{cat.version} records (types, formats, enums, required attributes)")
    return [load_schema(model_schema(spec), formats=formats)]


def _from_file(schema: Any, schema_dir: Any, formats: bool, catalogue: Any,
               result: DatasetValidation) -> list[Schema]:
    from ..sdm.schema import folder_resources, model_for_schema, model_schema, shipped_schemas

    resources = folder_resources(schema_dir) if schema_dir is not None else {}
    if isinstance(schema, str) and schema.startswith(("http://", "https://")):
        local = resources.get(schema.split("#", 1)[0])
        if local is None:
            spec = model_for_schema({"$id": schema}, _catalogue(catalogue))
            if spec is None:
                raise MappingError(f"schema {schema}: no local copy (offline) and no catalogue model of that $id; "
                                   "pass schema_dir=<folder of schemas> holding it, or the schema's file")
            result.notes.append(f"schema {schema}: not shipped by the catalogue package and no local copy; "
                                f"validated against the catalogue records of {spec.qualified} {spec.version} "
                                "(pass schema_dir=<folder of schemas> for the schema itself)")
            return [load_schema(model_schema(spec), formats=formats)]
        schema = local
    loaded = load_schema(schema, resources=dict(resources), skip_unresolved=True, formats=formats,
                         base=Path(schema).resolve().parent if isinstance(schema, (str, os.PathLike)) else None)
    out = [loaded]
    result.unresolved = sorted(set(loaded.unresolved))
    if not loaded.unresolved:
        return out
    shipped = "ships no schema files" if not shipped_schemas() else "does not ship them"
    result.notes.append(f"{len(result.unresolved)} $ref(s) not resolved offline and left out: the catalogue package "
                        f"{shipped}; pass schema_dir=<folder with a copy of them>")
    try:
        cat = _catalogue(catalogue)
    except CapabilityError as exc:  # the extra is missing: say so, validate what the file holds
        result.notes.append(str(exc))
        return out
    spec = model_for_schema(loaded.schema, cat)
    if spec is None:
        result.notes.append("the catalogue knows no model for this schema: the left-out parts are not checked")
        return out
    result.notes.append(f"the attributes of the left-out parts are checked against the catalogue records of "
                        f"{spec.qualified} {spec.version}")
    out.append(load_schema(model_schema(spec), formats=formats))
    return out
