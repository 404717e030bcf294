"""The ``convert`` and ``formats`` subcommands."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from .. import registry
from ..errors import AdapterNotFoundError, MimbridgeError, ParseError
from ..sniff import HEAD_BYTES, FormatGuessError, infer, infer_target
from . import sdm
from ._common import Rejoined, exit_code, parse_options, print_hint, write_report

__all__ = ["add_commands", "run_convert", "run_formats"]


def add_commands(sub: Any) -> None:
    """Add ``convert`` and ``formats`` to an argparse sub-parser set."""
    c = sub.add_parser("convert", help="convert a file or standard input")
    c.add_argument("input", help="input file, or - for standard input")
    c.add_argument("-f", "--from", dest="source", help="source format (default: from the file suffix)")
    c.add_argument("-t", "--to", dest="target", help="target format (default: from the suffix of -o OUT)")
    c.add_argument("-o", "--output", help="output file (default: standard output)")
    c.add_argument("--strict", action="store_true", help="fail (exit 1) if anything would be lost")
    c.add_argument("--report", metavar="FILE.json", help="write the conversion report as JSON")
    c.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                   help="adapter option (value parsed as JSON when possible); repeatable")
    c.add_argument("-q", "--quiet", action="store_true", help="do not print the loss summary")
    c.add_argument("--lines", action="store_true",
                   help="input is JSON Lines (default: from a .jsonl / .ndjson file name); -o FILE.jsonl writes them")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show records/s and progress on standard error (default: when it is a terminal)")
    c.set_defaults(handler=run_convert)
    f = sub.add_parser("formats", help="list formats, their capabilities and options",
                       )
    f.add_argument("names", nargs="*", metavar="FORMAT", help="only these formats (default: all)")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    f.set_defaults(handler=lambda args, parser: run_formats(args.json, sys.stdout, names=args.names))


def _json_default(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)


def run_formats(as_json: bool, out: TextIO, *, names: list[str] | None = None) -> int:
    """The capability matrix, then each format's ``-O`` options (name, default, read/write, meaning)."""
    rows: list[dict[str, Any]] = []
    wanted = [registry.resolve_name(n) for n in names] if names else registry.available()
    for name in wanted:
        row = registry.FORMATS.get(name)
        try:
            adapter = registry.get(name)
        except AdapterNotFoundError as exc:
            rows.append({"name": name, "error": str(exc)})
            continue
        caps = adapter.capabilities
        aliases = sorted(a for a, n in registry.ALIASES.items() if n == name)
        rows.append({
            "name": name, "read": caps.read, "write": caps.write, "typed": caps.typed,
            "kinds": sorted(k.value for k in caps.kinds), "meta": sorted(caps.meta), "nested": caps.nested,
            "multi_instance": caps.multi_instance, "output": caps.output, "media_type": caps.media_type,
            "entity_meta": sorted(caps.entity_meta), "extras": "all" if caps.extras is None else sorted(caps.extras),
            "aliases": aliases, "summary": row.summary if row else "", "notes": caps.notes,
            # what the format carries with each option that changes it (the first: the defaults)
            "variants": [{"options": v, "capabilities": adapter.capabilities_for(v).describe()}
                         for v in adapter.variants()],
            "options": [{"name": o.name, "default": _json_default(o.default), "applies_to": o.applies_to,
                         "help": o.help} for o in adapter.option_specs()],
        })
    if as_json:
        out.write(json.dumps(rows, indent=2) + "\n")
        return 0

    def yn(b: bool) -> str:
        return "yes" if b else "-"

    def count(xs: Any, full: int) -> str:
        return "all" if xs == "all" or len(xs) >= full else (str(len(xs)) if xs else "-")

    head = (f"{'format':<22} {'read':<5} {'write':<5} {'types':<6} {'meta':<5} {'nested':<7} {'multi':<6} "
            f"{'entity':<7} {'extras':<7} summary")
    out.write(head + "\n" + "-" * len(head) + "\n")
    for r in rows:
        if "error" in r:
            out.write(f"{r['name']:<22} unavailable: {r['error']}\n")
            continue
        for v in r["variants"]:
            c = v["capabilities"]
            opts = ",".join(f"{k}={x if isinstance(x, str) else json.dumps(x)}" for k, x in v["options"].items())
            label = "  " + opts if opts else r["name"]
            tail = r["summary"] if not v["options"] else c["notes"]
            out.write(f"{label:<22} {yn(c['read']):<5} {yn(c['write']):<5} {yn(c['typed']):<6} "
                      f"{count(c['meta'], 9):<5} {yn(c['nested']):<7} {yn(c['multi_instance']):<6} "
                      f"{count(c['entity_meta'], 4):<7} {count(c['extras'], 10**6):<7} {tail}\n")
    out.write("\nOptions (-O NAME=VALUE; side: read, write or both):\n")
    for r in rows:
        if "error" in r or not r["options"]:
            continue
        out.write(f"\n{r['name']}\n  {'option':<18} {'default':<14} {'side':<5}  meaning\n")
        for o in r["options"]:
            d = o["default"]
            default = "(none)" if d is None else d if isinstance(d, str) else json.dumps(d, ensure_ascii=False)
            out.write(f"  {o['name']:<18} {default:<14} {o['applies_to']:<5}  {o['help']}\n")
    return 0


def run_convert(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``convert``: streams record by record (see :mod:`mimbridge.stream`) from a file or standard input."""
    from ..progress import progress_bar
    from ..stream import stream

    options = parse_options(args.option, parser)
    if args.target is None:
        if not args.output:
            parser.error("-t/--to is required unless -o OUT names the format by its suffix (.ttl, .nt, .jsonld ...)")
        try:
            tguess = infer_target(args.output)
        except FormatGuessError as exc:
            writable = [c.format for c in exc.candidates if registry.get(c.format).capabilities.write]
            print(f"mimbridge: error: {exc}" + (f" (one of {', '.join(writable)})" if writable else ""),
                  file=sys.stderr)
            return 2
        args.target = tguess.format
        if not args.quiet:
            print(f"mimbridge: writing {args.output} as {args.target}: {tguess.reason} (-t to choose)",
                  file=sys.stderr)
    if args.input != "-" and not Path(args.input).is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    data: Any
    if args.input == "-":
        head = sys.stdin.buffer.read(HEAD_BYTES)
        data = io.BufferedReader(Rejoined(head, sys.stdin.buffer))
    else:
        with open(args.input, "rb") as fh:
            head = fh.read(HEAD_BYTES)
        data = Path(args.input)
    source = args.source
    if source is None:
        try:
            guess = infer(head, name=None if args.input == "-" else args.input)
        except FormatGuessError as exc:
            print(f"mimbridge: error: {exc}", file=sys.stderr)
            for c in exc.candidates:
                print(f"  candidate: {c}", file=sys.stderr)
            return 2
        source = guess.format
        if not args.quiet:
            print(f"mimbridge: reading {args.input} as {source}: {guess.reason} (-f to choose)", file=sys.stderr)
    lines = True if args.lines else None
    if lines is None and args.input != "-":
        lines = Path(args.input).suffix.lower() in (".jsonl", ".ndjson")
    out_lines = bool(args.output and Path(args.output).suffix.lower() in (".jsonl", ".ndjson"))
    total = Path(args.input).stat().st_size if args.input != "-" else None
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    out: Any = None
    report = None
    try:
        s = stream(data, source=source, target=args.target, strict=args.strict, lines=lines,
                   output_lines=out_lines, **options, **sdm.model_write_options(options, args.target))
        with progress_bar(show, label="convert", total_bytes=total, position=s.position) as bar:
            s.on_record = bar
            out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
            report = s.report
            s.write_to(out)
    except MimbridgeError as exc:
        code = exit_code(exc, args)
        if isinstance(exc, ParseError) and args.source is not None:
            print_hint(head, args.source, lines=bool(lines))
        return code
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
    assert report is not None
    write_report(args, report)
    if not args.quiet and not report.lossless:
        print(report.summary(), file=sys.stderr)
    return 0
