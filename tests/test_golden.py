"""Golden files per format: ``tests/golden/<format>/<case>.<ext>`` with its expected model dump and output.

For every case:

* ``<case>.<ext>`` (any suffix) is the input in the format (written by hand, or taken from a
  test server and reviewed);
* ``<case>.native.json`` is the model it must read into (the ``native`` dump);
* ``<case>.out.<ext>`` is what writing that model back in the same format must
  give (formats that write).

Expected files change only through ``python -m pytest tests/test_golden.py
--update-golden``, and the change is reviewed in the diff like code. Every
registered format must have golden cases and a contract-suite class.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import mimbridge
from mimbridge import registry
from mimbridge.convert import dumps

GOLDEN = Path(__file__).parent / "golden"
BUILT_IN = sorted(registry.FORMATS)


def cases() -> list[tuple[str, str, str]]:
    """``(format, case, suffix)`` of every golden input: a file that is neither a model dump nor an output."""
    out = []
    for folder in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        for p in sorted(folder.iterdir()):
            case, dot, suffix = p.name.partition(".")
            if dot and not p.name.endswith(".native.json") and not suffix.startswith("out."):
                out.append((folder.name, case, "." + suffix))
    return out


CASES = cases()


def _text(output) -> str:
    text = dumps(output)
    return text + ("" if text.endswith("\n") else "\n")


def _input(fmt: str, path: Path):
    text = path.read_text(encoding="utf-8")
    return text if registry.get(fmt).capabilities.output == "text" else json.loads(text)


@pytest.mark.parametrize("fmt", BUILT_IN)
def test_every_registered_format_has_golden_cases(fmt):
    assert any(f == fmt for f, _, _ in CASES), f"add golden cases under tests/golden/{fmt}/"


def _contract_formats() -> set[str]:
    found = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "AdapterContract" for b in node.bases):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "") == "format"
                            and isinstance(stmt.value, ast.Constant)):
                        found.add(stmt.value.value)
    return found


def test_every_registered_format_runs_the_contract_suite():
    assert set(BUILT_IN) - _contract_formats() == set()


@pytest.mark.parametrize("fmt, case, suffix", CASES)
def test_golden_case(fmt, case, suffix, request):
    folder = GOLDEN / fmt
    data = _input(fmt, folder / f"{case}{suffix}")
    native = mimbridge.convert(data, source=fmt, target="native").output
    out_path = folder / f"{case}.out{suffix}"
    adapter = registry.get(fmt)
    out = _text(mimbridge.convert(data, source=fmt, target=fmt).output) if adapter.capabilities.write else None
    if request.config.getoption("--update-golden"):
        (folder / f"{case}.native.json").write_text(json.dumps(native, indent=2, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
        if out is not None:
            out_path.write_text(out, encoding="utf-8")
        pytest.skip("golden files rewritten: review the diff")
    want = json.loads((folder / f"{case}.native.json").read_text(encoding="utf-8"))
    assert native == want
    if out is not None:
        assert out == out_path.read_text(encoding="utf-8")
