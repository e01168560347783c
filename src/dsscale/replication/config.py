"""A configuration service with leases, shared by primary-backup and chain.

The master owns the *configuration*: an epoch number and an ordered tuple of
member replicas. :class:`ConfigMaster` is one node assumed never to crash (van
Renesse and Schneider, OSDI 2004, assume a master replicated with Paxos);
:mod:`dsscale.replication.config_raft` replicates the same master with Raft,
on servers that crash and are cut off like any other. Primary-backup reads it as
``primary = members[0]``; chain replication as ``head = members[0]``,
``tail = members[-1]``.

Failure detection is by timeouts, so it can be wrong: a replica cut off by a
partition looks exactly like a crashed one. Two rules keep a false suspicion
from breaking safety:

* **Leases** (Gray and Cheriton, SOSP 1989). Every ping grants the member the
  right to serve clients until ``lease_until`` on the (shared, virtual) clock.
  The master installs a configuration without a suspected member only after
  every lease it granted that member has expired, so the old primary or tail
  has stopped answering before a new one starts.
* **Epochs.** Replicas reject replication messages from another epoch, so a
  deposed primary or head cannot get a write acknowledged through members that
  have moved on.

Members are only ever removed, never re-added (re-adding needs a state
transfer the book leaves as an exercise), and the last member is never
removed; every member holds every acknowledged write, so any of them may take
over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dsscale._validate import check_float
from dsscale.sim import Node, Tick

__all__ = ["ConfigMaster", "ConfigNotice", "ConfiguredReplica", "Ping", "Pong"]


@dataclass(frozen=True)
class Ping:
    """Master -> member: the configuration and a lease on it."""

    epoch: int
    members: tuple[str, ...]
    lease_until: float


@dataclass(frozen=True)
class Pong:
    """Member -> master: I am alive (at this epoch)."""

    epoch: int


@dataclass(frozen=True)
class ConfigNotice:
    """Master -> client: where to send requests."""

    epoch: int
    members: tuple[str, ...]


class ConfigMaster(Node):
    """Ping members, suspect silent ones, and remove them once their lease ends."""

    def __init__(self, node_id: str, members: Sequence[str], clients: Sequence[str],
                 ping_interval: float = 4.0, suspect_after: float = 12.0,
                 lease: float = 8.0) -> None:
        super().__init__(node_id)
        self.initial_members = tuple(members)
        self.clients = tuple(clients)
        self.ping_interval = check_float("ping_interval", ping_interval, 0.0,
                                         strict_min=True)
        self.suspect_after = check_float("suspect_after", suspect_after, 0.0)
        self.lease = check_float("lease", lease, 0.0)

    def init_state(self) -> None:
        self.epoch = 0
        self.members = self.initial_members
        self.last_heard = {m: 0.0 for m in self.members}
        self.lease_granted = {m: 0.0 for m in self.members}
        self.removing: str | None = None

    def on_start(self) -> None:
        self.on_Tick(self.node_id, Tick())

    def on_Tick(self, src: str, msg: Tick) -> None:
        until = self.now + self.lease
        for m in self.members:
            if m != self.removing:
                self.lease_granted[m] = until
                self.send(m, Ping(self.epoch, self.members, until))
        for c in self.clients:
            if c in self._net.nodes:  # some clients join late
                self.send(c, ConfigNotice(self.epoch, self.members))
        if self.removing is None and len(self.members) > 1:
            for m in self.members:
                if self.now - self.last_heard[m] > self.suspect_after:
                    self.removing = m  # no more leases for m
                    self.set_timer(max(0.0, self.lease_granted[m] - self.now),
                                   self._install)
                    break
        self.set_timer(self.ping_interval, Tick())

    def on_Pong(self, src: str, msg: Pong) -> None:
        if src in self.last_heard:
            self.last_heard[src] = self.now

    def _install(self) -> None:
        assert self.removing is not None
        self.members = tuple(m for m in self.members if m != self.removing)
        self.epoch += 1
        self.removing = None
        for m in self.members:  # the survivors start a fresh suspicion window
            self.last_heard[m] = max(self.last_heard[m], self.now - self.ping_interval)


class ConfiguredReplica(Node):
    """A member that follows the master's configuration and holds a lease.

    Subclasses keep ``epoch`` and ``members`` durable; the lease is volatile,
    so a restarted replica serves nobody until the master pings it again.
    A replica answers whoever pings it; ``master`` is the last node whose ping
    it accepted (``master`` at construction: the one expected first, if known).
    """

    def __init__(self, node_id: str, members: Sequence[str],
                 master: str | None = None) -> None:
        super().__init__(node_id)
        self.initial_members = tuple(members)
        self.initial_master = master

    def init_state(self) -> None:
        self.epoch = 0
        self.members = self.initial_members
        self.lease_until = 0.0
        self.master = self.initial_master

    @property
    def has_lease(self) -> bool:
        return self.now < self.lease_until and self.node_id in self.members

    def on_Ping(self, src: str, msg: Ping) -> None:
        if msg.epoch < self.epoch:
            return
        self.master = src
        self.lease_until = max(self.lease_until, msg.lease_until)
        if msg.epoch > self.epoch:
            self.adopt(msg.epoch, msg.members)
        self.send(src, Pong(self.epoch))

    def adopt(self, epoch: int, members: tuple[str, ...]) -> None:
        """Move to a newer configuration; subclasses extend this."""
        self.epoch, self.members = epoch, members
