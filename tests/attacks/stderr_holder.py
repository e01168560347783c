"""A grandchild that holds stderr open, in a correct solution.

Targets ch01 ex01_amdahl and implements it correctly: its honest score is
full marks. At import it starts a detached grandchild that keeps the
child's stdout and stderr open for a minute. The old runner waited for
end-of-file on stderr and hung past its timeout; the grader must finish
promptly and give the full score.
"""

import os
import time

import numpy as np

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
os.wait()


def amdahl_speedup(parallel_fraction, workers):
    p = np.asarray(parallel_fraction, dtype=float)
    n = np.asarray(workers, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"parallel_fraction must be in [0, 1], got {p}")
    if np.any(n < 1):
        raise ValueError(f"workers must be >= 1, got {workers}")
    s = 1.0 / ((1.0 - p) + p / n)
    return float(s) if s.ndim == 0 else s


def amdahl_limit(parallel_fraction):
    p = float(parallel_fraction)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"parallel_fraction must be in [0, 1], got {p}")
    return float("inf") if p == 1.0 else 1.0 / (1.0 - p)
