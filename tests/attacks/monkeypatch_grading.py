"""Monkeypatched grader: make every assertion pass, in the process it runs in.

Targets ch01 ex01_amdahl and implements it wrongly (always 0): its honest
score is 0. At import it replaces the grading module's assertions with
no-ops, its registry's checks with functions that pass, and the type-strict
equality with one that always agrees -- everything a check running next to
the student's code would have used.
"""

import dsscale.grading
import dsscale.grading.checks as checks
import dsscale.grading.session as session


def _pass(*args, **kwargs):
    return None


for module in (dsscale.grading, checks):
    module.assert_close = module.assert_equal = module.assert_raises = _pass
    module.same = lambda actual, expected: True
checks._REGISTRY[:] = [c.__class__(c.exercise, c.name, c.points, _pass)
                       for c in checks._REGISTRY]
checks.check = lambda *a, **k: (lambda fn: _pass)
session.StudentError.is_a = lambda self, exc_type: True


def amdahl_speedup(parallel_fraction, workers):
    return 0


def amdahl_limit(parallel_fraction):
    return 0
