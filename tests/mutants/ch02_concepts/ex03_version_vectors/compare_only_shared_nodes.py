"""Compares only the nodes both vectors name (a missing node is not 0)."""
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
# # Exercise 2.3 — Version vectors and siblings
#
# A store that accepts writes at any replica (Dynamo, Riak, Voldemort) must
# tell an *update* of a value from a *conflicting* write. It tags each version
# with a version vector: for every node that coordinated a write of the
# object, how many writes it coordinated. Version $a$ descends from $b$ when
# $a[n] \ge b[n]$ for every node $n$ (a missing node counts as 0); then $a$
# already includes $b$ and $b$ can be forgotten. If neither descends from the
# other, the versions are concurrent *siblings*: both are kept, and the next
# writer merges them. Implement the four operations on plain dicts
# `{node: counter}`, then replay the example of the Dynamo paper (DeCandia et
# al., SOSP 2007, §4.4) in the try-it cell.
# (Book: Chapter 2, "Replication", `book/ch02_concepts/replication.md`.)
#
# Grade with `dsscale grade ch02`.

# %%


def increment(vv, node):
    """The version vector after `node` coordinates one more write.

    Parameters
    ----------
    vv : dict of str to int
        A version vector `{node: counter}`; a node that is not a key has
        counter 0. Do NOT modify it.
    node : str
        The coordinator of the write.

    Returns
    -------
    dict
        A NEW dict equal to `vv` except that `node`'s counter is one larger
        (1 if `node` was missing). Example: `increment({"Sx": 2}, "Sy")` is
        `{"Sx": 2, "Sy": 1}`.

    Raises
    ------
    ValueError
        if any counter in `vv` is negative; the message must contain "vv".
    """
    ### BEGIN SOLUTION
    for key, count in vv.items():
        if count < 0:
            raise ValueError(f"vv counters must be >= 0, got vv[{key!r}] = {count}")
    result = dict(vv)
    result[node] = result.get(node, 0) + 1
    return result
    ### END SOLUTION


def merge(a, b):
    """The pointwise maximum of two version vectors: the least one descending
    from both.

    Returns a NEW dict whose keys are the nodes of `a` and of `b`, each with
    `max(a.get(n, 0), b.get(n, 0))`. Neither argument is modified. Example:
    `merge({"Sx": 2, "Sy": 1}, {"Sx": 1, "Sz": 1})` is
    `{"Sx": 2, "Sy": 1, "Sz": 1}`. (Entries equal to 0 may be kept or
    dropped; the checks treat a missing node and a 0 alike.)
    """
    ### BEGIN SOLUTION
    result = dict(a)
    for node, count in b.items():
        result[node] = max(result.get(node, 0), count)
    return result
    ### END SOLUTION


def compare(a, b):
    """How version `a` relates to version `b`: one of four strings.

    With missing nodes counted as 0:

    * `"equal"` if `a[n] == b[n]` for every node n;
    * `"before"` if `a[n] <= b[n]` for every n and they are not equal
      (b descends from a: a happened before b, and b can replace it);
    * `"after"` if `a[n] >= b[n]` for every n and they are not equal;
    * `"concurrent"` otherwise (some counter of a is larger, and some
      counter of b is larger: siblings).

    Examples: `compare({"Sx": 1}, {"Sx": 2})` is `"before"`;
    `compare({"Sx": 2, "Sy": 1}, {"Sx": 2, "Sz": 1})` is `"concurrent"`;
    `compare({"Sx": 1, "Sy": 0}, {"Sx": 1})` is `"equal"`.
    """
    ### BEGIN SOLUTION
    nodes = set(a) & set(b)
    a_ge = all(a.get(n, 0) >= b.get(n, 0) for n in nodes)
    b_ge = all(b.get(n, 0) >= a.get(n, 0) for n in nodes)
    if a_ge and b_ge:
        return "equal"
    if b_ge:
        return "before"
    if a_ge:
        return "after"
    return "concurrent"
    ### END SOLUTION


def reconcile(siblings):
    """Drop every version that another one supersedes (syntactic reconciliation).

    Parameters
    ----------
    siblings : list of (value, dict) pairs
        The versions a replica holds or a read collected, each a value with
        its version vector.

    Returns
    -------
    list of (value, dict) pairs
        The pairs of `siblings`, in their original order, except that a pair
        is dropped if (1) some other pair's vector is `"after"` its vector, or
        (2) an EARLIER pair in the list has an `"equal"` vector (of several
        equal vectors only the first is kept). What remains is a set of
        mutually concurrent versions. `reconcile([])` is `[]`.

    Example: with D1 = ("v1", {"Sx": 1}), D3 = ("v3", {"Sx": 2, "Sy": 1}) and
    D4 = ("v4", {"Sx": 2, "Sz": 1}), `reconcile([D1, D3, D4])` is `[D3, D4]`.
    """
    ### BEGIN SOLUTION
    kept = []
    for i, (value, vector) in enumerate(siblings):
        superseded = any(
            compare(other, vector) == "after" or (compare(other, vector) == "equal"
                                                  and j < i)
            for j, (_, other) in enumerate(siblings) if j != i)
        if not superseded:
            kept.append((value, vector))
    return kept
    ### END SOLUTION


def write_vector(context, node):
    """The vector of a client's write coordinated by `node` after it read
    the versions whose vectors are in `context` (a list of dicts).

    Merge all of `context` (an empty context is the empty vector `{}`), then
    increment `node`: the new version descends from everything the client
    saw, so it supersedes all of it. This is how a client resolves siblings
    (semantic reconciliation). Example: `write_vector([{"Sx": 2, "Sy": 1},
    {"Sx": 2, "Sz": 1}], "Sx")` is `{"Sx": 3, "Sy": 1, "Sz": 1}`.
    """
    ### BEGIN SOLUTION
    merged = {}
    for vector in context:
        merged = merge(merged, vector)
    return increment(merged, node)
    ### END SOLUTION


def analysis_lost_writes():
    """Analysis question: which ways of resolving conflicts lose a write?

    Three replicas Sx, Sy, Sz hold one object, version v0. Client 1 reads v0
    and writes v1 through Sx; at the same time client 2, which also read v0
    and has not seen v1, writes v2 through Sy. Both writes are acknowledged.
    Sx's clock is 5 ms behind Sy's, and client 1 wrote 2 ms after client 2
    in real time. Then the replicas exchange their versions (anti-entropy)
    and a client reads the object. The store resolves conflicting versions
    in one of three ways:

    * "lww": last writer wins, by the coordinator's wall-clock timestamp;
    * "counter": one counter per object, incremented by each write (from the
      version the client read); keep the version with the larger counter,
      and on a tie the one written later by wall-clock time;
    * "vectors": version vectors, keeping concurrent versions as siblings
      (as in this exercise).

    Return the set of the names (from "lww", "counter", "vectors") under
    which one of the two acknowledged writes is lost: never returned by the
    read, nor by any later one.
    """
    ### BEGIN SOLUTION
    # lww keeps v2 (Sy's clock is ahead by more than the 2 ms), losing v1; both
    # writes carry counter 1, a tie broken by wall clock: v1 lost again;
    # vectors {Sx: 1} and {Sy: 1} are concurrent: both kept as siblings
    return {"lww", "counter"}
    ### END SOLUTION


# %% [markdown]
# Try it: the Dynamo paper's example. D1 and D2 are written through node Sx,
# then D3 through Sy and, concurrently, D4 through Sz; a client reads both
# siblings and writes D5 through Sx.

# %%
if __name__ == "__main__":
    d1 = increment({}, "Sx")
    d2 = increment(d1, "Sx")
    d3, d4 = increment(d2, "Sy"), increment(d2, "Sz")
    print("D2 vs D1:", compare(d2, d1), "  D3 vs D4:", compare(d3, d4))
    siblings = reconcile([("D1", d1), ("D2", d2), ("D3", d3), ("D4", d4)])
    print("kept:", [value for value, _ in siblings])
    d5 = write_vector([vector for _, vector in siblings], "Sx")
    print("D5:", d5, " D5 vs D3:", compare(d5, d3))
