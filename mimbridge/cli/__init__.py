"""The ``mimbridge`` command: a thin shell over the library.

Exit codes: 0 success, 1 conversion error (a one-line message naming the
location on stderr; ``--strict`` turns loss into 1), 2 usage error.

    mimbridge convert INPUT|- -f FROM -t TO [-o OUT] [--strict] [--report FILE.json] [-O key=value ...]
    mimbridge formats [--json]
    mimbridge validate INPUT -f FROM --shapes ngsi-ld|sosa|SHAPES.ttl [--json]
    mimbridge validate INPUT --model NAME|auto | --schema S [--schema-dir DIR] | --mim2   (Smart Data Models)
    mimbridge mapping check TABLE [--samples PATH ...] [--source F] [--target F] [--schema S] [--shapes S]
    mimbridge mapping suggest DATA|TABLE --to sdm[:DOMAIN] [-o OUT] [--top N] [--threshold X]
    mimbridge sdm models [--subject S] [--domain D]     mimbridge sdm model NAME   (the catalogue)
    mimbridge resolve ID|URI ...        mimbridge load INPUT ... --store S        mimbridge serve --store S
    mimbridge pull|push|sync|bridge ...  (live endpoints: see ``mimbridge pull --help``)
    mimbridge probe URL [--api A] [--type T] [--allow-write] [--json] [--earl FILE]   (MIM1 R1-R8)
    mimbridge describe FILE|URL [-t turtle|nt|xml|json-ld] [-o OUT]                   (DCAT 3)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..options import option_pairs
from . import connectors, resolver, sdm
from . import convert as convert_commands
from . import probe as probe_commands
from . import validate as validate_commands

__all__ = ["main", "option_pairs"]


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mimbridge", description="Convert between NGSI-LD, OGC and RDF formats.")
    sub = p.add_subparsers(dest="command", required=True)
    convert_commands.add_commands(sub)
    validate_commands.add_commands(sub)
    sdm.add_commands(sub)
    resolver.add_commands(sub)
    connectors.add_commands(sub)
    probe_commands.add_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mimbridge`` console script; returns the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command in ("pull", "push", "sync", "bridge"):
        return connectors.run(args)
    if args.command in ("resolve", "load", "serve"):
        return resolver.run(args)
    return args.handler(args, parser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
