"""The curated unit table (mimbridge/mapping/units.tsv) against QUDT, UN/CEFACT Rec 20 and physics.

Every disagreement between a row and the QUDT vocabulary must be listed in
QUDT_EXCEPTIONS with its reason; the test fails both on an unlisted
disagreement and on a listed one that no longer occurs.
"""

from __future__ import annotations

import csv
import json
import math
import re
from fractions import Fraction

import pytest

from mimbridge.errors import MappingError
from mimbridge.mapping import units as U
from mimbridge.report import ConversionReport, Unresolved

QUDT_TTL = "rdf/qudt-public-repo/src/main/rdf/vocab/unit/VOCAB_QUDT-UNITS-ALL.ttl"
QK_TTL = "rdf/qudt-public-repo/src/main/rdf/vocab/quantitykinds/VOCAB_QUDT-QUANTITY-KINDS-ALL.ttl"
REC20_CSV = "rdf/unece-units-of-measure/data/units-of-measure.csv"
DERIVED_CSV = "rdf/derived/qudt_unece_ucum.csv"

TABLE = U.load_units()

# (code, aspect) -> reason. aspect: "unece" (QUDT does not give the unit this code),
# "ucum" (QUDT's UCUM code differs), "qudt" (no QUDT unit).
QUDT_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("MON", "unece"): "QUDT puts MON on unit:MO (synodic month); Rec 20 MON is the mean Julian month",
    ("MON", "ucum"): "UCUM defines mo as mo_j; QUDT writes the explicit mo_j",
    ("M46", "ucum"): "UCUM annotations carry no meaning; {rev} names the revolution, QUDT writes {#}",
    ("RPM", "unece"): "RPM is the Rec 20 duplicate of M46; QUDT lists only M46",
    ("RPM", "ucum"): "as M46",
    ("C62", "ucum"): "QUDT gives unit:ONE no UCUM code; UCUM writes unity as 1",
    ("H87", "unece"): "QUDT gives unit:NUM no Rec 20 code",
    ("IE", "unece"): "counted persons: unit:NUM, which has no Rec 20 code",
    ("IE", "ucum"): "UCUM annotation {person} instead of {#}, so the reverse look-up of {#} stays H87",
    ("NAR", "unece"): "counted articles: unit:NUM, which has no Rec 20 code",
    ("NAR", "ucum"): "UCUM annotation {article} instead of {#}",
    ("EA", "unece"): "counted items: unit:NUM, which has no Rec 20 code",
    ("EA", "ucum"): "UCUM annotation {each} instead of {#}",
    ("A99", "unece"): "QUDT gives unit:BIT the code J63, which Rec 20 assigns to barrel (US) per second",
    ("D46", "ucum"): "QUDT writes VA, which is no UCUM atom; the product V.A is used",
    ("KVA", "ucum"): "QUDT writes kVA; kV.A is the UCUM product",
    ("MVA", "ucum"): "QUDT writes MVA; MV.A is the UCUM product",
    ("DBM", "ucum"): "QUDT writes dB.mW (a product of decibel and milliwatt); UCUM's level unit is dB[mW]",
    ("Q30", "unece"): "QUDT gives unit:PH no Rec 20 code",
    ("NTU", "unece"): "QUDT gives unit:NTU no Rec 20 code",
    ("NTU", "ucum"): "QUDT gives unit:NTU no UCUM code; UCUM has no turbidity unit, {NTU} is used",
    ("KLX", "qudt"): "QUDT has no kilolux",
    ("FNU", "qudt"): "QUDT has no formazin nephelometric unit",
}

# Rec 20 conversion factors that are wrong by a power of ten (checked from physics:
# 1 mm/h = 1e-3 m / 3600 s = 2.78e-7 m/s; 1 mSv/h = 2.78e-7 Sv/s ...).
REC20_FACTOR_ERRATA = {
    "H67": "Rec 20 gives 0.277 777 778 x 10^-7 m/s; 1 mm/h is 2.777 78 x 10^-7 m/s",
    "P71": "Rec 20 gives 0.277 777 778 x 10^-7 Sv/s; 1 mSv/h is 2.777 78 x 10^-7 Sv/s",
    "P72": "Rec 20 gives 0.277 777 778 x 10^-10 Sv/s; 1 uSv/h is 2.777 78 x 10^-10 Sv/s",
    "P73": "Rec 20 gives 0.277 777 778 x 10^-13 Sv/s; 1 nSv/h is 2.777 78 x 10^-13 Sv/s",
}


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def qudt(corpus):
    """QUDT units parsed with rdflib: local name -> {codes, ucum, multiplier, offset, deprecated}."""
    rdflib = pytest.importorskip("rdflib")
    path = corpus / QUDT_TTL
    if not path.is_file():
        pytest.skip(f"{QUDT_TTL} not in corpus")
    g = rdflib.Graph()
    g.parse(path, format="turtle")
    Q = rdflib.Namespace("http://qudt.org/schema/qudt/")
    out = {}
    for s in g.subjects(rdflib.RDF.type, Q.Unit):
        if not str(s).startswith(U.QUDT_UNIT):
            continue
        out[local(str(s))] = {
            "codes": {str(o) for o in g.objects(s, Q.uneceCommonCode)},
            "ucum": {str(o) for o in g.objects(s, Q.ucumCode)},
            "mult": [Fraction(str(o)) for o in g.objects(s, Q.conversionMultiplier)],
            "offset": [Fraction(str(o)) for o in g.objects(s, Q.conversionOffset)],
            "deprecated": any(o.toPython() is True for o in g.objects(s, Q.deprecated)),
        }
    assert len(out) > 2000
    return out


@pytest.fixture(scope="module")
def rec20(corpus):
    path = corpus / REC20_CSV
    if not path.is_file():
        pytest.skip(f"{REC20_CSV} not in corpus")
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["CommonCode"]: r for r in csv.DictReader(fh)}


# --- the table itself ----------------------------------------------------------------------

def test_table_size_and_unique_codes():
    codes = [u.code for u in TABLE]
    assert len(codes) >= 150
    assert len(set(codes)) == len(codes)
    for u in TABLE:
        assert u.si and u.ucum and u.label and u.kind, u.code


def test_city_sensing_units_present():
    for code in ("GQ", "GP", "59", "61", "P1", "CEL", "A97", "MTS", "KMH", "DD", "MMT", "H67", "D54",
                 "LUX", "2N", "KWH", "KWT", "MQH", "M1", "G42", "Q30", "P72", "A19", "H87", "C62"):
        assert U.unit_by_code(code) is not None, code


def test_ucum_column_is_canonical():
    for u in TABLE:
        assert U.normalize_ucum(u.ucum) == u.ucum, u.code
        assert U.normalize_ucum(u.si) == u.si, u.code


def test_reverse_lookups_round_trip_or_are_documented_aliases():
    """to_X then from_X returns the code, except for rows whose note calls them an alias."""
    for u in TABLE:
        winners = {U.unit_by_ucum(u.ucum).code}
        if u.qudt:
            winners.add(U.unit_by_qudt(u.qudt).code)
        if winners != {u.code}:
            assert "alias of" in u.note, (u.code, winners)
            assert all(w in u.note for w in winners - {u.code}), (u.code, winners)


# --- against QUDT ---------------------------------------------------------------------------

def test_rows_against_qudt(qudt):
    found: dict[tuple[str, str], str] = {}
    for u in TABLE:
        if u.qudt is None:
            found[(u.code, "qudt")] = "no QUDT unit"
            continue
        q = qudt.get(local(u.qudt))
        assert q is not None, f"{u.code}: {u.qudt} is not in the QUDT vocabulary"
        assert not q["deprecated"], f"{u.code}: {u.qudt} is deprecated in QUDT"
        if u.code not in q["codes"]:
            found[(u.code, "unece")] = f"QUDT codes {sorted(q['codes'])}"
        if u.ucum not in {U.normalize_ucum(c) for c in q["ucum"]}:
            found[(u.code, "ucum")] = f"QUDT UCUM {sorted(q['ucum'])}"
        if u.factor is not None:
            assert len(q["mult"]) == 1, u.code
            assert math.isclose(u.factor, q["mult"][0], rel_tol=1e-8), (u.code, u.factor, q["mult"])
            assert u.offset == (q["offset"][0] if q["offset"] else 0), (u.code, u.offset, q["offset"])
    unexplained = {k: v for k, v in found.items() if k not in QUDT_EXCEPTIONS}
    stale = sorted(k for k in QUDT_EXCEPTIONS if k not in found)
    assert not unexplained, f"disagreements with QUDT without a reason: {unexplained}"
    assert not stale, f"exceptions that no longer occur: {stale}"


def test_qudt_synonyms_exist_and_mean_the_same_unit(qudt):
    synonyms = 0
    for u in TABLE:
        for iri in u.qudt_also:
            q = qudt.get(local(iri))
            assert q is not None, (u.code, iri)
            assert not q["codes"] or u.code in q["codes"], (u.code, iri, q["codes"])
            if u.factor is not None:
                assert math.isclose(q["mult"][0], u.factor, rel_tol=1e-8), (u.code, iri)
            assert U.unit_by_qudt(iri) is u
            synonyms += 1
    assert synonyms >= 15


def test_ambiguous_qudt_codes_are_documented(qudt):
    """When QUDT gives a row's code to several units, the note says which one is used."""
    by_code: dict[str, set[str]] = {}
    for name, q in qudt.items():
        for c in q["codes"]:
            by_code.setdefault(c, set()).add(name)
    ambiguous = 0
    for u in TABLE:
        others = by_code.get(u.code, set()) - {local(u.qudt) if u.qudt else ""}
        if others:
            ambiguous += 1
            assert "QUDT" in u.note and (u.qudt is None or local(u.qudt) in u.note), (u.code, others)
    assert ambiguous >= 10  # C62, NX, H60, E18, DBM, D46, ... (see docs/units.md)


def test_quantity_kinds_exist(corpus):
    path = corpus / QK_TTL
    if not path.is_file():
        pytest.skip(f"{QK_TTL} not in corpus")
    text = path.read_text(encoding="utf-8")
    kinds = set(re.findall(r"^quantitykind:([A-Za-z0-9_-]+)\s*$", text, re.M))
    assert len(kinds) > 500
    missing = sorted({u.kind for u in TABLE} - kinds)
    assert not missing


def test_derived_table_agrees_with_our_reading_of_qudt(corpus, qudt):
    """Cross-check: the derived CSV (another extraction of the same TTL) agrees with the rdflib reading."""
    path = corpus / DERIVED_CSV
    if not path.is_file():
        pytest.skip(f"{DERIVED_CSV} not in corpus")
    with open(path, encoding="utf-8", newline="") as fh:
        derived = {local(r["qudt_unit"]): r for r in csv.DictReader(fh)}
    ours = {local(u.qudt) for u in TABLE if u.qudt}
    checked = 0
    for name in sorted(ours & derived.keys()):
        row, q = derived[name], qudt[name]
        if row["unece_common_code"]:
            assert row["unece_common_code"] in q["codes"], name
        if row["ucum_code"]:
            assert row["ucum_code"] in q["ucum"], name
        assert math.isclose(Fraction(row["conversion_multiplier"]), q["mult"][0], rel_tol=1e-12), name
        checked += 1
    assert checked >= 150


# --- against UN/CEFACT Rec 20 -------------------------------------------------------------------

def test_rows_against_rec20(rec20):
    for u in TABLE:
        r = rec20.get(u.code)
        assert r is not None, f"{u.code} is not a Rec 20 common code"
        assert r["Status"] != "X", f"{u.code} is deleted from Rec 20"
        if r["Status"] == "D":
            assert "deprecated" in u.note, f"{u.code} is deprecated in Rec 20 but the note does not say so"
        assert " ".join(r["Name"].split()) == u.label, u.code


_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_TIMES = "x\u00d7"  # Rec 20 writes both the letter x and the multiplication sign
_POWER = r"10(?P<exp>[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|-\d+)"
_FACTOR = re.compile(
    r"^(?:" + _POWER + r"|(?P<mant>\d[\d ,./]*\d|\d)(?:\s*[" + _TIMES + r"]\s*"
    + _POWER.replace("exp", "exp2") + r")?)\s*(?:[" + _TIMES + r"]\s*)?(?P<unit>.*)$")
_REC20_UNIT = {"Ω": "Ohm", "Hz": "s-1"}


def rec20_factor(text: str) -> tuple[Fraction, str] | None:
    """Parse '3,6 x 10⁶ J', '0,277 778 m/s', '10⁻⁹ kg/m³', '5/9 x K' into (factor, UCUM unit)."""
    text = text.replace("\xa0", " ").strip()
    if not text:
        return None
    m = _FACTOR.match(text)
    if m is None:
        mant, exp, unit = "1", "0", text  # a bare unit: factor 1
    else:
        mant = (m["mant"] or "1").replace(" ", "").replace(",", ".")
        exp, unit = (m["exp"] or m["exp2"] or "0").translate(_SUP), m["unit"].strip()
    num, _, den = mant.partition("/")
    value = Fraction(num) / Fraction(den or 1) * Fraction(10) ** int(exp)
    unit = unit.translate(_SUP).replace(" ", "").replace("x", ".").replace("\u00d7", ".")
    unit = _REC20_UNIT.get(unit, unit)
    return value, ("1" if unit in ("", "1") else (U.normalize_ucum(unit) or unit))


def test_factors_against_rec20(rec20):
    compared = 0
    wrong = {}
    for u in TABLE:
        parsed = rec20_factor(rec20[u.code]["ConversionFactor"])
        if u.factor is None or parsed is None or parsed[1] != u.si:
            continue  # non-linear, no factor in Rec 20, or expressed in another unit (e.g. Ci for Bq)
        compared += 1
        if not math.isclose(parsed[0], u.factor, rel_tol=1e-4):
            wrong[u.code] = (float(parsed[0]), float(u.factor))
    assert compared >= 120, compared
    assert wrong.keys() == REC20_FACTOR_ERRATA.keys(), wrong


# --- conversions written from physics -------------------------------------------------------

@pytest.mark.parametrize(("value", "src", "dst", "expected"), [
    (1, "KMH", "MTS", 1 / 3.6),
    (3.6, "KMH", "MTS", 1.0),
    (1, "KNT", "KMH", 1.852),
    (1, "HM", "KMH", 1.609344),
    (0, "CEL", "FAH", 32.0),
    (100, "CEL", "FAH", 212.0),
    (-40, "FAH", "CEL", -40.0),
    (0, "CEL", "KEL", 273.15),
    (1, "KWH", "3B", 3.6),
    (1, "WHR", "JOU", 3600.0),
    (1, "ATM", "A97", 1013.25),
    (1, "BAR", "MBR", 1000.0),
    (1, "MBR", "A97", 1.0),
    (1, "HN", "PAL", 13595.1 * 9.80665 * 0.001),  # rho(Hg, 0 °C) * g_n * 1 mm
    (1, "GP", "GQ", 1000.0),
    (1, "M1", "A93", 1.0),
    (1, "59", "61", 1000.0),
    (1, "P1", "59", 10000.0),
    (1, "MQH", "G51", 1 / 3.6),
    (1, "P72", "P73", 1000.0),
    (1, "INH", "MMT", 25.4),
    (1, "HAR", "MTK", 10000.0),
    (1, "AMH", "COU", 3600.0),
    (1, "AMH", "E09", 1000.0),
    (1, "AD", "A99", 8.0),
    (180, "DD", "C81", math.pi),
    (1, "DAY", "HUR", 24.0),
    (1, "ANN", "DAY", 365.25),
    (1, "28", "GM", 1000.0),
    (1, "GLL", "LTR", 3.785411784),
    (1, "H10", "C97", 1 / 3600),
    (60, "M46", "2A", 2 * math.pi),
    (1, "KVA", "D46", 1000.0),
])
def test_convert_value_physics(value, src, dst, expected):
    assert math.isclose(U.convert_value(value, src, dst), expected, rel_tol=1e-12)


def test_convert_round_trip_every_linear_unit():
    for u in TABLE:
        if u.linear:
            assert math.isclose(float(u.from_si(u.to_si(12.5))), 12.5, rel_tol=1e-12), u.code


@pytest.mark.parametrize(("src", "dst"), [("GQ", "59"), ("CEL", "MTS"), ("H87", "P1"), ("HTZ", "BQL"),
                                          ("D46", "WTT"), ("IE", "H87")])
def test_convert_refuses_other_dimensions(src, dst):
    with pytest.raises(MappingError, match="different dimensions"):
        U.convert_value(1, src, dst)


def test_convert_refuses_logarithmic_and_unknown_units():
    with pytest.raises(MappingError, match="not linearly convertible"):
        U.convert_value(60, "2N", "M72")
    assert U.convert_value(60, "2N", "2N") == 60.0
    with pytest.raises(MappingError, match="unknown UN/CEFACT unit code 'NOPE'"):
        U.convert_value(1, "NOPE", "MTR")


# --- look-ups -------------------------------------------------------------------------------

def test_lookups_in_all_three_systems():
    gq = U.unit_by_code("GQ")
    assert U.unit_by_code(" gq ") is gq
    assert U.unit_by_ucum("ug/m3") is gq and U.unit_by_ucum("ug.m-3") is gq
    assert U.unit_by_qudt("https://qudt.org/vocab/unit/MicroGM-PER-M3") is gq
    assert U.unit_by_qudt("unit:MicroGM-PER-M3") is gq
    assert U.to_ucum("LTR") == "L" and U.from_ucum("l") == "LTR" and U.from_ucum("ml") == "MLT"
    assert U.from_ucum("W/(m2.K)") == "D55"
    assert U.to_qudt("FNU") is None and U.to_qudt("nope") is None
    assert U.from_ucum("[furlong]") is None and U.from_ucum("m/") is None and U.from_ucum("") is None
    assert U.from_qudt("http://qudt.org/vocab/unit/NUM") == "H87"
    assert U.from_qudt("http://qudt.org/vocab/unit/UNITLESS") == "C62"  # as SensorThings examples write it
    assert U.unit_by_code(None) is None


def test_symbol_lookup():
    assert U.unit_by_symbol("μg/m³").code == "GQ"  # Greek mu, as QUDT writes it
    assert U.unit_by_symbol("µg/m³").code == "GQ"  # micro sign, as Rec 20 writes it
    assert U.unit_by_symbol("lm").code == "LUM"
    assert U.unit_by_symbol("m/s").code == "MTS"
    assert U.unit_by_symbol("kg/m3").code == "KMQ"  # not a symbol of the table: read as UCUM
    assert U.unit_by_symbol("furlongs") is None


def test_corpus_unit_codes_resolve(corpus):
    """Every NGSI-LD unitCode value in the corpus examples is in the table."""
    codes = set()

    def walk(node):
        if isinstance(node, dict):
            value = node.get("unitCode")
            if isinstance(value, str) and node.get("type") in ("Property", None) and "value" in node:
                codes.add(value)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted((corpus / "ngsi-ld").rglob("*.json*")):
        try:
            walk(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError):
            continue  # deliberately broken files
    assert codes, "no unitCode in the corpus"
    assert {c for c in codes if U.unit_by_code(c) is None} == set()


def test_ambiguous_choices():
    assert U.to_qudt("C62").endswith("/ONE")
    assert U.to_qudt("NX").endswith("/PPTH")
    assert U.to_qudt("E18").endswith("/TONNE-PER-HR")
    assert U.to_qudt("MON").endswith("/MO_MeanJulian")
    assert U.from_ucum("{rev}/min") == "M46"


def test_resolve_unit_reports_unknown_units():
    report = ConversionReport()
    assert U.resolve_unit("CEL", report=report).code == "CEL"
    assert U.resolve_unit("QQQ", report=report, path="/0/temperature") is None
    assert U.resolve_unit("QQQ", report=report, path="/1/temperature") is None
    [event] = report.events
    assert isinstance(event, Unresolved) and event.count == 2
    assert event.paths == ["/0/temperature", "/1/temperature"]
    with pytest.raises(ValueError, match="system"):
        U.resolve_unit("m", system="si")


def test_broken_tables_fail_with_line_numbers(tmp_path):
    head = "\t".join(U.COLUMNS)
    good = "MTR\tm\tM\t\tm\tmetre\tLength\tm\t1\t\t"
    cases = {
        "short": (f"# c\n{head}\nMTR\tm\n", "line 3: 2 cells"),
        "factor": (f"{head}\n{good}\nKMT\tkm\tKiloM\t\tkm\tkilometre\tLength\tm\tabc\t\t\n", "line 3: bad factor"),
        "dup": (f"{head}\n{good}\n{good}\n", "code MTR appears twice"),
        "header": ("code\tucum\n", "line 1: header"),
        "empty": ("# only a comment\n", "no header"),
    }
    for name, (text, message) in cases.items():
        p = tmp_path / f"{name}.tsv"
        p.write_text(text, encoding="utf-8")
        with pytest.raises(MappingError, match=re.escape(message)):
            U.load_units(p)
    p = tmp_path / "ok.tsv"
    p.write_text(f"{head}\n{good}\n", encoding="utf-8")
    assert len(U.load_units(p)) == 1
