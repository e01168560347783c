"""The explorer on the book's protocols: unsafe ones caught, safe ones clean.

Every unsafe configuration must be caught at its catalogued scope, with the
shortest counterexample (breadth-first), and the counterexample must replay
on the ordinary simulator to the same non-linearizable history. Every safe
configuration must come out clean at the same scope. Plausible wrong
replicas and clients (mutants) must be caught; the reductions (stale
messages, sleep sets, symmetry) must not change a verdict.
"""

from __future__ import annotations

import json

import pytest

from dsscale.cli import main
from dsscale.consistency import Operation
from dsscale.explore import (
    Scope,
    acked_writes_on_quorum,
    explore,
    read_saw_a_write,
    single_serving_primary,
    single_serving_tail,
    write_acknowledged,
)
from dsscale.explore.catalog import CATALOG, SAFE, UNSAFE
from dsscale.explore.replay import replay
from dsscale.explore.space import build_space
from dsscale.explore.symmetry import symmetric_groups, symmetry_holds
from dsscale.replication.abd import ABDClient, ABDReplica, StoreAck
from dsscale.replication.protocols import Deployment, ProtocolSpec, replica_ids

# shortest counterexamples, in steps (breadth-first search is exact; each is
# explained step by step in book/ch04_code/exploring_schedules.md)
SHORTEST = {"abd-no-writeback": 16, "quorum-partial": 8, "quorum-sloppy": 11,
            "pb-async": 65}


def _shape(history):
    """Operations and their real-time order, without the stamps' values."""
    ops = sorted(history, key=lambda o: (str(o.client_id), repr(o.input)))
    order = {(i, j) for i, a in enumerate(ops) for j, b in enumerate(ops)
             if a.return_time < b.call}
    return [(o.client_id, o.input, o.output, o.pending) for o in ops], order


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_configuration_is_caught_with_the_shortest_trace(name):
    result = explore(CATALOG[name])
    assert result.status == "violation"
    assert result.violation == "history is not linearizable"
    assert len(result.trace) == SHORTEST[name]
    again = replay(result)  # the ordinary simulator, scripted by the trace
    assert again.check.status == "illegal"
    assert _shape(again.history) == _shape(result.history)


@pytest.mark.parametrize("name", [n for n in SAFE if n != "abd"])
def test_safe_configuration_is_clean_at_the_same_scope(name):
    result = explore(CATALOG[name])
    assert result.status == "complete" and result.violation is None


@pytest.mark.slow
def test_abd_is_clean_where_its_variant_without_write_back_fails():
    result = explore(CATALOG["abd"], symmetry=True)
    assert result.status == "complete"


def test_goals_are_reached_at_the_depth_counted_by_hand():
    # a write: issue, 2 queries, 2 replies, 2 stores, 2 acks = 9 steps; a read
    # that returns it: 6 of those (one store) + issue, 2 queries, 2 replies,
    # 2 write-backs, 2 acks = 15
    result = explore(Scope("abd"), goals=[write_acknowledged(), read_saw_a_write()])
    assert result.goals == {"a write is acknowledged": 9,
                            "a read returns a written value": 15}


def test_acknowledged_writes_stay_on_a_majority_of_abd_replicas():
    assert explore(Scope("abd", max_crashes=1),
                   invariants=[acked_writes_on_quorum()]).status == "complete"


def test_a_write_acknowledged_by_one_replica_breaks_the_majority_invariant():
    # R = W = 1: issue, query, reply, store, ack -- the write returns at step 5
    result = explore(Scope("quorum-partial"), invariants=[acked_writes_on_quorum()])
    assert result.violation.startswith("invariant broken")
    assert len(result.trace) == 5


def test_lease_invariants_hold_through_failover():
    for name, invariant in (("pb-sync", single_serving_primary()),
                            ("chain", single_serving_tail())):
        scope = Scope(name, max_crashes=1, retry=1000.0)
        assert explore(scope, invariants=[invariant]).status == "complete"


class _Fake:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class _FakeView:
    def __init__(self, replicas):
        self._replicas = replicas

    def replicas(self):
        return self._replicas


def test_lease_invariants_see_two_serving_replicas():
    primary = _Fake(up=True, is_primary=True, ready=True, has_lease=True,
                    is_tail=True)
    expired = _Fake(up=True, is_primary=True, ready=True, has_lease=False,
                    is_tail=True)
    for invariant in (single_serving_primary(), single_serving_tail()):
        assert invariant.holds(_FakeView([primary, expired]))
        assert not invariant.holds(_FakeView([primary, primary]))


# ---- mutants: plausible wrong protocols must be caught ---------------------

class Overwriting(ABDReplica):
    """Keeps whatever Store came last (the bug of exercise 4.1)."""

    def on_Store(self, src, msg):
        self.data[msg.key] = (msg.tag, msg.value)
        self.send(src, StoreAck(msg.req_id, msg.phase))


class FirstReply(ABDClient):
    """Reads take the first reply of the quorum instead of the freshest."""

    def on_QueryReply(self, src, msg):
        if (self.is_current(msg.req_id) and self.phase == 1 == msg.phase
                and self.current_input[0] == "get" and not self.replies):
            msg = type(msg)(msg.req_id, msg.phase, (99, "z"), msg.value)
        super().on_QueryReply(src, msg)


def _abd_with(replica=ABDReplica, client=ABDClient):
    def build(net, client_ids, num_replicas, options=None):
        nodes = replica_ids(num_replicas)
        net.add(*(replica(r) for r in nodes))
        return Deployment(nodes, (), lambda cid, plan, history: client(
            cid, plan, history, nodes))
    return ProtocolSpec("abd-mutant", True, "linearizable", build)


def test_an_overwriting_replica_is_caught():
    # a write's late store overwrites a newer one: write, write, late store,
    # then a read of a stale majority -- 28 steps; depth-first search finds a
    # trace within 30 quickly, breadth-first the shortest one
    plans = {"c0": [("put", "x", 1), ("put", "x", 2)], "c1": [("get", "x")]}
    result = explore(Scope(_abd_with(Overwriting), plans=plans), strategy="dfs",
                     max_depth=30)
    assert result.status == "violation"
    assert 28 <= len(result.trace) <= 30


def test_a_read_that_trusts_its_first_reply_is_caught():
    result = explore(Scope(_abd_with(client=FirstReply)))
    assert result.status == "violation"


def test_the_same_code_with_its_own_classes_is_clean():
    assert explore(Scope(_abd_with())).status == "complete"


# ---- reductions do not change verdicts ---------------------------------------

def test_keeping_stale_messages_changes_no_verdict():
    for name, status in (("abd-no-writeback", "violation"), ("quorum", "complete")):
        kept = explore(Scope(name, num_clients=2, ops_per_client=2)
                       if name.startswith("abd") else CATALOG[name],
                       ignore_stale=False)
        pruned = explore(kept.scope)
        assert kept.status == pruned.status == status
        assert len(kept.trace) == len(pruned.trace)
        assert pruned.distinct_states < kept.distinct_states


@pytest.mark.slow
def test_symmetry_changes_no_verdict_and_merges_states():
    plain = explore(CATALOG["abd-no-writeback"])
    merged = explore(CATALOG["abd-no-writeback"], symmetry=True)
    assert len(plain.trace) == len(merged.trace) == 16
    quorum, quorum_merged = explore(Scope("quorum")), explore(Scope("quorum"),
                                                              symmetry=True)
    assert quorum.status == quorum_merged.status == "complete"
    # at most |G| = 3! = 6 states per class
    assert quorum.distinct_states / 6 <= quorum_merged.distinct_states \
        < quorum.distinct_states / 3


def _sample(space, levels):
    states, frontier = [space.initial], [space.initial]
    for _ in range(levels):
        frontier = [t for s in frontier for _, t, _ in space.successors(s)][:40]
        states += frontier
    return states


def test_replicas_and_readers_are_interchangeable_but_writers_are_not():
    space = build_space(CATALOG["abd"])
    groups = symmetric_groups(space)
    index = space.machine.index
    assert groups == [tuple(index[r] for r in ("r0", "r1", "r2")),
                      (index["c1"], index["c2"])]
    assert symmetry_holds(space, groups, _sample(space, 6))
    # two writers: tags (counter, writer) break ties by the writer's id
    writers = build_space(Scope("abd", num_clients=2, num_writers=2))
    pair = [(writers.machine.index["c0"], writers.machine.index["c1"])]
    assert not symmetry_holds(writers, pair, _sample(writers, 12))


# ---- the command line ----------------------------------------------------------

def test_cli_exit_status_and_json(capsys):
    assert main(["explore", "quorum-partial", "--clients", "2", "--ops", "1",
                 "--max-depth", "20", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "violation" and out["trace_length"] == 8
    assert main(["explore", "quorum", "--clients", "2", "--ops", "1",
                 "--max-depth", "6"]) == 0
    assert "bounded" in capsys.readouterr().out
    assert main(["explore", "quorum", "--clients", "-1"]) == 2
    assert main(["explore", "raft?", "--clients", "1"]) == 2


def test_cli_reports_an_incomplete_search():
    assert main(["explore", "abd", "--max-states", "10"]) == 3


def test_result_prints_its_trace_and_history():
    result = explore(CATALOG["quorum-partial"])
    text = str(result)
    assert "counterexample      8 steps" in text and "deliver" in text
    assert all(isinstance(op, Operation) for op in result.history)
    assert result.to_dict()["trace"][0] == str(result.trace[0])
