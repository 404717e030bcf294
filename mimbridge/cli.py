"""The ``mimbridge`` command: a thin shell over the library.

Exit codes: 0 success, 1 conversion error (a one-line message naming the
location on stderr; ``--strict`` turns loss into 1), 2 usage error.

    mimbridge convert INPUT|- -f FROM -t TO [-o OUT] [--strict] [--report FILE.json] [-O key=value ...]
    mimbridge formats [--json]
    mimbridge validate INPUT -f FROM --shapes ngsi-ld|sosa|SHAPES.ttl [--json]
    mimbridge mapping check TABLE [--samples PATH ...] [--source F] [--target F] [--schema S] [--shapes S]
    mimbridge resolve ID|URI ...        mimbridge load INPUT ... --store S        mimbridge serve --store S
    mimbridge pull|push|sync|bridge ...  (live endpoints: see ``mimbridge pull --help``)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from . import registry
from .convert import convert, dumps
from .errors import AdapterNotFoundError, LossyConversionError, MimbridgeError

__all__ = ["main"]


def option_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    """``-O key=value`` pairs as keyword options (every subcommand parses them so).

    Values are JSON when they parse (numbers, true, lists, objects), else the
    string; dashes in keys become underscores. ValueError for a pair without ``=``.

    >>> option_pairs(["profile=sosa", "source.bbox=[5,52,6,53]", "blank-nodes=true"])
    {'profile': 'sosa', 'source.bbox': [5, 52, 6, 53], 'blank_nodes': True}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"-O expects key=value, got {pair!r}")
        try:
            out[key.strip().replace("-", "_")] = json.loads(value)
        except ValueError:
            out[key.strip().replace("-", "_")] = value
    return out


def _parse_options(pairs: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    try:
        return option_pairs(pairs)
    except ValueError as exc:
        parser.error(str(exc))
        raise  # pragma: no cover - parser.error exits


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mimbridge", description="Convert between NGSI-LD, OGC and RDF formats.")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert a file or standard input")
    c.add_argument("input", help="input file, or - for standard input")
    c.add_argument("-f", "--from", dest="source", help="source format (default: from the file suffix)")
    c.add_argument("-t", "--to", dest="target", required=True, help="target format")
    c.add_argument("-o", "--output", help="output file (default: standard output)")
    c.add_argument("--strict", action="store_true", help="fail (exit 1) if anything would be lost")
    c.add_argument("--report", metavar="FILE.json", help="write the conversion report as JSON")
    c.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                   help="adapter option (value parsed as JSON when possible); repeatable")
    c.add_argument("-q", "--quiet", action="store_true", help="do not print the loss summary")
    f = sub.add_parser("formats", help="list formats and their capabilities")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    v = sub.add_parser("validate", help="validate data against SHACL shapes (shipped ngsi-ld/sosa, or a file)")
    v.add_argument("input", help="input file, or - for standard input")
    v.add_argument("-f", "--from", dest="source", help="format of INPUT (default: from the file suffix); "
                   "non-RDF input is converted to RDF first (profile = the shapes name when it is sosa)")
    v.add_argument("--shapes", default="ngsi-ld", help="ngsi-ld (default), sosa, or a Turtle shapes file")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                   help="conversion option when INPUT is not RDF; repeatable")
    v.set_defaults(handler=_validate)
    m = sub.add_parser("mapping", help="mapping tables (SSSOM/TSV)").add_subparsers(dest="mapping_command",
                                                                                 required=True)
    mc = m.add_parser("check", help="check a table: well-formedness, coverage of samples, round trip, validation")
    mc.add_argument("table", help="SSSOM/TSV file or shipped table name")
    mc.add_argument("--samples", nargs="+", default=[], metavar="PATH", help="sample files or folders")
    mc.add_argument("--source", help="format of the samples (default: from each file's suffix)")
    mc.add_argument("--target", help="format to convert the samples to for validation")
    mc.add_argument("--schema", help="JSON Schema (e.g. a Smart Data Models schema.json) the samples must meet")
    mc.add_argument("--shapes", help="SHACL shapes (ngsi-ld, sosa or a Turtle file) the samples must meet")
    mc.add_argument("--allow-close", action="store_true", help="apply closeMatch/relatedMatch rows too")
    mc.add_argument("--json", action="store_true", help="machine-readable output")
    mc.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                    help="adapter option for reading the samples (e.g. contexts={...}); repeatable")
    mc.set_defaults(handler=_mapping_check)
    from .clients.commands import add_commands as add_connector_commands
    from .resolve.commands import add_commands as add_resolver_commands

    add_resolver_commands(sub)
    add_connector_commands(sub)
    return p


def _formats(as_json: bool, out: TextIO) -> int:
    rows = []
    for name in registry.available():
        row = registry.FORMATS.get(name)
        try:
            caps = registry.get(name).capabilities
        except AdapterNotFoundError as exc:
            rows.append({"name": name, "error": str(exc)})
            continue
        aliases = sorted(a for a, n in registry.ALIASES.items() if n == name)
        rows.append({
            "name": name, "read": caps.read, "write": caps.write, "typed": caps.typed,
            "kinds": sorted(k.value for k in caps.kinds), "meta": sorted(caps.meta), "nested": caps.nested,
            "multi_instance": caps.multi_instance, "output": caps.output, "media_type": caps.media_type,
            "aliases": aliases, "summary": row.summary if row else "", "notes": caps.notes,
        })
    if as_json:
        out.write(json.dumps(rows, indent=2) + "\n")
        return 0

    def yn(b: bool) -> str:
        return "yes" if b else "-"

    head = f"{'format':<20} {'read':<5} {'write':<5} {'types':<6} {'meta':<5} {'nested':<7} {'multi':<6} summary"
    out.write(head + "\n" + "-" * len(head) + "\n")
    for r in rows:
        if "error" in r:
            out.write(f"{r['name']:<20} unavailable: {r['error']}\n")
            continue
        meta = "all" if len(r["meta"]) >= 9 else (str(len(r["meta"])) if r["meta"] else "-")
        out.write(f"{r['name']:<20} {yn(r['read']):<5} {yn(r['write']):<5} {yn(r['typed']):<6} {meta:<5} "
                  f"{yn(r['nested']):<7} {yn(r['multi_instance']):<6} {r['summary']}\n")
    return 0


def _convert(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    options = _parse_options(args.option, parser)
    source = args.source
    if source is None:
        if args.input == "-":
            parser.error("-f/--from is required when reading standard input")
        source = Path(args.input).suffix
        if not source:
            parser.error("cannot guess the source format: pass -f/--from")
    data: Any = sys.stdin.buffer.read() if args.input == "-" else Path(args.input)
    if args.input != "-" and not Path(args.input).is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    try:
        result = convert(data, source=source, target=args.target, strict=args.strict, **options)
    except LossyConversionError as exc:
        if args.report:
            Path(args.report).write_text(json.dumps(exc.report.to_dict(), indent=2), encoding="utf-8")
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    except AdapterNotFoundError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 2
    except TypeError as exc:  # unknown -O option
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 2
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    text = dumps(result.output)
    if args.output:
        Path(args.output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    else:
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
    if args.report:
        Path(args.report).write_text(json.dumps(result.report.to_dict(), indent=2), encoding="utf-8")
    if not args.quiet and not result.report.lossless:
        print(result.report.summary(), file=sys.stderr)
    return 0


_RDF_SYNTAXES = ("turtle", "ntriples", "nquads", "rdf-jsonld", "rdfxml")


def _validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .validate.shacl import validate

    source = args.source or (Path(args.input).suffix if args.input != "-" else None)
    if not source:
        parser.error("cannot guess the source format: pass -f/--from")
    if args.input != "-" and not Path(args.input).is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    data: Any = sys.stdin.buffer.read() if args.input == "-" else Path(args.input).read_bytes()
    try:
        name = registry.resolve_name(source)
        if name not in _RDF_SYNTAXES:
            options = _parse_options(args.option, parser)
            if args.shapes == "sosa":
                options.setdefault("profile", "sosa")
            data = convert(data, source=name, target="ntriples", **options).output
            name = "ntriples"
        result = validate(data, args.shapes, fmt=name)
    except AdapterNotFoundError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 2
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps({"conforms": result.conforms,
                                     "violations": [asdict(v) for v in result.violations]}, indent=2) + "\n")
    else:
        for v in result.violations:
            where = f" {v.path}" if v.path else ""
            node = v.focus_node if v.focus_node.startswith("_:") else f"<{v.focus_node}>"
            sys.stdout.write(f"{v.severity}: {node}{where}: {v.message}\n")
        sys.stdout.write(("conforms" if result.conforms else f"{len(result.violations)} violation(s)") + "\n")
    return 0 if result.conforms else 1


def _mapping_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .mapping.harness import check_table

    try:
        result = check_table(args.table, samples=args.samples or None, source=args.source, target=args.target,
                             schema=args.schema, shapes=args.shapes, allow_close=args.allow_close,
                             options=_parse_options(args.option, parser) or None)
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    else:
        sys.stdout.write(result.summary().rstrip("\n") + "\n")
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mimbridge`` console script; returns the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command == "formats":
        return _formats(args.json, sys.stdout)
    if args.command == "convert":
        return _convert(args, parser)
    if args.command == "validate":
        return _validate(args, parser)
    if args.command == "mapping":
        return _mapping_check(args, parser)
    if args.command in ("pull", "push", "sync", "bridge"):
        from .clients.commands import run as run_connector_command

        return run_connector_command(args)
    from .resolve.commands import run as run_resolver_command

    return run_resolver_command(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
