"""Raft under the explorer: the forgotten vote elects two leaders in one term.

Random fault campaigns never catch ``raft-forget-vote``; breadth-first
exploration of a three-server election with one crash and one early timeout
finds a shortest schedule (8 steps) in which a restarted server votes twice
in term 1, and the safe ``raft`` is clean at the same scope. The
counterexample replays on the ordinary simulator to the same two leaders.
"""

from __future__ import annotations

import json

import pytest

from dsscale.cli import main
from dsscale.explore import (
    Scope,
    explore,
    leader_elected,
    raft_bound,
    single_leader_per_term,
)
from dsscale.explore.catalog import CATALOG, INVARIANT_SAFE, INVARIANT_UNSAFE
from dsscale.explore.machine import TIMER
from dsscale.explore.replay import replay
from dsscale.explore.space import build_space
from dsscale.replication.raft.messages import AppendEntries

# r0 times out, r1 votes for it, r0 leads term 1; r2 times out early (r0's
# RequestVote still on its way), r1 crashes and restarts without its vote,
# votes for r2, and r2 leads term 1 too
SHORTEST = ["timer", "deliver", "deliver", "early timeout", "crash", "restart",
            "deliver", "deliver"]


def test_forgotten_vote_elects_two_leaders_in_one_term():
    result = explore(CATALOG["raft-forget-vote"], goals=[leader_elected()])
    assert result.status == "violation"
    assert result.violation == "invariant broken: at most one leader per term"
    assert [s.kind for s in result.trace] == SHORTEST
    assert result.goals == {"a leader is elected": 3}  # timer, vote, reply
    crashed = next(s.dst for s in result.trace if s.kind == "crash")
    voters = [s.src for s in result.trace
              if type(s.message).__name__ == "VoteReply"]
    assert voters == [crashed, crashed]  # the same server voted twice


def test_counterexample_replays_to_two_leaders_on_the_simulator():
    result = explore(CATALOG["raft-forget-vote"])
    again = replay(result)
    leaders = sorted((s.current_term, s.node_id) for s in again.network.nodes.values()
                     if s.role == "leader")
    assert leaders == [(1, "r0"), (1, "r2")]
    assert again.history == []


@pytest.mark.parametrize("name", INVARIANT_SAFE)
def test_raft_is_clean_at_the_same_scope(name):
    result = explore(CATALOG[name], goals=[leader_elected()])
    assert result.status == "complete" and result.violation is None
    assert result.goals["a leader is elected"] == 3
    assert result.depth > len(SHORTEST)  # past where the unsafe variant broke


def test_catalogue_pairs_share_their_scope():
    for bad, good in zip(INVARIANT_UNSAFE, INVARIANT_SAFE, strict=True):
        a, b = CATALOG[bad], CATALOG[good]
        assert (a.num_replicas, a.max_crashes, a.max_early_timeouts, a.bound.name) \
            == (b.num_replicas, b.max_crashes, b.max_early_timeouts, b.bound.name)


def test_without_a_crash_or_an_early_timeout_the_forgotten_vote_is_harmless():
    base = CATALOG["raft-forget-vote"]
    for budgets in ({"max_crashes": 0}, {"max_early_timeouts": 0}):
        scope = Scope("raft-forget-vote", num_clients=0, num_writers=0,
                      invariants=base.invariants, bound=base.bound,
                      **{"max_crashes": 1, "max_early_timeouts": 1, **budgets})
        assert explore(scope).status == "complete"
    # a lost RequestVote instead of the early timeout: one step longer
    lost = Scope("raft-forget-vote", num_clients=0, num_writers=0, max_crashes=1,
                 max_drops=1, invariants=base.invariants, bound=base.bound)
    assert len(explore(lost).trace) == 9


# ---- the invariant and the bound -----------------------------------------------

class _Server:
    def __init__(self, node_id, role, term, up=True):
        self.node_id, self.role, self.current_term, self.up = node_id, role, term, up


class _View:
    def __init__(self, servers, in_flight=()):
        self._servers, self.in_flight = servers, list(in_flight)

    def replicas(self):
        return self._servers


def _append(term, leader):
    return AppendEntries(term, leader, 0, 0, (), 0, 1)


def test_single_leader_per_term_on_hand_made_states():
    holds = single_leader_per_term().holds
    assert holds(_View([_Server("a", "leader", 1), _Server("b", "follower", 1)]))
    # leaders of different terms may coexist (the old one has not heard yet)
    assert holds(_View([_Server("a", "leader", 1), _Server("b", "leader", 2)]))
    assert not holds(_View([_Server("a", "leader", 2), _Server("b", "leader", 2)]))
    # a crashed server leads nothing ...
    assert holds(_View([_Server("a", "leader", 1, up=False),
                        _Server("b", "leader", 1)]))
    # ... but its AppendEntries still in flight show it led that term
    assert not holds(_View([_Server("a", "follower", 1, up=False),
                            _Server("b", "leader", 1)],
                           [("a", "c", _append(1, "a"))]))
    assert holds(_View([_Server("b", "leader", 1)],
                       [("b", "c", _append(1, "b")), ("a", "c", _append(0, "a"))]))


def test_the_bound_stops_the_search_at_the_first_state_beyond_it():
    # term 0 only: the initial state is expanded, its successors are not
    scope = Scope("raft", num_clients=0, num_writers=0,
                  bound=raft_bound(max_term=0))
    result = explore(scope)
    space = build_space(scope)
    first = {new for _, new, _ in space.successors(space.initial)}
    assert space.initial in first  # a heartbeat timer of a follower changes nothing
    assert result.status == "complete"
    assert result.distinct_states == len(first) == 4 and result.depth == 1
    # the three others: one server's election timeout each, into term 1
    assert all(not space.within_bound(s[0]) for s in first - {space.initial})
    with pytest.raises(ValueError, match="max_term"):
        raft_bound(max_term=-1)
    with pytest.raises(ValueError, match="max_rounds"):
        raft_bound(max_rounds=0)
    with pytest.raises(TypeError, match="bound"):
        Scope("raft", bound="terms <= 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="invariants"):
        Scope("raft", invariants=(lambda view: True,))  # type: ignore[arg-type]


def test_more_heartbeat_rounds_mean_more_states():
    one = explore(CATALOG["raft"], max_depth=12)
    two = explore(Scope("raft", num_clients=0, num_writers=0, max_crashes=1,
                        max_early_timeouts=1, bound=raft_bound(1, 2),
                        invariants=(single_leader_per_term(),)), max_depth=12)
    assert two.distinct_states > one.distinct_states


def test_explored_transitions_do_not_depend_on_earlier_random_draws():
    # election timeouts are drawn from each server's generator; under the
    # explorer a transition is a function of the snapshot, so the same
    # exploration twice (memo and all) gives the same states
    a = explore(CATALOG["raft-forget-vote"])
    b = explore(CATALOG["raft-forget-vote"])
    assert (a.distinct_states, a.states_explored, a.trace) == \
        (b.distinct_states, b.states_explored, b.trace)
    space = build_space(CATALOG["raft"])
    m = space.machine
    snap = space.initial[0][0]
    timer = m.snap_timers[snap][0]
    first = m._run(0, snap, TIMER, timer, 0.0)  # the election timeout
    again = m._run(0, snap, TIMER, timer, 0.0)
    assert first == again


# ---- the command line ----------------------------------------------------------

def test_cli_explores_a_raft_election(capsys):
    argv = ["explore", "raft-forget-vote", "--clients", "0", "--crashes", "1",
            "--early-timeouts", "1", "--max-term", "1", "--json"]
    assert main(argv) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["violation"] == "invariant broken: at most one leader per term"
    assert out["trace_length"] == len(SHORTEST)
    assert out["goals"] == {"a leader is elected": 3}
    assert main(["explore", "raft", *argv[2:]]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "complete"
    assert main(["explore", "abd", "--max-term", "1"]) == 2
