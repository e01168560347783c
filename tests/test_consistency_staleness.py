"""Stale reads and lost writes, on hand-made histories and against the checker."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dsscale.consistency import (
    KVModel,
    Operation,
    check_linearizable,
    lost_writes,
    random_kv_history,
    stale_reads,
)


def put(client: str, value: object, call: float, ret: float,
        key: str = "x") -> Operation:
    return Operation(client, ("put", key, value), call, None, ret)


def get(value: object, call: float, ret: float, key: str = "x") -> Operation:
    return Operation("r", ("get", key), call, value, ret)


def test_a_read_of_an_overwritten_value_is_stale() -> None:
    w1, w2 = put("a", 1, 0, 1), put("a", 2, 2, 3)
    assert stale_reads([w1, w2, get(2, 4, 5)]) == []
    assert stale_reads([w1, w2, get(1, 4, 5)]) == [(get(1, 4, 5), w2)]
    assert [w.input[2] for _, w in stale_reads([w1, w2, get(None, 4, 5)])] == [1, 2]
    # a write that had not returned when the read began may come after it
    assert stale_reads([w1, put("a", 2, 2, 6), get(1, 4, 5)]) == []
    # a pending write constrains nothing
    assert stale_reads([w1, put("a", 2, 2, math.inf), get(1, 4, 5)]) == []
    # keys are independent
    assert stale_reads([w1, put("a", 2, 2, 3, key="y"), get(1, 4, 5)]) == []


def test_repeated_values_are_judged_by_every_write_of_the_value() -> None:
    a1, b, a2 = put("a", "v", 0, 1), put("b", "w", 2, 3), put("c", "v", 4, 5)
    assert stale_reads([a1, b, a2, get("v", 6, 7)]) == []  # may be a2's
    assert len(stale_reads([a1, b, a2, get("w", 6, 7)])) == 1  # a2 followed b
    assert lost_writes([a1, b, a2], [get("w", 20, 21)]) == [
        "x=v (acked at 5.00) lost: final read returned 'w'"]
    assert lost_writes([a1, b, a2], [get("v", 20, 21)]) == []


def test_a_read_of_a_unique_value_orders_its_write_after_earlier_sources() -> None:
    # w returned at 9, after s; but a read called at 6 already saw w's value,
    # so w took effect after s (which returned at 1): ending on s's value loses w
    s, w = put("a", "s", 0, 1), put("b", "w", 0.5, 9)
    seen = get("w", 6, 7)
    assert lost_writes([s, w, seen], [get("s", 20, 21)]) != []
    assert lost_writes([s, w], [get("s", 20, 21)]) == []  # concurrent: either order


def test_a_stale_read_does_not_overrule_real_time() -> None:
    # w1 returned before w2 was called: real time orders w1 < w2. A later read
    # of w1's value is stale; it must not make the fresh read of w2 stale too,
    # nor make the final value w2 look like it lost w1.
    w1, w2 = put("a", "v1", 0, 1), put("b", "v2", 2, 3)
    fresh, old = get("v2", 4, 5), get("v1", 6, 7)
    assert stale_reads([w1, w2, fresh, old]) == [(old, w2)]
    assert lost_writes([w1, w2, fresh, old], [get("v2", 20, 21)]) == []
    assert len(lost_writes([w1, w2, fresh, old], [get("v1", 20, 21)])) == 1


def test_a_value_nobody_wrote_is_left_to_the_checker() -> None:
    history = [put("a", 1, 0, 1), get(99, 2, 3)]
    assert stale_reads(history) == []
    assert not check_linearizable(history, KVModel())


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3), st.booleans())
def test_stale_reads_imply_a_non_linearizable_history(seed: int, keys: int,
                                                      planted: bool) -> None:
    # soundness: whatever stale_reads reports, the checker must reject too;
    # histories generated linearizable have no stale read at all
    try:
        history = random_kv_history(keys, 3, 40, seed, linearizable=not planted)
    except ValueError:  # too few operations to plant a stale read
        history = None
    assume(history is not None)
    assert history is not None
    found = stale_reads(history)
    if not planted:
        assert found == []
    if found:
        assert not check_linearizable(history, KVModel(0))


def test_planted_stale_reads_are_found() -> None:
    # random_kv_history plants a read of the most recent overwritten value (0,
    # the initial value, when no earlier write exists; stale_reads counts only
    # values some write produced). Count how often the rule finds the plant.
    found = planted = 0
    for seed in range(60):
        history = random_kv_history(2, 3, 60, seed, linearizable=False)
        planted += 1
        found += bool(stale_reads(history))
    assert found >= 0.8 * planted, (found, planted)
