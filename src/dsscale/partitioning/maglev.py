r"""Maglev hashing: a lookup table filled by per-node permutations (Google, 2016).

Each node :math:`i` gets a permutation of the table slots :math:`0..M-1`
(:math:`M` prime) from two hashes of its name:

.. math:: \mathit{offset}_i = h_1(i) \bmod M, \quad
          \mathit{skip}_i = h_2(i) \bmod (M - 1) + 1, \quad
          \mathit{perm}_i[j] = (\mathit{offset}_i + j\,\mathit{skip}_i) \bmod M

(:math:`M` prime makes every skip coprime to :math:`M`, so each sequence visits
every slot). Nodes then take turns, round-robin, each claiming the next slot of its
permutation that is still empty, until the table is full. Because every round gives
each node exactly one slot, node entry counts are :math:`\lfloor M/N \rfloor` or
:math:`\lceil M/N \rceil` -- near-perfect balance -- and a lookup is one array
index, ``table[h(key) mod M]``. The price is more disruption than a ring when
membership changes: removing one of N nodes changes more than the ideal 1/N of
the slots, and the excess grows with N/M (Chapter 3 measures it), so keep
:math:`M \gg N`.

References
----------
D. E. Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
Balancer", NSDI 2016, section 3.4 and Pseudocode 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_int
from .base import NodeLabel, check_nodes, node_token
from .hashing import Key, stable_hash, stable_hash_many

_SEED_OFFSET = 0x6D61676C65763031  # two fixed seeds give independent h1, h2
_SEED_SKIP = 0x6D61676C65763032


def is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin primality test, exact for all n < 3.3e24."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    for p in small:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def maglev_table(offsets: Sequence[int], skips: Sequence[int],
                 table_size: int) -> NDArray[np.intp]:
    """Populate the Maglev lookup table (the paper's Pseudocode 1).

    Instead of storing each node's permutation, the loop keeps each node's
    current slot and adds its skip, which is the same sequence.
    """
    m, n = table_size, len(offsets)
    entry = [-1] * m
    pos = list(offsets)
    filled = 0
    while True:
        for i in range(n):
            c, step = pos[i], skips[i]
            while entry[c] >= 0:
                c += step
                if c >= m:
                    c -= m
            entry[c] = i
            c += step
            pos[i] = c - m if c >= m else c
            filled += 1
            if filled == m:
                return np.array(entry, dtype=np.intp)


class Maglev:
    """Maglev consistent hashing over `nodes` with a prime-size lookup table.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct labels; ``1 <= len(nodes) <= table_size``.
    table_size : int, default 65537
        A prime M (65537 is the paper's small example size).

    Notes
    -----
    Immutable: :meth:`add_node` / :meth:`remove_node` return new instances.
    Building costs about :math:`M \\ln M` probes in Python (a fraction of a second
    for the default size); a lookup is O(1).
    """

    def __init__(self, nodes: Sequence[NodeLabel], table_size: int = 65537) -> None:
        self._nodes: tuple[NodeLabel, ...] = check_nodes(nodes)
        m = check_int("table_size", table_size, 2)
        if not is_prime(m):
            raise ValueError(f"table_size must be a prime number, got {m}")
        if m < len(self._nodes):
            raise ValueError(
                f"table_size must be >= the number of nodes ({len(self._nodes)}), "
                f"got {m}")
        tokens = [node_token(x) for x in self._nodes]
        self._offsets = [stable_hash(t, _SEED_OFFSET) % m for t in tokens]
        self._skips = [stable_hash(t, _SEED_SKIP) % (m - 1) + 1 for t in tokens]
        self._table = maglev_table(self._offsets, self._skips, m)
        self._table_size = m

    @property
    def nodes(self) -> tuple[NodeLabel, ...]:
        """The node labels, in index order."""
        return self._nodes

    @property
    def table_size(self) -> int:
        """M, the number of table slots."""
        return self._table_size

    @property
    def table(self) -> NDArray[np.intp]:
        """The lookup table: node index per slot (a copy)."""
        return self._table.copy()

    @property
    def slot_labels(self) -> NDArray[Any]:
        """The node label of every slot, comparable across tables: a key moves
        between two tables exactly where their ``slot_labels`` differ.

        >>> Maglev(["a", "b"], table_size=5).slot_labels.size
        5
        """
        return np.array(self._nodes, dtype=object)[self._table]

    def __repr__(self) -> str:
        return f"Maglev(num_nodes={len(self._nodes)}, table_size={self._table_size})"

    def permutation(self, node: NodeLabel) -> NDArray[np.int64]:
        """The slot preference order of `node` (its full permutation of 0..M-1)."""
        i = self._nodes.index(node)
        j = np.arange(self._table_size, dtype=np.int64)
        return (self._offsets[i] + j * self._skips[i]) % self._table_size

    def entries_per_node(self) -> NDArray[np.int64]:
        """How many table slots each node owns (floor or ceil of M / N)."""
        return np.bincount(self._table, minlength=len(self._nodes))

    def node_for(self, key: Key) -> NodeLabel:
        """The node at slot ``stable_hash(key) mod M``."""
        return self._nodes[int(self._table[stable_hash(key) % self._table_size])]

    def node_for_many(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Node indices for `keys`: one hash and one table read per key."""
        slots = stable_hash_many(keys) % np.uint64(self._table_size)
        return self._table[slots.astype(np.intp)]

    def add_node(self, node: NodeLabel) -> Maglev:
        """A new table with `node` added."""
        return Maglev((*self._nodes, node), self._table_size)

    def remove_node(self, node: NodeLabel) -> Maglev:
        """A new table without `node`."""
        if node not in self._nodes:
            raise ValueError(f"node must be one of the nodes, got {node!r}")
        return Maglev([x for x in self._nodes if x != node], self._table_size)
