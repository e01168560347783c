r"""Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2018).

A plain ring can overload a node by a factor that grows like
:math:`\log n / \log\log n` for unlucky arcs. Bounded loads cap every node at

.. math:: c(m) = \left\lceil (1 + \varepsilon)\, \frac{m}{n} \right\rceil

for :math:`m` keys on :math:`n` nodes. A key hashes to the ring as usual but
continues clockwise past nodes that are full, to the first node with spare
capacity. Hence the maximum load is at most :math:`c(m)` by construction, while
the paper shows the expected number of keys that move on an insertion or node
change is :math:`O(1/\varepsilon^2)` times the minimum. Since
:math:`n\,c(m) \ge (1+\varepsilon) m > m - 1`, a node with room always exists.

This object is **stateful**: it remembers each node's load. The capacity is
recomputed as keys arrive (the paper's dynamic rule): the :math:`t`-th key
overall is placed with capacity :math:`c(t)`, so after any prefix of insertions
every load is :math:`\le c(\text{num\_assigned})`.

References
----------
V. Mirrokni, M. Thorup, M. Zadimoghaddam, "Consistent Hashing with Bounded
Loads", SODA 2018 (arXiv:1608.01350).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_float, check_int
from .base import NodeLabel
from .hashing import Key, stable_hash_many
from .ring import HashRing


class BoundedLoadRing:
    """A ring that never lets a node exceed ``ceil((1 + epsilon) * m / n)`` keys.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct labels, at least one.
    epsilon : float
        Slack > 0: capacity is ``(1 + epsilon)`` times the average load, rounded up.
    vnodes : int, default 160
        Virtual nodes per node of the underlying :class:`HashRing`.

    Notes
    -----
    Stateful: :meth:`assign` places keys in order and updates :attr:`loads`; each
    call treats every key as a new arrival (a repeated key is a second ball).
    :meth:`reset` empties all nodes.
    """

    def __init__(self, nodes: Sequence[NodeLabel], epsilon: float,
                 vnodes: int = 160) -> None:
        self._epsilon = check_float("epsilon", epsilon, 0.0, strict_min=True)
        self._ring = HashRing(nodes, vnodes=vnodes)
        self._owners = self._ring.point_owners.tolist()
        self._loads = [0] * len(self._ring.nodes)
        self._assigned = 0
        # Capacity in exact integer arithmetic, reading epsilon as the shortest
        # decimal that rounds to it (0.1 means 1/10, so c(100) on 10 nodes is 11,
        # not the 12 that float rounding of 1.1 * 100 / 10 would give).
        eps = Fraction(repr(self._epsilon))
        self._cap_num = eps.denominator + eps.numerator
        self._cap_den = eps.denominator * len(self._loads)

    @property
    def nodes(self) -> tuple[Any, ...]:
        """The node labels, in index order."""
        return self._ring.nodes

    @property
    def epsilon(self) -> float:
        """The slack epsilon."""
        return self._epsilon

    @property
    def ring(self) -> HashRing:
        """The underlying (unbounded) ring."""
        return self._ring

    @property
    def loads(self) -> NDArray[np.int64]:
        """Keys held by each node (a copy)."""
        return np.array(self._loads, dtype=np.int64)

    @property
    def num_assigned(self) -> int:
        """Keys assigned since construction or the last :meth:`reset`."""
        return self._assigned

    def __repr__(self) -> str:
        return (f"BoundedLoadRing(num_nodes={len(self._loads)}, "
                f"epsilon={self._epsilon}, num_assigned={self._assigned})")

    def capacity(self, m: int) -> int:
        r"""Per-node capacity :math:`\lceil (1+\varepsilon) m / n \rceil` for m keys.

        Computed exactly with integers, epsilon read as its shortest decimal.
        """
        m = check_int("m", m, 0)
        return -(-self._cap_num * m // self._cap_den)

    def reset(self) -> None:
        """Forget all assignments."""
        self._loads = [0] * len(self._loads)
        self._assigned = 0

    def assign(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Place `keys` in order; return the node index chosen for each.

        Key :math:`t` (counting all keys ever assigned) starts at its ring
        successor and walks clockwise to the first node whose load is below
        :math:`c(t)`.
        """
        h = stable_hash_many(keys)
        slots = self._ring.successor_slots(h)
        owners, loads, size = self._owners, self._loads, len(self._owners)
        num, den = self._cap_num, self._cap_den
        out = np.empty(h.size, dtype=np.intp)
        for i, slot in enumerate(slots.tolist()):
            self._assigned += 1
            cap = -(-num * self._assigned // den)
            while loads[owners[slot]] >= cap:
                slot += 1
                if slot == size:
                    slot = 0
            node = owners[slot]
            loads[node] += 1
            out[i] = node
        return out
