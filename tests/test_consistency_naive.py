"""The memoised checker agrees with the exhaustive one on small histories."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.consistency import (
    CASRegisterModel,
    KVModel,
    Operation,
    RegisterModel,
    check_linearizable,
    naive_check_linearizable,
    random_register_history,
)


class Bare:
    """A model with only init and step, so the search meets every pending op."""

    def __init__(self, inner):
        self.inner = inner

    def init(self):
        return self.inner.init()

    def step(self, state, input, output):
        return self.inner.step(state, input, output)


MODELS = {"register": RegisterModel(0), "cas": CASRegisterModel(0),
          "kv": KVModel(0), "bare register": Bare(RegisterModel(0)),
          "bare kv": Bare(KVModel(0))}
KINDS = {"register": "register", "cas": "cas", "kv": "kv",
         "bare register": "register", "bare kv": "kv"}


def _input(draw, kind):
    if kind == "register" or kind == "cas":
        ops = ["read", "write"] + (["cas"] if kind == "cas" else [])
        name = draw(st.sampled_from(ops))
        if name == "read":
            return ("read", None), draw(st.integers(0, 2))
        if name == "write":
            return ("write", draw(st.integers(1, 2))), None
        pair = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        return ("cas", pair), draw(st.booleans())
    key = draw(st.sampled_from("ab"))
    if draw(st.booleans()):
        return ("get", key), draw(st.integers(0, 2))
    return ("put", key, draw(st.integers(1, 2))), None


@st.composite
def histories(draw, kind):
    """Up to 7 operations on integer times (so ties happen), some pending."""
    ops = []
    for client in range(draw(st.integers(0, 7))):
        call = draw(st.integers(0, 8))
        duration = draw(st.one_of(st.integers(0, 4), st.none()))
        ret = math.inf if duration is None else call + duration
        input_, output = _input(draw, kind)
        ops.append(Operation(client, input_, call, output, ret))
    return ops


def _agree(history, model):
    fast = check_linearizable(history, model)
    slow = naive_check_linearizable(history, model)
    assert fast.status == slow.status, history
    if fast:
        order = fast.linearization
        assert naive_check_linearizable(
            [op for op in history if any(op is o for o in order)
             or not op.pending], model).status == "ok"
    elif hasattr(model, "partition"):
        # the partition the interleaved search blames is itself illegal
        blamed = model.partition(history)[fast.failed_partition]
        assert naive_check_linearizable(blamed, model).status == "illegal"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_checkers_agree_on_random_small_histories(name):
    @given(histories(KINDS[name]))
    def check(history):
        _agree(history, MODELS[name])

    check()


def test_cross_check_covers_both_verdicts():
    # Hypothesis mostly draws illegal histories; generated ones with a few
    # pending writes are mostly legal. Count both so the agreement means
    # something.
    rng = np.random.default_rng(7)
    verdicts = {"ok": 0, "illegal": 0}
    for _ in range(60):
        linearizable = bool(rng.random() < 0.5)
        try:
            history = random_register_history(
                3, 7, rng, linearizable=linearizable, pending_fraction=0.3)
        except ValueError:  # too few operations to plant a stale read
            continue
        _agree(history, RegisterModel(0))
        verdicts[check_linearizable(history, RegisterModel(0)).status] += 1
    assert verdicts["ok"] >= 10 and verdicts["illegal"] >= 10, verdicts


def test_naive_refuses_long_histories():
    ops = [Operation(0, ("read", None), i, 0, i) for i in range(13)]
    with pytest.raises(ValueError, match="max_operations"):
        naive_check_linearizable(ops, RegisterModel(0))


def test_naive_timeout_gives_unknown():
    ops = random_register_history(4, 9, 1, linearizable=False)
    assert naive_check_linearizable(ops, RegisterModel(0), timeout=0).status == (
        "unknown")


@pytest.mark.parametrize("seed", range(4))
def test_prune_does_not_change_verdicts(seed):
    # Many pending operations: the bare search (no prune) must agree.
    for linearizable in (True, False):
        history = random_register_history(4, 150, seed, linearizable=linearizable,
                                          pending_fraction=0.2)
        pruned = check_linearizable(history, RegisterModel(0))
        bare = check_linearizable(history, Bare(RegisterModel(0)))
        assert pruned.status == bare.status == (
            "ok" if linearizable else "illegal")
