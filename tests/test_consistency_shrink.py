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
    small = shrink_history(history, model, keep_sources=False)
    assert 0 < len(small) < len(history)
    assert {id(op) for op in small} <= {id(op) for op in history}
    assert not check_linearizable(small, model)
    for i in range(len(small)):  # 1-minimal: every operation is needed
        assert check_linearizable(small[:i] + small[i + 1:], model, shrink=False)


def test_shrink_keeps_the_writes_that_kept_reads_returned():
    model = RegisterModel(0)
    history = random_register_history(4, 500, 3, linearizable=False)
    small = shrink_history(history, model)
    assert not check_linearizable(small, model)
    read_values = {op.output for op in small if op.input[0] == "read"}
    written = {op.input[1] for op in small if op.input[0] == "write"}
    assert read_values <= written | {0}  # every value read has its write
    for i, op in enumerate(small):
        rest = small[:i] + small[i + 1:]
        # each operation is needed, or it is the source of a kept read
        assert (check_linearizable(rest, model, shrink=False)
                or model.observed(rest, [op]))


def test_a_lone_stale_read_keeps_its_write():
    # w(1) | r->1 | r->0: without sources, "r->1" alone would be the answer
    ops = [Operation("A", ("write", 1), 0, None, 6),
           Operation("B", ("read", None), 1, 1, 3),
           Operation("C", ("read", None), 4, 0, 5)]
    assert shrink_history(ops, RegisterModel(0), keep_sources=False) == [ops[1]]
    assert shrink_history(ops, RegisterModel(0)) == ops
    assert check_linearizable(ops, RegisterModel(0)).counterexample == tuple(ops)


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
