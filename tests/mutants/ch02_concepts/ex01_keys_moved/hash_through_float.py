"""Passes the hash through a float, losing the low bits of 64-bit hashes."""
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
# # Exercise 2.1 — How many keys move when a modulo cluster grows
#
# Hash partitioning places a key whose 64-bit hash is $h$ on node
# $h \bmod n$. It balances well, but growing the cluster from $n$ to $n + 1$
# nodes keeps a key in place only if $h \bmod n = h \bmod (n + 1)$. Implement
# the placement rule, measure the fraction of keys that move, and compare it
# with the expected fraction you derive; the fraction that *must* move is only
# the new node's fair share, $1 / (n + 1)$.
# (Book: Chapter 2, "Partitioning", `book/ch02_concepts/partitioning.md`.)
#
# Grade with `dsscale grade ch02`.

# %%
import numpy as np


def modulo_owner(key_hash, num_nodes):
    """The node index that owns a key under modulo placement: h mod n.

    Parameters
    ----------
    key_hash : int or numpy array of integers
        Non-negative key hash(es) h, e.g. from
        `dsscale.partitioning.stable_hash`.
    num_nodes : int
        n >= 1, the number of nodes, numbered 0..n-1.

    Returns
    -------
    int or numpy array
        `key_hash % num_nodes`: a Python int for an int `key_hash`, an integer
        array of the same shape for an array (so
        `modulo_owner(np.array([7, 8]), 3)` is `array([1, 2])`).

    Raises
    ------
    ValueError
        if `num_nodes` < 1 (the message must contain "num_nodes").
    """
    ### BEGIN SOLUTION
    if num_nodes < 1:
        raise ValueError(f"num_nodes must be >= 1, got {num_nodes}")
    if isinstance(key_hash, np.ndarray):
        return key_hash % num_nodes
    return int(float(key_hash)) % num_nodes
    ### END SOLUTION


def moved_fraction_modulo(key_hashes, old_nodes, new_nodes):
    """Fraction of keys whose owner changes when n goes from old to new nodes.

    A key moves when `modulo_owner(h, old_nodes) != modulo_owner(h, new_nodes)`.

    Parameters
    ----------
    key_hashes : sequence or numpy array of non-negative ints
        One hash per key, at least one.
    old_nodes, new_nodes : int
        Node counts before and after, each >= 1.

    Returns
    -------
    float
        (number of keys that move) / len(key_hashes), in [0, 1]. For
        example `moved_fraction_modulo(range(12), 3, 4)` is 0.75: only the
        hashes 0, 1 and 2 have the same remainder mod 3 and mod 4.

    Raises
    ------
    ValueError
        if `key_hashes` is empty (message contains "key_hashes"), or if a node
        count is < 1 (message contains "old_nodes" or "new_nodes").
    """
    ### BEGIN SOLUTION
    hashes = [int(h) for h in key_hashes]
    if not hashes:
        raise ValueError("key_hashes must contain at least 1 hash")
    if old_nodes < 1:
        raise ValueError(f"old_nodes must be >= 1, got {old_nodes}")
    if new_nodes < 1:
        raise ValueError(f"new_nodes must be >= 1, got {new_nodes}")
    moved = sum(modulo_owner(h, old_nodes) != modulo_owner(h, new_nodes)
                for h in hashes)
    return moved / len(hashes)
    ### END SOLUTION


def expected_moved_fraction_modulo(n):
    """Expected fraction of keys that move when n nodes become n + 1.

    For uniformly distributed hashes, as a float. Derive it: for which
    remainders of h modulo n(n + 1) do h mod n and h mod (n + 1) agree?

    Raises
    ------
    ValueError
        if n < 1 (the message must contain "n").
    """
    ### BEGIN SOLUTION
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return n / (n + 1)
    ### END SOLUTION


# %% [markdown]
# Try it: hash 20,000 keys with the package's stable hash, grow 4 nodes to 5
# and 9 to 10, and compare the measured fraction with $n/(n+1)$. Then compare
# with the $1/(n+1)$ that consistent hashing (Chapter 3) achieves.

# %%
if __name__ == "__main__":
    from dsscale.partitioning import stable_hash_many

    hashes = stable_hash_many([f"user-{i}" for i in range(20_000)])
    for n in (4, 9):
        measured = moved_fraction_modulo(hashes, n, n + 1)
        print(f"{n} -> {n + 1} nodes: moved {measured:.4f}, "
              f"formula {expected_moved_fraction_modulo(n):.4f}, "
              f"minimum {1 / (n + 1):.4f}")
