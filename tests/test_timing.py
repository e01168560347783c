"""best_time: the fastest of several runs, with a checked repeat count."""

import pytest

from dsscale.timing import best_time


def test_best_time_calls_fn_repeats_times_and_keeps_the_minimum():
    calls = []
    assert best_time(lambda: calls.append(1), 4) >= 0.0
    assert len(calls) == 4


def test_best_time_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats"):
        best_time(lambda: None, 0)
