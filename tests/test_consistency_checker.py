"""The linearizability checker on hand-written and generated histories."""

import math

import pytest

from dsscale.consistency import (
    CASRegisterModel,
    KVModel,
    Operation,
    RegisterModel,
    check_linearizable,
    random_kv_history,
    random_register_history,
    register_as_key,
)
from dsscale.consistency.history import UNKNOWN

INF = math.inf


def w(v, call, ret, client=0):
    return Operation(client, ("write", v), call, None, ret)


def r(v, call, ret, client=1):
    return Operation(client, ("read", None), call, v, ret)


def cas(expected, new, ok, call, ret, client=0):
    return Operation(client, ("cas", (expected, new)), call, ok, ret)


def assert_valid_linearization(history, result, model):
    """The order respects real time, is legal, and covers every completed op."""
    order = list(result.linearization)
    assert {id(op) for op in history if not op.pending} <= {id(op) for op in order}
    assert len({id(op) for op in order}) == len(order)
    latest_call = -math.inf
    for op in order:  # no op may return before an earlier-ordered op's call
        latest_call = max(latest_call, op.call)
        assert op.return_time >= latest_call
    state = model.init()
    for op in order:
        ok, state = model.step(state, op.input, UNKNOWN if op.pending else op.output)
        assert ok


LINEARIZABLE = {
    "empty": ([], RegisterModel()),
    "read initial": ([r(None, 0, 1)], RegisterModel()),
    "write then read": ([w(1, 0, 1), r(1, 2, 3)], RegisterModel()),
    "read overlapping write sees old": ([w(1, 0, 10), r(None, 1, 2)],
                                        RegisterModel()),
    "read overlapping write sees new": ([w(1, 0, 10), r(1, 1, 2)], RegisterModel()),
    "overlapping writes, either order": (
        [w(1, 0, 5), w(2, 1, 6, client=2), r(1, 7, 8), r(1, 9, 10)],
        RegisterModel()),
    "touching intervals are concurrent": ([w(1, 0, 1), r(None, 1, 2)],
                                          RegisterModel()),
    "pending write not taken effect": ([w(1, 0, INF), r(None, 5, 6)],
                                       RegisterModel()),
    "pending write taken effect": ([w(1, 0, INF), r(1, 5, 6)], RegisterModel()),
    "pending write takes effect late": (
        [w(1, 0, INF), r(None, 1, 2), r(1, 3, 4)], RegisterModel()),
    "pending read imposes nothing": ([w(1, 0, 1), r(42, 2, INF)], RegisterModel()),
    "only pending operations": ([w(1, 0, INF), r(7, 0, INF)], RegisterModel()),
    "cas succeeds then read": ([cas(0, 1, True, 0, 1), r(1, 2, 3)],
                               CASRegisterModel(0)),
    "concurrent cas, one wins": (
        [cas(0, 1, True, 0, 5), cas(0, 2, False, 1, 6, client=2), r(1, 7, 8)],
        CASRegisterModel(0)),
    "failed cas leaves value": ([cas(5, 1, False, 0, 1), r(0, 2, 3)],
                                CASRegisterModel(0)),
    "pending cas may apply": ([cas(0, 1, None, 0, INF), r(1, 2, 3)],
                              CASRegisterModel(0)),
    "pending cas may not apply": ([cas(0, 1, None, 0, INF), r(0, 2, 3)],
                                  CASRegisterModel(0)),
    "kv two keys each fine": (
        [Operation(0, ("put", "a", 1), 0, None, 2),
         Operation(1, ("put", "b", 2), 1, None, 3),
         Operation(2, ("get", "a"), 1, None, 4),
         Operation(2, ("get", "b"), 5, 2, 6),
         Operation(1, ("get", "a"), 5, 1, 7)], KVModel()),
}

ILLEGAL = {
    "stale read after completed writes": ([w(1, 0, 1), w(2, 2, 3), r(1, 4, 5)],
                                          RegisterModel()),
    "read of initial after completed write": ([w(1, 0, 1), r(None, 2, 3)],
                                              RegisterModel()),
    "read of a value never written": ([r(9, 0, 1)], RegisterModel()),
    "sequential reads new then old": (
        [w(1, 0, 10), r(1, 1, 2), r(None, 3, 4)], RegisterModel()),
    "just after touching is not concurrent": ([w(1, 0, 1), r(None, 1.5, 2)],
                                              RegisterModel()),
    "pending write seen then unseen": (
        [w(1, 0, INF), r(1, 1, 2), r(None, 3, 4)], RegisterModel()),
    "pending write cannot act before its call": ([r(1, 0, 1), w(1, 2, INF)],
                                                 RegisterModel()),
    "two cas from same value both succeed": (
        [cas(0, 1, True, 0, 5), cas(0, 2, True, 1, 6, client=2)],
        CASRegisterModel(0)),
    "cas fails although it should succeed": ([cas(0, 1, False, 0, 1)],
                                             CASRegisterModel(0)),
    "pending cas applied then undone": (
        [cas(0, 1, None, 0, INF), r(1, 1, 2), r(0, 3, 4)], CASRegisterModel(0)),
    "kv one key stale": (
        [Operation(0, ("put", "a", 1), 0, None, 1),
         Operation(1, ("put", "b", 2), 0, None, 1),
         Operation(2, ("get", "a"), 2, 1, 3),
         Operation(2, ("get", "b"), 4, None, 5)], KVModel()),
}


@pytest.mark.parametrize("name", LINEARIZABLE)
def test_linearizable_histories_pass(name):
    history, model = LINEARIZABLE[name]
    result = check_linearizable(history, model)
    assert result.status == "ok" and result
    assert not result.counterexample
    assert_valid_linearization(history, result, model)


@pytest.mark.parametrize("name", ILLEGAL)
def test_illegal_histories_fail(name):
    history, model = ILLEGAL[name]
    result = check_linearizable(history, model)
    assert result.status == "illegal" and not result
    assert result.counterexample
    assert {id(op) for op in result.counterexample} <= {id(op) for op in history}
    assert not check_linearizable(result.counterexample, model)


def test_input_order_does_not_matter():
    history, model = ILLEGAL["sequential reads new then old"]
    assert not check_linearizable(history[::-1], model)
    history, model = LINEARIZABLE["overlapping writes, either order"]
    assert check_linearizable(history[::-1], model)


def test_completed_read_of_none_is_not_unknown():
    # None is a value (the initial one): only return_time=inf means "unknown".
    assert not check_linearizable([w(1, 0, 1), r(None, 2, 3)], RegisterModel())


def test_kv_partitions_and_merges():
    history, model = LINEARIZABLE["kv two keys each fine"]
    result = check_linearizable(history, model)
    assert result.num_partitions == 2
    assert len(result.linearization) == len(history)


def test_kv_illegal_partial_linearization_is_from_failing_key():
    history, model = ILLEGAL["kv one key stale"]
    result = check_linearizable(history, model)
    assert all(op.input[1] == "b" for op in result.counterexample)


def test_generated_register_history_passes():
    model = RegisterModel(0)
    history = random_register_history(5, 1000, 1, pending_fraction=0.05)
    assert any(op.pending for op in history)
    result = check_linearizable(history, model)
    assert result.status == "ok"
    assert_valid_linearization(history, result, model)


def test_generated_history_with_stale_read_fails():
    history = random_register_history(5, 1000, 2, linearizable=False,
                                      pending_fraction=0.02)
    result = check_linearizable(history, RegisterModel(0))
    assert result.status == "illegal"
    assert len(result.counterexample) <= 3
    assert any(op.input[0] == "read" for op in result.counterexample)


def test_long_sequential_history_needs_no_recursion():
    history = []
    for i in range(6000):
        history.append(w(i, 4 * i, 4 * i + 1))
        history.append(r(i, 4 * i + 2, 4 * i + 3))
    assert check_linearizable(history, RegisterModel()).status == "ok"


def test_partitioned_kv_10000_ops_100_keys_passes():
    model = KVModel(0)
    history = random_kv_history(100, 20, 10_000, 3, pending_fraction=0.02)
    result = check_linearizable(history, model)
    assert result.status == "ok" and result.num_partitions == 100
    assert_valid_linearization(history, result, model)


def test_partitioned_kv_with_stale_read_fails():
    history = random_kv_history(100, 20, 10_000, 4, linearizable=False)
    result = check_linearizable(history, KVModel(0))
    assert result.status == "illegal"
    assert len({op.input[1] for op in result.counterexample}) == 1


def test_zero_timeout_gives_unknown():
    history = random_register_history(5, 200, 5)
    result = check_linearizable(history, RegisterModel(0), timeout=0)
    assert result.status == "unknown" and not result
    assert check_linearizable(history, RegisterModel(0), timeout=3600).status == "ok"


def test_shrink_can_be_turned_off():
    history = random_register_history(4, 300, 6, linearizable=False)
    full = check_linearizable(history, RegisterModel(0), shrink=False)
    small = check_linearizable(history, RegisterModel(0))
    assert not full and not small
    assert len(small.counterexample) <= len(full.counterexample)
    assert not check_linearizable(full.counterexample, RegisterModel(0))


def _stale_register_history(num_ops):
    seed = 0
    while True:  # the first seed that can plant a stale read
        try:
            return random_register_history(3, num_ops, seed, linearizable=False)
        except ValueError:
            seed += 1


def test_a_hard_key_does_not_hide_an_easy_violation_on_another():
    # Key "hard": 30 clients with long overlapping operations -- searching it
    # alone explores well over a million states (minutes). Key "easy": three
    # clients and one stale read. Sequential partition-by-partition search
    # would start with "hard" (it is seen first) and never reach "easy".
    hard = register_as_key(random_register_history(30, 300, 0), "hard")
    easy = register_as_key(_stale_register_history(200), "easy")
    result = check_linearizable(hard + easy, KVModel(0), timeout=60)
    assert result.status == "illegal"
    assert result.failed_partition == 1 and result.num_partitions == 2
    assert {op.input[1] for op in result.counterexample} == {"easy"}
    # Interleaving with doubling budgets: the hard search gets at most about
    # as many steps as the easy one needed, rounded up to a budget round.
    assert result.states_explored < 20_000


def test_failed_partition_names_the_illegal_key_in_partition_order():
    keys = ["a", "b", "c"]
    parts = [register_as_key(random_register_history(3, 100, i), k)
             for i, k in enumerate(keys)]
    parts[2] = register_as_key(_stale_register_history(100), "c")
    result = check_linearizable(parts[0] + parts[1] + parts[2], KVModel(0))
    assert result.status == "illegal" and result.failed_partition == 2
    assert check_linearizable(parts[0] + parts[1], KVModel(0)).failed_partition is None
    with pytest.raises(ValueError, match="history must hold register operations"):
        register_as_key([Operation(0, ("get", "x"), 0, 1, 1)], "k")
