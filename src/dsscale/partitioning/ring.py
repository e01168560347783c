r"""Consistent hashing on a ring with virtual nodes (Karger et al., STOC 1997).

Each node is hashed to :math:`v` points ("virtual nodes") on the circle
:math:`[0, 2^{64})`; a key belongs to the node of the first point at or after
its hash, wrapping around. Adding or removing one node moves only the keys on the
arcs it gains or loses -- in expectation :math:`1/(n+1)` of them on growth.

With :math:`n` nodes of :math:`v` points each, a node's share of the circle is the
sum of :math:`v` of the :math:`nv` spacings of uniform points, a
:math:`\mathrm{Beta}(v, (n-1)v)` variable, so its coefficient of variation is

.. math:: \frac{\sigma}{\mu} = \sqrt{\frac{n-1}{nv+1}} \approx \frac{1}{\sqrt v}

(:func:`dsscale.partitioning.metrics.ring_share_cv`); :meth:`HashRing.arc_fractions`
gives the realised shares to compare with it.

References
----------
D. Karger, E. Lehman, T. Leighton, R. Panigrahy, M. Levine, D. Lewin,
"Consistent hashing and random trees", STOC 1997.
G. DeCandia et al., "Dynamo: Amazon's highly available key-value store",
SOSP 2007 (virtual nodes, preference lists).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_float, check_int
from .base import NodeLabel, check_nodes, check_replicas, check_weights, node_token
from .hashing import Key, stable_hash, stable_hash_many

_SMALL_RING = 256  # points; below this np.searchsorted beats the bucket index


def _check_tokens(name: str, values: ArrayLike) -> NDArray[np.uint64]:
    """`values` as a non-empty uint64 array after checking each is in [0, 2**64)."""
    items = np.asarray(values, dtype=object).ravel().tolist()
    if not items:
        raise ValueError(f"{name} must hold at least 1 token, got 0")
    for t in items:
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"{name} must hold integer tokens, got {type(t).__name__}")
        if not 0 <= int(t) < 2**64:
            raise ValueError(f"{name} must hold tokens in [0, 2**64), got {int(t)}")
    return np.array([int(t) for t in items], dtype=np.uint64)


def vnode_points(node: NodeLabel, count: int) -> NDArray[np.uint64]:
    """Ring positions of `node`'s `count` virtual nodes: hashes of ``b"<node>#<i>"``."""
    token = node_token(node) + b"#"
    return stable_hash_many([token + str(i).encode("ascii") for i in range(count)])


class HashRing:
    """A consistent-hash ring with virtual nodes; lookup is a binary search.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct node labels, at least one.
    vnodes : int, default 160
        Virtual nodes per unit of weight, >= 1. The load's coefficient of
        variation across nodes is about ``1 / sqrt(vnodes)``.
    weights : array_like of float, optional
        Positive, one per node; node ``i`` gets ``max(1, round(vnodes * w_i))``
        points. Absolute (not normalised), so adding a node never changes
        another node's points.

    Notes
    -----
    Immutable: :meth:`add_node` and :meth:`remove_node` return new rings and leave
    this one unchanged, so a before/after pair can be compared directly.
    Points are kept in a sorted ``uint64`` array. A scalar lookup is a binary
    search, :math:`O(\\log(nv))`; :meth:`node_for_many` adds a bucket index on
    the hashes' top bits (:meth:`successor_slots`), expected :math:`O(1)` per key.
    """

    def __init__(self, nodes: Sequence[NodeLabel], vnodes: int = 160,
                 weights: ArrayLike | None = None) -> None:
        nodes_t: tuple[NodeLabel, ...] = check_nodes(nodes)
        vnodes = check_int("vnodes", vnodes, 1)
        w = check_weights(weights, len(nodes_t))
        counts = np.maximum(1, np.rint(vnodes * w)).astype(np.int64)
        points = np.concatenate(
            [vnode_points(n, int(c)) for n, c in zip(nodes_t, counts, strict=True)])
        owners = np.repeat(np.arange(len(nodes_t), dtype=np.intp), counts)
        self._setup(nodes_t, vnodes, w, points, owners)

    @classmethod
    def from_tokens(cls, tokens: Mapping[NodeLabel, ArrayLike],
                    vnodes: int | None = None) -> HashRing:
        """A ring whose points are given explicitly, node by node.

        Parameters
        ----------
        tokens : mapping of node label to array_like of int
            Each node's ring positions, integers in ``[0, 2**64)``, at least one
            per node; no position may appear twice in the whole ring.
        vnodes : int, optional
            Points per unit of weight, used by :meth:`add_node` for nodes added
            later with hashed points; defaults to the largest token count. A
            node's :attr:`weights` entry is its token count over `vnodes`.

        >>> ring = HashRing.from_tokens({"a": [0, 2**63], "b": [2**62]})
        >>> ring.arc_fractions().tolist()
        [0.75, 0.25]
        """
        if not isinstance(tokens, Mapping):
            raise TypeError("tokens must be a mapping of node label to token array, "
                            f"got {type(tokens).__name__}")
        nodes_t: tuple[NodeLabel, ...] = check_nodes(list(tokens))
        arrays = [_check_tokens(f"tokens[{n!r}]", tokens[n]) for n in nodes_t]
        counts = np.array([a.size for a in arrays], dtype=np.int64)
        v = (int(counts.max()) if vnodes is None
             else check_int("vnodes", vnodes, 1))
        points = np.concatenate(arrays)
        if np.unique(points).size != points.size:
            raise ValueError("tokens must be distinct across the whole ring, "
                             "got a repeated token")
        owners = np.repeat(np.arange(len(nodes_t), dtype=np.intp), counts)
        ring = cls.__new__(cls)
        ring._setup(nodes_t, v, counts / v, points, owners)
        return ring

    def _setup(self, nodes: tuple[NodeLabel, ...], vnodes: int,
               weights: NDArray[np.float64], points: NDArray[np.uint64],
               owners: NDArray[np.intp]) -> None:
        self._nodes = nodes
        self._vnodes = vnodes
        self._weights = np.asarray(weights, dtype=np.float64)
        order = np.argsort(points, kind="stable")
        self._points = points[order]
        self._owners = owners[order]
        self._point_list: list[int] | None = None
        # Bucket index for vectorised lookups: the top `bits` bits of a hash name
        # a bucket, and _first[k] is the first point in bucket k or later. With
        # about two buckets per point, a lookup is one table read plus a step or
        # two, instead of a binary search that misses cache at every level.
        # A sentinel 2**64 - 1 past the end stops the forward steps there.
        self._points_ext = np.append(self._points, np.uint64(2**64 - 1))
        bits = min(22, max(1, int(np.ceil(np.log2(2 * self._points.size)))))
        self._shift = np.uint64(64 - bits)
        self._first = np.searchsorted(
            self._points >> self._shift, np.arange(1 << bits, dtype=np.uint64),
            side="left").astype(np.int32 if self._points.size < 2**31 else np.int64)
        self._owner_list: list[int] = self._owners.tolist()

    # -- the partitioner interface -----------------------------------------------
    @property
    def nodes(self) -> tuple[NodeLabel, ...]:
        """The node labels, in index order."""
        return self._nodes

    @property
    def vnodes(self) -> int:
        """Virtual nodes per unit of weight."""
        return self._vnodes

    @property
    def weights(self) -> NDArray[np.float64]:
        """Per-node weights (a copy)."""
        return self._weights.copy()

    @property
    def points(self) -> NDArray[np.uint64]:
        """Sorted ring positions of all virtual nodes (a copy)."""
        return self._points.copy()

    @property
    def point_owners(self) -> NDArray[np.intp]:
        """Node index owning each entry of :attr:`points` (a copy)."""
        return self._owners.copy()

    def __repr__(self) -> str:
        return (f"HashRing(num_nodes={len(self._nodes)}, vnodes={self._vnodes}, "
                f"points={self._points.size})")

    def _slot(self, h: int) -> int:
        # Scalar lookups bisect a Python-int copy of the points, built on first
        # use: numpy's per-call overhead is ~10x a bisect on a list.
        if self._point_list is None:
            self._point_list = self._points.tolist()
        i = bisect_left(self._point_list, h)
        return 0 if i == len(self._point_list) else i

    def node_for(self, key: Key) -> NodeLabel:
        """The node of the first point at or after ``stable_hash(key)``."""
        return self._nodes[self._owner_list[self._slot(stable_hash(key))]]

    def node_for_many(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Node indices for `keys` (hash all, then one vectorised search)."""
        return self._owners[self.successor_slots(stable_hash_many(keys))]

    def successor_slots(self, hashes: NDArray[np.uint64]) -> NDArray[np.intp]:
        """Index into :attr:`points` of the first point at or after each hash.

        Equal to ``np.searchsorted(points, hashes, side="left")`` with the end
        wrapped to 0, computed from the bucket index in expected O(1) per hash.
        """
        h = np.asarray(hashes, dtype=np.uint64)
        pts, size = self._points, self._points.size
        if size <= _SMALL_RING:  # a cache-resident binary search is faster
            slot = np.searchsorted(pts, h, side="left")
        else:
            slot = self._first[h >> self._shift].astype(np.intp)
            # Step past points below the hash. Only keys whose bucket holds such
            # a point stay active, and a bucket holds few points.
            pts_ext = self._points_ext
            active = np.nonzero(pts_ext[slot] < h)[0]
            while active.size:
                slot[active] += 1
                active = active[pts_ext[slot[active]] < h[active]]
        slot[slot == size] = 0
        return slot

    def nodes_for(self, key: Key, replication_factor: int) -> list[NodeLabel]:
        """Preference list: the first `replication_factor` distinct nodes met
        walking clockwise.

        The first entry is :meth:`node_for`; the rest are the replicas of a
        Dynamo-style store (DeCandia et al., SOSP 2007).
        """
        n = check_replicas(replication_factor, len(self._nodes))
        start = self._slot(stable_hash(key))
        owners, size = self._owner_list, self._points.size
        found: list[int] = []
        seen: set[int] = set()
        i = start
        while len(found) < n:
            o = owners[i]
            if o not in seen:
                seen.add(o)
                found.append(o)
            i += 1
            if i == size:
                i = 0
        return [self._nodes[o] for o in found]

    # -- membership changes ------------------------------------------------------
    def add_node(self, node: NodeLabel, weight: float = 1.0) -> HashRing:
        """A new ring with `node` (of `weight`) added; this ring is unchanged.

        The new node gets ``max(1, round(vnodes * weight))`` hashed points
        (random tokens); every existing point stays where it is.
        """
        w = check_float("weight", weight, 0.0, strict_min=True)
        nodes = check_nodes((*self._nodes, node))
        count = max(1, round(self._vnodes * w))
        return self._with_node(nodes[-1], w, vnode_points(node, count))

    def _with_node(self, node: NodeLabel, weight: float,
                   tokens: NDArray[np.uint64]) -> HashRing:
        ring = HashRing.__new__(HashRing)
        owners = np.concatenate(
            [self._owners, np.full(tokens.size, len(self._nodes), dtype=np.intp)])
        ring._setup((*self._nodes, node), self._vnodes,
                    np.append(self._weights, weight),
                    np.concatenate([self._points, tokens]), owners)
        return ring

    def remove_node(self, node: NodeLabel) -> HashRing:
        """A new ring without `node`; only keys on `node`'s arcs move."""
        if node not in self._nodes:
            raise ValueError(f"node must be one of the ring's nodes, got {node!r}")
        gone = self._nodes.index(node)
        if len(self._nodes) == 1:
            raise ValueError("nodes must contain at least 1 node, got 0")
        keep = self._owners != gone
        owners = self._owners[keep]
        ring = HashRing.__new__(HashRing)
        ring._setup(self._nodes[:gone] + self._nodes[gone + 1:], self._vnodes,
                    np.delete(self._weights, gone), self._points[keep],
                    owners - (owners > gone))
        return ring

    # -- analysis ----------------------------------------------------------------
    def arc_fractions(self) -> NDArray[np.float64]:
        r"""Share of the hash circle owned by each node (sums to 1).

        The point at position :math:`p_j` owns the arc :math:`(p_{j-1}, p_j]`, of
        length :math:`(p_j - p_{j-1}) \bmod 2^{64}`; a node's share is the sum of
        its arcs over :math:`2^{64}`. This is the load it would receive from
        infinitely many uniformly hashed keys.
        """
        pts = self._points
        if pts.size == 1:
            return np.ones(1)
        arcs = np.empty(pts.size, dtype=np.uint64)
        arcs[1:] = np.diff(pts)
        arcs[:1] = pts[:1] - pts[-1:]  # array op wraps mod 2**64: the arc across 0
        share = np.bincount(self._owners, weights=arcs.astype(np.float64),
                            minlength=len(self._nodes))
        return share / 2.0**64
