"""Tests for dsscale.wars: the WARS model with any delay law."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsscale.quorum import simulate_pbs_t_visibility
from dsscale.wars import ParetoExponentialMixture, consistent_probability, simulate_wars


def exponential(mean: float):
    def draw(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        return rng.exponential(mean, size)
    return draw


def fixed(value: float):
    def draw(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
        return np.full(size, value)
    return draw


def laws(w=None, a=None, r=None, s=None):
    e = exponential(1.0)
    return {"write_delay": w or e, "ack_delay": a or e, "read_delay": r or e,
            "response_delay": s or e}


def test_mixture_moments_and_tail() -> None:
    law = ParetoExponentialMixture(0.3, 2.0, 3.0, 0.5)
    x = law(np.random.default_rng(1), (400_000,))
    assert law.mean() == pytest.approx(0.3 * 3.0 + 0.7 * 2.0)
    assert abs(x.mean() - law.mean()) < 0.02 * law.mean()
    # P(X > 4) = w (xm/4)^alpha + (1 - w) e^{-4 lambda}
    expected = 0.3 * (2.0 / 4.0) ** 3 + 0.7 * math.exp(-2.0)
    se = math.sqrt(expected * (1 - expected) / x.size)
    assert abs(np.mean(x > 4.0) - expected) < 4 * se
    assert x.min() >= 0.0
    pure = ParetoExponentialMixture(1.0, 2.0, 3.0, 1.0)
    assert pure(np.random.default_rng(2), (1000,)).min() >= 2.0   # Pareto floor
    assert ParetoExponentialMixture(0.0, 1.0, 0.5, 4.0).mean() == 0.25
    assert ParetoExponentialMixture(0.5, 1.0, 1.0, 4.0).mean() == math.inf


def test_mixture_validates() -> None:
    with pytest.raises(ValueError, match="pareto_weight"):
        ParetoExponentialMixture(1.5, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="exponential_rate"):
        ParetoExponentialMixture(0.5, 1.0, 1.0, 0.0)


def test_matches_exponential_t_visibility() -> None:
    """Same model as quorum.simulate_pbs_t_visibility: estimates agree."""
    waits = np.array([0.0, 0.5, 1.0, 2.0, 4.0])
    trials = 100_000
    needed = simulate_wars(3, 1, 1, trials, 5, **laws())
    ours = 1 - np.asarray(consistent_probability(needed, waits))
    theirs = simulate_pbs_t_visibility(3, 1, 1, waits, trials, 6)
    se = np.sqrt(0.25 / trials)
    assert np.all(np.abs(ours - theirs) < 6 * se)
    assert ours[0] > 0.2     # a real effect, not two zeros


def test_deterministic_delays_give_closed_form() -> None:
    # writes reach replicas after 5, acks take 1, reads 1, responses 1:
    # commit at 6, read reaches a replica at 6 + t + 1 >= 5: consistent at t = 0.
    assert np.all(simulate_wars(3, 1, 1, 10, 0, **laws(fixed(5), fixed(1), fixed(1),
                                                     fixed(1))) == 0.0)
    # acks are instant, writes slow: commit at 5 (first write); the read, sent at
    # 5 + t, lands after 0.5 at a replica that got the write at 5 -> consistent.
    needed = simulate_wars(3, 1, 1, 10, 0, **laws(fixed(5.0), fixed(0.0), fixed(0.5),
                                                  fixed(0.0)))
    assert np.all(needed == 0.0)


def test_one_slow_replica_needs_its_delay() -> None:
    """N=2, W=1: the fast replica commits; a read that only hits the slow one
    needs t = W_slow - c - R."""
    def write(rng, size):
        out = np.empty(size)
        out[:, 0], out[:, 1] = 1.0, 10.0
        return out

    def read(rng, size):   # the slow-write replica answers reads first
        out = np.empty(size)
        out[:, 0], out[:, 1] = 3.0, 0.5
        return out

    needed = simulate_wars(2, 1, 1, 4, 0, write_delay=write, ack_delay=fixed(0.0),
                           read_delay=read, response_delay=fixed(0.0))
    # commit at 1; read reaches replica 1 at 1 + t + 0.5 >= 10 -> t = 8.5
    assert np.all(needed == pytest.approx(8.5))
    both = simulate_wars(2, 2, 1, 4, 0, write_delay=write, ack_delay=fixed(0.0),
                         read_delay=read, response_delay=fixed(0.0))
    assert np.all(both == 0.0)   # R + W > N


def test_strict_quorums_never_stale_and_monotone() -> None:
    law = ParetoExponentialMixture(0.4, 1.0, 1.5, 0.2)
    for r, w in ((2, 2), (1, 3), (3, 1)):
        assert np.all(simulate_wars(3, r, w, 2000, 1, **laws(law, law, law, law)) == 0)
    needed = simulate_wars(3, 1, 1, 5000, 1, **laws(law))
    p = consistent_probability(needed, np.linspace(0, 50, 51))
    assert np.all(np.diff(p) >= 0) and p[0] < p[-1]


def test_validation() -> None:
    with pytest.raises(ValueError, match="write_quorum"):
        simulate_wars(3, 1, 4, 10, 0, **laws())
    with pytest.raises(ValueError, match="read_delay"):
        simulate_wars(3, 1, 1, 10, 0, **laws(r=lambda g, s: -np.ones(s)))
    with pytest.raises(ValueError, match="ack_delay"):
        simulate_wars(3, 1, 1, 10, 0, **laws(a=lambda g, s: np.ones(3)))
    with pytest.raises(ValueError, match="waits_needed"):
        consistent_probability([], 1.0)
    assert consistent_probability([0.0, 2.0], 1.0) == 0.5
