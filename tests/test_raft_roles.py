"""One Raft server at a time, driven by hand through a fake network.

In the style of *500 Lines or Less* ("Clustering by Consensus"): the server
under test is a real :class:`RaftServer`, but its network is a stand-in that
records what it sends and lets the test deliver messages and fire timers, one
at a time, in the order the test chooses. Each test states one rule of the
protocol and fails if the server breaks it.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from dsscale.replication.raft.messages import (
    AddServer,
    AppendEntries,
    AppendReply,
    ClientReply,
    ClientRequest,
    Config,
    ElectionTimeout,
    Entry,
    InstallSnapshot,
    MembershipReply,
    NoOp,
    Put,
    RemoveServer,
    RequestVote,
    Snapshot,
    VoteReply,
)
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import Rules, commit_by_counting
from dsscale.replication.raft.server import ForgetfulRaftServer, RaftServer
from dsscale.sim import Tick, Timer

MEMBERS = ("a", "b", "c")


class FakeNet:
    """Records sends and timers; the test delivers and fires by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sent: list[tuple[str, str, Any]] = []
        self.timers: list[tuple[float, str, Any, Timer]] = []

    # what Node needs from a network
    def send(self, src: str, dst: str, msg: Any) -> None:
        self.sent.append((src, dst, msg))

    def set_timer(self, node_id: str, delay: float, action: Any) -> Timer:
        timer = Timer()
        self.timers.append((self.now + delay, node_id, action, timer))
        return timer

    # what the tests use
    def join(self, node: RaftServer) -> RaftServer:
        node.network = self  # type: ignore[assignment]
        node.init_state()
        node.on_start()
        return node

    def restart(self, node: RaftServer, keep_durable: bool = True) -> None:
        """What Network.crash + Network.restart do to a node."""
        self.timers = [t for t in self.timers if t[1] != node.node_id]
        saved = {name: getattr(node, name) for name in node.durable}
        node.init_state()
        if keep_durable:
            for name, value in saved.items():
                setattr(node, name, value)
        node.on_restart()

    def deliver(self, node: RaftServer, src: str, msg: Any) -> None:
        getattr(node, "on_" + type(msg).__name__)(src, msg)

    def fire(self, node: RaftServer, kind: type) -> None:
        """Advance the clock to the next live timer of ``kind`` and fire it."""
        pending = [t for t in self.timers if t[1] == node.node_id
                   and isinstance(t[2], kind) and not t[3].cancelled]
        assert pending, f"no pending {kind.__name__} timer"
        due, _, action, timer = min(pending, key=lambda t: t[0])
        self.timers.remove((due, node.node_id, action, timer))
        self.now = max(self.now, due)
        getattr(node, "on_" + kind.__name__)(node.node_id, action)

    def take(self, kind: type | None = None, dst: str | None = None) -> list[Any]:
        """Messages sent since the last take (of ``kind``, to ``dst``)."""
        picked = [m for _, d, m in self.sent
                  if (kind is None or isinstance(m, kind))
                  and (dst is None or d == dst)]
        self.sent.clear()
        return picked


def server(node_id: str = "a", members: tuple[str, ...] = MEMBERS,
           cls: type[RaftServer] = RaftServer, **options: Any
           ) -> tuple[RaftServer, FakeNet]:
    net = FakeNet()
    opts = RaftOptions(drift_bound=0.0, **options)
    return net.join(cls(node_id, members, opts, 1.0, rng=1)), net


def elect(node: RaftServer, net: FakeNet) -> None:
    """Time out, win the votes of everybody, and drop what was sent."""
    net.fire(node, ElectionTimeout)
    for voter in node.config:
        if voter != node.node_id:
            net.deliver(node, voter, VoteReply(node.current_term, True))
    assert node.role == "leader"
    net.take()


def ack(node: RaftServer, net: FakeNet, peer: str, match: int, seq: int) -> None:
    net.deliver(node, peer, AppendReply(node.current_term, True, match, seq))


def entries(*terms: int) -> tuple[Entry, ...]:
    return tuple(Entry(t, NoOp()) for t in terms)


# -- elections ------------------------------------------------------------------
def test_timeout_makes_a_candidate_that_asks_every_other_voter() -> None:
    a, net = server()
    net.fire(a, ElectionTimeout)
    assert (a.role, a.current_term, a.voted_for) == ("candidate", 1, "a")
    asks = net.take(RequestVote)
    assert sorted(net_dst for net_dst in ("b", "c")) == ["b", "c"] and len(asks) == 2
    assert asks[0] == RequestVote(1, "a", 1, 0)  # bootstrap config is entry 1
    net.deliver(a, "b", VoteReply(1, True))  # with its own: 2 of 3
    assert a.role == "leader" and a.log.entry(2) == Entry(1, NoOp())
    sent = net.take(AppendEntries)
    assert len(sent) == 2 and all(m.entries == (Entry(1, NoOp()),) for m in sent)


def test_a_split_vote_is_retried_in_a_new_term() -> None:
    a, net = server()
    net.fire(a, ElectionTimeout)
    net.deliver(a, "b", VoteReply(1, False))
    net.deliver(a, "c", VoteReply(1, False))
    assert a.role == "candidate"
    net.fire(a, ElectionTimeout)
    assert (a.role, a.current_term) == ("candidate", 2)


def test_candidate_resends_request_vote_to_voters_that_did_not_answer() -> None:
    a, net = server()
    net.fire(a, ElectionTimeout)
    net.deliver(a, "b", VoteReply(1, False))
    net.take()
    net.fire(a, Tick)
    assert [(m.term, m.candidate_id) for m in net.take(RequestVote)] == [(1, "a")]


@pytest.mark.parametrize("cand_last, granted", [
    ((2, 1), True),   # same last entry: as up to date
    ((3, 1), True),   # longer, same last term
    ((1, 2), True),   # shorter but a later last term wins
    ((1, 1), False),  # shorter, same last term
    ((5, 0), False),  # longer, earlier last term
])
def test_vote_depends_on_log_up_to_dateness(cand_last: tuple[int, int],
                                           granted: bool) -> None:
    b, net = server("b")
    b.log.append(Entry(1, NoOp()))  # b's log: (0: config), (1, noop) -> last (2, 1)
    index, term = cand_last
    net.deliver(b, "a", RequestVote(3, "a", index, term))
    assert net.take(VoteReply) == [VoteReply(3, granted)]
    assert b.current_term == 3 and b.voted_for == ("a" if granted else None)


def test_one_vote_per_term_and_a_retransmission_is_granted_again() -> None:
    b, net = server("b")
    net.deliver(b, "a", RequestVote(1, "a", 1, 0))
    net.deliver(b, "c", RequestVote(1, "c", 1, 0))
    net.deliver(b, "a", RequestVote(1, "a", 1, 0))
    assert net.take(VoteReply) == [VoteReply(1, True), VoteReply(1, False),
                                   VoteReply(1, True)]


def test_stale_term_request_is_denied_with_the_newer_term() -> None:
    b, net = server("b")
    b.current_term = 4
    net.deliver(b, "a", RequestVote(3, "a", 9, 3))
    assert net.take(VoteReply) == [VoteReply(4, False)]


def test_vote_is_remembered_across_a_restart() -> None:
    b, net = server("b")
    net.deliver(b, "a", RequestVote(1, "a", 1, 0))
    net.restart(b)
    net.now += 100.0  # long after: no longer ignoring votes
    net.deliver(b, "c", RequestVote(1, "c", 1, 0))
    assert net.take(VoteReply) == [VoteReply(1, True), VoteReply(1, False)]
    assert (b.current_term, b.voted_for) == (1, "a")


def test_the_forgetful_variant_votes_twice_in_one_term() -> None:
    b, net = server("b", cls=ForgetfulRaftServer)
    net.deliver(b, "a", RequestVote(1, "a", 1, 0))
    net.restart(b)
    net.deliver(b, "c", RequestVote(1, "c", 1, 0))
    assert net.take(VoteReply) == [VoteReply(1, True), VoteReply(1, True)]


def test_votes_ignored_while_a_leader_is_heard_from() -> None:
    b, net = server("b")
    net.deliver(b, "a", AppendEntries(1, "a", 1, 0, (), 0, 1))
    net.take()
    net.now += 5.0  # under the minimum election timeout (10)
    net.deliver(b, "c", RequestVote(2, "c", 1, 0))
    assert net.take() == [] and b.current_term == 1
    net.now += 6.0
    net.deliver(b, "c", RequestVote(2, "c", 1, 0))
    assert net.take(VoteReply) == [VoteReply(2, True)]


def test_with_leases_a_restarted_server_ignores_votes_for_a_while() -> None:
    b, net = server("b", reads="lease")
    net.now = 50.0
    net.restart(b)
    net.deliver(b, "c", RequestVote(1, "c", 1, 0))
    assert net.take() == []
    net.now += 10.0
    net.deliver(b, "c", RequestVote(1, "c", 1, 0))
    assert net.take(VoteReply) == [VoteReply(1, True)]


def test_higher_term_in_a_reply_deposes_the_leader() -> None:
    a, net = server()
    elect(a, net)
    net.deliver(a, "b", AppendReply(7, False, 0, 1))
    assert (a.role, a.current_term, a.leader) == ("follower", 7, None)


# -- replication ---------------------------------------------------------------
def test_append_entries_consistency_check_and_hint() -> None:
    b, net = server("b")
    net.deliver(b, "a", AppendEntries(2, "a", 3, 1, entries(2), 0, 1))
    assert net.take(AppendReply) == [AppendReply(2, False, 1, 1)]  # has only 1
    net.deliver(b, "a", AppendEntries(2, "a", 1, 0, entries(1, 1, 2), 0, 2))
    assert net.take(AppendReply) == [AppendReply(2, True, 4, 2)]
    net.deliver(b, "a", AppendEntries(2, "a", 3, 2, entries(2), 0, 3))  # wrong term
    assert net.take(AppendReply) == [AppendReply(2, False, 2, 3)]


def test_conflicting_suffix_is_truncated_and_a_stale_message_truncates_nothing(
        ) -> None:
    b, net = server("b")
    net.deliver(b, "a", AppendEntries(1, "a", 1, 0, entries(1, 1, 1), 0, 1))
    # a new leader of term 2 overwrites from index 3 on
    net.deliver(b, "x", AppendEntries(2, "x", 2, 1, entries(2), 0, 1))
    assert [e.term for e in b.log.entries] == [0, 1, 2]
    net.deliver(b, "x", AppendEntries(2, "x", 3, 2, entries(2, 2), 0, 2))
    # a delayed, shorter copy of an earlier message must not cut entries 4..5
    net.deliver(b, "x", AppendEntries(2, "x", 2, 1, entries(2), 0, 1))
    assert [e.term for e in b.log.entries] == [0, 1, 2, 2, 2]
    assert net.take(AppendReply)[-1] == AppendReply(2, True, 3, 1)


def test_follower_commit_never_passes_what_it_shares_with_the_leader() -> None:
    b, net = server("b")
    b.log.append(Entry(1, NoOp()))
    b.log.append(Entry(1, NoOp()))  # 3 entries, the last two possibly stale
    net.deliver(b, "a", AppendEntries(1, "a", 1, 0, (), 3, 1))
    assert b.commit_index == 1  # only entry 1 is known to match the leader


def test_leader_backs_up_next_index_after_a_refusal() -> None:
    a, net = server()
    elect(a, net)  # log: config, noop -> next_index 2 for b
    net.deliver(a, "b", AppendReply(1, False, 0, 1))
    resent = net.take(AppendEntries, dst="b")
    assert resent[-1].prev_log_index == 0 and len(resent[-1].entries) == 2


def test_commit_advances_only_for_entries_of_the_current_term() -> None:
    a, net = server()
    a.current_term = 1
    a.log.append(Entry(1, Put("c1", 1, "x", "v")))  # index 2, an old-term entry
    elect(a, net)  # term 2; no-op at 3
    assert a.current_term == 2
    ack(a, net, "b", 2, 1)  # b stores the old entry only: majority has 1..2
    assert a.commit_index == 0
    ack(a, net, "b", 3, 1)  # and now the no-op of term 2 too
    assert a.commit_index == 3 and a.sm.get("x") == "v"


def test_the_figure8_rule_commits_the_old_entry_by_counting() -> None:
    a, net = server(rules=Rules(advance_commit_index=commit_by_counting))
    a.current_term = 1
    a.log.append(Entry(1, Put("c1", 1, "x", "v")))
    elect(a, net)
    ack(a, net, "b", 2, 1)
    assert a.commit_index == 2  # unsafe: entry 2 is of term 1


def test_leader_ignores_append_entries_of_its_own_term() -> None:
    a, net = server()
    elect(a, net)
    net.deliver(a, "b", AppendEntries(1, "b", 1, 0, entries(1), 0, 1))
    assert a.role == "leader" and net.take() == []


# -- clients -------------------------------------------------------------------
def test_follower_redirects_to_the_leader_it_knows() -> None:
    b, net = server("b")
    net.deliver(b, "a", AppendEntries(1, "a", 1, 0, (), 0, 1))
    net.take()
    net.deliver(b, "c1", ClientRequest("c1", 1, ("put", "x", "v")))
    assert net.take(ClientReply) == [ClientReply(1, False, None, "a")]


def test_write_is_answered_once_applied_and_a_retry_from_the_client_table() -> None:
    a, net = server()
    elect(a, net)
    net.deliver(a, "c1", ClientRequest("c1", 7, ("put", "x", "v")))
    net.deliver(a, "c1", ClientRequest("c1", 7, ("put", "x", "v")))  # retry in flight
    assert [e.command for e in a.log.entries[2:]] == [Put("c1", 7, "x", "v")]
    assert net.take(ClientReply) == []
    ack(a, net, "b", 3, 1)
    assert net.take(ClientReply) == [ClientReply(7, True, None, "a")]
    net.deliver(a, "c1", ClientRequest("c1", 7, ("put", "x", "v")))  # a late retry
    assert net.take(ClientReply) == [ClientReply(7, True, None, "a")]
    assert a.log.last_index == 3  # answered from the table, not appended again
    net.deliver(a, "c1", ClientRequest("c1", 6, ("put", "x", "old")))  # stale
    assert net.take(ClientReply) == [] and a.log.last_index == 3


def test_same_value_from_two_clients_is_two_writes() -> None:
    a, net = server()
    elect(a, net)
    net.deliver(a, "c1", ClientRequest("c1", 1, ("put", "x", "v")))
    net.deliver(a, "c2", ClientRequest("c2", 1, ("put", "x", "v")))
    assert a.log.last_index == 4
    ack(a, net, "b", 4, 1)
    assert len(net.take(ClientReply)) == 2


def test_read_index_waits_for_a_heartbeat_round_after_the_read() -> None:
    a, net = server()
    elect(a, net)  # broadcast round 1 carried the no-op
    ack(a, net, "b", 2, 1)  # commits the no-op: ready to serve reads
    net.take()
    net.deliver(a, "c1", ClientRequest("c1", 1, ("get", "x")))
    round_ = net.take(AppendEntries)
    assert {m.seq for m in round_} == {2}  # a new round, sent at once
    ack(a, net, "b", 2, 1)  # an answer to the OLD round proves nothing
    assert net.take(ClientReply) == []
    ack(a, net, "c", 2, 2)
    assert net.take(ClientReply) == [ClientReply(1, True, None, "a")]


def test_read_waits_until_the_leader_committed_an_entry_of_its_term() -> None:
    a, net = server()
    elect(a, net)
    net.deliver(a, "c1", ClientRequest("c1", 1, ("get", "x")))
    ack(a, net, "b", 1, 2)  # round 2 answered, but the no-op not yet stored
    assert net.take(ClientReply) == []
    ack(a, net, "b", 2, 2)
    assert net.take(ClientReply) == [ClientReply(1, True, None, "a")]


def test_lazy_leader_adds_a_no_op_only_when_a_read_needs_one() -> None:
    a, net = server(eager_noop=False)
    elect(a, net)
    assert a.log.last_index == 1
    net.deliver(a, "c1", ClientRequest("c1", 1, ("get", "x")))
    assert a.log.entry(2) == Entry(1, NoOp())


def test_lease_read_within_the_lease_and_refused_near_expiry() -> None:
    a, net = server(reads="lease", election_timeout=(10.0, 20.0))
    elect(a, net)  # round 1 sent now, at t0
    t0 = net.now
    ack(a, net, "b", 2, 1)  # commits the no-op; lease from t0, length 10
    net.now = t0 + 9.0
    net.take()
    net.deliver(a, "c1", ClientRequest("c1", 1, ("get", "x")))
    assert net.take(ClientReply) == [ClientReply(1, True, None, "a")]
    assert net.take(AppendEntries) == []  # no round trip needed
    net.now = t0 + 10.5  # past the lease: falls back to ReadIndex
    net.deliver(a, "c1", ClientRequest("c1", 2, ("get", "x")))
    assert net.take(ClientReply) == [] and a.leader is not None
    assert a.leader.reads[0].seq == 2


def test_lease_is_shortened_by_the_drift_bound() -> None:
    net = FakeNet()
    opts = RaftOptions(reads="lease", drift_bound=0.2)
    a = net.join(RaftServer("a", MEMBERS, opts, 1.0, rng=1))
    elect(a, net)
    t0 = net.now
    ack(a, net, "b", 2, 1)
    assert a.options.lease == pytest.approx(10.0 * 0.8 / 1.2)
    net.now = t0 + 6.0
    net.deliver(a, "c1", ClientRequest("c1", 1, ("get", "x")))
    assert len(net.take(ClientReply)) == 1
    net.now = t0 + 7.0  # beyond 6.67: no longer
    net.deliver(a, "c1", ClientRequest("c1", 2, ("get", "x")))
    assert net.take(ClientReply) == []


def test_read_any_answers_from_local_state_even_as_follower() -> None:
    b, net = server("b", reads="any")
    net.deliver(b, "c1", ClientRequest("c1", 1, ("get", "x")))
    assert net.take(ClientReply) == [ClientReply(1, True, None, None)]


# -- snapshots ---------------------------------------------------------------
def test_compaction_keeps_state_and_restart_replays_from_the_snapshot() -> None:
    a, net = server(snapshot_threshold=3)
    elect(a, net)
    for k in range(4):
        net.deliver(a, "c1", ClientRequest("c1", k + 1, ("put", f"k{k}", k)))
    ack(a, net, "b", a.log.last_index, 1)
    assert a.log.snapshot_index == a.log.last_index == 6
    assert dict(a.log.snapshot.data) == {"k0": 0, "k1": 1, "k2": 2, "k3": 3}
    assert a.log.snapshot.members == MEMBERS
    net.restart(a)
    assert a.sm.get("k3") == 3 and a.commit_index == 6 and a.role == "follower"
    assert a.sm.applied("c1", 4) == (True, None)  # the client table survived


def test_leader_sends_its_snapshot_to_a_follower_that_is_too_far_behind() -> None:
    a, net = server(snapshot_threshold=2)
    elect(a, net)
    for k in range(3):
        net.deliver(a, "c1", ClientRequest("c1", k + 1, ("put", "x", k)))
    ack(a, net, "b", a.log.last_index, 1)
    net.take()
    net.deliver(a, "c", AppendReply(1, False, 0, 1))  # c has only entry 0
    [snap] = net.take(InstallSnapshot, dst="c")
    assert snap.snapshot.last_index == a.log.snapshot_index and snap.snapshot.data


def test_install_snapshot_replaces_state_and_keeps_a_matching_suffix() -> None:
    b, net = server("b")
    net.deliver(b, "a", AppendEntries(1, "a", 1, 0, entries(1, 1), 0, 1))
    snap = Snapshot(2, 1, MEMBERS, (("x", "v"),), (("c1", (3, None)),))
    net.deliver(b, "a", InstallSnapshot(1, "a", snap, 4))
    assert net.take(AppendReply)[-1] == AppendReply(1, True, 2, 4)
    assert b.sm.get("x") == "v" and b.commit_index == 2
    assert b.log.last_index == 3 and b.log.term_at(3) == 1  # suffix kept
    other = Snapshot(5, 2, MEMBERS, (("x", "w"),))
    net.deliver(b, "a", InstallSnapshot(2, "a", other, 5))
    assert b.log.last_index == 5 and b.log.entries == [] and b.sm.get("x") == "w"


# -- membership --------------------------------------------------------------
def test_add_server_catches_up_as_a_learner_then_joins() -> None:
    a, net = server()
    elect(a, net)
    ack(a, net, "b", 2, 1)  # committed in its term: changes allowed
    net.take()
    net.deliver(a, "admin", AddServer(1, "d"))
    assert a.config == MEMBERS and "d" in a.peers()  # learner, not a voter
    ack(a, net, "d", 2, 1)  # caught up
    assert a.config == (*MEMBERS, "d")
    assert net.take(MembershipReply) == []  # answered once committed
    ack(a, net, "b", 3, 1)  # the new configuration counts at once: 2 of 4
    assert a.commit_index == 2
    ack(a, net, "d", 3, 1)
    assert a.commit_index == 3 and net.take(MembershipReply) == [
        MembershipReply(1, True, "a")]
    # with four voters, a majority is three
    net.deliver(a, "c1", ClientRequest("c1", 1, ("put", "x", "v")))
    ack(a, net, "b", 4, 1)
    assert a.commit_index == 3
    ack(a, net, "d", 4, 1)
    assert a.commit_index == 4


def test_one_change_at_a_time_and_only_after_committing_in_the_term() -> None:
    a, net = server()
    elect(a, net)
    net.deliver(a, "admin", RemoveServer(1, "c"))  # no-op not committed yet
    assert net.take(MembershipReply) == [MembershipReply(1, False, "a")]
    ack(a, net, "b", 2, 1)
    net.deliver(a, "admin", RemoveServer(2, "c"))
    net.deliver(a, "admin", AddServer(3, "d"))  # the removal is in flight
    assert net.take(MembershipReply) == [MembershipReply(3, False, "a")]
    assert a.config == ("a", "b")


def test_a_leader_that_removes_itself_steps_down_once_committed() -> None:
    a, net = server()
    elect(a, net)
    ack(a, net, "b", 2, 1)
    net.deliver(a, "admin", RemoveServer(1, "a"))
    assert a.role == "leader" and a.config == ("b", "c")
    ack(a, net, "b", 3, 1)  # b alone is not a majority of (b, c)
    assert a.commit_index == 2
    ack(a, net, "c", 3, 1)
    assert a.role == "follower" and a.commit_index == 3
    net.fire(a, ElectionTimeout)
    assert a.role == "follower"  # not a voter: never campaigns


def test_spare_server_learns_its_configuration_from_the_log() -> None:
    d, net = server("d", members=())
    net.fire(d, ElectionTimeout)
    assert d.role == "follower" and d.current_term == 0
    net.deliver(d, "a", AppendEntries(1, "a", 0, 0, (Entry(0, Config(MEMBERS)),
                                                     Entry(1, Config(
                                                         (*MEMBERS, "d")))), 0, 1))
    assert d.config == (*MEMBERS, "d")


def test_local_time_and_timers_follow_the_clock_rate() -> None:
    net = FakeNet()
    slow = net.join(RaftServer("a", MEMBERS, RaftOptions(drift_bound=0.5), 0.5, rng=3))
    net.now = 10.0
    assert slow.local_now == 5.0
    due = [t[0] for t in net.timers if isinstance(t[2], Tick)]
    assert due == [pytest.approx(2.5 / 0.5)]
    assert 10.0 / 0.5 <= slow.election_deadline <= 20.0 / 0.5
    assert not math.isinf(slow.election_deadline)
