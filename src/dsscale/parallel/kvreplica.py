"""A replica actor of the Ray key-value store (see :mod:`dsscale.parallel.kvstore`).

Each actor hosts the simulator's own
:class:`~dsscale.replication.quorum_store.QuorumReplica` role behind a
:class:`~dsscale.sim.Mailbox`: a ``Query`` or ``Store`` message from a client is
delivered to the role's handler, and the message the role sends back is the
actor call's return value. Crash recovery is the actor's own addition: a Ray
actor restarted after a crash has lost its memory, so it pulls its peers'
data before it serves.
"""

from __future__ import annotations

from typing import Any

from dsscale.replication.abd import Query, Store
from dsscale.replication.quorum_core import QuorumConfig, Tag, as_tag, store_if_newer
from dsscale.replication.quorum_store import QuorumReplica
from dsscale.sim import Mailbox

__all__ = ["QuorumError", "Replica", "ReplicaRecovering", "replica_name"]


class QuorumError(RuntimeError):
    """Fewer than the required number of replicas answered in time."""


class ReplicaRecovering(RuntimeError):
    """A restarted replica has not yet heard from enough peers to serve."""


def replica_name(store_id: str, shard: int, index: int) -> str:
    return f"dsscale-kv-{store_id}-s{shard}-r{index}"


class Replica:
    """One copy of one shard: the simulator's ``QuorumReplica`` role on an actor.

    Run as a Ray actor with ``max_restarts > 0``. On a restart (Ray re-runs
    ``__init__``; state is lost) it recovers from its peers before serving.
    """

    def __init__(self, store_id: str, shard: int, index: int, config: QuorumConfig,
                 recover: bool = True, recover_timeout: float = 10.0) -> None:
        import ray

        self._store_id, self._shard, self._index = store_id, shard, index
        self._n = config.replication_factor
        # peers that together hold every acknowledged write (see module doc)
        self._needed = min(self._n - config.write_quorum + 1, self._n - 1)
        self._role = QuorumReplica(f"s{shard}r{index}")
        self._box = Mailbox()
        self._box.join(self._role)
        self.restarted = bool(
            ray.get_runtime_context().was_current_actor_reconstructed)
        self.ready = not (self.restarted and recover)
        self.recovered_keys = 0
        self.recovered_from = 0
        if not self.ready:
            self._pull(recover_timeout)

    def _pull(self, timeout: float) -> None:
        """Merge the data of every peer that answers within ``timeout``."""
        import ray

        refs: list[Any] = []
        for j in range(self._n):
            if j == self._index:
                continue
            try:
                peer = ray.get_actor(replica_name(self._store_id, self._shard, j))
            except ValueError:  # peer not registered (yet)
                continue
            refs.append(peer.snapshot.remote())
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout)
        answered = 0
        for ref in ready:
            try:
                self.recovered_keys += self.merge(ray.get(ref))
                answered += 1
            except ray.exceptions.RayError:
                continue  # that peer is down too
        self.recovered_from = max(self.recovered_from, answered)
        self.ready = answered >= self._needed

    def handle(self, src: str, msg: Query | Store) -> Any:
        """Deliver ``msg`` from client ``src`` to the role; return its reply."""
        if not self.ready:
            self._pull(1.0)
            if not self.ready:
                raise ReplicaRecovering(
                    f"replica {self._index} of shard {self._shard} has heard from "
                    f"{self.recovered_from} of the {self._needed} peers it needs")
        [(_, reply)] = self._box.deliver(self._role, src, msg)
        return reply

    def snapshot(self) -> dict[str, tuple[Tag, Any]]:
        return dict(self._role.data)

    def merge(self, items: dict[str, tuple[Tag, Any]]) -> int:
        """Keep the newer entry per key; return how many entries changed."""
        return sum(store_if_newer(self._role.data, key, as_tag(tag), value)
                   for key, (tag, value) in items.items())

    def status(self) -> dict[str, Any]:
        return {"shard": self._shard, "index": self._index,
                "keys": len(self._role.data), "restarted": self.restarted,
                "ready": self.ready, "recovered_keys": self.recovered_keys,
                "recovered_from": self.recovered_from}
