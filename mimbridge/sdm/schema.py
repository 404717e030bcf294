"""JSON Schemas for Smart Data Models, offline.

The catalogue package ships attribute records, not the models' ``schema.json``
files nor the shared schemas they reference (``common-schema.json`` with
``GSMA-Commons``, ``Location-Commons``, ``PhysicalObject-Commons``...; the
subject schemas such as ``Environment-schema.json``). So:

* :func:`model_schema` builds a JSON Schema from a model's catalogue records:
  ``required`` from the model's metadata, and per attribute its JSON ``type``,
  ``format`` and ``enum`` (a Relationship may be one URI or an array of them);
* :func:`folder_resources` maps a local folder of schemas (a mirror of
  ``https://smart-data-models.github.io/``, or any files with an ``$id``) to the
  URLs a schema's ``$ref`` s use, for :func:`mimbridge.validate.jsonschema.load_schema`;
* :func:`shipped_schemas` says what the catalogue package ships (no schema files
  in the versions published so far).

>>> from mimbridge.sdm.catalogue import AttributeSpec, ModelSpec
>>> m = ModelSpec("Bin", "dataModel.Waste", required=("id", "type"), attributes={
...     "fill": AttributeSpec("fill", "Property", "https://ex.org/fill", json_type="number")})
>>> s = model_schema(m)
>>> s["properties"]["fill"], s["required"]
({'type': 'number'}, ['id', 'type'])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import MappingError
from .catalogue import PACKAGE, ModelSpec, available

__all__ = ["SITE", "folder_resources", "model_for_schema", "model_schema", "shipped_schemas"]

#: where the data models publish their schemas (``$id`` s and ``$ref`` s point here)
SITE = "https://smart-data-models.github.io/"
_RAW = "https://raw.githubusercontent.com/smart-data-models/"
_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})


def model_schema(model: ModelSpec) -> dict[str, Any]:
    """A JSON Schema (2020-12) for a model's keyValues entities, built from its catalogue records.

    It checks what the records state (JSON type, format, enum, required
    attributes, the entity type) and accepts any other attribute.
    """
    props: dict[str, Any] = {"id": {"type": "string", "minLength": 1},
                             "type": {"type": "string", "enum": [model.name]}}
    for name, a in model.attributes.items():
        if a.kind == "Relationship":
            one: dict[str, Any] = {"type": "string"}
            props[name] = {"anyOf": [one, {"type": "array", "items": one}]}
            continue
        spec: dict[str, Any] = {}
        if a.json_type in _JSON_TYPES:
            spec["type"] = a.json_type
        if a.format and a.json_type in (None, "string"):
            spec["format"] = a.format
        if a.enum:
            if a.json_type == "array":
                spec["items"] = {"enum": list(a.enum)}
            else:
                spec["enum"] = list(a.enum)
        props[name] = spec
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:mimbridge:sdm-catalogue:{model.qualified}",
        "title": f"{model.qualified} {model.version} (from the Smart Data Models catalogue records)".strip(),
        "type": "object",
        "required": [r for r in model.required if r in props] or ["id", "type"],
        "properties": props,
    }


def model_for_schema(schema: Any, catalogue: Any) -> ModelSpec | None:
    """The catalogue model a ``schema.json`` describes (from its ``$id`` or its ``type`` enum), or None.

    >>> from mimbridge.sdm.catalogue import Catalogue
    >>> cat = Catalogue([{"dataModel": "Bin", "repoName": "dataModel.Waste", "property": "x", "context": "x"}])
    >>> model_for_schema({"$id": SITE + "dataModel.Waste/Bin/schema.json"}, cat).qualified
    'dataModel.Waste/Bin'
    """
    if not isinstance(schema, dict):
        return None
    sid = schema.get("$id")
    if isinstance(sid, str):
        for prefix in (SITE, _RAW):
            if sid.startswith(prefix):
                parts = [p for p in sid[len(prefix):].split("/") if p and p not in ("master", "schema.json")]
                if len(parts) >= 2 and parts[0].startswith("dataModel."):
                    found = catalogue.find(parts[1], subject=parts[0])
                    if found is not None:
                        return found
    for part in [schema, *(p for p in schema.get("allOf") or () if isinstance(p, dict))]:
        enum = ((part.get("properties") or {}).get("type") or {}).get("enum")
        if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
            found = catalogue.find(enum[0])
            if found is not None:
                return found
    return None


def folder_resources(folder: str | os.PathLike) -> dict[str, Path]:
    """``{URL: local file}`` for the JSON files of a folder of schemas.

    A file is known by its ``$id`` and by its place in the folder read as a
    mirror of the data models' site (``data-models/common-schema.json`` ->
    ``https://smart-data-models.github.io/data-models/common-schema.json``, and
    the matching ``raw.githubusercontent.com/smart-data-models/<repo>/master/...`` URL).

    >>> folder_resources("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mimbridge.errors.MappingError: schema folder /nonexistent: not a folder
    """
    root = Path(folder)
    if not root.is_dir():
        raise MappingError(f"schema folder {folder}: not a folder")
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root).as_posix()
        out.setdefault(SITE + rel, path)
        head, _, rest = rel.partition("/")
        if rest:
            out.setdefault(f"{_RAW}{head}/master/{rest}", path)
        try:
            sid = json.loads(path.read_text(encoding="utf-8")).get("$id")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(sid, str) and sid:
            out[sid.split("#", 1)[0]] = path
    return out


def shipped_schemas() -> list[str]:
    """JSON Schema files the installed catalogue package ships (relative paths; empty for 0.8.x).

    >>> isinstance(shipped_schemas() if available() else [], list)
    True
    """
    from importlib.resources import files

    if not available():
        return []
    root = files(PACKAGE)
    found: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, name + "/")
            elif child.name.endswith("schema.json"):
                found.append(name)

    walk(root, "")
    return sorted(found)
