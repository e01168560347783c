"""Raft on the simulator (reader's guide to be completed)."""

from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.cluster import VARIANTS, RaftVariant, build_raft
from dsscale.replication.raft.log import RaftLog
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import Rules
from dsscale.replication.raft.server import ForgetfulRaftServer, RaftServer
from dsscale.replication.raft.state_machine import KVStateMachine

__all__ = [
    "VARIANTS",
    "ForgetfulRaftServer",
    "KVStateMachine",
    "RaftClient",
    "RaftLog",
    "RaftOptions",
    "RaftServer",
    "RaftVariant",
    "Rules",
    "build_raft",
]
