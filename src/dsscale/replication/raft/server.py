"""A Raft server: the concerns of this package assembled into one node.

:class:`RaftServer` is a :class:`~dsscale.sim.Node` whose handlers come from
one module per concern:

==================  ====================================================
module              handlers
==================  ====================================================
``election``        ``on_ElectionTimeout``, ``on_RequestVote``, ``on_VoteReply``
``replication``     ``on_AppendEntries``, ``on_AppendReply``
``service``         ``on_ClientRequest`` (writes; ReadIndex and lease reads)
``snapshots``       ``on_InstallSnapshot`` (and compaction after applying)
``membership``      ``on_AddServer``, ``on_RemoveServer``
this module         ``on_Tick`` (heartbeats, retransmission), ``after_commit``
==================  ====================================================

:class:`ForgetfulRaftServer` is the unsafe variant whose ``voted_for`` is not
durable: after a crash it may vote a second time in the same term.
"""

from __future__ import annotations

from typing import ClassVar

from dsscale.replication.raft.election import Election
from dsscale.replication.raft.membership import Membership
from dsscale.replication.raft.replication import Replication
from dsscale.replication.raft.service import ClientService
from dsscale.replication.raft.snapshots import Snapshots
from dsscale.sim import Tick

__all__ = ["ForgetfulRaftServer", "RaftServer"]


class RaftServer(Election, Replication, ClientService, Snapshots, Membership):
    """One Raft server (see the package docstring for a reader's guide).

    Parameters are those of :class:`~dsscale.replication.raft.core.RaftCore`:
    ``node_id``, ``members`` (the initial configuration, empty for a spare),
    ``options``, ``clock_rate`` and ``rng``.

    Examples
    --------
    Three servers elect a leader and commit its no-op entry:

    >>> from dsscale.sim import FixedDelay, Link, Network
    >>> net = Network(0, Link(FixedDelay(1.0)))
    >>> names = ("a", "b", "c")
    >>> net.add(*(RaftServer(n, names, rng=i) for i, n in enumerate(names)))
    >>> _ = net.run(until=40.0)
    >>> leaders = [s for s in net.nodes.values() if s.role == "leader"]
    >>> len(leaders), all(s.commit_index == 2 for s in net.nodes.values())
    (1, True)
    """

    def on_Tick(self, src: str, msg: Tick) -> None:
        if self.leader is not None:
            self.expire_learners()
            self.broadcast()
        elif self.role == "candidate":
            self.request_votes()
        self.set_local_timer(self.options.heartbeat_interval, Tick())

    def after_commit(self) -> None:
        self.serve_reads()
        self.membership_committed()
        self.maybe_compact()


class ForgetfulRaftServer(RaftServer):
    """UNSAFE: forgets ``voted_for`` across a restart (keeps term and log)."""

    durable: ClassVar[tuple[str, ...]] = ("current_term", "log")
