"""The interface every partitioner shares, and the checks they share.

Convention, applied by every scheme: ``node_for(key)`` returns the node itself
(an element of ``partitioner.nodes``), while the vectorised
``node_for_many(keys)`` returns a numpy ``intp`` array of node *indices* into
``partitioner.nodes``, so ``nodes[node_for_many(keys)[i]] == node_for(keys[i])``.
Indices make counting (``np.bincount``) and comparing cheap; use
:func:`dsscale.partitioning.metrics.assigned_nodes` to turn them into labels.

Nodes are ``str``, ``bytes`` or ``int`` labels. A node's identity on the ring or in
a hash is its token: UTF-8 for ``str``, the bytes for ``bytes`` and the decimal
digits for ``int`` -- so ``1`` and ``"1"`` count as the same (duplicate) node.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_array, check_int

NodeLabel = str | bytes | int
"""What a node is called: hashed by its token (see the module docstring)."""


@runtime_checkable
class Partitioner(Protocol):
    """Maps keys to nodes: ``node_for`` for one key, ``node_for_many`` for many."""

    @property
    def nodes(self) -> tuple[Any, ...]: ...

    def node_for(self, key: Any) -> NodeLabel: ...

    def node_for_many(self, keys: Any) -> NDArray[np.intp]: ...


@runtime_checkable
class ReplicatingPartitioner(Partitioner, Protocol):
    """A partitioner that also gives a Dynamo-style preference list of nodes."""

    def nodes_for(self, key: Any, replication_factor: int) -> list[NodeLabel]: ...


def node_token(node: Any) -> bytes:
    """The bytes that identify `node` when it is hashed (see module docstring)."""
    if isinstance(node, str):
        return node.encode("utf-8")
    if isinstance(node, bytes):
        return node
    if isinstance(node, (int, np.integer)) and not isinstance(node, (bool, np.bool_)):
        return str(int(node)).encode("ascii")
    raise TypeError(
        f"nodes must be str, bytes or int labels, got {type(node).__name__}")


def check_nodes(nodes: Sequence[Hashable], *, hashed: bool = True) -> tuple[Any, ...]:
    """Return `nodes` as a tuple after checking it is non-empty and duplicate-free."""
    if isinstance(nodes, (str, bytes)):
        raise TypeError("nodes must be a sequence of node labels, not a single string")
    nodes = tuple(nodes)
    if not nodes:
        raise ValueError("nodes must contain at least 1 node, got 0")
    ids: list[Hashable] = [node_token(n) for n in nodes] if hashed else list(nodes)
    seen: set[Hashable] = set()
    for node, ident in zip(nodes, ids, strict=True):
        if ident in seen:
            raise ValueError(f"nodes must be distinct, got duplicate node {node!r}")
        seen.add(ident)
    return nodes


def check_weights(weights: ArrayLike | None, num_nodes: int) -> NDArray[np.float64]:
    """Return positive finite weights, one per node (all ones when None)."""
    if weights is None:
        return np.ones(num_nodes)
    w = check_array("weights", weights, 0.0, strict_min=True)
    if w.ndim != 1 or w.size != num_nodes:
        raise ValueError(
            f"weights must have one entry per node ({num_nodes}), got shape {w.shape}")
    return w


def check_replicas(replication_factor: int, num_nodes: int) -> int:
    """Check a preference-list length: ``replication_factor`` in ``1..num_nodes``."""
    if type(replication_factor) is int and 1 <= replication_factor <= num_nodes:
        return replication_factor  # hot path: skip the full check
    return check_int("replication_factor", replication_factor, 1, num_nodes)
