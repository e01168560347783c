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
    raise NotImplementedError("your code here")


def best_concurrency(sigma, kappa, max_n=10_000):
    """The integer n in 1..max_n with the highest USL throughput.

    Work out where the continuous X(n) peaks; the best integer is not always
    the nearest one. If X never stops growing in 1..max_n, return max_n.
    Ties go to the smaller n. Return an int; e.g. `best_concurrency(0.0, 0.25)`
    is 2.
    """
    raise NotImplementedError("your code here")


# %%
if __name__ == "__main__":
    print(usl_throughput(np.arange(1, 9), 100.0, 0.05, 0.002))
    print(best_concurrency(0.05, 0.002))
