"""Chain replication (van Renesse and Schneider, OSDI 2004).

Replicas form a chain ``members[0] -> ... -> members[-1]`` kept by the master
(:mod:`dsscale.replication.config`). A write enters at the *head*, which gives
it the next sequence number, applies it and forwards it; each replica applies
in order and forwards; the *tail* applies it, answers the client and sends an
acknowledgement back up the chain. Reads go to the tail alone. Since each
replica's applied updates are a prefix of its predecessor's, the tail holds
exactly the acknowledged writes, and reading there is linearizable.

Each replica records, in its client table (see
:mod:`dsscale.replication.client_table`), the latest request of every client it
has applied and that update's sequence number. The head answers a
retransmitted write itself once the tail has acknowledged that sequence
number, ignores it while the update is still travelling down the chain (the
tail will answer), and drops a request older than the client's latest.

Chain repair: every replica keeps the updates it forwarded that the tail has
not yet acknowledged (``sent``) and resends them to its current successor, so
removing a middle replica needs no special step; removing the tail makes its
predecessor the tail, which acknowledges what it holds; removing the head
makes its successor the head. Updates carry the epoch, and a replica ignores
updates from another epoch, so a deposed head cannot extend the chain. The
tail answers reads only under a lease, so a deposed tail falls silent before
its successor is named.

Promise: linearizable, no acknowledged write lost (crash-recovery with durable
state, message loss, duplication, partitions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale.replication.client_table import ClientTable
from dsscale.replication.config import ConfiguredReplica
from dsscale.replication.pb_client import PBClient, Redirect, Reply, Request
from dsscale.sim import Tick

__all__ = ["Ack", "ChainClient", "ChainReplica", "Update"]


@dataclass(frozen=True)
class Update:
    epoch: int
    seq: int
    key: str
    value: Any
    client: str
    req_id: int


@dataclass(frozen=True)
class Ack:
    """Successor -> predecessor: the tail has applied everything up to ``seq``."""

    epoch: int
    seq: int


class ChainReplica(ConfiguredReplica):
    """One link of the chain; its role follows from its position."""

    durable = ("epoch", "members", "store", "seq", "clients", "sent")

    def __init__(self, node_id: str, members: Sequence[str], master: str | None = None,
                 retry: float = 4.0) -> None:
        super().__init__(node_id, members, master)
        self.retry = retry

    def init_state(self) -> None:
        super().init_state()
        self.store: dict[str, Any] = {}
        # client -> (latest req_id applied here, its update's seq)
        self.clients = ClientTable()
        self.seq = 0
        # seq -> (key, value, client, req_id), forwarded but not acknowledged
        self.sent: dict[int, tuple[str, Any, str, int]] = {}
        # requests that arrived while the lease had lapsed (volatile): served
        # when a ping renews the lease, instead of leaving the client to time out
        self.waiting: list[tuple[str, Request]] = []

    def on_start(self) -> None:
        self.set_timer(self.retry, Tick())

    def _position(self) -> tuple[str | None, str | None]:
        """(predecessor, successor), None at the ends or when not a member."""
        if self.node_id not in self.members:
            return None, None
        i = self.members.index(self.node_id)
        pred = self.members[i - 1] if i > 0 else None
        succ = self.members[i + 1] if i + 1 < len(self.members) else None
        return pred, succ

    @property
    def is_head(self) -> bool:
        return bool(self.members) and self.members[0] == self.node_id

    @property
    def is_tail(self) -> bool:
        return bool(self.members) and self.members[-1] == self.node_id

    def adopt(self, epoch: int, members: tuple[str, ...]) -> None:
        super().adopt(epoch, members)
        if self.is_tail:
            self._commit_all()

    def _commit_all(self) -> None:
        """As tail, everything I hold is committed: answer and acknowledge it."""
        for _key, _value, client, req_id in self.sent.values():
            self.send(client, Reply(req_id, None))
        self.sent = {}
        pred, _ = self._position()
        if pred is not None:
            self.send(pred, Ack(self.epoch, self.seq))

    def on_Tick(self, src: str, msg: Tick) -> None:
        _, succ = self._position()
        if succ is not None:
            for seq, (key, value, client, req_id) in self.sent.items():
                self.send(succ, Update(self.epoch, seq, key, value, client, req_id))
        self.set_timer(self.retry, Tick())

    def on_Request(self, src: str, msg: Request) -> None:
        op = msg.op
        right_role = self.is_head if op[0] == "put" else self.is_tail
        if not right_role:
            self.send(src, Redirect(msg.req_id, self.epoch, self.members))
        elif not self.has_lease:
            self.waiting.append((src, msg))  # possibly deposed: wait for a ping
        elif op[0] == "get":
            self.send(src, Reply(msg.req_id, self.store.get(op[1])))
        else:
            status = self.clients.status(src, msg.req_id)
            if status == "new":
                self._accept(Update(self.epoch, self.seq + 1, op[1], op[2], src,
                                    msg.req_id))
            elif status == "duplicate" and self.clients.reply(src) not in self.sent:
                self.send(src, Reply(msg.req_id, None))  # committed: answer again
            # else stale, or still travelling down the chain: the tail answers

    def on_Ping(self, src: str, msg: Any) -> None:
        super().on_Ping(src, msg)
        waiting, self.waiting = self.waiting, []
        for client, request in waiting:  # re-dispatch: redirects if deposed
            self.on_Request(client, request)

    def on_Update(self, src: str, msg: Update) -> None:
        pred, _ = self._position()
        if msg.epoch != self.epoch or src != pred:
            return
        if msg.seq == self.seq + 1:
            self._accept(msg)
        elif msg.seq <= self.seq and self.is_tail:
            self.send(src, Ack(self.epoch, self.seq))  # re-acknowledge

    def _accept(self, msg: Update) -> None:
        self.seq = msg.seq
        self.store[msg.key] = msg.value
        self.clients.record(msg.client, msg.req_id, msg.seq)
        pred, succ = self._position()
        if succ is None:  # tail: the write is committed
            self.send(msg.client, Reply(msg.req_id, None))
            if pred is not None:
                self.send(pred, Ack(self.epoch, msg.seq))
        else:
            self.sent[msg.seq] = (msg.key, msg.value, msg.client, msg.req_id)
            self.send(succ, Update(self.epoch, msg.seq, msg.key, msg.value,
                                   msg.client, msg.req_id))

    def on_Ack(self, src: str, msg: Ack) -> None:
        pred, succ = self._position()
        if msg.epoch != self.epoch or src != succ:
            return
        self.sent = {s: u for s, u in self.sent.items() if s > msg.seq}
        if pred is not None:
            self.send(pred, Ack(self.epoch, msg.seq))


class ChainClient(PBClient):
    """Writes go to the head, reads to the tail; otherwise a :class:`PBClient`."""

    def _target(self, op: tuple[Any, ...]) -> str:
        return self.members[0] if op[0] == "put" else self.members[-1]
