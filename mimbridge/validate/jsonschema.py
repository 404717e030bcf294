"""JSON Schema validation of NGSI-LD entities against Smart Data Models ``schema.json`` files.

Schemas are read offline. Every ``$ref`` is resolved before validation, from:

1. ``resources={uri: path or dict}``: local copies named by the caller;
2. local files: ``file:`` URIs, references relative to a schema without
   ``$id``, and URLs on the same site as the schema's ``$id``, looked up at
   the same relative place under ``base`` (default: the folder of the schema
   file), so a local mirror of the site works as is;
3. the network, never by itself: a remote reference raises
   :class:`~mimbridge.errors.ResolutionError` unless ``allow_remote=True``
   *and* a ``retrieve(url) -> dict`` callable is given.

With ``skip_unresolved=True`` a reference that cannot be resolved is left out
(its subschema accepts anything) and listed in :attr:`Schema.unresolved`, so
the rest of the schema still validates.

Smart Data Models schemas describe the keyValues (simplified) representation.
A normalized (or concise) entity is validated through its projection: each
attribute is replaced by the value its kind carries (``value``, ``object``,
``languageMap``, ``vocab``, ``json``, ``valueList``, ``objectList``; a JSON-LD
typed value ``{"@type": ..., "@value": v}`` by ``v``), the default instance
of a multi-attribute first and then each other instance; violations point
into the entity as given (``/temperature/value``, ``/speed/1/value``).
Formats (``date-time``...) are asserted only with ``formats=True``, as
JSON Schema 2020-12 treats them as annotations by default.

>>> schema = {"type": "object", "required": ["temperature"],
...           "properties": {"temperature": {"type": "number", "minimum": -90}}}
>>> [str(v) for v in validate_entity({"id": "urn:x:1", "type": "T", "temperature": -100}, schema)]
['/temperature: -100 is less than the minimum of -90']
>>> normalized = {"id": "urn:x:1", "type": "T", "temperature": {"type": "Property", "value": "hot"}}
>>> [v.pointer for v in validate_entity(normalized, schema)]
['/temperature/value']
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from ..errors import MappingError, ResolutionError

__all__ = ["Schema", "SchemaViolation", "load_schema", "project_entity", "validate_entity"]

Representation = Literal["auto", "normalized", "keyvalues"]
#: NGSI-LD attribute types and the member that holds their value
VALUE_MEMBER = {"Property": "value", "GeoProperty": "value", "Relationship": "object",
                "LanguageProperty": "languageMap", "VocabProperty": "vocab", "JsonProperty": "json",
                "ListProperty": "valueList", "ListRelationship": "objectList",
                "VocabularyProperty": "vocab"}
_CONCISE_MEMBERS = ("value", "object", "languageMap", "vocab", "json", "valueList", "objectList")
#: entity members that are not attributes
ENTITY_MEMBERS = frozenset({"id", "type", "@id", "@type", "@context", "scope", "createdAt", "modifiedAt",
                            "deletedAt"})


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One validation error: JSON pointer into the entity, message, failing keyword, schema location."""

    pointer: str
    message: str
    keyword: str = ""
    schema_path: str = ""

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"pointer": self.pointer, "message": self.message, "keyword": self.keyword,
                "schema_path": self.schema_path}


def _esc(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _pointer(parts: Any) -> str:
    return "".join(f"/{_esc(p)}" for p in parts)


# -- loading and resolving ------------------------------------------------------------------------

class _Resolver:
    def __init__(self, *, base: Path | None, site: str | None, resources: dict[str, Any],
                 allow_remote: bool, retrieve: Callable[[str], Any] | None, skip: bool) -> None:
        self.base = base
        self.site = site  # the root schema's $id (for the local-mirror rule)
        self.resources = {urldefrag(k)[0]: v for k, v in resources.items()}
        self.allow_remote = allow_remote
        self.retrieve = retrieve
        self.skip = skip
        self.docs: dict[str, Any] = {}
        self.unresolved: list[str] = []

    def document(self, uri: str) -> Any:
        if uri in self.docs:
            return self.docs[uri]
        contents = self._fetch(uri)
        self.docs[uri] = contents
        self.prepare(contents, uri)
        return contents

    def _local(self, uri: str) -> Path | None:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            return Path(unquote(parts.path))
        if self.site and self.base is not None:
            site = urlsplit(self.site)
            if (parts.scheme, parts.netloc) == (site.scheme, site.netloc):
                rel = posixpath.relpath(unquote(parts.path), posixpath.dirname(unquote(site.path)) or "/")
                return self.base / rel
        return None

    def _fetch(self, uri: str) -> Any:
        if uri in self.resources:
            value = self.resources[uri]
            return _read_json(value) if isinstance(value, (str, os.PathLike)) else value
        local = self._local(uri)
        if local is not None and local.is_file():
            return _read_json(local)
        scheme = urlsplit(uri).scheme
        if scheme not in ("http", "https"):
            raise ResolutionError(f"$ref {uri}: no local file {local}" if local else f"$ref {uri}: cannot resolve")
        if not self.allow_remote:
            raise ResolutionError(f"remote $ref {uri} not fetched (offline); pass resources={{url: local copy}}, "
                                  "or allow_remote=True with a retrieve= function")
        if self.retrieve is None:
            raise ResolutionError(f"remote $ref {uri}: allow_remote=True but mimbridge has no fetcher; "
                                  "pass retrieve=<function url -> schema dict>")
        try:
            return self.retrieve(uri)
        except ResolutionError:
            raise
        except Exception as exc:
            raise ResolutionError(f"remote $ref {uri}: {exc}") from exc

    def prepare(self, node: Any, base: str) -> None:
        """Resolve every ``$ref`` under ``node`` now (dropping unresolved ones when skipping)."""
        if isinstance(node, list):
            for item in node:
                self.prepare(item, base)
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, frag = urldefrag(urljoin(base, ref))
            try:
                doc = self.docs.get(target) if target in self.docs else (
                    None if target == urldefrag(base)[0] else self.document(target))
                if doc is not None and frag.startswith("/"):
                    _follow(doc, frag, ref)
            except ResolutionError:
                if not self.skip:
                    raise
                self.unresolved.append(urljoin(base, ref))
                del node["$ref"]
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default"):
                self.prepare(value, base)


def _follow(doc: Any, frag: str, ref: str) -> Any:
    node = doc
    for raw in frag.split("/")[1:]:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ResolutionError(f"$ref {ref}: {frag} points to nothing")
    return node


def _read_json(path: str | os.PathLike) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MappingError(f"cannot read schema {path}: {exc}") from exc


@dataclass(slots=True)
class Schema:
    """A schema with its references resolved, ready to validate many entities.

    ``unresolved`` lists the references left out (``skip_unresolved=True``).
    """

    schema: dict[str, Any]
    validator: Any
    unresolved: list[str] = field(default_factory=list)
    source: str = ""

    def validate(self, entity: Any, *, representation: Representation = "auto") -> list[SchemaViolation]:
        """Violations of one entity (see the module documentation)."""
        return _validate(self, entity, representation)


def load_schema(schema: Any, *, base: str | os.PathLike | None = None, allow_remote: bool = False,
                retrieve: Callable[[str], Any] | None = None, resources: dict[str, Any] | None = None,
                skip_unresolved: bool = False, formats: bool = False) -> Schema:
    """Read a schema (dict, path or :class:`Schema`) and resolve its references offline.

    >>> s = load_schema({"$ref": "https://example.org/common.json#/definitions/x"}, skip_unresolved=True)
    >>> s.unresolved
    ['https://example.org/common.json#/definitions/x']
    """
    if isinstance(schema, Schema):
        return schema
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    source = ""
    if isinstance(schema, (str, os.PathLike)):
        path = Path(schema)
        source = str(path)
        contents = _read_json(path)
        base_dir: Path | None = Path(base) if base is not None else path.resolve().parent
        root = path.resolve().as_uri()
    elif isinstance(schema, dict):
        contents = schema
        base_dir = Path(base) if base is not None else None
        root = (base_dir.resolve() / "schema.json").as_uri() if base_dir is not None else "urn:mimbridge:schema"
    else:
        raise TypeError(f"schema must be a dict, a path or a Schema, not {type(schema).__name__}")
    if not isinstance(contents, dict):
        raise MappingError(f"schema {source or ''} is not a JSON object".replace("  ", " "))
    contents = json.loads(json.dumps(contents))  # a private copy: resolution may edit it
    site = contents.get("$id") if isinstance(contents.get("$id"), str) else None
    root_uri = urldefrag(urljoin(root, site))[0] if site else root
    resolver = _Resolver(base=base_dir, site=site, resources=resources or {}, allow_remote=allow_remote,
                         retrieve=retrieve, skip=skip_unresolved)
    resolver.docs[root_uri] = contents
    resolver.prepare(contents, root_uri)
    registry = Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
        for uri, doc in resolver.docs.items() if isinstance(doc, dict))
    cls = jsonschema.validators.validator_for(contents, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(contents)
    except jsonschema.SchemaError as exc:
        raise MappingError(f"schema {source}: invalid JSON Schema at "
                           f"{_pointer(exc.absolute_path) or '/'}: {exc.message}") from exc
    if "$id" not in contents:
        contents = {"$id": root_uri, **contents}
    checker = cls.FORMAT_CHECKER if formats else None
    return Schema(contents, cls(contents, registry=registry, format_checker=checker), resolver.unresolved, source)


# -- validating -----------------------------------------------------------------------------------

def _is_attribute(value: Any) -> bool:
    return isinstance(value, dict) and (value.get("type") in VALUE_MEMBER or (
        "type" not in value and any(m in value for m in _CONCISE_MEMBERS)))


def _detect(entity: dict[str, Any]) -> str:
    for key, value in entity.items():
        if key in ENTITY_MEMBERS:
            continue
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(v, dict) and v.get("type") in VALUE_MEMBER for v in items):
            return "normalized"
    return "keyvalues"


def _value_of(attr: Any) -> tuple[Any, str | None]:
    """(value the keyValues form carries, member holding it) of one normalized/concise instance."""
    if not isinstance(attr, dict):
        return attr, None
    member = VALUE_MEMBER.get(str(attr.get("type"))) if "type" in attr else None
    if member is None or member not in attr:
        member = next((m for m in _CONCISE_MEMBERS if m in attr), None)
    if member is None:
        return attr, None
    value = attr[member]
    if isinstance(value, dict) and "@value" in value and set(value) <= {"@value", "@type", "@language"}:
        value = value["@value"]
    return value, member


def project_entity(entity: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, str], str | None]]:
    """The keyValues projections of a normalized entity: ``(projection, pointers, replaced)``.

    The first projection takes each attribute's default instance (``replaced`` is
    None); one more follows per other instance of a multi-attribute (``replaced``
    names that attribute). ``pointers`` gives, for each member of the projection,
    its JSON pointer in the entity.

    >>> e = {"id": "urn:x:1", "type": "T", "speed": [{"type": "Property", "value": 1},
    ...      {"type": "Property", "value": 2, "datasetId": "urn:d:2"}]}
    >>> [(kv["speed"], ptrs["speed"], key) for kv, ptrs, key in project_entity(e)]
    [(1, '/speed/0/value', None), (2, '/speed/1/value', 'speed')]
    """
    kv: dict[str, Any] = {}
    ptrs: dict[str, str] = {}
    extra: list[tuple[str, Any, str]] = []
    for key, value in entity.items():
        ptr = f"/{_esc(key)}"
        if key in ENTITY_MEMBERS:
            kv[key], ptrs[key] = value, ptr
            continue
        if isinstance(value, list) and value and all(_is_attribute(v) for v in value):
            default = next((j for j, v in enumerate(value) if "datasetId" not in v), 0)
            for j, inst in enumerate(value):
                val, member = _value_of(inst)
                where = f"{ptr}/{j}" + (f"/{member}" if member else "")
                if j == default:
                    kv[key], ptrs[key] = val, where
                else:
                    extra.append((key, val, where))
        else:
            val, member = _value_of(value) if _is_attribute(value) else (value, None)
            kv[key], ptrs[key] = val, ptr + (f"/{member}" if member else "")
    yield kv, ptrs, None
    for key, val, where in extra:
        yield {**kv, key: val}, {**ptrs, key: where}, key


def _violations(validator: Any, instance: Any, ptrs: dict[str, str] | None,
                only: str | None = None) -> Iterator[SchemaViolation]:
    from jsonschema.exceptions import best_match

    for err in validator.iter_errors(instance):
        parts = list(err.absolute_path)
        if only is not None and (not parts or parts[0] != only):
            continue
        if ptrs is not None and parts and parts[0] in ptrs:
            pointer = ptrs[parts[0]] + _pointer(parts[1:])
        else:
            pointer = _pointer(parts)
        message = err.message
        if err.context:
            message += f" ({best_match(err.context).message})"
        yield SchemaViolation(pointer, message, str(err.validator), _pointer(err.absolute_schema_path))


def _validate(schema: Schema, entity: Any, representation: Representation) -> list[SchemaViolation]:
    from referencing.exceptions import Unresolvable

    if representation not in ("auto", "normalized", "keyvalues"):
        raise ValueError(f"representation must be 'auto', 'normalized' or 'keyvalues', not {representation!r}")
    if not isinstance(entity, dict):
        return list(_violations(schema.validator, entity, None))
    if representation == "auto":
        representation = "normalized" if _detect(entity) == "normalized" else "keyvalues"
    try:
        if representation == "keyvalues":
            return list(_violations(schema.validator, entity, None))
        out: list[SchemaViolation] = []
        for kv, ptrs, replaced in project_entity(entity):
            # an extra instance of a multi-attribute: only the errors of that attribute count
            out.extend(v for v in _violations(schema.validator, kv, ptrs, replaced) if v not in out)
        return out
    except Unresolvable as exc:
        raise ResolutionError(f"$ref not resolved while validating: {exc}") from exc


def validate_entity(entity: Any, schema: Any, *, base: str | os.PathLike | None = None,
                    allow_remote: bool = False, retrieve: Callable[[str], Any] | None = None,
                    resources: dict[str, Any] | None = None, skip_unresolved: bool = False,
                    formats: bool = False, representation: Representation = "auto") -> list[SchemaViolation]:
    """Validate one entity against a Smart Data Models schema (dict, path or :class:`Schema`).

    ``representation``: ``"keyvalues"`` validates the entity as is; ``"normalized"``
    validates its keyValues projection (see the module documentation); ``"auto"``
    picks normalized when an attribute is an object with an NGSI-LD attribute type.
    Returns the violations (empty: valid), each with a JSON pointer into ``entity``.

    >>> validate_entity({"a": 1}, {"$ref": "https://example.org/s.json"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mimbridge.errors.ResolutionError: remote $ref https://example.org/s.json not fetched (offline); ...
    """
    loaded = load_schema(schema, base=base, allow_remote=allow_remote, retrieve=retrieve, resources=resources,
                         skip_unresolved=skip_unresolved, formats=formats)
    return loaded.validate(entity, representation=representation)
