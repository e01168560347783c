r"""A sharded, replicated key-value store on Ray actors, with quorums.

Layout. Keys are routed to ``num_shards`` shards by consistent hashing
(:class:`dsscale.partitioning.HashRing`); each shard is kept by
:math:`N` = ``replication_factor`` replica actors. A client (the
:class:`KVStore` object, which acts as coordinator) talks to replicas directly.

Protocol (quorum reads and writes with versions, after Attiya, Bar-Noy & Dolev,
JACM 1995, and Dynamo, SOSP 2007):

* ``put(key, value)`` asks :math:`R` replicas for the key's version, picks
  :math:`v = (c_\max + 1, \text{client\_id})` and stores ``(v, value)`` on
  :math:`W` replicas; it is *acknowledged* when :math:`W` replicas confirm.
  Versions are ordered lexicographically, so replicas keep the newest value.
* ``get(key)`` asks :math:`R` replicas and returns the value with the highest
  version, then sends that value to the replicas that answered with an older
  one (**read repair**).
* The replicas contacted are a permutation drawn from the caller's ``rng``
  (so a seed fixes the schedule); an unavailable or slow replica is replaced
  by the next one in that order.

If :math:`R + W > N`, every read quorum meets every write quorum, so a read
sees the newest acknowledged write; with :math:`R + W \le N` the quorums can
miss each other and a read can be **stale** — the seeded workload shows both.

Crash recovery (anti-entropy). A Ray actor restarted after a crash re-runs
``__init__`` and its memory is gone. A restarted :class:`Replica` therefore
pulls the state of its live peers (found by actor name) and merges it by
version before serving anything. An acknowledged write lives on :math:`W`
replicas; after one crash at least :math:`W - 1 \ge 1` copies survive when
:math:`W \ge 2`, and the restarted replica gets one back from them. (With
:math:`W = 1` a crash can destroy the only copy: quorum intersection protects
reads, not durability.) :meth:`KVStore.sync` runs a full anti-entropy round on demand.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dsscale._validate import as_rng, check_float, check_int
from dsscale.partitioning import HashRing

__all__ = ["KVReport", "KVStore", "QuorumError", "ReadResult", "Replica",
           "WriteRecord", "WriteResult", "audit_history", "check_quorums",
           "run_kv_workload"]

Key = str | bytes | int
"""Keys the hash ring can route (see :func:`dsscale.partitioning.stable_hash`)."""
Version = tuple[int, int]
"""(counter, client_id), compared lexicographically."""
NO_VERSION: Version = (-1, -1)


def _version(v: Any) -> Version:
    """A version as a tuple (serialisation may turn it into a list)."""
    return (int(v[0]), int(v[1]))


class QuorumError(RuntimeError):
    """Fewer than the required number of replicas answered in time."""


def check_quorums(replication_factor: int, read_quorum: int,
                  write_quorum: int) -> tuple[int, int, int]:
    """Validate N, R, W: ``1 <= R, W <= N``; return them as ints."""
    n = check_int("replication_factor", replication_factor, minimum=1)
    r = check_int("read_quorum", read_quorum)
    w = check_int("write_quorum", write_quorum)
    for name, value in (("read_quorum", r), ("write_quorum", w)):
        if not 1 <= value <= n:
            raise ValueError(
                f"{name} must be in 1..replication_factor ({n}), got {value}")
    return n, r, w


def _replica_name(store_id: str, shard: int, index: int) -> str:
    return f"dsscale-kv-{store_id}-s{shard}-r{index}"


class Replica:
    """One copy of one shard: a dict ``key -> (version, value)``.

    Run as a Ray actor with ``max_restarts > 0``. On a restart (Ray re-runs
    ``__init__``; state is lost) it recovers from its peers before serving.
    """

    def __init__(self, store_id: str, shard: int, index: int,
                 replication_factor: int, recover: bool = True,
                 recover_timeout: float = 10.0) -> None:
        import ray

        self._store_id, self._shard, self._index = store_id, shard, index
        self._n = replication_factor
        self._data: dict[Key, tuple[Version, Any]] = {}
        self.restarted = bool(
            ray.get_runtime_context().was_current_actor_reconstructed)
        self.recovered_keys = 0
        self.recovered_from = 0
        if self.restarted and recover:
            self.recovered_keys, self.recovered_from = self._pull(recover_timeout)

    def _pull(self, timeout: float) -> tuple[int, int]:
        """Merge the snapshots of every peer that answers within ``timeout``."""
        import ray

        refs: list[Any] = []
        for j in range(self._n):
            if j == self._index:
                continue
            try:
                peer = ray.get_actor(_replica_name(self._store_id, self._shard, j))
            except ValueError:  # peer not registered (yet)
                continue
            refs.append(peer.snapshot.remote())
        if not refs:
            return 0, 0
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout)
        before = len(self._data)
        answered = 0
        for ref in ready:
            try:
                self.merge(ray.get(ref))
                answered += 1
            except ray.exceptions.RayError:
                continue  # that peer is down too; the others suffice
        return len(self._data) - before, answered

    def put(self, key: Key, value: Any, version: Version) -> bool:
        """Store ``value`` if ``version`` is newer than ours; always ack."""
        current = self._data.get(key)
        if current is None or _version(version) > current[0]:
            self._data[key] = (_version(version), value)
        return True

    def get(self, key: Key) -> tuple[Version, Any] | None:
        return self._data.get(key)

    def version(self, key: Key) -> Version:
        entry = self._data.get(key)
        return NO_VERSION if entry is None else entry[0]

    def snapshot(self) -> dict[Key, tuple[Version, Any]]:
        return dict(self._data)

    def merge(self, items: dict[Key, tuple[Version, Any]]) -> int:
        """Keep the newer entry per key; return how many entries changed."""
        changed = 0
        for key, (version, value) in items.items():
            current = self._data.get(key)
            if current is None or _version(version) > current[0]:
                self._data[key] = (_version(version), value)
                changed += 1
        return changed

    def status(self) -> dict[str, Any]:
        return {"shard": self._shard, "index": self._index, "keys": len(self._data),
                "restarted": self.restarted, "recovered_keys": self.recovered_keys,
                "recovered_from": self.recovered_from}


@dataclass(frozen=True)
class WriteResult:
    acked: bool
    version: Version | None
    replicas: tuple[int, ...]
    """Replica indices that confirmed the write."""


@dataclass(frozen=True)
class ReadResult:
    ok: bool
    value: Any
    version: Version | None
    """None if the key was not found on the replicas asked."""
    replicas: tuple[int, ...]
    repaired: int = 0


class KVStore:
    """Client of a sharded, replicated store; creates the replica actors.

    Parameters
    ----------
    num_shards, replication_factor, read_quorum, write_quorum
        Layout and quorums (``1 <= R, W <= N``).
    vnodes
        Virtual nodes per shard on the hash ring.
    seed
        Seeds the default replica choice of :meth:`put` and :meth:`get`.
    recover
        Whether a restarted replica pulls its state from its peers.
    timeout
        Seconds to wait for a replica before trying the next one.
    max_restarts
        How often Ray restarts a crashed replica.

    Needs a running Ray (see :func:`dsscale.raysupport.ray_session`).
    """

    def __init__(self, num_shards: int = 2, replication_factor: int = 3,
                 read_quorum: int = 2, write_quorum: int = 2, *, vnodes: int = 64,
                 seed: np.random.Generator | int | None = 0, recover: bool = True,
                 timeout: float = 0.5, max_restarts: int = 3) -> None:
        import ray

        self.num_shards = check_int("num_shards", num_shards, minimum=1)
        if not ray.is_initialized():
            raise RuntimeError("KVStore needs a running Ray; create it inside "
                               "`with dsscale.raysupport.ray_session(): ...`")
        self.n, self.r, self.w = check_quorums(replication_factor, read_quorum,
                                               write_quorum)
        self.timeout = check_float("timeout", timeout, 0.0, strict_min=True)
        max_restarts = check_int("max_restarts", max_restarts, minimum=0)
        self._rng = as_rng(seed, "seed")
        self.ring = HashRing(list(range(self.num_shards)), vnodes=vnodes)
        self.store_id = uuid.uuid4().hex[:8]
        # num_cpus=0: replicas are mostly idle, and N * shards of them must
        # fit on a laptop with two cores.
        actor: Any = ray.remote(Replica)
        self.replicas: list[list[Any]] = [
            [actor.options(
                name=_replica_name(self.store_id, s, i), num_cpus=0,
                max_restarts=max_restarts, max_task_retries=0,
            ).remote(self.store_id, s, i, self.n, recover)
             for i in range(self.n)] for s in range(self.num_shards)]
        ray.get([a.status.remote() for group in self.replicas for a in group])

    @property
    def strict_quorum(self) -> bool:
        """True if R + W > N (read and write quorums always intersect)."""
        return self.r + self.w > self.n

    def shard_of(self, key: Key) -> int:
        return int(self.ring.node_for(key))

    def _quorum(self, shard: int, needed: int, rng: np.random.Generator,
                call: Callable[[Any], Any]) -> list[tuple[int, Any]]:
        """Call replicas in a seeded order until ``needed`` answer (or none left)."""
        import ray

        order = [int(i) for i in rng.permutation(self.n)]
        pending = {call(self.replicas[shard][i]): i for i in order[:needed]}
        spare = order[needed:]
        answers: list[tuple[int, Any]] = []
        while len(answers) < needed and pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=self.timeout)
            if not ready:  # all slow: bring in a spare, or give up
                if not spare:
                    break
                i = spare.pop(0)
                pending[call(self.replicas[shard][i])] = i
                continue
            index = pending.pop(ready[0])
            try:
                answers.append((index, ray.get(ready[0])))
            except ray.exceptions.RayError:
                if spare:
                    i = spare.pop(0)
                    pending[call(self.replicas[shard][i])] = i
        return answers

    def write(self, key: Key, value: Any, *, client_id: int = 0,
              rng: np.random.Generator | None = None) -> WriteResult:
        """Two-phase quorum write; ``acked`` is False if a quorum was missed."""
        rng = self._rng if rng is None else rng
        shard = self.shard_of(key)
        seen = self._quorum(shard, self.r, rng, lambda a: a.version.remote(key))
        if len(seen) < self.r:
            return WriteResult(False, None, ())
        counter = max(_version(v)[0] for _, v in seen)
        version: Version = (counter + 1, int(client_id))
        acks = self._quorum(shard, self.w, rng,
                            lambda a: a.put.remote(key, value, version))
        return WriteResult(len(acks) >= self.w, version,
                           tuple(sorted(i for i, _ in acks)))

    def read(self, key: Key, *,
             rng: np.random.Generator | None = None) -> ReadResult:
        """Quorum read with read repair of the replicas that were behind."""
        rng = self._rng if rng is None else rng
        shard = self.shard_of(key)
        answers = self._quorum(shard, self.r, rng, lambda a: a.get.remote(key))
        replicas = tuple(sorted(i for i, _ in answers))
        if len(answers) < self.r:
            return ReadResult(False, None, None, replicas)
        found = [(_version(e[0]), e[1]) for _, e in answers if e is not None]
        if not found:
            return ReadResult(True, None, None, replicas)
        version, value = max(found, key=lambda e: e[0])
        behind = [i for i, e in answers if e is None or _version(e[0]) < version]
        for i in behind:  # fire and forget: repair must not slow the read
            self.replicas[shard][i].put.remote(key, value, version)
        return ReadResult(True, value, version, replicas, len(behind))

    def put(self, key: Key, value: Any) -> Version:
        """Store ``value``; return its version. Raises QuorumError if not acked."""
        result = self.write(key, value)
        if not result.acked:
            raise QuorumError(f"put({key!r}): fewer than W={self.w} replicas acked")
        assert result.version is not None
        return result.version

    def get(self, key: Key) -> Any:
        """The newest value a read quorum knows (None if absent)."""
        result = self.read(key)
        if not result.ok:
            raise QuorumError(f"get({key!r}): fewer than R={self.r} replicas answered")
        return result.value

    def sync(self) -> int:
        """Anti-entropy round: merge each shard's snapshots, push the result back.

        Returns the number of entries that changed on some replica. The client
        coordinates (replicas that pulled from each other at the same time
        would each wait for the other, since an actor runs one call at a time).
        Replicas that are down are skipped.
        """
        import ray

        changed = 0
        for group in self.replicas:
            refs = [a.snapshot.remote() for a in group]
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=10 * self.timeout)
            merged: dict[Key, tuple[Version, Any]] = {}
            for ref in ready:
                try:
                    snapshot = ray.get(ref)
                except ray.exceptions.RayError:
                    continue
                for key, (version, value) in snapshot.items():
                    if key not in merged or _version(version) > merged[key][0]:
                        merged[key] = (_version(version), value)
            pushes = [a.merge.remote(merged) for a in group]
            ready, _ = ray.wait(pushes, num_returns=len(pushes),
                                timeout=10 * self.timeout)
            for ref in ready:
                try:
                    changed += ray.get(ref)
                except ray.exceptions.RayError:
                    continue
        return changed

    def status(self) -> list[list[dict[str, Any]]]:
        import ray

        return [ray.get([a.status.remote() for a in g]) for g in self.replicas]

    def kill_replica(self, shard: int, index: int) -> None:
        """Crash one replica; Ray restarts it (``no_restart=False``)."""
        import ray

        ray.kill(self.replicas[shard][index], no_restart=False)

    def close(self) -> None:
        import ray

        for group in self.replicas:
            for a in group:
                ray.kill(a, no_restart=True)

    def __enter__(self) -> KVStore:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The workload driver lives in its own module; it is part of this API.
from dsscale.parallel.kvworkload import (
    KVReport,
    WriteRecord,
    audit_history,
    run_kv_workload,
)
