"""Hashes keys and values without their length prefix: ('ab', 'c') collides with ('a', 'bc')."""
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
# # Exercise 3.8 — Merkle trees for anti-entropy
#
# Two replicas of a key-value store drift apart (a write missed one of them;
# a node was down). To find which keys differ without shipping every item,
# each replica hashes its items into $2^{d}$ leaf *buckets* and hashes pairs of
# children up to a root (Merkle, 1987; Dynamo §4.7). The replicas compare
# roots; where two hashes differ they compare the two children, and so on
# down: with $m$ differing buckets they compare at most $1 + 2\,m\,d$ hashes
# instead of all items. Build the tree exactly as specified (so that equal
# contents give equal roots on any machine), then implement the descent.
# (Book: Chapter 3, "Quorums", `book/ch03_algorithms/quorums.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import hashlib


def sha(data):
    """SHA-256 digest of `data` (bytes), 32 bytes."""
    return hashlib.sha256(data).digest()


def encode(text):
    """`text` as UTF-8, prefixed by its byte length as 4 big-endian bytes.

    The prefix makes a concatenation of encodings unambiguous: ("ab", "c")
    and ("a", "bc") encode differently.
    """
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def bucket_of(key, depth):
    """Leaf bucket of `key` among 2**depth: the top `depth` bits of sha(key)."""
    top = int.from_bytes(sha(key.encode("utf-8"))[:8], "big")
    return top >> (64 - depth) if depth else 0


def build_tree(items, depth):
    """The Merkle tree of `items` with 2**depth leaves, as a list of levels.

    1. Put each `(key, value)` of `items` into bucket `bucket_of(key, depth)`.
    2. Leaf i's hash is `sha(b"L" + encode(k1) + encode(v1) + encode(k2) +
       encode(v2) + ...)` over the pairs of bucket i sorted by key (an empty
       bucket hashes `sha(b"L")`).
    3. An internal node's hash is `sha(b"I" + left + right)`, where left and
       right are its children's hashes; the children of node j one level
       down are nodes 2j and 2j + 1.

    Parameters
    ----------
    items : dict of str to str
    depth : int
        In 0..16; depth 0 means a single bucket whose leaf is the root.

    Returns
    -------
    list of lists of bytes
        `levels`, with `levels[0] == [root]`, `levels[l]` holding the 2**l
        hashes of level l, and `levels[depth]` the leaves.

    Raises
    ------
    ValueError
        naming "depth" if depth is not in 0..16.
    """
    ### BEGIN SOLUTION
    if not 0 <= depth <= 16:
        raise ValueError(f"depth must be in 0..16, got {depth}")
    buckets = [[] for _ in range(2**depth)]
    for key, value in items.items():
        buckets[bucket_of(key, depth)].append((key, value))
    leaves = [sha(b"L" + b"".join(k.encode() + v.encode() for k, v in sorted(b)))
              for b in buckets]
    levels = [leaves]
    while len(levels[0]) > 1:
        below = levels[0]
        levels.insert(0, [sha(b"I" + below[i] + below[i + 1])
                          for i in range(0, len(below), 2)])
    return levels
    ### END SOLUTION


def root_hash(items, depth):
    """The root of `build_tree(items, depth)`: 32 bytes."""
    ### BEGIN SOLUTION
    return build_tree(items, depth)[0][0]
    ### END SOLUTION


def differing_buckets(tree_a, tree_b):
    """Which leaf buckets of two trees differ, found by descending from the root.

    Compare the roots (one comparison). If they are equal, stop. Otherwise,
    level by level, for every node that differed, compare both of its
    children (two comparisons), and keep those that differ. The differing
    nodes at the leaf level are the answer. Never compare a node whose
    parent was equal.

    Parameters
    ----------
    tree_a, tree_b : list of lists of bytes
        Trees in the format of `build_tree` (the checks also pass trees made
        by hand, with short byte strings as hashes).

    Returns
    -------
    tuple (list of int, int)
        The differing leaf indices in increasing order, and the number of
        hash comparisons made. Identical trees give `([], 1)`.

    Raises
    ------
    ValueError
        naming "tree_b" if the trees have different depths (numbers of
        levels).
    """
    ### BEGIN SOLUTION
    if len(tree_a) != len(tree_b):
        raise ValueError(f"tree_b must have depth {len(tree_a) - 1} like tree_a, "
                         f"got {len(tree_b) - 1}")
    compared = 0
    frontier = [0]
    for level in range(len(tree_a)):
        differing = []
        for index in frontier:
            compared += 1
            if tree_a[level][index] != tree_b[level][index]:
                differing.append(index)
        frontier = differing
        if level + 1 < len(tree_a):
            frontier = [c for i in differing for c in (2 * i, 2 * i + 1)]
    return sorted(frontier), compared
    ### END SOLUTION


# %% [markdown]
# Try it: two replicas of 10,000 items that differ in three keys.

# %%
if __name__ == "__main__":
    a = {f"key{i}": f"v{i}" for i in range(10_000)}
    b = dict(a, key17="changed", key4242="changed")
    del b["key99"]
    buckets, comparisons = differing_buckets(build_tree(a, 10), build_tree(b, 10))
    print("differing buckets:", buckets, " hashes compared:", comparisons,
          " bound:", 1 + 2 * len(buckets) * 10)
