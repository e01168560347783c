r"""A sharded, replicated key-value store on Ray actors: the quorum protocol at scale.

Layout. Keys are routed to ``num_shards`` shards by consistent hashing
(:class:`dsscale.partitioning.HashRing`); each shard is kept by
:math:`N` = ``replication_factor`` replica actors. A client (a :class:`KVClient`,
made by :meth:`KVStore.client`) coordinates its own operations and talks to
the replicas directly.

One protocol, three scales. This is the protocol that the simulator runs as
``quorum`` (:mod:`dsscale.replication.quorum_store`), not a second
implementation of it:

* each replica actor hosts the simulator's own
  :class:`~dsscale.replication.quorum_store.QuorumReplica` role, behind a
  :class:`~dsscale.sim.Mailbox`, and answers the same ``Query`` and ``Store``
  messages with the same handlers;
* the client follows :class:`~dsscale.replication.abd.ABDClient`'s two phases
  with the rules of :mod:`dsscale.replication.quorum_core`: a write asks
  :math:`R` replicas for their tags and stores ``(next_tag, value)`` on
  :math:`W`; a read asks :math:`R`, takes the freshest value, and -- with
  ``sync_read_repair`` (the default) -- writes it back to :math:`W` replicas
  before returning, which makes reads linearizable when :math:`R + W > N`.
  Without it, the replicas that were behind are repaired fire-and-forget.

Tags are unique by construction. A tag is ``(counter, writer)`` and every
client has its own writer id, ``<store>/<name>.<incarnation>``. A write that
was not acknowledged may still take effect later, so the client then moves to
a new *incarnation* (a new writer id): its next write cannot reuse a tag that
an unacknowledged write of a different value may already hold somewhere.

Every client records its operations as a history (:class:`Operation`, on the
wall clock), which :func:`dsscale.consistency.check_linearizable` checks like
a simulated one (see :mod:`dsscale.parallel.kvworkload`).

Crash recovery. A Ray actor restarted after a crash re-runs ``__init__`` and
its memory is gone. A restarted :class:`Replica` pulls its peers' data (found
by actor name) and serves nothing until it has heard from enough of them: an
acknowledged write is on :math:`W` replicas, so at least :math:`W - 1` copies
survive among the :math:`N - 1` peers, and any :math:`N - W + 1` peers include
one of them. (With :math:`W = 1` a crash can destroy the only copy: quorum
intersection protects reads, not durability.) :meth:`KVStore.sync` runs a full
anti-entropy round on demand.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.parallel.kvclient import KVClient, ReadResult, WriteResult
from dsscale.parallel.kvreplica import QuorumError, Replica, replica_name
from dsscale.partitioning import HashRing
from dsscale.replication.abd import Query, Store
from dsscale.replication.quorum_core import QuorumConfig, Tag, as_tag

__all__ = ["KVClient", "KVStore", "QuorumError", "ReadResult", "WriteResult"]


class KVStore:
    """A sharded, replicated store: creates the replica actors, routes keys.

    Parameters
    ----------
    num_shards, replication_factor, read_quorum, write_quorum
        Layout and quorums (``1 <= R, W <= N``).
    sync_read_repair
        Reads write the value they return back to ``W`` replicas first
        (linearizable with ``R + W > N``); else repair is fire-and-forget.
    vnodes
        Virtual nodes per shard on the hash ring.
    rng
        Seeds the replica choices of the store's own client (``put``, ``get``,
        ``write``, ``read``) and of the clients made by :meth:`client`.
    recover
        Whether a restarted replica pulls its state from its peers.
    timeout
        Seconds to wait for a replica before trying the next one.
    max_restarts
        How often Ray restarts a crashed replica.

    Needs a running Ray (see :func:`dsscale.raysupport.ray_session`).
    """

    def __init__(self, num_shards: int = 2, replication_factor: int = 3,
                 read_quorum: int = 2, write_quorum: int = 2, *,
                 sync_read_repair: bool = True, vnodes: int = 64,
                 rng: RNGLike = 0, recover: bool = True, timeout: float = 0.5,
                 max_restarts: int = 3) -> None:
        import ray

        self.num_shards = check_int("num_shards", num_shards, minimum=1)
        if not ray.is_initialized():
            raise RuntimeError("KVStore needs a running Ray; create it inside "
                               "`with dsscale.raysupport.ray_session(): ...`")
        self.config = QuorumConfig(replication_factor, read_quorum, write_quorum,
                                   sync_read_repair=bool(sync_read_repair))
        self.timeout = check_float("timeout", timeout, 0.0, strict_min=True)
        max_restarts = check_int("max_restarts", max_restarts, minimum=0)
        self._rng = as_rng(rng)
        self.ring = HashRing(list(range(self.num_shards)), vnodes=vnodes)
        self.store_id = uuid.uuid4().hex[:8]
        self._clients = 0
        # num_cpus=0: replicas are mostly idle, and N * shards of them must
        # fit on a laptop with two cores.
        actor: Any = ray.remote(Replica)
        self.replicas: list[list[Any]] = [
            [actor.options(
                name=replica_name(self.store_id, s, i), num_cpus=0,
                max_restarts=max_restarts, max_task_retries=0,
            ).remote(self.store_id, s, i, self.config, recover)
             for i in range(self.config.replication_factor)]
            for s in range(self.num_shards)]
        ray.get([a.status.remote() for group in self.replicas for a in group])
        self.default_client = self.client("store")

    @property
    def strict_quorum(self) -> bool:
        """True if R + W > N (read and write quorums always intersect)."""
        return self.config.intersecting

    def shard_of(self, key: str) -> int:
        return int(self.ring.node_for(key))

    def client(self, name: str | None = None, rng: RNGLike = None) -> KVClient:
        """A new client with its own writer id, history and random stream.

        ``rng=None`` draws the client's stream from the store's ``rng``.
        """
        self._clients += 1
        name = f"c{self._clients}" if name is None else name
        return KVClient(self, name, self._rng.spawn(1)[0] if rng is None else rng)

    def quorum_call(self, shard: int, needed: int, rng: np.random.Generator,
                    src: str, msg: Query | Store) -> list[tuple[int, Any]]:
        """Send ``msg`` to replicas in a seeded order until ``needed`` answer.

        A replica that is slow (``timeout``), dead or still recovering is
        replaced by the next one in the order; returns ``(index, reply)`` for
        every answer, fewer than ``needed`` if the replicas ran out.
        """
        import ray

        group = self.replicas[shard]
        order = [int(i) for i in rng.permutation(len(group))]
        pending = {group[i].handle.remote(src, msg): i for i in order[:needed]}
        spare = order[needed:]
        answers: list[tuple[int, Any]] = []
        while len(answers) < needed and pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=self.timeout)
            if ready:
                index = pending.pop(ready[0])
                try:
                    answers.append((index, ray.get(ready[0])))
                    continue
                except ray.exceptions.RayError:
                    pass  # dead or recovering: bring in a spare
            if not spare:
                if not ready:
                    break  # all slow, none left to try
                continue
            i = spare.pop(0)
            pending[group[i].handle.remote(src, msg)] = i
        return answers

    # -- the store's own client ----------------------------------------------------
    def write(self, key: str, value: Any, *,
              rng: np.random.Generator | None = None) -> WriteResult:
        """Two-phase quorum write by the store's client (see :class:`KVClient`)."""
        return self.default_client.write(key, value, rng=rng)

    def read(self, key: str, *, rng: np.random.Generator | None = None) -> ReadResult:
        """Quorum read with read repair by the store's client."""
        return self.default_client.read(key, rng=rng)

    def put(self, key: str, value: Any) -> Tag:
        """Store ``value``; return its tag. Raises QuorumError if not acked."""
        return self.default_client.put(key, value)

    def get(self, key: str) -> Any:
        """The freshest value a read quorum knows (None if absent)."""
        return self.default_client.get(key)

    # -- maintenance ---------------------------------------------------------------
    def sync(self) -> int:
        """Anti-entropy round: merge each shard's snapshots, push the result back.

        Returns the number of entries that changed on some replica. The store
        coordinates (replicas that pulled from each other at the same time
        would each wait for the other, since an actor runs one call at a time).
        Replicas that are down are skipped.
        """
        changed = 0
        for group in self.replicas:
            merged: dict[str, tuple[Tag, Any]] = {}
            for snapshot in self._gather([a.snapshot.remote() for a in group]):
                for key, (tag, value) in snapshot.items():
                    if key not in merged or as_tag(tag) > merged[key][0]:
                        merged[key] = (as_tag(tag), value)
            changed += sum(self._gather([a.merge.remote(merged) for a in group]))
        return changed

    def _gather(self, refs: list[Any]) -> list[Any]:
        """The results of the calls that answer within ten timeouts."""
        import ray

        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=10 * self.timeout)
        out = []
        for ref in ready:
            try:
                out.append(ray.get(ref))
            except ray.exceptions.RayError:
                continue
        return out

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

    def __enter__(self) -> KVStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

