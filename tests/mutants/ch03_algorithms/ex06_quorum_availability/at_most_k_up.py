"""Sums the outcomes with at most k replicas up instead of at least k."""
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
# # Exercise 3.6 — How available is a quorum?
#
# A replicated register on $n$ nodes that needs $k$ of them to answer can
# serve a request exactly when at least $k$ nodes are up. If each node is down
# independently with probability $p$, the number of nodes up is
# Binomial$(n, 1 - p)$, so
#
# $$A(n, k, p) = \sum_{i=k}^{n} \binom{n}{i} (1 - p)^i \, p^{\,n-i}.$$
#
# Majority quorums ($k = \lfloor n/2 \rfloor + 1$) get more available as $n$
# grows when $p < 1/2$, and less available when $p > 1/2$. Implement $A$, the
# smallest majority cluster that meets an availability target, and the best
# split of a strict quorum system into read and write quorums for a given mix
# of reads and writes.
# (Book: Chapter 3, "Quorums", `book/ch03_algorithms/quorums.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import math  # solution-only


def availability(n, k, p_fail):
    """Probability that at least `k` of `n` independent nodes are up.

    Parameters
    ----------
    n : int
        Number of nodes, >= 1.
    k : int
        Nodes needed, in 1..n.
    p_fail : float
        Probability that a node is down, in [0, 1].

    Returns
    -------
    float
        A(n, k, p) above; compute the sum with `math.comb`.

    Raises
    ------
    ValueError
        naming "n" if n < 1, "k" if k is not in 1..n, and "p_fail" if p_fail
        is outside [0, 1] (checked in that order).
    """
    ### BEGIN SOLUTION
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 1 <= k <= n:
        raise ValueError(f"k must be in 1..n ({n}), got {k}")
    if not 0.0 <= p_fail <= 1.0:
        raise ValueError(f"p_fail must be in [0, 1], got {p_fail}")
    up = 1.0 - p_fail
    return float(sum(math.comb(n, i) * up**i * p_fail ** (n - i)
                     for i in range(0, k + 1)))
    ### END SOLUTION


def smallest_cluster(target, p_fail, max_n=101):
    """The smallest odd cluster whose majority quorum meets `target`.

    Try n = 1, 3, 5, ..., max_n in turn and return the first n with
    `availability(n, n // 2 + 1, p_fail) >= target`; return None if no odd
    n <= max_n does (e.g. when p_fail >= 1/2 and target > 1 - p_fail).

    Parameters
    ----------
    target : float
        Required availability, in (0, 1) (open interval).
    p_fail : float
        Probability that a node is down, in [0, 1].
    max_n : int
        Largest cluster to consider, >= 1.

    Returns
    -------
    int or None

    Raises
    ------
    ValueError
        naming "target" if target is not in (0, 1), and "p_fail" if p_fail
        is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), got {target}")
    if not 0.0 <= p_fail <= 1.0:
        raise ValueError(f"p_fail must be in [0, 1], got {p_fail}")
    for n in range(1, max_n + 1, 2):
        if availability(n, n // 2 + 1, p_fail) >= target:
            return n
    return None
    ### END SOLUTION


def best_read_quorum(n, p_fail, read_fraction):
    """The read quorum r of a strict quorum system that is most often usable.

    With read quorum r and write quorum w = n + 1 - r (the smallest w with
    r + w > n, so every read meets every write), a random operation is a read
    with probability f = `read_fraction` and can proceed with probability

        U(r) = f * A(n, r, p) + (1 - f) * A(n, n + 1 - r, p).

    Return the r in 1..n that maximises U(r), as an int; of several with the
    same U(r), the smallest. (Reading one replica and writing all is best for
    read-heavy loads when nodes rarely fail.)

    Raises
    ------
    ValueError
        naming "n" if n < 1, "p_fail" if it is outside [0, 1], and
        "read_fraction" if it is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0.0 <= p_fail <= 1.0:
        raise ValueError(f"p_fail must be in [0, 1], got {p_fail}")
    if not 0.0 <= read_fraction <= 1.0:
        raise ValueError(f"read_fraction must be in [0, 1], got {read_fraction}")
    best, best_u = 1, -1.0
    for r in range(1, n + 1):
        u = (read_fraction * availability(n, r, p_fail)
             + (1.0 - read_fraction) * availability(n, n + 1 - r, p_fail))
        if u > best_u:
            best, best_u = r, u
    return best
    ### END SOLUTION


# %% [markdown]
# Try it: availability of majorities as the cluster grows, at p = 0.05 and
# p = 0.6, and the best read quorum of five replicas for a read-heavy load.

# %%
if __name__ == "__main__":
    for p in (0.05, 0.6):
        print(p, [round(availability(n, n // 2 + 1, p), 6) for n in (1, 3, 5, 7, 9)])
    print("smallest majority cluster for 99.99 % at p = 0.05:",
          smallest_cluster(0.9999, 0.05))
    print("best r of n = 5, p = 0.05, 95 % reads:", best_read_quorum(5, 0.05, 0.95))
