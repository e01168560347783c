"""What clients saw: hand-made histories with known answers, then campaigns."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsscale.consistency import Operation, random_kv_history
from dsscale.faults import (
    HistoryMetrics,
    history_metrics,
    measure_protocol,
    run_campaign,
    run_seed,
)
from dsscale.replication.client import Workload

INF = math.inf


def put(value: object, call: float, ret: float, key: str = "x",
        client: str = "w") -> Operation:
    return Operation(client, ("put", key, value), call, None, ret)


def get(value: object, call: float, ret: float, key: str = "x",
        client: str = "r") -> Operation:
    return Operation(client, ("get", key), call, value, ret)


def test_counts_and_latencies_of_a_small_history() -> None:
    history = [put(1, 0, 1), put(2, 2, 5), get(2, 6, 6.5), get(1, 6, 9),
               put(3, 7, INF), get(None, 8, INF)]
    m = history_metrics(history)
    assert (m.histories, m.operations, m.completed) == (1, 6, 4)
    assert m.read_latencies == (0.5, 3.0) and m.write_latencies == (1.0, 3.0)
    assert m.stale_reads == 1 and m.lost_writes == 0  # get(1) missed put(2)
    assert m.completed_fraction == 4 / 6 and m.stale_read_fraction == 1 / 2
    # numpy's linear interpolation between the two reads
    assert m.read_latency(0.5) == 1.75 and m.read_latency(1.0) == 3.0
    assert m.write_latency(0.0) == 1.0


def test_a_read_that_missed_several_writes_is_one_stale_read() -> None:
    history = [put(1, 0, 1), put(2, 2, 3), put(3, 4, 5), get(1, 6, 7)]
    assert history_metrics(history).stale_reads == 1


def test_initial_value_after_an_acknowledged_write_is_stale() -> None:
    assert history_metrics([put(1, 0, 1), get(None, 2, 3)]).stale_reads == 1
    # concurrent with the write: either order is fine
    assert history_metrics([put(1, 0, 3), get(None, 2, 4)]).stale_reads == 0


def test_several_keys_are_judged_separately() -> None:
    history = [put(1, 0, 1, key="x"), put(1, 0, 1, key="y"),
               put(2, 2, 3, key="y"), get(1, 4, 5, key="x"), get(1, 4, 5, key="y")]
    m = history_metrics(history, [get(1, 9, 10, key="x"), get(2, 9, 10, key="y")])
    assert m.stale_reads == 1 and m.lost_writes == 0  # only y's read is stale
    m = history_metrics(history, [get(1, 9, 10, key="x"), get(1, 9, 10, key="y")])
    assert m.lost_writes == 1  # y=2 was acknowledged, the store ends on y=1


def test_repeated_values_give_a_sound_lower_bound() -> None:
    # "v" written twice: a read of "v" after "w" may be the second write's
    a1, b, a2 = put("v", 0, 1), put("w", 2, 3), put("v", 4, 5)
    assert history_metrics([a1, b, a2, get("v", 6, 7)]).stale_reads == 0
    assert history_metrics([a1, b, a2, get("w", 6, 7)]).stale_reads == 1
    assert history_metrics([a1, b, a2], [get("w", 9, 10)]).lost_writes == 1
    assert history_metrics([a1, b, a2], [get("v", 9, 10)]).lost_writes == 0


def test_final_reads_are_not_operations() -> None:
    history = [put(1, 0, 1), put(2, 2, 3)]
    m = history_metrics(history, [get(1, 9, 10)])
    assert (m.operations, m.completed, m.read_latencies) == (2, 2, ())
    assert m.lost_writes == 1 and m.stale_reads == 0  # the loss is not a stale read


def test_pooling_adds_counts_and_concatenates_latencies() -> None:
    a = history_metrics([put(1, 0, 2), get(1, 3, 4)])
    b = history_metrics([put(2, 0, INF), get(None, 1, 4), get(None, 5, 6, key="y")])
    both = a + b
    assert (both.histories, both.operations, both.completed) == (2, 5, 4)
    assert both.read_latencies == (1.0, 3.0, 1.0) and both.write_latencies == (2.0,)
    assert both == HistoryMetrics() + a + b
    with pytest.raises(TypeError):
        _ = a + 1  # type: ignore[operator]


def test_empty_measurements_are_nan_not_zero() -> None:
    m = history_metrics([])
    assert m.operations == 0 and math.isnan(m.completed_fraction)
    assert math.isnan(m.stale_read_fraction) and math.isnan(m.read_latency(0.5))
    only_pending = history_metrics([get(None, 0, INF)])
    assert only_pending.completed_fraction == 0.0
    assert math.isnan(only_pending.write_latency(0.99))


def test_bad_input_is_named() -> None:
    with pytest.raises(TypeError, match="history"):
        history_metrics("xy")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"history\[1\]"):
        history_metrics([put(1, 0, 1), ("put", "x", 2)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"history\[0\]\.input"):
        history_metrics([Operation("a", ("write", 1), 0, None, 1)])
    with pytest.raises(ValueError, match=r"history\[0\]\.input"):
        history_metrics([Operation("a", ("get", "x", 3), 0, None, 1)])
    with pytest.raises(ValueError, match="final_reads"):
        history_metrics([], [put(1, 0, 1)])
    with pytest.raises(ValueError, match="final_reads"):
        history_metrics([], [get(1, 0, INF)])
    with pytest.raises(ValueError, match="final_reads"):
        history_metrics([], [get(1, 0, 1), get(1, 2, 3)])
    with pytest.raises(ValueError, match="quantile"):
        history_metrics([get(None, 0, 1)]).read_latency(1.5)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3))
def test_linearizable_histories_have_no_stale_read(seed: int, keys: int) -> None:
    history = random_kv_history(keys, 3, 30, seed, linearizable=True)
    m = history_metrics(history)
    assert m.stale_reads == 0
    assert m.completed == m.completed_reads + m.completed_writes
    assert m.completed == sum(not op.pending for op in history)


def test_seed_result_separates_final_reads() -> None:
    result = run_seed("pb-sync", 3)
    workload = result.workload_history
    assert workload + result.final_reads == result.history
    assert len(result.final_reads) == 1  # the unique workload has one key
    assert all(str(op.client_id).startswith("final") for op in result.final_reads)
    assert not any(str(op.client_id).startswith("final") for op in workload)


SEEDS = 40


def test_every_protocol_sees_the_same_workload() -> None:
    a = measure_protocol("pb-sync", SEEDS)
    b = measure_protocol("quorum-partial", SEEDS)
    # 5 clients x 10 operations per seed: timeouts are recorded, not dropped
    assert a.metrics.operations == b.metrics.operations == SEEDS * 50
    assert a.seeds == b.seeds == tuple(range(SEEDS))


def test_safe_protocol_shows_no_anomaly_and_unsafe_one_does() -> None:
    safe = measure_protocol("abd", SEEDS)
    assert safe.claims_linearizable and safe.linearizable_seeds == SEEDS
    assert safe.metrics.stale_reads == 0 and safe.metrics.lost_writes == 0
    assert safe.illegal_seeds == safe.undecided_seeds == safe.failing_seeds == ()
    unsafe = measure_protocol("quorum-partial", SEEDS)
    assert not unsafe.claims_linearizable
    assert unsafe.metrics.stale_reads > 0 and unsafe.illegal_seeds
    # R = W = 1 answers after one replica: faster reads than majorities
    assert unsafe.metrics.read_latency(0.5) < safe.metrics.read_latency(0.5)


def test_verdicts_agree_with_the_campaign() -> None:
    measured = measure_protocol("quorum-sloppy", range(10, 10 + SEEDS))
    summary = run_campaign("quorum-sloppy", SEEDS, start_seed=10)
    assert measured.failing_seeds == tuple(summary.failing_seeds)
    assert (measured.linearizable_seeds + len(measured.illegal_seeds)
            + len(measured.undecided_seeds)) == SEEDS
    assert measured.metrics.lost_writes == summary.violations.get("lost-write", 0)


def test_several_keys_and_repeated_values_on_five_replicas() -> None:
    multikey = Workload(ops_per_client=8, keys=("x", "y", "z"), value_pool=3)
    m = measure_protocol("quorum", 15, workload=multikey, num_replicas=5)
    assert m.metrics.operations == 15 * 5 * 8
    assert m.linearizable_seeds == 15 and m.metrics.stale_reads == 0
    latencies = np.array(m.metrics.read_latencies + m.metrics.write_latencies)
    assert latencies.size == m.metrics.completed


def test_measure_protocol_validates() -> None:
    with pytest.raises(ValueError, match="protocol"):
        measure_protocol("paxos", 1)
    with pytest.raises(ValueError, match="seeds"):
        measure_protocol("abd", 0)
    with pytest.raises(ValueError, match="seeds"):
        measure_protocol("abd", [])
    with pytest.raises(ValueError, match="seed"):
        measure_protocol("abd", [-1])
    with pytest.raises(ValueError, match="num_replicas"):
        measure_protocol("abd", 1, num_replicas=0)
