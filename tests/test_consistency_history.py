"""Operations, models and the checker's input validation."""

import math
import pickle

import pytest

from dsscale.consistency import (
    UNKNOWN,
    CASRegisterModel,
    KVModel,
    Operation,
    RegisterModel,
    check_linearizable,
)


def test_operation_fields_and_pending():
    op = Operation("alice", ("write", 1), 0.5, None, math.inf)
    assert op.pending
    assert not Operation(0, ("read", None), 1, 3, 2).pending


@pytest.mark.parametrize("call, ret, name", [
    (2.0, 1.0, "return_time"),
    (math.nan, 1.0, "call"),
    (0.0, math.nan, "return_time"),
    (math.inf, math.inf, "call"),
])
def test_operation_rejects_bad_times(call, ret, name):
    with pytest.raises(ValueError, match=name):
        Operation(0, ("read", None), call, None, ret)


def test_operation_rejects_non_numeric_time_and_unhashable_client():
    with pytest.raises(TypeError, match="call"):
        Operation(0, ("read", None), "0", None, 1)
    with pytest.raises(TypeError, match="client_id"):
        Operation([0], ("read", None), 0, None, 1)


def test_operation_is_frozen():
    op = Operation(0, ("read", None), 0, None, 1)
    with pytest.raises(AttributeError):
        op.call = 5  # type: ignore[misc]


def test_unknown_survives_pickling():
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


def test_history_elements_must_be_operations():
    ops = [Operation(0, ("read", None), 0, None, 1), ("read", None)]
    with pytest.raises(TypeError, match=r"operations\[1\]"):
        check_linearizable(ops, RegisterModel())
    with pytest.raises(TypeError, match="operations"):
        check_linearizable(42, RegisterModel())


def test_model_must_have_init_and_step():
    class NoStep:
        def init(self):
            return None

    with pytest.raises(TypeError, match="model.*step"):
        check_linearizable([], NoStep())


def test_timeout_must_be_non_negative():
    with pytest.raises(ValueError, match="timeout"):
        check_linearizable([], RegisterModel(), timeout=-1)


@pytest.mark.parametrize("model, bad", [
    (RegisterModel(), ("write",)),
    (RegisterModel(), ("cas", (0, 1))),
    (CASRegisterModel(), ("cas", 0, 1)),
    (KVModel(), ("put", "k")),
    (KVModel(), ("get", ["unhashable"])),
])
def test_malformed_input_names_input(model, bad):
    op = Operation(0, bad, 0, None, 1)
    with pytest.raises(ValueError, match="input must be one of"):
        check_linearizable([op], model)


def test_cas_output_must_be_boolean():
    op = Operation(0, ("cas", (None, 1)), 0, "yes", 1)
    with pytest.raises(ValueError, match="output of a cas"):
        check_linearizable([op], CASRegisterModel())


def test_partition_must_return_every_operation_once():
    class Lossy(KVModel):
        def partition(self, operations):
            return [list(operations)[:1]]

    ops = [Operation(0, ("put", k, 1), 0, None, 1) for k in "ab"]
    with pytest.raises(ValueError, match="model.partition"):
        check_linearizable(ops, Lossy())


def test_models_step_directly():
    assert RegisterModel(0).step(0, ("read", None), 0) == (True, 0)
    assert RegisterModel(0).step(0, ("read", None), UNKNOWN) == (True, 0)
    assert RegisterModel(0).step(0, ("write", 3), None) == (True, 3)
    assert CASRegisterModel(0).step(0, ("cas", (0, 1)), True) == (True, 1)
    assert CASRegisterModel(0).step(2, ("cas", (0, 1)), True) == (False, 2)
    assert CASRegisterModel(0).step(2, ("cas", (0, 1)), UNKNOWN) == (True, 2)
    ok, state = KVModel(0).step(KVModel(0).init(), ("put", "k", 5), None)
    assert ok and KVModel(0).step(state, ("get", "k"), 5)[0]
    assert KVModel(0).step(state, ("get", "other"), 0)[0]


def test_prune_may_drop_only_pending_operations():
    class Greedy(RegisterModel):
        def prune(self, operations):
            return []

    ops = [Operation(0, ("write", 1), 0, None, 1)]
    with pytest.raises(ValueError, match="model.prune"):
        check_linearizable(ops, Greedy())


def test_register_prune_keeps_observed_pending_writes():
    ops = [Operation(0, ("write", 1), 0, None, math.inf),
           Operation(1, ("write", 2), 0, None, math.inf),
           Operation(2, ("read", None), 1, None, math.inf),
           Operation(2, ("read", None), 2, 1, 3)]
    assert RegisterModel().prune(ops) == [ops[0], ops[3]]
    kv = [Operation(0, ("put", "a", 1), 0, None, math.inf),
          Operation(0, ("put", "b", 1), 0, None, math.inf),
          Operation(1, ("get", "a"), 1, 1, 2)]
    assert KVModel().prune(kv) == [kv[0], kv[2]]
    cas = [Operation(0, ("read", None), 0, None, math.inf),
           Operation(0, ("write", 5), 0, None, math.inf)]
    assert CASRegisterModel().prune(cas) == [cas[1]]
