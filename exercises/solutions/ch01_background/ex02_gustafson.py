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
# # Exercise 1.2 — Gustafson's law, and what "parallel fraction" means
#
# Gustafson measures the parallel fraction $p_G$ on the *n-worker* run: the
# run spends $(1 - p_G)$ of its time in serial code and $p_G$ in parallel code
# spread over $n$ workers. The same job on one worker would take
# $(1 - p_G) + p_G n$ of those time units, which is the scaled speedup.
# Amdahl measures his fraction $p_A$ on the *one-worker* run of that same job.
# (Book: Chapter 1, "Amdahl's and Gustafson's laws".)

# %%
import numpy as np


def gustafson_speedup(parallel_fraction, workers):
    """Scaled speedup T_1 / T_n of the job above, p measured on the n-worker run.

    Broadcasts like numpy (returns a float for scalar inputs, an array
    otherwise). Raises ValueError naming "parallel_fraction" if any p is
    outside [0, 1], and naming "workers" if any n < 1.
    """
    ### BEGIN SOLUTION
    p = np.asarray(parallel_fraction, dtype=float)
    n = np.asarray(workers, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(
            f"parallel_fraction must be in [0, 1], got {parallel_fraction}")
    if np.any(n < 1):
        raise ValueError(f"workers must be >= 1, got {workers}")
    s = (1.0 - p) + p * n
    return float(s) if s.ndim == 0 else s
    ### END SOLUTION


def amdahl_fraction_from_gustafson(parallel_fraction, workers):
    """Convert Gustafson's p_G (measured on n workers) into Amdahl's p_A.

    Both describe the same job. Return p_A, the fraction of the *one-worker*
    run time that parallelises, as a float. With it, Amdahl's speedup at n
    workers equals Gustafson's scaled speedup: the two laws agree once the
    fractions are measured on the same run. Raises ValueError as
    gustafson_speedup does.
    """
    ### BEGIN SOLUTION
    scaled = gustafson_speedup(parallel_fraction, workers)
    return float(parallel_fraction) * float(workers) / float(scaled)
    ### END SOLUTION


# %%
if __name__ == "__main__":
    p_g = 0.9
    print(gustafson_speedup(p_g, 64), amdahl_fraction_from_gustafson(p_g, 64))
