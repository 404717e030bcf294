"""Run ``mimbridge sync`` again and again, killing it with SIGKILL at random moments, until it finishes.

Usage: ``python -m tests.sync_killer CONFIG.json``; CONFIG holds ``args`` (the
``mimbridge`` command line), ``checkpoint`` (its path), ``kills`` (how many
SIGKILLs to deliver before letting a run finish), ``total`` (records in the
source, to spread the kills over the copy), ``page_size``, ``seed``, ``timeout`` (seconds)
and ``warm`` (``[source format, target format, sample record]``, converted
once before the first run so that every run starts with the adapters loaded).

Each run is a child forked from this process (which imported mimbridge once),
so a run starts in milliseconds and a kill lands anywhere in it: while
rewinding, reading, converting, writing, saving the checkpoint. The result,
printed as one JSON line: ``kills``, ``runs``, ``exit`` (of the last run) and
``kills_after_progress`` (kills that struck a run which had finished a page).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
import traceback
from typing import Any


def _records(checkpoint: str) -> int:
    try:
        with open(checkpoint, encoding="utf-8") as fh:
            return int(json.load(fh).get("records", 0))
    except (OSError, ValueError):
        return 0


def _child(args: list[str]) -> None:
    code = 1
    try:
        os.dup2(2, 1)  # the run's summary line goes to stderr; stdout carries this script's result
        from mimbridge.cli import main

        code = main(args)
    except BaseException:  # reported, then the child exits with 1
        traceback.print_exc()
    finally:
        os._exit(code)


def _watch(pid: int, checkpoint: str, target: int | None, extra: float, deadline: float,
           pace: list[float]) -> int | None:
    """Watch a run: its exit status, or None once the checkpoint reached ``target`` records and ``extra``
    seconds more have passed (``target=None``: wait for the end). Appends seconds per page to ``pace``."""
    last, seen, until = time.monotonic(), _records(checkpoint), None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        now = time.monotonic()
        if now >= deadline:
            return None
        records = _records(checkpoint)
        if records != seen:
            pace.append(now - last)
            last, seen = now, records
        if until is None and target is not None and records >= target:
            until = now + extra
        if until is not None and now >= until:
            return None
        time.sleep(0.001)


def run(config: dict[str, Any]) -> dict[str, Any]:
    """Kill runs until ``kills`` SIGKILLs were delivered, then let one finish; see the module docstring.

    A kill strikes either early (a random moment in the first ``0..50 ms`` of
    a run: while it starts, rewinds, reads its first page) or, mostly, after
    a random number of further records were checkpointed plus a random
    fraction of the time a page takes: anywhere in the write / checkpoint cycle.
    """
    rng = random.Random(config["seed"])
    kills, wanted, total = 0, int(config["kills"]), max(int(config["total"]), 1)
    deadline = time.monotonic() + float(config["timeout"])
    pace: list[float] = []
    runs, after_progress = 0, 0
    while True:
        runs += 1
        before = _records(config["checkpoint"])
        pid = os.fork()
        if pid == 0:
            _child(config["args"])
        target, extra = None, 0.0
        if kills < wanted:
            page = sum(pace[-20:]) / len(pace[-20:]) if pace else 0.05
            if rng.random() < 0.2:
                target, extra = before, rng.uniform(0.0, 0.05)
            else:
                # the kills spread over the first 80% of the records, so that the last one still finds pages
                budget = max(int(0.8 * total) - before, 0)
                target = before + int(rng.uniform(0, 2.0 * budget / (wanted - kills + 1)))
                target = min(target, total - 4 * int(config["page_size"]))
                extra = rng.uniform(0.0, page)
        status = _watch(pid, config["checkpoint"], target, extra, deadline, pace)
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            if time.monotonic() >= deadline:
                return {"kills": kills, "runs": runs, "exit": "timeout", "kills_after_progress": after_progress}
            kills += 1
            after_progress += _records(config["checkpoint"]) > before
            continue
        return {"kills": kills, "runs": runs, "exit": status, "kills_after_progress": after_progress}


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as fh:
        config = json.load(fh)
    import mimbridge

    src, dst, sample = config["warm"]
    mimbridge.convert(sample, source=src, target=dst)
    import mimbridge.cli
    import mimbridge.clients.files
    import mimbridge.clients.ngsild
    import mimbridge.clients.sparql  # loaded once, shared by every run

    print(json.dumps(run(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
