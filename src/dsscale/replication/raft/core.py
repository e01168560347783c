"""The state every Raft server keeps, its clock, and its role changes.

:class:`RaftCore` holds what the concern modules (``election``,
``replication``, ``service``, ``snapshots``, ``membership``) share, and the few
steps they all take: changing role, resetting the election timer, applying
committed entries. :class:`~dsscale.replication.raft.server.RaftServer`
assembles the concerns into one node.

**What survives a crash.** Exactly the three durable fields of Figure 2 of
Ongaro and Ousterhout (USENIX ATC 2014): ``current_term``, ``voted_for`` and
``log`` (whose compacted prefix is a snapshot). ``durable`` names them, so
``net.restart(node_id, keep_durable=True)`` keeps them and rebuilds
everything else: role, commit index, the state machine (replayed from the
snapshot, then from committed entries as the leader reports the commit
index), a leader's bookkeeping. In the simulator a handler runs atomically,
so every change to a durable field is "on disk" before the next message is
sent, as Raft requires.

**Roles.** ``role`` is ``"follower"``, ``"candidate"`` or ``"leader"``; a
leader's volatile bookkeeping lives in a :class:`LeaderState` that exists only
while it leads, so stepping down forgets it in one assignment.

**Time.** Handlers use :attr:`RaftCore.local_now` and
:meth:`RaftCore.set_local_timer`, never ``now``: a server knows only its own,
drifting clock (see :mod:`~dsscale.replication.raft.clock`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dsscale._validate import RNGLike, as_rng, check_float
from dsscale.replication.raft.log import RaftLog
from dsscale.replication.raft.messages import (
    ClientReply,
    Config,
    ElectionTimeout,
    Entry,
    NoOp,
    Put,
)
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.state_machine import STALE, KVStateMachine
from dsscale.sim import Node, Tick, Timer

__all__ = ["LeaderState", "PendingRead", "RaftCore"]


@dataclass
class PendingRead:
    """A ``get`` a leader has accepted but not yet answered.

    It is answered once the leader knows it was leader after the read arrived
    (a majority acknowledged round ``seq`` or later; 0 = already known) and
    has applied entries up to ``read_index`` (None until the leader has
    committed an entry of its own term).
    """

    client: str
    req_id: int
    key: str
    read_index: int | None
    seq: int


@dataclass
class LeaderState:
    """What a leader tracks; created on election, dropped on stepping down."""

    next_index: dict[str, int]
    match_index: dict[str, int]
    seq: int = 0  # broadcast rounds sent in this term
    sent_at: dict[int, float] = field(default_factory=dict)  # round -> local time
    acked_seq: dict[str, int] = field(default_factory=dict)  # peer -> round
    acked_at: dict[str, float] = field(default_factory=dict)  # peer -> its sent_at
    reads: list[PendingRead] = field(default_factory=list)
    waiting: dict[tuple[str, int], str] = field(default_factory=dict)  # -> client
    proposed: set[tuple[str, int]] = field(default_factory=set)
    # membership: catching-up server -> (target index, local deadline), and the
    # administrator (node, req_id) to answer for it; the change in flight as
    # (config entry index, administrator, req_id)
    learners: dict[str, tuple[int, float]] = field(default_factory=dict)
    admins: dict[str, tuple[str, int]] = field(default_factory=dict)
    change: tuple[int, str, int] | None = None


class RaftCore(Node):
    """Shared state and steps of a Raft server (see the module docstring).

    Parameters
    ----------
    node_id : str
        This server's name.
    members : sequence of str
        The initial voting configuration; empty for a server that waits to be
        added by a membership change.
    options : RaftOptions
        Timeouts, read mode, rules, ...
    clock_rate : float
        This server's clock rate, within ``1 +- options.drift_bound``.
    rng : numpy Generator, int or None
        Draws the randomised election timeouts.
    """

    durable: ClassVar[tuple[str, ...]] = ("current_term", "voted_for", "log")

    def __init__(self, node_id: str, members: Sequence[str],
                 options: RaftOptions | None = None, clock_rate: float = 1.0,
                 rng: RNGLike = None) -> None:
        super().__init__(node_id)
        self.initial_members = tuple(members)
        self.options = RaftOptions() if options is None else options
        rho = self.options.drift_bound
        self.clock_rate = check_float("clock_rate", clock_rate, 1.0 - rho, 1.0 + rho)
        self.rng = as_rng(rng)

    def init_state(self) -> None:
        # durable (restored by Network.restart after this runs)
        self.current_term = 0
        self.voted_for: str | None = None
        self.log = RaftLog()
        if self.initial_members:  # bootstrap: the first configuration entry
            self.log.append(Entry(0, Config(self.initial_members)))
        # volatile
        self.role = "follower"
        self.leader_id: str | None = None
        self.commit_index = 0
        self.last_applied = 0
        self.sm = KVStateMachine()
        self.leader: LeaderState | None = None
        self.votes: dict[str, bool] = {}  # a candidate's answers: voter -> granted
        self.election_timer: Timer | None = None
        self.election_deadline = math.inf  # when it fires (real time; for tests)
        self.last_heard_leader = -math.inf  # local time

    # -- time ----------------------------------------------------------------------
    @property
    def local_now(self) -> float:
        """This server's clock: real time scaled by its rate."""
        return self.now * self.clock_rate

    def set_local_timer(self, delay: float, action: Any) -> Timer:
        """A timer of ``delay`` local time units."""
        return self.set_timer(delay / self.clock_rate, action)

    # -- life cycle ----------------------------------------------------------------
    def on_start(self) -> None:
        self.sm = KVStateMachine.restore(self.log.snapshot)
        self.commit_index = self.last_applied = self.log.snapshot_index
        if self.options.reads == "lease":
            # As if it had just heard from a leader: with leases, a server that
            # restarts does not vote for a minimum election timeout, or it could
            # help elect a new leader while an old leader's lease, counted on
            # this server's earlier acknowledgement, still runs.
            self.last_heard_leader = self.local_now
        self.reset_election_timer()
        self.set_local_timer(self.options.heartbeat_interval, Tick())

    # -- roles ------------------------------------------------------------------
    @property
    def config(self) -> tuple[str, ...]:
        """The voting members in force: the latest configuration in the log."""
        return self.log.config()

    def peers(self) -> tuple[str, ...]:
        """Everyone a leader replicates to: voters and catching-up servers."""
        learners = tuple(self.leader.learners) if self.leader else ()
        return tuple(p for p in self.config + learners if p != self.node_id)

    def adopt_term(self, term: int) -> None:
        """Move to a newer ``term`` as a follower (Figure 2, "All Servers")."""
        if term > self.current_term:
            self.current_term, self.voted_for = term, None
            self.become_follower(None)

    def become_follower(self, leader_id: str | None) -> None:
        if self.role != "follower":
            self.role, self.leader, self.votes = "follower", None, {}
            if self.election_timer is None:
                self.reset_election_timer()
        self.leader_id = leader_id

    def heard_from_leader(self, term: int, leader_id: str) -> None:
        """A valid ``AppendEntries`` or snapshot from the leader of ``term``."""
        self.adopt_term(term)
        self.become_follower(leader_id)
        self.last_heard_leader = self.local_now
        self.reset_election_timer()

    def reset_election_timer(self) -> None:
        if self.election_timer is not None:
            self.election_timer.cancel()
        low, high = self.options.election_timeout
        delay = float(self.rng.uniform(low, high))
        self.election_timer = self.set_local_timer(delay, ElectionTimeout())
        self.election_deadline = self.now + delay / self.clock_rate  # real time

    def become_leader(self) -> None:
        if self.election_timer is not None:
            self.election_timer.cancel()
            self.election_timer, self.election_deadline = None, math.inf
        self.role, self.leader_id, self.votes = "leader", self.node_id, {}
        nxt = self.log.last_index + 1
        others = [p for p in self.config if p != self.node_id]
        self.leader = LeaderState({p: nxt for p in others}, {p: 0 for p in others})
        if self.options.eager_noop:
            self.log.append(Entry(self.current_term, NoOp()))
        self.broadcast()
        self.advance_commit()

    def ensure_term_entry(self) -> None:
        """Leader: make sure its log has an entry of its own term (a no-op if
        need be), so that it will commit one; reads and membership changes
        wait for that."""
        if self.leader is not None and self.log.last_term != self.current_term:
            self.log.append(Entry(self.current_term, NoOp()))
            self.replicate_now()
            self.advance_commit()

    # -- applying -------------------------------------------------------------------
    def set_commit_index(self, index: int) -> None:
        """Raise the commit index and apply what became committed."""
        if index <= self.commit_index:
            return
        self.commit_index = index
        while self.last_applied < self.commit_index:
            self.last_applied += 1
            command = self.log.entry(self.last_applied).command
            if isinstance(command, Put):
                self.reply_applied(command, self.sm.apply(command))
        self.after_commit()

    def reply_applied(self, command: Put, result: Any) -> None:
        """A leader answers the client waiting for ``command``, if any."""
        if self.leader is None:
            return
        key = (command.client_id, command.req_id)
        self.leader.proposed.discard(key)
        client = self.leader.waiting.pop(key, None)
        if client is not None and result is not STALE:
            self.send(client, ClientReply(command.req_id, True, result, self.node_id))

    # -- provided by the concern modules (declared here, so each module can
    # -- call the others; the server class inherits the real ones) ------------
    def broadcast(self) -> None:
        """Leader: send a new round of ``AppendEntries`` to every peer."""
        raise NotImplementedError

    def replicate_now(self) -> None:
        """Leader: send new entries at once, within the current round."""
        raise NotImplementedError

    def send_append(self, peer: str) -> None:
        """Leader: send ``peer`` what it lacks (entries or the snapshot)."""
        raise NotImplementedError

    def advance_commit(self) -> None:
        """Leader: commit what a majority stores (by ``options.rules``)."""
        raise NotImplementedError

    def after_commit(self) -> None:
        """Whatever waits for the commit index: reads, membership, snapshots."""
        raise NotImplementedError

    def serve_reads(self) -> None:
        """Leader: answer the reads that are now safe to answer."""
        raise NotImplementedError

    def catch_up_progress(self, peer: str) -> None:
        """Leader: ``peer`` acknowledged entries; is a learner caught up?"""
        raise NotImplementedError
