"""Raft's pieces on their own: the log, the state machine, the rules, clocks,
options and the client. Each property also meets a plausible wrong version
that it must reject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.consistency import Operation
from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.clock import clock_rates, lease_duration
from dsscale.replication.raft.cluster import VARIANTS, build_raft
from dsscale.replication.raft.log import RaftLog
from dsscale.replication.raft.messages import (
    ClientReply,
    ClientRequest,
    Config,
    Entry,
    NoOp,
    Put,
    Snapshot,
)
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import (
    advance_commit_index,
    commit_by_counting,
    grant_vote,
    log_up_to_date,
    majority,
)
from dsscale.replication.raft.state_machine import STALE, KVStateMachine
from dsscale.sim import FixedDelay, Link, Network

# -- the log -------------------------------------------------------------------
terms_lists = st.lists(st.integers(1, 4), max_size=8).map(sorted)


def log_of(terms: Sequence[int]) -> RaftLog:
    log = RaftLog()
    for t in terms:
        log.append(Entry(t, NoOp()))
    return log


def eager_merge(log: RaftLog, prev_index: int, entries: Sequence[Entry]) -> int:
    """A plausible wrong merge: truncate after prev_index, then append."""
    del log.entries[prev_index - log.snapshot_index:]
    log.entries.extend(entries)
    return prev_index + len(entries)


@given(terms_lists, st.integers(0, 8), st.integers(0, 8))
def test_merging_a_prefix_of_itself_changes_nothing(terms: list[int], cut: int,
                                                    length: int) -> None:
    log = log_of(terms)
    prev = min(cut, log.last_index)
    again = tuple(log.entries[prev:prev + length])
    before = list(log.entries)
    assert log.merge(prev, again) == prev + len(again)
    assert log.entries == before


def test_eager_merge_loses_entries_on_a_delayed_shorter_message() -> None:
    """The property above rejects the eager merge: found by one example."""
    log = log_of([1, 1, 2])
    eager_merge(log, 1, (Entry(1, NoOp()),))
    assert [e.term for e in log.entries] == [1, 1]  # entry 3 is gone


@given(terms_lists, terms_lists)
def test_after_a_merge_the_log_matches_the_leader_up_to_the_new_entries(
        mine: list[int], leaders: list[int]) -> None:
    follower, leader = log_of(mine), log_of(leaders)
    # the leader sends everything after the longest common prefix
    prev = 0
    while prev < min(len(mine), len(leaders)) and mine[prev] == leaders[prev]:
        prev += 1
    match = follower.merge(prev, tuple(leader.entries[prev:]))
    assert match == leader.last_index
    assert [e.term for e in follower.entries[:match]] == leaders


def test_term_at_entry_and_slices_respect_the_snapshot() -> None:
    log = log_of([1, 1, 2, 3])
    log.compact(Snapshot(2, 1, ("a",)))
    assert (log.snapshot_index, log.last_index, log.last_term) == (2, 4, 3)
    assert log.term_at(2) == 1 and log.term_at(1) is None and log.term_at(5) is None
    assert log.entries_from(3, 1) == (Entry(2, NoOp()),)
    assert log.matches(1, 99)  # compacted: committed, equal everywhere
    with pytest.raises(IndexError, match="index must be in 3..4"):
        log.entry(2)
    with pytest.raises(IndexError, match="start must be > 2"):
        log.entries_from(2, 1)


def test_compacting_with_a_foreign_snapshot_discards_the_log() -> None:
    log = log_of([1, 1, 2])
    log.compact(Snapshot(2, 5, ("a",)))  # term 5 at index 2: not ours
    assert log.entries == [] and log.last_index == 2 and log.last_term == 5
    log.compact(Snapshot(1, 1, ("a",)))  # older than what we have: ignored
    assert log.snapshot_index == 2


def test_configuration_is_the_latest_in_the_log_committed_or_not() -> None:
    log = RaftLog()
    assert log.config() == ()
    log.append(Entry(0, Config(("a", "b", "c"))))
    log.append(Entry(1, NoOp()))
    log.append(Entry(1, Config(("a", "b"))))
    assert log.config() == ("a", "b") and log.config(2) == ("a", "b", "c")
    log.merge(2, (Entry(2, NoOp()),))  # a new leader overwrites the change
    assert log.config() == ("a", "b", "c") and log.config_index() == 1


# -- the state machine -----------------------------------------------------------
def test_client_table_applies_each_request_once_and_never_by_value() -> None:
    sm = KVStateMachine()
    assert sm.apply(Put("c1", 1, "x", "v")) is None
    assert sm.apply(Put("c2", 1, "x", "w")) is None
    assert sm.apply(Put("c1", 1, "x", "v")) is None and sm.get("x") == "w"  # retry
    assert sm.apply(Put("c2", 2, "x", "v")) is None and sm.get("x") == "v"  # same value
    assert sm.apply(Put("c1", 0, "x", "old")) is STALE and sm.get("x") == "v"
    assert sm.applied("c1", 1) == (True, None) and sm.applied("c1", 2) == (False, None)
    assert sm.applied("c1", 0) == (True, STALE) and sm.applied("c9", 1) == (False, None)


def test_snapshot_round_trip() -> None:
    sm = KVStateMachine()
    sm.apply(Put("c1", 3, "y", 2))
    sm.apply(Put("c2", 1, "x", 1))
    snap = sm.snapshot(7, 2, ("a", "b"))
    assert snap.data == (("x", 1), ("y", 2)) and snap.last_index == 7
    again = KVStateMachine.restore(snap)
    assert again.data == sm.data and again.sessions == sm.sessions
    assert again.apply(Put("c1", 3, "y", 99)) is None and again.get("y") == 2


# -- the rules -------------------------------------------------------------------
@given(st.integers(1, 9))
def test_majorities_of_a_configuration_intersect(num_voters: int) -> None:
    m = majority(num_voters)
    assert 2 * m > num_voters and 2 * (m - 1) <= num_voters


def test_grant_vote_cases() -> None:
    args = dict(current_term=3, voted_for=None, last_log_index=5, last_log_term=2,
                candidate_id="b", candidate_term=3)
    assert grant_vote(**args, candidate_last_log_index=5, candidate_last_log_term=2)
    assert grant_vote(**args, candidate_last_log_index=1, candidate_last_log_term=3)
    assert not grant_vote(**args, candidate_last_log_index=9, candidate_last_log_term=1)
    assert not grant_vote(**args, candidate_last_log_index=4, candidate_last_log_term=2)
    assert not grant_vote(**{**args, "voted_for": "c"}, candidate_last_log_index=5,
                          candidate_last_log_term=2)
    assert grant_vote(**{**args, "voted_for": "b"}, candidate_last_log_index=5,
                      candidate_last_log_term=2)
    assert not grant_vote(**{**args, "candidate_term": 2}, candidate_last_log_index=5,
                          candidate_last_log_term=2)


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))
def test_up_to_date_is_a_total_preorder_by_last_term_then_length(
        ci: int, ct: int, mi: int, mt: int) -> None:
    assert log_up_to_date(ci, ct, mi, mt) == (ct > mt or (ct == mt and ci >= mi))
    assert log_up_to_date(ci, ct, mi, mt) or log_up_to_date(mi, mt, ci, ct)


def test_commit_rule_against_hand_computed_cases() -> None:
    terms = [0, 1, 1, 2, 3, 3]  # entries 1..5
    assert advance_commit_index(0, 3, [5, 5, 0], terms) == 5
    assert advance_commit_index(0, 3, [5, 3, 3], terms) == 0  # 3 is of term 2
    assert commit_by_counting(0, 3, [5, 3, 3], terms) == 3  # Figure 8's mistake
    assert advance_commit_index(4, 3, [5, 4, 4], terms) == 4
    assert advance_commit_index(4, 3, [5, 5, 5, 4, 0], terms) == 5  # 3 of 5
    assert advance_commit_index(4, 3, [5, 5, 4, 4, 0], terms) == 4
    assert advance_commit_index(5, 3, [0, 0, 0], terms) == 5  # never decreases


# -- clocks and leases -------------------------------------------------------------
@given(st.floats(1.0, 100.0), st.floats(0.0, 0.9), st.floats(0.0, 1.0),
       st.floats(0.0, 1.0))
def test_safe_lease_ends_before_any_follower_may_vote(
        election_timeout: float, rho: float, u: float, v: float) -> None:
    """Real time the lease lasts <= real time a follower refuses to vote."""
    r_leader = 1.0 - rho + 2 * rho * u
    r_follower = 1.0 - rho + 2 * rho * v
    lease = lease_duration(election_timeout, rho)
    assert lease / r_leader <= election_timeout / r_follower * (1 + 1e-12)


def test_lease_bound_is_tight_and_ignoring_drift_is_unsafe() -> None:
    e, rho = 10.0, 0.2
    slow, fast = 1 - rho, 1 + rho
    assert lease_duration(e, rho) / slow == pytest.approx(e / fast)  # tight
    assert lease_duration(e, 0.0) / slow > e / fast  # the no-drift lease overlaps
    assert e * (1 - rho) / slow > e / fast  # and so does a first-order guess


def test_clock_rates_and_arguments() -> None:
    rates = clock_rates(1000, 0.1, rng=3)
    assert min(rates) >= 0.9 and max(rates) <= 1.1
    assert abs(sum(rates) / 1000 - 1.0) < 4 * 0.2 / (12 ** 0.5) / 1000 ** 0.5
    assert clock_rates(5, 0.1, rng=3) == clock_rates(5, 0.1, rng=3)
    with pytest.raises(ValueError, match="drift_bound"):
        lease_duration(10.0, 1.0)
    with pytest.raises(ValueError, match="election_timeout"):
        lease_duration(0.0, 0.1)
    with pytest.raises(ValueError, match="num_nodes"):
        clock_rates(-1, 0.1)


# -- options -------------------------------------------------------------------
@pytest.mark.parametrize("bad, name", [
    (dict(election_timeout=(0.0, 5.0)), r"election_timeout\[0\]"),
    (dict(election_timeout=(10.0, 5.0)), r"election_timeout\[1\]"),
    (dict(heartbeat_interval=10.0), "heartbeat_interval"),
    (dict(reads="stale"), "reads must be one of"),
    (dict(drift_bound=1.0), "drift_bound"),
    (dict(lease_drift_bound=-0.1), "lease_drift_bound"),
    (dict(snapshot_threshold=0), "snapshot_threshold"),
    (dict(max_batch=0), "max_batch"),
    (dict(client_retry=0.0), "client_retry"),
    (dict(client_timeout=-1.0), "client_timeout"),
])
def test_options_name_the_bad_argument(bad: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        RaftOptions(**bad)


def test_build_raft_arguments() -> None:
    with pytest.raises(ValueError, match="variant must be one of"):
        build_raft(Network(0), "paxos")
    with pytest.raises(ValueError, match="num_replicas"):
        build_raft(Network(0), "raft", 0)
    with pytest.raises(ValueError, match="members must be a non-empty subset"):
        build_raft(Network(0), "raft", 3, members=("r7",))
    names, others, _ = build_raft(Network(0), "raft", 5)
    assert names == ("r0", "r1", "r2", "r3", "r4") and others == ()
    net = Network(0)
    names, others, _ = build_raft(net, "raft-membership", 3)
    assert names == ("r0", "r1", "r2", "r3", "r4") and others == ("admin",)
    assert net.nodes["r3"].config == () and net.nodes["r0"].config == names[:3]  # type: ignore[attr-defined]
    assert set(VARIANTS) >= {"raft", "raft-lease", "raft-figure8", "raft-forget-vote",
                             "raft-lease-no-drift", "raft-read-any", "raft-lazy-noop"}


def test_worst_case_clocks_put_one_slow_server_among_fast_ones() -> None:
    net = Network(0)
    build_raft(net, "raft-lease", 3)
    rho = VARIANTS["raft-lease"].options.drift_bound
    rates = [net.nodes[n].clock_rate for n in ("r0", "r1", "r2")]  # type: ignore[attr-defined]
    assert rates == [1 - rho, 1 + rho, 1 + rho]


# -- the client ---------------------------------------------------------------
def test_client_follows_hints_and_retries_with_the_same_request_id() -> None:
    net = Network(0, Link(FixedDelay(1.0)))
    history: list[Operation] = []
    from dsscale.sim import Node

    class Server(Node):
        def init_state(self) -> None:
            self.got: list[tuple[float, ClientRequest]] = []

        def on_ClientRequest(self, src: str, msg: ClientRequest) -> None:
            self.got.append((self.now, msg))
            if self.node_id == "s0":
                self.send(src, ClientReply(msg.req_id, False, None, "s2"))
            elif self.node_id == "s2" and len(self.got) == 2:
                self.send(src, ClientReply(msg.req_id, True, None, "s2"))

    servers = [Server(f"s{i}") for i in range(3)]
    client = RaftClient("c", [(0.0, ("put", "x", "v"))], history, ("s0", "s1", "s2"),
                        retry=8.0, rng=0)
    client.target = "s0"
    net.add(*servers, client)
    client.target = "s0"  # after init_state
    net.run(until=100.0)
    # t=0 to s0 -> redirect (t=2) -> s2 at t=3, silent; the retry at t=2+8
    # goes to the next server, s0 -> redirect -> s2 at t=13, which answers
    assert [(t, m.req_id) for t, m in servers[2].got] == [(3.0, 1), (13.0, 1)]
    assert [t for t, _ in servers[0].got] == [1.0, 11.0] and not servers[1].got
    assert servers[0].got[0][1].client_id == "c"
    assert len(history) == 1 and history[0].return_time == 14.0


# -- split votes ---------------------------------------------------------------
def test_split_vote_formula_matches_raft_servers() -> None:
    """Three servers: the formula is exact. Tolerance: 4 binomial standard
    errors of the measured fraction."""
    from dsscale.replication.raft.elections import (
        measure_split_votes,
        split_vote_probability,
    )
    trials = 400
    for spread in (4.0, 10.0):
        p = split_vote_probability(2, spread, 1.0)
        measured = measure_split_votes(3, (20.0, 20.0 + spread), 1.0, trials, rng=3)
        assert abs(measured - p) <= 4 * (p * (1 - p) / trials) ** 0.5, (spread, p)


def test_with_more_followers_the_formula_is_an_upper_bound() -> None:
    from dsscale.replication.raft.elections import (
        measure_split_votes,
        split_vote_probability,
    )
    bound = split_vote_probability(4, 10.0, 1.0)  # 0.34
    measured = measure_split_votes(5, (20.0, 30.0), 1.0, 200, rng=3)
    assert measured < bound - 4 * (bound * (1 - bound) / 200) ** 0.5


def test_split_vote_arguments_and_inverse() -> None:
    from dsscale.replication.raft.elections import (
        measure_split_votes,
        split_vote_probability,
        timeout_spread_for,
    )
    assert split_vote_probability(2, 10.0, 1.0) == pytest.approx(0.19)  # 1 - 0.9**2
    assert split_vote_probability(1, 10.0, 1.0) == 0.0
    assert split_vote_probability(3, 1.0, 2.0) == 1.0
    assert timeout_spread_for(0.19, 2, 1.0) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="target"):
        timeout_spread_for(1.0, 2, 1.0)
    with pytest.raises(ValueError, match="num_followers"):
        split_vote_probability(0, 1.0, 1.0)
    with pytest.raises(RuntimeError, match="no leader elected"):
        measure_split_votes(3, (20.0, 20.0), 1.0, 5, rng=1)
