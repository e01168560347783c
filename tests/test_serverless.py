"""Cold starts: closed forms for one instance and for a pool, against the platform
simulator."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest

from dsscale.queueing import erlang_b
from dsscale.serverless import (
    Hyperexponential,
    cold_start_probability,
    keep_alive_cost,
    optimal_keep_alive,
    overflow_probability,
    pool_cold_probability,
    pool_mean_instances,
    provisioned_for_overflow,
    simulate_pool,
)

BURSTY = Hyperexponential((0.2, 1 / 555), (0.9, 0.1))   # mean gap 60 s


def _poisson_stream(rate, n, rng):
    return np.cumsum(rng.exponential(1 / rate, n))


# ---- one instance ------------------------------------------------------------------


def test_single_instance_closed_forms():
    assert cold_start_probability(0.5, 4.0) == pytest.approx(math.exp(-2.0))
    assert cold_start_probability(3.0, 0.0) == 1.0
    gaps = Hyperexponential.poisson(0.5)
    assert gaps.survival(4.0) == pytest.approx(math.exp(-2.0))
    assert gaps.mean_idle(4.0) == pytest.approx((1 - math.exp(-2.0)) / 0.5)
    assert gaps.hazard(7.0) == pytest.approx(0.5)
    assert BURSTY.mean == pytest.approx(60.0)
    assert BURSTY.hazard(0.0) == pytest.approx(0.9 * 0.2 + 0.1 / 555)
    assert BURSTY.hazard(1e5) == pytest.approx(1 / 555)
    hazards = [BURSTY.hazard(t) for t in np.linspace(0, 300, 31)]
    assert hazards == sorted(hazards, reverse=True)   # decreasing failure rate


@pytest.mark.parametrize("gaps", [Hyperexponential.poisson(1 / 60), BURSTY],
                         ids=["poisson", "bursty"])
@pytest.mark.parametrize("keep_alive", [10.0, 60.0, 300.0])
def test_single_instance_simulation_matches_the_formulas(gaps, keep_alive):
    n = 40_000
    x = gaps.sample(n, rng=int(keep_alive))
    run = simulate_pool(np.cumsum(x), np.zeros(n), keep_alive=keep_alive)
    # request i + 1 is cold iff its gap x[i+1] exceeds T; the first is always cold
    assert np.array_equal(run.cold[1:], x[1:] > keep_alive)
    p = gaps.survival(keep_alive)
    assert abs(run.cold_fraction - p) < 4 * math.sqrt(p * (1 - p) / n) + 1 / n
    idle = np.minimum(x[1:], keep_alive)          # one renewal per gap: iid
    measured = run.instance_seconds(0.0, float(np.cumsum(x)[-1])) / (n - 1)
    assert abs(measured - gaps.mean_idle(keep_alive)) < 4 * idle.std() / math.sqrt(n)


def test_keep_alive_optimum_is_at_an_end_for_poisson_and_inside_for_bursts():
    poisson_gaps = Hyperexponential.poisson(1 / 60)
    # J' has the sign of c - p lambda: lambda p = 100/60 > 1 keeps forever
    assert optimal_keep_alive(poisson_gaps, 1.0, 100.0, 3600.0) == 3600.0
    assert optimal_keep_alive(poisson_gaps, 1.0, 30.0, 3600.0) == 0.0
    t_star = optimal_keep_alive(BURSTY, 1.0, 100.0, 3600.0)
    assert 0.0 < t_star < 3600.0
    assert BURSTY.hazard(t_star) == pytest.approx(0.01, rel=1e-8)
    grid = np.linspace(0.0, 3600.0, 3601)
    costs = [keep_alive_cost(BURSTY, t, 1.0, 100.0) for t in grid]
    assert abs(grid[int(np.argmin(costs))] - t_star) <= 1.0
    ends = [keep_alive_cost(poisson_gaps, t, 1.0, 100.0) for t in grid[:600]]
    assert np.all(np.diff(ends) < 0)   # strictly better the longer, Poisson


# ---- a pool of instances -----------------------------------------------------------


def test_pool_limits():
    assert pool_cold_probability(3.0, 1.0, 0.0) == pytest.approx(1.0)
    assert pool_mean_instances(3.0, 1.0, 0.0) == pytest.approx(3.0)
    # near-instant requests: back to one instance and exp(-lambda T)
    assert pool_cold_probability(0.5, 1e7, 3.0) == pytest.approx(math.exp(-1.5),
                                                                 rel=1e-5)
    assert pool_mean_instances(0.5, 1e7, 3.0) == pytest.approx(1 - math.exp(-1.5),
                                                               rel=1e-5)
    colds = [pool_cold_probability(5.0, 1.0, t) for t in (0.5, 1.0, 2.0, 4.0)]
    assert colds == sorted(colds, reverse=True)


@pytest.mark.parametrize(("rate", "service_rate", "keep_alive", "seed"),
                         [(5.0, 1.0, 2.0, 1), (1.0, 1.0, 1.0, 2), (20.0, 1.0, 5.0, 3),
                          (2.0, 0.5, 3.0, 4)])
def test_pool_simulation_matches_the_exact_formulas(rate, service_rate, keep_alive,
                                                    seed):
    rng = np.random.default_rng(seed)
    n = 100_000
    arrivals = _poisson_stream(rate, n, rng)
    run = simulate_pool(arrivals, rng.exponential(1 / service_rate, n),
                        keep_alive=keep_alive)
    # cold starts cluster in bursts: batch means over 50 contiguous blocks
    blocks = run.cold.reshape(50, -1).mean(axis=1)
    se = blocks.std(ddof=1) / math.sqrt(50)
    assert abs(run.cold_fraction - pool_cold_probability(rate, service_rate,
                                                         keep_alive)) < 4 * se
    edges = np.linspace(arrivals[n // 50], arrivals[-1], 41)
    means = np.array([run.mean_instances(a, b) for a, b in zip(edges[:-1], edges[1:],
                                                               strict=True)])
    expected = pool_mean_instances(rate, service_rate, keep_alive)
    assert abs(means.mean() - expected) < 4 * means.std(ddof=1) / math.sqrt(40)


def test_most_recently_used_reuse_by_hand():
    # A runs [0, 5], B runs [1, 2]; C at 3 reuses B (idle since 2, the most
    # recent); D at 12 finds A idle since 5 > 6 s ago with T = 6: cold
    run = simulate_pool([0.0, 1.0, 3.0, 12.0], [5.0, 1.0, 1.0, 1.0], keep_alive=6.0,
                        cold_start_time=0.5)
    assert run.cold.tolist() == [True, True, False, True]
    assert run.response_times.tolist() == [5.5, 1.5, 1.0, 1.5]
    # A: born 0, busy until 5.5, dies 11.5; B: born 1, last idle from 4, dies 10
    assert run.births.tolist() == [0.0, 1.0, 12.0]
    assert run.deaths.tolist() == [11.5, 10.0, 19.5]


# ---- provisioned concurrency -------------------------------------------------------


def test_overflow_is_erlang_b_whatever_the_execution_times():
    assert overflow_probability(1.0, 1.0, 2) == pytest.approx(0.2)
    assert provisioned_for_overflow(1.0, 1.0, 0.2) == 2
    k = provisioned_for_overflow(10.0, 1.0, 0.01)
    assert erlang_b(k, 10.0, 1.0) <= 0.01 < erlang_b(k - 1, 10.0, 1.0)
    rng = np.random.default_rng(7)
    n = 100_000
    arrivals = _poisson_stream(4.0, n, rng)
    p = overflow_probability(4.0, 1.0, 5)
    for work in (np.ones(n), rng.exponential(1.0, n), rng.uniform(0.0, 2.0, n)):
        run = simulate_pool(arrivals, work, keep_alive=0.0, provisioned=5)
        blocks = run.cold.reshape(50, -1).mean(axis=1)
        assert abs(run.cold_fraction - p) < 4 * blocks.std(ddof=1) / math.sqrt(50)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: cold_start_probability(-1.0, 1.0), "arrival_rate"),
    (lambda: Hyperexponential((1.0, 2.0), (0.5, 0.6)), "weights"),
    (lambda: Hyperexponential((0.0,), (1.0,)), "rates"),
    (lambda: optimal_keep_alive(BURSTY, 1.0, 0.0, 10.0), "cold_penalty"),
    (lambda: pool_cold_probability(1.0, 1.0, -1.0), "keep_alive"),
    (lambda: provisioned_for_overflow(1.0, 1.0, 0.0), "max_overflow"),
    (lambda: simulate_pool([1.0, 0.0], [1.0, 1.0], keep_alive=1.0), "sorted"),
    (lambda: simulate_pool([0.0], [1.0, 1.0], keep_alive=1.0), "equal"),
    (lambda: simulate_pool([0.0], [1.0], keep_alive=1.0, provisioned=-1),
     "provisioned"),
])
def test_bad_input_names_the_problem(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@pytest.mark.parametrize("module", [
    "dsscale.serverless.keepalive",
    "dsscale.serverless.pool",
    "dsscale.serverless.simulate",
])
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
