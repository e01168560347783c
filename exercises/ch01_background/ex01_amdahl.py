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
# # Exercise 1.1 — Amdahl's law
#
# A job takes time $T_1$ on one worker. A fraction $p$ of that time can be
# split evenly over $n$ workers; the rest, $1 - p$, cannot. Implement the
# speedup $S(n) = T_1 / T_n$ and its limit as $n \to \infty$.
# (Book: Chapter 1, "Amdahl's and Gustafson's laws".)
#
# Grade with `dsscale grade ch01`.

# %%
import numpy as np


def amdahl_speedup(parallel_fraction, workers):
    """Speedup of a fixed-size job on `workers` workers under Amdahl's law.

    Parameters
    ----------
    parallel_fraction : float or numpy array
        p, the fraction of the single-worker run time that parallelises,
        in [0, 1].
    workers : float or numpy array
        n >= 1. `parallel_fraction` and `workers` broadcast like numpy arrays:
        `amdahl_speedup(0.9, np.array([1, 2, 4]))` returns an array of three.

    Returns
    -------
    float or numpy array
        S(n) = T_1 / T_n for the job described above (derive it from the
        model); for example 1.0 whenever p = 0 or n = 1.

    Raises
    ------
    ValueError
        if any p is outside [0, 1] (the message must contain
        "parallel_fraction"), or any n < 1 (the message must contain "workers").
    """
    raise NotImplementedError("your code here")


def amdahl_limit(parallel_fraction):
    """The largest speedup any number of workers can give: lim S(n), n -> inf.

    Returns the limit as a float, `float("inf")` when the speedup is unbounded.
    Raises ValueError (message containing "parallel_fraction") if p is
    outside [0, 1].
    """
    raise NotImplementedError("your code here")


# %% [markdown]
# Try it: with 95 % of the work parallel, how close do 64 workers get to the limit?

# %%
if __name__ == "__main__":
    print(amdahl_speedup(0.95, np.array([1, 2, 8, 64])), amdahl_limit(0.95))
