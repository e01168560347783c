"""Counts requests, not distinct items, in the window: solves sum p_i T = C, so T = C."""
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 6.4 — Predicting an LRU cache's hit rate
#
# Under independent references with popularities p_i, Che's approximation
# says an LRU cache of C items holds item i with probability
# 1 - exp(-p_i T), where the characteristic time T (in requests) solves
# sum_i (1 - exp(-p_i T)) = C. Implement it, and predict the hit rate of a
# cache in front of a Zipf workload.
# (Book: Chapter 6, "Caching", `book/ch06_faq/caching.md`.)
#
# Grade with `dsscale grade ch06`.

# %%
import math  # solution-only


def characteristic_time(popularity, cache_size):
    """The T >= 0 with sum_i (1 - exp(-p_i T)) == cache_size.

    Parameters
    ----------
    popularity : sequence of float
        Request probabilities p_i >= 0 summing to 1 (within 1e-9).
    cache_size : int
        C >= 0, and smaller than the number of items with p_i > 0 (a cache
        that holds every item has no finite T).

    Returns
    -------
    float
        T, accurate to a relative 1e-9. Example: for two items of
        probability 1/2 and C = 1, T = 2 ln 2.

    Raises
    ------
    ValueError
        naming "popularity" if it has a negative entry or does not sum to 1;
        naming "cache_size" if it is negative or not below the number of
        items that are ever requested.
    """
    ### BEGIN SOLUTION
    p = [float(x) for x in popularity]
    if any(x < 0 for x in p) or abs(sum(p) - 1) > 1e-9:
        raise ValueError("popularity must be non-negative and sum to 1")
    requested = sum(1 for x in p if x > 0)
    if not 0 <= cache_size < requested:
        raise ValueError(f"cache_size must be in 0..{requested - 1}, got {cache_size}")
    if cache_size == 0:
        return 0.0

    def distinct(t):
        return sum(x * t for x in p)

    lo, hi = 0.0, float(cache_size)
    while distinct(hi) < cache_size:
        lo, hi = hi, 2 * hi
    while hi - lo > 1e-12 * hi:
        mid = (lo + hi) / 2
        if distinct(mid) < cache_size:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
    ### END SOLUTION


def hit_ratio(popularity, cache_size):
    """Fraction of requests an LRU cache of `cache_size` items serves (Che).

    Returns
    -------
    float
        sum_i p_i (1 - exp(-p_i T)). Example: two items of probability 1/2
        and C = 1 give 1/2 (exact for LRU: a hit iff the request repeats the
        previous one).

    Raises
    ------
    ValueError
        as characteristic_time does.
    """
    ### BEGIN SOLUTION
    t = characteristic_time(popularity, cache_size)
    return sum(x * -math.expm1(-x * t) for x in popularity)
    ### END SOLUTION


def analysis_zipf_cache():
    """Analysis question: a cache in front of a Zipf workload.

    A service has 50,000 items requested with Zipf popularity of exponent
    0.8 (p_i proportional to i**-0.8, i = 1..50,000) at 20,000 requests per
    second. An LRU cache holds 2,000 items. Return the requests per second
    that still reach the backend, as a float.
    """
    ### BEGIN SOLUTION
    weights = [i**-0.8 for i in range(1, 50_001)]
    total = sum(weights)
    p = [w / total for w in weights]
    return 20_000 * (1 - hit_ratio(p, 2_000))
    ### END SOLUTION


# %% [markdown]
# Try it: the hit ratio as the cache grows.

# %%
if __name__ == "__main__":
    weights = [i**-0.8 for i in range(1, 5_001)]
    p = [w / sum(weights) for w in weights]
    for size in (10, 100, 1000):
        print(size, hit_ratio(p, size))
    print(analysis_zipf_cache())
