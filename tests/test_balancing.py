"""Power of d choices and tail latency at scale, against their formulas."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.balancing import (
    MixtureLatency,
    d_choice_loads,
    expected_max_load_d_choices,
    expected_max_load_one_choice,
    fanout_slow_probability,
    max_load,
    simulate_fanout,
)


def test_two_choices_beat_one_by_a_wide_margin() -> None:
    n = 10_000
    one, two = max_load(n, n, 1, rng=0), max_load(n, n, 2, rng=0)
    assert two <= 4  # ln ln n / ln 2 + O(1) = 3.2 + O(1)
    assert one >= 6  # ln n / ln ln n = 4.1, plus lower-order terms
    assert max_load(n, n, 3, rng=0) <= two


def test_max_load_is_near_theory_and_grows_slowly_with_two_choices() -> None:
    n = 10_000
    ones = [max_load(n, n, 1, rng=s) for s in range(3)]
    # Leading term 4.1; the true max load at n = 1e4 is ~6-8 (lower-order terms).
    assert all(expected_max_load_one_choice(n) <= v <= 2.5 * 4.15 for v in ones)
    # d = 2: ln ln n / ln 2 = 3.2, plus an O(1) that is about 0 to 1 here.
    assert abs(max_load(n, n, 2, rng=1) - expected_max_load_d_choices(n, 2)) <= 1.5


def test_loads_conserve_balls_and_are_deterministic() -> None:
    a = d_choice_loads(5000, 100, 3, rng=42)
    assert a.sum() == 5000 and a.shape == (100,)
    assert np.array_equal(a, d_choice_loads(5000, 100, 3, rng=42))
    assert max_load(0, 5, 2, rng=0) == 0
    assert max_load(7, 1, 2, rng=0) == 7
    rng = np.random.default_rng(5)
    assert max_load(100, 10, 2, rng=rng) >= 10


def test_theory_helpers() -> None:
    assert expected_max_load_one_choice(10**6) == pytest.approx(
        np.log(1e6) / np.log(np.log(1e6)))
    assert expected_max_load_d_choices(10**6, 2) == pytest.approx(
        np.log(np.log(1e6)) / np.log(2))
    assert expected_max_load_d_choices(100, 1) == expected_max_load_one_choice(100)


def test_fanout_formula() -> None:
    assert round(fanout_slow_probability(0.01, 100), 3) == 0.634
    assert fanout_slow_probability(0.0, 50) == 0.0
    assert fanout_slow_probability(1.0, 3) == 1.0
    grid = fanout_slow_probability(np.array([[0.01], [0.001]]), [1, 100, 1000])
    assert grid.shape == (2, 3)
    assert grid[0, 0] == pytest.approx(0.01) and grid[1, 2] == pytest.approx(
        1 - 0.999**1000)


def test_fanout_simulation_matches_formula_and_hedging_cuts_the_tail() -> None:
    sampler = MixtureLatency(base_ms=10, slow_ms=1000, p_slow=0.01, sigma=0.2)
    plain = simulate_fanout(100, 4000, sampler, rng=3)
    slow = (plain.latency > 300).mean()  # slow ones are ~1 s, fast ones ~10 ms
    p = fanout_slow_probability(0.01, 100)
    assert abs(slow - p) <= 5 * np.sqrt(p * (1 - p) / 4000)
    hedged = simulate_fanout(100, 4000, sampler, hedge_after=20.0, rng=3)
    assert np.array_equal(hedged.sub_latency <= plain.sub_latency,
                          np.ones_like(plain.sub_latency, dtype=bool))
    # A hedged sub-request is slow only if both copies are (p^2), so the request
    # is slow with probability 1 - (1 - p^2)^F ~ 1%: p95 collapses, p99 does not.
    p2 = fanout_slow_probability(0.01**2, 100)
    assert abs((hedged.latency > 300).mean() - p2) <= 5 * np.sqrt(p2 * (1 - p2) / 4000)
    assert hedged.percentile(95) < 0.1 * plain.percentile(95)
    # Extra load = P(sub-request latency > 20 ms) = 1% slow + a lognormal tail.
    tail = (plain.sub_latency > 20.0).mean()
    assert hedged.hedged_fraction == pytest.approx(tail)
    assert 0.01 <= hedged.hedged_fraction <= 0.02
    assert plain.hedged_fraction == 0.0


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="bins"):
        max_load(10, 0, 2, rng=0)
    with pytest.raises(ValueError, match="d must"):
        max_load(10, 10, 0, rng=0)
    with pytest.raises(ValueError, match="balls"):
        max_load(-1, 10, 2, rng=0)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="p_slow"):
            fanout_slow_probability(p, 10)
    with pytest.raises(ValueError, match="fanout"):
        fanout_slow_probability(0.1, 0)
    with pytest.raises(TypeError, match="fanout"):
        fanout_slow_probability(0.1, 2.5)
    with pytest.raises(ValueError, match="fanout"):
        simulate_fanout(0, rng=0)
    with pytest.raises(ValueError, match="hedge_after"):
        simulate_fanout(3, 10, hedge_after=-1.0, rng=0)
    with pytest.raises(ValueError, match="p_slow"):
        MixtureLatency(p_slow=2.0)
    with pytest.raises(ValueError, match="n must"):
        expected_max_load_one_choice(2)
    with pytest.raises(ValueError, match="latency sampler"):
        simulate_fanout(3, 10, lambda rng, size: np.zeros(3), rng=0)


def test_fluid_tails_are_poisson_for_one_choice_and_doubly_exponential_for_two():
    import math

    from dsscale.balancing import d_choice_tail_fractions

    one = d_choice_tail_fractions(1, 8)
    poisson_tail = [1 - sum(math.exp(-1) / math.factorial(j) for j in range(i))
                    for i in range(9)]
    assert one == pytest.approx(poisson_tail, abs=1e-9)
    two = d_choice_tail_fractions(2, 6)
    # s_{i+1} <= s_i^2 for d = 2 (each level needs both choices at the level below)
    assert np.all(two[2:] <= two[1:-1] ** 2 + 1e-12) and two[4] < 1e-4
    with pytest.raises(ValueError, match="d must be >= 1"):
        d_choice_tail_fractions(0)


def test_mixture_survival_matches_samples_and_closed_form() -> None:
    law = MixtureLatency(base_ms=4.0, slow_ms=300.0, p_slow=0.02, sigma=0.5)
    x = np.array([2.0, 4.0, 10.0, 100.0, 300.0, 1000.0])
    draws = law(np.random.default_rng(3), (400_000,))
    empirical = (draws[:, None] > x).mean(axis=0)
    predicted = law.survival(x)
    se = np.sqrt(predicted * (1 - predicted) / draws.size)
    assert np.all(np.abs(empirical - predicted) < 4 * se + 1e-12)
    # at each mode's centre half of that mode is slower: 0.98/2 + 0.02 and 0.02/2
    assert law.survival(4.0) == pytest.approx(0.98 * 0.5 + 0.02, abs=1e-6)
    assert law.survival(300.0) == pytest.approx(0.01, abs=1e-9)
    assert law.survival(0.0) == 1.0
    point = MixtureLatency(base_ms=10.0, slow_ms=1000.0, p_slow=0.1, sigma=0.0)
    assert point.survival([5.0, 10.0, 50.0, 1000.0]).tolist() == [1.0, 0.1, 0.1, 0.0]
    with pytest.raises(ValueError, match="latency_ms"):
        law.survival(-1.0)


def test_two_point_survival_passes_through_both_points_in_every_family() -> None:
    from dsscale.balancing import TWO_POINT_FAMILIES, two_point_survival
    for fam in TWO_POINT_FAMILIES:
        s = two_point_survival(fam, 10.0, 0.02, 1800.0, 1e-6)
        assert s(10.0) == pytest.approx(0.02, rel=1e-9)
        assert s(1800.0) == pytest.approx(1e-6, rel=1e-9)
        assert s(0.0) == 1.0 and s(50.0) < 0.02 and s(1e5) < 1e-6   # decreasing
    # Closed forms: the Pareto exponent and the lognormal sigma.
    pareto = two_point_survival("pareto", 10.0, 0.02, 1800.0, 1e-6)
    alpha = np.log(0.02 / 1e-6) / np.log(180.0)
    assert pareto(100.0) == pytest.approx(0.02 * 10.0 ** -alpha)
    logn = two_point_survival("lognormal", 1.0, 0.5, np.e, 0.5 - 0.3413447460685429)
    assert logn(np.e ** 2) == pytest.approx(0.022750131948179195)   # median 1, sigma 1
    weib = two_point_survival("weibull", 1.0, np.exp(-1.0), 2.0, np.exp(-4.0))
    assert weib(3.0) == pytest.approx(np.exp(-9.0))                # Rayleigh, k = 2
    ll = two_point_survival("loglogistic", 1.0, 0.5, 2.0, 0.2)     # beta = 2
    assert ll(4.0) == pytest.approx(1 / 17)


def test_two_point_survival_rejects_bad_points() -> None:
    from dsscale.balancing import two_point_survival
    with pytest.raises(ValueError, match="family"):
        two_point_survival("gamma", 1.0, 0.5, 2.0, 0.1)
    with pytest.raises(ValueError, match="x2"):
        two_point_survival("pareto", 2.0, 0.5, 1.0, 0.1)
    with pytest.raises(ValueError, match="tail2"):
        two_point_survival("pareto", 1.0, 0.1, 2.0, 0.5)
    with pytest.raises(ValueError, match="tail1"):
        two_point_survival("pareto", 1.0, 1.0, 2.0, 0.5)


def test_fanout_quantile_matches_closed_forms_and_the_simulation() -> None:
    from dsscale.balancing import fanout_quantile, two_point_survival

    def expo(x: float) -> float:
        return float(np.exp(-x))

    # max of F exponentials: P(max <= x) = (1 - e^-x)^F.
    assert fanout_quantile(expo, 1, 0.5) == pytest.approx(np.log(2.0))
    assert fanout_quantile(expo, 100, 0.99) == pytest.approx(
        -np.log(1 - 0.99 ** (1 / 100)))
    # Hedging exponentials after t: S_h(x) = e^-x e^-(x-t) for x >= t.
    t, target = 1.0, 1e-4
    x = fanout_quantile(expo, 1, 1 - target, hedge_after=t)
    assert x == pytest.approx((t - np.log(target)) / 2)
    # Below the hedge delay the hedge does not act.
    assert fanout_quantile(expo, 1, 0.5, hedge_after=5.0) == pytest.approx(np.log(2.0))
    # Against simulate_fanout with the same law (inverse-CDF sampler).
    law = MixtureLatency(base_ms=3.0, slow_ms=200.0, p_slow=0.01, sigma=0.5)
    sim = simulate_fanout(20, num_requests=20_000, latency=law, hedge_after=10.0, rng=3)
    formula = fanout_quantile(law.survival, 20, 0.9, hedge_after=10.0)
    assert sim.percentile(90.0) == pytest.approx(formula, rel=0.03)
    s = two_point_survival("pareto", 10.0, 0.02, 1800.0, 1e-6)
    with pytest.raises(ValueError, match="upper"):
        fanout_quantile(s, 1000, 0.999, upper=10.0)
    with pytest.raises(ValueError, match="fanout"):
        fanout_quantile(s, 0, 0.5)
    with pytest.raises(ValueError, match="q"):
        fanout_quantile(s, 1, 1.0)
