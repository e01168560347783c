"""Single-server membership changes (Ongaro's thesis, Stanford 2014, ch. 4).

A configuration is a ``Config`` entry in the log, and every server uses the
latest one in its log *as soon as it is appended*, committed or not. Changing
one server at a time is safe without joint consensus: any majority of the old
configuration and any majority of the new one share a server, so the two
cannot elect two leaders or commit two different entries at one index.

The leader runs one change at a time, and only

* after it has committed an entry of its own term (otherwise an uncommitted
  change of a previous leader could still be in flight: the bug found in
  2015 and fixed in the thesis's errata),
* when the latest configuration in its log is committed.

**AddServer.** The new server first catches up as a *learner*: the leader
replicates to it without counting it, until it stores everything the leader
had when the request arrived. Then the leader appends the new configuration.
(Without this round the new server could become part of every majority with
an empty log, and the cluster would stall while it catches up.)

**RemoveServer.** The leader appends the configuration without the server. A
leader that removes itself keeps leading -- without counting itself -- until
the change commits, then steps down. A removed server no longer starts
elections once it sees its removal; one that never saw it is kept from
disrupting the others because they ignore its votes while they hear from a
leader (see :mod:`~dsscale.replication.raft.election`).

Requests come from an administrator (:class:`~dsscale.replication.raft.admin.
RaftAdmin`), who retries until the leader answers ``ok``; the answers are
idempotent: asking to add a member (or remove a non-member) once the
configuration says so is answered ``ok`` at once.
"""

from __future__ import annotations

from dsscale.replication.raft.core import RaftCore
from dsscale.replication.raft.messages import (
    AddServer,
    Config,
    Entry,
    MembershipReply,
    RemoveServer,
)

__all__ = ["Membership"]


class Membership(RaftCore):
    """The membership-change handlers of a Raft leader."""

    def can_change(self) -> bool:
        """One change at a time, and only once this leader has committed."""
        leader = self.leader
        return (leader is not None and leader.change is None and not leader.learners
                and self.log.term_at(self.commit_index) == self.current_term
                and self.log.config_index() <= self.commit_index)

    def refuse(self, src: str, req_id: int) -> None:
        self.ensure_term_entry()  # the administrator's retry may then succeed
        self.send(src, MembershipReply(req_id, False, self.leader_id))

    def on_AddServer(self, src: str, msg: AddServer) -> None:
        leader = self.leader
        if leader is None:
            self.refuse(src, msg.req_id)
        elif msg.server_id in self.config:
            self.answer_when_committed(src, msg.req_id)
        elif msg.server_id in leader.learners:  # a retry: still catching up
            leader.admins[msg.server_id] = (src, msg.req_id)
        elif not self.can_change():
            self.refuse(src, msg.req_id)
        else:
            deadline = self.local_now + 2 * self.options.election_timeout[1]
            leader.learners[msg.server_id] = (self.log.last_index, deadline)
            leader.admins[msg.server_id] = (src, msg.req_id)
            self.send_append(msg.server_id)

    def on_RemoveServer(self, src: str, msg: RemoveServer) -> None:
        if self.leader is None:
            self.refuse(src, msg.req_id)
        elif msg.server_id not in self.config:
            self.answer_when_committed(src, msg.req_id)
        elif not self.can_change() or len(self.config) == 1:
            self.refuse(src, msg.req_id)
        else:
            members = tuple(m for m in self.config if m != msg.server_id)
            self.append_config(members, src, msg.req_id)

    def answer_when_committed(self, src: str, req_id: int) -> None:
        """The configuration already says so: answer once it is committed."""
        assert self.leader is not None
        index = self.log.config_index()
        if index <= self.commit_index:
            self.send(src, MembershipReply(req_id, True, self.node_id))
        elif self.leader.change is not None and self.leader.change[0] == index:
            self.leader.change = (index, src, req_id)
        else:
            self.refuse(src, req_id)

    def append_config(self, members: tuple[str, ...], admin: str, req_id: int) -> None:
        assert self.leader is not None
        index = self.log.append(Entry(self.current_term, Config(members)))
        self.leader.change = (index, admin, req_id)
        for peer in members:
            self.leader.next_index.setdefault(peer, index)
            self.leader.match_index.setdefault(peer, 0)
        self.replicate_now()
        self.advance_commit()

    def catch_up_progress(self, peer: str) -> None:
        """A learner that stores its target joins the configuration."""
        leader = self.leader
        if leader is None or peer not in leader.learners:
            return
        if leader.match_index.get(peer, 0) >= leader.learners[peer][0]:
            del leader.learners[peer]
            admin, req_id = leader.admins.pop(peer)
            self.append_config(self.config + (peer,), admin, req_id)

    def expire_learners(self) -> None:
        """Give up on a learner that did not catch up in time (it may be down);
        the administrator's retry starts over."""
        leader = self.leader
        if leader is None:
            return
        for peer, (_, deadline) in list(leader.learners.items()):
            if self.local_now > deadline:
                del leader.learners[peer]
                admin, req_id = leader.admins.pop(peer)
                self.refuse(admin, req_id)

    def membership_committed(self) -> None:
        """Answer the administrator; a leader that removed itself steps down."""
        leader = self.leader
        if leader is None or leader.change is None:
            return
        index, admin, req_id = leader.change
        if index > self.commit_index:
            return
        leader.change = None
        self.send(admin, MembershipReply(req_id, True, self.node_id))
        if self.node_id not in self.config:
            self.become_follower(None)
