r"""A workload for the Ray key-value store: concurrent clients, a crash, a check.

:func:`run_kv_workload` runs seeded clients against a
:class:`dsscale.parallel.kvstore.KVStore` in rounds (one operation per client
per round, run concurrently), kills a replica mid-run (Ray restarts it, and it
recovers from its peers), reads every key at the end, and checks the recorded
history three ways -- the checks the simulator's fault campaigns run:

* **linearizability**, with :func:`dsscale.consistency.check_linearizable`
  and :class:`~dsscale.consistency.KVModel`, on the clients' wall-clock
  history with the final reads;
* **stale reads** (:func:`dsscale.consistency.stale_reads`): reads that missed
  a write acknowledged before they began;
* **lost writes** (:func:`dsscale.consistency.lost_writes`): acknowledged writes
  the final reads no longer reflect.

With :math:`R + W > N`, synchronous read repair and :math:`W \ge 2`, the
history is linearizable and both counts are 0; with :math:`R + W \le N`
stale reads appear.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from dsscale._validate import RNGLike, as_rng, check_float, check_int, check_quorums
from dsscale.consistency import (
    KVModel,
    Operation,
    check_linearizable,
    lost_writes,
    stale_reads,
)
from dsscale.parallel.kvclient import KVClient
from dsscale.parallel.kvstore import KVStore

__all__ = ["KVReport", "run_kv_workload"]


@dataclass(frozen=True)
class KVReport:
    """What :func:`run_kv_workload` observed."""

    replication_factor: int
    read_quorum: int
    write_quorum: int
    sync_read_repair: bool
    num_ops: int
    acknowledged_writes: int
    failed_ops: int
    reads: int
    stale_reads: int
    """Completed reads that missed a write acknowledged before they began."""
    lost_writes: int
    """Acknowledged writes the final reads no longer reflect."""
    linearizable: bool
    check_status: str
    """The checker's verdict: "ok", "illegal" or "unknown" (timed out)."""
    killed_replica: tuple[int, int] | None
    ops_while_down: int
    availability: float | None
    """Fraction of ops issued while the replica was down that succeeded."""
    replica_restarted: bool
    recovered_keys: int
    downtime_seconds: float | None
    seconds: float

    @property
    def strict_quorum(self) -> bool:
        return self.read_quorum + self.write_quorum > self.replication_factor

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if out["killed_replica"] is not None:
            out["killed_replica"] = list(out["killed_replica"])
        out["strict_quorum"] = self.strict_quorum
        return out


@dataclass(frozen=True)
class _Plan:
    """The seeded operations: per op, write or read, key, value."""

    is_write: np.ndarray[Any, np.dtype[np.bool_]]
    keys: list[str]
    values: list[str]
    victim: tuple[int, int]


def _plan(num_ops: int, num_keys: int, write_fraction: float,
          value_pool: int | None, num_shards: int, replication_factor: int,
          gen: np.random.Generator) -> _Plan:
    is_write = gen.random(num_ops) < write_fraction
    keys = [f"k{k}" for k in gen.integers(num_keys, size=num_ops)]
    if value_pool is None:
        values = [f"op{i}" for i in range(num_ops)]
    else:
        values = [f"v{v}" for v in gen.integers(value_pool, size=num_ops)]
    victim = (int(gen.integers(num_shards)), int(gen.integers(replication_factor)))
    return _Plan(is_write, keys, values, victim)


def run_kv_workload(num_clients: int = 4, num_ops: int = 300,
                    kill_after: int | None = 100, replication_factor: int = 3,
                    read_quorum: int = 2, write_quorum: int = 2, *,
                    sync_read_repair: bool = True, num_shards: int = 2,
                    num_keys: int = 20, write_fraction: float = 0.5,
                    value_pool: int | None = None, rng: RNGLike = 0,
                    recover: bool = True, timeout: float = 2.0,
                    address: str | None = None, progress: bool = False) -> KVReport:
    """Run ``num_clients`` concurrent clients; crash a replica mid-run; check.

    The ops (put or get, key, value), the victim and every replica choice are
    drawn from ``rng``. Values are unique (``"op17"``) or, with
    ``value_pool=k``, drawn from ``"v0" .. "v{k-1}"``. Before op
    ``kill_after`` the victim is killed with ``ray.kill(actor,
    no_restart=False)``, so Ray restarts it and it recovers from its peers.
    At the end the workload waits (up to 60 s) for it to be back, reads every
    key with a fresh client, and checks the history (see the module
    docstring).
    """
    from dsscale.raysupport import ray_session

    num_clients = check_int("num_clients", num_clients, minimum=1)
    num_ops = check_int("num_ops", num_ops, minimum=1)
    if kill_after is not None:
        kill_after = check_int("kill_after", kill_after, 0, num_ops - 1)
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    if value_pool is not None:
        value_pool = check_int("value_pool", value_pool, minimum=1)
    streams = as_rng(rng).spawn(num_clients + 2)
    plan = _plan(num_ops, check_int("num_keys", num_keys, minimum=1),
                 check_float("write_fraction", write_fraction, 0.0, 1.0),
                 value_pool, check_int("num_shards", num_shards, minimum=1), n,
                 streams[-1])
    start = time.perf_counter()
    with ray_session(address), KVStore(
            num_shards, n, r, w, sync_read_repair=sync_read_repair,
            rng=streams[-2], recover=recover, timeout=timeout) as store:
        clients = [store.client(f"c{i}", rng=streams[i]) for i in range(num_clients)]
        run = _Run(store, clients, plan)
        run.rounds(kill_after, progress)
        finals = run.final_reads()
        status = store.status()
    history = [op for c in clients for op in c.history]
    check = check_linearizable(history + finals, KVModel(), timeout=60, shrink=False)
    victim = status[plan.victim[0]][plan.victim[1]] if run.t_kill else None
    return KVReport(
        replication_factor=n, read_quorum=r, write_quorum=w,
        sync_read_repair=sync_read_repair, num_ops=num_ops,
        acknowledged_writes=sum(op.input[0] == "put" and not op.pending
                                for op in history),
        failed_ops=run.failed,
        reads=sum(op.input[0] == "get" and not op.pending for op in history),
        stale_reads=len({id(read) for read, _ in stale_reads(history)}),
        lost_writes=len(lost_writes(history, finals)),
        linearizable=bool(check), check_status=check.status,
        killed_replica=plan.victim if run.t_kill else None,
        ops_while_down=run.ops_down,
        availability=(run.served_down / run.ops_down) if run.ops_down else None,
        replica_restarted=bool(victim and victim["restarted"]),
        recovered_keys=int(victim["recovered_keys"]) if victim else 0,
        downtime_seconds=(run.t_back - run.t_kill)
        if run.t_kill is not None and run.t_back is not None else None,
        seconds=time.perf_counter() - start)


class _Run:
    """The rounds of one workload, and what happened around the crash."""

    def __init__(self, store: KVStore, clients: list[KVClient], plan: _Plan) -> None:
        self.store, self.clients, self.plan = store, clients, plan
        self.failed = self.ops_down = self.served_down = 0
        self.t_kill: float | None = None
        self.t_back: float | None = None
        self._probe: Any = None

    def _op(self, i: int) -> bool:
        client = self.clients[i % len(self.clients)]
        key = self.plan.keys[i]
        if self.plan.is_write[i]:
            return client.write(key, self.plan.values[i]).acked
        return client.read(key).ok

    def rounds(self, kill_after: int | None, progress: bool) -> None:
        from tqdm import tqdm

        num_ops, width = len(self.plan.keys), len(self.clients)
        bar = tqdm(total=num_ops, desc="kv ops", unit="op", disable=not progress,
                   leave=False)
        with concurrent.futures.ThreadPoolExecutor(width) as pool:
            for first in range(0, num_ops, width):
                ops = range(first, min(first + width, num_ops))
                if kill_after is not None and self.t_kill is None \
                        and kill_after < ops.stop:
                    self.store.kill_replica(*self.plan.victim)
                    self.t_kill = time.perf_counter()
                down = self.t_kill is not None and self.t_back is None
                results = list(pool.map(self._op, ops))
                self.failed += results.count(False)
                if down:
                    self.ops_down += len(results)
                    self.served_down += sum(results)
                    self._poll_back()
                bar.update(len(ops))
        bar.close()

    def _poll_back(self) -> None:
        """Non-blocking: has the killed replica come back and recovered?"""
        import ray

        actor = self.store.replicas[self.plan.victim[0]][self.plan.victim[1]]
        if self._probe is None:
            self._probe = actor.status.remote()
            return
        ready, _ = ray.wait([self._probe], timeout=0)
        if not ready:
            return
        try:
            # an answer from the old process (the kill not yet done) does not count
            status = ray.get(self._probe)
            if status["restarted"] and status["ready"]:
                self.t_back = time.perf_counter()
                return
        except ray.exceptions.RayError:
            pass
        self._probe = actor.status.remote()

    def final_reads(self, limit: float = 60.0) -> list[Operation]:
        """Wait for the victim (up to ``limit`` s), then read every key once."""
        deadline = time.perf_counter() + limit
        while self.t_kill is not None and self.t_back is None \
                and time.perf_counter() < deadline:
            self._poll_back()
            if self.t_back is None:
                time.sleep(0.05)
        reader = self.store.client("final")
        for key in sorted(set(self.plan.keys)):
            reader.read(key)
        return reader.history
