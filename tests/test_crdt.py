"""CRDTs: the semilattice laws and convergence, property-tested; each property
is shown to catch a plausible wrong implementation (a mutant)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from dsscale.crdt import GCounter, LWWRegister, ORSet, PNCounter, anti_entropy_rounds
from dsscale.membership.spread import gossip_round_distribution

REPLICAS = ("r0", "r1", "r2")
ELEMENTS = ("x", "y", "z")

# ---- replicated histories: local operations and merges on three replicas ------

step = st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from(ELEMENTS),
                 st.integers(0, 2))
history = st.lists(step, max_size=25)


def counter_op(state, replica, kind, element, amount):
    return state.increment(replica, amount)


def pn_op(state, replica, kind, element, amount):
    return state.increment(replica, amount - 1)  # -1, 0 or +1


def register_op(state, replica, kind, element, amount):
    return state.assign(element, float(kind), replica)  # few timestamps: ties


def orset_op(state, replica, kind, element, amount):
    return state.add(element, replica) if kind < 2 else state.remove(element)


TYPES = {  # name -> (initial state, local operation)
    "gcounter": (GCounter(), counter_op),
    "pncounter": (PNCounter(), pn_op),
    "lww": (LWWRegister(), register_op),
    "orset": (ORSet(), orset_op),
}


def replay(initial, op, steps):
    """Apply `steps` to three replicas; kind 3 merges replica `amount` into one."""
    states = [initial] * 3
    seen = [initial]
    for replica, kind, element, amount in steps:
        if kind == 3:
            states[replica] = states[replica].merge(states[amount])
        else:
            states[replica] = op(states[replica], REPLICAS[replica], kind, element,
                                 amount)
        seen.append(states[replica])
    return states, seen


def check_laws(a, b, c) -> None:
    assert a.merge(b) == b.merge(a), "merge is not commutative"
    assert a.merge(b).merge(c) == a.merge(b.merge(c)), "merge is not associative"
    assert a.merge(a) == a, "merge is not idempotent"
    assert a <= a.merge(b) and b <= a.merge(b), "merge is not an upper bound"


def laws_test(initial, op):
    @given(history, history, history)
    def run(h1, h2, h3) -> None:
        a = replay(initial, op, h1)[0][0]
        b = replay(initial, op, h2)[0][1]
        c = replay(initial, op, h3)[0][2]
        check_laws(a, b, c)
    return run


def convergence_test(initial, op):
    @given(history, st.lists(st.integers(0, 2), min_size=1, max_size=12),
           st.randoms(use_true_random=False))
    def run(steps, extra, rnd) -> None:
        states, _ = replay(initial, op, steps)
        # each replica receives every state, in its own random order, with
        # duplicates: all must end at the join
        target = reduce(lambda x, y: x.merge(y), states)
        for i in range(3):
            deliveries = [states[j] for j in range(3)] + [states[j] for j in extra]
            rnd.shuffle(deliveries)
            final = reduce(lambda x, y: x.merge(y), deliveries, states[i])
            assert final == target, "replicas diverge"
    return run


@pytest.mark.parametrize("name", sorted(TYPES))
def test_merge_is_a_least_upper_bound(name) -> None:
    laws_test(*TYPES[name])()


@pytest.mark.parametrize("name", sorted(TYPES))
def test_replicas_converge_in_any_delivery_order(name) -> None:
    convergence_test(*TYPES[name])()


# ---- what each type means ------------------------------------------------------


@given(history)
def test_counters_count_every_increment_once(steps) -> None:
    states, _ = replay(GCounter(), counter_op, steps)
    total = reduce(GCounter.merge, states)
    assert total.value == sum(a for _, k, _, a in steps if k != 3)
    pn_states, _ = replay(PNCounter(), pn_op, steps)
    assert reduce(PNCounter.merge, pn_states).value == sum(
        a - 1 for _, k, _, a in steps if k != 3)


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(ELEMENTS)), max_size=30))
def test_orset_at_one_replica_is_a_set(ops) -> None:
    state, reference = ORSet(), set()
    for is_add, element in ops:
        if is_add:
            state, _ = state.add(element, "r0"), reference.add(element)
        else:
            state, _ = state.remove(element), reference.discard(element)
    assert state.value == reference


def test_orset_concurrent_add_wins_and_lww_tie_is_the_replica() -> None:
    base = ORSet().add("x", "r0")
    removed = base.remove("x")                    # r0 removes x
    readded = base.add("x", "r1")                 # concurrently r1 adds it again
    assert "x" in removed.merge(readded) and "x" in readded.merge(removed)
    a = LWWRegister().assign("a", 5.0, "r0")
    b = LWWRegister().assign("b", 5.0, "r1")
    assert a.merge(b) == b.merge(a) == b          # same time: the larger id wins
    assert b.assign("c", 4.0, "r0") == b          # an older write loses


def test_crdt_validation() -> None:
    with pytest.raises(ValueError, match="amount"):
        GCounter().increment("r0", -1)
    with pytest.raises(TypeError, match="replica"):
        GCounter().increment("", 1)
    with pytest.raises(ValueError, match="counts"):
        GCounter((("b", 1), ("a", 2)))
    with pytest.raises(TypeError, match="replica"):
        ORSet().add("x", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ORSet().add(["unhashable"], "r0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timestamp"):
        LWWRegister().assign("v", float("nan"), "r0")


# ---- mutants: each property above catches one plausible mistake -----------------


@dataclass(frozen=True)
class SummingGCounter(GCounter):
    """Merges by adding counts: every re-delivery counts again."""

    def merge(self, other):
        counts = dict(self.counts)
        for replica, count in other.counts:
            counts[replica] = counts.get(replica, 0) + count
        return SummingGCounter(GCounter.of(counts).counts)

    def increment(self, replica, amount=1):
        return SummingGCounter(super().increment(replica, amount).counts)


@dataclass(frozen=True)
class NoTieLWW(LWWRegister):
    """Keeps its own write unless the other is strictly newer: no tie rule."""

    def merge(self, other):
        return other if other.timestamp > self.timestamp else self

    def assign(self, value, timestamp, replica):
        return self.merge(NoTieLWW(value, timestamp, replica))


@dataclass(frozen=True)
class ValueTombstoneORSet(ORSet):
    """Removes by value: a removed element can never be added back."""

    def add(self, element, replica):
        state = super().add(element, replica)
        return ValueTombstoneORSet(state.adds, self.removed)

    def remove(self, element):
        return ValueTombstoneORSet(self.adds, self.removed | {(element, -1)})

    def merge(self, other):
        return ValueTombstoneORSet(self.adds | other.adds,
                                   self.removed | other.removed)

    @property
    def value(self):
        gone = {e for e, s in self.removed if s == -1}
        return frozenset(e for e, _, _ in self.adds if e not in gone)


# finding the failure is what matters here; shrinking it would only cost time
no_shrink = settings(phases=[Phase.generate])


def test_the_law_test_catches_a_summing_merge() -> None:
    with pytest.raises(AssertionError, match="idempotent|diverge|commutative"):
        no_shrink(laws_test(SummingGCounter(), counter_op))()
    with pytest.raises(AssertionError, match="diverge"):
        no_shrink(convergence_test(SummingGCounter(), counter_op))()


def test_the_law_test_catches_a_register_without_a_tie_rule() -> None:
    with pytest.raises(AssertionError, match="commutative|associative"):
        no_shrink(laws_test(NoTieLWW(), register_op))()


def test_the_set_test_catches_removal_by_value() -> None:
    # still a semilattice: the laws cannot see the mistake ...
    laws_test(ValueTombstoneORSet(), orset_op)()
    # ... but a single replica no longer behaves like a set
    state = ValueTombstoneORSet().add("x", "r0").remove("x").add("x", "r0")
    assert "x" not in state.value
    with pytest.raises(AssertionError):
        no_shrink(_value_test(ValueTombstoneORSet))()


def _value_test(cls):
    @given(st.lists(st.tuples(st.booleans(), st.sampled_from(ELEMENTS)), max_size=30))
    def run(ops) -> None:
        state, reference = cls(), set()
        for is_add, element in ops:
            if is_add:
                state, _ = state.add(element, "r0"), reference.add(element)
            else:
                state, _ = state.remove(element), reference.discard(element)
        assert state.value == reference
    return run


def test_the_set_test_passes_the_real_orset() -> None:
    _value_test(ORSet)()


# ---- convergence time under gossip ------------------------------------------------


def test_one_update_converges_in_the_rounds_of_rumor_spreading() -> None:
    n, runs = 32, 80
    states = [GCounter().increment("r0")] + [GCounter()] * (n - 1)
    rounds = [anti_entropy_rounds(states, GCounter.merge, rng=seed)
              for seed in range(runs)]
    pmf = gossip_round_distribution(n, "push-pull")
    t = np.arange(len(pmf))
    mean = float(t @ pmf)
    sd = math.sqrt(float(t**2 @ pmf) - mean**2)
    assert abs(np.mean(rounds) - mean) <= 4 * sd / math.sqrt(runs)


def test_many_updates_converge_between_one_rumor_and_the_union_bound() -> None:
    n, runs = 24, 60
    states = [ORSet().add(f"item{i}", f"r{i}") for i in range(n)]
    rounds = np.array([anti_entropy_rounds(states, ORSet.merge, rng=seed)
                       for seed in range(runs)])
    pmf = gossip_round_distribution(n, "push-pull")
    tail = 1 - np.cumsum(pmf)                  # P(R > t)
    one = float(np.arange(len(pmf)) @ pmf)
    union = float(np.sum(np.minimum(1.0, n * tail)))  # sum_t P(all > t) bound
    sd = rounds.std(ddof=1) / math.sqrt(runs)
    assert one < rounds.mean() <= union + 4 * sd
    with pytest.raises(RuntimeError, match="max_rounds"):
        anti_entropy_rounds(states, ORSet.merge, rng=0, max_rounds=1)
