"""The library's own implementation, imported instead of written.

Targets ch01 ex01_amdahl (implement Amdahl's law), whose honest score here
is 0: the exercise is refused, with the reason, because amdahl_speedup comes
from dsscale.laws (amdahl_limit is written out, and refused with it).
"""

from dsscale.laws import amdahl_speedup  # noqa: F401


def amdahl_limit(parallel_fraction):
    p = float(parallel_fraction)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"parallel_fraction must be in [0, 1], got {p}")
    return float("inf") if p == 1.0 else 1.0 / (1.0 - p)
