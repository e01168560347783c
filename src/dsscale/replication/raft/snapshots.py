"""Snapshots and log compaction (Ongaro and Ousterhout, USENIX ATC 2014, s. 7).

Once ``snapshot_threshold`` applied entries follow the last snapshot, a
server -- any server, independently -- writes its state machine (with the
client table and the configuration in force) as a new snapshot and drops the
entries it covers. Only applied, hence committed, entries are compacted, so a
snapshot never contains anything a later leader could overwrite.

A follower so far behind that the leader has already compacted the entries
it needs gets the leader's snapshot instead (``InstallSnapshot``). If its log
holds the snapshot's last entry, it keeps the entries after it; otherwise it
discards its log. It then restarts its state machine from the snapshot, and
answers like a successful ``AppendEntries`` with ``match_index`` at the
snapshot's last entry. The leader sends the whole snapshot in one message
(the simulator has no size limit; the paper sends it in chunks).

After a restart, a server rebuilds its state machine from its own snapshot
(:meth:`~dsscale.replication.raft.core.RaftCore.on_start`) and replays the
rest of its log as the commit index becomes known again.
"""

from __future__ import annotations

from dsscale.replication.raft.core import RaftCore
from dsscale.replication.raft.messages import AppendReply, InstallSnapshot
from dsscale.replication.raft.state_machine import KVStateMachine

__all__ = ["Snapshots"]


class Snapshots(RaftCore):
    """Compaction and the ``InstallSnapshot`` handler."""

    def maybe_compact(self) -> None:
        unsnapshotted = self.last_applied - self.log.snapshot_index
        if unsnapshotted < self.options.snapshot_threshold:
            return
        term = self.log.term_at(self.last_applied)
        assert term is not None
        self.log.compact(self.sm.snapshot(self.last_applied, term,
                                          self.log.config(self.last_applied)))

    def on_InstallSnapshot(self, src: str, msg: InstallSnapshot) -> None:
        if msg.term < self.current_term:
            self.send(src, AppendReply(self.current_term, False, 0, msg.seq))
            return
        self.heard_from_leader(msg.term, msg.leader_id)
        snap = msg.snapshot
        if snap.last_index > self.commit_index:
            self.log.compact(snap)
            self.sm = KVStateMachine.restore(snap)
            self.commit_index = self.last_applied = snap.last_index
        self.send(src, AppendReply(self.current_term, True, snap.last_index, msg.seq))
