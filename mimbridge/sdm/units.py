"""The catalogue's free-text units (``Metre per Second``, ``mg/L``, ``Kilowatts (kW)``) as UN/CEFACT codes.

The data models state units as text, sometimes a UN/CEFACT code, a symbol, a
label or a label with the symbol in brackets. :func:`unit_code` reads them
through mimbridge's unit table (:mod:`mimbridge.mapping.units`); text it cannot
read gives None (the unit is then not compared).

>>> unit_code("Kilowatts (kW)"), unit_code("KWT"), unit_code("meters"), unit_code("mg/L")
('KWT', 'KWT', 'MTR', 'M1')
>>> unit_code("No unit") is None
True
"""

from __future__ import annotations

import functools
import re

from ..mapping.units import Unit, load_units

__all__ = ["unit_code"]

_BRACKET = re.compile(r"\(([^()]+)\)")
_SPELLING = {"meter": "metre", "liter": "litre", "centigrade": "celsius", "ampers": "ampere",
             "kilometer": "kilometre", "millimeter": "millimetre", "centimeter": "centimetre"}


def _words(text: str) -> str:
    words = re.findall(r"[a-zµ°%]+", text.lower())
    out = []
    for w in words:
        w = _SPELLING.get(w, w)
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = _SPELLING.get(w[:-1], w[:-1])
        out.append(w)
    return " ".join(out)


@functools.lru_cache(maxsize=1)
def _labels() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for u in load_units():
        for text in (u.label, u.label.split("(")[0]):
            table.setdefault(_words(text), u)
    return table


@functools.lru_cache(maxsize=4096)
def unit_code(text: str) -> str | None:
    """The UN/CEFACT code of a unit given as text, or None when it cannot be read."""
    if not isinstance(text, str) or not text.strip():
        return None
    table = load_units()
    text = text.strip()
    for candidate in [text, *_BRACKET.findall(text)]:
        c = candidate.strip()
        if c.isupper() and table.by_code(c) is not None:
            return table.by_code(c).code  # type: ignore[union-attr]
        for unit in (table.by_symbol(c), table.by_symbol(c.replace("l", "L")) if c.endswith("/l") else None):
            if unit is not None:
                return unit.code
    unit = _labels().get(_words(_BRACKET.sub("", text)))
    return unit.code if unit is not None else None
