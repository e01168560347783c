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
# # Exercise 5.5 — Quorums over failure zones
#
# A storage service keeps the copies of each item in several zones (Aurora:
# six copies, two in each of three availability zones; writes need 4 copies,
# reads 3). Copies fail on their own, and a whole zone can fail at once.
# Decide whether a quorum survives a given failure in the worst case,
# compute how often a quorum can be formed when zones and copies fail at
# random, and answer an analysis question about Aurora.
# (Book: Chapter 5, "Disaggregated storage",
# `book/ch05_trends/disaggregated_storage.md`.)
#
# Grade with `dsscale grade ch05`.

# %%
import math  # solution-only


def survives(replicas_per_zone, quorum_size, zones_down, nodes_down):
    """Whether a quorum can still be formed after ANY such failure.

    Parameters
    ----------
    replicas_per_zone : sequence of int
        Copies in each zone, each >= 1.
    quorum_size : int
        Copies that must be up, in 1..total.
    zones_down : int
        Whole zones that fail, in 0..number of zones.
    nodes_down : int
        Further single copies that fail, >= 0 (in the zones still up).

    Returns
    -------
    bool
        True iff, whichever zones and copies fail, at least `quorum_size`
        copies are left. Example: survives((2, 2, 2), 3, 1, 1) is True and
        survives((1, 1, 1), 2, 1, 1) is False.

    Raises
    ------
    ValueError
        naming "replicas_per_zone" if a zone holds fewer than 1 copy or there
        is no zone; "quorum_size", "zones_down" or "nodes_down" if out of
        range (checked in that order).
    """
    ### BEGIN SOLUTION
    sizes = list(replicas_per_zone)
    if not sizes or any(m < 1 for m in sizes):
        raise ValueError("replicas_per_zone must hold at least one zone, each >= 1")
    total = sum(sizes)
    if not 1 <= quorum_size <= total:
        raise ValueError(f"quorum_size must be in 1..{total}, got {quorum_size}")
    if not 0 <= zones_down <= len(sizes):
        raise ValueError(f"zones_down must be in 0..{len(sizes)}, got {zones_down}")
    if nodes_down < 0:
        raise ValueError(f"nodes_down must be >= 0, got {nodes_down}")
    lost = sum(sorted(sizes, reverse=True)[:zones_down]) + nodes_down
    return total - lost >= quorum_size
    ### END SOLUTION


def zone_availability(replicas_per_zone, quorum_size, node_failure_probability,
                      zone_failure_probability):
    """Probability that at least `quorum_size` copies are up.

    Each zone is down with probability `zone_failure_probability`,
    independently of the others, and takes all its copies down. In a zone
    that is up, each copy is down with probability
    `node_failure_probability`, independently.

    Returns
    -------
    float
        The probability. Example: with no zone failures it equals the
        binomial availability of the total number of copies; for (2, 2, 2),
        quorum 4, node probability 0 and zone probability 0.1 it is 0.972.

    Raises
    ------
    ValueError
        as `survives` does for "replicas_per_zone" and "quorum_size", and
        naming "node_failure_probability" or "zone_failure_probability" if
        outside [0, 1].
    """
    ### BEGIN SOLUTION
    sizes = list(replicas_per_zone)
    if not sizes or any(m < 1 for m in sizes):
        raise ValueError("replicas_per_zone must hold at least one zone, each >= 1")
    total = sum(sizes)
    if not 1 <= quorum_size <= total:
        raise ValueError(f"quorum_size must be in 1..{total}, got {quorum_size}")
    p, q = node_failure_probability, zone_failure_probability
    if not 0 <= p <= 1:
        raise ValueError(f"node_failure_probability must be in [0, 1], got {p}")
    if not 0 <= q <= 1:
        raise ValueError(f"zone_failure_probability must be in [0, 1], got {q}")
    pmf = [1.0]                       # pmf[i] = P(i copies up) over the zones so far
    for m in sizes:
        zone = [(1 - q) * math.comb(m, i) * (1 - p) ** i * p ** (m - i)
                for i in range(m + 1)]
        zone[0] += q
        grown = [0.0] * (len(pmf) + m)
        for a, pa in enumerate(pmf):
            for b, pb in enumerate(zone):
                grown[a + b] += pa * pb
        pmf = grown
    return min(1.0, sum(pmf[quorum_size:]))
    ### END SOLUTION


def analysis_aurora_ratio():
    """Analysis question: Aurora's writes against its reads.

    Aurora keeps 6 copies, 2 in each of 3 zones, and needs 4 copies to
    write and 3 to read. With node_failure_probability 0.01 and
    zone_failure_probability 0.001, how many times more likely is it that
    writes are unavailable than that reads are? Return the ratio
    (1 - A_write) / (1 - A_read) as a float.
    """
    ### BEGIN SOLUTION
    write = 1 - zone_availability((2, 2, 2), 4, 0.01, 0.001)
    read = 1 - zone_availability((2, 2, 2), 3, 0.01, 0.001)
    return write / read
    ### END SOLUTION


# %% [markdown]
# Try it: Aurora's design point, and three copies in three zones.

# %%
if __name__ == "__main__":
    for sizes, quorum in (((2, 2, 2), 4), ((2, 2, 2), 3), ((1, 1, 1), 2)):
        print(sizes, quorum, "AZ+1:", survives(sizes, quorum, 1, 1),
              "unavailability:", 1 - zone_availability(sizes, quorum, 0.01, 0.001))
    print("write/read:", analysis_aurora_ratio())
