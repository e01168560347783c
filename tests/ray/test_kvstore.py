"""The Ray-actor KV store: quorums, read repair, crash recovery, staleness."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.parallel.kvstore import KVStore, QuorumError, run_kv_workload

pytestmark = pytest.mark.ray


def test_put_get_roundtrip(ray_runtime: object) -> None:
    with KVStore(num_shards=2, replication_factor=3, read_quorum=2,
                 write_quorum=2, seed=0, timeout=5.0) as store:
        assert store.get("missing") is None
        v1 = store.put("a", 1)
        v2 = store.put("a", 2)
        assert v2 > v1
        store.put("b", "x")
        assert store.get("a") == 2
        assert store.get("b") == "x"


def test_quorum_error_when_too_few_replicas(ray_runtime: object) -> None:
    import ray

    with KVStore(num_shards=1, replication_factor=2, read_quorum=2,
                 write_quorum=2, seed=0, timeout=0.5, max_restarts=0) as store:
        ray.kill(store.replicas[0][0], no_restart=True)
        with pytest.raises(QuorumError, match="W=2"):
            store.put("k", "v")


def test_killed_replica_loses_no_acknowledged_write(ray_runtime: object) -> None:
    report = run_kv_workload(num_clients=4, num_ops=240, kill_after=80,
                             replication_factor=3, read_quorum=2, write_quorum=2,
                             seed=0)
    assert report.strict_quorum
    assert report.acknowledged_writes > 50
    assert report.lost_writes == 0
    assert report.stale_reads == 0
    assert report.killed_replica is not None
    assert report.replica_restarted
    # the restarted replica got its shard's data back from its peers
    assert report.recovered_keys > 0
    assert report.ops_while_down > 0
    assert report.availability == 1.0  # N=3, R=W=2 tolerate one replica down


def test_weak_quorum_workload_reads_stale(ray_runtime: object) -> None:
    report = run_kv_workload(num_clients=4, num_ops=120, kill_after=None,
                             replication_factor=3, read_quorum=1, write_quorum=1,
                             seed=0, timeout=5.0)
    assert not report.strict_quorum
    assert report.stale_reads > 0


def test_seeded_schedule_shows_a_stale_read(ray_runtime: object) -> None:
    """R + W <= N: a read quorum that misses the write quorum returns old data."""
    with KVStore(num_shards=1, replication_factor=3, read_quorum=1,
                 write_quorum=1, seed=0, timeout=5.0) as store:
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
        # anti-entropy brings every replica up to date
        store.sync()
        for seed in range(5):
            assert store.read("x", rng=np.random.default_rng(seed)).value == "v1"


def test_read_repair_fixes_the_replicas_behind(ray_runtime: object) -> None:
    import ray

    with KVStore(num_shards=1, replication_factor=3, read_quorum=3,
                 write_quorum=1, seed=0, timeout=5.0) as store:
        store.write("y", "v", rng=np.random.default_rng(1))
        got = store.read("y", rng=np.random.default_rng(2))
        assert got.value == "v" and got.repaired == 2
        # the repair is fire-and-forget: its puts are queued before this get
        entries = ray.get([r.get.remote("y") for r in store.replicas[0]])
        assert all(e is not None and e[1] == "v" for e in entries)
