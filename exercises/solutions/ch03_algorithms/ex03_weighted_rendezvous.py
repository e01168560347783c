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
# # Exercise 3.3 — Weighted rendezvous hashing
#
# Rendezvous (highest-random-weight) hashing scores every node for every key
# with a hash of the pair and gives the key to the highest score. To give node
# $i$ a share $w_i / \sum_j w_j$ of the keys, turn the pair's hash into a
# uniform $u_i \in (0, 1)$ and score with
#
# $$\mathrm{score}_i = \frac{-w_i}{\ln u_i}.$$
#
# The winner is the node with the smallest $-\ln(u_i) / w_i$, an exponential
# variable of rate $w_i$; the smallest of independent exponentials is the
# $i$-th with probability $w_i / \sum_j w_j$. The hash function is given: your
# job is the rule. The checks compare you with
# `dsscale.partitioning.rendezvous_node`, measure the shares, and add a node.
# (Book: Chapter 3, "Jump hash, rendezvous and Maglev",
# `book/ch03_algorithms/jump_rendezvous_maglev.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import math

import numpy as np

from dsscale.partitioning import mix64, stable_hash


def hrw_score(key_hash, node_hash):
    """The raw 64-bit score of a (key, node) pair: mix64(key_hash XOR node_hash).

    `mix64` (imported above from `dsscale.partitioning`) is the splitmix64
    finaliser, a bijection of 64-bit words that scrambles every input bit.
    It works on numpy `uint64` arrays, so apply it to a one-element array,
    `np.array([x], dtype=np.uint64)`, and return element 0 as a Python `int`.
    (On a bare numpy scalar it gives the same value but numpy warns about the
    multiplication overflowing, which here is intended wrap-around.)

    Parameters
    ----------
    key_hash, node_hash : int
        In [0, 2**64).

    Returns
    -------
    int
        In [0, 2**64).
    """
    ### BEGIN SOLUTION
    mixed = mix64(np.array([key_hash ^ node_hash], dtype=np.uint64))
    return int(mixed[0])
    ### END SOLUTION


def weighted_score(score, weight):
    r"""The weighted HRW score -weight / ln(u) of a raw score.

    Map the raw score s in [0, 2**64) to u strictly inside (0, 1) by keeping
    its top 52 bits and adding one half:

    .. math:: u = \frac{\lfloor s / 2^{12} \rfloor + 1/2}{2^{52}}

    (in Python, `((s >> 12) + 0.5) / 2**52`, which is exact in floating point,
    so u is never 0 or 1 and ln u is finite and negative). Return
    `-weight / math.log(u)`, a positive float.

    Parameters
    ----------
    score : int
        A raw score from `hrw_score`.
    weight : float
        > 0.

    Raises
    ------
    ValueError
        if weight <= 0 (message contains "weight").
    """
    ### BEGIN SOLUTION
    if not weight > 0:
        raise ValueError(f"weight must be > 0, got {weight}")
    u = ((score >> 12) + 0.5) / 2**52
    return -weight / math.log(u)
    ### END SOLUTION


def choose(key, nodes, weights):
    """The node that owns `key` under weighted rendezvous hashing.

    For each node i compute
    `weighted_score(hrw_score(stable_hash(key), stable_hash(nodes[i])), weights[i])`
    and return the node with the highest; if several tie, the first of them
    in `nodes`. (`stable_hash` is imported above.) With these exact rules your
    answer equals `dsscale.partitioning.rendezvous_node(key, nodes, weights)`.

    Parameters
    ----------
    key : str, bytes or int
    nodes : sequence of str
        Distinct node labels, at least one.
    weights : sequence of float
        One positive weight per node.

    Returns
    -------
    str
        The winning node label (an element of `nodes`).

    Raises
    ------
    ValueError
        if `nodes` is empty (message contains "nodes"), or `weights` does not
        have one positive entry per node (message contains "weights").
    """
    ### BEGIN SOLUTION
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes must contain at least 1 node, got 0")
    if len(weights) != len(nodes):
        raise ValueError(f"weights must have one entry per node ({len(nodes)}), "
                         f"got {len(weights)}")
    if any(not w > 0 for w in weights):
        raise ValueError(f"weights must all be > 0, got {list(weights)}")
    kh = stable_hash(key)
    best, best_score = None, -math.inf
    for node, w in zip(nodes, weights, strict=True):
        s = weighted_score(hrw_score(kh, stable_hash(node)), w)
        if s > best_score:
            best, best_score = node, s
    return best
    ### END SOLUTION


# %% [markdown]
# Try it: four nodes of weights 1, 2, 3 and 4 share 10,000 keys. Then add a
# fifth node of weight 2: which keys move, and where?

# %%
if __name__ == "__main__":
    from collections import Counter

    keys = [f"key-{i}" for i in range(10_000)]
    names, w = ["a", "b", "c", "d"], [1.0, 2.0, 3.0, 4.0]
    before = [choose(k, names, w) for k in keys]
    print(sorted(Counter(before).items()))
    after = [choose(k, names + ["e"], w + [2.0]) for k in keys]
    print(Counter((b, a) for b, a in zip(before, after, strict=True) if a != b))
