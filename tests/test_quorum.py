"""Quorum availability and PBS staleness against exact enumeration."""

import itertools
import math

import numpy as np
import pytest

from dsscale.quorum import (
    pbs_k_staleness_probability,
    pbs_stale_probability,
    quorum_availability,
    simulate_pbs,
    simulate_pbs_t_visibility,
)


def _enumerated_stale(n, r, w, k=1):
    """Fraction of (read quorum, k write quorums) where the read misses all."""
    replicas = range(n)
    reads = list(itertools.combinations(replicas, r))
    writes = list(itertools.combinations(replicas, w))
    missed = total = 0
    for read in reads:
        for chosen in itertools.product(writes, repeat=k):
            total += 1
            missed += all(not set(read) & set(write) for write in chosen)
    return missed / total


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_stale_probability_matches_enumeration(n):
    for r, w in itertools.product(range(1, n + 1), repeat=2):
        expected = _enumerated_stale(n, r, w)
        assert pbs_stale_probability(n, r, w) == pytest.approx(expected)
        if r + w > n:
            assert pbs_stale_probability(n, r, w) == 0.0


@pytest.mark.parametrize("n, r, w", [(3, 1, 1), (4, 1, 2), (5, 2, 2)])
def test_k_staleness_matches_enumeration(n, r, w):
    assert pbs_k_staleness_probability(n, r, w, 2) == pytest.approx(
        _enumerated_stale(n, r, w, k=2))
    assert pbs_k_staleness_probability(n, r, w, 1) == pbs_stale_probability(n, r, w)


def test_known_value():
    # N=3, R=W=1: the read misses the one written replica 2 times in 3.
    assert pbs_stale_probability(3, 1, 1) == pytest.approx(2 / 3)
    assert pbs_k_staleness_probability(3, 1, 1, 3) == pytest.approx(8 / 27)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_availability_matches_enumeration(n):
    for k in range(1, n + 1):
        for p in (0.0, 0.1, 0.5, 0.9, 1.0):
            expected = sum(
                math.prod(p if down else 1 - p for down in states)
                for states in itertools.product([False, True], repeat=n)
                if states.count(False) >= k)
            assert quorum_availability(n, k, p) == pytest.approx(expected, abs=1e-12)


def test_availability_is_monotone_and_vectorised():
    p = np.linspace(0, 1, 21)
    curves = np.array([quorum_availability(7, k, p) for k in range(1, 8)])
    assert curves.shape == (7, 21)
    assert np.all(np.diff(curves, axis=0) <= 1e-15)  # more nodes needed: lower
    assert np.all(np.diff(curves, axis=1) <= 1e-15)  # more failures: lower
    assert isinstance(quorum_availability(3, 2, 0.1), float)
    assert quorum_availability(3, 2, 0.1) == pytest.approx(0.972)


@pytest.mark.parametrize("n, r, w", [(3, 1, 1), (5, 2, 2), (5, 1, 3), (3, 2, 2)])
def test_simulation_matches_formula(n, r, w):
    trials = 40_000
    p = pbs_stale_probability(n, r, w)
    estimate = simulate_pbs(n, r, w, trials, rng=1)
    assert abs(estimate - p) <= 5 * math.sqrt(p * (1 - p) / trials) + 1e-12


def test_t_visibility_decreases_and_strict_quorums_are_fresh():
    t = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 50.0])
    stale = simulate_pbs_t_visibility(3, 1, 1, t, 5000, rng=2)
    assert stale.shape == t.shape
    assert np.all(np.diff(stale) <= 0)
    assert stale[0] > 0.1 and stale[-1] < 0.01
    assert np.all(simulate_pbs_t_visibility(3, 2, 2, t, 5000, rng=2) == 0)
    assert isinstance(simulate_pbs_t_visibility(3, 1, 1, 0.0, 100, rng=2), float)


@pytest.mark.parametrize("call, match", [
    (lambda: pbs_stale_probability(3, 5, 1),
     r"read_quorum must be in 1..replication_factor \(3\), got 5"),
    (lambda: pbs_stale_probability(3, 1, 0),
     r"write_quorum must be in 1..replication_factor \(3\), got 0"),
    (lambda: pbs_stale_probability(0, 1, 1), "replication_factor must be >= 1"),
    (lambda: pbs_k_staleness_probability(3, 1, 1, 0), "versions must be >= 1"),
    (lambda: quorum_availability(3, 4, 0.1),
     r"quorum_size must be in 1..num_nodes \(3\), got 4"),
    (lambda: quorum_availability(3, 2, 1.5), "failure_probability must be in"),
    (lambda: quorum_availability(3, 2, [0.1, np.nan]),
     "failure_probability must not contain nan"),
    (lambda: simulate_pbs(3, 1, 1, 0, rng=1), "trials must be >= 1"),
    (lambda: simulate_pbs_t_visibility(3, 1, 1, -1.0, 10, rng=1), "wait must be"),
    (lambda: simulate_pbs_t_visibility(3, 1, 1, 0.0, 10, rng=1, ack_mean=0),
     "ack_mean must be"),
])
def test_errors_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="read_quorum must be an integer"):
        pbs_stale_probability(3, 1.5, 1)
    with pytest.raises(TypeError, match="rng"):
        simulate_pbs(3, 1, 1, 10, rng="seed")


def test_simulated_availability_agrees_with_the_binomial_tail():
    from dsscale.quorum import simulate_quorum_availability

    trials = 200_000
    for n, k, p in [(3, 2, 0.1), (5, 3, 0.3), (4, 4, 0.2)]:
        exact = quorum_availability(n, k, p)
        se = np.sqrt(exact * (1 - exact) / trials)
        estimate = simulate_quorum_availability(n, k, p, trials, rng=7)
        assert abs(estimate - exact) < 4 * se
    with pytest.raises(ValueError, match="quorum_size must be in 1..num_nodes"):
        simulate_quorum_availability(3, 4, 0.1, 10, rng=1)
