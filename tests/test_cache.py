"""dsscale.cache: Che's approximation against exact cases and an LRU simulation,
the LRU simulator against a naive one, and the cold-start model against its
simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.cache import (
    cache_size_for_hit_ratio,
    characteristic_time,
    che_hit_ratio,
    cold_start_backend_rate,
    cold_start_backend_requests,
    sample_requests,
    simulate_cold_start,
    simulate_lru,
    static_hit_ratio,
    transient_miss_ratio,
    zipf_popularity,
)


def _naive_lru(requests: list[int], size: int) -> list[bool]:
    """A list kept in recency order: obviously right, slow."""
    order: list[int] = []
    hits = []
    for item in requests:
        hit = item in order
        hits.append(hit)
        if hit:
            order.remove(item)
        order.append(item)
        if len(order) > size:
            order.pop(0)
    return hits


@given(st.lists(st.integers(0, 6), max_size=60), st.integers(0, 5))
def test_lru_matches_a_naive_lru(requests, size):
    got = simulate_lru(np.array(requests, dtype=np.int64), size).tolist()
    assert got == _naive_lru(requests, size)


def test_two_equal_items_match_exact_lru():
    # exact LRU with C = 1: a hit iff the request repeats the previous one
    assert math.isclose(che_hit_ratio([0.5, 0.5], 1), 0.5, rel_tol=1e-9)
    assert math.isclose(characteristic_time([0.5, 0.5], 1), 2 * math.log(2))


def test_characteristic_time_solves_its_equation():
    p = zipf_popularity(5000, 0.9)
    for size in (1, 10, 100, 4000):
        t = characteristic_time(p, size)
        assert math.isclose(np.sum(1 - np.exp(-p * t)), size, rel_tol=1e-9)
    assert characteristic_time(p, 5000) == math.inf
    assert che_hit_ratio(p, 5000) == pytest.approx(1.0, rel=1e-12)
    assert che_hit_ratio(p, 0) == 0.0


@pytest.mark.parametrize(("exponent", "size"), [(0.8, 100), (0.8, 2000), (1.2, 50),
                                                 (0.0, 1000)])
def test_che_agrees_with_simulated_lru(exponent, size):
    p = zipf_popularity(20_000, exponent)
    requests = sample_requests(p, 400_000, rng=7)
    hits = simulate_lru(requests, size)[100_000:]   # warm-up dropped
    # hits of successive requests are correlated; batch means give the s.e.
    batches = hits.reshape(30, -1).mean(axis=1)
    se = batches.std(ddof=1) / math.sqrt(30)
    want = che_hit_ratio(p, size)
    # Che's approximation is not exact: Fricker et al. report errors below 1 %
    # of the hit ratio at these sizes; allow that plus four standard errors
    assert abs(hits.mean() - want) < 4 * se + 0.01 * want


def test_lru_is_below_the_static_optimum_and_the_search_is_exact():
    p = zipf_popularity(10_000, 1.0)
    for size in (10, 300, 3000):
        assert che_hit_ratio(p, size) < static_hit_ratio(p, size)
    size = cache_size_for_hit_ratio(p, 0.6)
    assert che_hit_ratio(p, size) >= 0.6 > che_hit_ratio(p, size - 1)


@given(st.integers(1, 400), st.integers(1, 400))
def test_hit_ratio_grows_with_cache_size(a, b):
    p = zipf_popularity(500, 0.7)
    small, large = sorted((a, b))
    assert che_hit_ratio(p, small) <= che_hit_ratio(p, large) + 1e-12


def test_transient_miss_ratio_follows_a_flushed_cache():
    p = zipf_popularity(5000, 0.9)
    size, runs, horizon = 500, 40, 6000
    miss = np.zeros(horizon)
    for seed in range(runs):
        miss += ~simulate_lru(sample_requests(p, horizon, rng=seed), size)
    miss /= runs
    model = transient_miss_ratio(p, size, np.arange(horizon)).reshape(-1, 500)
    model = model.mean(axis=1)
    measured = miss.reshape(-1, 500).mean(axis=1)
    # each bin averages 20,000 Bernoulli outcomes: s.e. <= 0.5 / sqrt(20,000)
    # = 0.0036 (runs are independent, so that bound holds); Che's own error
    # is below 1 % of the ratio (Fricker et al.): allow 0.01 for it
    assert np.max(np.abs(measured - model)) < 4 * 0.0036 + 0.01
    assert measured[0] > measured[-1] + 0.1     # the warm-up is visible
    assert model[-1] == pytest.approx(
        1 - che_hit_ratio(p, size), rel=1e-9)


@pytest.mark.parametrize("coalesce", [False, True])
def test_cold_start_counts_match_the_model(coalesce):
    p = zipf_popularity(2000, 1.0)
    rate, fill, horizon = 5000.0, 0.05, 2.0
    counts = [simulate_cold_start(p, rate, fill, horizon, coalesce=coalesce,
                                  rng=s).backend.sum() for s in range(20)]
    want = cold_start_backend_requests(p, rate, fill, horizon, coalesce=coalesce)
    se = np.std(counts, ddof=1) / math.sqrt(len(counts))
    assert abs(np.mean(counts) - want) < 4 * se


def test_cold_start_rate_without_coalescing_is_the_full_load_for_one_fill():
    p = zipf_popularity(1000, 1.0)
    rate = cold_start_backend_rate(p, 2000.0, 0.5, [0.0, 0.25, 0.5, 1.0],
                                   coalesce=False)
    assert rate[0] == pytest.approx(2000.0) and rate[2] == pytest.approx(2000.0)
    assert rate[3] < rate[2]
    run = simulate_cold_start(p, 2000.0, 0.5, 2.0, coalesce=False, rng=3)
    early = run.backend[run.times < 0.5]
    assert early.all()    # nothing is cached before the first fill completes
    coalesced = simulate_cold_start(p, 2000.0, 0.5, 2.0, coalesce=True, rng=3)
    # one backend request per distinct item: never more than the items
    assert coalesced.backend.sum() == np.unique(coalesced.items).size


def test_one_hot_item_sends_one_plus_rate_times_fill():
    # a single item at 10 requests/s with a 0.5 s fill: 1 + 5 backend requests
    assert cold_start_backend_requests([1.0], 10.0, 0.5, 100.0,
                                       coalesce=False) == pytest.approx(6.0)
    assert cold_start_backend_requests([1.0], 10.0, 0.5, 100.0,
                                       coalesce=True) == pytest.approx(1.0)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="popularity"):
        che_hit_ratio([0.0, 0.0], 1)
    with pytest.raises(ValueError, match="popularity"):
        che_hit_ratio([0.5, -0.5], 1)
    with pytest.raises(ValueError, match="cache_size"):
        che_hit_ratio([0.5, 0.5], -1)
    with pytest.raises(ValueError, match="hit_ratio"):
        cache_size_for_hit_ratio([0.5, 0.5], 1.5)
    with pytest.raises(ValueError, match="exponent"):
        zipf_popularity(10, -1.0)
    with pytest.raises(TypeError, match="requests"):
        simulate_lru(np.array([0.5, 1.5]), 2)
    with pytest.raises(ValueError, match="request_rate"):
        simulate_cold_start([1.0], 0.0, 0.1, 1.0, coalesce=True, rng=0)


def test_sampled_requests_follow_the_popularity():
    p = np.array([0.5, 0.0, 0.3, 0.2])
    items = sample_requests(p, 200_000, rng=1)
    freq = np.bincount(items, minlength=4) / items.size
    assert freq[1] == 0.0
    assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / items.size) + 1e-12)
