"""Option errors on the command line: one line and exit 2, and only real option errors are reported so."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mimbridge
from mimbridge.cli import main
from mimbridge.errors import OptionError
from mimbridge.options import check_options

from .conftest import ROOT

ENTITY = {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1}}


@pytest.fixture()
def files(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(ENTITY) + "\n", encoding="utf-8")
    doc = tmp_path / "in.json"
    doc.write_text(json.dumps([ENTITY]), encoding="utf-8")
    return src, doc, tmp_path / "out.jsonl"


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mimbridge: error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(("option", "says"), [
    ("source.page_size=0", "page_size must be >= 1, got 0"),
    ("source.page_size=-5", "page_size must be >= 1, got -5"),
    ("source.page_size=ten", "file source option page_size must be an integer, got 'ten'"),
    ("source.page_size=2.5", "file source option page_size must be an integer, got 2.5"),
    ("source.page_size=true", "file source option page_size must be an integer, got True"),
    ("source.page_sise=10", "unknown file source option(s) page_sise; known: format, page_size"),
    ("target.fsync=perhaps", "file target option fsync must be true or false, got 'perhaps'"),
    ("target.batch=3", "unknown file target option(s) batch"),
    ("no_such_option=1", "unknown option(s): no_such_option"),
])
def test_sync_option_errors_exit_2_in_one_line(files, capsys, option, says):
    src, _, out = files
    code = main(["sync", "--source", f"file:{src}", "--target", f"file:{out}", "-O", option])
    assert code == 2
    assert says in one_line_error(capsys)


@pytest.mark.parametrize(("endpoint", "option", "says"), [
    ("sparql+http://127.0.0.1:9/query", "source.page_size=0", "page_size must be >= 1, got 0"),
    ("sparql+http://127.0.0.1:9/query", "source.graph=[1]", "sparql source option graph must be text"),
    ("sta+http://127.0.0.1:9/v1.1/Things", "source.top=-1", "top must be >= 1, got -1"),
    ("sta+http://127.0.0.1:9/v1.1/Things", "source.top=many", "sta source option top must be an integer"),
    ("ngsi-ld+http://127.0.0.1:9", "source.limit=0", "limit must be >= 1, got 0"),
    ("ogcapi+http://127.0.0.1:9/collections/x", "source.limit=0", "limit must be >= 1, got 0"),
    ("wfs+http://127.0.0.1:9/wfs?typeNames=x", "source.count=lots", "count must be an integer, got 'lots'"),
])
def test_connector_option_errors_exit_2_in_one_line(files, capsys, endpoint, option, says):
    _, _, out = files
    code = main(["sync", "--source", endpoint, "--target", f"file:{out}", "-O", option])  # nothing is fetched
    assert code == 2
    assert says in one_line_error(capsys)


def test_sink_batch_errors_exit_2(files, capsys):
    src, _, _ = files
    assert main(["sync", "--source", f"file:{src}", "--target", "sparql+http://127.0.0.1:9/query",
                 "-O", "target.batch=0"]) == 2
    assert "batch must be >= 1, got 0" in one_line_error(capsys)
    assert main(["sync", "--source", f"file:{src}", "--target", "sparql+http://127.0.0.1:9/query",
                 "--retries", "-1"]) == 2
    assert "retries must be >= 0, got -1" in one_line_error(capsys)


def test_convert_unknown_option_exits_2(files, capsys):
    _, doc, _ = files
    assert main(["convert", str(doc), "-f", "ngsi-ld", "-t", "ntriples", "-O", "no_such_option=1"]) == 2
    assert "unknown option(s): no_such_option" in one_line_error(capsys)


def test_a_type_error_inside_the_library_is_not_an_unknown_option(files):
    # contexts= is a known option; 5 makes the library itself fail: a typed error, not "unknown option"
    _, doc, _ = files
    with pytest.raises(mimbridge.MimbridgeError) as err:
        mimbridge.convert([ENTITY], source="ngsi-ld", target="ntriples", contexts=5)
    assert not isinstance(err.value, OptionError) and "TypeError" in str(err.value)
    p = subprocess.run([sys.executable, "-m", "mimbridge", "convert", str(doc), "-f", "ngsi-ld", "-t", "ntriples",
                        "-O", "contexts=5"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 1 and "unknown" not in p.stderr and "TypeError" in p.stderr, p.stderr


def test_option_error_is_a_type_error_and_a_value_error():
    # library callers that caught TypeError (unknown keyword) or ValueError (bad value) still do
    with pytest.raises(TypeError, match="unknown option"):
        mimbridge.convert([ENTITY], source="ngsi-ld", target="ntriples", no_such_option=1)
    from mimbridge.clients.files import FileSource

    with pytest.raises(ValueError, match="page_size must be >= 1"):
        FileSource("x.jsonl", page_size=0)


def test_check_options_reads_text_as_numbers_and_booleans():
    from mimbridge.clients.files import FileSource, JsonLinesSink

    assert check_options(FileSource, {"page_size": "20"}, fixed=("path",)) == {"page_size": 20}
    assert check_options(JsonLinesSink, {"fsync": "yes"}, fixed=("path",)) == {"fsync": True}
    assert check_options(JsonLinesSink, {"format": None}, fixed=("path",)) == {"format": None}
    with pytest.raises(OptionError) as err:
        check_options(FileSource, {"format": 3}, fixed=("path",))
    assert err.value.name == "format"
