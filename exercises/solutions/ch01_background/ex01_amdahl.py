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
    ### BEGIN SOLUTION
    p = np.asarray(parallel_fraction, dtype=float)
    n = np.asarray(workers, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(
            f"parallel_fraction must be in [0, 1], got {parallel_fraction}")
    if np.any(n < 1):
        raise ValueError(f"workers must be >= 1, got {workers}")
    s = 1.0 / ((1.0 - p) + p / n)
    return float(s) if s.ndim == 0 else s
    ### END SOLUTION


def amdahl_limit(parallel_fraction):
    """The largest speedup any number of workers can give: lim S(n), n -> inf.

    Returns the limit as a float, `float("inf")` when the speedup is unbounded.
    Raises ValueError (message containing "parallel_fraction") if p is
    outside [0, 1].
    """
    ### BEGIN SOLUTION
    p = float(parallel_fraction)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"parallel_fraction must be in [0, 1], got {p}")
    return float("inf") if p == 1.0 else 1.0 / (1.0 - p)
    ### END SOLUTION


# %% [markdown]
# Try it: with 95 % of the work parallel, how close do 64 workers get to the limit?

# %%
if __name__ == "__main__":
    print(amdahl_speedup(0.95, np.array([1, 2, 8, 64])), amdahl_limit(0.95))
