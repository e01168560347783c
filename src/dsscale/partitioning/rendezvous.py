r"""Rendezvous, or highest-random-weight (HRW), hashing.

Every node scores every key with a pseudo-random hash of the pair; the key goes to
the highest score. Removing a node only moves the keys it won; adding one only
moves the keys it now wins -- minimal disruption with no ring and no state, at
:math:`O(n)` per lookup. Sorting the scores gives a preference list for free.

The pair score is :math:`s(k, i) = \mathrm{mix64}(h(k) \oplus g_i)` with
:math:`h` = :func:`stable_hash` of the key, :math:`g_i` = :func:`stable_hash` of
node :math:`i`'s token, and mix64 the splitmix64 finaliser (a bijection with full
avalanche), so the whole key x node table is one numpy expression.

Weighted variant (logarithmic method): with :math:`u = s / 2^{64} \in (0, 1)`,

.. math:: \mathrm{score}_i = \frac{-w_i}{\ln u_i}, \qquad
          P(\text{node } i \text{ wins}) = \frac{w_i}{\sum_j w_j}

because :math:`-\ln u_i / w_i` is exponential with rate :math:`w_i` and the
minimum of independent exponentials is attained at :math:`i` with probability
:math:`w_i / \sum_j w_j`; changing one weight only moves keys to or from that node.

References
----------
D. Thaler, C. Ravishankar, "Using name-based mappings to increase hit rates",
IEEE/ACM Trans. Networking 6(1), 1998.
C. Schindelhauer, G. Schomaker, "Weighted distributed hash tables", SPAA 2005.
J. Resch, "New hashing algorithms for data storage" (logarithmic weighted HRW),
SNIA Storage Developer Conference, 2015.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .base import NodeLabel, check_nodes, check_replicas, check_weights, node_token
from .hashing import Key, mix64, stable_hash, stable_hash_many, to_unit_interval

_CHUNK = 1 << 21  # key x node scores computed per block, to bound memory


def _node_hashes(nodes: Sequence[NodeLabel]) -> NDArray[np.uint64]:
    return stable_hash_many([node_token(n) for n in nodes])


def _scores(key_hashes: NDArray[np.uint64], node_hashes: NDArray[np.uint64],
            weights: NDArray[np.float64] | None) -> NDArray[Any]:
    raw = mix64(key_hashes[:, None] ^ node_hashes[None, :])
    if weights is None:
        return raw
    return -weights[None, :] / np.log(to_unit_interval(raw))


class Rendezvous:
    """Rendezvous (HRW) hashing over `nodes`, optionally weighted.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct labels, at least one.
    weights : array_like of float, optional
        Positive, one per node; node ``i`` receives a ``w_i / sum(w)`` share.

    Notes
    -----
    Immutable: :meth:`add_node` / :meth:`remove_node` return new instances.
    Ties (probability about :math:`n^2 / 2^{64}`) go to the lower node index.
    """

    def __init__(self, nodes: Sequence[NodeLabel],
                 weights: ArrayLike | None = None) -> None:
        self._nodes: tuple[NodeLabel, ...] = check_nodes(nodes)
        self._weights = None if weights is None else check_weights(
            weights, len(self._nodes))
        self._hashes = _node_hashes(self._nodes)

    @property
    def nodes(self) -> tuple[NodeLabel, ...]:
        """The node labels, in index order."""
        return self._nodes

    @property
    def weights(self) -> NDArray[np.float64] | None:
        """The weights (a copy), or None when unweighted."""
        return None if self._weights is None else self._weights.copy()

    def __repr__(self) -> str:
        return f"Rendezvous(num_nodes={len(self._nodes)})"

    def scores(self, key: Key) -> NDArray[Any]:
        """Each node's score for `key` (uint64, or float64 when weighted)."""
        h = np.array([stable_hash(key)], dtype=np.uint64)
        row: NDArray[Any] = _scores(h, self._hashes, self._weights)[0]
        return row

    def node_for(self, key: Key) -> NodeLabel:
        """The highest-scoring node for `key`."""
        return self._nodes[int(np.argmax(self.scores(key)))]

    def node_for_many(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Node indices for `keys`; the key x node score table is built in blocks."""
        h = stable_hash_many(keys)
        out = np.empty(h.size, dtype=np.intp)
        step = max(1, _CHUNK // len(self._nodes))
        for lo in range(0, h.size, step):
            block = _scores(h[lo:lo + step], self._hashes, self._weights)
            out[lo:lo + step] = np.argmax(block, axis=1)
        return out

    def nodes_for(self, key: Key, replication_factor: int) -> list[NodeLabel]:
        """The `replication_factor` highest-scoring nodes for `key`, best first."""
        n = check_replicas(replication_factor, len(self._nodes))
        s = self.scores(key)
        # Bitwise NOT reverses the order of uint64 scores without overflow; a
        # stable ascending sort then breaks ties by index, as argmax does.
        order = np.argsort(~s if s.dtype == np.uint64 else -s, kind="stable")[:n]
        return [self._nodes[int(i)] for i in order]

    def add_node(self, node: NodeLabel, weight: float | None = None) -> Rendezvous:
        """A new instance with `node` added (`weight` required iff weighted)."""
        if (weight is None) != (self._weights is None):
            raise ValueError(
                "weight must be given exactly when the instance is weighted")
        w = None if self._weights is None else [*self._weights, weight]
        return Rendezvous((*self._nodes, node), w)

    def remove_node(self, node: NodeLabel) -> Rendezvous:
        """A new instance without `node`; only the keys it won move."""
        if node not in self._nodes:
            raise ValueError(f"node must be one of the nodes, got {node!r}")
        keep = [i for i, x in enumerate(self._nodes) if x != node]
        w = None if self._weights is None else self._weights[keep]
        return Rendezvous([self._nodes[i] for i in keep], w)


def rendezvous_node(key: Key, nodes: Sequence[NodeLabel],
                    weights: ArrayLike | None = None) -> NodeLabel:
    """The HRW winner for `key` among `nodes` (see :class:`Rendezvous`)."""
    return Rendezvous(nodes, weights).node_for(key)


def rendezvous_nodes(key: Key, nodes: Sequence[NodeLabel], replication_factor: int,
                     weights: ArrayLike | None = None) -> list[NodeLabel]:
    """The `replication_factor` best HRW nodes for `key`, best first."""
    return Rendezvous(nodes, weights).nodes_for(key, replication_factor)
