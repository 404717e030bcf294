"""Units of measure: UN/CEFACT Rec 20 codes <-> UCUM codes <-> QUDT units.

NGSI-LD writes units as UN/CEFACT Rec 20 common codes (``unitCode: "GQ"``),
SensorThings as UCUM-like symbols with a definition IRI, SOSA/RDF as QUDT unit
IRIs. The curated table ``units.tsv`` (shipped beside this module, documented
in ``docs/units.md``) ties the three together and gives each unit a factor
and offset to its coherent SI unit, so values can be converted.

Look-ups return ``None`` for an unknown unit; callers record an
:class:`~mimbridge.report.Unresolved` event (:func:`resolve_unit` does both).

>>> to_ucum("GQ")
'ug.m-3'
>>> from_ucum("ug/m3")
'GQ'
>>> to_qudt("CEL")
'http://qudt.org/vocab/unit/DEG_C'
>>> round(convert_value(36, "KMH", "MTS"), 9)
10.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import MappingError
from ..report import ConversionReport, Unresolved

__all__ = [
    "QUDT_UNIT",
    "Unit",
    "UnitTable",
    "convert_value",
    "from_qudt",
    "from_ucum",
    "load_units",
    "normalize_ucum",
    "resolve_unit",
    "to_qudt",
    "to_ucum",
    "unit_by_code",
    "unit_by_qudt",
    "unit_by_symbol",
    "unit_by_ucum",
]

#: Namespace of the QUDT unit vocabulary.
QUDT_UNIT = "http://qudt.org/vocab/unit/"

COLUMNS = ("code", "ucum", "qudt", "qudt_also", "symbol", "label", "kind", "si", "factor", "offset", "note")

Number = int | float | Decimal | Fraction


@dataclass(frozen=True, slots=True)
class Unit:
    """One row of the unit table.

    ``factor`` and ``offset`` follow QUDT: ``value_in_si = (value + offset) * factor``;
    ``factor`` is ``None`` for units that cannot be converted linearly (decibel, pH).
    ``si`` is the UCUM code of the reference unit; two units convert only when it is equal.
    ``qudt_also`` lists QUDT synonyms (and deprecated twins) accepted when reading.

    >>> u = unit_by_code("FAH")
    >>> float(u.to_si(32))
    273.15
    """

    code: str
    ucum: str
    qudt: str | None
    qudt_also: tuple[str, ...]
    symbol: str
    label: str
    kind: str
    si: str
    factor: Fraction | None
    offset: Fraction
    note: str = ""

    @property
    def linear(self) -> bool:
        """True when values convert by factor and offset."""
        return self.factor is not None

    def to_si(self, value: Number) -> Fraction:
        """The value expressed in the reference unit ``si`` (exact arithmetic)."""
        if self.factor is None:
            raise MappingError(f"unit {self.code} ({self.label}) is not linearly convertible")
        return (_exact(value) + self.offset) * self.factor

    def from_si(self, value: Number) -> Fraction:
        """The value, given in the reference unit ``si``, expressed in this unit."""
        if self.factor is None:
            raise MappingError(f"unit {self.code} ({self.label}) is not linearly convertible")
        return _exact(value) / self.factor - self.offset


def _exact(value: Number) -> Fraction:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a quantity")
    if isinstance(value, float):
        return Fraction(repr(value))  # decimal reading: 3.6 is 18/5, not the nearest binary float
    return Fraction(value)


def _fraction(text: str) -> Fraction:
    """Parse ``1e-6``, ``0.001/3600`` or ``5/9`` exactly."""
    num, _, den = text.partition("/")
    value = Fraction(num.strip())
    return value / Fraction(den.strip()) if den else value


# --- UCUM syntax normalisation ----------------------------------------------------------

_EXP = re.compile(r"^(?P<atom>.*?[^\d+\-])(?P<exp>[+-]?\d+)$")
_LITRE_PREFIXES = frozenset({"", "m", "c", "d", "h", "u", "n", "k"})


def _component(text: str) -> tuple[str, int]:
    if not text:
        raise ValueError("empty UCUM component")
    ann = ""
    if text.endswith("}") and "{" in text:
        brace = text.index("{")
        text, ann = text[:brace], text[brace:]
    if not text:
        return ann, 1
    if text.isdigit():
        return text + ann, 1
    m = _EXP.match(text) if not text.endswith("]") else None
    atom, exp = (m["atom"], int(m["exp"])) if m else (text, 1)
    if atom.endswith("l") and atom[:-1] in _LITRE_PREFIXES:
        atom = atom[:-1] + "L"  # UCUM accepts l and L for the litre
    return atom + ann, exp


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    buf = ""
    depth = 0  # inside [] or {}
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if depth == 0 and ch in "./()":
            if buf:
                out.append(buf)
            out.append(ch)
            buf = ""
        else:
            buf += ch
    if depth:
        raise ValueError(f"unbalanced bracket in {text!r}")
    if buf:
        out.append(buf)
    return out


def _parse(tokens: list[str], pos: int) -> tuple[list[tuple[str, int]], int]:
    terms: list[tuple[str, int]] = []
    sign = 1
    expect_term = True
    while pos < len(tokens):
        tok = tokens[pos]
        if tok == ")":
            break
        if tok in "./":
            if expect_term and not (tok == "/" and not terms):
                raise ValueError("operator without a term")
            sign = -1 if tok == "/" else 1
            expect_term = True
            pos += 1
            continue
        if not expect_term:
            raise ValueError("two terms without an operator")
        if tok == "(":
            inner, pos = _parse(tokens, pos + 1)
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError("unbalanced parenthesis")
            terms.extend((a, e * sign) for a, e in inner)
        else:
            atom, exp = _component(tok)
            terms.append((atom, exp * sign))
        pos += 1
        expect_term = False
    if expect_term and terms:
        raise ValueError("expression ends with an operator")
    return terms, pos


def normalize_ucum(code: str) -> str | None:
    """Canonical spelling of a UCUM expression: products with exponents, ``l`` as ``L``.

    ``None`` when the text is not a UCUM expression this parser understands.

    >>> normalize_ucum("W/(m2.K)")
    'W.m-2.K-1'
    >>> normalize_ucum("/h"), normalize_ucum("ml/min"), normalize_ucum("ug.m-3")
    ('h-1', 'mL.min-1', 'ug.m-3')
    """
    text = code.strip()
    if not text or any(c.isspace() for c in text):
        return None
    try:
        terms, pos = _parse(_tokens(text), 0)
    except ValueError:
        return None
    if pos != len(_tokens(text)) or not terms:
        return None
    if len(terms) > 1:
        terms = [t for t in terms if t != ("1", 1)] or [("1", 1)]
    return ".".join(atom if exp == 1 else f"{atom}{exp}" for atom, exp in terms)


# --- the table ----------------------------------------------------------------------------

class UnitTable:
    """The parsed unit table with its three indexes (UN/CEFACT code, UCUM, QUDT IRI).

    When several rows share a UCUM code or a QUDT unit, the first row in the
    file answers the reverse look-up (the table lists the preferred row first).

    >>> t = load_units()
    >>> t.by_ucum("{#}").code, len(t) >= 150
    ('H87', True)
    """

    def __init__(self, units: list[Unit]) -> None:
        self.units = list(units)
        self._code: dict[str, Unit] = {}
        self._ucum: dict[str, Unit] = {}
        self._qudt: dict[str, Unit] = {}
        self._symbol: dict[str, Unit] = {}
        for u in self.units:
            if u.code in self._code:
                raise MappingError(f"unit table: code {u.code} appears twice")
            self._code[u.code] = u
            self._ucum.setdefault(normalize_ucum(u.ucum) or u.ucum, u)
            if u.qudt:
                self._qudt.setdefault(u.qudt, u)
            if u.symbol:
                self._symbol.setdefault(u.symbol, u)
        for u in self.units:  # synonyms never shadow a unit's main row
            for iri in u.qudt_also:
                self._qudt.setdefault(iri, u)

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self):
        return iter(self.units)

    def by_code(self, code: str) -> Unit | None:
        """Row of a UN/CEFACT common code (surrounding blanks and case ignored)."""
        return self._code.get(code.strip().upper()) if isinstance(code, str) else None

    def by_ucum(self, ucum: str) -> Unit | None:
        """Row of a UCUM code, in any equivalent spelling (``ug/m3`` = ``ug.m-3``)."""
        if not isinstance(ucum, str):
            return None
        key = normalize_ucum(ucum)
        return self._ucum.get(key) if key is not None else None

    def by_qudt(self, iri: str) -> Unit | None:
        """Row of a QUDT unit IRI (``http``/``https`` or the CURIE ``unit:X``)."""
        if not isinstance(iri, str):
            return None
        iri = iri.strip()
        if iri.startswith("unit:"):
            iri = QUDT_UNIT + iri[5:]
        elif iri.startswith("https://qudt.org/vocab/unit/"):
            iri = "http" + iri[5:]
        return self._qudt.get(iri)

    def by_symbol(self, symbol: str) -> Unit | None:
        """Row of a display symbol (``µg/m³``, ``°C``), else of a UCUM code; symbols are
        ambiguous in the wild, so prefer codes when the source has them."""
        if not isinstance(symbol, str):
            return None
        key = symbol.strip().replace("\u03bc", "\u00b5")  # Greek mu (QUDT) -> micro sign (Rec 20)
        return self._symbol.get(key) or self.by_ucum(symbol)


def _read(text: str, source: str) -> list[Unit]:
    units: list[Unit] = []
    header: list[str] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            if tuple(header) != COLUMNS:
                raise MappingError(f"{source}: line {lineno}: header must be {' '.join(COLUMNS)}")
            continue
        if len(cells) != len(COLUMNS):
            raise MappingError(f"{source}: line {lineno}: {len(cells)} cells, expected {len(COLUMNS)}")
        row = dict(zip(COLUMNS, cells, strict=True))
        try:
            factor = _fraction(row["factor"]) if row["factor"] else None
            offset = _fraction(row["offset"]) if row["offset"] else Fraction(0)
        except (ValueError, ZeroDivisionError) as exc:
            raise MappingError(f"{source}: line {lineno}: bad factor or offset ({exc})") from exc
        if not row["code"] or not row["ucum"] or not row["si"]:
            raise MappingError(f"{source}: line {lineno}: code, ucum and si are required")
        units.append(Unit(
            code=row["code"], ucum=row["ucum"], qudt=QUDT_UNIT + row["qudt"] if row["qudt"] else None,
            qudt_also=tuple(QUDT_UNIT + q for q in row["qudt_also"].split()),
            symbol=row["symbol"], label=row["label"], kind=row["kind"], si=row["si"],
            factor=factor, offset=offset, note=row["note"],
        ))
    if header is None:
        raise MappingError(f"{source}: no header line")
    return units


def load_units(path: str | Path | None = None) -> UnitTable:
    """Load a unit table (default: the curated table shipped with mimbridge).

    >>> load_units().by_code("P1").ucum
    '%'
    """
    if path is None:
        return _default()
    p = Path(path)
    return UnitTable(_read(p.read_text(encoding="utf-8"), str(p)))


@lru_cache(maxsize=1)
def _default() -> UnitTable:
    text = resources.files(__package__).joinpath("units.tsv").read_text(encoding="utf-8")
    return UnitTable(_read(text, "units.tsv"))


# --- module-level API on the default table ------------------------------------------------

def unit_by_code(code: str) -> Unit | None:
    """The unit of a UN/CEFACT Rec 20 common code, or ``None``.

    >>> unit_by_code("GQ").label
    'microgram per cubic metre'
    >>> unit_by_code("XYZ") is None
    True
    """
    return _default().by_code(code)


def unit_by_ucum(ucum: str) -> Unit | None:
    """The unit of a UCUM code (any equivalent spelling), or ``None``.

    >>> unit_by_ucum("km/h").code
    'KMH'
    """
    return _default().by_ucum(ucum)


def unit_by_qudt(iri: str) -> Unit | None:
    """The unit of a QUDT unit IRI, or ``None``.

    >>> unit_by_qudt("http://qudt.org/vocab/unit/PPM").code
    '59'
    >>> unit_by_qudt("http://qudt.org/vocab/unit/UNITLESS").code  # a QUDT synonym of unit:ONE
    'C62'
    """
    return _default().by_qudt(iri)


def unit_by_symbol(symbol: str) -> Unit | None:
    """The unit of a display symbol such as SensorThings' ``unitOfMeasurement.symbol``.

    >>> unit_by_symbol("µg/m³").code, unit_by_symbol("°C").code, unit_by_symbol("%").code
    ('GQ', 'CEL', 'P1')
    """
    return _default().by_symbol(symbol)


def to_ucum(code: str) -> str | None:
    """UCUM code for a UN/CEFACT code.

    >>> to_ucum("CEL")
    'Cel'
    """
    u = unit_by_code(code)
    return u.ucum if u else None


def to_qudt(code: str) -> str | None:
    """QUDT unit IRI for a UN/CEFACT code (``None`` also when QUDT has no such unit).

    >>> to_qudt("KWH")
    'http://qudt.org/vocab/unit/KiloW-HR'
    """
    u = unit_by_code(code)
    return u.qudt if u else None


def from_ucum(ucum: str) -> str | None:
    """UN/CEFACT code for a UCUM code.

    >>> from_ucum("[ppm]")
    '59'
    """
    u = unit_by_ucum(ucum)
    return u.code if u else None


def from_qudt(iri: str) -> str | None:
    """UN/CEFACT code for a QUDT unit IRI.

    >>> from_qudt("unit:MicroGM-PER-M3")
    'GQ'
    """
    u = unit_by_qudt(iri)
    return u.code if u else None


def convert_value(value: Number, from_code: str, to_code: str) -> float:
    """Convert ``value`` between two UN/CEFACT units.

    Raises :class:`~mimbridge.errors.MappingError` for an unknown code, for
    units of different dimensions (or reference units) and for logarithmic
    units (a value in the same unit is returned unchanged).

    >>> convert_value(20, "CEL", "FAH")
    68.0
    >>> convert_value(1, "GQ", "59")
    Traceback (most recent call last):
    ...
    mimbridge.errors.MappingError: cannot convert GQ (kg.m-3) to 59 (1): different dimensions
    """
    src, dst = unit_by_code(from_code), unit_by_code(to_code)
    for code, unit in ((from_code, src), (to_code, dst)):
        if unit is None:
            raise MappingError(f"unknown UN/CEFACT unit code {code!r}")
    assert src is not None and dst is not None
    if src.code == dst.code:
        return float(value)
    if src.si != dst.si:
        raise MappingError(
            f"cannot convert {src.code} ({src.si}) to {dst.code} ({dst.si}): different dimensions")
    return float(dst.from_si(src.to_si(value)))


_SYSTEMS = {"unece": unit_by_code, "ucum": unit_by_ucum, "qudt": unit_by_qudt, "symbol": unit_by_symbol}


def resolve_unit(value: str, *, system: str = "unece", report: ConversionReport | None = None,
                 path: str = "") -> Unit | None:
    """Look a unit up in ``system`` (``unece``, ``ucum``, ``qudt`` or ``symbol``); record an
    ``Unresolved`` event in ``report`` when it is unknown.

    >>> r = ConversionReport()
    >>> resolve_unit("m/s", system="ucum", report=r).code
    'MTS'
    >>> resolve_unit("furlong", system="ucum", report=r, path="/0/speed") is None
    True
    >>> r.events[0].kind, r.events[0].path
    ('Unresolved', '/0/speed')
    """
    try:
        finder = _SYSTEMS[system]
    except KeyError:
        raise ValueError(f"system must be one of {sorted(_SYSTEMS)}") from None
    unit = finder(value)
    if unit is None and report is not None:
        report.add(Unresolved, path, f"unknown {system} unit {value!r}; the unit was carried as is",
                   remedy="add the unit to a unit table (mimbridge/mapping/units.tsv) or fix the source")
    return unit
