"""The bad-input corpus (tests/badinput/cases.jsonl, made by tests/badinput/make_cases.py).

Each case must end as its ``expect`` says, at its ``where``, in bounded time,
with no foreign exception (none raised, none turned into a ParseError by the
last-resort guard at the boundary). The command line runs over the same
corpus: exit 1 for bad data, 2 for usage, never a traceback.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import mimbridge
from mimbridge.cli import main
from mimbridge.errors import LossyConversionError, MimbridgeError, ParseError, ResolutionError

pytestmark = pytest.mark.timeout(600)  # a hang fails, never blocks the run
CASES = [json.loads(line) for line in (Path(__file__).parent / "badinput" / "cases.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
ERRORS = {"ParseError": ParseError, "ResolutionError": ResolutionError}


def data_of(case: dict[str, Any]) -> Any:
    if case["encoding"] == "base64":
        return base64.b64decode(case["input"])
    if case["encoding"] == "segments":
        return "".join(text * times for text, times in case["input"])
    return case["input"]


def at(pointer: str, where: str) -> bool:
    """``pointer`` is ``where`` (``line N`` also matches ``line N column M``)."""
    return pointer == where or (where.startswith("line ") and " column " not in where
                                and pointer.startswith(where + " column "))


def test_the_corpus_is_big_and_varied():
    assert len(CASES) >= 300
    assert len({c["id"] for c in CASES}) == len(CASES)
    per_format = Counter(c["format"] for c in CASES)
    assert len(per_format) >= 15, per_format  # every source format has bad inputs
    assert min(per_format.values()) >= 5, per_format


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    data, expect, where = data_of(case), case["expect"], case["where"]
    try:
        r = mimbridge.convert(data, source=case["format"], target=case["target"])
        mimbridge.dumps(r.output)
    except MimbridgeError as exc:
        assert getattr(exc, "foreign", None) is None, f"a foreign exception reached the boundary: {exc}"
        assert expect in ERRORS, f"unexpected {type(exc).__name__}: {exc}"
        assert isinstance(exc, ERRORS[expect]), exc
        if isinstance(exc, ParseError):
            assert at(exc.pointer, where), str(exc)
        return
    assert expect not in ERRORS, f"expected a {expect} at {where!r}; got output and {r.report.events}"
    if expect == "ok":
        return
    events = [e for e in r.report.events if e.kind == expect]
    assert events, f"expected a {expect} event at {where!r}; got {r.report.events}"
    assert any(at(p, where) for p in events[0].paths), events[0]
    if expect == "Rejected":  # one bad record costs that record: strict mode refuses it
        with pytest.raises(LossyConversionError):
            mimbridge.convert(data, source=case["format"], target=case["target"], strict=True)


def run_cli(argv: list[str]) -> int:
    """``mimbridge.cli.main`` in process; argparse usage errors exit through SystemExit(2)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _write(case: dict[str, Any], path: Path) -> Path:
    data = data_of(case)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return path


def test_command_line_over_the_corpus(tmp_path, capsys):
    """In process: exit 1 for every bad input (``--strict`` makes reported losses fail), 0 for the others."""
    codes: Counter[int] = Counter()
    for case in CASES:
        src = _write(case, tmp_path / "in.data")
        strict = ["--strict"] if case["expect"] != "ok" else []
        code = run_cli(["convert", str(src), "-f", case["format"], "-t", case["target"], "-q",
                     "-o", str(tmp_path / "out.data"), *strict])
        err = capsys.readouterr().err
        assert "Traceback" not in err, (case["id"], err)
        assert code == (0 if case["expect"] == "ok" else 1), (case["id"], code, err)
        assert err.startswith("mimbridge: error:") or code == 0, (case["id"], err)
        codes[code] += 1
    assert codes[1] >= 300


@pytest.mark.parametrize("argv", [
    ["convert", "IN", "-f", "no-such-format", "-t", "ntriples"],
    ["convert", "IN", "-f", "ngsi-ld", "-t", "ntriples", "-O", "not-a-pair"],
    ["convert", "IN", "-f", "ngsi-ld"],
    ["convert", "IN", "-t", "ntriples", "-O", "profil=sosa"],  # (no -f: the format is told from the content)
    ["no-such-command"],
])
def test_command_line_usage_errors_exit_2(argv, tmp_path, capsys):
    src = tmp_path / "in"
    src.write_text(json.dumps({"id": "urn:x:1", "type": "T"}), encoding="utf-8")
    assert run_cli([str(src) if a == "IN" else a for a in argv]) == 2
    assert "Traceback" not in capsys.readouterr().err


SUBPROCESS = ["ngsi-ld-000-double-comma", "rdfxml", "wfs-gml", "ntriples", "native", "turtle"]


@pytest.mark.parametrize("prefix", SUBPROCESS)
def test_no_traceback_reaches_stderr(prefix, tmp_path):
    """A real process per format family: stderr holds one error line and never a traceback."""
    case = next(c for c in CASES if c["id"].startswith(prefix) and c["expect"] == "ParseError")
    src = _write(case, tmp_path / "in.data")
    proc = subprocess.run([sys.executable, "-m", "mimbridge", "convert", str(src), "-f", case["format"],
                           "-t", case["target"]], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("mimbridge: error:"), proc.stderr
    assert proc.stdout == ""
