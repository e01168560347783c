"""Draws each ball's choices in its own call, not all at once."""
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
# # Exercise 3.5 — The power of two choices
#
# Throw $n$ balls into $n$ bins, each into a bin chosen uniformly at random,
# and the fullest bin ends up with about $\ln n / \ln \ln n$ balls. Let each
# ball look at $d \ge 2$ random bins and join the least loaded, and the
# maximum drops to $\ln \ln n / \ln d + O(1)$ (Azar, Broder, Karlin and Upfal,
# 1999): an exponential improvement from one extra look. Simulate the greedy
# $d$-choice process exactly as specified, so that a seed fixes the answer;
# the checks compare you with an independent simulation.
# (Book: Chapter 3, "Bounded loads and the power of two choices",
# `book/ch03_algorithms/bounded_loads_and_choices.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import numpy as np


def allocate(balls, bins, d, rng):
    """Final bin loads after sequential greedy d-choice allocation.

    Draw all the random choices first, with ONE call,
    `choices = rng.integers(0, bins, size=(balls, d))`, so row t holds the
    d bins (drawn with replacement) that ball t looks at. Then, starting from
    all-zero loads, place the balls in order t = 0, 1, ...: ball t joins the
    bin of its row with the smallest current load; if several of its choices
    tie for the smallest load, the one that comes first in the row wins.

    Example with bins = 3 and rows [0, 1], [0, 1], [1, 0], [2, 2]: ball 0
    sees loads 0 and 0 (tie, first wins) -> bin 0; ball 1 sees 1 and 0 ->
    bin 1; ball 2 sees 1 and 1 (tie) -> bin 1; ball 3 -> bin 2. Loads
    [1, 2, 1].

    Parameters
    ----------
    balls : int
        >= 0.
    bins : int
        >= 1.
    d : int
        Choices per ball, >= 1 (d = 1 is plain random placement).
    rng : numpy.random.Generator
        The source of randomness; use it exactly as above and for nothing
        else. (The checks also pass a Generator whose `integers` returns
        hand-picked choices, to test the tie rule.)

    Returns
    -------
    numpy.ndarray of int
        `bins` loads, summing to `balls`.

    Raises
    ------
    ValueError
        naming "balls" if balls < 0, "bins" if bins < 1, and "d" if d < 1.
    """
    ### BEGIN SOLUTION
    if balls < 0:
        raise ValueError(f"balls must be >= 0, got {balls}")
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    loads = [0] * bins
    for row in (rng.integers(0, bins, size=d).tolist() for _ in range(balls)):
        best = row[0]
        for b in row[1:]:
            if loads[b] < loads[best]:
                best = b
        loads[best] += 1
    return np.array(loads, dtype=np.int64)
    ### END SOLUTION


def simulate_max_load(balls, bins, d, rng):
    """The largest load after `allocate(balls, bins, d, rng)`, as an int.

    0 when balls == 0. Raises ValueError as `allocate` does.
    """
    ### BEGIN SOLUTION
    return int(allocate(balls, bins, d, rng).max())
    ### END SOLUTION


# %% [markdown]
# Try it: 10,000 balls in 10,000 bins with d = 1, 2 and 3, and the leading
# terms $\ln n / \ln\ln n$ and $\ln\ln n / \ln d$ next to them.

# %%
if __name__ == "__main__":
    import math

    n = 10_000
    for d in (1, 2, 3):
        observed = simulate_max_load(n, n, d, np.random.default_rng(0))
        lead = (math.log(n) / math.log(math.log(n)) if d == 1
                else math.log(math.log(n)) / math.log(d))
        print(f"d = {d}: max load {observed}, leading term {lead:.2f}")
