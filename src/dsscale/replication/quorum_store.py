"""A leaderless quorum store in the style of Dynamo (DeCandia et al., SOSP 2007).

Each key lives on a *preference list* of ``replication_factor`` (N) nodes: the
first N distinct nodes clockwise from the key's hash on a ring. The client
coordinates: a write queries ``read_quorum`` (R) replicas for the newest tag
``(counter, writer)``, then stores ``(counter + 1, me)`` and waits for
``write_quorum`` (W) acknowledgements; a read queries R replicas and returns
the value with the largest tag. Last writer (largest tag) wins.

Configurations and what they promise (each is checked by
:mod:`dsscale.faults`):

* ``strict`` -- R + W > N, and a read writes the winning value back to W
  replicas *before* returning (synchronous read repair). Every read quorum
  meets every write quorum, so this is ABD with R/W quorums: linearizable.
  (Dynamo's read repair is asynchronous; with it a read can see a half-written
  value and a later read the older one, so Dynamo-style R + W > N alone is
  *not* linearizable.)
* ``partial`` -- R + W <= N with asynchronous read repair: reads may miss the
  latest write entirely. Promise: eventual consistency only.
* ``sloppy`` -- R + W > N, but when preference-list nodes do not answer,
  fallback nodes further round the ring accept the write with a *hint* naming
  the intended node and hand it off later (hinted handoff). Quorums no longer
  need to intersect, so even R + W > N gives stale reads. Promise: eventual
  consistency (high write availability).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_int
from dsscale.consistency import Operation
from dsscale.partitioning import HashRing
from dsscale.replication.abd import (
    ABDClient,
    ABDReplica,
    Query,
    QueryReply,
    Store,
    StoreAck,
)
from dsscale.replication.quorum_core import (
    ZERO,
    QuorumConfig,
    Tag,
    behind,
    store_if_newer,
)
from dsscale.sim import Tick

__all__ = [
    "Handoff",
    "HandoffAck",
    "HintedStore",
    "QuorumClient",
    "QuorumConfig",
    "QuorumReplica",
    "preference_list",
]


#: Virtual nodes per storage node on the ring of :func:`preference_list`.
RING_VNODES = 64


@functools.lru_cache(maxsize=64)
def _ring(nodes: tuple[str, ...]) -> HashRing:
    return HashRing(list(nodes), vnodes=RING_VNODES)


def preference_list(key: str, nodes: Sequence[str],
                    replication_factor: int) -> tuple[str, ...]:
    """All ``nodes`` in the order met walking clockwise from ``key`` on a ring.

    The ring is :class:`dsscale.partitioning.HashRing` with
    :data:`RING_VNODES` virtual nodes per node; the first
    ``replication_factor`` entries are the key's *home* replicas (Dynamo's
    preference list, DeCandia et al., SOSP 2007) and the rest, in order, its
    fallbacks for sloppy quorums. Adding a node moves about ``1/len(nodes)``
    of the keys' first replicas, as consistent hashing promises.
    """
    nodes = tuple(nodes)
    check_int("replication_factor", replication_factor, 1, len(nodes))
    return tuple(str(node) for node in _ring(nodes).nodes_for(key, len(nodes)))


@dataclass(frozen=True)
class HintedStore:
    """Client -> fallback node: keep this for ``intended`` until it is back."""

    req_id: int
    phase: int
    key: str
    tag: Tag
    value: Any
    intended: str


@dataclass(frozen=True)
class Handoff:
    key: str
    tag: Tag
    value: Any


@dataclass(frozen=True)
class HandoffAck:
    key: str
    tag: Tag


class QuorumReplica(ABDReplica):
    """Storage node: ABD's store plus hints kept for other nodes."""

    durable = ("data", "hints")

    def __init__(self, node_id: str, handoff_interval: float = 5.0) -> None:
        super().__init__(node_id)
        self.handoff_interval = handoff_interval

    def init_state(self) -> None:
        super().init_state()
        self.hints: dict[tuple[str, str], tuple[Tag, Any]] = {}  # (node, key) ->

    def on_start(self) -> None:
        self.set_timer(self.handoff_interval, Tick())

    def on_Query(self, src: str, msg: Query) -> None:
        best = self.data.get(msg.key, (ZERO, None))
        for (_, key), pair in self.hints.items():
            if key == msg.key and pair[0] > best[0]:
                best = pair
        self.send(src, QueryReply(msg.req_id, msg.phase, best[0], best[1]))

    def on_HintedStore(self, src: str, msg: HintedStore) -> None:
        store_if_newer(self.hints, (msg.intended, msg.key), msg.tag, msg.value)
        self.send(src, StoreAck(msg.req_id, msg.phase))

    def on_Tick(self, src: str, msg: Tick) -> None:
        """Hinted handoff: offer every hint to its intended node."""
        for (node, key), (tag, value) in self.hints.items():
            self.send(node, Handoff(key, tag, value))
        self.set_timer(self.handoff_interval, Tick())

    def on_Handoff(self, src: str, msg: Handoff) -> None:
        store_if_newer(self.data, msg.key, msg.tag, msg.value)
        self.send(src, HandoffAck(msg.key, msg.tag))

    def on_HandoffAck(self, src: str, msg: HandoffAck) -> None:
        slot = (src, msg.key)
        if slot in self.hints and self.hints[slot][0] <= msg.tag:
            del self.hints[slot]


class QuorumClient(ABDClient):
    """Coordinator for one client: R/W quorums over the key's preference list."""

    def __init__(self, node_id: str, plan: Sequence[tuple[float, tuple[Any, ...]]],
                 history: list[Operation], nodes: Sequence[str],
                 config: QuorumConfig, op_timeout: float = 40.0,
                 retry: float = 4.0) -> None:
        super().__init__(node_id, plan, history, nodes, config.sync_read_repair,
                         op_timeout, retry)
        if config.replication_factor > len(nodes):
            raise ValueError(f"replication_factor must be in 1..{len(nodes)} "
                             f"(the number of nodes), got {config.replication_factor}")
        self.config = config

    @property
    def query_quorum(self) -> int:
        return self.config.read_quorum

    @property
    def store_quorum(self) -> int:
        return self.config.write_quorum

    def replicas_for(self, key: str) -> tuple[str, ...]:
        return preference_list(key, self.replicas, self.config.replication_factor)[
            :self.config.replication_factor]

    def init_state(self) -> None:
        super().init_state()
        self.seen_tags: dict[str, Tag] = {}  # this read's query replies

    def slow_phase(self) -> None:
        """Sloppy quorum: enlist fallback nodes for home nodes that are silent."""
        if not self.config.sloppy or self.current_input is None:
            return
        key = self.current_input[1]
        ring = preference_list(key, self.replicas, self.config.replication_factor)
        home = ring[:self.config.replication_factor]
        spare = [f for f in ring[self.config.replication_factor:]
                 if f not in self.targets]
        for node in home:
            if node in self.replies or not spare:
                continue
            sample = self.targets[node]
            fallback = spare.pop(0)
            if isinstance(sample, Store):
                self.targets[fallback] = HintedStore(
                    sample.req_id, sample.phase, sample.key, sample.tag,
                    sample.value, node)
            elif not isinstance(sample, HintedStore):
                self.targets[fallback] = sample  # a query

    def on_QueryReply(self, src: str, msg: Any) -> None:
        if self.is_current(msg.req_id) and self.phase == 1 == msg.phase:
            self.seen_tags[src] = msg.tag
        super().on_QueryReply(src, msg)

    def _query_done(self, tag: Tag, value: Any) -> None:
        assert self.current_input is not None
        key = self.current_input[1]
        repairs = behind(self.seen_tags, tag)
        self.seen_tags = {}
        if self.config.sync_read_repair:
            super()._query_done(tag, value)
            return
        for replica in repairs:  # asynchronous read repair: fire and forget
            self.send(replica, Store(0, 0, key, tag, value))
        self.complete(value)

    def abandon(self) -> None:
        super().abandon()
        self.seen_tags = {}
