"""An infinite loop: the first call never returns.

Targets ch01 ex01_amdahl: its honest score is 0 (nothing is computed). The
grader must stop it at the exercise's time limit and go on.
"""


def amdahl_speedup(parallel_fraction, workers):
    while True:
        pass


def amdahl_limit(parallel_fraction):
    while True:
        pass
