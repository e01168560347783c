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
# # Exercise 1.3 — The Universal Scalability Law
#
# Gunther's USL models throughput at concurrency $n$ as
# $X(n) = \lambda n / (1 + \sigma (n - 1) + \kappa n (n - 1))$.
# Implement it, then find the integer concurrency that maximises throughput.
# (Book: Chapter 1, "The Universal Scalability Law".)

# %%
import math

import numpy as np


def usl_throughput(n, lambda_, sigma, kappa):
    """USL throughput X(n) = lambda_ * n / (1 + sigma*(n-1) + kappa*n*(n-1)).

    `n` may be a float or a numpy array (return the same kind). Raise
    ValueError naming "n" if any n < 1, and naming "sigma" or "kappa" if
    either is negative.
    """
    ### BEGIN SOLUTION
    x = np.asarray(n, dtype=float)
    if np.any(x < 1):
        raise ValueError(f"n must be >= 1, got {n}")
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    if kappa < 0:
        raise ValueError(f"kappa must be >= 0, got {kappa}")
    out = lambda_ * x / (1.0 + sigma * (x - 1.0) + kappa * x * (x - 1.0))
    return float(out) if out.ndim == 0 else out
    ### END SOLUTION


def best_concurrency(sigma, kappa, max_n=10_000):
    """The integer n in 1..max_n with the highest USL throughput.

    Work out where the continuous X(n) peaks; the best integer is not always
    the nearest one. If X never stops growing in 1..max_n, return max_n.
    Ties go to the smaller n. Return an int; e.g. `best_concurrency(0.0, 0.25)`
    is 2.
    """
    ### BEGIN SOLUTION
    if kappa == 0:
        return 1 if sigma >= 1 else max_n
    peak = math.sqrt(max(0.0, 1.0 - sigma) / kappa)
    candidates = sorted({max(1, min(max_n, c))
                         for c in (math.floor(peak), math.ceil(peak), 1)})
    values = [usl_throughput(c, 1.0, sigma, kappa) for c in candidates]
    best = max(values)
    return next(c for c, v in zip(candidates, values, strict=True) if v == best)
    ### END SOLUTION


# %%
if __name__ == "__main__":
    print(usl_throughput(np.arange(1, 9), 100.0, 0.05, 0.002))
    print(best_concurrency(0.05, 0.002))
