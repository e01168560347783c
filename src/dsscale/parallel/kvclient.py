"""A client of the Ray key-value store: the quorum protocol's coordinator.

See :mod:`dsscale.parallel.kvstore` for the protocol. A :class:`KVClient`
runs :class:`~dsscale.replication.abd.ABDClient`'s two phases against the
replica actors of a :class:`~dsscale.parallel.kvstore.KVStore`, with the rules
of :mod:`dsscale.replication.quorum_core`, and records every operation in its
``history`` for the linearizability checker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dsscale._validate import RNGLike, as_rng
from dsscale.consistency import Operation
from dsscale.parallel.kvreplica import QuorumError
from dsscale.replication.abd import Query, Store
from dsscale.replication.quorum_core import Tag, as_tag, behind, freshest, next_tag

if TYPE_CHECKING:  # pragma: no cover
    from dsscale.parallel.kvstore import KVStore

__all__ = ["KVClient", "ReadResult", "WriteResult"]


@dataclass(frozen=True)
class WriteResult:
    acked: bool
    version: Tag | None
    replicas: tuple[int, ...]
    """Replica indices that confirmed the write."""


@dataclass(frozen=True)
class ReadResult:
    ok: bool
    value: Any
    version: Tag | None
    """``(0, "")`` if the key was not found on the replicas asked."""
    replicas: tuple[int, ...]
    repaired: int = 0
    """Replicas of the read quorum whose tag was older than the one returned."""


class KVClient:
    """One client of a :class:`KVStore`: coordinates its operations, records them.

    A client has one operation open at a time (use one client per thread).
    ``history`` holds an :class:`~dsscale.consistency.Operation` per operation,
    timed on ``clock`` (``time.perf_counter`` by default): a write that was not
    acknowledged is recorded as pending (it may take effect later), after which
    the client continues as a new process with a new writer id, as the
    simulator's clients do after a timeout.
    """

    def __init__(self, store: KVStore, name: str, rng: RNGLike,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.store, self.name = store, name
        self.rng = as_rng(rng)
        self.clock = clock
        self.incarnation = 0
        self.requests = 0
        self.history: list[Operation] = []

    @property
    def process_id(self) -> str:
        return self.name if not self.incarnation else f"{self.name}'{self.incarnation}"

    @property
    def writer(self) -> str:
        """This client's writer id in tags: unique per store, client, incarnation."""
        return f"{self.store.store_id}/{self.name}.{self.incarnation}"

    def write(self, key: str, value: Any, *,
              rng: np.random.Generator | None = None) -> WriteResult:
        """Query R replicas' tags, then store ``(next_tag, value)`` on W."""
        rng = self.rng if rng is None else rng
        store, config = self.store, self.store.config
        shard, call = store.shard_of(key), self.clock()
        self.requests += 1
        seen = store.quorum_call(shard, config.read_quorum, rng, self.writer,
                                 Query(self.requests, 1, key))
        if len(seen) < config.read_quorum:  # nothing was stored: no effect
            return WriteResult(False, None, ())
        tag = next_tag((as_tag(reply.tag) for _, reply in seen), self.writer)
        acks = store.quorum_call(shard, config.write_quorum, rng, self.writer,
                                 Store(self.requests, 2, key, tag, value))
        acked = len(acks) >= config.write_quorum
        self.history.append(Operation(self.process_id, ("put", key, value), call,
                                      None, self.clock() if acked else float("inf")))
        if not acked:
            self.incarnation += 1  # its tag may still land: never reuse it
        return WriteResult(acked, tag, tuple(sorted(i for i, _ in acks)))

    def read(self, key: str, *, rng: np.random.Generator | None = None) -> ReadResult:
        """Query R replicas; repair those behind; return the freshest value."""
        rng = self.rng if rng is None else rng
        store, config = self.store, self.store.config
        shard, call = store.shard_of(key), self.clock()
        self.requests += 1
        answers = store.quorum_call(shard, config.read_quorum, rng, self.writer,
                                    Query(self.requests, 1, key))
        replicas = tuple(sorted(i for i, _ in answers))
        if len(answers) < config.read_quorum:
            return ReadResult(False, None, None, replicas)
        tags = {i: as_tag(reply.tag) for i, reply in answers}
        tag, value = freshest((tags[i], reply.value) for i, reply in answers)
        stale = behind(tags, tag)
        repair = Store(self.requests, 2, key, tag, value)
        if config.sync_read_repair:  # write back before answering (ABD)
            acks = store.quorum_call(shard, config.write_quorum, rng, self.writer,
                                     repair)
            if len(acks) < config.write_quorum:
                return ReadResult(False, None, None, replicas)
        else:  # fire and forget: fresher over time, not linearizable
            for i in stale:
                store.replicas[shard][i].handle.remote(self.writer, repair)
        self.history.append(Operation(self.process_id, ("get", key), call, value,
                                      self.clock()))
        return ReadResult(True, value, tag, replicas, len(stale))

    def put(self, key: str, value: Any) -> Tag:
        """Store ``value``; return its tag. Raises QuorumError if not acked."""
        result = self.write(key, value)
        if not result.acked:
            raise QuorumError(f"put({key!r}): fewer than write_quorum="
                              f"{self.store.config.write_quorum} replicas acked")
        assert result.version is not None
        return result.version

    def get(self, key: str) -> Any:
        """The freshest value a read quorum knows (None if absent)."""
        result = self.read(key)
        if not result.ok:
            raise QuorumError(f"get({key!r}): fewer than read_quorum="
                              f"{self.store.config.read_quorum} replicas answered")
        return result.value
