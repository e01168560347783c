"""The library's own implementation, reached without an import statement.

Targets ch01 ex01_amdahl, honest score 0: __import__ reaches dsscale.laws,
which the judge refuses from the syntax tree without running the file.
"""

_laws = __import__("dsscale.laws", fromlist=["amdahl_speedup"])
amdahl_speedup = _laws.amdahl_speedup


def amdahl_limit(parallel_fraction):
    p = float(parallel_fraction)
    return float("inf") if p == 1.0 else 1.0 / (1.0 - p)
