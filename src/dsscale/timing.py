"""Timing for benchmarks and the book's measured comparisons."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dsscale._validate import check_int


def timed(fn: Callable[[], Any], *,
          clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds taken by one call of ``fn``, read from ``clock``.

    For comparisons that alternate two versions run by run (so that a change
    in background load hits both alike) and summarise each by its median.
    """
    start = clock()
    fn()
    return clock() - start


def best_time(fn: Callable[[], Any], repeats: int = 3, *,
              clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds taken by the fastest of ``repeats`` calls of ``fn``.

    Other programs only ever add time to a run, so the least-disturbed run is
    the closest to the work's own cost (the convention of Python's ``timeit``).
    Compare such times as ratios measured side by side, never as absolutes.
    ``clock`` reads the time (tests pass a fake one).
    """
    repeats = check_int("repeats", repeats, minimum=1)
    return min(timed(fn, clock=clock) for _ in range(repeats))
