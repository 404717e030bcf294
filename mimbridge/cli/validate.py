"""The ``validate`` and ``mapping check`` subcommands (Smart Data Models options in :mod:`.sdm`)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import registry
from ..convert import convert
from ..errors import AdapterNotFoundError, MimbridgeError
from . import sdm
from ._common import parse_options

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``validate`` and ``mapping check`` to an argparse sub-parser set."""
    v = sub.add_parser("validate", help="validate data against SHACL shapes (shipped ngsi-ld/sosa, or a file)")
    v.add_argument("input", help="input file, or - for standard input")
    v.add_argument("-f", "--from", dest="source", help="format of INPUT (default: from the suffix and content); "
                   "non-RDF input is converted to RDF first (profile = the shapes name when it is sosa)")
    v.add_argument("--shapes", default="ngsi-ld", help="ngsi-ld (default), sosa, or a Turtle shapes file")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                   help="conversion option when INPUT is not RDF; repeatable")
    sdm.add_validate_options(v)
    v.set_defaults(handler=_validate)
    m = sub.add_parser("mapping", help="mapping tables (SSSOM/TSV)").add_subparsers(dest="mapping_command",
                                                                                 required=True)
    sdm.add_suggest(m)
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


_RDF_SYNTAXES = ("turtle", "ntriples", "nquads", "rdf-jsonld", "rdfxml")


def _validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..validate.shacl import validate

    if sdm.wants_sdm(args):
        return sdm.run_validate(args, parser)

    if args.input != "-" and not Path(args.input).is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    data: Any = sys.stdin.buffer.read() if args.input == "-" else Path(args.input).read_bytes()
    source = args.source
    if source is None:  # told from the suffix and the content, as convert does
        from ..sniff import FormatGuessError, infer

        try:
            guess = infer(data[:1 << 16], name=None if args.input == "-" else args.input)
        except FormatGuessError as exc:
            print(f"mimbridge: error: {exc}", file=sys.stderr)
            return 2
        source = guess.format
        print(f"mimbridge: reading {args.input} as {source}: {guess.reason} (-f to choose)", file=sys.stderr)
    try:
        name = registry.resolve_name(source)
        if name not in _RDF_SYNTAXES:
            options = parse_options(args.option, parser)
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
    from ..validate.mapping_check import check_table

    try:
        result = check_table(args.table, samples=args.samples or None, source=args.source, target=args.target,
                             schema=args.schema, shapes=args.shapes, allow_close=args.allow_close,
                             options=parse_options(args.option, parser) or None)
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    else:
        sys.stdout.write(result.summary().rstrip("\n") + "\n")
    return 0 if result.ok else 1


