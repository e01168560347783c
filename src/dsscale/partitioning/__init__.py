"""Partitioning: which node owns a key, and how much moves when nodes change.

Every scheme shares one interface (:class:`Partitioner`): ``node_for(key)``
returns a node label, ``node_for_many(keys)`` returns a numpy array of node
*indices* into ``partitioner.nodes``, and, where the scheme has one,
``nodes_for(key, replication_factor)`` returns a preference list of that many
distinct nodes whose
first entry is ``node_for(key)``. All hashing goes through :func:`stable_hash`.
All partitioner objects are immutable (``add_node``/``remove_node`` return new
ones) except :class:`BoundedLoadRing`, which keeps per-node loads.
:func:`allocate_tokens` places a joining node's ring tokens to balance
replicated ownership (:func:`replicated_ownership`) instead of at random.
"""

from .allocation import add_allocated_node, allocate_tokens, grow_allocated
from .base import Partitioner, ReplicatingPartitioner, node_token
from .bounded import BoundedLoadRing
from .fixed import FixedPartitions
from .hashing import mix64, stable_hash, stable_hash_many, to_unit_interval
from .jump import JumpHash, jump_hash, jump_hash_array
from .maglev import Maglev, is_prime
from .metrics import (
    assigned_nodes,
    load_cv,
    load_distribution,
    moved_fraction,
    peak_to_mean,
    ring_share_cv,
    split_share_cv,
)
from .modulo import ModuloPartitioner
from .range import RangePartitioner
from .rendezvous import Rendezvous, rendezvous_node, rendezvous_nodes
from .replicas import (
    expected_replica_neighbors,
    replica_neighbors,
    replica_sets,
    replicated_ownership,
)
from .ring import HashRing

__all__ = [
    "add_allocated_node",
    "BoundedLoadRing",
    "FixedPartitions",
    "HashRing",
    "JumpHash",
    "Maglev",
    "ModuloPartitioner",
    "Partitioner",
    "RangePartitioner",
    "Rendezvous",
    "ReplicatingPartitioner",
    "allocate_tokens",
    "assigned_nodes",
    "expected_replica_neighbors",
    "is_prime",
    "grow_allocated",
    "jump_hash",
    "jump_hash_array",
    "load_cv",
    "load_distribution",
    "mix64",
    "moved_fraction",
    "node_token",
    "peak_to_mean",
    "replica_neighbors",
    "replica_sets",
    "rendezvous_node",
    "rendezvous_nodes",
    "replicated_ownership",
    "ring_share_cv",
    "split_share_cv",
    "stable_hash",
    "stable_hash_many",
    "to_unit_interval",
]
