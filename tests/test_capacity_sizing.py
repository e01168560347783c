"""dsscale.capacity sizing answers: servers, shards, quorums, vnodes, economics —
closed forms checked exactly, simulations against the formulas with tolerances
derived in the tests."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from dsscale.capacity import (
    choose_quorum,
    cost_per_throughput,
    economic_cluster_size,
    evaluate_servers,
    marginal_throughput,
    max_share_probability,
    measure_peak_to_mean,
    measure_resize,
    moved_fraction_on_resize,
    nodes_for_throughput,
    plan_servers,
    plan_shards,
    quorum_latency,
    quorum_options,
    servers_for_mean,
    servers_for_utilisation,
    simulate_quorum_availability,
    simulate_quorum_latency,
    spread_over_zones,
    stepwise_moved_fraction,
    vnodes_for_imbalance,
    vnodes_rule_of_thumb,
)
from dsscale.laws import usl_peak, usl_throughput
from dsscale.queueing import (
    erlang_c,
    mmc_response_quantile,
    mmc_response_tail,
    mmc_wait_tail,
    simulate_queue,
)
from dsscale.quorum import quorum_availability

# ---- queueing additions ---------------------------------------------------------


def test_wait_tail_is_erlang_c_times_an_exponential():
    # M/M/1: P(Wq > t) = rho e^{-(mu - lam) t}
    assert mmc_wait_tail(1, 0.5, 1.0, 2.0) == pytest.approx(0.5 * math.exp(-1.0))
    assert mmc_wait_tail(4, 3.0, 1.0, 0.0) == pytest.approx(float(erlang_c(4, 3.0,
                                                                          1.0)))
    sim = simulate_queue(3.0, 1.0, servers=4, num_customers=200_000, rng=1)
    for t in (0.0, 0.5, 1.5):
        got = float(np.mean(sim.wait_times > t))
        # batch means over 25 batches for the correlated indicator
        b = (sim.wait_times > t).reshape(25, -1).mean(axis=1)
        assert abs(got - mmc_wait_tail(4, 3.0, 1.0, t)) < 4 * b.std(ddof=1) / 5


@pytest.mark.parametrize(("c", "lam"), [(1, 0.5), (4, 3.0), (40, 36.0)])
def test_response_quantile_inverts_the_tail(c, lam):
    for q in (0.5, 0.9, 0.99, 0.999):
        t = mmc_response_quantile(c, lam, 1.0, q)
        assert mmc_response_tail(c, lam, 1.0, t) == pytest.approx(1 - q, rel=1e-9)
    assert mmc_response_quantile(1, 0.5, 1.0, 0.99) == pytest.approx(
        math.log(100) / 0.5)


# ---- servers --------------------------------------------------------------------


def test_plan_servers_is_the_fewest_that_meet_the_percentile():
    plan = plan_servers(5000.0, 0.008, 0.050)
    assert plan.servers == 42
    assert plan.percentile_response_time <= 0.050
    worse = evaluate_servers(41, 5000.0, 0.008)
    assert worse.percentile_response_time > 0.050
    assert plan.utilisation == pytest.approx(40 / 42)


def test_sizing_for_the_mean_misses_the_percentile():
    # the mean-based answer meets the mean but not the p99
    c = servers_for_mean(5000.0, 0.008, 0.050)
    assert c == 41 and evaluate_servers(c, 5000.0, 0.008).mean_response_time <= 0.05
    assert evaluate_servers(c, 5000.0, 0.008).percentile_response_time > 0.05
    # a target between the service p99 and the mean: the mean says 41 servers,
    # no number of servers meets the p99 (exp service: p99 = 4.6 service times)
    assert servers_for_mean(5000.0, 0.008, 0.030) == 41
    with pytest.raises(ValueError, match="latency_target"):
        plan_servers(5000.0, 0.008, 0.030)
    assert servers_for_utilisation(5000.0, 0.008, 0.7) == 58


def test_planned_servers_meet_the_target_in_simulation():
    plan = plan_servers(200.0, 0.02, 0.15)     # a = 4 busy servers
    sim = simulate_queue(200.0, 50.0, servers=plan.servers, num_customers=300_000,
                         warmup=5_000, rng=3)
    late = (sim.response_times > 0.15).reshape(30, -1).mean(axis=1)
    want = mmc_response_tail(plan.servers, 200.0, 50.0, 0.15)
    assert want <= 0.01
    assert abs(late.mean() - want) < 4 * late.std(ddof=1) / math.sqrt(30)


def test_server_inputs_are_checked():
    with pytest.raises(ValueError, match="arrival_rate"):
        plan_servers(0.0, 0.01, 0.1)
    with pytest.raises(ValueError, match="percentile"):
        plan_servers(10.0, 0.01, 0.1, percentile=1.0)
    with pytest.raises(ValueError, match="servers"):
        evaluate_servers(4, 1000.0, 0.01)


# ---- shards ---------------------------------------------------------------------


def _modulo_moved_by_counting(n: int, m: int) -> float:
    span = math.lcm(n, m)
    return sum(h % n != h % m for h in range(span)) / span


@given(st.integers(1, 40), st.integers(1, 40))
def test_modulo_movement_formula_counts_exactly(n, m):
    assert moved_fraction_on_resize(n, m, "modulo") == pytest.approx(
        _modulo_moved_by_counting(n, m))


@pytest.mark.parametrize("scheme", ["modulo", "ring", "jump", "rendezvous"])
def test_measured_movement_matches_the_formula(scheme):
    keys = 100_000
    for new in (11, 15, 20):
        want = moved_fraction_on_resize(10, new,
                                        "modulo" if scheme == "modulo" else
                                        "consistent")
        got = measure_resize(scheme, 10, new, keys, rng=new)
        se = math.sqrt(want * (1 - want) / keys)
        # the ring's arcs add the spread of the new nodes' shares: one share
        # has CV ~ 1/sqrt(160) around its mean (Chapter 3)
        spread = want / math.sqrt(160 * (new - 10)) if scheme == "ring" else 0.0
        assert abs(got - want) < 4 * (se + spread)


def test_plan_shards_takes_the_binding_constraint():
    plan = plan_shards(2000.0, 60_000.0, 100.0, 5000.0, growth=3.0)
    assert (plan.shards_for_data, plan.shards_for_throughput) == (20, 18)
    assert plan.shards == 20 and plan.bound_by == "data"
    assert plan.shards_after_growth == 60
    hot = plan_shards(2000.0, 60_000.0, 100.0, 5000.0, peak_to_mean=1.5)
    assert hot.shards == 26 and hot.bound_by == "throughput"   # 90,000 / 3,500
    assert plan.modulo_moved == pytest.approx(2 / 3)      # 20 -> 60 keeps 1/3


def test_stepwise_growth_moves_more_than_at_once():
    assert stepwise_moved_fraction(10, 20) == pytest.approx(
        sum(1 / k for k in range(11, 21)))
    assert stepwise_moved_fraction(10, 20) > moved_fraction_on_resize(10, 20)
    assert stepwise_moved_fraction(10, 10) == 0.0


# ---- quorums --------------------------------------------------------------------


def test_quorum_latency_is_the_mean_order_statistic():
    for n, k in itertools.product((3, 5), (1, 2, 3)):
        draws = simulate_quorum_latency(n, k, 2.0, 100_000, rng=n * 10 + k)
        se = draws.std(ddof=1) / math.sqrt(draws.size)
        assert abs(draws.mean() - quorum_latency(n, k, 2.0)) < 4 * se


def test_quorum_availability_matches_simulation_with_and_without_zones():
    for zones, za in (((1, 1, 1, 1, 1), 1.0), ((2, 2, 1), 0.99), ((2, 2, 2), 0.95)):
        options = {(o.read_quorum, o.write_quorum): o for o in quorum_options(
            sum(zones), 0.9, num_zones=len(zones), zone_availability=za)}
        for k in range(1, sum(zones) + 1):
            want = options[k, k].read_availability
            got = simulate_quorum_availability(zones, k, 0.9, za, 100_000, rng=k)
            assert abs(got - want) < 4 * math.sqrt(want * (1 - want) / 100_000) + 1e-12
    # independent failures reduce to the binomial of Chapter 3
    o = quorum_options(5, 0.99)
    assert o[2].read_availability == pytest.approx(quorum_availability(5, 1, 0.01))
    assert spread_over_zones(5, 3) == (2, 2, 1)


def test_choose_quorum_prefers_strict_then_available_then_fast():
    best = choose_quorum(5, 0.99)
    assert (best.read_quorum, best.write_quorum) == (3, 3)
    assert best.stale_probability == 0.0
    # brute force over the same table
    for eps in (0.0, 0.1, 0.3):
        table = [o for o in quorum_options(5, 0.95) if o.stale_probability <= eps]
        chosen = choose_quorum(5, 0.95, eps)
        assert chosen.availability == pytest.approx(max(o.availability
                                                        for o in table))
    reads = choose_quorum(5, 0.99, 0.1, read_fraction=0.9)
    assert (reads.read_quorum, reads.write_quorum) == (2, 3)
    with pytest.raises(ValueError, match="max_stale"):
        choose_quorum(5, 0.99, -0.1)
    with pytest.raises(ValueError, match="num_zones"):
        choose_quorum(3, 0.99, num_zones=4)


# ---- vnodes ---------------------------------------------------------------------


def _union_bound(n: int, v: int, eps: float) -> float:
    """1 - n P(Beta(v, (n-1)v) > (1 + eps)/n), computed here with scipy."""
    return 1 - n * float(stats.beta.sf((1 + eps) / n, v, (n - 1) * v))


def test_vnodes_answer_is_the_smallest_meeting_the_union_bound():
    for n, eps, c in ((40, 0.1, 0.99), (20, 0.2, 0.9), (5, 0.5, 0.95)):
        v = vnodes_for_imbalance(n, eps, c)
        assert _union_bound(n, v, eps) >= c > _union_bound(n, v - 1, eps)
        assert max_share_probability(n, v, eps) >= _union_bound(n, v, eps)
    assert vnodes_for_imbalance(40, 0.1) == 1251
    assert vnodes_rule_of_thumb(40, 0.1) == 1181


def test_measured_rings_meet_the_planned_confidence():
    n, eps, c = 20, 0.2, 0.9
    v = vnodes_for_imbalance(n, eps, c)
    rings = 300
    peaks = measure_peak_to_mean(n, v, rings, rng=5)
    ok = float(np.mean(peaks <= 1 + eps))
    want = max_share_probability(n, v, eps)
    # the product over-states P(no node over) by at most C(n, 2) q^2 (the
    # shares are negatively associated); plus four binomial standard errors
    q = 1 - want ** (1 / n)
    assert abs(ok - want) < 4 * math.sqrt(want * (1 - want) / rings) + math.comb(
        n, 2) * q * q


# ---- economics ------------------------------------------------------------------


@given(st.floats(0.0, 0.3), st.floats(1e-5, 0.01), st.floats(1e-4, 0.2))
def test_economic_size_maximises_profit_and_stops_before_the_peak(sigma, kappa,
                                                                  value):
    lam, cost = 100.0, 1.0
    n = economic_cluster_size(lam, sigma, kappa, cost, value)
    sizes = np.arange(1, math.ceil(usl_peak(sigma, kappa)) + 3)
    profit = value * np.asarray(usl_throughput(sizes, lam, sigma, kappa)) - cost * sizes
    assert profit[n - 1] == pytest.approx(profit.max(), rel=1e-9, abs=1e-9)
    assert n <= usl_peak(sigma, kappa) + 1


def test_marginal_throughput_falls_and_cost_per_throughput_rises():
    sizes = np.arange(1, 60)
    marginal = marginal_throughput(sizes, 1000.0, 0.05, 0.001)
    assert np.all(np.diff(marginal) < 0)
    assert marginal[0] == pytest.approx(1000.0)
    cost = cost_per_throughput(sizes, 1000.0, 0.05, 0.001)
    assert np.all(np.diff(cost) > 0)
    assert economic_cluster_size(1000.0, 0.05, 0.001, 1.0, 0.01) == 20
    assert usl_peak(0.05, 0.001) > 30


def test_nodes_for_throughput_and_its_limits():
    assert nodes_for_throughput(8000.0, 1000.0, 0.05, 0.001) == 16
    assert nodes_for_throughput(10_000.0, 1000.0, 0.05, 0.0) == 19
    assert nodes_for_throughput(500.0, 1000.0, 0.05, 0.001) == 1
    with pytest.raises(ValueError, match="target"):
        nodes_for_throughput(10_000.0, 1000.0, 0.05, 0.001)   # peak is 9038
    with pytest.raises(ValueError, match="target"):
        nodes_for_throughput(20_000.0, 1000.0, 0.05, 0.0)     # ceiling 20,000
    with pytest.raises(ValueError, match="node_cost"):
        economic_cluster_size(1000.0, 0.05, 0.001, 0.0, 1.0)
