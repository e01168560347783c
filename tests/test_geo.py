"""Geo-distribution: fibre floors, commit latency of a placement, flexible quorums
and commit wait, each checked against an independent definition or a run of the
quorum-commit protocol on the simulator."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.geo import (
    CITIES,
    FIBRE_KM_PER_MS,
    best_leader,
    client_latency_ms,
    commit_latency_ms,
    commit_wait_ms,
    election_latency_ms,
    flexible_quorums,
    great_circle_km,
    majority,
    rtt_floor_ms,
    rtt_matrix_ms,
    simulate_raft,
    simulate_replication,
    spanner_commit_latency_ms,
    truetime_epsilon_ms,
)
from dsscale.geo.replication import GeoLeader

NAMES = sorted(CITIES)
PLACEMENTS = [
    ("New York", "London", "Tokyo"),
    ("Washington", "Chicago", "San Francisco"),
    ("New York", "London", "Frankfurt", "Tokyo", "Sao Paulo"),
    ("Singapore", "Sydney", "Mumbai", "Tokyo", "Seoul", "Johannesburg", "Dublin"),
]


def _brute_force_commit(rtt, leader, quorum):
    """Best quorum containing the leader: min over subsets of the slowest member."""
    others = [j for j in range(len(rtt)) if j != leader]
    return min(max([0.0] + [rtt[leader][j] for j in subset])
               for subset in itertools.combinations(others, quorum - 1))


# ---- distances and the fibre floor ----------------------------------------------


def test_fibre_speed_is_two_thirds_of_light():
    assert FIBRE_KM_PER_MS == pytest.approx(204.22, abs=0.01)
    assert 0.6 < FIBRE_KM_PER_MS / 299.792458 < 0.7


def test_known_distances():
    # published great-circle distances (spherical Earth, 6371 km), within 0.5 %
    assert great_circle_km("London", "New York") == pytest.approx(5570, rel=5e-3)
    assert great_circle_km("London", "Paris") == pytest.approx(344, rel=5e-3)
    assert great_circle_km("Tokyo", "Sydney") == pytest.approx(7820, rel=5e-3)
    assert great_circle_km("Paris", "Paris") == 0.0


@given(st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(NAMES))
def test_distance_is_a_metric(a, b, c):
    assert great_circle_km(a, b) == pytest.approx(great_circle_km(b, a))
    assert great_circle_km(a, c) <= great_circle_km(a, b) + great_circle_km(b, c) + 1e-9
    assert great_circle_km(a, b) <= math.pi * 6371.0 + 1e-9
    assert (great_circle_km(a, b) == 0.0) == (a == b)


def test_rtt_floor_is_twice_distance_over_speed():
    d = great_circle_km("Singapore", "Sao Paulo")
    floor = rtt_floor_ms("Singapore", "Sao Paulo")
    assert floor == pytest.approx(2 * d / FIBRE_KM_PER_MS)
    assert rtt_floor_ms("Singapore", "Sao Paulo", km_per_ms=299.792458) < floor


def test_rtt_matrix_is_symmetric_with_zero_diagonal():
    rtt = rtt_matrix_ms(PLACEMENTS[2])
    assert np.array_equal(rtt, rtt.T)
    assert np.all(np.diag(rtt) == 0.0)
    for (i, a), (j, b) in itertools.combinations(enumerate(PLACEMENTS[2]), 2):
        assert rtt[i, j] == pytest.approx(rtt_floor_ms(a, b))


def test_bad_cities_are_named():
    with pytest.raises(ValueError, match="city must be one of"):
        great_circle_km("Atlantis", "London")
    with pytest.raises(TypeError, match="city"):
        great_circle_km(1, "London")
    with pytest.raises(ValueError, match="repeat"):
        rtt_matrix_ms(["London", "London"])
    with pytest.raises(TypeError, match="sequence"):
        rtt_matrix_ms("London")
    with pytest.raises(ValueError, match="km_per_ms"):
        rtt_floor_ms("London", "Paris", km_per_ms=0.0)


# ---- commit latency, leaders, flexible quorums ----------------------------------


def test_majority_is_ceil_half_for_odd_and_more_for_even():
    for n in range(1, 12):
        assert majority(n) > n / 2 >= majority(n) - 1
        if n % 2:
            assert majority(n) == math.ceil(n / 2)


@st.composite
def rtt_matrices(draw):
    n = draw(st.integers(1, 6))
    upper = draw(st.lists(st.floats(0.0, 300.0), min_size=n * n, max_size=n * n))
    rtt = np.triu(np.array(upper).reshape(n, n), 1)
    return rtt + rtt.T


@given(rtt_matrices(), st.data())
def test_commit_latency_is_the_best_quorum_with_the_leader(rtt, data):
    n = len(rtt)
    leader = data.draw(st.integers(0, n - 1))
    for quorum in range(1, n + 1):
        assert commit_latency_ms(rtt, leader, quorum) == \
            _brute_force_commit(rtt, leader, quorum)
    assert commit_latency_ms(rtt, leader) == commit_latency_ms(rtt, leader, majority(n))


def test_three_regions_commit_on_the_nearer_follower():
    cities = ["New York", "London", "Tokyo"]
    rtt = rtt_matrix_ms(cities)
    assert commit_latency_ms(rtt, 0) == rtt_floor_ms("New York", "London")
    assert commit_latency_ms(rtt, 2) == min(rtt_floor_ms("Tokyo", "New York"),
                                            rtt_floor_ms("Tokyo", "London"))


@given(rtt_matrices(), st.data())
def test_best_leader_minimises_client_latency(rtt, data):
    n = len(rtt)
    weights = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    if sum(weights) == 0:
        weights[0] = 1.0
    best = best_leader(rtt, weights)
    costs = [client_latency_ms(rtt, ell, weights) for ell in range(n)]
    assert costs[best] == min(costs)
    assert best == costs.index(min(costs))      # ties: the lowest index
    # clients at one site: its own round trip plus the commit there
    site = data.draw(st.integers(0, n - 1))
    one_site = np.eye(n)[site]
    for ell in range(n):
        assert client_latency_ms(rtt, ell, one_site) == pytest.approx(
            rtt[site][ell] + commit_latency_ms(rtt, ell))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_flexible_quorums_intersect_and_are_smallest(n):
    sites = range(n)
    for q1, q2 in flexible_quorums(n):
        assert q1 + q2 == n + 1
        for a in itertools.combinations(sites, q1):
            for b in itertools.combinations(sites, q2):
                assert set(a) & set(b)
        # one fewer in the election quorum and some pair misses
        if q1 > 1:
            a, b = set(range(q1 - 1)), set(range(n - q2, n))
            assert not a & b


def test_flexible_quorums_trade_commit_for_election_latency():
    rtt = rtt_matrix_ms(PLACEMENTS[2])
    commits = [commit_latency_ms(rtt, 0, q2) for _, q2 in flexible_quorums(5)]
    elections = [election_latency_ms(rtt, 0, q1) for q1, _ in flexible_quorums(5)]
    assert commits == sorted(commits) and commits[0] == 0.0
    assert elections == sorted(elections, reverse=True)
    assert commits[1] < commits[2]              # q2 = 2 beats a majority here


def test_commit_wait_overlaps_replication():
    assert commit_wait_ms(3.5) == 7.0
    assert spanner_commit_latency_ms(60.0, 3.5) == 60.0
    assert spanner_commit_latency_ms(5.0, 3.5) == 7.0


def test_latency_arguments_are_checked():
    rtt = rtt_matrix_ms(PLACEMENTS[0])
    with pytest.raises(ValueError, match="leader"):
        commit_latency_ms(rtt, 3)
    with pytest.raises(ValueError, match="write_quorum"):
        commit_latency_ms(rtt, 0, 4)
    with pytest.raises(ValueError, match="square"):
        commit_latency_ms(rtt[:2], 0)
    with pytest.raises(ValueError, match="diagonal"):
        commit_latency_ms(rtt + 1.0, 0)
    with pytest.raises(ValueError, match="client_weights"):
        client_latency_ms(rtt, 0, [1.0, 0.0])
    with pytest.raises(ValueError, match="client_weights"):
        client_latency_ms(rtt, 0, [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="clock_uncertainty_ms"):
        commit_wait_ms(-1.0)
    with pytest.raises(ValueError, match="election_quorum"):
        election_latency_ms(rtt, 0, 0)


# ---- the protocol on the simulator -----------------------------------------------


@pytest.mark.parametrize("cities", PLACEMENTS, ids=lambda c: f"{len(c)}-sites")
def test_simulated_commit_latency_equals_the_formula(cities):
    rtt = rtt_matrix_ms(cities)
    n = len(cities)
    for leader in range(n):
        for quorum in range(1, n + 1):
            run = simulate_replication(rtt, leader, quorum, num_entries=12,
                                       interval_ms=7.3)
            expected = commit_latency_ms(rtt, leader, quorum)
            # fixed delays: exact up to rounding (t + d/2 + d/2 against t + d)
            assert np.max(np.abs(run.commit_latency_ms - expected)) <= 1e-9
            assert np.all(np.diff(run.committed_at_ms) >= 0)   # log order


def test_a_leader_that_forgets_its_own_copy_is_caught(monkeypatch):
    class SelfForgetting(GeoLeader):
        def propose(self) -> int:
            index = super().propose()
            self.holders[index].pop(self.node_id)
            return index

    rtt = rtt_matrix_ms(PLACEMENTS[2])
    monkeypatch.setattr("dsscale.geo.replication.GeoLeader", SelfForgetting)
    run = simulate_replication(rtt, 0, num_entries=3)
    # it waits for one more follower: the 4th smallest round trip, not the 3rd
    assert run.commit_latency_ms[0] == pytest.approx(np.sort(rtt[0])[3])
    assert abs(run.commit_latency_ms[0] - commit_latency_ms(rtt, 0)) > 1.0


@pytest.mark.parametrize("epsilon", [1.0, 7.0, 30.0, 45.0])
def test_commit_wait_in_the_simulator(epsilon):
    rtt = rtt_matrix_ms(PLACEMENTS[0])
    for seed in range(5):
        run = simulate_replication(rtt, 0, num_entries=6, interval_ms=2.5,
                                   clock_uncertainty_ms=epsilon, rng=seed)
        expected = spanner_commit_latency_ms(commit_latency_ms(rtt, 0), epsilon)
        assert np.max(np.abs(run.commit_latency_ms - expected)) <= 1e-9
        assert abs(run.clock_offset_ms) <= epsilon
        # external consistency: a timestamp is in the past when it is released
        assert np.all(run.timestamps_ms <= run.committed_at_ms + 1e-9)


def test_without_commit_wait_timestamps_can_lie_in_the_future():
    # a leader whose clock runs ahead stamps s = t + delta + eps; released after
    # the replication latency alone, s is still ahead of true time when
    # replication is faster than delta + eps
    rtt = rtt_matrix_ms(["Paris", "Frankfurt", "London"])
    latency = commit_latency_ms(rtt, 0)
    epsilon = 10.0
    ahead = [simulate_replication(rtt, 0, num_entries=2, clock_uncertainty_ms=epsilon,
                                  rng=seed) for seed in range(20)]
    offsets = np.array([run.clock_offset_ms for run in ahead])
    stamped_ahead = offsets + epsilon > latency
    assert stamped_ahead.any()
    for run in ahead:
        no_wait_release = run.proposed_at_ms + latency
        in_future = run.timestamps_ms > no_wait_release
        assert np.all(in_future == (run.clock_offset_ms + epsilon > latency))


def test_jitter_only_adds_latency():
    rtt = rtt_matrix_ms(PLACEMENTS[2])
    floor = commit_latency_ms(rtt, 1)
    run = simulate_replication(rtt, 1, num_entries=200, interval_ms=1.0,
                               jitter_ms=20.0, rng=7)
    assert np.all(run.commit_latency_ms >= floor)
    # each one-way delay gains U(0, 20) ms; the 3rd of 5 acknowledgements gains
    # well above zero on average but at most 40 ms
    assert 5.0 < float(np.mean(run.commit_latency_ms - floor)) < 40.0
    same = simulate_replication(rtt, 1, num_entries=200, interval_ms=1.0,
                                jitter_ms=20.0, rng=7)
    assert np.array_equal(run.commit_latency_ms, same.commit_latency_ms)


def test_simulation_arguments_are_checked():
    rtt = rtt_matrix_ms(PLACEMENTS[0])
    with pytest.raises(ValueError, match="num_entries"):
        simulate_replication(rtt, 0, num_entries=0)
    with pytest.raises(ValueError, match="jitter_ms"):
        simulate_replication(rtt, 0, jitter_ms=-1.0)
    with pytest.raises(ValueError, match="write_quorum"):
        simulate_replication(rtt, 0, 0)


@pytest.mark.parametrize("sites", [["Washington", "Chicago", "San Francisco"],
                                   ["Washington", "San Francisco", "Frankfurt",
                                    "Tokyo", "Sao Paulo"]])
def test_raft_commits_after_the_majority_round_trip_exactly(sites: list[str]) -> None:
    rtt = rtt_matrix_ms(sites)
    for leader in range(len(sites)):
        latency = simulate_raft(rtt, leader, num_entries=8)
        assert np.max(np.abs(latency - commit_latency_ms(rtt, leader))) < 1e-9
        # a mutant that waits for every follower (write_quorum = n) is off
        if len(sites) > 2:
            assert np.all(latency < commit_latency_ms(rtt, leader, len(sites)) - 1.0)


def test_raft_with_jitter_never_beats_the_floor() -> None:
    rtt = rtt_matrix_ms(["Paris", "Frankfurt", "London", "New York", "Tokyo"])
    latency = simulate_raft(rtt, 0, num_entries=200, jitter_ms=10.0, rng=5)
    floor = commit_latency_ms(rtt, 0)
    assert np.all(latency >= floor) and np.all(latency <= floor + 20.0)
    assert latency.mean() > floor + 2.0  # the 2nd of 4 noisy round trips gains
    with pytest.raises(ValueError, match="jitter_ms"):
        simulate_raft(rtt, 0, jitter_ms=-1.0)


def test_truetime_sawtooth_matches_spanner_description():
    # 1 ms after a poll, +200 us/s for 30 s: the published 1..7 ms sawtooth
    tau = np.linspace(0.0, 30.0, 3001)
    eps = truetime_epsilon_ms(tau)
    assert eps[0] == 1.0 and eps[-1] == pytest.approx(7.0)
    assert np.mean(eps) == pytest.approx(4.0)          # the published mean
    assert np.all(np.diff(eps) > 0)
    assert truetime_epsilon_ms(10.0, base_ms=0.5, drift_us_per_s=100.0) == 1.5
    with pytest.raises(ValueError, match="seconds_since_poll"):
        truetime_epsilon_ms(-1.0)
    with pytest.raises(ValueError, match="drift_us_per_s"):
        truetime_epsilon_ms(1.0, drift_us_per_s=-5.0)
