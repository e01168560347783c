"""A majority of n taken as ceil(n/2), too small for even n."""
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
# # Exercise 5.4 — Commit latency of a geo-distributed placement
#
# A replicated log has one replica at each of n sites. The leader sends each
# new entry to every follower at time 0; a follower stores it and
# acknowledges at once, so its acknowledgement arrives one round trip later.
# The leader's own copy counts as stored at time 0. The entry is committed
# as soon as `write_quorum` replicas, the leader included, hold it; by
# default that is a majority of the n replicas.
#
# Implement the commit latency of a placement, the leader that serves a mix
# of clients best, and answer an analysis question about a seven-region
# group. (Book: Chapter 5, "Geo-distribution",
# `book/ch05_trends/geo_distribution.md`.)
#
# Grade with `dsscale grade ch05`.

# %%
import numpy as np

from dsscale.geo import rtt_matrix_ms


def commit_latency(rtt_ms, leader, write_quorum=None):
    """Milliseconds from proposal to commit when `leader` leads.

    Parameters
    ----------
    rtt_ms : (n, n) array_like
        Round trips between the sites in ms: non-negative, square, with a
        zero diagonal.
    leader : int
        Index of the leader's site, in 0..n-1.
    write_quorum : int or None
        Replicas that must hold the entry, leader included, in 1..n; None
        means the smallest majority of n.

    Returns
    -------
    float
        The earliest time at which `write_quorum` replicas hold the entry.
        Example: for rtt_ms = [[0, 10, 70], [10, 0, 65], [70, 65, 0]],
        leader 0 commits after 10.0 ms and leader 2 after 65.0 ms.

    Raises
    ------
    ValueError
        naming "rtt_ms" if it is not square, has a negative entry or a
        non-zero diagonal; "leader" if it is out of range; "write_quorum"
        if it is not in 1..n (checked in that order).
    """
    ### BEGIN SOLUTION
    rtt = np.asarray(rtt_ms, dtype=float)
    if rtt.ndim != 2 or rtt.shape[0] != rtt.shape[1] or rtt.shape[0] == 0:
        raise ValueError(f"rtt_ms must be a square matrix, got shape {rtt.shape}")
    if np.any(rtt < 0) or np.any(np.diag(rtt) != 0):
        raise ValueError("rtt_ms must be non-negative with a zero diagonal")
    n = rtt.shape[0]
    if not 0 <= leader < n:
        raise ValueError(f"leader must be in 0..{n - 1}, got {leader}")
    if write_quorum is None:
        write_quorum = -(-n // 2)
    if not 1 <= write_quorum <= n:
        raise ValueError(f"write_quorum must be in 1..{n}, got {write_quorum}")
    return float(np.sort(rtt[leader])[write_quorum - 1])
    ### END SOLUTION


def best_leader(rtt_ms, client_weights=None, write_quorum=None):
    """The site whose leadership gives clients the lowest mean write latency.

    A client at site c sends its write to the leader, waits for the commit
    and receives the reply: its latency is rtt_ms[c][leader] plus the
    commit latency at that leader. `client_weights[c]` is the share of
    writes issued at site c (non-negative, any positive total; they are
    normalised). With `client_weights` None every write is issued at the
    leader's own site, so only the commit latency counts.

    Returns
    -------
    int
        The index of the best site; on a tie, the smallest index.

    Raises
    ------
    ValueError
        as `commit_latency` does, and naming "client_weights" if they are
        not n non-negative numbers with a positive sum.
    """
    ### BEGIN SOLUTION
    rtt = np.asarray(rtt_ms, dtype=float)
    commits = [commit_latency(rtt, ell, write_quorum) for ell in range(len(rtt))]
    if client_weights is None:
        costs = commits
    else:
        w = np.asarray(client_weights, dtype=float)
        if w.shape != (len(rtt),) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("client_weights must be n non-negative numbers with "
                             "a positive sum")
        costs = [float(w @ rtt[:, ell] / w.sum()) + commits[ell]
                 for ell in range(len(rtt))]
    return int(np.argmin(costs))
    ### END SOLUTION


SITES = ("Dublin", "Frankfurt", "Mumbai", "Singapore", "Tokyo", "Sydney",
         "Sao Paulo")


def analysis_seven_regions():
    """Analysis question: a seven-region group on the fibre floor.

    One replica sits in each city of SITES; links take the round-trip floor
    of light in fibre between the cities (`dsscale.geo.rtt_matrix_ms`).

    Return a tuple (site, majority_ms, flexible_ms):

    * site: the name (a str from SITES) of the leader with the fastest
      commits under majority quorums;
    * majority_ms: its commit latency in ms with a majority quorum;
    * flexible_ms: its commit latency in ms if the group switches to
      flexible quorums with a replication quorum of 3 (and an election
      quorum of 5).
    """
    ### BEGIN SOLUTION
    rtt = rtt_matrix_ms(SITES)
    leader = best_leader(rtt)
    return (SITES[leader], commit_latency(rtt, leader),
            commit_latency(rtt, leader, write_quorum=3))
    ### END SOLUTION


# %% [markdown]
# Try it: a three-region group, and the analysis question.

# %%
if __name__ == "__main__":
    rtt = [[0, 10, 70], [10, 0, 65], [70, 65, 0]]
    print([commit_latency(rtt, ell) for ell in range(3)], best_leader(rtt))
    print(analysis_seven_regions())
