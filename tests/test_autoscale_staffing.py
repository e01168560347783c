"""Staffing: the Erlang C search, square-root staffing and the M/M/c latency tail."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.autoscale import (
    erlang_c_servers,
    halfin_whitt_beta,
    halfin_whitt_wait_probability,
    servers_for_latency,
    square_root_staffing,
)
from dsscale.queueing import (
    erlang_c,
    mm1_response_quantile,
    mmc_response_tail,
    simulate_queue,
)


def test_erlang_c_servers_by_hand():
    # C(25, 20) = 0.209 > 0.2 and C(26, 20) = 0.143 <= 0.2
    assert erlang_c(25, 20.0, 1.0) > 0.2 >= erlang_c(26, 20.0, 1.0)
    assert erlang_c_servers(20.0, 1.0, 0.2) == 26
    # one server: C = rho, so rho <= 0.5 needs a <= 0.5
    assert erlang_c_servers(0.5, 1.0, 0.5) == 1
    assert erlang_c_servers(0.51, 1.0, 0.5) == 2
    # only the ratio a = lambda / mu matters
    assert erlang_c_servers(200.0, 10.0, 0.05) == erlang_c_servers(20.0, 1.0, 0.05)


@given(st.floats(0.05, 400.0), st.sampled_from([0.5, 0.2, 0.05, 0.01, 0.001]))
def test_erlang_c_servers_is_the_smallest_that_meets_the_target(load, eps):
    c = erlang_c_servers(load, 1.0, eps)
    assert c > load
    assert erlang_c(c, load, 1.0) <= eps
    if c - 1 > load:
        assert erlang_c(c - 1, load, 1.0) > eps


def test_halfin_whitt_function_by_hand_and_its_inverse():
    phi1 = math.exp(-0.5) / math.sqrt(2 * math.pi)
    big_phi1 = 0.8413447460685429
    assert halfin_whitt_wait_probability(1.0) == pytest.approx(
        phi1 / (phi1 + big_phi1), rel=1e-12)
    for eps in (0.9, 0.5, 0.2, 0.01, 1e-6, 1e-100):
        beta = halfin_whitt_beta(eps)
        assert halfin_whitt_wait_probability(beta) == pytest.approx(eps, rel=1e-9)
    betas = [halfin_whitt_beta(e) for e in (0.5, 0.2, 0.05, 0.01)]
    assert betas == sorted(betas)


def test_erlang_c_converges_to_the_halfin_whitt_limit():
    # c = a + beta sqrt(a) exactly, for beta = 1 and growing a = m^2
    gaps = [abs(float(erlang_c(m * m + m, float(m * m), 1.0))
                - halfin_whitt_wait_probability(1.0)) for m in (5, 20, 80, 320)]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 0.003


@pytest.mark.parametrize("eps", [0.5, 0.2, 0.05, 0.01, 0.001])
def test_square_root_staffing_stays_within_two_servers(eps):
    loads = np.concatenate([np.arange(0.5, 50.0, 0.5), np.arange(50.0, 3000.0, 37.0)])
    gaps = np.array([erlang_c_servers(a, 1.0, eps) - square_root_staffing(a, 1.0, eps)
                     for a in loads])
    assert np.all(np.abs(gaps) <= 2)
    # relative error vanishes: at a = 2000 the rule is within 0.1 %
    exact = erlang_c_servers(2000.0, 1.0, eps)
    assert abs(square_root_staffing(2000.0, 1.0, eps) - exact) / exact < 1e-3


def test_response_tail_closed_forms():
    # c = 1: M/M/1 response is exponential with rate mu - lambda
    q = mm1_response_quantile(0.7, 1.0, 0.9)
    assert mmc_response_tail(1, 0.7, 1.0, q) == pytest.approx(0.1, rel=1e-12)
    assert mmc_response_tail(4, 3.0, 1.0, 0.0) == pytest.approx(1.0)
    # no load: the service alone
    assert mmc_response_tail(3, 0.0, 2.0, 1.5) == pytest.approx(math.exp(-3.0))
    # theta = c mu - lambda = mu is the double-root case; continuous across it
    at = mmc_response_tail(2, 1.0, 1.0, 2.0)
    near = mmc_response_tail(2, 1.0 + 1e-6, 1.0, 2.0)
    assert at == pytest.approx(near, rel=1e-5)
    wait = erlang_c(2, 1.0, 1.0)
    assert at == pytest.approx((1 - wait) * math.exp(-2.0) + wait * 3 * math.exp(-2.0))


@pytest.mark.parametrize(("servers", "load", "latency", "seed"),
                         [(3, 2.4, 3.0, 1), (10, 8.5, 2.5, 2)])
def test_response_tail_matches_simulation(servers, load, latency, seed):
    sim = simulate_queue(load, 1.0, servers=servers, num_customers=200_000,
                         warmup=2_000, rng=seed)
    late = (sim.response_times > latency).astype(float)
    # batch means: successive customers are correlated
    batches = late.reshape(40, -1).mean(axis=1)
    se = batches.std(ddof=1) / math.sqrt(40)
    assert abs(late.mean() - mmc_response_tail(servers, load, 1.0, latency)) < 4 * se


def test_servers_for_latency_is_minimal_and_refuses_the_impossible():
    c = servers_for_latency(20.0, 1.0, 5.0, 0.01)
    assert mmc_response_tail(c, 20.0, 1.0, 5.0) <= 0.01
    assert mmc_response_tail(c - 1, 20.0, 1.0, 5.0) > 0.01
    # exp(-1 * 4) = 0.018 > 0.01: no number of servers helps
    with pytest.raises(ValueError, match="max_violation"):
        servers_for_latency(20.0, 1.0, 4.0, 0.01)


@pytest.mark.parametrize(("fn", "args", "name"), [
    (erlang_c_servers, (0.0, 1.0, 0.1), "arrival_rate"),
    (erlang_c_servers, (1.0, 0.0, 0.1), "service_rate"),
    (erlang_c_servers, (1.0, 1.0, 1.0), "max_wait_probability"),
    (halfin_whitt_wait_probability, (0.0,), "beta"),
    (halfin_whitt_beta, (0.0,), "max_wait_probability"),
    (square_root_staffing, (5.0, 1.0, 0.0), "max_wait_probability"),
    (mmc_response_tail, (2, 2.0, 1.0, 1.0), "arrival_rate"),
    (mmc_response_tail, (0, 0.5, 1.0, 1.0), "servers"),
    (mmc_response_tail, (2, 0.5, 1.0, -1.0), "latency"),
    (servers_for_latency, (5.0, 1.0, 0.0, 0.1), "latency"),
])
def test_bad_input_names_the_parameter(fn, args, name):
    with pytest.raises((ValueError, TypeError), match=name):
        fn(*args)


@pytest.mark.parametrize("module", [
    "dsscale.autoscale.staffing",
    "dsscale.autoscale.stability",
    "dsscale.autoscale.traces",
    "dsscale.autoscale.policies",
    "dsscale.autoscale.replay",
    "dsscale.queueing",   # mmc_response_tail, added for this chapter
])
def test_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
