"""Well-formedness checks of SSSOM tables: each problem names its line and row."""


from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .io import external_metadata, load_metadata, parse
from .model import (
    PREFIX,
    REQUIRED_COLUMNS,
    Mapping,
    MappingSet,
    Problem,
)
from .vocab import (
    BROAD,
    DOUBLES,
    ENTITY_REFERENCES,
    EXACT,
    JUSTIFICATIONS,
    MAPPING_SLOTS,
    NARROW,
    NO_TERM,
    PREDICATES,
    SET_SLOTS,
)

__all__ = ["check"]


def check(table: MappingSet | str | os.PathLike, *,
          metadata: dict[str, Any] | str | os.PathLike | None = None) -> list[Problem]:
    """Check an SSSOM/TSV table (a path, SSSOM/TSV text, or a parsed :class:`MappingSet`).

    Finds: unreadable header or rows, missing required columns, undeclared extension
    columns, CURIEs whose prefix is not declared, unknown predicates and justifications,
    missing justifications, duplicate rows, conflicting exact mappings and cycles of
    broad/narrow mappings. Each problem names its line and row.

    >>> head = "# mapping_set_id: https://ex.org/s\\n# license: https://ex.org/cc0\\n# curie_map: {ex: 'https://ex.org/'}\\n"
    >>> cols = "subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"
    >>> [str(p) for p in check(head + cols + "ex:a\\tskos:exactMatch\\tzz:b\\tsemapv:LexicalMatching\\n")]
    ["line 5 (row 1), object_id: undeclared prefix 'zz' in 'zz:b'"]
    """
    if isinstance(table, MappingSet):
        return _check_set(table, [])
    problems: list[Problem] = []
    if isinstance(table, str) and ("\n" in table or "\t" in table):
        text = table
        meta = load_metadata(metadata)
    else:
        p = Path(table)
        text = p.read_text(encoding="utf-8")
        if metadata is None and not text.startswith("#"):
            metadata = external_metadata(p)
        meta = load_metadata(metadata)
    ms = parse(text, meta, problems)
    return _check_set(ms, problems)


def _check_set(ms: MappingSet, problems: list[Problem]) -> list[Problem]:
    def add(message: str, m: Mapping | None = None, row: int | None = None, column: str | None = None,
            level: str = "error", line: int | None = None) -> None:
        problems.append(Problem(message, m.line if m else line, row, column, level))

    # metadata
    for key in ms.metadata:
        if key not in SET_SLOTS:
            add(f"unknown metadata key {key!r}", column=key)
    set_id = ms.metadata.get("mapping_set_id")
    if not set_id:
        add("mapping_set_id is required", column="mapping_set_id")
    elif not _is_iri(str(set_id)):
        add(f"mapping_set_id {set_id!r} is not an absolute IRI", column="mapping_set_id")
    if not ms.metadata.get("license"):
        add("no license: users cannot know whether they may reuse the table", column="license",
            level="warning")
    for prefix, ns in ms.curie_map.items():
        if not PREFIX.match(prefix) or not _is_iri(ns):
            add(f"bad curie_map entry {prefix!r}: {ns!r}", column="curie_map")
    ext = ms.metadata.get("extension_definitions") or []
    declared_ext = {e.get("slot_name") for e in ext if isinstance(e, dict)}
    for key in ("subject_source", "object_source", "creator_id", "mapping_tool_id"):
        for v in _as_list(ms.metadata.get(key)):
            msg = _curie_problem(ms, str(v))
            if msg:
                add(msg, column=key)
    # columns
    for col in REQUIRED_COLUMNS:
        if ms.columns and col not in ms.columns:
            add(f"required column {col!r} is missing", column=col, line=ms.header_line)
    for col in ms.columns:
        if col not in MAPPING_SLOTS and col not in declared_ext:
            add(f"column {col!r} is neither an SSSOM slot nor declared in extension_definitions",
                column=col, line=ms.header_line)
    if len(set(ms.columns)) != len(ms.columns):
        add("a column name appears twice", line=ms.header_line)
    # rows
    exact_of: dict[tuple[str, str], list[tuple[int, Mapping, str]]] = {}
    seen: dict[tuple[str, str, str, bool], int] = {}
    edges: dict[str, list[tuple[str, int, Mapping]]] = {}
    for row, m in enumerate(ms.mappings, 1):
        for col in ("subject_id", "predicate_id", "object_id"):
            if not m.values.get(col):
                add(f"{col} is empty", m, row, col)
        if not m.mapping_justification:
            add("missing mapping_justification", m, row, "mapping_justification")
        elif ms.expand(m.mapping_justification) not in JUSTIFICATIONS:
            add(f"unknown mapping_justification {m.mapping_justification!r}", m, row, "mapping_justification")
        for col in sorted(ENTITY_REFERENCES & m.values.keys()):
            for v in _as_list(m.values[col]):
                msg = _curie_problem(ms, str(v))
                if msg:
                    add(msg, m, row, col)
        pred = ms.expand(m.predicate_id)
        kind = PREDICATES.get(pred)
        if m.predicate_id and kind is None:
            add(f"unknown predicate {m.predicate_id!r}", m, row, "predicate_id")
        if "predicate_modifier" in m.values and m.values["predicate_modifier"] != "Not":
            add("predicate_modifier must be 'Not'", m, row, "predicate_modifier")
        for col in DOUBLES & m.values.keys():
            v = m.values[col]
            if not isinstance(v, float) or not 0.0 <= v <= 1.0:
                add(f"{col} must be a number from 0 to 1, not {v!r}", m, row, col)
        s, o = ms.expand(m.subject_id), ms.expand(m.object_id)
        dup = (s, pred, o, m.negated)
        if dup in seen:
            add(f"duplicate of row {seen[dup]}", m, row)
            continue
        seen[dup] = row
        if not s or not o or kind is None or m.negated or s in NO_TERM or o in NO_TERM:
            continue
        if s == o and kind != EXACT:
            add(f"{m.subject_id} is mapped to itself", m, row)
        if kind == EXACT:
            exact_of.setdefault(("subject", s), []).append((row, m, o))
            exact_of.setdefault(("object", o), []).append((row, m, s))
        elif kind == BROAD:
            edges.setdefault(s, []).append((o, row, m))
        elif kind == NARROW:
            edges.setdefault(o, []).append((s, row, m))
    for (side, term), hits in exact_of.items():
        targets = {t for _, _, t in hits}
        if len(targets) > 1:
            rows = ", ".join(str(r) for r, _, _ in hits)
            other = "objects" if side == "subject" else "subjects"
            # One subject, two exact objects: a translation cannot choose. One object, two exact
            # subjects: the subjects would be equivalent (n:1); reverse translation cannot choose.
            add(f"conflict: {side} {ms.compress(term)} has exact matches to {len(targets)} different "
                f"{other} (rows {rows})", hits[-1][1], hits[-1][0],
                level="error" if side == "subject" else "warning")
    for cycle in _cycles(edges):
        rows = ", ".join(str(r) for _, r, _ in cycle)
        names = " < ".join(ms.compress(t) for t in [*(t for t, _, _ in cycle), cycle[0][0]])
        add(f"cycle of broader/narrower mappings (rows {rows}): {names}; use exactMatch if the terms are "
            "equivalent", cycle[0][2], cycle[0][1])
    return problems


def _cycles(edges: dict[str, list[tuple[str, int, Mapping]]]) -> list[list[tuple[str, int, Mapping]]]:
    """Cycles found by depth-first search, one per back edge, as (term, row, mapping) per step."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    via: list[tuple[int, Mapping]] = []  # via[i]: the edge from path[i] to path[i + 1]
    found: list[list[tuple[str, int, Mapping]]] = []

    index: dict[str, int] = {}  # node -> its position on the path (no quadratic path.index)
    for start in list(edges):
        if start in state:
            continue
        # iterative depth-first search: a long broadMatch chain costs no recursion
        stack: list[tuple[str, Any]] = [(start, iter(edges.get(start, [])))]
        state[start] = 1
        index[start] = len(path)
        path.append(start)
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                stack.pop()
                path.pop()
                del index[node]
                state[node] = 2
                if via:
                    via.pop()
                continue
            target, row, m = step
            if state.get(target) == 1:
                i = index[target]
                steps = [*via[i:], (row, m)]
                found.append([(n, r, mm) for n, (r, mm) in zip(path[i:], steps, strict=True)])
            elif target not in state:
                via.append((row, m))
                state[target] = 1
                index[target] = len(path)
                path.append(target)
                stack.append((target, iter(edges.get(target, []))))
    return found


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_iri(value: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$", value)) and (
        "://" in value or value.startswith(("urn:", "mailto:", "tag:")))


def _curie_problem(ms: MappingSet, value: str) -> str | None:
    prefix, sep, _ = value.partition(":")
    if not sep:
        return f"{value!r} is neither a CURIE nor an IRI"
    if prefix in ms.prefixes or _is_iri(value):
        return None
    return f"undeclared prefix {prefix!r} in {value!r}"
