"""Retries and overload: the closed forms, and the simulator against them."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.autoscale import LoadTrace
from dsscale.overload import (
    DROPPED,
    ERROR,
    OK,
    REJECTED,
    RESET,
    TIMEOUT,
    Client,
    Server,
    backoff_delays,
    goodput,
    recovery_threshold,
    retry_amplification,
    retry_fixed_points,
    simulate_overload,
)
from dsscale.queueing import mmc_response_tail

# ---- closed forms -------------------------------------------------------------------


def test_retry_amplification_by_hand():
    assert retry_amplification(0.0, 5) == 1.0
    assert retry_amplification(0.5, 3) == pytest.approx(1 + 0.5 + 0.25 + 0.125)
    assert retry_amplification(1.0, 3) == 4.0
    assert retry_amplification(0.9, 0) == 1.0
    # two layers: the upper call fails with 0.5^4 = 1/16
    assert retry_amplification(0.5, 3, layers=2) == pytest.approx(
        1.875 * (1 - (1 / 16) ** 4) / (1 - 1 / 16))
    assert retry_amplification(1.0, 2, layers=4) == 81.0


@given(st.floats(0.0, 0.999), st.integers(0, 8))
def test_amplification_is_the_geometric_sum(f, r):
    assert retry_amplification(f, r) == pytest.approx(sum(f**j for j in range(r + 1)))


def test_recovery_threshold_and_goodput():
    assert recovery_threshold(10.0, 3) == 2.5
    assert recovery_threshold(10.0, 3, retry_budget=0.1) == pytest.approx(10 / 1.1)
    assert recovery_threshold(10.0, 1, retry_budget=4.0) == 5.0  # budget not binding
    assert goodput(8.0, 0.5, 1) == pytest.approx(6.0)


def test_fixed_points_bracket_the_bistable_region():
    # below the recovery threshold only the working state exists
    low = retry_fixed_points(2.0, 1.0, 10, 5.0, 3)
    assert low.size == 1 and low[0] < 0.01
    # between threshold and fold: working, unstable, collapsed
    mid = retry_fixed_points(6.0, 1.0, 10, 5.0, 3)
    assert mid.size == 3 and mid[0] < 0.01 < mid[1] < 1.0 == mid[2]
    # a root really is self-consistent
    f = mid[1]
    offered = 6.0 * retry_amplification(f, 3)
    assert mmc_response_tail(10, offered, 1.0, 5.0) == pytest.approx(f, abs=1e-9)
    # past the fold only collapse is left
    assert retry_fixed_points(9.5, 1.0, 10, 5.0, 3).tolist() == [1.0]
    # no retries: no collapsed state below capacity
    assert retry_fixed_points(6.0, 1.0, 10, 5.0, 0).size == 1


def test_backoff_delays():
    assert backoff_delays(5, 0.5, 3.0, jitter=False).tolist() == [0.5, 1.0, 2.0, 3.0,
                                                                  3.0]
    draws = backoff_delays(5, 0.5, 3.0, rng=4)
    rng = np.random.default_rng(4)
    assert draws.tolist() == (rng.random(5) * [0.5, 1.0, 2.0, 3.0, 3.0]).tolist()


# ---- the simulator ------------------------------------------------------------------


def _steady(rate, seconds=3000.0):
    return LoadTrace(60.0, np.full(int(seconds // 60), rate))


def test_injected_errors_give_the_geometric_amplification():
    f, r = 0.3, 3
    run = simulate_overload(_steady(2.0), Client(50.0, r), Server(10, 1.0,
                                                                  error_probability=f),
                            rng=1)
    attempts = np.bincount(run.attempt_request, minlength=run.request_times.size)
    # requests are independent: the standard error of the mean number of attempts
    se = attempts.std(ddof=1) / math.sqrt(attempts.size)
    assert abs(attempts.mean() - retry_amplification(f, r)) < 4 * se
    p_fail = f ** (r + 1)
    n = run.request_times.size
    assert abs(1 - run.success_fraction - p_fail) < 4 * math.sqrt(p_fail / n)
    assert set(np.unique(run.outcomes)) == {OK, ERROR}


def test_working_state_matches_the_lower_fixed_point():
    run = simulate_overload(_steady(6.0), Client(5.0, 3), Server(10, 1.0), rng=2)
    late = run.outcomes[run.attempt_times > 300.0] != OK
    blocks = late[: late.size // 40 * 40].reshape(40, -1).mean(axis=1)
    se = blocks.std(ddof=1) / math.sqrt(40)
    assert abs(late.mean() - retry_fixed_points(6.0, 1.0, 10, 5.0, 3)[0]) < 4 * se


@pytest.mark.parametrize("retries", [1, 3])
def test_collapse_persists_above_and_clears_below_the_recovery_threshold(retries):
    threshold = recovery_threshold(10.0, retries)
    rates = []
    for factor in (0.8, 1.2):
        rates_per_minute = [7.0] * 3 + [20.0] + [factor * threshold] * 25
        trace = LoadTrace(60.0, np.array(rates_per_minute))
        run = simulate_overload(trace, Client(5.0, retries),
                                Server(10, 1.0, queue_limit=1000), rng=retries)
        per_minute = run.rate("goodput", 60.0, trace.duration)
        rates.append(per_minute[-5:].mean() / (factor * threshold))
    assert rates[0] > 0.9 and rates[1] < 0.05


def test_mitigations_change_the_outcome_codes():
    spike = LoadTrace(60.0, np.array([7.0, 7.0, 20.0, 7.0, 7.0, 7.0]))
    limited = simulate_overload(spike, Client(5.0, 2), Server(10, 1.0, queue_limit=20),
                                rng=3)
    assert REJECTED in limited.outcomes
    # after the spike at most 20 attempts wait (about 2 s for 10 servers), so an
    # attempt times out only if its own service is long: P(S > 3 s) = 0.05
    late = limited.outcomes[limited.attempt_times > 300.0]
    assert np.mean(late == TIMEOUT) < math.exp(-3.0)
    shed = simulate_overload(spike, Client(5.0, 2), Server(10, 1.0, drop_expired=True),
                             rng=3)
    assert DROPPED in shed.outcomes
    assert np.all(shed.work[shed.outcomes == DROPPED] == 0.0)
    budget = simulate_overload(spike, Client(5.0, 3, retry_budget=0.1), Server(10, 1.0),
                               rng=3)
    # the bucket holds 10 tokens and gains 0.1 per request: at most that many retries
    retries = budget.attempt_times.size - budget.request_times.size
    assert retries <= 10 + 0.1 * budget.request_times.size


def test_a_reset_fails_everything_in_flight_at_once():
    trace = LoadTrace(60.0, np.full(4, 9.0))
    run = simulate_overload(trace, Client(5.0, 2, 2.0, 8.0), Server(10, 1.0),
                            reset_at=120.0, rng=5)
    reset = run.outcomes == RESET
    assert reset.sum() >= 5
    assert np.all(run.attempt_times[reset] < 120.0)
    # without jitter the first retries of reset attempts all arrive at 120 + 2
    retried = run.attempt_times[np.isin(run.attempt_request,
                                        run.attempt_request[reset])]
    assert np.sum(retried == 122.0) == reset.sum()


def test_same_seed_same_run():
    a = simulate_overload(_steady(5.0, 600.0), Client(5.0, 3), Server(10, 1.0), rng=8)
    b = simulate_overload(_steady(5.0, 600.0), Client(5.0, 3), Server(10, 1.0), rng=8)
    assert np.array_equal(a.attempt_times, b.attempt_times)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: retry_amplification(1.5, 3), "failure_probability"),
    (lambda: retry_amplification(0.5, -1), "max_retries"),
    (lambda: retry_amplification(0.5, 1, layers=0), "layers"),
    (lambda: recovery_threshold(0.0, 3), "capacity"),
    (lambda: recovery_threshold(1.0, 3, retry_budget=-0.1), "retry_budget"),
    (lambda: Client(0.0), "timeout"),
    (lambda: Client(1.0, backoff_base=2.0, backoff_cap=1.0), "backoff_cap"),
    (lambda: Server(0, 1.0), "servers"),
    (lambda: Server(2, 1.0, queue_limit=-1), "queue_limit"),
    (lambda: backoff_delays(3, 2.0, 1.0), "cap"),
    (lambda: simulate_overload(_steady(1.0, 120.0), Client(1.0), Server(1, 2.0),
                               rng=0).rate("latency", 1.0, 10.0), "what"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@pytest.mark.parametrize("module", [
    "dsscale.overload.retries",
    "dsscale.overload.simulate",
])
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
