"""The ``mimbridge`` command: a thin shell over the library.

Exit codes: 0 success, 1 conversion error (a one-line message naming the
location on stderr; ``--strict`` turns loss into 1), 2 usage error.

    mimbridge convert INPUT|- [-f FROM] -t TO [-o OUT] [--strict] [--report FILE.json] [-O key=value ...]
    mimbridge formats [FORMAT ...] [--json]        mimbridge --version
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
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ..extras import install_hint
from ..options import option_pairs
from ..suggest import did_you_mean
from . import connectors, resolver, sdm
from . import convert as convert_commands
from . import probe as probe_commands
from . import validate as validate_commands
from .examples import add_examples

__all__ = ["main", "option_pairs"]


class _Parser(argparse.ArgumentParser):
    """argparse, with "did you mean ...?" for a misspelt subcommand or option."""

    def error(self, message: str) -> NoReturn:
        m = re.search(r"invalid choice: '([^']*)'", message)
        if m is not None and self._subparsers is not None:
            choices = [c for a in self._subparsers._group_actions for c in (getattr(a, "choices", None) or ())]
            message += did_you_mean(m.group(1), choices)
        m = re.search(r"unrecognized arguments: (\S+)", message)
        if m is not None:
            options = [o for o in self._option_string_actions if o.startswith("--")]
            chosen = self._chosen_subparser()
            if chosen is not None:
                options += [o for o in chosen._option_string_actions if o.startswith("--")]
            message += did_you_mean(m.group(1).split("=")[0], options)
        super().error(message)

    def _chosen_subparser(self) -> argparse.ArgumentParser | None:
        argv = getattr(self, "_argv", None) or []
        for a in self._subparsers._group_actions if self._subparsers is not None else ():
            choices: dict[str, argparse.ArgumentParser] = getattr(a, "choices", None) or {}
            for word in argv:
                if word in choices:
                    return choices[word]
        return None


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mimbridge", description="Convert between NGSI-LD, OGC and RDF formats.",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_SubParser)
    convert_commands.add_commands(sub)
    validate_commands.add_commands(sub)
    sdm.add_commands(sub)
    resolver.add_commands(sub)
    connectors.add_commands(sub)
    probe_commands.add_commands(sub)
    add_examples(p)
    return p


#: the extra a subcommand's optional dependencies come from, when several extras have a module
_EXTRA_OF = {"serve": ("resolver",), "load": ("resolver",), "index": ("resolver",), "resolve": ("resolver",),
             "pull": ("connectors",),
             "push": ("connectors",), "sync": ("connectors",), "bridge": ("connectors",)}


class _SubParser(argparse.ArgumentParser):
    """A subcommand's parser: its ``--help`` keeps the examples' line breaks."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kw)


def version() -> str:
    """The installed distribution's version (the package's own when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("mimbridge")
    except PackageNotFoundError:
        from .. import __version__

        return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mimbridge`` console script; returns the exit code."""
    parser = _build_parser()
    parser._argv = list(sys.argv[1:] if argv is None else argv)  # type: ignore[attr-defined]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        if args.command in ("pull", "push", "sync", "bridge"):
            return connectors.run(args)
        if args.command in ("resolve", "load", "index", "serve"):
            return resolver.run(args)
        return int(args.handler(args, parser))
    except ModuleNotFoundError as exc:  # an optional dependency that is not installed
        if not exc.name:
            raise
        print(f"mimbridge: error: {args.command} needs {exc.name.split('.')[0]}, which is not installed: "
              f"{install_hint(exc.name, prefer=_EXTRA_OF.get(args.command, ()))}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
