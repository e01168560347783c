"""Queueing formulas against closed forms and against the seeded simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.queueing import (
    erlang_c,
    littles_law,
    mg1_response_time,
    mm1_number_in_system,
    mm1_response_quantile,
    mm1_response_time,
    mmc_response_time,
    mmc_wait_time,
    simulate_queue,
    utilization,
)


def test_littles_law_solves_for_the_missing_quantity():
    assert littles_law(arrival_rate=100, time_in_system=0.2) == pytest.approx(20)
    assert littles_law(arrival_rate=100, number_in_system=20) == pytest.approx(0.2)
    assert littles_law(time_in_system=0.2, number_in_system=20) == pytest.approx(100)
    with pytest.raises(ValueError, match="exactly two"):
        littles_law(arrival_rate=1.0)


def test_mm1_closed_forms():
    assert mm1_response_time(0.9, 1.0) == pytest.approx(10.0)
    assert mm1_number_in_system(0.9, 1.0) == pytest.approx(9.0)
    # Little: L = lambda W
    little = 0.5 * mm1_response_time(0.5, 2.0)  # L = lambda W
    assert mm1_number_in_system(0.5, 2.0) == pytest.approx(little)
    # p99 = ln(100) / (mu - lambda)
    assert mm1_response_quantile(0.5, 1.0, 0.99) == pytest.approx(math.log(100) / 0.5)
    assert utilization(3.0, 2.0, servers=2) == pytest.approx(0.75)


@given(st.floats(0.01, 0.98), st.floats(0.01, 0.98))
def test_mm1_response_time_grows_with_load(rho_a, rho_b):
    lo, hi = sorted((rho_a, rho_b))
    assert mm1_response_time(lo, 1.0) <= mm1_response_time(hi, 1.0)


def test_erlang_c_special_cases():
    # one server: probability of waiting = utilisation
    assert erlang_c(1, 0.7, 1.0) == pytest.approx(0.7)
    # M/M/1 as M/M/c with c = 1
    assert mmc_response_time(1, 0.7, 1.0) == pytest.approx(mm1_response_time(0.7, 1.0))
    # c = 2, a = 1: C = (a^2/2 * 1/(1-0.5)) / (1 + a + 1) = 1/3
    assert erlang_c(2, 1.0, 1.0) == pytest.approx(1 / 3)
    assert mmc_wait_time(2, 1.0, 1.0) == pytest.approx((1 / 3) / (2 - 1))


@given(st.integers(1, 60), st.floats(0.05, 0.95))
def test_erlang_c_is_a_probability_and_pooling_helps(c, rho):
    lam = rho * c
    p_wait = erlang_c(c, lam, 1.0)
    # independently: the M/M/c birth-death chain's stationary probability of
    # finding all c servers busy, pi_k proportional to a^k/k! (k < c) and to
    # a^c/c! * rho^(k-c) (k >= c), summed in closed form over k >= c
    a = lam
    terms = [1.0]
    for k in range(1, c + 1):
        terms.append(terms[-1] * a / k)
    busy = terms[c] / (1 - rho)
    assert p_wait == pytest.approx(busy / (sum(terms[:c]) + busy), rel=1e-9)
    # one pooled queue of c servers beats c separate M/M/1 queues at equal load
    assert mmc_response_time(c, lam, 1.0) <= mm1_response_time(rho, 1.0) + 1e-12


def test_mg1_matches_mm1_for_exponential_service():
    mm1 = mm1_response_time(0.6, 1.0)
    assert mg1_response_time(0.6, 1.0, 1.0) == pytest.approx(mm1)
    # constant service halves the queueing delay
    wq_exp = mm1_response_time(0.6, 1.0) - 1.0
    assert mg1_response_time(0.6, 1.0, 0.0) - 1.0 == pytest.approx(wq_exp / 2)


def test_arrays_broadcast():
    out = mm1_response_time(np.array([0.1, 0.5, 0.9]), 1.0)
    np.testing.assert_allclose(out, 1.0 / (1.0 - np.array([0.1, 0.5, 0.9])))


@pytest.mark.parametrize(
    ("fn", "args", "name"),
    [
        (mm1_response_time, (1.0, 1.0), "arrival_rate"),
        (mm1_response_time, (-1.0, 1.0), "arrival_rate"),
        (mm1_response_time, (0.5, 0.0), "service_rate"),
        (mm1_response_quantile, (0.5, 1.0, 1.0), "q"),
        (erlang_c, (0, 0.5, 1.0), "servers"),
        (erlang_c, (2, 2.0, 1.0), "arrival_rate"),
        (mg1_response_time, (0.5, 0.0, 1.0), "service_mean"),
        (mg1_response_time, (0.5, 1.0, -1.0), "service_scv"),
    ],
)
def test_bad_input_names_the_parameter(fn, args, name):
    with pytest.raises(ValueError, match=name):
        fn(*args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(arrival_rate=1.0, service_rate=1.0), "arrival_rate"),
        (dict(arrival_rate=0.5, service_rate=1.0, servers=0), "servers"),
        (dict(arrival_rate=0.5, service_rate=1.0, num_customers=0), "num_customers"),
        (dict(arrival_rate=0.5, service_rate=1.0, service="pareto"), "service"),
        (dict(arrival_rate=0.5, service_rate=1.0, rng="seed"), "rng"),
    ],
)
def test_simulator_rejects_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        simulate_queue(**kwargs)


def test_simulator_is_deterministic_per_seed():
    a = simulate_queue(0.5, 1.0, num_customers=2000, rng=11)
    b = simulate_queue(0.5, 1.0, num_customers=2000, rng=11)
    c = simulate_queue(0.5, 1.0, num_customers=2000, rng=12)
    np.testing.assert_array_equal(a.response_times, b.response_times)
    assert not np.array_equal(a.response_times, c.response_times)


# Formula vs simulation. The batch-means standard error accounts for the
# correlation between successive customers; 4 standard errors leaves a
# two-sided false-alarm probability of about 6e-5 per case, and the seeds are
# fixed, so the verdict never changes from run to run.
@pytest.mark.parametrize(("rho", "seed"), [(0.3, 1), (0.6, 2), (0.8, 3)])
def test_mm1_simulation_matches_formula(rho, seed):
    sim = simulate_queue(rho, 1.0, num_customers=200_000, warmup=2_000, rng=seed)
    mean, se = sim.batch_means(40)
    expected = mm1_response_time(rho, 1.0)
    assert abs(mean - expected) < 4 * se
    # Little's law on the sample path: L = lambda W
    assert sim.mean_number_in_system == pytest.approx(rho * mean, rel=0.05)
    # the exponential response-time distribution: check the p90 as well
    p90 = float(np.quantile(sim.response_times, 0.9))
    assert p90 == pytest.approx(mm1_response_quantile(rho, 1.0, 0.9), rel=0.05)


@pytest.mark.parametrize(("servers", "rho", "seed"), [(2, 0.7, 4), (4, 0.8, 5)])
def test_mmc_simulation_matches_erlang_c(servers, rho, seed):
    lam = rho * servers
    sim = simulate_queue(lam, 1.0, servers=servers, num_customers=200_000,
                         warmup=2_000, rng=seed)
    mean, se = sim.batch_means(40)
    assert abs(mean - mmc_response_time(servers, lam, 1.0)) < 4 * se
    waited = float(np.mean(sim.wait_times > 0))
    assert waited == pytest.approx(erlang_c(servers, lam, 1.0), abs=0.02)


def test_md1_simulation_matches_pollaczek_khinchine():
    sim = simulate_queue(0.7, 1.0, service="deterministic", num_customers=200_000,
                         warmup=2_000, rng=6)
    mean, se = sim.batch_means(40)
    assert abs(mean - mg1_response_time(0.7, 1.0, 0.0)) < 4 * se
