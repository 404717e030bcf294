"""SSSOM/TSV text <-> ``MappingSet``: the YAML header, the table, external metadata."""


from __future__ import annotations

import csv
import io
import os
import textwrap
from pathlib import Path
from typing import Any

import yaml

from ...errors import MappingError
from .model import (
    REQUIRED_COLUMNS,
    Mapping,
    MappingSet,
    Problem,
)
from .vocab import (
    BUILTIN_PREFIXES,
    DOUBLES,
    ENTITY_REFERENCES,
    MAPPING_SLOTS,
    MULTIVALUED,
)

__all__ = ["parse_sssom", "read_sssom", "write_sssom"]


def _split_header(text: str) -> tuple[str, str, int]:
    """Return (YAML text, TSV text, number of header lines)."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        n += 1
    yaml_text = textwrap.dedent("".join(line[1:] for line in lines[:n]))
    return yaml_text, "".join(lines[n:]), n


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` after an event pass that refuses aliases (no expansion bombs) and deep nesting."""
    from ...limits import current

    max_depth = current().max_depth
    depth = 0
    for ch in text:  # flow nesting first: PyYAML's scanner is quadratic in it
        if ch in "[{":
            depth += 1
            if depth > max_depth:
                raise yaml.YAMLError(f"YAML nested deeper than {max_depth} levels (max_depth)")
        elif ch in "]}":
            depth = max(0, depth - 1)
    depth = 0
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):  # events: no recursion, no building
        if isinstance(ev, yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases are not accepted in an SSSOM header")
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                raise yaml.YAMLError(f"YAML nested deeper than {max_depth} levels (max_depth)")
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return yaml.safe_load(text)


def _typed(column: str, raw: str) -> Any:
    if column in MULTIVALUED:
        return [v.strip() for v in raw.split("|") if v.strip()]
    if column in DOUBLES:
        try:
            return float(raw)
        except ValueError:
            return raw  # reported by check()
    return raw


def parse(text: str, metadata: dict[str, Any] | None, problems: list[Problem] | None,
           ) -> MappingSet:
    def fail(message: str, line: int | None = None, row: int | None = None, column: str | None = None) -> None:
        if problems is None:
            raise MappingError(str(Problem(message, line, row, column)))
        problems.append(Problem(message, line, row, column))

    yaml_text, tsv_text, offset = _split_header(text.lstrip("\ufeff"))
    meta: dict[str, Any] = dict(metadata or {})
    if yaml_text.strip():
        try:
            embedded = _safe_yaml(yaml_text)
        except yaml.YAMLError as exc:
            embedded = None
            mark = getattr(exc, "problem_mark", None)
            fail(f"metadata header is not valid YAML ({getattr(exc, 'problem', None) or exc or 'syntax error'})",
                 min(mark.line + 1, offset) if mark else 1)
        if embedded is not None and not isinstance(embedded, dict):
            fail("metadata header is not a YAML mapping", 1)
        elif embedded:
            meta.update(embedded)
    curie_map = meta.pop("curie_map", None) or {}
    if not isinstance(curie_map, dict):
        fail("curie_map must be a mapping of prefix to IRI", 1, column="curie_map")
        curie_map = {}
    curie_map = {str(k): str(v) for k, v in curie_map.items()}
    reader = csv.reader(io.StringIO(tsv_text), delimiter="\t")
    columns: list[str] = []
    mappings: list[Mapping] = []
    header_line: int | None = None
    start = 1
    rows = iter(reader)
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # a cell over the csv module's field size limit, a NUL byte...
            fail(f"malformed TSV: {exc}", offset + reader.line_num)
            break
        line = offset + start
        start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if not columns:
            columns = [c.strip() for c in cells]
            header_line = line
            continue
        row = len(mappings) + 1
        if len(cells) > len(columns):
            fail(f"{len(cells)} cells but {len(columns)} columns", line, row)
        values = {c: _typed(c, v) for c, v in zip(columns, cells, strict=False) if v != ""}
        mappings.append(Mapping(values, line))
    if not columns:
        fail("no TSV header row", offset + 1)
    ms = MappingSet(mappings, curie_map=curie_map, metadata=meta, columns=columns)
    ms.header_line = header_line
    return ms


def load_metadata(metadata: dict[str, Any] | str | os.PathLike | None) -> dict[str, Any] | None:
    if metadata is None or isinstance(metadata, dict):
        return metadata
    data = yaml.safe_load(Path(metadata).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise MappingError(f"{metadata}: metadata file is not a YAML mapping")
    return data


def parse_sssom(text: str, *, metadata: dict[str, Any] | str | os.PathLike | None = None) -> MappingSet:
    """Parse SSSOM/TSV text; ``metadata`` (dict or YAML file) is merged under the embedded header.

    Raises :class:`MappingError` on a structural error (use :func:`check` for a full list).

    >>> len(parse_sssom("subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"))
    0
    """
    return parse(text, load_metadata(metadata), None)


def external_metadata(path: Path) -> Path | None:
    name = path.name
    for suffix in (".sssom.tsv", ".tsv"):
        if name.endswith(suffix):
            for ext in (".sssom.yml", ".sssom.yaml", ".yml", ".yaml"):
                candidate = path.with_name(name[: -len(suffix)] + ext)
                if candidate.is_file():
                    return candidate
    return None


def read_sssom(path: str | os.PathLike, *, metadata: dict[str, Any] | str | os.PathLike | None = None,
               ) -> MappingSet:
    """Read an SSSOM/TSV file. Without embedded metadata and without ``metadata``, a
    sibling ``<name>.sssom.yml`` file is used when present (SSSOM's external metadata).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = pathlib.Path(d) / "t.sssom.tsv"
    ...     _ = f.write_text("subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"
    ...                      "ex:a\\tskos:exactMatch\\tex:b\\tsemapv:LexicalMatching\\n")
    ...     _ = (pathlib.Path(d) / "t.sssom.yml").write_text("mapping_set_id: https://ex.org/t\\n"
    ...                                                     "curie_map: {ex: 'https://ex.org/'}\\n")
    ...     read_sssom(f).apply("https://ex.org/a")
    'https://ex.org/b'
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if metadata is None and not text.startswith("#"):
        metadata = external_metadata(p)
    return parse_sssom(text, metadata=metadata)


# --- writing -----------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_sssom(ms: MappingSet, path: str | os.PathLike | None = None) -> str:
    """Serialise ``ms`` as SSSOM/TSV with an embedded YAML header; also write it to ``path``.

    Columns keep the order they were read in; new columns follow in schema order,
    then extension columns. Prefixes used but not declared (SSSOM built-ins) are added.

    >>> ms = MappingSet([Mapping({"subject_id": "ex:a", "predicate_id": "skos:exactMatch",
    ...     "object_id": "ex:b", "mapping_justification": "semapv:ManualMappingCuration"})],
    ...     curie_map={"ex": "https://ex.org/"}, metadata={"mapping_set_id": "https://ex.org/set"})
    >>> print(write_sssom(ms))  # doctest: +NORMALIZE_WHITESPACE
    # curie_map:
    #   ex: https://ex.org/
    #   semapv: https://w3id.org/semapv/vocab/
    #   skos: http://www.w3.org/2004/02/skos/core#
    # mapping_set_id: https://ex.org/set
    subject_id	predicate_id	object_id	mapping_justification
    ex:a	skos:exactMatch	ex:b	semapv:ManualMappingCuration
    """
    used: set[str] = set()
    for m in ms.mappings:
        for col in ENTITY_REFERENCES & m.values.keys():
            vals = m.values[col] if isinstance(m.values[col], list) else [m.values[col]]
            used.update(str(v).partition(":")[0] for v in vals)
    curie_map = dict(ms.curie_map)
    for p in sorted(used & BUILTIN_PREFIXES.keys()):
        curie_map.setdefault(p, BUILTIN_PREFIXES[p])
    meta = {"curie_map": dict(sorted(curie_map.items())), **ms.metadata}
    header = yaml.safe_dump(meta, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100)
    out = io.StringIO()
    out.write("".join(f"# {line}\n" for line in header.splitlines()))
    present: list[str] = []
    for m in ms.mappings:
        present.extend(k for k in m.values if k not in present)
    columns = [c for c in ms.columns if c in present or c in REQUIRED_COLUMNS]
    extra = [c for c in present if c not in columns]
    columns += [c for c in MAPPING_SLOTS if c in extra] + [c for c in extra if c not in MAPPING_SLOTS]
    if not columns:
        columns = list(REQUIRED_COLUMNS)
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    for m in ms.mappings:
        writer.writerow([_cell(m.values[c]) if c in m.values else "" for c in columns])
    text = out.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


# --- checking ----------------------------------------------------------------------------------

