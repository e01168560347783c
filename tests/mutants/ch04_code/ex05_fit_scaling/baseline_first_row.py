"""Takes the first row as the one-worker baseline, wherever the 1 is."""
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
# # Exercise 4.5 — From a measured scaling curve to Amdahl's law
#
# `dsscale.parallel.scaling.measure_scaling` runs the same work on 1, 2, ...
# Ray workers several times and records every run's wall-clock seconds.
# Turn such measurements into speedup and efficiency, fit Amdahl's parallel
# fraction $p$ to the speedups, and use the fit to predict the speedup at
# worker counts you did not measure:
#
# $$S(n) = \frac{1}{(1 - p) + p / n}.$$
#
# (Book: Chapter 1, "A first measured speedup",
# `book/ch01_background/measured_speedup.md`.)
#
# Grade with `dsscale grade ch04`.

# %%
import numpy as np
from scipy.optimize import minimize_scalar  # solution-only


def speedup_efficiency(workers, seconds):
    """Speedup S(n) = T(1) / T(n) and efficiency E(n) = S(n) / n.

    Parameters
    ----------
    workers : sequence of int
        The worker counts n_i measured, each >= 1, one of them equal to 1
        (the baseline).
    seconds : sequence of sequences of float
        `seconds[i]` holds the run times (> 0) of one or more repeats with
        `workers[i]` workers; repeats may differ in number between rows.
        T(n_i) is the median of `seconds[i]` (`numpy.median`).

    Returns
    -------
    tuple (speedup, efficiency)
        Two 1-d numpy float arrays in the order of `workers`. The speedup at
        n = 1 is exactly 1.0.

    Raises
    ------
    ValueError
        naming "workers" if the lengths of `workers` and `seconds` differ or
        `workers` does not contain 1 exactly once, and naming "seconds" if a
        row is empty or a time is <= 0.
    """
    ### BEGIN SOLUTION
    n = np.asarray(workers, dtype=float)
    if n.ndim != 1 or len(n) != len(seconds):
        raise ValueError("workers and seconds must have the same length")
    if np.count_nonzero(n == 1) != 1:
        raise ValueError(f"workers must contain 1 exactly once, got {workers}")
    medians = []
    for row in seconds:
        t = np.asarray(row, dtype=float).ravel()
        if t.size == 0 or np.any(t <= 0):
            raise ValueError("seconds must hold at least one time > 0 per row")
        medians.append(np.median(t))
    t = np.asarray(medians)
    speedup = t[0] / t
    return speedup, speedup / n
    ### END SOLUTION


def fit_parallel_fraction(workers, speedup):
    """Amdahl's parallel fraction p that best fits measured speedups.

    Least squares on the speedup itself: the p in [0, 1] that minimises

        sum_i (speedup[i] - 1 / ((1 - p) + p / workers[i]))**2.

    Any method that finds this minimiser to within 1e-4 is fine, e.g.
    `scipy.optimize.minimize_scalar(..., bounds=(0, 1), method="bounded",
    options={"xatol": 1e-8})`. Do not fit the straight line
    1 / S = (1 - p) + p / n instead: it minimises a different error and on
    noisy data gives a different p. If the data are superlinear (or slower
    than serial) the minimiser is at the bound, 1 (or 0).

    Parameters
    ----------
    workers : sequence of float
        Worker counts, each >= 1, at least one > 1.
    speedup : sequence of float
        Measured speedups (> 0), same length.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        naming "workers" if the lengths differ, a count is < 1 or no count
        is > 1, and naming "speedup" if a speedup is <= 0.
    """
    ### BEGIN SOLUTION
    n = np.asarray(workers, dtype=float)
    s = np.asarray(speedup, dtype=float)
    if n.shape != s.shape or np.any(n < 1) or not np.any(n > 1):
        raise ValueError("workers must match speedup in length, be >= 1, and "
                         "include a count > 1")
    if np.any(s <= 0):
        raise ValueError("speedup must be > 0")

    def sse(p):
        return float(np.sum((s - 1.0 / ((1.0 - p) + p / n)) ** 2))

    res = minimize_scalar(sse, bounds=(0.0, 1.0), method="bounded",
                          options={"xatol": 1e-10})
    # the bounded method never evaluates the bounds themselves
    return float(min((0.0, 1.0, float(res.x)), key=sse))
    ### END SOLUTION


def predict_speedup(parallel_fraction, workers):
    """Amdahl's speedup 1 / ((1 - p) + p / n).

    Parameters
    ----------
    parallel_fraction : float
        p in [0, 1] (a ValueError naming "parallel_fraction" otherwise).
    workers : float or array of float
        n >= 1 (a ValueError naming "workers" otherwise).

    Returns
    -------
    float or numpy array
        A float for a scalar `workers`, an array of the same shape for an
        array.
    """
    ### BEGIN SOLUTION
    p = float(parallel_fraction)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"parallel_fraction must be in [0, 1], got {p}")
    n = np.asarray(workers, dtype=float)
    if np.any(n < 1):
        raise ValueError(f"workers must be >= 1, got {workers}")
    s = 1.0 / ((1.0 - p) + p / n)
    return float(s) if s.ndim == 0 else s
    ### END SOLUTION


# %% [markdown]
# Try it: measure 1 and 2 workers on Ray, fit p, predict more workers.

# %%
if __name__ == "__main__":
    from dsscale.parallel.scaling import measure_scaling

    result = measure_scaling(workers=(1, 2), tasks_per_worker=2,
                             task_size=500_000, repeats=3)
    speedup, efficiency = speedup_efficiency(result.workers, result.samples)
    p = fit_parallel_fraction(result.workers, speedup)
    print("speedup", speedup, "efficiency", efficiency)
    print(f"p = {p:.3f}; predicted speedups on 4, 8, 16 workers:",
          predict_speedup(p, np.array([4, 8, 16])))
