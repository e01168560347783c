"""Answers that compare equal to anything.

Targets ch01 ex01_amdahl: its honest score is 0 (nothing is computed). Every
function returns an object whose __eq__ is always true, whose __float__ and
__array__ return the value the first check wants, and a subclass of float
that equals everything; the judge must never compare with them.
"""

import numpy as np


class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __float__(self):
        return 4 / 3

    def __array__(self, dtype=None, copy=None):
        return np.asarray(4 / 3)

    def __bool__(self):
        return True


class Float(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


def amdahl_speedup(parallel_fraction, workers):
    return Anything()


def amdahl_limit(parallel_fraction):
    return Float(0.0)
