r"""Modulo (hash mod N) partitioning: the baseline every other scheme improves on.

.. math:: \mathrm{node}(k) = h(k) \bmod N

Perfectly balanced in expectation and O(1) per key, but changing N from n to n+1
moves a key unless :math:`h \bmod n = h \bmod (n+1)`, i.e. a fraction
:math:`n/(n+1)` of all keys -- the problem consistent hashing solves
(Karger et al., STOC 1997).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .base import NodeLabel, check_nodes, check_replicas
from .hashing import Key, stable_hash, stable_hash_many


class ModuloPartitioner:
    """Assign key `k` to ``nodes[stable_hash(k) % len(nodes)]``.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct node labels, at least one.

    Notes
    -----
    Immutable: :meth:`add_node` and :meth:`remove_node` return new partitioners.
    """

    def __init__(self, nodes: Sequence[NodeLabel]) -> None:
        self._nodes: tuple[NodeLabel, ...] = check_nodes(nodes)

    @property
    def nodes(self) -> tuple[NodeLabel, ...]:
        """The node labels, in index order."""
        return self._nodes

    def __repr__(self) -> str:
        return f"ModuloPartitioner(num_nodes={len(self._nodes)})"

    def node_for(self, key: Key) -> NodeLabel:
        """The node that owns `key`."""
        return self._nodes[stable_hash(key) % len(self._nodes)]

    def node_for_many(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Node indices for `keys` (see :mod:`.base` for the convention)."""
        h = stable_hash_many(keys)
        return (h % np.uint64(len(self._nodes))).astype(np.intp)

    def nodes_for(self, key: Key, replication_factor: int) -> list[NodeLabel]:
        """Preference list: the owner and the next ``replication_factor - 1``
        nodes by index."""
        n = check_replicas(replication_factor, len(self._nodes))
        first = stable_hash(key) % len(self._nodes)
        return [self._nodes[(first + j) % len(self._nodes)] for j in range(n)]

    def add_node(self, node: NodeLabel) -> ModuloPartitioner:
        """A new partitioner with `node` appended."""
        return ModuloPartitioner((*self._nodes, node))

    def remove_node(self, node: NodeLabel) -> ModuloPartitioner:
        """A new partitioner without `node`."""
        if node not in self._nodes:
            raise ValueError(f"node must be one of the nodes, got {node!r}")
        return ModuloPartitioner(tuple(x for x in self._nodes if x != node))
