"""Raft's commit latency and throughput: formulas against the simulated servers.

Commit latency is an order statistic of follower round trips: exact with
fixed delays, checked within a few standard errors with exponential ones
(and a plausible wrong formula -- waiting for a majority of *followers*, one
too many -- is rejected by the same data). Throughput is the tightest of
three bounds, met exactly with fixed delays in every regime.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsscale.geo import commit_latency_ms
from dsscale.replication.raft import (
    commit_latency_cdf,
    expected_commit_latency,
    measure_commit_latency,
    measure_throughput,
    raft_throughput,
)
from dsscale.sim import ExponentialDelay, FixedDelay


# -- commit latency ----------------------------------------------------------------
def test_three_servers_have_the_closed_form() -> None:
    # faster of two round trips 2m + mu G: E[min] = 2m + mu * 5/4
    assert expected_commit_latency(3, 0.5, 1.5) == pytest.approx(1.0 + 1.875,
                                                                 abs=1e-9)
    # two servers wait for the one follower: E[2m + mu G] = 2m + 2 mu
    assert expected_commit_latency(2, 0.5, 1.0) == pytest.approx(3.0, abs=1e-9)


@pytest.mark.parametrize("num_servers", [3, 4, 5, 7])
def test_order_statistic_against_monte_carlo(num_servers: int) -> None:
    rng = np.random.default_rng(num_servers)
    trials, m, mu = 200_000, 0.5, 1.5
    rtt = 2 * m + mu * rng.gamma(2.0, size=(trials, num_servers - 1))
    k = num_servers // 2  # follower acknowledgements a majority needs
    latency = np.sort(rtt, axis=1)[:, k - 1]
    se = latency.std() / math.sqrt(trials)
    assert abs(latency.mean() - expected_commit_latency(num_servers, m, mu)) < 4 * se
    grid = np.linspace(1.0, 8.0, 15)
    ecdf = (latency[:, None] <= grid).mean(axis=0)
    dkw = math.sqrt(math.log(2 / 1e-4) / (2 * trials))  # DKW, 1 - 1e-4
    assert np.max(np.abs(ecdf - commit_latency_cdf(grid, num_servers, m, mu))) < dkw


def test_fixed_delays_commit_after_the_quorum_round_trip_exactly() -> None:
    assert set(measure_commit_latency(5, FixedDelay(0.75), num_entries=20)) == {1.5}
    rtt = np.array([[0, 10, 70, 30, 90], [10, 0, 65, 12, 80], [70, 65, 0, 50, 40],
                    [30, 12, 50, 0, 60], [90, 80, 40, 60, 0]], dtype=float)
    for leader in range(5):
        measured = measure_commit_latency(
            5, lambda i, j: FixedDelay(rtt[i, j] / 2), leader=leader, num_entries=10)
        assert np.max(np.abs(measured - commit_latency_ms(rtt, leader))) < 1e-9


@pytest.mark.parametrize("num_servers", [3, 5])
def test_exponential_delays_match_the_order_statistic(num_servers: int) -> None:
    m, mu = 0.5, 1.5
    measured = measure_commit_latency(num_servers, ExponentialDelay(mu, m),
                                      num_entries=1500, gap=20.0, rng=num_servers)
    se = measured.std() / math.sqrt(measured.size)
    formula = expected_commit_latency(num_servers, m, mu)
    assert abs(measured.mean() - formula) < 4 * se
    # the mutant: wait for a majority of the *followers* (one ack too many)
    wrong = expected_commit_latency(num_servers + 2, m, mu) if num_servers == 3 else \
        float(np.mean(np.sort(2 * m + mu * np.random.default_rng(0).gamma(
            2.0, size=(100_000, num_servers - 1)), axis=1)[:, num_servers // 2]))
    assert abs(measured.mean() - wrong) > 8 * se


def test_back_to_back_writes_beat_the_formula() -> None:
    """A late acknowledgement of the previous entry triggers a resend that can
    overtake the new entry's first copy."""
    measured = measure_commit_latency(3, ExponentialDelay(1.5, 0.5),
                                      num_entries=3000, rng=1)
    se = measured.std() / math.sqrt(measured.size)
    assert measured.mean() < expected_commit_latency(3, 0.5, 1.5) - 3 * se


def test_latency_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="num_servers"):
        expected_commit_latency(1, 0.5, 1.0)
    with pytest.raises(ValueError, match="mean_delay"):
        commit_latency_cdf([1.0], 3, 0.5, 0.0)
    with pytest.raises(ValueError, match="gap"):
        measure_commit_latency(3, FixedDelay(1.0), gap=-1.0)


# -- throughput --------------------------------------------------------------------
@pytest.mark.parametrize("clients, batch, cost, binding", [
    (1, 8, 0.0, "clients"), (6, 8, 0.0, "clients"), (16, 8, 0.0, "batch"),
    (16, 2, 0.1, "batch"), (40, 64, 0.1, "cost"), (12, 64, 0.25, "cost"),
    (10, 64, 0.05, "clients")])
def test_throughput_is_the_tightest_bound(clients: int, batch: int, cost: float,
                                          binding: str) -> None:
    r = 2.0
    bounds = {"clients": clients / (r + cost),
              "cost": math.inf if cost == 0 else 1 / cost, "batch": batch / r}
    assert min(bounds, key=bounds.__getitem__) == binding
    formula = raft_throughput(clients, batch, r, cost)
    assert formula == bounds[binding]
    measured = measure_throughput(clients, batch, r, cost, ops_per_client=40)
    assert measured == pytest.approx(formula, rel=1e-6)


def test_a_formula_without_the_batch_bound_is_wrong() -> None:
    measured = measure_throughput(16, 4, 2.0, 0.0, ops_per_client=40)
    assert measured == pytest.approx(2.0, rel=1e-6)
    assert abs(measured - 16 / 2.0) > 1.0  # the mutant's min(K / r, 1 / c)


def test_five_servers_have_the_same_bounds() -> None:
    assert measure_throughput(16, 4, 2.0, 0.1, num_servers=5,
                              ops_per_client=30) == pytest.approx(2.0, rel=1e-6)


def test_throughput_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        raft_throughput(4, 0, 2.0, 0.1)
    with pytest.raises(ValueError, match="round_trip"):
        measure_throughput(4, 4, 0.0, 0.1)
