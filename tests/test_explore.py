"""The explorer on tiny protocols whose state spaces can be counted by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.explore import Scope, explore
from dsscale.explore.freeze import freeze, thaw
from dsscale.explore.history import Histories
from dsscale.explore.machine import CALL, RETURN
from dsscale.explore.space import build_space
from dsscale.explore.symmetry import canonical_key, symmetry_holds
from dsscale.replication.protocols import Deployment, ProtocolSpec
from dsscale.sim import Node, Tick


@dataclass(frozen=True)
class Note:
    n: int


class Sender(Node):
    """Sends ``Note(label(k))`` to each target at start."""

    def __init__(self, node_id, targets, same_note=True):
        super().__init__(node_id)
        self.targets, self.same_note = tuple(targets), same_note

    def on_start(self):
        for k, target in enumerate(self.targets):
            self.send(target, Note(0 if self.same_note else k))


class Counter(Node):
    durable = ("count",)

    def init_state(self):
        self.count = 0

    def on_Note(self, src, msg):
        self.count += 1


class Forgetful(Counter):
    durable = ()


class Reporter(Counter):
    """Counts notes and tells b0 about each (b0 is special)."""

    def on_Note(self, src, msg):
        self.count += 1
        if self.node_id != "b0":
            self.send("b0", Note(1))


class Recorder(Node):
    def init_state(self):
        self.seen = []

    def on_Note(self, src, msg):
        self.seen.append(msg.n)


class Ticker(Node):
    """A periodic timer that counts modulo 3."""

    def init_state(self):
        self.count = 0

    def on_start(self):
        self.set_timer(1.0, Tick())

    def on_Tick(self, src, msg):
        self.count = (self.count + 1) % 3
        self.set_timer(1.0, Tick())


class Alarm(Counter):
    """Counts notes; an alarm set at start adds 10 once."""

    def on_start(self):
        self.set_timer(1.0, Tick())

    def on_Tick(self, src, msg):
        self.count += 10


def tiny(make_nodes, crashable=()):
    """A ProtocolSpec whose build adds ``make_nodes()`` and no clients."""

    def build(net, client_ids, num_replicas, options=None):
        net.add(*make_nodes())
        return Deployment(tuple(crashable), (), None)

    return ProtocolSpec("tiny", True, "test", build)


def run(spec, **kw):
    options = {k: kw.pop(k) for k in ("symmetry", "sleep_sets", "strategy",
                                      "max_depth") if k in kw}
    return explore(Scope(spec, num_clients=0, num_writers=0, **kw), **options)


def one_note(receiver=Counter):
    return tiny(lambda: [Sender("a", ["b"]), receiver("b")], crashable=("b",))


# ---- counts by hand -------------------------------------------------------------

def test_one_message_has_two_states():
    r = run(one_note())
    # {Note in flight} -> {delivered}
    assert (r.status, r.distinct_states, r.states_explored, r.depth) == (
        "complete", 2, 1, 1)


def test_a_drop_budget_adds_the_state_without_the_message():
    # s0 -> deliver -> s1; s0 -> drop -> s2 (count 0, no budget)
    assert run(one_note(), max_drops=1).distinct_states == 3


def test_a_duplicate_budget_delivers_twice():
    # s0 -> deliver s1 (count 1); s0 -> dup s2 (count 1, note kept) -> s3 (count 2)
    r = run(one_note(), max_duplicates=1)
    assert (r.distinct_states, r.states_explored) == (4, 3)


@pytest.mark.parametrize("num_targets", [1, 2, 3, 4])
def test_independent_deliveries_give_every_subset(num_targets):
    # each message delivered or not: 2^k states; from a state with j messages
    # left, j transitions: sum_j C(k, j) j = k 2^(k-1)
    targets = [f"b{i}" for i in range(num_targets)]
    spec = tiny(lambda: [Sender("a", targets), *(Counter(t) for t in targets)])
    r = run(spec)
    assert (r.distinct_states, r.states_explored) == (
        2 ** num_targets, num_targets * 2 ** (num_targets - 1))


def test_sleep_sets_find_the_same_states_with_fewer_transitions():
    targets = [f"b{i}" for i in range(4)]
    spec = tiny(lambda: [Sender("a", targets), *(Counter(t) for t in targets)])
    full, reduced = run(spec, sleep_sets=False), run(spec, sleep_sets=True)
    assert reduced.distinct_states == full.distinct_states == 16
    # each state is entered once: 15 transitions instead of 32
    assert reduced.states_explored == 15 < full.states_explored


def test_order_matters_only_where_it_is_recorded():
    three = ["b", "b", "b"]
    counted = tiny(lambda: [Sender("a", three, same_note=False), Counter("b")])
    recorded = tiny(lambda: [Sender("a", three, same_note=False), Recorder("b")])
    # a counter's state is the set delivered: 2^3; a recorder's the sequence:
    # 1 + 3 + 3*2 + 3*2*1 partial permutations
    assert run(counted).distinct_states == 8
    assert run(recorded).distinct_states == 16


def test_identical_messages_in_flight_are_one():
    spec = tiny(lambda: [Sender("a", ["b", "b"]), Counter("b")])
    # two sends of the same note to b while the first is in flight: one copy
    assert run(spec).distinct_states == 2


def test_symmetry_counts_how_many_not_which():
    targets = [f"b{i}" for i in range(3)]
    spec = tiny(lambda: [Sender("a", targets), *(Counter(t) for t in targets)])
    # 0, 1, 2 or 3 of the interchangeable receivers have their note
    r = run(spec, symmetry=[targets])
    assert r.distinct_states == 4


def test_symmetry_holds_only_where_renaming_commutes():
    targets = ["b0", "b1", "b2"]
    alike = build_space(Scope(tiny(lambda: [Sender("a", targets),
                                            *(Counter(t) for t in targets)]),
                              num_clients=0, num_writers=0))
    group = [(1, 2, 3)]
    states = [alike.initial] + [t for _, t, _ in alike.successors(alike.initial)]
    assert symmetry_holds(alike, group, states)
    # receivers that report to b0: b0 is special, renaming it breaks the
    # transitions (b1 reports, the renamed b0 would not)
    unlike = build_space(Scope(tiny(lambda: [Sender("a", targets),
                                             *(Reporter(t) for t in targets)]),
                               num_clients=0, num_writers=0))
    assert not symmetry_holds(unlike, group, [unlike.initial])


def test_a_periodic_timer_without_a_clock_cycles_through_three_states():
    r = run(tiny(lambda: [Ticker("t")]))
    assert (r.status, r.distinct_states, r.states_explored) == ("complete", 3, 3)


def test_with_a_clock_time_advances_to_each_deadline():
    # (t=0, timer at 1), then per second: advance, fire; the clock stops at 5
    r = run(tiny(lambda: [Ticker("t")]), clock=True, max_time=5.0)
    assert (r.status, r.distinct_states) == ("complete", 11)


def test_crash_restart_keeps_durable_state_only():
    # s0 note in flight; s1 delivered; s2 crashed (note in flight); s3 lost
    # at the crashed node; s4 restarted, note in flight; s5 delivered after
    # the restart; s6 restarted after the loss; s7 crashed after delivery,
    # count 1 on disk (its restart is s5 again)
    assert run(one_note(Counter), max_crashes=1).distinct_states == 8
    # without durability the crash after delivery forgets the count: s7 = s3
    assert run(one_note(Forgetful), max_crashes=1).distinct_states == 7


def test_a_timer_waits_for_its_nodes_messages_unless_early():
    spec = tiny(lambda: [Sender("a", ["b"]), Alarm("b")])
    # the alarm waits until the note is delivered: 3 states
    assert run(spec).distinct_states == 3
    # early: alarm before the note (count 10, then 11, budget spent): +2
    assert run(spec, max_early_timeouts=1).distinct_states == 5


def test_depth_bound_and_dfs():
    spec = tiny(lambda: [Sender("a", ["b0", "b1", "b2"]),
                         *(Counter(f"b{i}") for i in range(3))])
    bounded = run(spec, max_depth=2)
    # levels 0, 1, 2 of the cube: 1 + 3 + 3
    assert (bounded.status, bounded.distinct_states) == ("bounded", 7)
    assert run(spec, max_depth=3).status == "complete"
    dfs = run(spec, strategy="dfs")
    assert (dfs.status, dfs.distinct_states) == ("complete", 8)
    assert run(spec, strategy="dfs", max_depth=2).status == "bounded"


# ---- histories with logical stamps ----------------------------------------

def test_history_stamps_keep_exactly_the_real_time_order():
    h = Histories([0, 1], model=None)
    hid = h.apply(h.empty, 0, ((CALL, "c0", ("put", "x", 1)),))
    hid = h.apply(hid, 1, ((CALL, "c1", ("get", "x")),))  # adjacent calls: 1, 1
    hid = h.apply(hid, 0, ((RETURN, "c0", ("put", "x", 1), None, False),))
    ops = {op.client_id: op for op in h.operations(hid)}
    assert (ops["c0"].call, ops["c1"].call, ops["c0"].return_time) == (1, 1, 2)
    assert ops["c1"].pending  # still open
    again = h.apply(hid, 0, ((CALL, "c0", ("get", "x")),))  # after a return: 3
    assert max(op.call for op in h.operations(again)) == 3
    # the other order of the two adjacent calls is the same history
    other = h.apply(h.apply(h.empty, 1, ((CALL, "c1", ("get", "x")),)), 0,
                    ((CALL, "c0", ("put", "x", 1)),))
    same = h.apply(h.apply(h.empty, 0, ((CALL, "c0", ("put", "x", 1)),)), 1,
                   ((CALL, "c1", ("get", "x")),))
    assert other == same


def test_a_timed_out_operation_is_pending_and_takes_no_stamp():
    h = Histories([0], model=None)
    hid = h.apply(h.empty, 0, ((CALL, "c0", ("put", "x", 1)),
                               (RETURN, "c0", ("put", "x", 1), None, True)))
    [op] = h.operations(hid)
    assert math.isinf(op.return_time) and h.items[hid][2] == 1


# ---- snapshots --------------------------------------------------------------

values = st.recursive(
    st.none() | st.integers() | st.text(max_size=3) | st.booleans(),
    lambda inner: (st.lists(inner, max_size=3)
                   | st.dictionaries(st.text(max_size=2), inner, max_size=3)
                   | st.tuples(inner, inner)
                   | st.sets(st.integers(), max_size=3)),
    max_leaves=10)


@given(values)
def test_thaw_undoes_freeze_and_frozen_values_hash(value):
    frozen = freeze(value)
    hash(frozen)
    assert thaw(frozen) == value
    assert type(thaw(frozen)) is type(value)


def test_a_list_and_a_tuple_are_different_states():
    assert freeze([1, 2]) != freeze((1, 2))
    assert freeze({"a": [1]}) != freeze({"a": (1,)})


def test_thawed_containers_are_fresh():
    original = {"a": [1]}
    frozen = freeze(original)
    thawed = thaw(frozen)
    thawed["a"].append(2)
    assert thaw(frozen) == {"a": [1]}


# ---- errors -----------------------------------------------------------------

class Sloppy(Counter):
    def on_Note(self, src, msg):
        self.extra = 1  # state outside init_state


class Lambda(Node):
    def on_start(self):
        self.set_timer(1.0, lambda: None)


@dataclass
class Mutable:
    n: int


class MutableSender(Node):
    def on_start(self):
        self.send("b", Mutable(1))


def test_state_created_outside_init_state_is_refused():
    with pytest.raises(TypeError, match="init_state"):
        run(tiny(lambda: [Sender("a", ["b"]), Sloppy("b")]))


def test_timer_actions_must_be_messages_or_methods():
    with pytest.raises(TypeError, match="method"):
        run(tiny(lambda: [Lambda("a")]))


def test_messages_must_be_hashable():
    with pytest.raises(TypeError, match="hashable"):
        run(tiny(lambda: [MutableSender("a"), Counter("b")]))


@pytest.mark.parametrize("kwargs, match", [
    ({"num_replicas": 0}, "num_replicas"), ({"max_drops": -1}, "max_drops"),
    ({"num_writers": 3}, "num_writers"), ({"keys": ()}, "keys"),
    ({"protocol": "paxos"}, "protocol"), ({"retry": 0.0}, "retry"),
])
def test_scope_rejects_bad_arguments(kwargs, match):
    kwargs = {"protocol": "abd"} | kwargs
    with pytest.raises(ValueError, match=match):
        Scope(**kwargs)


def test_explore_rejects_bad_search_options():
    with pytest.raises(ValueError, match="strategy"):
        explore(Scope("abd"), strategy="random")
    with pytest.raises(ValueError, match="max_states"):
        explore(Scope("abd"), max_states=0)


def test_canonical_key_without_groups_is_the_plain_hash():
    space = build_space(Scope("pb-sync"))
    assert canonical_key(space) is hash
