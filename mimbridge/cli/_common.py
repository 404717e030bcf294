"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ..options import option_pairs

__all__ = ["parse_options"]


def parse_options(pairs: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    """``-O`` pairs as options; a malformed pair is a usage error (exit 2)."""
    try:
        return option_pairs(pairs)
    except ValueError as exc:
        parser.error(str(exc))
        raise  # pragma: no cover - parser.error exits
