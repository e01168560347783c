r"""A workload for the Ray-actor KV store: clients, a crash, and an audit.

:func:`run_kv_workload` runs seeded clients against a
:class:`dsscale.parallel.kvstore.KVStore`, kills a replica mid-run (Ray restarts
it, and it recovers from its peers), and audits the history with
:func:`audit_history`: stale reads during the run, and acknowledged writes that
are not readable at the end (*lost*). With :math:`R + W > N` (and
:math:`W \ge 2`) both counts are 0; with :math:`R + W \le N` stale reads
appear.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dsscale._validate import check_float, check_int

if TYPE_CHECKING:  # pragma: no cover
    from dsscale.parallel.kvstore import KVStore

__all__ = ["KVReport", "WriteRecord", "audit_history", "run_kv_workload"]


@dataclass(frozen=True)
class WriteRecord:
    """One attempted write: its key, its round, whether it was acknowledged."""

    key: str
    value: str
    round: int
    acked: bool


def audit_history(writes: dict[str, WriteRecord],
                  reads: list[tuple[str, int, str | None]],
                  final: dict[str, str | None]) -> tuple[int, int]:
    """Count stale reads and lost writes of a round-based history.

    Ops in the same round are concurrent; an op in a later round started after
    every op of earlier rounds completed. An acknowledged write ``w`` is
    *superseded* once an acknowledged write to its key from a later round
    exists. A write that was never acknowledged may still take effect at any
    time (its client gave up, not the system), so it is never superseded.

    * A read (key, round r, value) is **stale** if it returned nothing while
      an acknowledged write to the key finished before round r, or a write
      superseded by one that finished before round r.
    * A key's write is **lost** if the final read returns nothing while an
      acknowledged write exists, or a superseded write.
    """
    latest_acked: dict[str, list[int]] = {}
    for w in writes.values():
        if w.acked:
            latest_acked.setdefault(w.key, []).append(w.round)
    for rounds in latest_acked.values():
        rounds.sort()

    def superseded_before(value: str | None, key: str, before: float) -> bool:
        done = [r for r in latest_acked.get(key, []) if r < before]
        if value is None:
            return bool(done)
        w = writes[value]
        return w.acked and any(r > w.round for r in done)

    stale = sum(superseded_before(v, k, r) for k, r, v in reads)
    lost = sum(superseded_before(v, k, float("inf")) for k, v in final.items())
    return stale, lost


@dataclass(frozen=True)
class KVReport:
    """What :func:`run_kv_workload` observed."""

    replication_factor: int
    read_quorum: int
    write_quorum: int
    num_ops: int
    acknowledged_writes: int
    failed_ops: int
    reads: int
    stale_reads: int
    lost_writes: int
    """Keys whose latest acknowledged value was not readable at the end."""
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


def run_kv_workload(num_clients: int = 4, num_ops: int = 300,
                    kill_after: int | None = 100, replication_factor: int = 3,
                    read_quorum: int = 2, write_quorum: int = 2, *,
                    num_shards: int = 2, num_keys: int = 20,
                    write_fraction: float = 0.5, seed: int = 0,
                    recover: bool = True, timeout: float = 0.5,
                    address: str | None = None, progress: bool = False) -> KVReport:
    """Run ``num_clients`` concurrent clients; crash a replica mid-run; audit.

    The ops (put or get, key, client) and every replica choice are drawn from
    ``seed``. Ops run in rounds of one op per client, executed concurrently.
    Before op ``kill_after`` a seeded replica is killed with
    ``ray.kill(actor, no_restart=False)``, so Ray restarts it and it recovers
    from its peers. At the end the workload waits (up to 60 s) for the
    replica to be back, reads every key with a normal quorum read and counts
    the acknowledged writes that are not readable (:func:`audit_history`).
    """
    from dsscale.parallel.kvstore import KVStore, check_quorums
    from dsscale.raysupport import ray_session

    num_clients = check_int("num_clients", num_clients, minimum=1)
    num_ops = check_int("num_ops", num_ops, minimum=1)
    if kill_after is not None:
        kill_after = check_int("kill_after", kill_after, 0, num_ops - 1)
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    num_keys = check_int("num_keys", num_keys, minimum=1)
    write_fraction = check_float("write_fraction", write_fraction, 0.0, 1.0)
    seed = check_int("seed", seed, minimum=0)
    streams = np.random.SeedSequence(seed).spawn(num_clients + 2)
    plan = np.random.default_rng(streams[-1])
    client_rngs = [np.random.default_rng(s) for s in streams[:num_clients]]
    verify_rng = np.random.default_rng(streams[num_clients])
    is_write = plan.random(num_ops) < write_fraction
    key_ids = plan.integers(num_keys, size=num_ops)
    num_shards = check_int("num_shards", num_shards, minimum=1)
    victim = (int(plan.integers(num_shards)), int(plan.integers(n)))

    writes: dict[str, WriteRecord] = {}
    reads: list[tuple[str, int, str | None]] = []
    failed = 0
    ops_down = served_down = 0
    t_kill = t_back = None
    start = time.perf_counter()
    with ray_session(address), KVStore(
            num_shards, n, r, w, seed=seed, recover=recover,
            timeout=timeout) as store, \
            concurrent.futures.ThreadPoolExecutor(num_clients) as pool:

        def run_op(i: int, rnd: int) -> bool:
            client = i % num_clients
            key = f"k{key_ids[i]}"
            if is_write[i]:
                value = f"c{client}-op{i}"
                res = store.write(key, value, client_id=client,
                                  rng=client_rngs[client])
                writes[value] = WriteRecord(key, value, rnd, res.acked)
                ok = res.acked
            else:
                got = store.read(key, rng=client_rngs[client])
                if got.ok:
                    reads.append((key, rnd, got.value))
                ok = got.ok
            return ok

        bar = _bar(num_ops, progress)
        probe = None
        for rnd, first in enumerate(range(0, num_ops, num_clients)):
            ops = range(first, min(first + num_clients, num_ops))
            if kill_after is not None and t_kill is None and kill_after < ops.stop:
                store.kill_replica(*victim)
                t_kill = time.perf_counter()
            down = t_kill is not None and t_back is None
            results = list(pool.map(run_op, ops, [rnd] * len(ops)))
            failed += results.count(False)
            if down:
                ops_down += len(results)
                served_down += sum(results)
                t_back, probe = _poll_back(store, victim, probe)
            bar.update(len(ops))
        bar.close()
        if t_kill is not None and t_back is None:
            t_back, probe = _wait_back(store, victim, probe, limit=60.0)
        final = {}
        for key in sorted({rec.key for rec in writes.values()}):
            got = store.read(key, rng=verify_rng)
            final[key] = got.value if got.ok else None
        status = store.status()
    stale, lost = audit_history(writes, reads, final)
    victim_status = status[victim[0]][victim[1]] if t_kill is not None else None
    return KVReport(
        replication_factor=n, read_quorum=r, write_quorum=w, num_ops=num_ops,
        acknowledged_writes=sum(rec.acked for rec in writes.values()),
        failed_ops=failed, reads=len(reads), stale_reads=stale, lost_writes=lost,
        killed_replica=victim if t_kill is not None else None,
        ops_while_down=ops_down,
        availability=(served_down / ops_down) if ops_down else None,
        replica_restarted=bool(victim_status and victim_status["restarted"]),
        recovered_keys=int(victim_status["recovered_keys"]) if victim_status else 0,
        downtime_seconds=(t_back - t_kill) if t_kill is not None and t_back
        else None,
        seconds=time.perf_counter() - start)


def _bar(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="kv ops", unit="op", disable=not enabled,
                leave=False)


def _poll_back(store: KVStore, victim: tuple[int, int],
               probe: Any) -> tuple[float | None, Any]:
    """Non-blocking: has the killed replica come back? (time, next probe)."""
    import ray

    if probe is None:
        return None, store.replicas[victim[0]][victim[1]].status.remote()
    ready, _ = ray.wait([probe], timeout=0)
    if not ready:
        return None, probe
    try:
        # an answer from the old process (the kill not yet done) does not count
        if ray.get(probe)["restarted"]:
            return time.perf_counter(), probe
    except ray.exceptions.RayError:
        pass
    return None, store.replicas[victim[0]][victim[1]].status.remote()


def _wait_back(store: KVStore, victim: tuple[int, int], probe: Any,
               limit: float) -> tuple[float | None, Any]:
    deadline = time.perf_counter() + limit
    t_back = None
    while t_back is None and time.perf_counter() < deadline:
        t_back, probe = _poll_back(store, victim, probe)
        if t_back is None:
            time.sleep(0.05)
    return t_back, probe
