"""Merkle trees and anti-entropy between replicas, as in Dynamo §4.7.

A :class:`MerkleTree` hashes a replica's ``key -> value`` items into ``2**depth``
leaf buckets (by a stable hash of the key) and hashes pairs of children up to a
root. Two replicas compare roots; where hashes differ they descend, so with
``d`` differing keys among ``n`` they exchange :math:`O(d \\log n)` hashes
instead of all ``n`` items:

.. math:: \\text{hashes compared} \\le 1 + 2\\,d\\,\\text{depth}

:func:`diff` performs that descent locally and counts the comparisons;
:class:`AntiEntropyReplica` does it over the simulated network, one tree level
per message, and then swaps the items of the differing buckets.

Hashes use BLAKE2b over ``repr`` of keys and values, so they are stable across
processes for str, int, float and tuples of them.

References: R. Merkle, CRYPTO 1987; G. DeCandia et al., SOSP 2007, §4.7.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float, check_int
from dsscale.sim import Node

__all__ = [
    "AntiEntropyReplica",
    "BucketItems",
    "MerkleDiff",
    "MerkleHashes",
    "MerkleTree",
    "diff",
]


def _h(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class MerkleTree:
    """A complete binary hash tree over ``2**depth`` buckets of items.

    ``levels[0]`` is ``[root]`` and ``levels[depth]`` are the leaf hashes.
    """

    def __init__(self, items: Mapping[str, Any], depth: int = 4) -> None:
        self.depth = check_int("depth", depth, 0, 24)
        self.buckets: list[dict[str, Any]] = [{} for _ in range(2**self.depth)]
        for key, value in items.items():
            self.buckets[self.bucket_of(key)][key] = value
        leaves = [_h(repr(sorted(b.items())).encode()) for b in self.buckets]
        self.levels: list[list[bytes]] = [leaves]
        while len(self.levels[0]) > 1:
            below = self.levels[0]
            self.levels.insert(0, [_h(below[i] + below[i + 1])
                                   for i in range(0, len(below), 2)])

    def bucket_of(self, key: str) -> int:
        """Leaf index of ``key``: the top ``depth`` bits of its hash."""
        digest = int.from_bytes(_h(repr(key).encode())[:8], "big")
        return digest >> (64 - self.depth) if self.depth else 0

    @property
    def root(self) -> bytes:
        return self.levels[0][0]

    def hash_at(self, level: int, index: int) -> bytes:
        return self.levels[level][index]


@dataclass(frozen=True)
class MerkleDiff:
    """What :func:`diff` found, and what it cost."""

    keys: tuple[str, ...]  # keys missing on one side or with different values
    buckets: tuple[int, ...]  # leaf buckets whose hashes differ
    hashes_compared: int


def diff(tree_a: MerkleTree, tree_b: MerkleTree) -> MerkleDiff:
    """Descend from the roots into differing subtrees only; compare their items."""
    if tree_a.depth != tree_b.depth:
        raise ValueError(f"tree_b.depth must equal tree_a.depth ({tree_a.depth}), "
                         f"got {tree_b.depth}")
    compared = 0
    frontier = [0]
    for level in range(tree_a.depth + 1):
        differing = []
        for index in frontier:
            compared += 1
            if tree_a.hash_at(level, index) != tree_b.hash_at(level, index):
                differing.append(index)
        if level == tree_a.depth:
            frontier = differing
            break
        frontier = [c for i in differing for c in (2 * i, 2 * i + 1)]
    keys: list[str] = []
    for bucket in frontier:
        a, b = tree_a.buckets[bucket], tree_b.buckets[bucket]
        keys += sorted(k for k in a.keys() | b.keys()
                       if k not in a or k not in b or a[k] != b[k])
    return MerkleDiff(tuple(keys), tuple(frontier), compared)


@dataclass(frozen=True)
class MerkleHashes:
    """My hashes of these nodes of one tree level; compare them with yours."""

    level: int
    indices: tuple[int, ...]
    hashes: tuple[bytes, ...]


@dataclass(frozen=True)
class BucketItems:
    """My items in these buckets; ``reply`` asks you to send yours back."""

    buckets: tuple[int, ...]
    items: tuple[tuple[str, tuple[int, Any]], ...]
    reply: bool


class AntiEntropyReplica(Node):
    """A replica of versioned items that periodically reconciles with a peer.

    ``store`` maps ``key -> (version, value)``; the larger version wins (ties:
    the larger ``repr`` of the value, so that both sides pick the same one).
    """

    durable = ("store",)

    def __init__(self, node_id: str, peers: Sequence[str],
                 items: Mapping[str, tuple[int, Any]] | None = None,
                 depth: int = 4, interval: float = 10.0) -> None:
        super().__init__(node_id)
        self.peers = tuple(peers)
        self.initial = dict(items or {})
        self.depth = check_int("depth", depth, 0, 24)
        self.interval = check_float("interval", interval, 0.0, strict_min=True)

    def init_state(self) -> None:
        self.store: dict[str, tuple[int, Any]] = dict(self.initial)
        self.hashes_sent = 0
        self.items_sent = 0

    def on_start(self) -> None:
        self.set_timer(self.interval, self._round)

    def tree(self) -> MerkleTree:
        return MerkleTree(self.store, self.depth)

    def _round(self) -> None:
        if self.peers:
            peer = self.peers[self._net.rng.randrange(len(self.peers))]
            self._send_hashes(peer, 0, (0,))
        self.set_timer(self.interval, self._round)

    def _send_hashes(self, dst: str, level: int, indices: tuple[int, ...]) -> None:
        tree = self.tree()
        hashes = tuple(tree.hash_at(level, i) for i in indices)
        self.hashes_sent += len(hashes)
        self.send(dst, MerkleHashes(level, indices, hashes))

    def on_MerkleHashes(self, src: str, msg: MerkleHashes) -> None:
        tree = self.tree()
        differing = tuple(i for i, h in zip(msg.indices, msg.hashes, strict=True)
                          if tree.hash_at(msg.level, i) != h)
        if not differing:
            return
        if msg.level == self.depth:
            self._send_items(src, differing, reply=True)
        else:
            self._send_hashes(src, msg.level + 1,
                              tuple(c for i in differing for c in (2 * i, 2 * i + 1)))

    def _send_items(self, dst: str, buckets: tuple[int, ...], reply: bool) -> None:
        tree = self.tree()
        items = tuple(sorted((k, v) for b in buckets
                             for k, v in tree.buckets[b].items()))
        self.items_sent += len(items)
        self.send(dst, BucketItems(buckets, items, reply))

    def on_BucketItems(self, src: str, msg: BucketItems) -> None:
        if msg.reply:  # answer with my side before merging theirs
            self._send_items(src, msg.buckets, reply=False)
        self.merge(msg.items)

    def merge(self, items: Iterable[tuple[str, tuple[int, Any]]]) -> None:
        """Keep, per key, the larger ``(version, repr(value))``."""
        for key, (version, value) in items:
            mine = self.store.get(key)
            if mine is None or (version, repr(value)) > (mine[0], repr(mine[1])):
                self.store[key] = (version, value)

    def put(self, key: str, value: Any) -> None:
        """A local write: the next version of ``key``."""
        version = self.store.get(key, (0, None))[0] + 1
        self.store[key] = (version, value)
