"""A test harness for mapping tables: what ``mimbridge mapping check`` runs.

:func:`check_table` answers the questions a data-model maintainer asks of a
table and a folder of sample data:

1. **well-formed?** every problem :func:`~mimbridge.mapping.sssom.check`
   finds, each naming its line and row;
2. **coverage**: the source terms (entity types, attribute names, relationship
   object types) found in the samples that the table translates, and those it
   misses, with counts; rows whose subject no sample uses;
3. **round trip**: the samples translated forward then back (inverse); the
   terms that do not come back, and the loss events of both passes;
4. **target validation**: the translated samples, written in ``target``
   format, validated against a JSON Schema (``schema=``, e.g. a Smart Data
   Models ``schema.json``) or SHACL shapes (``shapes=``).

``ok`` is true when the table has no error-level problem, every sample named
explicitly could be read, and the translated samples validate. Coverage gaps
and round-trip losses are reported, not failed: a broad or close table loses
by design. Files found by scanning a folder that cannot be read in the source
format are skipped with a note.

>>> result = check_table("sta-sosa")
>>> result.ok, result.mappings
(True, 9)
>>> print(result.summary().splitlines()[1])
  well-formed: yes
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MappingError, MimbridgeError
from ..mapping import sssom
from ..mapping.apply import apply_mapping, graph_terms, load_table, reportable, shipped_text, translate
from ..mapping.sssom import MappingSet, Problem
from ..model import Graph
from ..report import ConversionReport, LossEvent, Unresolved

__all__ = ["CheckResult", "check_table"]

_SKIP_SUFFIXES = (".tsv", ".yml", ".yaml", ".md", ".txt")
_SCHEMA_NAMES = ("schema.json",)
MAX_LISTED = 25


@dataclass(slots=True)
class CheckResult:
    """The findings of :func:`check_table`; ``summary()`` for a terminal, ``to_dict()`` for JSON."""

    table: str
    mapping_set_id: str | None = None
    mappings: int = 0
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    target: str | None = None
    samples: list[str] = field(default_factory=list)
    entities: int = 0
    sample_errors: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    covered: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    missed: dict[str, int] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    roundtrip_lost: dict[str, str] = field(default_factory=dict)
    roundtrip_events: list[LossEvent] = field(default_factory=list)
    roundtrip_lossless: bool | None = None
    validation: str | None = None
    validated: int = 0
    violations: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Error-level problems of the table (warnings excluded)."""
        return [p for p in self.problems if p.level == "error"]

    @property
    def ok(self) -> bool:
        """No error in the table, every named sample read, no validation violation."""
        return not self.errors and not self.sample_errors and not self.violations

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``mimbridge mapping check --json`` prints)."""
        return {
            "table": self.table, "mapping_set_id": self.mapping_set_id, "mappings": self.mappings,
            "ok": self.ok,
            "problems": [{"line": p.line, "row": p.row, "column": p.column, "level": p.level,
                          "message": p.message, "text": str(p)} for p in self.problems],
            "samples": {"source": self.source, "files": list(self.samples), "entities": self.entities,
                        "errors": [{"file": f, "message": m} for f, m in self.sample_errors],
                        "skipped": [{"file": f, "message": m} for f, m in self.skipped]},
            "coverage": {"covered": {t: {"count": c, "target": tg, "match": k}
                                     for t, (c, tg, k) in self.covered.items()},
                         "missed": dict(self.missed), "unused": list(self.unused)},
            "roundtrip": {"lossless": self.roundtrip_lossless, "lost": dict(self.roundtrip_lost),
                          "events": [e.to_dict() for e in self.roundtrip_events]},
            "validation": {"against": self.validation, "target": self.target, "entities": self.validated,
                           "violations": [{"where": w, "message": m} for w, m in self.violations]},
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """Multi-line human summary, one section per question, ``OK`` or ``FAILED`` last."""
        lines = [f"mapping table {self.table}: {self.mapping_set_id or '(no mapping_set_id)'}, "
                 f"{self.mappings} mappings"]
        errors, warnings = self.errors, [p for p in self.problems if p.level != "error"]
        state = "yes" if not errors else f"NO ({len(errors)} errors)"
        lines.append(f"  well-formed: {state}" + (f", {len(warnings)} warnings" if warnings else ""))
        lines += [f"    {p}" for p in self.problems]
        if self.samples or self.sample_errors:
            lines.append(f"  samples: {len(self.samples)} files, {self.entities} entities"
                         + (f" ({self.source})" if self.source else ""))
            lines += [f"    cannot read {f}: {m}" for f, m in self.sample_errors]
            lines += [f"    skipped {f}: {m}" for f, m in self.skipped]
            seen = len(self.covered) + len(self.missed)
            pct = f" ({100 * len(self.covered) // seen}%)" if seen else ""
            lines.append(f"  coverage: {len(self.covered)} of {seen} source terms mapped{pct}")
            for term, (count, target, kind) in _first(sorted(self.covered.items())):
                lines.append(f"    mapped  {term} ({count}) -> {target} [{kind}]")
            for term, count in _first(sorted(self.missed.items())):
                lines.append(f"    missed  {term} ({count})")
            _more(lines, len(self.covered) + len(self.missed))
            if self.unused:
                shown = ", ".join(self.unused[:MAX_LISTED]) + (" ..." if len(self.unused) > MAX_LISTED else "")
                lines.append(f"    rows not used by the samples: {shown}")
            if self.roundtrip_lossless is not None:
                rt = "lossless" if self.roundtrip_lossless else (
                    f"{len(self.roundtrip_lost)} terms do not come back" if self.roundtrip_lost
                    else "terms come back, with loss events")
                lines.append(f"  round trip (forward, then inverse): {rt}")
                lines += [f"    {term}: {how}" for term, how in _first(sorted(self.roundtrip_lost.items()))]
                lines += [f"    {e}" for e in self.roundtrip_events]
        if self.validation is not None:
            state = "valid" if not self.violations else f"{len(self.violations)} violations"
            lines.append(f"  validation against {self.validation} ({self.target}): {self.validated} entities, "
                         f"{state}")
            lines += [f"    {w}: {m}" for w, m in _first(self.violations)]
            _more(lines, len(self.violations))
        lines += [f"  note: {n}" for n in self.notes]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def _first(items: list[Any]) -> list[Any]:
    return items[:MAX_LISTED]


def _more(lines: list[str], total: int) -> None:
    if total > MAX_LISTED:
        lines.append(f"    ... ({total - MAX_LISTED} more; use --json for all)")


# -- the checks -----------------------------------------------------------------------------------

def _table_and_problems(table: Any, result: CheckResult) -> MappingSet | None:
    if isinstance(table, MappingSet):
        result.table = table.mapping_set_id or "(in memory)"
        result.problems = sssom.check(table)
        return table
    is_file = isinstance(table, os.PathLike) or (isinstance(table, str) and Path(table).is_file())
    if is_file:
        result.problems = sssom.check(Path(table))
    elif isinstance(table, str):
        text = shipped_text(table)
        if text is None:
            raise MappingError(f"no mapping table {table!r} (not a file, not a shipped table)")
        result.problems = sssom.check(text)
    else:
        raise TypeError(f"table must be a MappingSet, a path or a shipped name, not {type(table).__name__}")
    result.table = str(table)
    try:
        return load_table(table)
    except MappingError as exc:
        if not result.errors:
            result.problems.append(Problem(str(exc)))
        return None


def _sample_files(samples: Any) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for each sample: files as given, folders scanned recursively."""
    if samples is None:
        return []
    items = [samples] if isinstance(samples, (str, os.PathLike)) else list(samples)
    out: list[tuple[Path, bool]] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += [(f, False) for f in sorted(p.rglob("*")) if f.is_file() and not f.name.startswith(".")
                    and f.suffix.lower() not in _SKIP_SUFFIXES and f.name not in _SCHEMA_NAMES]
        else:
            out.append((p, True))
    return out


def _options_for(fmt: str, options: dict[str, Any]) -> dict[str, Any]:
    from .. import registry

    known = set(registry.get(fmt).options) | {"fetch", "loader"}
    return {k: v for k, v in options.items() if k in known}


def _read_samples(samples: Any, source: str | None, options: dict[str, Any],
                  result: CheckResult) -> list[tuple[str, Graph]]:
    from .. import registry
    from ..convert import read

    graphs = []
    notes: dict[str, None] = {}
    for path, named in _sample_files(samples):
        try:
            fmt = registry.resolve_name(source) if source else registry.resolve_name(path.suffix.lower())
            rep = ConversionReport(source=fmt)
            graph = read(path, source=fmt, report=rep, **_options_for(fmt, options))
        except (MimbridgeError, OSError) as exc:
            (result.sample_errors if named else result.skipped).append((str(path), str(exc)))
            continue
        result.source = result.source or fmt
        result.samples.append(str(path))
        result.entities += len(graph.nodes)
        for ev in rep.of_type(Unresolved):
            notes.setdefault(f"{path.name}: {ev.message}" + (f" ({ev.remedy})" if ev.remedy else ""))
        graphs.append((str(path), graph))
    result.notes += list(notes)
    return graphs


def _coverage(ms: MappingSet, terms: Counter[str], allow_close: bool, result: CheckResult) -> None:
    for term, count in terms.items():
        try:
            tr = translate(ms, term, direction="forward", allow_close=allow_close)
        except MappingError as exc:
            result.problems.append(Problem(str(exc)))
            continue
        short = ms.compress(term)
        if tr is not None:
            result.covered[short] = (count, ms.compress(tr.target), tr.kind)
        elif reportable(term):
            result.missed[short] = count
            if not allow_close and translate(ms, term, direction="forward", allow_close=True) is not None:
                result.notes.append(f"{short} has only a close or related match: pass allow_close=True "
                                    "(--allow-close) to use it")
    seen = {ms.expand(t) for t in terms}
    unused = []
    for m in ms.mappings:
        subject = ms.expand(m.subject_id)
        if subject and subject not in seen and m.subject_id not in unused:
            unused.append(m.subject_id)
    result.unused = unused


def _round_trip(ms: MappingSet, graphs: list[tuple[str, Graph]], allow_close: bool,
                result: CheckResult) -> list[tuple[str, Graph]]:
    from ..convert import write

    report = ConversionReport(source="forward", target="inverse")
    forward: list[tuple[str, Graph]] = []
    lossless = True
    for name, graph in graphs:
        try:
            there = apply_mapping(graph, ms, direction="forward", allow_close=allow_close, report=report)
            back = apply_mapping(there, ms, direction="inverse", allow_close=allow_close, report=report)
        except MappingError as exc:
            result.notes.append(f"{name}: round trip stopped: {exc}")
            lossless = False
            continue
        forward.append((name, there))
        if write(graph, target="native") != write(back, target="native"):
            lossless = False
        before, after = graph_terms(graph), graph_terms(back)
        for term in sorted(set(before) | set(after)):
            if before[term] > after[term]:
                result.roundtrip_lost.setdefault(ms.compress(term), _fate(ms, term, allow_close))
    result.roundtrip_events = list(report.events)
    result.roundtrip_lossless = lossless and not report.events
    return forward


def _fate(ms: MappingSet, term: str, allow_close: bool) -> str:
    try:
        there = translate(ms, term, direction="forward", allow_close=allow_close)
        if there is None:
            return "not translated, but lost (collision with a translated attribute)"
        back = translate(ms, there.target, direction="inverse", allow_close=allow_close)
    except MappingError as exc:
        return str(exc)
    hop = f"-> {ms.compress(there.target)} [{there.kind}]"
    if back is None:
        return f"{hop} -> (no inverse mapping)"
    return f"{hop} -> {ms.compress(back.target)} [{back.kind}]"


def _validate(graphs: list[tuple[str, Graph]], target: str | None, schema: Any, shapes: Any,
              options: dict[str, Any], result: CheckResult) -> None:
    from ..convert import write

    if schema is not None:
        from .jsonschema import load_schema

        loaded = load_schema(schema, skip_unresolved=True)
        result.validation = loaded.source or "JSON Schema"
        result.notes += [f"schema $ref not resolved offline, not checked: {u}" for u in loaded.unresolved]
        fmt = target or "ngsi-ld"
        result.target = fmt
        for name, graph in graphs:
            out = write(graph, target=fmt, **_options_for(fmt, options))
            entities = out if isinstance(out, list) else [out]
            for i, entity in enumerate(entities):
                result.validated += 1
                prefix = f"{Path(name).name}#" + (f"/{i}" if isinstance(out, list) else "")
                result.violations += [(prefix + v.pointer, v.message) for v in loaded.validate(entity)]
    if shapes is not None:
        from .shacl import validate as shacl_validate

        fmt = target or "turtle"
        result.target = fmt
        result.validation = f"SHACL {shapes}" if isinstance(shapes, (str, os.PathLike)) and len(
            str(shapes)) < 200 else "SHACL shapes"
        for name, graph in graphs:
            text = write(graph, target=fmt, **_options_for(fmt, options))
            res = shacl_validate(text, shapes, fmt=fmt)
            result.validated += len(graph.nodes)
            result.violations += [(f"{Path(name).name}: {v.focus_node}" + (f" {v.path}" if v.path else ""),
                                   v.message) for v in res.violations if v.severity == "Violation"]


def check_table(table: MappingSet | str | os.PathLike, *, samples: Any = None, source: str | None = None,
                target: str | None = None, schema: Any = None, shapes: Any = None, allow_close: bool = False,
                options: dict[str, Any] | None = None) -> CheckResult:
    """Check a mapping table, and with ``samples`` its coverage, round trip and target validation.

    ``table``: a MappingSet, a path or a shipped table name. ``samples``: a file, a
    folder (scanned recursively) or a list of them, read in ``source`` format (default:
    by file extension). ``target``: the format the translated samples are written in
    for validation (default ``ngsi-ld`` with ``schema``, ``turtle`` with ``shapes``).
    ``schema``: a JSON Schema (path or dict; remote ``$ref`` s are not fetched and are
    listed in the notes). ``shapes``: SHACL shapes (``"ngsi-ld"``, ``"sosa"``, a path
    or Turtle text). ``options``: adapter options (e.g. ``contexts={url: file}``),
    each passed to the adapters that know it.

    >>> check_table("sdm-environment-quantitykinds").errors
    []
    """
    options = dict(options or {})
    result = CheckResult(table=str(table), source=source, target=target)
    ms = _table_and_problems(table, result)
    if ms is None:
        return result
    result.mapping_set_id = ms.mapping_set_id
    result.mappings = len(ms)
    if samples is None:
        return result
    graphs = _read_samples(samples, source, options, result)
    terms: Counter[str] = Counter()
    for _, graph in graphs:
        terms.update(graph_terms(graph))
    if result.errors:
        result.notes.append("the table has errors: coverage and round trip not computed")
        return result
    _coverage(ms, terms, allow_close, result)
    forward = _round_trip(ms, graphs, allow_close, result)
    if schema is not None or shapes is not None:
        _validate(forward, target, schema, shapes, options, result)
    return result
