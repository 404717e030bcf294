"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import AdapterNotFoundError, LossyConversionError, MimbridgeError, OptionError
from ..jsonseq import Rejoined
from ..options import option_pairs

__all__ = ["Rejoined", "exit_code", "parse_options", "print_hint", "write_report"]


def write_report(args: argparse.Namespace, report: Any) -> None:
    """Write ``report`` as JSON to ``--report FILE`` when the command has one."""
    if getattr(args, "report", None):
        Path(args.report).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")


def exit_code(exc: MimbridgeError, args: argparse.Namespace) -> int:
    """Print ``exc`` on stderr and give the exit status: 2 for a usage error (unknown format or ``-O``
    option), else 1; a loss under ``--strict`` still writes ``--report``."""
    if isinstance(exc, LossyConversionError):
        write_report(args, exc.report)
    print(f"mimbridge: error: {exc}", file=sys.stderr)
    return 2 if isinstance(exc, (AdapterNotFoundError, OptionError)) else 1


def parse_options(pairs: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    """``-O`` pairs as options; a malformed pair is a usage error (exit 2)."""
    try:
        return option_pairs(pairs)
    except ValueError as exc:
        parser.error(str(exc))
        raise  # pragma: no cover - parser.error exits


def print_hint(head: bytes, used: str, *, lines: bool = False) -> None:
    """After a parse error: "this looks like X; use -f X" on stderr, when the content says so."""
    from .. import registry
    from ..sniff import looks_like

    try:
        used = registry.resolve_name(used)
    except MimbridgeError:
        return
    guess = looks_like(head, used, lines=lines)
    if guess is not None:
        print(f"mimbridge: this looks like {guess.format} ({guess.reason}); use -f {guess.format}", file=sys.stderr)
