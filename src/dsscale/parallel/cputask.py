"""The unit of CPU-bound work that every scaling measurement runs.

:func:`cpu_task` is a pure-Python loop: it holds the GIL, so only processes
(Ray workers), not threads, can run more of it at once. :func:`cpu_task_rate`
calibrates task sizes in milliseconds on the machine at hand.
"""

from __future__ import annotations

from dsscale._validate import check_int
from dsscale.timing import best_time

__all__ = ["DEFAULT_TASK_SIZE", "cpu_task", "cpu_task_rate"]

# About 0.1-0.2 s of pure-Python work on a 2020s core: the ~1 ms per-task
# overhead of Ray is then below 1 % of a task.
DEFAULT_TASK_SIZE = 2_000_000


def cpu_task(n_iter: int) -> int:
    """Burn one core for ``n_iter`` steps of a 32-bit LCG-like recurrence.

    A pure Python loop holds the GIL, which is exactly what we want: each Ray
    worker is a separate process, so only processes (not threads) can make it
    go faster. The result is a checksum, so the work cannot be skipped.
    """
    n_iter = check_int("n_iter", n_iter, minimum=0)
    acc = 0
    for i in range(n_iter):
        acc = (acc * 31 + i) & 0xFFFFFFFF
    return acc


def cpu_task_rate(n_iter: int = 200_000, repeats: int = 3) -> float:
    """Loop iterations of :func:`cpu_task` per millisecond in this process.

    Calibrates task sizes in milliseconds on the machine at hand, from the
    fastest of ``repeats`` runs of ``n_iter`` iterations.
    """
    n_iter = check_int("n_iter", n_iter, minimum=1)
    return n_iter / (best_time(lambda: cpu_task(n_iter), repeats) * 1e3)
