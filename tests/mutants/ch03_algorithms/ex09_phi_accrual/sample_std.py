"""Uses the sample standard deviation (divides by n - 1), not the window's own."""
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
# # Exercise 3.9 — The phi-accrual failure detector
#
# A phi-accrual detector (Hayashibara, Défago, Yared and Katayama, SRDS 2004)
# keeps a window of recent inter-arrival times of heartbeats, fits a normal
# distribution $F$ to them, and after $\Delta t$ without a heartbeat reports
#
# $$\varphi(\Delta t) = -\log_{10}\bigl(1 - F(\Delta t)\bigr).$$
#
# Implement the window's statistics, $\varphi$, and the silence after which
# $\varphi$ reaches a threshold $\Phi$ (the detector's effective timeout).
# `statistics.NormalDist` from the standard library has the normal CDF and its
# inverse; `math.erfc` is accurate deep in the tail.
# (Book: Chapter 3, "SWIM and gossip", `book/ch03_algorithms/swim_and_gossip.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import math
from statistics import NormalDist

import numpy as np


def window_stats(intervals):
    """Mean and standard deviation of a window of inter-arrival times.

    Parameters
    ----------
    intervals : sequence of float
        At least two inter-arrival times, each >= 0.

    Returns
    -------
    tuple (float, float)
        The mean and the *population* standard deviation (divide by n, as a
        detector that treats its window as the distribution does). Example:
        `window_stats([0.8, 1.2])` is `(1.0, 0.2)`.

    Raises
    ------
    ValueError
        naming "intervals" if there are fewer than two or any is negative.
    """
    ### BEGIN SOLUTION
    values = np.asarray(intervals, dtype=float)
    if values.size < 2 or np.any(values < 0):
        raise ValueError("intervals must hold at least two times, each >= 0, "
                         f"got {intervals!r}")
    return float(values.mean()), float(values.std(ddof=1))
    ### END SOLUTION


def phi(elapsed, intervals, min_std=0.0):
    """Suspicion level after `elapsed` time units of silence.

    Fit a normal law with the mean and standard deviation of `window_stats`,
    the standard deviation raised to `min_std` if it is smaller, and return
    -log10(1 - F(elapsed)) as a float. Example: `phi(1.0, [1.0, 1.0],
    min_std=0.5)` is log10(2) = 0.30103 (half the gaps would be longer).

    Raises
    ------
    ValueError
        as `window_stats` does; naming "elapsed" if elapsed < 0; naming
        "min_std" if min_std < 0, or if the standard deviation to use is 0.
    """
    ### BEGIN SOLUTION
    mean, std = window_stats(intervals)
    if elapsed < 0:
        raise ValueError(f"elapsed must be >= 0, got {elapsed}")
    if min_std < 0:
        raise ValueError(f"min_std must be >= 0, got {min_std}")
    std = max(std, min_std)
    if std == 0:
        raise ValueError("min_std must be > 0 when every interval is equal")
    z = (elapsed - mean) / std
    tail = 0.5 * math.erfc(z / math.sqrt(2.0))  # 1 - F, accurate in the tail
    return -math.log10(tail)
    ### END SOLUTION


def suspicion_timeout(intervals, threshold, min_std=0.0):
    """The silence after which `phi` reaches `threshold`.

    Since phi increases with the silence, this is the detector's timeout:
    solve phi(T) = threshold for T. Example: for a window with mean 1 and
    standard deviation 0.1, threshold 3 gives about 1.309.

    Raises
    ------
    ValueError
        as `phi` does, and naming "threshold" if threshold <= 0.
    """
    ### BEGIN SOLUTION
    if threshold <= 0:
        raise ValueError(f"threshold must be > 0, got {threshold}")
    mean, std = window_stats(intervals)
    if min_std < 0:
        raise ValueError(f"min_std must be >= 0, got {min_std}")
    std = max(std, min_std)
    if std == 0:
        raise ValueError("min_std must be > 0 when every interval is equal")
    return mean + std * NormalDist().inv_cdf(1.0 - 10.0 ** (-threshold))
    ### END SOLUTION


# %% [markdown]
# Try it: heartbeats every second with some jitter; how does phi grow with the
# silence, and what timeout does a threshold of 8 (Cassandra's default) mean?

# %%
if __name__ == "__main__":
    rng = np.random.default_rng(1)
    window = list(1.0 + 0.05 * rng.standard_normal(1000))
    for silence in (1.0, 1.1, 1.2, 1.3):
        print(f"phi({silence}) = {phi(silence, window):.2f}")
    print(f"threshold 8 -> timeout {suspicion_timeout(window, 8.0):.3f} s")
