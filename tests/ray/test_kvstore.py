"""The Ray-actor KV store: the simulator's quorum protocol on actors.

Quorums, read repair, crash recovery, staleness, unique tags, and the clients'
histories checked by the linearizability checker.
"""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.consistency import KVModel, check_linearizable
from dsscale.parallel.kvstore import KVStore, QuorumError
from dsscale.parallel.kvworkload import run_kv_workload
from dsscale.replication.quorum_store import QuorumReplica

pytestmark = pytest.mark.ray


def test_put_get_roundtrip_and_the_history_it_records(ray_runtime: object) -> None:
    with KVStore(num_shards=2, replication_factor=3, read_quorum=2,
                 write_quorum=2, rng=0, timeout=5.0) as store:
        assert store.get("missing") is None
        v1 = store.put("a", 1)
        v2 = store.put("a", 2)
        assert v2 > v1 and v2[1] == v1[1] == store.default_client.writer
        store.put("b", "x")
        store.put("a", 1)  # a repeated value is a new write with a new tag
        assert store.get("a") == 1 and store.get("b") == "x"
        history = store.default_client.history
        assert [op.input for op in history] == [
            ("get", "missing"), ("put", "a", 1), ("put", "a", 2), ("put", "b", "x"),
            ("put", "a", 1), ("get", "a"), ("get", "b")]
        assert check_linearizable(history, KVModel())


def test_replicas_run_the_simulators_quorum_role(ray_runtime: object) -> None:
    import ray

    with KVStore(num_shards=1, rng=0, timeout=5.0) as store:
        store.put("k", "v")
        snapshots = ray.get([r.snapshot.remote() for r in store.replicas[0]])
        holders = [s for s in snapshots if s.get("k", (None, None))[1] == "v"]
        assert len(holders) >= 2  # W = 2
        tag = holders[0]["k"][0]
        assert tuple(tag) == (1, store.default_client.writer)
    assert QuorumReplica.__module__ == "dsscale.replication.quorum_store"


def test_clients_have_distinct_writer_ids_and_tags_never_collide(
        ray_runtime: object) -> None:
    import ray

    with KVStore(num_shards=1, replication_factor=3, read_quorum=1,
                 write_quorum=1, rng=0, timeout=5.0) as store:
        a, b = store.client("a"), store.client("b")
        assert a.writer != b.writer
        # R = W = 1: find (deterministically) a key where b's query misses a's
        # replica and b stores elsewhere. Both then pick counter 1; the writer
        # ids keep the two tags -- and so the two writes -- apart.
        for attempt in range(40):
            key = f"x{attempt}"
            wa = a.write(key, "from-a", rng=np.random.default_rng(attempt))
            wb = b.write(key, "from-b", rng=np.random.default_rng(1000 + attempt))
            if wb.version[0] == 1 and wa.replicas != wb.replicas:
                break
        else:
            pytest.fail("no seed in 40 put the two writes on different replicas")
        assert wa.version[0] == 1 and wa.version != wb.version
        store.sync()  # anti-entropy: every replica agrees on one winner
        values = {s[key][1] for s in ray.get(
            [r.snapshot.remote() for r in store.replicas[0]])}
        winner = "from-a" if wa.version > wb.version else "from-b"
        assert values == {winner}


def test_an_unacknowledged_write_moves_the_client_to_a_new_writer_id(
        ray_runtime: object) -> None:
    import ray

    with KVStore(num_shards=1, replication_factor=2, read_quorum=1,
                 write_quorum=2, rng=0, timeout=0.5, max_restarts=0) as store:
        client = store.client("c")
        first = client.writer
        ray.kill(store.replicas[0][1], no_restart=True)
        result = client.write("k", "v", rng=np.random.default_rng(3))
        assert not result.acked and result.version is not None
        assert client.writer != first and client.process_id == "c'1"
        [op] = client.history
        assert op.pending  # it may have landed on the live replica
        with pytest.raises(QuorumError, match="write_quorum=2"):
            client.put("k", "w")


def test_killed_replica_loses_no_write_and_the_history_is_linearizable(
        ray_runtime: object) -> None:
    report = run_kv_workload(num_clients=4, num_ops=240, kill_after=80,
                             replication_factor=3, read_quorum=2, write_quorum=2,
                             rng=0, timeout=2.0)
    assert report.strict_quorum and report.sync_read_repair
    assert report.acknowledged_writes > 50
    assert report.linearizable and report.check_status == "ok"
    assert report.lost_writes == 0 and report.stale_reads == 0
    assert report.killed_replica is not None and report.replica_restarted
    assert report.recovered_keys > 0  # the restarted replica got its data back
    assert report.ops_while_down > 0
    # N = 3, R = W = 2 tolerate one replica down: nothing failed
    assert report.failed_ops == 0 and report.availability == 1.0


def test_repeated_values_and_several_clients_are_checked_too(
        ray_runtime: object) -> None:
    report = run_kv_workload(num_clients=3, num_ops=150, kill_after=None,
                             num_keys=4, value_pool=2, rng=5, timeout=2.0)
    assert report.linearizable and report.lost_writes == 0
    assert report.acknowledged_writes > 30


def test_weak_quorum_workload_reads_stale_and_is_caught(ray_runtime: object) -> None:
    report = run_kv_workload(num_clients=4, num_ops=120, kill_after=None,
                             replication_factor=3, read_quorum=1, write_quorum=1,
                             sync_read_repair=False, rng=0, timeout=5.0)
    assert not report.strict_quorum
    assert report.stale_reads > 0
    assert not report.linearizable and report.check_status == "illegal"


def test_seeded_schedule_shows_a_stale_read(ray_runtime: object) -> None:
    """R + W <= N: a read quorum that misses the write quorum returns old data."""
    with KVStore(num_shards=1, replication_factor=3, read_quorum=1,
                 write_quorum=1, sync_read_repair=False, rng=0,
                 timeout=5.0) as store:
        written = store.write("x", "v1", rng=np.random.default_rng(0))
        assert written.acked and len(written.replicas) == 1
        missed = hit = 0
        for seed in range(12):
            got = store.read("x", rng=np.random.default_rng(100 + seed))
            assert got.ok
            if set(got.replicas) & set(written.replicas):
                assert got.value == "v1"
                hit += 1
            else:
                assert got.value is None  # stale: the write is invisible here
                missed += 1
        assert missed > 0 and hit > 0
        store.sync()  # anti-entropy brings every replica up to date
        for seed in range(5):
            assert store.read("x", rng=np.random.default_rng(seed)).value == "v1"


def test_read_repair_fixes_the_replicas_behind(ray_runtime: object) -> None:
    import ray

    with KVStore(num_shards=1, replication_factor=3, read_quorum=3,
                 write_quorum=1, sync_read_repair=False, rng=0,
                 timeout=5.0) as store:
        store.write("y", "v", rng=np.random.default_rng(1))
        got = store.read("y", rng=np.random.default_rng(2))
        assert got.value == "v" and got.repaired == 2
        # the repair is fire-and-forget: its stores are queued before this call
        entries = ray.get([r.snapshot.remote() for r in store.replicas[0]])
        assert all(e["y"][1] == "v" for e in entries)


def test_store_arguments_are_checked(ray_runtime: object) -> None:
    message = r"write_quorum must be in 1..replication_factor \(3\), got 4"
    with pytest.raises(ValueError, match=message):
        KVStore(1, 3, 2, 4)
    with pytest.raises(ValueError, match="timeout"):
        KVStore(1, timeout=0.0)
