"""Shrinking an illegal history to a 1-minimal counterexample."""

import pytest

from dsscale.consistency import (
    KVModel,
    Operation,
    RegisterModel,
    check_linearizable,
    random_kv_history,
    random_register_history,
    shrink_history,
)


def test_shrink_returns_small_illegal_sub_history():
    model = RegisterModel(0)
    history = random_register_history(4, 500, 3, linearizable=False)
    small = shrink_history(history, model)
    assert 0 < len(small) < len(history)
    assert {id(op) for op in small} <= {id(op) for op in history}
    assert not check_linearizable(small, model)
    for i in range(len(small)):  # 1-minimal: every operation is needed
        assert check_linearizable(small[:i] + small[i + 1:], model, shrink=False)


def test_shrink_keeps_the_write_that_makes_a_read_stale():
    ops = [Operation(0, ("write", 1), 0, None, 1),
           Operation(1, ("read", None), 2, 1, 3),
           Operation(0, ("write", 2), 4, None, 5),
           Operation(1, ("read", None), 6, 0, 7)]
    small = shrink_history(ops, RegisterModel(0))
    assert small == [ops[2], ops[3]] or small == [ops[0], ops[3]]


def test_shrink_works_within_one_key():
    history = random_kv_history(10, 5, 400, 8, linearizable=False)
    small = shrink_history(history, KVModel(0))
    assert len({op.input[1] for op in small}) == 1
    assert not check_linearizable(small, KVModel(0))


def test_shrink_rejects_linearizable_history():
    history = random_register_history(3, 50, 1)
    with pytest.raises(ValueError, match="operations must be a non-linearizable"):
        shrink_history(history, RegisterModel(0))


def test_shrink_timeout_zero_cannot_decide():
    history = random_register_history(3, 50, 1, linearizable=False)
    with pytest.raises(ValueError, match="timeout"):
        shrink_history(history, RegisterModel(0), timeout=0)
