"""Primary-backup replication, synchronous or asynchronous, with failover.

Clients send every request to the primary (``members[0]`` of the master's
configuration). The primary orders writes and copies each to every backup.

* **Synchronous** (``sync=True``): the primary applies a write and answers the
  client only after *every* backup of the current configuration has applied
  it. Every member therefore holds every acknowledged write, and the master
  may promote any of them (the next in the static order). A new primary first
  installs its state on the backups (``Sync``) and serves only after all have
  taken it. Reads are answered by the primary from its state while it holds a
  lease (see :mod:`dsscale.replication.config`). Promise: linearizable, no
  acknowledged write lost.
* **Asynchronous** (``sync=False``): the primary applies and acknowledges at
  once and copies in the background. A failover to a backup that had not yet
  received the latest writes silently loses them. Promise: none beyond
  eventual convergence -- the fault campaign shows the loss.

References: N. Budhiraja, K. Marzullo, F. Schneider, S. Toueg, "The
primary-backup approach", in *Distributed Systems* (2nd ed.), 1993;
B. Oki and B. Liskov, Viewstamped Replication, PODC 1988 (view changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale.replication.client_table import ClientTable
from dsscale.replication.config import ConfiguredReplica
from dsscale.replication.pb_client import PBClient, Redirect, Reply, Request
from dsscale.sim import Tick

__all__ = ["PBClient", "PBReplica", "Replicate", "ReplicateAck", "Sync", "SyncAck"]


View = tuple[int, int]  # (epoch, round): one primary's uninterrupted reign


@dataclass(frozen=True)
class Replicate:
    view: View
    seq: int
    key: str
    value: Any
    client: str
    req_id: int


@dataclass(frozen=True)
class ReplicateAck:
    view: View
    seq: int


@dataclass(frozen=True)
class Sync:
    """Primary -> backup: take my whole state; starts the view ``view``."""

    view: View
    members: tuple[str, ...]
    seq: int
    store: tuple[tuple[str, Any], ...]
    clients: tuple[tuple[str, int, Any], ...]  # the client table's entries


@dataclass(frozen=True)
class SyncAck:
    view: View


class PBReplica(ConfiguredReplica):
    """One replica; acts as primary when it heads the configuration.

    A *view* ``(epoch, round)`` names one uninterrupted reign of a primary: a
    new round starts whenever a replica becomes primary or restarts as one.
    Backups apply only messages of the view whose ``Sync`` they took last, so
    a message delayed from an older reign can never overwrite newer state.
    """

    durable = ("epoch", "members", "store", "seq", "clients", "round", "synced_view")

    def __init__(self, node_id: str, members: Sequence[str], master: str | None = None,
                 sync: bool = True, retry: float = 4.0) -> None:
        super().__init__(node_id, members, master)
        self.sync = sync
        self.retry = retry

    def init_state(self) -> None:
        super().init_state()
        self.store: dict[str, Any] = {}
        self.clients = ClientTable()  # executes each request at most once
        self.seq = 0
        self.round = 0
        self.synced_view: View = (0, 0)  # the view whose Sync was taken last
        self.queue: list[tuple[str, Request]] = []
        self.in_flight: tuple[str, Request, Replicate] | None = None
        self.acks: dict[str, None] = {}
        self.backlog: dict[int, Replicate] = {}  # async: sent, not acked by all
        self.acked_upto: dict[str, int] = {}
        self.sync_acks: dict[str, None] = {}
        self.ready = self.node_id == self.initial_members[0]

    def on_start(self) -> None:
        self.set_timer(self.retry, Tick())

    def on_restart(self) -> None:
        self.ready = False
        if self.is_primary:
            self._become_primary()
        self.on_start()

    @property
    def view(self) -> View:
        return (self.epoch, self.round)

    @property
    def is_primary(self) -> bool:
        return bool(self.members) and self.members[0] == self.node_id

    @property
    def backups(self) -> tuple[str, ...]:
        return self.members[1:]

    # -- configuration ------------------------------------------------------
    def adopt(self, epoch: int, members: tuple[str, ...]) -> None:
        super().adopt(epoch, members)
        if self.in_flight is not None:  # not applied here: safe to redo
            self.queue.insert(0, self.in_flight[:2])
        self.in_flight, self.acks, self.ready = None, {}, False
        if self.is_primary:
            self._become_primary()
        else:
            self.queue = []

    def _become_primary(self) -> None:
        self.round += 1
        self.synced_view = self.view
        self.sync_acks, self.backlog = {}, {}
        self.acked_upto = {b: self.seq for b in self.backups}
        self._send_sync()

    def _send_sync(self) -> None:
        msg = Sync(self.view, self.members, self.seq, tuple(self.store.items()),
                   self.clients.entries())
        for b in self.backups:
            if b not in self.sync_acks:
                self.send(b, msg)
        if all(b in self.sync_acks for b in self.backups):
            self.ready = True
            self._next()

    def on_Sync(self, src: str, msg: Sync) -> None:
        if msg.view < self.synced_view or msg.view[0] < self.epoch:
            return
        if msg.view > self.synced_view:
            self.epoch, self.members, self.seq = msg.view[0], msg.members, msg.seq
            self.store = dict(msg.store)
            self.clients = ClientTable(msg.clients)
            self.synced_view = msg.view
            self.queue, self.in_flight, self.ready = [], None, False
        self.send(src, SyncAck(msg.view))

    def on_SyncAck(self, src: str, msg: SyncAck) -> None:
        if msg.view == self.view and self.is_primary and not self.ready:
            self.sync_acks[src] = None
            self._send_sync()

    def on_Tick(self, src: str, msg: Tick) -> None:
        """Retransmit whatever is unacknowledged (messages may be lost)."""
        if self.is_primary:
            if not self.ready:
                self._send_sync()
            elif self.in_flight is not None:
                for b in self.backups:
                    if b not in self.acks:
                        self.send(b, self.in_flight[2])
            for b in self.backups:
                for seq, rep in self.backlog.items():
                    if seq > self.acked_upto.get(b, 0):
                        self.send(b, rep)
        self.set_timer(self.retry, Tick())

    # -- client requests ------------------------------------------------------
    def on_Request(self, src: str, msg: Request) -> None:
        if not self.is_primary:
            self.send(src, Redirect(msg.req_id, self.epoch, self.members))
            return
        if (src, msg) in self.queue or (
                self.in_flight is not None and self.in_flight[:2] == (src, msg)):
            return  # a retransmission of a request already under way
        self.queue.append((src, msg))
        self._next()

    def _next(self) -> None:
        while (self.queue and self.in_flight is None and self.ready
               and self.has_lease):
            client, req = self.queue.pop(0)
            op = req.op
            status = self.clients.status(client, req.req_id)
            if op[0] == "get":
                self.send(client, Reply(req.req_id, self.store.get(op[1])))
            elif status == "duplicate":  # executed before: answer again
                self.send(client, Reply(req.req_id, self.clients.reply(client)))
            elif status == "stale":
                continue  # the client has moved on; executing it now reorders
            elif not self.sync or not self.backups:
                rep = Replicate(self.view, self.seq + 1, op[1], op[2], client,
                                req.req_id)
                self._apply(rep)
                self.send(client, Reply(req.req_id, None))
                if self.backups:
                    self.backlog[self.seq] = rep
                    for b in self.backups:
                        self.send(b, rep)
            else:
                rep = Replicate(self.view, self.seq + 1, op[1], op[2], client,
                                req.req_id)
                self.in_flight, self.acks = (client, req, rep), {}
                for b in self.backups:
                    self.send(b, rep)

    def _apply(self, rep: Replicate) -> None:
        self.seq += 1
        self.store[rep.key] = rep.value
        self.clients.record(rep.client, rep.req_id, None)

    def on_Replicate(self, src: str, msg: Replicate) -> None:
        if msg.view != self.synced_view or self.is_primary:
            return
        if msg.seq == self.seq + 1:
            self._apply(msg)
        if msg.seq <= self.seq:
            self.send(src, ReplicateAck(msg.view, self.seq))

    def on_ReplicateAck(self, src: str, msg: ReplicateAck) -> None:
        if msg.view != self.view or not self.is_primary:
            return
        if not self.sync:
            self.acked_upto[src] = max(self.acked_upto.get(src, 0), msg.seq)
            low = min(self.acked_upto.get(b, 0) for b in self.backups)
            self.backlog = {s: r for s, r in self.backlog.items() if s > low}
            return
        if self.in_flight is None or msg.seq < self.in_flight[2].seq:
            return
        self.acks[src] = None
        if all(b in self.acks for b in self.backups):
            client, req, rep = self.in_flight
            self._apply(rep)
            self.in_flight = None
            self.send(client, Reply(req.req_id, None))
            self._next()

    def on_Ping(self, src: str, msg: Any) -> None:
        super().on_Ping(src, msg)
        self._next()  # a renewed lease may unblock queued requests
