"""Takes the ceiling of a float product: 1.1 * 10 = 11.000000000000002 becomes 12."""
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
# # Exercise 3.4 — Consistent hashing with bounded loads
#
# A plain ring lets an unlucky node hold far more than the average $m / n$
# keys. Consistent hashing with bounded loads (Mirrokni, Thorup and
# Zadimoghaddam, 2018) caps every node at
#
# $$c = \left\lceil (1 + \varepsilon)\, \frac{m}{n} \right\rceil$$
#
# keys. A key starts at its usual successor on the ring, but if that node is
# full it moves on clockwise to the first node with room. Since
# $n c \ge (1 + \varepsilon) m > m$, a node with room always exists. Compute
# the cap exactly, then run the forwarding rule on a small ring.
# (Book: Chapter 3, "Bounded loads and the power of two choices",
# `book/ch03_algorithms/bounded_loads_and_choices.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import bisect
import math
from fractions import Fraction


def capacity(m, n, epsilon):
    r"""The per-node cap ceil((1 + epsilon) * m / n), computed exactly.

    Floating point gets this wrong: `(1 + 0.1) * 100 / 10` is
    11.000000000000002, whose ceiling is 12, while the cap for 100 keys on 10
    nodes with epsilon = 0.1 is 11. So read epsilon as the exact fraction
    `Fraction(str(epsilon))` (0.1 is exactly 1/10; a `Fraction` or an int
    passes through unchanged) and do the arithmetic with fractions or
    integers, e.g. `math.ceil((1 + eps) * m / n)` with `eps` a Fraction.

    Parameters
    ----------
    m : int
        Number of keys, >= 0.
    n : int
        Number of nodes, >= 1.
    epsilon : float, int or fractions.Fraction
        Slack, > 0.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        naming "m" if m < 0, "n" if n < 1, "epsilon" if epsilon <= 0.
    """
    ### BEGIN SOLUTION
    if m < 0:
        raise ValueError(f"m must be >= 0, got {m}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    eps = Fraction(str(epsilon))
    if eps <= 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}")
    return math.ceil((1 + float(epsilon)) * m / n)
    ### END SOLUTION


def assign_bounded(key_positions, node_positions, epsilon):
    """Place keys on a ring, in order, never letting a node exceed the cap.

    Node i sits at ring position `node_positions[i]` (one point per node; the
    list need not be sorted). The cap is `capacity(m, n, epsilon)` with
    m = len(key_positions) and n = len(node_positions), fixed for the whole
    call. Process the keys in the order given. A key at position p starts
    at its successor: the node with the smallest position >= p, or, if there
    is none, the node with the smallest position (wrap-around). While that
    node already holds `cap` keys, move to the next node clockwise (the next
    larger position, wrapping from the largest to the smallest). Give the key
    to the first node with fewer than `cap` keys.

    Example: nodes at [10, 40, 70], keys at [5, 8, 12, 35, 38, 39, 80, 90],
    epsilon = 0.1: cap = ceil(1.1 * 8 / 3) = 3. Keys 5, 8 -> node 0;
    12, 35, 38 -> node 1; 39 finds node 1 full -> node 2; 80 wraps to
    node 0; 90 finds nodes 0 and 1 full -> node 2. Answer
    [0, 0, 1, 1, 1, 2, 0, 2].

    Parameters
    ----------
    key_positions : sequence of int
        Ring positions of the keys (repeats allowed: each entry is a key).
    node_positions : sequence of int
        Distinct ring positions of the nodes, at least one.
    epsilon : float, int or Fraction
        > 0, as in `capacity`.

    Returns
    -------
    list of int
        The node index (into `node_positions`) of each key, in key order.

    Raises
    ------
    ValueError
        if `node_positions` is empty or has duplicates (message contains
        "node_positions"), or epsilon <= 0 (message contains "epsilon").
    """
    ### BEGIN SOLUTION
    n = len(node_positions)
    if n == 0 or len(set(node_positions)) != n:
        raise ValueError("node_positions must hold at least 1 distinct position")
    cap = capacity(len(key_positions), n, epsilon)
    ring = sorted(range(n), key=lambda i: node_positions[i])  # node indices, clockwise
    ordered = [node_positions[i] for i in ring]
    loads = [0] * n
    out = []
    for p in key_positions:
        slot = bisect.bisect_left(ordered, p) % n
        while loads[ring[slot]] >= cap:
            slot = (slot + 1) % n
        loads[ring[slot]] += 1
        out.append(ring[slot])
    return out
    ### END SOLUTION


# %% [markdown]
# Try it: 1,000 keys on 10 nodes with random positions. How full is the
# fullest node with and without the cap? (A huge epsilon means no cap.)

# %%
if __name__ == "__main__":
    from collections import Counter

    from dsscale.partitioning import stable_hash

    nodes = [stable_hash(f"node-{i}") for i in range(10)]
    keys = [stable_hash(f"key-{j}") for j in range(1000)]
    for eps in (0.25, 1000):
        loads = Counter(assign_bounded(keys, nodes, eps))
        print(f"epsilon={eps}: cap {capacity(1000, 10, eps)}, "
              f"max load {max(loads.values())}")
