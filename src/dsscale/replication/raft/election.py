"""Leader election: randomised timeouts, ``RequestVote``, and one vote per term.

A follower that hears from no leader for a randomised election timeout
becomes a *candidate*: it increments ``current_term``, votes for itself and
asks every voting member for its vote, resending to those that have not
answered every heartbeat interval (messages get lost). A majority of votes
makes it leader; a message of a newer term makes it a follower again; if
neither happens before a new timeout, it tries again in the next term. The
timeouts are randomised so that one server usually times out well before
the others and wins before they wake up (Ongaro and Ousterhout, USENIX ATC
2014, section 5.2; Chapter 3 derives the split-vote probability,
:mod:`~dsscale.replication.raft.elections` computes and measures it).

A server votes by the rule in its :class:`~dsscale.replication.raft.rules.Rules`
(at most once per term, only for a log at least as up to date as its own),
and records the vote in the durable ``voted_for`` *before* answering: a
server that forgot its vote across a restart could vote twice in one term
and let two leaders be elected (the ``raft-forget-vote`` variant).

A server that has heard from a leader within the minimum election timeout
-- or is the leader, or, with leases, has just restarted -- ignores a
``RequestVote`` of a newer term, without even adopting the term (Ongaro's
thesis, Stanford 2014, section 4.2.3). This keeps a server that was cut off
from disrupting a healthy leader, and it is what makes leader leases sound.
"""

from __future__ import annotations

from dsscale.replication.raft.core import RaftCore
from dsscale.replication.raft.messages import ElectionTimeout, RequestVote, VoteReply
from dsscale.replication.raft.rules import majority

__all__ = ["Election"]


class Election(RaftCore):
    """The election handlers of a Raft server."""

    def on_ElectionTimeout(self, src: str, msg: ElectionTimeout) -> None:
        self.election_timer = None
        if self.leader is not None:
            return
        if self.node_id not in self.config:  # not a voter: wait to be added
            self.reset_election_timer()
            return
        self.start_election()

    def start_election(self) -> None:
        self.current_term += 1
        self.voted_for = self.node_id
        self.role, self.leader_id = "candidate", None
        self.votes = {self.node_id: True}
        self.reset_election_timer()
        self.request_votes()
        self.count_votes()

    def request_votes(self) -> None:
        """Ask every voter that has not answered yet (also the resend path)."""
        msg = RequestVote(self.current_term, self.node_id, self.log.last_index,
                          self.log.last_term)
        for voter in self.config:
            if voter not in self.votes:
                self.send(voter, msg)

    def withholds_vote(self) -> bool:
        """Leader, or heard from one within the minimum election timeout."""
        recent = self.local_now - self.last_heard_leader
        return self.leader is not None or recent < self.options.election_timeout[0]

    def on_RequestVote(self, src: str, msg: RequestVote) -> None:
        if msg.term > self.current_term and self.withholds_vote():
            return
        self.adopt_term(msg.term)
        granted = bool(self.options.rules.grant_vote(
            current_term=self.current_term, voted_for=self.voted_for,
            last_log_index=self.log.last_index, last_log_term=self.log.last_term,
            candidate_id=msg.candidate_id, candidate_term=msg.term,
            candidate_last_log_index=msg.last_log_index,
            candidate_last_log_term=msg.last_log_term))
        if granted:
            self.voted_for = msg.candidate_id
            self.reset_election_timer()
        self.send(src, VoteReply(self.current_term, granted))

    def on_VoteReply(self, src: str, msg: VoteReply) -> None:
        self.adopt_term(msg.term)
        if self.role != "candidate" or msg.term != self.current_term:
            return
        self.votes[src] = msg.granted
        self.count_votes()

    def count_votes(self) -> None:
        voters = self.config
        granted = sum(1 for v in voters if self.votes.get(v))
        if self.role == "candidate" and granted >= majority(len(voters)):
            self.become_leader()
