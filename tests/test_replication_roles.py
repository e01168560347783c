"""Each replica role alone, driven by a fake network (:class:`dsscale.sim.Mailbox`)."""

from __future__ import annotations

import pytest

from dsscale.replication.abd import ABDReplica, Query, QueryReply, Store, StoreAck
from dsscale.replication.chain import Ack, ChainReplica, Update
from dsscale.replication.client_table import ClientTable
from dsscale.replication.config import Ping, Pong
from dsscale.replication.pb_client import Reply, Request
from dsscale.replication.primary_backup import PBReplica, Replicate, ReplicateAck, Sync
from dsscale.replication.quorum_store import (
    Handoff,
    HandoffAck,
    HintedStore,
    QuorumReplica,
)
from dsscale.sim import Mailbox, Tick

MEMBERS = ("r0", "r1", "r2")


# -- the client table ----------------------------------------------------------
def test_client_table_classifies_new_duplicate_and_stale_requests() -> None:
    table = ClientTable()
    assert table.status("a", 5) == "new"
    table.record("a", 5, "reply-5")
    assert [table.status("a", r) for r in (4, 5, 6)] == ["stale", "duplicate", "new"]
    assert table.status("b", 1) == "new"  # clients are independent
    assert table.reply("a") == "reply-5"
    with pytest.raises(ValueError, match="req_id must be >= 5"):
        table.record("a", 4, None)
    assert ClientTable(table.entries()) == table and table.copy() == table
    table.record("a", 6, None)
    assert table.status("a", 5) == "stale" and len(table) == 1


# -- primary-backup ----------------------------------------------------------------
def _pb(node_id: str, sync: bool = True) -> tuple[Mailbox, PBReplica]:
    net = Mailbox()
    replica = PBReplica(node_id, MEMBERS, "m", sync=sync)
    net.join(replica)
    replica.on_Ping("m", Ping(0, MEMBERS, lease_until=100.0))
    net.take()
    return net, replica


def test_pb_primary_commits_after_every_backup_then_answers() -> None:
    net, primary = _pb("r0")
    primary.on_Request("c", Request(1, ("put", "x", "v")))
    sent = net.take()
    assert [dst for dst, _ in sent] == ["r1", "r2"]
    rep = sent[0][1]
    assert isinstance(rep, Replicate) and (rep.client, rep.req_id) == ("c", 1)
    primary.on_ReplicateAck("r1", ReplicateAck(rep.view, 1))
    assert net.take() == [] and primary.store == {}  # one backup is not enough
    primary.on_ReplicateAck("r2", ReplicateAck(rep.view, 1))
    assert net.take() == [("c", Reply(1, None))] and primary.store == {"x": "v"}


def test_pb_duplicate_request_is_answered_from_the_client_table() -> None:
    net, primary = _pb("r0", sync=False)
    primary.on_Request("c", Request(1, ("put", "x", "v")))
    primary.on_Request("c", Request(2, ("put", "x", "w")))
    net.take()
    assert primary.store == {"x": "w"} and primary.seq == 2
    primary.on_Request("c", Request(2, ("put", "x", "w")))  # a retransmission
    assert net.take() == [("c", Reply(2, None))]  # answered, nothing replicated
    assert primary.seq == 2
    primary.on_Request("c", Request(1, ("put", "x", "v")))  # stale: moved on
    assert net.take() == [] and primary.store == {"x": "w"} and primary.seq == 2
    primary.on_Request("d", Request(1, ("put", "x", "v")))  # same value, new client
    assert primary.store == {"x": "v"} and primary.seq == 3


def test_pb_retransmission_of_a_write_in_flight_is_not_queued_twice() -> None:
    net, primary = _pb("r0")
    primary.on_Request("c", Request(1, ("put", "x", "v")))
    rep = net.take()[0][1]
    primary.on_Request("c", Request(1, ("put", "x", "v")))
    assert net.take() == [] and primary.queue == []
    for b in ("r1", "r2"):
        primary.on_ReplicateAck(b, ReplicateAck(rep.view, 1))
    assert net.take() == [("c", Reply(1, None))] and primary.seq == 1


def test_pb_backup_applies_in_order_and_ignores_other_views() -> None:
    net, backup = _pb("r1")
    view = (0, 1)
    backup.on_Sync("r0", Sync(view, MEMBERS, 0, (), (("c", 3, None),)))
    assert net.take() and backup.clients.status("c", 3) == "duplicate"
    backup.on_Replicate("r0", Replicate(view, 2, "x", "late", "c", 5))
    assert backup.store == {} and net.take() == []  # a gap: wait for seq 1
    backup.on_Replicate("r0", Replicate((0, 0), 1, "x", "old", "c", 4))
    assert backup.store == {}  # a message from an older reign
    backup.on_Replicate("r0", Replicate(view, 1, "x", "v", "c", 4))
    assert backup.store == {"x": "v"} and backup.clients.status("c", 4) == "duplicate"
    assert net.take() == [("r0", ReplicateAck(view, 1))]


def test_pb_primary_without_a_lease_does_not_serve() -> None:
    net, primary = _pb("r0")
    net.now = 100.0  # the lease granted until 100 has expired
    assert not primary.has_lease
    primary.on_Request("c", Request(1, ("get", "x")))
    assert net.take() == [] and len(primary.queue) == 1
    primary.on_Ping("m", Ping(0, MEMBERS, lease_until=150.0))  # renewed
    assert net.take() == [("m", Pong(0)), ("c", Reply(1, None))]


# -- chain replication ------------------------------------------------------------
def _chain(node_id: str) -> tuple[Mailbox, ChainReplica]:
    net = Mailbox()
    replica = ChainReplica(node_id, MEMBERS, "m")
    net.join(replica)
    replica.on_Ping("m", Ping(0, MEMBERS, lease_until=100.0))
    net.take()
    return net, replica


def test_chain_head_answers_a_retransmission_only_once_committed() -> None:
    net, head = _chain("r0")
    head.on_Request("c", Request(1, ("put", "x", "v")))
    assert net.take() == [("r1", Update(0, 1, "x", "v", "c", 1))]
    head.on_Request("c", Request(1, ("put", "x", "v")))  # still in the chain
    assert net.take() == [] and head.seq == 1
    head.on_Ack("r1", Ack(0, 1))  # the tail has it
    head.on_Request("c", Request(1, ("put", "x", "v")))
    assert net.take() == [("c", Reply(1, None))] and head.seq == 1
    head.on_Request("c", Request(2, ("put", "x", "v")))  # same value, new request
    assert head.seq == 2 and net.take() == [("r1", Update(0, 2, "x", "v", "c", 2))]


def test_chain_tail_answers_the_client_and_acknowledges_upstream() -> None:
    net, tail = _chain("r2")
    tail.on_Update("r1", Update(0, 1, "x", "v", "c", 7))
    assert net.take() == [("c", Reply(7, None)), ("r1", Ack(0, 1))]
    tail.on_Update("r0", Update(0, 2, "x", "w", "c", 8))  # not my predecessor
    assert tail.store == {"x": "v"} and net.take() == []
    assert tail.clients.status("c", 7) == "duplicate"


# -- ABD and the quorum store --------------------------------------------------------
def test_abd_replica_keeps_the_larger_tag_and_always_acknowledges() -> None:
    net = Mailbox()
    replica = ABDReplica("r0")
    net.join(replica)
    replica.on_Store("c", Store(1, 2, "x", (2, "b"), "new"))
    replica.on_Store("d", Store(1, 2, "x", (1, "z"), "old"))  # an older tag
    replica.on_Store("e", Store(1, 2, "x", (2, "a"), "tie"))  # same counter, lower id
    assert replica.data == {"x": ((2, "b"), "new")}
    assert [m for _, m in net.take()] == [StoreAck(1, 2)] * 3
    replica.on_Query("c", Query(9, 1, "x"))
    assert net.take() == [("c", QueryReply(9, 1, (2, "b"), "new"))]


def test_quorum_replica_hands_a_hint_off_and_forgets_it_when_acknowledged() -> None:
    net = Mailbox()
    fallback = QuorumReplica("r4")
    net.join(fallback)
    fallback.on_HintedStore("c", HintedStore(1, 2, "x", (1, "c"), "v", "r1"))
    assert fallback.hints == {("r1", "x"): ((1, "c"), "v")}
    assert net.take() == [("c", StoreAck(1, 2))]
    fallback.on_Query("d", Query(2, 1, "x"))  # a hint answers queries too
    assert net.take() == [("d", QueryReply(2, 1, (1, "c"), "v"))]
    fallback.on_Tick("r4", Tick())
    assert net.take(Handoff) == [("r1", Handoff("x", (1, "c"), "v"))]
    fallback.on_HandoffAck("r1", HandoffAck("x", (0, "")))  # acks an older tag
    assert fallback.hints  # kept
    fallback.on_HandoffAck("r1", HandoffAck("x", (1, "c")))
    assert fallback.hints == {}
    intended = QuorumReplica("r1")
    net.join(intended)
    intended.on_Handoff("r4", Handoff("x", (1, "c"), "v"))
    assert intended.data == {"x": ((1, "c"), "v")}
    assert net.take() == [("r4", HandoffAck("x", (1, "c")))]
