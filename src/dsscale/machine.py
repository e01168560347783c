"""What the machine is doing right now, for pages that time things.

A measured speedup is only worth asserting when other programs leave the
cores free; :func:`cpu_busy_fraction` says whether they do.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dsscale._validate import check_float

__all__ = ["cpu_busy_fraction"]


def cpu_busy_fraction(interval: float = 2.0, *, stat_path: str = "/proc/stat",
                      sleep: Callable[[float], None] = time.sleep) -> float | None:
    """Fraction of all CPU time spent busy over the next ``interval`` seconds.

    Read from ``stat_path`` (Linux's ``/proc/stat``: the first line sums the
    time every core spent in each state) before and after ``sleep(interval)``;
    the caller sleeps, so the figure is what *other* programs used. ``None``
    where the file does not exist. Unlike the 1-minute load average, which
    still remembers the previous job for a minute after it ended, this says
    whether the cores are free right now, before a timing run.
    """
    interval = check_float("interval", interval, 0.0, strict_min=True)

    def snapshot() -> tuple[int, int] | None:
        try:
            with open(stat_path, encoding="ascii") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return idle, sum(fields)

    before = snapshot()
    sleep(interval)
    after = snapshot()
    if before is None or after is None or after[1] == before[1]:
        return None
    return 1.0 - (after[0] - before[0]) / (after[1] - before[1])
