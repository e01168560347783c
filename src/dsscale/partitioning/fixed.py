r"""A fixed number of partitions, assigned to nodes by a partition map.

Keys go to one of ``num_partitions`` partitions by :math:`h(k) \bmod P`, which
never changes; whole partitions are assigned to nodes. A node that joins takes
:math:`\lfloor P/(n+1) \rfloor` partitions, one at a time from whichever node
holds the most, and nothing else moves; a node that leaves hands its
partitions, one at a time, to whichever node holds the fewest. The fraction of
keys moved by a join is therefore :math:`\lfloor P/(n+1) \rfloor / P`, the
ideal :math:`1/(n+1)` up to rounding, and :math:`P` bounds the cluster size.
Riak, Elasticsearch and Couchbase partition this way (Kleppmann,
*Designing Data-Intensive Applications*, 2017, ch. 6).

>>> part = FixedPartitions(["a", "b"], num_partitions=8)
>>> part.partitions_per_node()
[4, 4]
>>> part.add_node("c").partitions_per_node()
[3, 3, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_int
from .base import NodeLabel, check_nodes
from .hashing import Key, stable_hash, stable_hash_many

__all__ = ["FixedPartitions"]


class FixedPartitions:
    """``num_partitions`` hash partitions and a map from partition to node.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct node labels, at most ``num_partitions`` of them.
    num_partitions : int
        How many partitions the key space is cut into, once and for all.
    owner : sequence of int, optional
        The node index of every partition; by default partition ``i`` goes to
        node ``i mod n``.

    Notes
    -----
    Immutable: :meth:`add_node` and :meth:`remove_node` return new objects.
    """

    def __init__(self, nodes: Sequence[NodeLabel], num_partitions: int = 1024,
                 owner: Sequence[int] | NDArray[np.intp] | None = None) -> None:
        self._nodes: tuple[NodeLabel, ...] = check_nodes(nodes)
        self._num_partitions = check_int("num_partitions", num_partitions,
                                         len(self._nodes))
        if owner is None:
            self._owner = np.arange(self._num_partitions, dtype=np.intp) % len(nodes)
        else:
            self._owner = np.asarray(owner, dtype=np.intp).copy()
            if self._owner.shape != (self._num_partitions,) or np.any(
                    (self._owner < 0) | (self._owner >= len(self._nodes))):
                raise ValueError(f"owner must hold num_partitions = "
                                 f"{self._num_partitions} node indices in "
                                 f"0..{len(self._nodes) - 1}")
        self._owner.setflags(write=False)

    @property
    def nodes(self) -> tuple[NodeLabel, ...]:
        return self._nodes

    @property
    def num_partitions(self) -> int:
        return self._num_partitions

    @property
    def owner(self) -> NDArray[np.intp]:
        """The node index of every partition (read-only)."""
        return self._owner

    def __repr__(self) -> str:
        return (f"FixedPartitions(num_nodes={len(self._nodes)}, "
                f"num_partitions={self._num_partitions})")

    def partition_for(self, key: Key) -> int:
        return stable_hash(key) % self._num_partitions

    def node_for(self, key: Key) -> NodeLabel:
        return self._nodes[int(self._owner[self.partition_for(key)])]

    def node_for_many(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Node indices for `keys`: one hash and one map lookup each."""
        parts = (stable_hash_many(keys) % np.uint64(self._num_partitions))
        return self._owner[parts.astype(np.intp)]

    def partitions_per_node(self) -> list[int]:
        return [int(c) for c in np.bincount(self._owner, minlength=len(self._nodes))]

    def add_node(self, node: NodeLabel) -> FixedPartitions:
        """A new map in which `node` took its share from the fullest nodes."""
        nodes = check_nodes((*self._nodes, node))
        if len(nodes) > self._num_partitions:
            raise ValueError(f"a cluster of num_partitions = {self._num_partitions} "
                             f"partitions holds at most that many nodes")
        new = len(nodes) - 1
        owner = self._owner.copy()
        counts = np.bincount(owner, minlength=len(nodes))
        for _ in range(self._num_partitions // len(nodes)):
            donor = int(np.argmax(counts))
            owner[np.flatnonzero(owner == donor)[-1]] = new
            counts[donor] -= 1
            counts[new] += 1
        return FixedPartitions(nodes, self._num_partitions, owner)

    def remove_node(self, node: NodeLabel) -> FixedPartitions:
        """A new map in which `node`'s partitions went to the emptiest nodes."""
        if node not in self._nodes or len(self._nodes) == 1:
            raise ValueError(f"node must be one of several nodes, got {node!r}")
        gone = self._nodes.index(node)
        keep = [i for i in range(len(self._nodes)) if i != gone]
        renumber = {old: new for new, old in enumerate(keep)}
        counts = np.bincount(self._owner, minlength=len(self._nodes))[keep]
        owner = np.empty_like(self._owner)
        for p, old in enumerate(self._owner.tolist()):
            if old == gone:
                taker = int(np.argmin(counts))
                owner[p], counts[taker] = taker, counts[taker] + 1
            else:
                owner[p] = renumber[old]
        return FixedPartitions([self._nodes[i] for i in keep],
                               self._num_partitions, owner)
