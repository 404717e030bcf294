"""MIM2 checks of a data file: shared model, formal definition, validity.

* ``MIM2-1`` shared model: every entity type and attribute expands, through
  the data's own ``@context`` (local copies given as ``contexts``), to an IRI
  of a published vocabulary, not to the NGSI-LD default context;
* ``MIM2-2`` formal definition: a JSON Schema (``schema``, or the Smart Data
  Models ``schema.json`` beside the data: ``Model/examples/x.json`` ->
  ``Model/schema.json``) or SHACL shapes (``shapes``) define the model;
* ``MIM2-3`` valid: every entity meets that definition (JSON Schema on the
  keyValues projection, references that cannot be read offline listed; SHACL
  on the RDF conversion).

>>> sorted(DATA_REQUIREMENTS)
['MIM2-1', 'MIM2-2', 'MIM2-3']
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import MimbridgeError
from .verdict import REQUIREMENTS, Evidence, ProbeReport, Result, Verdict

__all__ = ["DATA_REQUIREMENTS", "probe_data"]

DATA_REQUIREMENTS = {
    "MIM2-1": "types and attributes from a shared model",
    "MIM2-2": "the model is formally defined (JSON Schema or SHACL)",
    "MIM2-3": "the data is valid against the definition",
}
REQUIREMENTS.update(DATA_REQUIREMENTS)
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
CORE = "https://uri.etsi.org/ngsi-ld/"


def _find_schema(path: Path) -> Path | None:
    for folder in (path.parent, path.parent.parent):
        candidate = folder / "schema.json"
        if candidate.is_file():
            return candidate
    return None


def _entities(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return []
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        doc = doc.get("features", [])
    items = doc if isinstance(doc, list) else [doc]
    return [e for e in items if isinstance(e, dict)]


def probe_data(path: str | os.PathLike[str], *, fmt: str | None = None,
               contexts: Mapping[str, Any] | None = None, schema: Any = None, shapes: Any = None) -> ProbeReport:
    """Check a data file against MIM2 (see the module documentation); ``report.ok`` when all three pass."""
    from .. import registry
    from ..convert import read
    from ..report import ConversionReport, Unresolved

    file = Path(path)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = registry.resolve_name(fmt or file.suffix)
    results: list[Result] = []
    # MIM2-1: shared model
    rep = ConversionReport(source=name)
    options: dict[str, Any] = {"contexts": dict(contexts)} if contexts and name.startswith("ngsi-ld") else {}
    where = f"read {file.name} as {name}" + (f" with local contexts {sorted(contexts or {})}" if options else "")
    try:
        graph = read(file.read_bytes(), source=name, report=rep, **options)
    except MimbridgeError as exc:
        results.append(Result("MIM2-1", Verdict.FAIL, "the data cannot be read", [Evidence(where, None, str(exc))]))
        graph = None
    if graph is not None:
        terms = sorted({t for n in graph for t in n.types} | {a for n in graph for a in n.attrs})
        local = [t for t in terms if t.startswith(DEFAULT_VOCAB) or ":" not in t]
        unresolved = [str(e) for e in rep.events if isinstance(e, Unresolved)]
        found = (f"{len(graph)} entities, {len(terms)} types and attributes, {len(local)} in the default context"
                 + (f": {', '.join(t.rsplit('/', 1)[-1] for t in local[:8])}" if local else ""))
        evidence = [Evidence(where, None, found)] + [Evidence("(context)", None, u[:300]) for u in unresolved[:3]]
        if not terms:
            results.append(Result("MIM2-1", Verdict.UNKNOWN, "no entity in the data", evidence))
        elif local:
            results.append(Result("MIM2-1", Verdict.FAIL, f"{len(local)} of {len(terms)} terms are not defined by a "
                                  "shared vocabulary (they fall into the NGSI-LD default context)", evidence))
        else:
            vocabularies = sorted({t.rsplit("/", 1)[0] for t in terms if not t.startswith(CORE)})
            results.append(Result("MIM2-1", Verdict.PASS, f"every term is an IRI of {', '.join(vocabularies[:3])}",
                                  evidence))
    # MIM2-2: formal definition
    schema_path = schema if schema is not None else _find_schema(file)
    definition = []
    if schema_path is not None:
        definition.append(f"JSON Schema {schema_path if not isinstance(schema_path, dict) else '(given)'}")
    if shapes is not None:
        definition.append(f"SHACL shapes {shapes if isinstance(shapes, str) and len(shapes) < 200 else '(given)'}")
    ev = Evidence(f"look for schema.json beside {file.name} and its folder; given schema/shapes", None,
                  "; ".join(definition) or "none found")
    results.append(Result("MIM2-2", Verdict.PASS if definition else Verdict.FAIL,
                          "the model is formally defined" if definition else
                          "no JSON Schema or SHACL shapes define the model", [ev]))
    # MIM2-3: valid
    checks: list[Evidence] = []
    bad = 0
    if schema_path is not None:
        from ..validate.jsonschema import load_schema

        try:
            loaded = load_schema(schema_path, skip_unresolved=True)
            entities = _entities(file)
            violations = [(e.get("id"), v) for e in entities for v in loaded.validate(e)]
            bad += len(violations)
            checks.append(Evidence(f"JSON Schema {getattr(loaded, 'source', '') or 'given'} on {len(entities)} "
                                   "entities", None, f"{len(violations)} violation(s)" + (
                                       f": {violations[0][0]} {violations[0][1]}" if violations else "")
                                   + (f"; {len(loaded.unresolved)} $ref not read offline" if loaded.unresolved
                                      else "")))
        except MimbridgeError as exc:
            bad += 1
            checks.append(Evidence(f"JSON Schema {schema_path}", None, str(exc)[:300]))
    if shapes is not None and graph is not None:
        from ..convert import convert
        from ..validate.shacl import validate

        try:
            nt = convert(file.read_bytes(), source=name, target="ntriples", **options).output
            result = validate(nt, shapes, fmt="ntriples")
            bad += len(result.violations)
            checks.append(Evidence(f"SHACL {shapes if isinstance(shapes, str) and len(shapes) < 200 else ''}", None,
                                   f"{len(result.violations)} violation(s)" + (
                                       f": {result.violations[0].message}" if result.violations else "")))
        except MimbridgeError as exc:
            bad += 1
            checks.append(Evidence("SHACL", None, str(exc)[:300]))
    if not checks:
        results.append(Result("MIM2-3", Verdict.UNKNOWN, "no definition to validate against"))
    else:
        results.append(Result("MIM2-3", Verdict.FAIL if bad else Verdict.PASS,
                              f"{bad} violation(s)" if bad else "the data meets its definition", checks))
    return ProbeReport(url=file.resolve().as_uri(), api="data", results=results, started=started, requests=0)
