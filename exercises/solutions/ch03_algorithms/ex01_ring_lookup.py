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
# # Exercise 3.1 — A consistent-hash ring with virtual nodes
#
# Consistent hashing puts each node at $v$ points ("virtual nodes") on the
# circle of 64-bit hash values $[0, 2^{64})$. A key with hash $h$ belongs to the
# owner of the first point at or after $h$, wrapping around past the largest
# point to the smallest. A Dynamo-style store keeps replicas on the next
# distinct nodes clockwise, its *preference list*. Build the ring, look keys up
# with binary search, and walk it for a preference list; the checks compare
# your ring with `dsscale.partitioning.HashRing`.
# (Book: Chapter 3, "Consistent hashing", `book/ch03_algorithms/consistent_hashing.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
from bisect import bisect_left


def successor_owner(points, owners, h):
    """The owner of the first ring point at or after position `h`.

    Find the smallest index i with `points[i] >= h` by binary search; if
    there is none (h is past the last point) wrap around to i = 0. Return
    `owners[i]`. With points `[100, 200, 300]` and
    owners `["A", "B", "C"]`: h = 50 -> "A", 100 -> "A" (a point owns its own
    position), 101 -> "B", 300 -> "C", 301 -> "A" (wrap).

    Parameters
    ----------
    points : list of int
        Ring positions, sorted in increasing order, at least one.
    owners : list
        `owners[i]` is the node that placed `points[i]`; same length.
    h : int
        A position on the ring, e.g. `stable_hash(key)`.

    Raises
    ------
    ValueError
        if `points` is empty (message contains "points") or `owners` has a
        different length (message contains "owners").
    """
    ### BEGIN SOLUTION
    if len(points) == 0:
        raise ValueError("points must contain at least 1 ring point")
    if len(owners) != len(points):
        raise ValueError(f"owners must have one entry per point ({len(points)}), "
                         f"got {len(owners)}")
    i = bisect_left(points, h)
    return owners[0 if i == len(points) else i]
    ### END SOLUTION


def build_ring(nodes, vnodes, hash_fn):
    """Place `vnodes` points for each node and return the sorted ring.

    Node `node`'s i-th point (i = 0, 1, ..., vnodes - 1) sits at
    `hash_fn(f"{node}#{i}")`: for node "cache-7" the tokens are "cache-7#0",
    "cache-7#1", .... Sort all `len(nodes) * vnodes` points by position; if
    two positions are equal, keep them in creation order (nodes in the order
    given, then i), which a stable sort does for you.

    Parameters
    ----------
    nodes : sequence of str
        Distinct node labels, at least one.
    vnodes : int
        Points per node, >= 1.
    hash_fn : callable str -> int
        The hash that places a token on the ring. The checks pass
        `dsscale.partitioning.stable_hash`, with which your ring equals
        `HashRing(nodes, vnodes)`: its `.points`, and its `.point_owners`
        as indices into `nodes`.

    Returns
    -------
    (points, owners) : tuple of two lists
        `points` the positions in increasing order, `owners[j]` the node
        (label) that placed `points[j]`.

    Raises
    ------
    ValueError
        if `nodes` is empty or has duplicates (message contains "nodes"), or
        `vnodes` < 1 (message contains "vnodes").
    """
    ### BEGIN SOLUTION
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes must contain at least 1 node, got 0")
    if len(set(nodes)) != len(nodes):
        raise ValueError("nodes must be distinct")
    if vnodes < 1:
        raise ValueError(f"vnodes must be >= 1, got {vnodes}")
    placed = [(hash_fn(f"{node}#{i}"), node) for node in nodes for i in range(vnodes)]
    placed.sort(key=lambda pair: pair[0])  # stable: equal positions keep order
    return [p for p, _ in placed], [o for _, o in placed]
    ### END SOLUTION


def preference_list(points, owners, h, n):
    """The first `n` distinct nodes met walking clockwise from position `h`.

    Start at the point `successor_owner` would pick, then visit the next
    points in increasing order, wrapping from the last to the first, and
    collect each owner the first time you meet it, until you have `n`.
    The first entry is `successor_owner(points, owners, h)`.

    Parameters
    ----------
    points, owners : lists as in `successor_owner`
    h : int
        A ring position.
    n : int
        1 <= n <= number of distinct owners.

    Returns
    -------
    list
        n distinct owners, in the order met.

    Raises
    ------
    ValueError
        if n is out of range (message contains "n"), or `points` / `owners`
        are invalid as in `successor_owner`.
    """
    ### BEGIN SOLUTION
    if len(points) == 0:
        raise ValueError("points must contain at least 1 ring point")
    if len(owners) != len(points):
        raise ValueError(f"owners must have one entry per point ({len(points)}), "
                         f"got {len(owners)}")
    distinct = len(set(owners))
    if not 1 <= n <= distinct:
        raise ValueError(f"n must be in 1..{distinct} (the distinct owners), got {n}")
    i = bisect_left(points, h)
    found = []
    while len(found) < n:
        owner = owners[i % len(points)]
        if owner not in found:
            found.append(owner)
        i += 1
    return found
    ### END SOLUTION


# %% [markdown]
# Try it: build a ring of 5 nodes with 100 virtual nodes each, count how many
# of 10,000 keys each node owns, and look at a preference list.

# %%
if __name__ == "__main__":
    from collections import Counter

    from dsscale.partitioning import stable_hash

    ring_points, ring_owners = build_ring([f"n{i}" for i in range(5)], 100, stable_hash)
    counts = Counter(successor_owner(ring_points, ring_owners, stable_hash(f"k{j}"))
                     for j in range(10_000))
    print(sorted(counts.items()))
    print(preference_list(ring_points, ring_owners, stable_hash("k0"), 3))
