"""Counts only W for writes, forgetting that a write first reads R versions."""
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
# # Exercise 4.4 — Choosing read and write quorums
#
# Each key of `dsscale.parallel.kvstore.KVStore` lives on N replicas
# (`replication_factor`). A read asks R replicas (`read_quorum`) and a write
# stores on W (`write_quorum`). Two rules make the store safe:
#
# * $R + W > N$: every read quorum meets every write quorum, so a read sees
#   the newest acknowledged write;
# * $W > N / 2$: any two write quorums meet, so two writes cannot both miss
#   each other's versions.
#
# Among the pairs that obey both, the cheapest depends on the mix of reads
# and writes. List the valid pairs, pick the cheapest for a workload, and
# work out how many replica failures reads and writes survive. Then the
# grader runs a small `KVStore` on Ray with your choice.
# (Book: Chapter 4, "A key-value store on Ray actors",
# `book/ch04_code/ray_kvstore.md`.)
#
# Grade with `dsscale grade ch04`.

# %%


def valid_quorums(replication_factor):
    """All (read_quorum, write_quorum) pairs that are safe for N replicas.

    A pair (R, W) is valid when 1 <= R <= N, 1 <= W <= N, R + W > N and
    W > N / 2.

    Parameters
    ----------
    replication_factor : int
        N >= 1.

    Returns
    -------
    list of tuple (int, int)
        Every valid (R, W), sorted ascending (by R, then by W). For N = 1:
        `[(1, 1)]`.

    Raises
    ------
    ValueError
        naming "replication_factor" if N < 1.
    """
    ### BEGIN SOLUTION
    if replication_factor < 1:
        raise ValueError(f"replication_factor must be >= 1, got {replication_factor}")
    n = replication_factor
    return [(r, w) for r in range(1, n + 1) for w in range(1, n + 1)
            if r + w > n and 2 * w > n]
    ### END SOLUTION


def cheapest_quorums(replication_factor, read_fraction):
    """The valid (R, W) that contacts the fewest replicas per operation.

    A fraction `read_fraction` of the operations are reads, the rest
    writes, so an operation contacts on average

        cost(R, W) = read_fraction * R + (1 - read_fraction) * W

    replicas. Return the valid pair (see `valid_quorums`) with the lowest
    cost. If several valid pairs share the lowest cost exactly, return the
    one with the smallest W (its writes survive the most failures), and
    among those the one with the smallest R.

    Parameters
    ----------
    replication_factor : int
        N >= 1.
    read_fraction : float
        In [0, 1].

    Returns
    -------
    tuple (int, int)
        (R, W).

    Raises
    ------
    ValueError
        naming "replication_factor" if N < 1, and naming "read_fraction" if
        it is outside [0, 1].
    """
    ### BEGIN SOLUTION
    if not 0.0 <= read_fraction <= 1.0:
        raise ValueError(f"read_fraction must be in [0, 1], got {read_fraction}")
    pairs = valid_quorums(replication_factor)

    def cost(pair):
        r, w = pair
        return read_fraction * r + (1.0 - read_fraction) * w

    return min(pairs, key=lambda pair: (cost(pair), pair[1], pair[0]))
    ### END SOLUTION


def tolerated_failures(replication_factor, read_quorum, write_quorum):
    """How many of the N replicas can be down while reads and writes succeed.

    A read needs R live replicas. A write in `KVStore` has two phases: it
    first asks R replicas for the key's current version, then stores the
    new version on W replicas, so it needs max(R, W) live replicas.

    Parameters
    ----------
    replication_factor : int
        N >= 1.
    read_quorum : int
        R in 1..N.
    write_quorum : int
        W in 1..N.

    Returns
    -------
    tuple (int, int)
        (failures reads survive, failures writes survive), i.e.
        (N - R, N - max(R, W)).

    Raises
    ------
    ValueError
        naming "replication_factor" if N < 1, "read_quorum" if R is outside
        1..N, and "write_quorum" if W is outside 1..N.
    """
    ### BEGIN SOLUTION
    n, r, w = replication_factor, read_quorum, write_quorum
    if n < 1:
        raise ValueError(f"replication_factor must be >= 1, got {n}")
    for name, value in (("read_quorum", r), ("write_quorum", w)):
        if not 1 <= value <= n:
            raise ValueError(f"{name} must be in 1..replication_factor ({n}), "
                             f"got {value}")
    return n - r, n - w
    ### END SOLUTION


def analysis_majorities_read_fraction():
    """Analysis question: until which read fraction are majorities cheapest?

    For N = 5 replicas and the cost of `cheapest_quorums` (its tie rule
    included), return the largest read fraction f in [0, 1] for which
    `cheapest_quorums(5, f)` is the majority pair (3, 3), as a float. Work it
    out from the costs of the valid pairs, not by scanning f.
    """
    ### BEGIN SOLUTION
    # valid pairs with the least W for each R: (1, 5), (2, 4), (3, 3); costs
    # 5 - 4f, 4 - 2f and 3: (3, 3) is cheapest for f < 1/2 and ties with both
    # at f = 1/2, where the smallest W, (3, 3), wins; above 1/2 (1, 5) is cheaper
    return 0.5
    ### END SOLUTION


# %% [markdown]
# Try it: the cheapest quorums for a read-heavy workload on three replicas,
# used by a real store on Ray.

# %%
if __name__ == "__main__":
    from dsscale.parallel.kvstore import KVStore
    from dsscale.raysupport import ray_session

    r, w = cheapest_quorums(3, 0.9)
    print("N=3, 90 % reads:", (r, w), "tolerates", tolerated_failures(3, r, w))
    with ray_session(num_cpus=2), KVStore(1, 3, r, w) as store:
        store.put("greeting", "hello")
        print(store.get("greeting"))
