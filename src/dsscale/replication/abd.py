"""The ABD atomic register (Attiya, Bar-Noy and Dolev, JACM 42(1), 1995).

Each replica stores, per key, a *tag* ``(counter, writer)`` and a value, and
keeps the pair with the larger tag. Clients run two phases, each waiting for a
majority of the ``n`` replicas (any two majorities intersect):

* **write(v)**: *query* a majority for their tags; pick ``(max counter + 1,
  me)``; *update* a majority with ``(tag, v)``.
* **read()**: *query* a majority; take the pair with the largest tag; *write it
  back* to a majority; return its value.

The write-back is what makes reads linearizable: once a read returns ``v``,
a majority holds ``v``'s tag, so every later read sees it or something newer.
Without it (``write_back=False``) two reads concurrent with a write can return
new-then-old: the first read meets the one replica the write has reached, the
second a majority it has not -- the *new-old inversion*. Multi-writer tags
follow Lynch and Shvartsman (FTCS 1997).

Crash-recovery with durable state, loss and duplication are tolerated: clients
retransmit each phase until a majority answers or the operation times out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from dsscale.consistency import Operation
from dsscale.replication.client import Client
from dsscale.replication.quorum_core import (
    ZERO,
    Tag,
    freshest,
    next_tag,
    store_if_newer,
)
from dsscale.sim import Node, Tick

__all__ = [
    "ABDClient",
    "ABDReplica",
    "Query",
    "QueryReply",
    "Store",
    "StoreAck",
    "Tag",
]

@dataclass(frozen=True)
class Query:
    req_id: int
    phase: int
    key: str


@dataclass(frozen=True)
class QueryReply:
    req_id: int
    phase: int
    tag: Tag
    value: Any


@dataclass(frozen=True)
class Store:
    req_id: int
    phase: int
    key: str
    tag: Tag
    value: Any


@dataclass(frozen=True)
class StoreAck:
    req_id: int
    phase: int


class ABDReplica(Node):
    """Passive storage: answer queries, keep the larger tag."""

    durable: ClassVar[tuple[str, ...]] = ("data",)
    # for dsscale.explore: a message this class ignores, it ignores forever
    # (queries change nothing; a store's tag, once old, stays old)
    ignored_stays_ignored: ClassVar[bool] = True

    def init_state(self) -> None:
        self.data: dict[str, tuple[Tag, Any]] = {}

    def on_Query(self, src: str, msg: Query) -> None:
        tag, value = self.data.get(msg.key, (ZERO, None))
        self.send(src, QueryReply(msg.req_id, msg.phase, tag, value))

    def on_Store(self, src: str, msg: Store) -> None:
        store_if_newer(self.data, msg.key, msg.tag, msg.value)
        self.send(src, StoreAck(msg.req_id, msg.phase))


class ABDClient(Client):
    """Client-coordinated two-phase reads and writes over majorities.

    ``quorum`` defaults to a majority; the class is reused by
    :mod:`dsscale.replication.quorum_store` with other query/store quorums.
    """

    def __init__(self, node_id: str, plan: Sequence[tuple[float, tuple[Any, ...]]],
                 history: list[Operation], replicas: Sequence[str],
                 write_back: bool = True, op_timeout: float = 40.0,
                 retry: float = 4.0) -> None:
        super().__init__(node_id, plan, history, op_timeout)
        self.replicas = tuple(replicas)
        self.write_back = write_back
        self.retry = retry

    @property
    def query_quorum(self) -> int:
        return len(self.replicas) // 2 + 1

    @property
    def store_quorum(self) -> int:
        return len(self.replicas) // 2 + 1

    def init_state(self) -> None:
        super().init_state()
        self.phase = 0  # 0 idle, 1 query, 2 store
        self.replies: dict[str, tuple[Tag, Any]] = {}
        self.targets: dict[str, Any] = {}  # replica -> this phase's message
        self.result: Any = None
        self.ticking = False

    def replicas_for(self, key: str) -> tuple[str, ...]:
        """The replicas that hold ``key`` (all of them, for ABD)."""
        return self.replicas

    def begin(self, op_input: tuple[Any, ...], req_id: int) -> None:
        self._start_phase(1, Query(req_id, 1, op_input[1]))
        if not self.ticking:
            self.ticking = True
            self.set_timer(self.retry, Tick())

    def abandon(self) -> None:
        self.phase, self.replies, self.targets = 0, {}, {}

    def _start_phase(self, phase: int, msg: Any) -> None:
        self.phase, self.replies = phase, {}
        self.targets = {r: msg for r in self.replicas_for(msg.key)}
        for r, m in self.targets.items():
            self.send(r, m)

    def on_Tick(self, src: str, msg: Tick) -> None:
        """Resend the current phase's message to replicas that have not answered."""
        if not self.phase:
            self.ticking = False
            return
        self.slow_phase()
        for r, m in self.targets.items():
            if r not in self.replies:
                self.send(r, m)
        self.set_timer(self.retry, Tick())

    def slow_phase(self) -> None:
        """Hook called when a phase has waited ``retry``; ABD just resends."""

    def on_QueryReply(self, src: str, msg: QueryReply) -> None:
        if not (self.is_current(msg.req_id) and self.phase == 1 == msg.phase):
            return
        self.replies[src] = (msg.tag, msg.value)
        if len(self.replies) < self.query_quorum:
            return
        assert self.current_input is not None and self.current is not None
        tag, value = freshest(self.replies.values())
        op = self.current_input
        if op[0] == "put":
            new_tag = next_tag((t for t, _ in self.replies.values()), self.process_id)
            self._start_phase(2, Store(self.current, 2, op[1], new_tag, op[2]))
        else:
            self.result = value
            self._query_done(tag, value)

    def _query_done(self, tag: Tag, value: Any) -> None:
        """Reads: write back the freshest pair (the step ABD cannot skip)."""
        assert self.current_input is not None and self.current is not None
        if not self.write_back:
            self.complete(value)
            return
        self._start_phase(2, Store(self.current, 2, self.current_input[1], tag, value))

    def on_StoreAck(self, src: str, msg: StoreAck) -> None:
        if not (self.is_current(msg.req_id) and self.phase == 2 == msg.phase):
            return
        self.replies[src] = (ZERO, None)
        if len(self.replies) >= self.store_quorum:
            assert self.current_input is not None
            self.complete(self.result if self.current_input[0] == "get" else None)
