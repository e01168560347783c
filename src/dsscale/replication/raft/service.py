"""Serving clients: writes through the log, linearizable reads without it.

**Writes.** A leader appends a client's ``put`` to its log (once: a retry of
a command still in flight only registers the client to be answered) and
answers when the entry is *applied*, with the state machine's reply -- which,
for a retry of a command applied earlier, is the remembered one
(:mod:`~dsscale.replication.raft.state_machine`). Any other server answers
``ok=False`` with the leader it knows of, and the client tries there.

**Reads** must not return a value older than a write that completed before
the read began. A leader that merely *believes* it leads may have been
deposed behind a partition, so it first makes sure (Ongaro's thesis,
Stanford 2014, section 6.4):

1. it waits until it has committed an entry of its own term (the no-op it
   appends on election, or, with ``eager_noop=False``, the one it appends
   when the first read arrives), so that its commit index is at least that
   of any earlier leader;
2. **ReadIndex**: it records ``read_index = commit_index``, sends a new
   heartbeat round, and waits for a majority to acknowledge it: then it was
   still leader when the read arrived. It answers once it has applied up to
   ``read_index``. This costs one round trip and no disk write.
3. **Lease** (``reads="lease"``, section 6.4.1): a majority that acknowledged
   a round sent at local time ``s`` will not vote for anyone else before
   ``s + lease`` (see :mod:`~dsscale.replication.raft.clock`), so within the
   lease the leader skips the round trip. Near expiry it falls back to
   ReadIndex.

``reads="any"`` is the unsafe shortcut: every server answers from its own
state machine, which may lag or belong to a deposed leader.
"""

from __future__ import annotations

from typing import Any

from dsscale.replication.raft.core import PendingRead, RaftCore
from dsscale.replication.raft.messages import ClientReply, ClientRequest, Entry, Put
from dsscale.replication.raft.rules import majority
from dsscale.replication.raft.state_machine import STALE

__all__ = ["ClientService"]


class ClientService(RaftCore):
    """The client-facing handlers of a Raft server."""

    def on_ClientRequest(self, src: str, msg: ClientRequest) -> None:
        op = msg.op
        if op[0] == "get" and self.options.reads == "any":
            self.send(src, ClientReply(msg.req_id, True, self.sm.get(op[1]),
                                       self.leader_id))
            return
        if self.leader is None:
            self.send(src, ClientReply(msg.req_id, False, None, self.leader_id))
            return
        if op[0] == "get":
            self.accept_read(src, msg)
        else:
            self.accept_write(src, msg)

    def accept_write(self, src: str, msg: ClientRequest) -> None:
        leader = self.leader
        assert leader is not None
        done, reply = self.sm.applied(msg.client_id, msg.req_id)
        if done:
            if reply is not STALE:
                self.send(src, ClientReply(msg.req_id, True, reply, self.node_id))
            return
        key = (msg.client_id, msg.req_id)
        leader.waiting[key] = src
        if key not in leader.proposed:
            leader.proposed.add(key)
            _, k, value = msg.op
            self.log.append(Entry(self.current_term, Put(msg.client_id, msg.req_id,
                                                         k, value)))
            self.replicate_now()
            self.advance_commit()

    # -- reads ---------------------------------------------------------------------
    def committed_in_term(self) -> bool:
        return self.log.term_at(self.commit_index) == self.current_term

    def accept_read(self, src: str, msg: ClientRequest) -> None:
        leader = self.leader
        assert leader is not None
        read_index = self.commit_index if self.committed_in_term() else None
        if read_index is None:
            self.ensure_term_entry()
        if (self.options.reads == "lease" and read_index is not None
                and self.local_now < self.lease_start() + self.options.lease):
            leader.reads.append(PendingRead(src, msg.req_id, msg.op[1], read_index, 0))
        else:
            leader.reads.append(PendingRead(src, msg.req_id, msg.op[1], read_index,
                                            leader.seq + 1))
            self.broadcast()
        self.serve_reads()

    def majority_value(self, own: float, per_peer: dict[str, Any]) -> float:
        """The largest value that a majority of voters has reached: ``own`` for
        this server (if it votes), ``per_peer[p]`` for the others."""
        values = sorted((own if v == self.node_id else per_peer.get(v, -1)
                         for v in self.config), reverse=True)
        if not values:
            return -1
        return float(values[majority(len(values)) - 1])

    def lease_start(self) -> float:
        """Local send time of the latest round a majority acknowledged."""
        assert self.leader is not None
        return self.majority_value(self.local_now, self.leader.acked_at)

    def serve_reads(self) -> None:
        leader = self.leader
        if leader is None or not leader.reads:
            return
        confirmed = self.majority_value(leader.seq, leader.acked_seq)
        if self.committed_in_term():
            for read in leader.reads:
                if read.read_index is None:
                    read.read_index = self.commit_index
        waiting = []
        for read in leader.reads:
            if (read.read_index is not None and read.seq <= confirmed
                    and read.read_index <= self.last_applied):
                self.send(read.client, ClientReply(read.req_id, True,
                                                   self.sm.get(read.key), self.node_id))
            else:
                waiting.append(read)
        leader.reads = waiting
