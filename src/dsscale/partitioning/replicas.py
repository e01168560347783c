r"""Where a ring's replicas live: replica sets, neighbours and replicated ownership.

With replication factor :math:`R` the arc ending at a ring point is stored on
the :math:`R` distinct nodes met walking clockwise from it
(:func:`replica_sets`). Two nodes that share a row share data: a node's
*neighbours* (:func:`replica_neighbors`, and the random-token expectation
:func:`expected_replica_neighbors`) are the nodes whose failure together with
its own can take a range below quorum. A node's *replicated ownership*
(:func:`replicated_ownership`) is the total length of the arcs it stores; the
token allocator of :mod:`~dsscale.partitioning.allocation` balances it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_int
from .base import check_replicas
from .ring import HashRing

__all__ = ["expected_replica_neighbors", "replica_neighbors", "replica_sets",
           "replicated_ownership"]

_RING = 2.0**64


def replica_sets(ring: HashRing, replication_factor: int) -> NDArray[np.intp]:
    """Preference list of every arc: one row of node indices per point.

    Row ``j`` lists the `replication_factor` distinct nodes met walking
    clockwise from :attr:`HashRing.points` ``[j]``, so it is the preference list
    (:meth:`HashRing.nodes_for`) of every key hashing into the arc that ends at
    that point. Rows are where replicas of a token range live; two nodes
    that appear in a common row share data.

    >>> replica_sets(HashRing(["a", "b", "c"], vnodes=4), 2).shape
    (12, 2)
    """
    n = check_replicas(replication_factor, len(ring.nodes))
    owners, size = ring.point_owners.tolist(), ring.points.size
    rows = np.empty((size, n), dtype=np.intp)
    for start in range(size):
        found: list[int] = []
        i = start
        while len(found) < n:
            o = owners[i]
            if o not in found:
                found.append(o)
            i = i + 1 if i + 1 < size else 0
        rows[start] = found
    return rows


def replica_neighbors(replica_sets: ArrayLike, num_nodes: int) -> NDArray[np.int64]:
    r"""How many other nodes each node shares at least one replica set with.

    Parameters
    ----------
    replica_sets : array_like of int, shape (ranges, replication_factor)
        Node indices of each token range's replicas, e.g.
        :meth:`HashRing.replica_sets <dsscale.partitioning.HashRing.replica_sets>`.
    num_nodes : int
        Number of nodes; indices must lie in ``0..num_nodes-1``.

    Notes
    -----
    Two nodes are *neighbours* if some range is replicated on both. With
    quorum replication at replication factor 3, losing two neighbours makes
    that range unavailable at QUORUM, so the mean neighbour count over
    ``num_nodes - 1`` is the probability that two random simultaneous failures
    cost some range its quorum (Lynch and Snyder, 2018).

    >>> replica_neighbors([[0, 1, 2], [1, 2, 3]], 5).tolist()
    [2, 3, 3, 2, 0]
    """
    n = check_int("num_nodes", num_nodes, 1)
    rows = np.asarray(replica_sets)
    if rows.ndim != 2 or rows.dtype.kind not in "iu":
        raise ValueError("replica_sets must be a 2-d array of integer node indices, "
                         f"got shape {rows.shape} and dtype {rows.dtype}")
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise ValueError(f"replica_sets must hold indices in 0..{n - 1}, "
                         f"got values in {rows.min()}..{rows.max()}")
    shares = np.zeros((n, n), dtype=bool)
    for a in range(rows.shape[1]):
        for b in range(rows.shape[1]):
            shares[rows[:, a], rows[:, b]] = True
    np.fill_diagonal(shares, False)
    return np.asarray(shares.sum(axis=1), dtype=np.int64)


def expected_replica_neighbors(num_candidates: int, vnodes: int,
                               replication_factor: int) -> float:
    r"""Expected neighbours of a node whose `vnodes` tokens are placed at random.

    Each token makes the node share ranges with the :math:`R - 1` nodes that
    follow it and the :math:`R - 1` that precede it, :math:`2v(R-1)` draws in
    all; if each draw is a uniformly random one of the :math:`N_p` candidate
    nodes, the expected number of distinct ones is

    .. math:: N_p\left(1 - \left(1 - \frac{1}{N_p}\right)^{2 v (R - 1)}\right).

    :math:`N_p` is ``num_nodes - 1`` for rack-unaware placement; with
    :math:`R` racks and one replica per rack, the nodes of the other racks.

    >>> round(expected_replica_neighbors(40, 16, 3), 4)   # 60 nodes in 3 racks
    32.0867

    References
    ----------
    J. Lynch and J. Snyder, "Cassandra Availability with Virtual Nodes", 2018.
    """
    m = check_int("num_candidates", num_candidates, 1)
    v = check_int("vnodes", vnodes, 1)
    r = check_int("replication_factor", replication_factor, 1)
    return m * (1.0 - (1.0 - 1.0 / m) ** (2 * v * (r - 1)))


def _arcs(points: NDArray[np.uint64]) -> NDArray[np.float64]:
    """Length of the arc ending at each point, as a fraction of the circle."""
    if points.size == 1:
        return np.ones(1)
    arcs = np.empty(points.size, dtype=np.uint64)
    arcs[1:] = np.diff(points)
    arcs[:1] = points[:1] - points[-1:]  # wraps mod 2**64: the arc across 0
    return arcs.astype(np.float64) / _RING


def _walks(owners: NDArray[np.intp], r: int) -> tuple[
        NDArray[np.intp], NDArray[np.bool_], NDArray[np.intp]]:
    """Clockwise walks collecting `r` distinct owners from every point.

    Returns ``(seen, member, length)``: ``seen[k, d]`` is the owner of point
    ``k + d`` (cyclically), ``member[k, d]`` marks the first appearance of each
    of the `r` replicas of arc ``k``, and ``length[k]`` is how many points the
    walk from ``k`` visits (its last point holds the ``r``-th replica).
    The ring must have at least `r` distinct owners.
    """
    size = owners.size
    depth = min(size, r + 4)
    while True:
        seen = owners[(np.arange(size)[:, None] + np.arange(depth)) % size]
        new = np.ones(seen.shape, dtype=bool)
        for d in range(1, depth):
            new[:, d] = np.all(seen[:, d:d + 1] != seen[:, :d], axis=1)
        count = np.cumsum(new, axis=1)
        if depth == size or bool(np.all(count[:, -1] >= r)):
            break
        depth = min(size, 2 * depth)
    member = new & (count <= r)
    length = np.argmax(count >= r, axis=1).astype(np.intp) + 1
    return seen, member, length


def _ownership(owners: NDArray[np.intp], arcs: NDArray[np.float64], r: int,
               num_nodes: int) -> NDArray[np.float64]:
    seen, member, _ = _walks(owners, r)
    weights = np.broadcast_to(arcs[:, None], seen.shape)[member]
    return np.bincount(seen[member], weights=weights,
                       minlength=num_nodes).astype(np.float64)


def replicated_ownership(ring: HashRing,
                         replication_factor: int) -> NDArray[np.float64]:
    """Fraction of the circle each node stores at `replication_factor`.

    Node ``i``'s entry is the total length of the arcs whose preference list
    (:meth:`HashRing.replica_sets`) contains it, so the entries sum to the
    replication factor and the ideal is ``replication_factor / num_nodes``
    each. At replication factor 1 this is :meth:`HashRing.arc_fractions`.

    >>> ring = HashRing.from_tokens({"a": [0], "b": [2**62], "c": [2**63]})
    >>> replicated_ownership(ring, 1).tolist()
    [0.5, 0.25, 0.25]
    >>> replicated_ownership(ring, 2).tolist()
    [0.75, 0.75, 0.5]
    """
    n = len(ring.nodes)
    r = check_replicas(replication_factor, n)
    points = ring.points
    return _ownership(ring.point_owners, _arcs(points), r, n)
