"""best_time: the fastest of several runs, with a checked repeat count."""

import pytest

from dsscale.timing import best_time, timed


def test_best_time_calls_fn_repeats_times_and_keeps_the_minimum():
    # a fake clock: the runs take 5, 2 and 7 seconds
    readings = iter([10.0, 15.0, 20.0, 22.0, 30.0, 37.0])
    calls = []
    best = best_time(lambda: calls.append(1), 3, clock=lambda: next(readings))
    assert best == 2.0 and len(calls) == 3


def test_best_time_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats"):
        best_time(lambda: None, 0)


def test_timed_reads_the_clock_around_one_call():
    readings = iter([3.0, 3.5])
    calls = []
    assert timed(lambda: calls.append(1), clock=lambda: next(readings)) == 0.5
    assert calls == [1]
