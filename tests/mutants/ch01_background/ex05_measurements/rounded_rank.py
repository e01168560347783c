"""Rounds the rank q/100 * n to the nearest integer instead of taking its ceiling."""
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
# # Exercise 1.5 — From measurements to percentiles, speedup and efficiency
#
# Benchmarks give you raw numbers: a list of request latencies, a run time per
# worker count. Turn them into the quantities the book reasons with.
# (Book: Chapter 1, "Vocabulary" and "A first measured speedup".)

# %%
import math

import numpy as np


def nearest_rank_percentile(latencies, q):
    """The q-th percentile (0 < q <= 100) by the nearest-rank method.

    Sort the n samples; return the value at 1-based rank ceil(q / 100 * n).
    E.g. for [5, 1, 3, 2, 4] the 50th percentile is 3 and the 100th is 5.
    Raise ValueError naming "latencies" if it is empty and naming "q" if q is
    outside (0, 100].
    """
    ### BEGIN SOLUTION
    values = sorted(latencies)
    if not values:
        raise ValueError("latencies must not be empty")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], got {q}")
    rank = round(q / 100 * len(values))
    return values[max(rank, 1) - 1]
    ### END SOLUTION


def speedup_and_efficiency(workers, seconds):
    """Speedup S(n) = T(1) / T(n) and efficiency E(n) = S(n) / n.

    `workers` and `seconds` are equal-length sequences of measurements; the
    baseline T(1) is the time measured with workers == 1, which must be
    present. Return two numpy float arrays (speedup, efficiency), in the order
    of the input. Raise ValueError naming "workers" if there is no
    1-worker measurement or the lengths differ, and naming "seconds" if any
    time is <= 0.
    """
    ### BEGIN SOLUTION
    n = np.asarray(workers, dtype=float)
    t = np.asarray(seconds, dtype=float)
    if n.shape != t.shape:
        raise ValueError("workers and seconds must have the same length")
    if not np.any(n == 1):
        raise ValueError("workers must include a 1-worker measurement")
    if np.any(t <= 0):
        raise ValueError("seconds must all be > 0")
    baseline = t[n == 1].mean()
    speedup = baseline / t
    return speedup, speedup / n
    ### END SOLUTION


# %%
if __name__ == "__main__":
    print(nearest_rank_percentile([5, 1, 3, 2, 4], 50))
    print(speedup_and_efficiency([1, 2, 4], [10.0, 5.5, 3.2]))
