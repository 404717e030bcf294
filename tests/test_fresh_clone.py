"""The README's two quick-start commands on a fresh clone with nothing beside it.

The checkout's tracked files (``git ls-files``) are copied into a temporary
folder, away from the third-party corpus (whose default place is
``../shared/corpus`` beside the checkout), and run there with neither
``MIMBRIDGE_CORPUS`` nor ``MIMBRIDGE_REQUIRE_ALL``:

* the first command: the wheel built from the copy converts the bundled example;
* the second: ``python -m pytest`` on a representative part of the suite. Running
  the whole suite a second time would double the test time, so the copy runs
  the collection of every test module (no module may fail to import without
  the corpus or a system package), and in full the modules that need the
  corpus or a server, with the system packages (mosquitto, chromium, the
  MapServer CGI) hidden, so that their tests must skip with a reason. Any
  failure or error there fails this test, with pytest's output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, need

#: modules that need the corpus, a server or a system package (run in full in the copy)
NEEDY = [
    "tests/test_ngsild_corpus.py", "tests/test_sta_corpus.py", "tests/test_features_corpus.py",
    "tests/test_units.py", "tests/test_sssom.py", "tests/test_core_context.py", "tests/test_sdm_schema.py",
    "tests/test_bridge.py", "tests/test_client_mqtt.py", "tests/test_features_wfs.py",
    "tests/test_resolver_browser.py", "tests/test_mapping_harness.py",
    # the WFS tests against MapServer alone (the module's other tests start pygeoapi, which pip installs)
    "tests/test_client_ogc.py::test_wfs_bbox_filter",
    "tests/test_client_ogc.py::test_wfs_schema_types_properties_exactly",
]
HIDDEN = "mosquitto,chromium,mapserv"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A copy of the tracked files of the checkout, with nothing beside it."""
    git = shutil.which("git")
    need(git is not None and (ROOT / ".git").exists(), "not a git checkout (the fresh-clone test copies git ls-files)")
    files = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    dest = tmp_path_factory.mktemp("fresh") / "mimbridge"
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():  # a file deleted but not yet committed is listed too
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    assert not (dest.parent / "shared").exists()
    return dest


def _env(*, hide: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("MIMBRIDGE_CORPUS", "MIMBRIDGE_REQUIRE_ALL", "PYTEST_ADDOPTS", "PYTHONPATH")}
    if hide:
        env["MIMBRIDGE_TEST_WITHOUT"] = HIDDEN
    return env


@pytest.mark.timeout(600)
def test_first_readme_command_from_the_built_wheel(fresh, tmp_path):
    """``pip install .`` then ``mimbridge convert docs/examples/air-quality.jsonld -f ngsi-ld -t ngsi-ld-keyvalues``.

    The wheel is built from the copy and unpacked beside the test's own
    dependencies (installing it would replace the project under test).
    """
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(tmp_path / "dist"), str(fresh)], capture_output=True, text=True, timeout=300)
    need(build.returncode == 0 or "No module named pip" not in build.stderr, "pip is not available")
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("mimbridge-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path / "site")
    env = {**_env(), "PYTHONPATH": str(tmp_path / "site")}
    p = subprocess.run([sys.executable, "-c", "import sys; from mimbridge.cli import main; sys.exit(main())",
                        "convert", "docs/examples/air-quality.jsonld", "-f", "ngsi-ld", "-t", "ngsi-ld-keyvalues"],
                       cwd=fresh, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out[0]["no2"] == 38.5 and "unitCode is not carried" in p.stderr
    where = subprocess.run([sys.executable, "-c", "import mimbridge; print(mimbridge.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=60).stdout
    assert where.startswith(str(tmp_path / "site")), where


def _pytest(fresh: Path, *args: str, hide: bool = False, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=fresh,
                          env=_env(hide=hide), capture_output=True, text=True, timeout=timeout)


@pytest.mark.timeout(900)
def test_second_readme_command_collects_and_skips_what_is_missing(fresh):
    """``python -m pytest`` in the copy: every module imports, and what needs the missing resources skips."""
    collected = _pytest(fresh, "--collect-only", timeout=300)
    assert collected.returncode == 0, collected.stdout[-4000:] + collected.stderr[-2000:]
    assert " collected" in collected.stdout or "tests collected" in collected.stdout

    run = _pytest(fresh, "-rs", *NEEDY, hide=True, timeout=840)
    tail = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    skips = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    reasons = "\n".join(skips)
    assert "corpus not found" in reasons, tail
    for missing in ("mosquitto", "MapServer", "test_resolver_browser.py"):  # the browser tests need the corpus first
        assert missing in reasons, tail
    # every skip says why, in one line
    assert all(": " in line for line in skips), reasons
