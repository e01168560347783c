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
# # Exercise 6.2 — Choosing R and W for an objective
#
# A key is stored on n replicas, each up with probability `node_availability`
# independently. A read asks r replicas, a write waits for w. Compute how
# often each operation can proceed, how often a read right after a write
# misses it (the worst case of probabilistically bounded staleness), and
# choose (r, w) for an availability, staleness and latency objective.
# (Book: Chapter 6, "Sizing", `book/ch06_faq/sizing.md`; the formulas are
# derived in Chapter 3, "Quorums".)
#
# Grade with `dsscale grade ch06`.

# %%
import math  # solution-only


def availability(num_replicas, quorum_size, node_availability):
    """Probability that at least `quorum_size` of `num_replicas` replicas are up.

    Returns
    -------
    float
        Example: availability(3, 2, 0.9) == 3 * 0.9**2 * 0.1 + 0.9**3 == 0.972.

    Raises
    ------
    ValueError
        naming "num_replicas" (< 1), "quorum_size" (outside 1..num_replicas)
        or "node_availability" (outside [0, 1]).
    """
    ### BEGIN SOLUTION
    n, k, a = num_replicas, quorum_size, node_availability
    if n < 1:
        raise ValueError(f"num_replicas must be >= 1, got {n}")
    if not 1 <= k <= n:
        raise ValueError(f"quorum_size must be in 1..{n}, got {k}")
    if not 0 <= a <= 1:
        raise ValueError(f"node_availability must be in [0, 1], got {a}")
    return sum(math.comb(n, i) * a**i * (1 - a) ** (n - i) for i in range(k, n + 1))
    ### END SOLUTION


def stale_probability(num_replicas, read_quorum, write_quorum):
    """Probability that a read right after a write misses it.

    The write is on exactly `write_quorum` replicas, chosen at random; the read
    asks `read_quorum` replicas chosen at random, independently, and is stale
    iff none of them has the write.

    Returns
    -------
    float
        0 exactly when read_quorum + write_quorum > num_replicas. Example:
        stale_probability(3, 1, 1) == 2/3.

    Raises
    ------
    ValueError
        naming "read_quorum" or "write_quorum" when outside 1..num_replicas.
    """
    ### BEGIN SOLUTION
    n, r, w = num_replicas, read_quorum, write_quorum
    if not 1 <= r <= n:
        raise ValueError(f"read_quorum must be in 1..{n}, got {r}")
    if not 1 <= w <= n:
        raise ValueError(f"write_quorum must be in 1..{n}, got {w}")
    return math.comb(n - w, r) / math.comb(n, r)
    ### END SOLUTION


def choose_quorum(num_replicas, node_availability, max_stale, read_fraction=0.5):
    """The (read_quorum, write_quorum) that best meets the objective.

    Among all (r, w) with stale_probability(n, r, w) <= max_stale, choose

    1. the largest availability of the weaker operation,
       min(availability(n, r, a), availability(n, w, a)), compared after
       rounding to 12 decimals;
    2. then the smallest mean latency read_fraction * L(r) + (1 -
       read_fraction) * L(w), where L(k) = sum(1 / i for i in n-k+1..n) is the
       mean time until k of n replicas with exponential response times of
       mean 1 have answered;
    3. then the smaller r.

    Returns
    -------
    tuple of two ints
        Example: choose_quorum(5, 0.99, 0.0) == (3, 3).
    """
    ### BEGIN SOLUTION
    n, a = num_replicas, node_availability

    def latency(k):
        return sum(1 / i for i in range(n - k + 1, n + 1))

    best = None
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            if stale_probability(n, r, w) > max_stale:
                continue
            avail = round(min(availability(n, r, a), availability(n, w, a)), 12)
            key = (-avail, read_fraction * latency(r) + (1 - read_fraction)
                   * latency(w), r)
            if best is None or key < best[0]:
                best = (key, (r, w))
    return best[1]
    ### END SOLUTION


def analysis_slo():
    """Analysis question: an objective for a read-heavy store.

    Seven replicas, each up 99.5 % of the time; 95 % of the operations are
    reads; at most 5 % of reads issued right after a write may miss it.
    Return the (read_quorum, write_quorum) you choose, and the availability
    of the weaker operation with it, as a tuple (r, w, availability).
    """
    ### BEGIN SOLUTION
    r, w = choose_quorum(7, 0.995, 0.05, read_fraction=0.95)
    return r, w, min(availability(7, r, 0.995), availability(7, w, 0.995))
    ### END SOLUTION


# %% [markdown]
# Try it: every quorum of five replicas.

# %%
if __name__ == "__main__":
    for r in range(1, 6):
        print([round(stale_probability(5, r, w), 3) for w in range(1, 6)])
    print(choose_quorum(5, 0.99, 0.1, read_fraction=0.9))
    print(analysis_slo())
