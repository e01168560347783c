"""Replication protocols that run on the simulator :mod:`dsscale.sim`.

=======================  ====================================================
module                   what it holds
=======================  ====================================================
``config``               the configuration master (epochs, leases, failover)
``config_raft``          the same master replicated with Raft (lease horizon)
``config_nemesis``       targeted faults for the replicated master
``primary_backup``       primary-backup, synchronous or asynchronous
``chain``                chain replication (van Renesse and Schneider 2004)
``abd``                  the ABD atomic register (Attiya, Bar-Noy, Dolev 1995)
``quorum_store``         a Dynamo-style N/R/W store, read repair, sloppy quorums
``version_vectors``      version vectors and sibling reconciliation
``merkle``               Merkle trees and anti-entropy
``raft``                 Raft: election, log replication, reads, leases,
                         membership, snapshots; its variants and nemesis
``client``               clients that record histories; random workloads
``protocols``            the named configurations, :func:`deploy` and its options
=======================  ====================================================
"""

from dsscale.replication.merkle import AntiEntropyReplica, MerkleTree, diff
from dsscale.replication.protocols import PROTOCOLS, ProtocolSpec, deploy, get_protocol
from dsscale.replication.quorum_store import QuorumConfig
from dsscale.replication.raft import RaftOptions, RaftServer, build_raft
from dsscale.replication.version_vectors import (
    Ordering,
    Versioned,
    VersionVector,
    reconcile,
    write_version,
)

__all__ = [
    "PROTOCOLS",
    "AntiEntropyReplica",
    "MerkleTree",
    "Ordering",
    "ProtocolSpec",
    "QuorumConfig",
    "RaftOptions",
    "RaftServer",
    "VersionVector",
    "Versioned",
    "deploy",
    "build_raft",
    "diff",
    "get_protocol",
    "reconcile",
    "write_version",
]
