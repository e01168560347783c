"""Log replication: ``AppendEntries``, its consistency check, and committing.

**Leader.** For each peer the leader keeps ``next_index`` (the next entry to
send) and ``match_index`` (the last entry known to be stored there). Every
heartbeat interval -- and at once when a client's command is appended -- it
sends each peer the entries from ``next_index`` (at most ``max_batch``),
preceded by the index and term of the entry just before them. Each
*broadcast* opens a new round ``seq``; replies echo it, and the reads of
:mod:`~dsscale.replication.raft.service` count them.

**Follower.** It accepts the entries only if its log holds the preceding
entry with the same term (the *consistency check*); by induction its log then
equals the leader's up to the last new entry (Log Matching). It merges them
(:meth:`~dsscale.replication.raft.log.RaftLog.merge`: truncating only at a
real conflict) and reports ``match_index = prev_log_index + len(entries)``;
a refusal carries a hint where the leader should back up to.

A reply that moves ``next_index`` -- back after a refusal, or forward with
entries still to send -- triggers the next ``AppendEntries`` at once, so a
lagging follower catches up at network speed; a stale or duplicated reply
moves nothing and triggers nothing (resending on it would multiply messages
on a network that duplicates them), and the next heartbeat retries.

**Commit.** Each success raises the peer's ``match_index``, and the leader
asks its commit rule for the new commit index; the default commits only
entries of its own term (Ongaro and Ousterhout, USENIX ATC 2014, section
5.4.2). Followers learn the commit index from ``leader_commit``, but never
beyond the entries they are known to share with the leader.

A leader ignores ``AppendEntries`` of its own term: in a correct Raft there
is one leader per term and it never happens; in the ``raft-forget-vote``
variant it does, and the two leaders then both keep leading, as they would
in a real implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from dsscale.replication.raft.core import RaftCore
from dsscale.replication.raft.log import RaftLog
from dsscale.replication.raft.messages import (
    AppendEntries,
    AppendReply,
    InstallSnapshot,
)

__all__ = ["Replication", "TermsView"]


class TermsView(Sequence[int]):
    """The terms of a log as a read-only sequence, ``view[i]`` = term of entry
    ``i``; compacted entries raise ``IndexError`` (a commit rule never needs
    them: they are committed already)."""

    def __init__(self, log: RaftLog) -> None:
        self._log = log

    def __len__(self) -> int:
        return self._log.last_index + 1

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        term = self._log.term_at(index)
        if term is None:
            raise IndexError(f"log index {index} is compacted or beyond the end "
                             f"(entries {self._log.snapshot_index}.."
                             f"{self._log.last_index} are available)")
        return term


class Replication(RaftCore):
    """The replication handlers of a Raft server."""

    # -- leader side ---------------------------------------------------------------
    def broadcast(self) -> None:
        assert self.leader is not None
        self.leader.seq += 1
        self.leader.sent_at[self.leader.seq] = self.local_now
        for peer in self.peers():
            self.send_append(peer)

    def replicate_now(self) -> None:
        """Send new entries at once, within the current round."""
        for peer in self.peers():
            self.send_append(peer)

    def send_append(self, peer: str) -> None:
        leader = self.leader
        assert leader is not None
        nxt = leader.next_index.setdefault(peer, self.log.last_index + 1)
        if nxt <= self.log.snapshot_index:
            self.send(peer, InstallSnapshot(self.current_term, self.node_id,
                                            self.log.snapshot, leader.seq))
            return
        prev_term = self.log.term_at(nxt - 1)
        assert prev_term is not None
        self.send(peer, AppendEntries(
            self.current_term, self.node_id, nxt - 1, prev_term,
            self.log.entries_from(nxt, self.options.max_batch), self.commit_index,
            leader.seq))

    def on_AppendReply(self, src: str, msg: AppendReply) -> None:
        self.adopt_term(msg.term)
        leader = self.leader
        if leader is None or msg.term != self.current_term:
            return
        self.record_ack(src, msg.seq)
        match = leader.match_index.get(src, 0)
        before = leader.next_index.get(src, 1)
        if msg.success:
            match = leader.match_index[src] = max(match, msg.match_index)
            leader.next_index[src] = max(before, match + 1)
            self.advance_commit()
            self.catch_up_progress(src)
        else:
            backed = min(before - 1, msg.match_index + 1)
            leader.next_index[src] = max(match + 1, backed, 1)
        # Send more at once only if this reply moved next_index (forward with
        # entries left, or back): a stale or duplicated reply moves nothing,
        # and resending on it would multiply messages; heartbeats retry.
        after = leader.next_index[src]
        moved = after < before or (after > before and after <= self.log.last_index)
        if moved and self.leader is not None and src in self.peers():
            self.send_append(src)
        self.serve_reads()

    def record_ack(self, peer: str, seq: int) -> None:
        """``peer`` answered round ``seq`` of this term: it was still ours."""
        leader = self.leader
        assert leader is not None
        if seq > leader.acked_seq.get(peer, 0):
            leader.acked_seq[peer] = seq
            sent = leader.sent_at.get(seq)
            if sent is not None:
                leader.acked_at[peer] = max(leader.acked_at.get(peer, sent), sent)
        if len(leader.sent_at) > 64:  # forget rounds every peer has passed
            oldest = min(leader.acked_seq.get(p, 0) for p in self.peers()) \
                if self.peers() else leader.seq
            for s in [s for s in leader.sent_at if s < oldest]:
                del leader.sent_at[s]

    def advance_commit(self) -> None:
        leader = self.leader
        if leader is None:
            return
        matches = [self.log.last_index if v == self.node_id
                   else leader.match_index.get(v, 0) for v in self.config]
        if not matches:
            return
        new = int(self.options.rules.advance_commit_index(
            self.commit_index, self.current_term, matches, TermsView(self.log)))
        self.set_commit_index(min(new, self.log.last_index))

    # -- follower side ---------------------------------------------------------------
    def on_AppendEntries(self, src: str, msg: AppendEntries) -> None:
        if msg.term < self.current_term:
            self.send(src, AppendReply(self.current_term, False, 0, msg.seq))
            return
        if self.leader is not None and msg.term == self.current_term:
            return  # two leaders in one term: impossible unless a vote was lost
        self.heard_from_leader(msg.term, msg.leader_id)
        if not self.log.matches(msg.prev_log_index, msg.prev_log_term):
            hint = min(msg.prev_log_index - 1, self.log.last_index)
            self.send(src, AppendReply(self.current_term, False, hint, msg.seq))
            return
        match = self.log.merge(msg.prev_log_index, msg.entries)
        self.set_commit_index(min(msg.leader_commit, match))
        self.send(src, AppendReply(self.current_term, True, match, msg.seq))
