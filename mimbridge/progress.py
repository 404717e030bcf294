"""Progress on standard error for long work: records, records per second and, from bytes read, an ETA.

A thin wrapper over ``tqdm`` (declared dependency); without a terminal and
without ``--progress`` nothing is shown and nothing is imported.

>>> with progress_bar(False, label="convert") as tick:
...     tick(10)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(show: bool, *, label: str, total_bytes: int | None = None,
                 position: Callable[[], int] | None = None, out: Any = None) -> Iterator[Callable[[int], None]]:
    """A callback ``tick(records_so_far)`` that updates a progress line while the block runs.

    ``total_bytes`` and ``position`` (bytes consumed so far) give the bar an
    end and an ETA; without them it shows the record count and rate.
    """
    if not show:
        yield _noop
        return
    from tqdm import tqdm

    bar = tqdm(total=None, unit=" records", desc=label, file=out or sys.stderr, dynamic_ncols=True,
               mininterval=0.5, smoothing=0.1)
    seen = 0

    def tick(n: int) -> None:
        nonlocal seen
        if n > seen:
            bar.update(n - seen)
            seen = n
        if position is not None and total_bytes:
            bar.set_postfix_str(f"{100 * position() / total_bytes:.0f}% of input", refresh=False)

    try:
        yield tick
    finally:
        bar.close()


def _noop(n: int) -> None:
    return None
