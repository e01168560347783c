"""Adds the staleness of k reads instead of multiplying: k p_s."""
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
# # Exercise 3.7 — Probabilistically bounded staleness
#
# A partial quorum ($R + W \le N$) answers faster and survives more failures,
# but a read may miss the latest write. If the $W$ replicas that acknowledged
# the write and the $R$ replicas the read asks are chosen independently and
# uniformly at random, the read is stale exactly when the two sets are
# disjoint (Bailis et al., "Probabilistically Bounded Staleness for Practical
# Partial Quorums", PVLDB 2012):
#
# $$p_s = \binom{N - W}{R} \Big/ \binom{N}{R}.$$
#
# Implement $p_s$, the probability of being more than $k$ versions stale, and
# a Monte Carlo simulation whose random draws are fixed exactly, so that a
# seed determines its answer.
# (Book: Chapter 3, "Quorums", `book/ch03_algorithms/quorums.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import math  # solution-only

import numpy as np


def stale_probability(n, r, w):
    """Probability that a read quorum of `r` misses a write quorum of `w`.

    Parameters
    ----------
    n : int
        Replication factor N, >= 1.
    r, w : int
        Read and write quorums, each in 1..n.

    Returns
    -------
    float
        C(n - w, r) / C(n, r) with `math.comb` (which is 0 when r > n - w,
        i.e. exactly when r + w > n).

    Raises
    ------
    ValueError
        naming "n" if n < 1, "r" if r is not in 1..n, and "w" if w is not in
        1..n (checked in that order).
    """
    ### BEGIN SOLUTION
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 1 <= r <= n:
        raise ValueError(f"r must be in 1..n ({n}), got {r}")
    if not 1 <= w <= n:
        raise ValueError(f"w must be in 1..n ({n}), got {w}")
    return math.comb(n - w, r) / math.comb(n, r)
    ### END SOLUTION


def k_stale_probability(n, r, w, k):
    """Probability that a read returns a value more than `k` versions old.

    The read misses each of the last `k` writes independently (each write
    has its own random write quorum), so the probability is p_s ** k, with
    p_s = `stale_probability(n, r, w)`; k = 1 gives p_s itself.

    Raises
    ------
    ValueError
        as `stale_probability` does, and naming "k" if k < 1.
    """
    ### BEGIN SOLUTION
    p_s = stale_probability(n, r, w)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return min(1.0, p_s * k)
    ### END SOLUTION


def simulate_stale(n, r, w, trials, rng):
    """Monte Carlo estimate of `stale_probability(n, r, w)`.

    For each trial, in order, make exactly two draws:

    1. `wrote = rng.permutation(n)[:w]`: the replicas that have the write;
    2. `read = rng.permutation(n)[:r]`: the replicas the read asks.

    The trial is stale if `wrote` and `read` have no replica in common.
    Return the fraction of stale trials, as a float. Use `rng` for nothing
    else, so that the same seed gives the same answer as the checks'
    reference loop.

    Parameters
    ----------
    n, r, w : int
        As in `stale_probability` (same errors).
    trials : int
        >= 1; raise ValueError naming "trials" otherwise.
    rng : numpy.random.Generator

    Returns
    -------
    float
        The estimate, whose standard error is sqrt(p_s (1 - p_s) / trials).
    """
    ### BEGIN SOLUTION
    stale_probability(n, r, w)  # validates n, r, w
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    stale = 0
    for _ in range(trials):
        wrote = set(rng.permutation(n)[:w].tolist())
        read = rng.permutation(n)[:r].tolist()
        if not any(replica in wrote for replica in read):
            stale += 1
    return stale / trials
    ### END SOLUTION


# %% [markdown]
# Try it: N = 3 with R = W = 1, and N = 10 with R = 2, W = 3; formula against
# simulation.

# %%
if __name__ == "__main__":
    for n, r, w in ((3, 1, 1), (10, 2, 3), (3, 2, 2)):
        sim = simulate_stale(n, r, w, 20_000, np.random.default_rng(1))
        print(f"N={n} R={r} W={w}: p_s = {stale_probability(n, r, w):.4f}, "
              f"simulated {sim:.4f}, 3-stale {k_stale_probability(n, r, w, 3):.4f}")
