"""Shared fixtures: the third-party corpus path and the require-all switch.

Tests that need the corpus (``../shared/corpus`` beside the checkout, or the
folder named by ``MIMBRIDGE_CORPUS``), a server or a system package skip with a
one-line reason when it is absent, unless ``MIMBRIDGE_REQUIRE_ALL=1`` (set by
CI), in which case they fail, and so does any other skip, except tests marked
``opt_in`` (they need something CI does not have, such as a real broker).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Server fixtures live one per module in tests/fixtures/ (started on 127.0.0.1, stopped by PID).
pytest_plugins = sorted(
    f"tests.fixtures.{p.stem}" for p in (Path(__file__).parent / "fixtures").glob("*.py") if p.stem != "__init__"
)
REQUIRE_ALL = os.environ.get("MIMBRIDGE_REQUIRE_ALL") == "1"


def _corpus_path() -> Path:
    env = os.environ.get("MIMBRIDGE_CORPUS")
    if env:
        return Path(env)
    return (ROOT / ".." / "shared" / "corpus").resolve()


def need(condition: bool, reason: str) -> None:
    """Skip (or fail under MIMBRIDGE_REQUIRE_ALL=1) when ``condition`` is false."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required resource missing: {reason}")
    pytest.skip(reason)


def system_exe(name: str, *fallbacks: str) -> str | None:
    """Path of an executable the tests drive (the PATH, the Python's own bin folder, then ``fallbacks``).

    Names listed in ``MIMBRIDGE_TEST_WITHOUT`` (comma-separated) count as not
    installed: the fresh-clone test runs the suite so, to check that those tests skip.
    """
    if name in os.environ.get("MIMBRIDGE_TEST_WITHOUT", "").split(","):
        return None
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    return next((f for f in fallbacks if os.access(f, os.X_OK)), None)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Path of the third-party corpus (honours MIMBRIDGE_CORPUS)."""
    path = _corpus_path()
    need(path.is_dir(), f"corpus not found at {path} (set MIMBRIDGE_CORPUS)")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under MIMBRIDGE_REQUIRE_ALL=1 a skip fails (whatever raised it), unless the test is marked ``opt_in``."""
    outcome = yield
    rep = outcome.get_result()
    if REQUIRE_ALL and rep.skipped and not hasattr(rep, "wasxfail") and item.get_closest_marker("opt_in") is None:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped under MIMBRIDGE_REQUIRE_ALL=1 (every test must run): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped while it is collected (``pytest.importorskip`` at module level)."""
    outcome = yield
    rep = outcome.get_result()
    if REQUIRE_ALL and rep.skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped under MIMBRIDGE_REQUIRE_ALL=1 (every test must run): {reason}"


def load_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the expected files under tests/golden/ from the current code (review the diff)")
