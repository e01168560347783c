"""The cost is R + W, the replicas contacted, whatever the read fraction."""
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
# # Exercise 2.5 — The cheapest quorum design that meets three targets
#
# A key lives on $N$ replicas; a read waits for $R$ of them, a write for $W$.
# Each replica is down independently with probability $p$ and, when up,
# answers after an exponential time of mean $m$. Three quantities follow from
# $(N, R, W)$ — how often each operation cannot form its quorum, how often a
# read right after a write misses it, and how long each operation waits — and
# they pull against each other: "How the trade-offs connect" shows that
# asking for no stale reads puts a majority on one side. Compute the three for
# one design, then search for the cheapest design that meets a target for
# each. You may use `dsscale.quorum` (`quorum_availability`,
# `pbs_stale_probability`), which Chapter 3's exercises build; the latency and
# the search are yours.
# (Book: Chapter 2, "How the trade-offs connect",
# `book/ch02_concepts/tradeoffs.md`; the latency formula is in
# `book/ch02_concepts/cap_pacelc.md`.)
#
# Grade with `dsscale grade ch02`.

# %%
import math

from dsscale.quorum import pbs_stale_probability, quorum_availability


def design_metrics(replication_factor, read_quorum, write_quorum,
                   failure_probability, replica_latency=1.0):
    """Availability, staleness and latency of one quorum design.

    Parameters
    ----------
    replication_factor : int
        N >= 1 replicas.
    read_quorum, write_quorum : int
        R and W, each in 1..N.
    failure_probability : float
        p in [0, 1], the probability that each replica is down, independently.
    replica_latency : float
        m > 0, the mean of an up replica's exponential response time.

    Returns
    -------
    dict
        With exactly these float entries:

        * "read_unavailability": the probability that fewer than R replicas are
          up (a read cannot form its quorum); "write_unavailability" likewise
          for W;
        * "stale_probability": the probability that a read right after a
          write misses it, both quorums uniformly random (PBS; 0 when the
          quorums must intersect);
        * "read_latency": the mean time until the R-th of the N replicas
          answers, all N up; "write_latency" likewise for W.

        For example, `design_metrics(3, 1, 1, 0.0)` has stale probability
        2/3, unavailabilities 0 and latencies m/3.

    Raises
    ------
    ValueError
        if N < 1 (message contains "replication_factor"), R or W is outside
        1..N ("read_quorum" / "write_quorum"), p is outside [0, 1]
        ("failure_probability") or m <= 0 ("replica_latency").
    """
    ### BEGIN SOLUTION
    n, r, w = _check_design(replication_factor, read_quorum, write_quorum)
    p = float(failure_probability)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"failure_probability must be in [0, 1], got {p}")
    m = float(replica_latency)
    if not m > 0.0 or math.isinf(m):
        raise ValueError(f"replica_latency must be > 0 and finite, got {m}")

    def unavailable(k):
        # fewer than k up = at least n - k + 1 down: an availability with the
        # roles of up and down swapped, exact even when it is tiny
        return float(quorum_availability(n, n - k + 1, 1.0 - p))

    def wait(k):
        # k-th of n exponentials: gaps of mean m/n, m/(n-1), ..., m/(n-k+1)
        return m * sum(1.0 / i for i in range(n - k + 1, n + 1))

    return {"read_unavailability": unavailable(r),
            "write_unavailability": unavailable(w),
            "stale_probability": float(pbs_stale_probability(n, r, w)),
            "read_latency": wait(r), "write_latency": wait(w)}
    ### END SOLUTION


def _check_design(replication_factor, read_quorum, write_quorum):
    """Validate (N, R, W) and return them as ints (a helper you may use)."""
    for name, value in (("replication_factor", replication_factor),
                        ("read_quorum", read_quorum), ("write_quorum", write_quorum)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if replication_factor < 1:
        raise ValueError(f"replication_factor must be >= 1, got {replication_factor}")
    for name, value in (("read_quorum", read_quorum), ("write_quorum", write_quorum)):
        if not 1 <= value <= replication_factor:
            raise ValueError(f"{name} must be in 1..{replication_factor}, got {value}")
    return replication_factor, read_quorum, write_quorum


def cheapest_design(failure_probability, max_unavailability, max_stale, max_latency,
                    *, read_fraction=0.5, max_replicas=9, replica_latency=1.0):
    """The cheapest (N, R, W) whose reads and writes both meet every target.

    A design meets the targets when, by `design_metrics`, both
    unavailabilities are <= `max_unavailability`, the stale probability is
    <= `max_stale`, and both latencies are <= `max_latency`.

    Among the designs with N in 1..`max_replicas` that meet the targets, the
    cheapest has the fewest replicas N; among those, the smallest mean
    latency per operation, `read_fraction * read_latency + (1 - read_fraction)
    * write_latency` (two costs within 1e-9 of each other count as equal);
    among those, the smallest R, then the smallest W.

    Returns
    -------
    tuple of int or None
        `(N, R, W)`, or None if no design meets the targets.

    Raises
    ------
    ValueError
        if `failure_probability` or `read_fraction` is outside [0, 1]
        (the message names it), or `max_replicas` < 1 ("max_replicas").

    Example: with p = 0.01, at most 1e-3 unavailability, no staleness and a
    mean latency of at most 1.0 (in units of m), the answer is (3, 2, 2).
    """
    ### BEGIN SOLUTION
    f = float(read_fraction)
    if not 0.0 <= f <= 1.0:
        raise ValueError(f"read_fraction must be in [0, 1], got {f}")
    if isinstance(max_replicas, bool) or not isinstance(max_replicas, int) \
            or max_replicas < 1:
        raise ValueError(f"max_replicas must be an int >= 1, got {max_replicas!r}")
    for n in range(1, max_replicas + 1):
        best, best_cost = None, math.inf
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                d = design_metrics(n, r, w, failure_probability, replica_latency)
                if (max(d["read_unavailability"], d["write_unavailability"])
                        > max_unavailability or d["stale_probability"] > max_stale
                        or max(d["read_latency"], d["write_latency"]) > max_latency):
                    continue
                cost = r + w
                if cost < best_cost - 1e-9:  # r grows: a tie keeps the smaller R
                    best, best_cost = (n, r, w), cost
        if best is not None:
            return best
    return None
    ### END SOLUTION


def analysis_majority_floor():
    """Analysis question: the price of never reading stale data.

    N = 5 replicas, each down independently with probability 0.02. Among all
    (R, W) with R + W > N, what is the smallest possible probability that the
    *weaker* of the two operations (the one more often unavailable) cannot
    form its quorum? Return it as a float.
    """
    ### BEGIN SOLUTION
    # one of R, W is at least 3 = a majority; R = W = 3 makes both exactly
    # a majority: P(at least 3 of 5 down) = 10 p^3 q^2 + 5 p^4 q + p^5
    p, q = 0.02, 0.98
    return 10 * p**3 * q**2 + 5 * p**4 * q + p**5
    ### END SOLUTION


# %% [markdown]
# Try it: print `design_metrics` for N = 3 and N = 5 with majority quorums,
# then ask `cheapest_design` for the designs of the two services in the
# chapter: a store that tolerates some staleness but must be writable, and a
# lock service that may never be stale.

# %%
if __name__ == "__main__":
    for n in (3, 5):
        print(n, design_metrics(n, n // 2 + 1, n // 2 + 1, 0.01))
    print("tolerant:", cheapest_design(0.01, 1e-5, 0.2, 1.0))
    print("strict:  ", cheapest_design(0.01, 1e-5, 0.0, 1.0))
