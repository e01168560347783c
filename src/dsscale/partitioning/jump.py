r"""Jump consistent hash (Lamping & Veach, 2014): O(1) memory, no ring.

The algorithm keeps the key's current bucket ``b`` and the next bucket ``j``
at which the key would jump. Each round sets ``b = j``, advances ``key``
by the 64-bit linear congruential step ``key = key * 2862933555777941757 + 1``
(mod 2**64) and draws the next candidate from the top 31 bits of ``key``;
the loop stops once ``j`` reaches ``num_buckets`` and returns ``b``.

The 64-bit linear congruential step makes ``key`` a pseudo-random stream; the
next bucket at which this key would jump is
:math:`j = \lfloor (b+1) / r \rfloor` with :math:`r = ((key \gg 33) + 1) / 2^{31}`
uniform in (0, 1], which is exactly what keeps :math:`P(\text{bucket} = b) = 1/n`
and makes growing from :math:`n` to :math:`n+1` buckets move a :math:`1/(n+1)`
fraction of keys, all into the new bucket. Expected jumps: :math:`O(\ln n)`.
Limitation: buckets are numbered 0..n-1, so only the last one can be removed.

References
----------
J. Lamping, E. Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
arXiv:1406.2294, 2014.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_int
from .base import NodeLabel, check_nodes
from .hashing import Key, stable_hash, stable_hash_many

_MASK64 = (1 << 64) - 1
_LCG_MUL = 2862933555777941757
_MAX_BUCKETS = (1 << 31) - 1  # num_buckets is an int32_t in the paper
_TWO31 = float(1 << 31)


def jump_hash(key: int, num_buckets: int) -> int:
    """Bucket in ``0..num_buckets-1`` of the unsigned 64-bit `key` (Lamping & Veach).

    Parameters
    ----------
    key : int
        In ``[0, 2**64)``; hash other keys first (:func:`stable_hash`).
    num_buckets : int
        In ``1..2**31 - 1`` (an ``int32_t`` in the paper).

    Returns
    -------
    int
        The bucket; equal to the paper's C function for every input.
    """
    if type(key) is not int:
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
            raise TypeError(f"key must be an int, got {type(key).__name__}")
        key = int(key)
    if not 0 <= key <= _MASK64:
        raise ValueError(f"key must be in [0, 2**64), got {key}")
    n = num_buckets
    if type(n) is not int or not 1 <= n <= _MAX_BUCKETS:  # validate off the hot path
        n = check_int("num_buckets", num_buckets, 1, _MAX_BUCKETS)
    b, j = -1, 0
    while j < n:
        b = j
        key = (key * _LCG_MUL + 1) & _MASK64
        # Python floats are IEEE doubles, so this is the C expression exactly;
        # int() truncates toward zero like the C conversion to int64_t.
        j = int((b + 1) * (_TWO31 / float((key >> 33) + 1)))
    return b


def _as_u64_keys(keys: ArrayLike) -> NDArray[np.uint64]:
    # Lists go through Python ints: numpy would turn [2**64 - 1, 3] into floats.
    arr = keys if isinstance(keys, np.ndarray) else np.array(keys, dtype=object)
    if arr.dtype == object and arr.size:
        vals = arr.ravel().tolist()
        if not all(isinstance(v, (int, np.integer))
                   and not isinstance(v, (bool, np.bool_)) for v in vals):
            raise TypeError("keys must be integers")
        vals = [int(v) for v in vals]
        if min(vals) < 0 or max(vals) > _MASK64:
            raise ValueError("keys must be in [0, 2**64)")
        return np.array(vals, dtype=np.uint64).reshape(arr.shape)
    if arr.size == 0:
        return arr.astype(np.uint64)
    if arr.dtype.kind == "i":
        if (arr < 0).any():
            raise ValueError("keys must be in [0, 2**64), got a negative key")
        return arr.astype(np.uint64)
    if arr.dtype.kind != "u":
        raise TypeError(f"keys must be an integer array, got dtype {arr.dtype}")
    return arr.astype(np.uint64, copy=False)


def jump_hash_array(keys: ArrayLike, num_buckets: int) -> NDArray[np.int64]:
    """Vectorised :func:`jump_hash`, bit-for-bit equal to it for every key.

    All unfinished keys advance one jump per iteration; keys whose next jump
    lands beyond ``num_buckets`` are finished and dropped from the working set,
    so the total work is the sum of the keys' jump counts, :math:`O(m \\ln n)`.
    numpy ``uint64`` multiplication wraps modulo :math:`2^{64}` like C.

    Parameters
    ----------
    keys : array_like of int
        Unsigned 64-bit keys (int arrays must be non-negative).
    num_buckets : int
        In ``1..2**31 - 1``.

    Returns
    -------
    numpy.ndarray of int64, the shape of `keys`
    """
    n = check_int("num_buckets", num_buckets, 1, _MAX_BUCKETS)
    arr = _as_u64_keys(keys)
    flat = arr.ravel()
    out = np.empty(flat.size, dtype=np.int64)
    idx = np.arange(flat.size)
    key = flat.copy()
    j = np.zeros(flat.size, dtype=np.int64)
    mul, one, sh = np.uint64(_LCG_MUL), np.uint64(1), np.uint64(33)
    while idx.size:
        b = j
        key = key * mul + one
        r = float(1 << 31) / ((key >> sh) + one).astype(np.float64)
        j = ((b + 1).astype(np.float64) * r).astype(np.int64)
        done = j >= n
        if done.any():
            out[idx[done]] = b[done]
            keep = ~done
            idx, key, j = idx[keep], key[keep], j[keep]
    return out.reshape(arr.shape)


class JumpHash:
    """Jump hash as a partitioner: node ``jump_hash(stable_hash(key), n)``.

    Parameters
    ----------
    nodes : sequence of str, bytes or int
        Distinct labels; bucket ``i`` is ``nodes[i]``.

    Notes
    -----
    Immutable. :meth:`add_node` appends (only keys moving to the new node move);
    :meth:`remove_node` accepts only the last node, the scheme's known limit.
    No preference list: jump hash names one bucket per key.
    """

    def __init__(self, nodes: Sequence[NodeLabel]) -> None:
        self._nodes: tuple[NodeLabel, ...] = check_nodes(nodes)
        if len(self._nodes) > _MAX_BUCKETS:
            raise ValueError(f"nodes must number at most {_MAX_BUCKETS}")

    @property
    def nodes(self) -> tuple[NodeLabel, ...]:
        """The node labels; index = bucket."""
        return self._nodes

    def __repr__(self) -> str:
        return f"JumpHash(num_nodes={len(self._nodes)})"

    def node_for(self, key: Key) -> NodeLabel:
        """The node that owns `key`."""
        return self._nodes[jump_hash(stable_hash(key), len(self._nodes))]

    def node_for_many(self, keys: Sequence[Key] | NDArray[Any]) -> NDArray[np.intp]:
        """Node indices for `keys`."""
        buckets = jump_hash_array(stable_hash_many(keys), len(self._nodes))
        return buckets.astype(np.intp)

    def add_node(self, node: NodeLabel) -> JumpHash:
        """A new partitioner with `node` as the last bucket."""
        return JumpHash((*self._nodes, node))

    def remove_node(self, node: NodeLabel) -> JumpHash:
        """A new partitioner without `node`, which must be the last bucket."""
        if len(self._nodes) < 2 or node != self._nodes[-1]:
            raise ValueError(
                f"node must be the last bucket {self._nodes[-1]!r} (jump hash can only "
                f"shrink from the end) and at least 1 node must remain, got {node!r}")
        return JumpHash(self._nodes[:-1])
