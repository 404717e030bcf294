"""Option parsing shared by every front end (``-O key=value`` on the command line), and option checking.

>>> option_pairs(["profile=sosa"])
{'profile': 'sosa'}

:func:`check_options` checks keyword options against what a class takes
before it is called: an unknown name, or a value of the wrong type for a
parameter annotated ``int``, ``float``, ``bool`` or ``str`` (optionally
``| None``), is an :class:`~mimbridge.errors.OptionError` naming the option;
text is read as a number or a boolean where one is expected (options from
URL queries and the command line arrive as text).
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import OptionError

__all__ = ["check_options", "option_pairs"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "text"}


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


def _simple(annotation: Any) -> tuple[type | None, bool]:
    """``(int|float|bool|str or None, None allowed)`` for an annotation; (None, True) when not checked."""
    if annotation in _NAMES:
        return annotation, False
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and rest[0] in _NAMES and len(args) == 2:
            return rest[0], True
    return None, True


def _coerce(name: str, value: Any, kind: type, where: str) -> Any:
    bad = OptionError(f"{where}option {name} must be {_NAMES[kind]}, got {value!r}", name=name)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise bad
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value)
        raise bad
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise bad from None
        raise bad
    if not isinstance(value, str):
        raise bad
    return value


def check_options(target: Callable[..., Any], options: Mapping[str, Any], *, where: str = "",
                  fixed: Sequence[str] = ("url", "http")) -> dict[str, Any]:
    """``options`` checked against the keyword parameters of ``target`` (a class or function), values coerced.

    ``fixed`` names parameters the caller passes itself (not options); ``where``
    prefixes messages (``"sparql source "``).

    >>> class Source:
    ...     def __init__(self, url: str, *, page_size: int = 100, graph: str | None = None) -> None: ...
    >>> check_options(Source, {"page_size": "50"})
    {'page_size': 50}
    >>> check_options(Source, {"page_sise": 5}, where="demo source ")
    Traceback (most recent call last):
    ...
    mimbridge.errors.OptionError: unknown demo source option(s) page_sise; known: graph, page_size
    >>> check_options(Source, {"page_size": True})
    Traceback (most recent call last):
    ...
    mimbridge.errors.OptionError: option page_size must be an integer, got True
    """
    func = target.__init__ if isinstance(target, type) else target  # type: ignore[misc]
    params = {n: p for n, p in inspect.signature(func).parameters.items()
              if n not in ("self", *fixed) and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    unknown = sorted(set(options) - set(params))
    if unknown:
        raise OptionError(f"unknown {where}option(s) {', '.join(unknown)}; known: {', '.join(sorted(params))}",
                          name=unknown[0])
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # annotations that do not evaluate here: names are checked, values are not
        hints = {}
    out: dict[str, Any] = {}
    for name, value in options.items():
        kind, none_ok = _simple(hints.get(name, Any))
        if kind is None or (value is None and none_ok):
            out[name] = value
        else:
            out[name] = _coerce(name, value, kind, where)
    return out
