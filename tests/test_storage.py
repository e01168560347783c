"""Disaggregated storage: throughput bounds, mean value analysis against a seeded
simulation, and quorum availability over zones against enumeration and Monte Carlo."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.quorum import quorum_availability, zone_quorum_availability
from dsscale.storage import (
    AURORA_READ_QUORUM,
    AURORA_REPLICAS_PER_ZONE,
    AURORA_WRITE_QUORUM,
    mva_throughput,
    simulate_closed_network,
    simulate_zone_availability,
    throughput_bounds,
    worst_case_survives,
)

# ---- throughput bounds -------------------------------------------------------------


def test_bounds_by_hand():
    # 16 cores at 0.2 ms: 80,000/s; 10 Gb/s over 50 kB: 25,000/s; 40k IOPS / 1: 40,000/s
    b = throughput_bounds(0.0002, 16, 50_000, 1.25e9, 1, 40_000)
    assert (b.compute, b.network, b.storage) == pytest.approx((80_000, 25_000, 40_000))
    assert b.throughput == pytest.approx(25_000) and b.bottleneck == "network"
    # ship 10x fewer bytes: the bottleneck moves to storage
    b = throughput_bounds(0.0002, 16, 5_000, 1.25e9, 1, 40_000)
    assert b.bottleneck == "storage" and b.throughput == pytest.approx(40_000)
    assert b.service_demands == pytest.approx([1 / 80_000, 1 / 250_000, 1 / 40_000])


def test_zero_demand_is_unbounded():
    b = throughput_bounds(0.001, 4, 0.0, 1e9, 0.0, 1e3)
    assert b.network == math.inf and b.storage == math.inf
    assert b.bottleneck == "compute" and b.throughput == pytest.approx(4000)
    with pytest.raises(ValueError, match="at least one"):
        throughput_bounds(0.0, 4, 0.0, 1e9, 0.0, 1e3)
    with pytest.raises(ValueError, match="num_cores"):
        throughput_bounds(0.001, 0, 1.0, 1e9, 1.0, 1e3)
    with pytest.raises(ValueError, match="network_bytes_per_second"):
        throughput_bounds(0.001, 1, 1.0, 0.0, 1.0, 1e3)


# ---- mean value analysis ---------------------------------------------------------


@pytest.mark.parametrize("stations", [1, 2, 3, 5])
def test_mva_balanced_network_closed_form(stations):
    # K equal demands D: X(N) = N / ((N + K - 1) D)  (Lazowska et al. 1984, ch. 5)
    demand = 0.25
    x = mva_throughput([demand] * stations, 12)
    n = np.arange(1, 13)
    assert x == pytest.approx(n / ((n + stations - 1) * demand))


@given(st.lists(st.floats(0.01, 5.0), min_size=1, max_size=5), st.integers(1, 30))
def test_mva_lies_between_the_bounds_and_grows(demands, population):
    x = mva_throughput(demands, population)
    n = np.arange(1, population + 1)
    assert x[0] == pytest.approx(1 / sum(demands))
    bound = np.minimum(n / sum(demands), 1 / max(demands))
    assert np.all(x <= bound * (1 + 1e-12))
    assert np.all(np.diff(x) >= -1e-12)


def test_mva_approaches_the_bottleneck():
    x = mva_throughput([0.5, 0.3, 0.2], 400)
    assert x[-1] == pytest.approx(2.0, rel=1e-9)      # 1 / max D
    assert x[9] < 2.0 * (1 - 1e-3)                    # not yet at N = 10


DEMANDS = [(0.5, 0.3, 0.2), (1.0, 1.0, 1.0), (0.2, 1.0)]


@pytest.mark.parametrize("demands", DEMANDS)
@pytest.mark.parametrize("population", [1, 3, 10])
def test_simulation_matches_mva(demands, population):
    run = simulate_closed_network(demands, population, 20_000, rng=population)
    exact = mva_throughput(demands, population)[-1]
    # batch means of 20 batches: |t| > 4 has probability below 1e-3
    assert abs(run.throughput - exact) <= 4 * run.stderr
    assert run.stderr < 0.02 * exact


def test_simulation_rejects_the_naive_bound_near_the_knee():
    # the asymptotic bound min(N / sum D, 1 / max D) is a plausible wrong answer
    # for the throughput itself; at N = 3 it is off by far more than the noise
    demands = (0.5, 0.3, 0.2)
    run = simulate_closed_network(demands, 3, 20_000, rng=11)
    naive = min(3 / sum(demands), 1 / max(demands))
    assert abs(run.throughput - naive) > 10 * run.stderr


def test_simulation_is_reproducible_and_checked():
    a = simulate_closed_network((0.5, 0.3), 4, 2_000, rng=5)
    b = simulate_closed_network((0.5, 0.3), 4, 2_000, rng=5)
    assert a == b
    with pytest.raises(ValueError, match="service_demands"):
        simulate_closed_network([0.0, 0.0], 4, 2_000, rng=5)
    with pytest.raises(ValueError, match="num_completions"):
        simulate_closed_network([1.0], 4, 100, rng=5)
    with pytest.raises(ValueError, match="population"):
        mva_throughput([1.0], 0)


# ---- quorums over zones ------------------------------------------------------------


def _enumerated(sizes, quorum, p, q):
    """Sum over every up/down state of every zone and every replica."""
    total = 0.0
    n = sum(sizes)
    for zones in itertools.product([True, False], repeat=len(sizes)):
        zone_prob = math.prod(1 - q if up else q for up in zones)
        for nodes in itertools.product([True, False], repeat=n):
            prob = zone_prob * math.prod(1 - p if up else p for up in nodes)
            live, start = 0, 0
            for size, zone_up in zip(sizes, zones, strict=True):
                live += zone_up * sum(nodes[start:start + size])
                start += size
            total += prob * (live >= quorum)
    return total


@pytest.mark.parametrize("sizes", [(2, 2, 2), (1, 1, 1), (3, 1), (1, 2, 2)])
def test_zone_availability_matches_enumeration(sizes):
    for quorum in range(1, sum(sizes) + 1):
        for p, q in [(0.1, 0.0), (0.1, 0.05), (0.3, 0.2), (0.0, 0.5)]:
            assert zone_quorum_availability(sizes, quorum, p, q) == pytest.approx(
                _enumerated(sizes, quorum, p, q), abs=1e-12)


def test_zone_availability_closed_form_for_equal_zones():
    zones, per_zone, quorum = 3, 2, 4
    p, q = 0.02, 0.01
    closed = sum(math.comb(zones, j) * (1 - q) ** j * q ** (zones - j)
                 * quorum_availability(j * per_zone, quorum, p)
                 for j in range(zones + 1) if j * per_zone >= quorum)
    assert zone_quorum_availability((2, 2, 2), quorum, p, q) == pytest.approx(closed)


@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.data())
def test_no_zone_failures_is_the_independent_case(sizes, data):
    quorum = data.draw(st.integers(1, sum(sizes)))
    p = np.array([0.0, 0.01, 0.2, 0.5, 1.0])
    assert zone_quorum_availability(sizes, quorum, p) == pytest.approx(
        quorum_availability(sum(sizes), quorum, p), abs=1e-12)


def test_zone_availability_broadcasts():
    p = np.array([[0.01], [0.1]])
    q = np.array([0.0, 0.001, 0.01])
    got = zone_quorum_availability((2, 2, 2), 4, p, q)
    assert got.shape == (2, 3)
    assert got[1, 2] == pytest.approx(zone_quorum_availability((2, 2, 2), 4, 0.1, 0.01))
    assert isinstance(zone_quorum_availability((2, 2, 2), 4, 0.1, 0.01), float)


def test_zone_availability_arguments_are_checked():
    with pytest.raises(ValueError, match="quorum_size"):
        zone_quorum_availability((2, 2, 2), 7, 0.1)
    with pytest.raises(ValueError, match="replicas_per_zone"):
        zone_quorum_availability((2, 0, 2), 3, 0.1)
    with pytest.raises(TypeError, match="replicas_per_zone"):
        zone_quorum_availability(6, 3, 0.1)
    with pytest.raises(ValueError, match="zone_failure_probability"):
        zone_quorum_availability((2, 2, 2), 3, 0.1, 1.5)


@pytest.mark.parametrize("quorum", [AURORA_READ_QUORUM, AURORA_WRITE_QUORUM])
@pytest.mark.parametrize("p, q", [(0.05, 0.0), (0.05, 0.02), (0.2, 0.1)])
def test_monte_carlo_matches_zone_availability(quorum, p, q):
    trials = 200_000
    exact = zone_quorum_availability(AURORA_REPLICAS_PER_ZONE, quorum, p, q)
    sim = simulate_zone_availability(AURORA_REPLICAS_PER_ZONE, quorum, p, q, trials,
                                     rng=quorum)
    assert abs(sim - exact) <= 4 * math.sqrt(exact * (1 - exact) / trials)


def test_monte_carlo_sees_the_zones():
    # the independent formula is a plausible wrong answer: with q = 0.1 the
    # simulation tells them apart by many standard errors
    trials = 200_000
    sim = simulate_zone_availability((2, 2, 2), 4, 0.05, 0.1, trials, rng=3)
    independent = quorum_availability(6, 4, 0.05)
    assert abs(sim - independent) > 10 * math.sqrt(sim * (1 - sim) / trials)


def test_aurora_design_point():
    six = AURORA_REPLICAS_PER_ZONE
    # a zone down: writes continue; a zone plus a node: reads (and repair) continue
    assert worst_case_survives(six, AURORA_WRITE_QUORUM, 1, 0)
    assert not worst_case_survives(six, AURORA_WRITE_QUORUM, 1, 1)
    assert worst_case_survives(six, AURORA_READ_QUORUM, 1, 1)
    assert not worst_case_survives(six, AURORA_READ_QUORUM, 1, 2)
    # three copies in three zones: a zone plus a node loses the majority
    assert worst_case_survives((1, 1, 1), 2, 1, 0)
    assert not worst_case_survives((1, 1, 1), 2, 1, 1)
    # quorums intersect: reads see writes, writes see writes
    assert AURORA_READ_QUORUM + AURORA_WRITE_QUORUM > sum(six)
    assert 2 * AURORA_WRITE_QUORUM > sum(six)


@pytest.mark.parametrize("sizes", [(2, 2, 2), (3, 2, 1), (1, 1, 1)])
def test_worst_case_matches_every_failure_set(sizes):
    zone_of = [z for z, size in enumerate(sizes) for _ in range(size)]
    n = len(zone_of)
    for quorum in range(1, n + 1):
        for zones_down in range(len(sizes) + 1):
            for nodes_down in range(n + 1):
                survives_all = all(
                    n - len(set(down) | {i for i in range(n) if zone_of[i] in zs})
                    >= quorum
                    for zs in itertools.combinations(range(len(sizes)), zones_down)
                    for down in itertools.combinations(range(n), nodes_down))
                assert worst_case_survives(sizes, quorum, zones_down,
                                           nodes_down) == survives_all
