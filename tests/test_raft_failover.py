"""Leader failover on the package's Raft servers (Figure 16 of the Raft
paper): the exact first-election split probability, the failover time with
fixed delays, and the measurement's bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsscale.replication.raft.elections import (
    first_election_split_probability,
    measure_split_votes,
    split_vote_probability,
)
from dsscale.replication.raft.failover import mean_broadcast_time, measure_failover
from dsscale.sim import ExponentialDelay, FixedDelay


def test_first_election_formula_closed_forms() -> None:
    for spread in (1.5, 3.0, 10.0, 40.0):
        p = 1.0 / spread
        # three servers: the contested-election formula, which is exact there
        assert first_election_split_probability(3, spread, 1.0) == pytest.approx(
            split_vote_probability(2, spread, 1.0))
        # five servers: the first candidate may lose one other follower
        five = 1.0 - (1 - p) ** 4 - 4 * p * (1 - p) ** 3
        assert first_election_split_probability(5, spread, 1.0) == pytest.approx(five)
        # ... which is below the contested bound
        assert five < split_vote_probability(4, spread, 1.0)
        # seven servers: it may lose two of six
        seven = 1.0 - sum(math.comb(6, k) * p**k * (1 - p) ** (6 - k) for k in range(3))
        assert first_election_split_probability(7, spread, 1.0) == pytest.approx(seven)
    assert first_election_split_probability(5, 1.0, 2.0) == 1.0
    assert first_election_split_probability(5, 1.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="num_servers"):
        first_election_split_probability(2, 1.0, 1.0)
    with pytest.raises(ValueError, match="timeout_spread"):
        first_election_split_probability(5, 0.0, 1.0)


def test_first_election_formula_matches_five_raft_servers() -> None:
    """Where the contested bound is loose (0.59), the binomial formula (0.18)
    is exact: 4 binomial standard errors."""
    p = first_election_split_probability(5, 5.0, 1.0)
    measured = measure_split_votes(5, (20.0, 25.0), 1.0, 300, rng=5)
    assert abs(measured - p) <= 4 * math.sqrt(p * (1 - p) / 300), (measured, p)


def test_failover_with_fixed_delays_matches_the_model() -> None:
    """Fixed delays d: the first term elects with the binomial probability,
    and a first-term election takes exactly E + U_(1) + 3d - u, so it lies in
    [E + 3d - h, E + 3d + W]."""
    low, spread, d, trials = 150.0, 50.0, 7.5, 300
    f = measure_failover(5, (low, low + spread), d, trials, rng=11)
    assert f.censored == 0 and f.downtime.shape == (trials,)
    p = first_election_split_probability(5, spread, d)
    split = float(np.mean(f.terms > 1))
    assert abs(split - p) <= 4 * math.sqrt(p * (1 - p) / trials), (split, p)
    first = f.downtime[f.terms == 1]
    h = low / 2
    assert first.min() >= low + 3 * d - h - 1e-9
    assert first.max() <= low + 3 * d + spread + 1e-9
    # a split costs at least another minimum timeout
    assert np.all(f.downtime[f.terms > 1] >= low + 3 * d - h + low - 1e-9)
    # the time from heartbeat to crash is uniform on [0, h]: the earliest
    # first-term elections come close to the lower end
    assert first.min() < low + 3 * d - h + 10.0
    assert np.all(f.disruptions == 0)  # fixed delays below the timeout: no disruption


def test_no_randomisation_and_fixed_delays_never_elect() -> None:
    f = measure_failover(5, (150.0, 150.0), 7.5, 4, patience=3000.0, rng=1)
    assert f.censored == 4 and np.all(f.terms == 0)


def test_small_timeouts_disrupt_a_live_leader() -> None:
    law = ExponentialDelay(4.0, 0.5)
    small = measure_failover(5, (12.0, 24.0), law, 60, rng=2)
    large = measure_failover(5, (150.0, 300.0), law, 20, rng=2)
    assert small.disruption_rate > 0.0 and small.disruptions.sum() >= 5
    assert large.disruption_rate == 0.0
    assert small.quiet == pytest.approx(60.0)  # ten heartbeats of 6


def test_failover_is_seeded() -> None:
    a = measure_failover(5, (10.0, 20.0), ExponentialDelay(1.0, 0.5), 10, rng=4)
    b = measure_failover(5, (10.0, 20.0), ExponentialDelay(1.0, 0.5), 10, rng=4)
    c = measure_failover(5, (10.0, 20.0), ExponentialDelay(1.0, 0.5), 10, rng=5)
    assert np.array_equal(a.downtime, b.downtime)
    assert not np.array_equal(a.downtime, c.downtime)


def test_failover_arguments() -> None:
    with pytest.raises(ValueError, match="heartbeat_interval"):
        measure_failover(5, (10.0, 20.0), 1.0, 1, heartbeat_interval=10.0, rng=1)
    with pytest.raises(ValueError, match="trials"):
        measure_failover(5, (10.0, 20.0), 1.0, 0, rng=1)
    with pytest.raises(ValueError, match="election_timeout"):
        measure_failover(5, (20.0, 10.0), 1.0, 1, rng=1)
    with pytest.raises(ValueError, match="drift"):
        measure_failover(5, (10.0, 20.0), 1.0, 1, drift=0.9, rng=1)


def test_broadcast_time() -> None:
    """One peer: a round trip of two draws, mean 2 (m + mu); four peers with
    fixed delays: exactly 2d."""
    law = ExponentialDelay(2.0, 1.0)
    mean = mean_broadcast_time(law, 2, samples=20_000, rng=3)
    se = 2.0 * math.sqrt(2) / math.sqrt(20_000)
    assert abs(mean - 6.0) < 4 * se
    assert mean_broadcast_time(FixedDelay(7.5), 5, samples=3, rng=0) == 15.0
    # the largest of four round trips is well above one
    assert mean_broadcast_time(law, 5, samples=5000, rng=3) > 6.0 + 4 * se
    with pytest.raises(TypeError, match="delay"):
        mean_broadcast_time(1.0, 5)  # type: ignore[arg-type]
