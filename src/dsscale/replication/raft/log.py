"""The replicated log: entries after a snapshot, indexed from 1.

A :class:`RaftLog` is a :class:`~dsscale.replication.raft.messages.Snapshot`
(the state after applying entries ``1..s``) followed by the entries ``s+1,
s+2, ..., last_index``. Index 0 with term 0 stands for the empty prefix, so
``prev_log_index = 0`` always matches. A server of the initial cluster starts
with one entry, ``(term 0, Config(initial members))`` -- the same on every
such server -- and a spare server with an empty log and no configuration,
until a leader replicates one to it. Everything up to the snapshot is
committed; entries after it may still be overwritten by a newer leader.

Two properties of Raft's log are kept by the methods here, not by callers:

* **Log Matching** (Ongaro and Ousterhout, USENIX ATC 2014, section 5.3): if
  two logs hold an entry with the same index and term, they are identical up
  to it. :meth:`RaftLog.merge` therefore skips entries it already has, and
  truncates only at the first entry whose term *differs* -- never because an
  ``AppendEntries`` is shorter than the log (a delayed, shorter message would
  then delete entries that a later message had added and the leader may
  already count as replicated).
* The **configuration** in force is the latest one in the log, committed or
  not (single-server changes, Ongaro's thesis, Stanford 2014, section 4.1):
  :meth:`RaftLog.config`. Truncating a configuration entry reverts to the
  previous one.

The log is durable (it survives a crash and restart with
``keep_durable=True``): the server lists ``"log"`` in ``durable``.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsscale._validate import check_int
from dsscale.replication.raft.messages import Config, Entry, Snapshot

__all__ = ["RaftLog"]


class RaftLog:
    """Entries ``snapshot.last_index + 1 .. last_index`` after a snapshot.

    Examples
    --------
    >>> from dsscale.replication.raft.messages import Entry, NoOp
    >>> log = RaftLog()
    >>> log.append(Entry(1, NoOp())), log.append(Entry(1, NoOp()))
    (1, 2)
    >>> log.merge(1, (Entry(2, NoOp()),))  # index 2 conflicts: replaced
    2
    >>> log.last_index, log.last_term, log.term_at(1)
    (2, 2, 1)
    """

    def __init__(self) -> None:
        self.snapshot = Snapshot(0, 0, ())
        self.entries: list[Entry] = []

    # -- positions ----------------------------------------------------------------
    @property
    def snapshot_index(self) -> int:
        return self.snapshot.last_index

    @property
    def last_index(self) -> int:
        return self.snapshot.last_index + len(self.entries)

    @property
    def last_term(self) -> int:
        return self.entries[-1].term if self.entries else self.snapshot.last_term

    def term_at(self, index: int) -> int | None:
        """Term of the entry at ``index``; None if compacted away or absent."""
        if index == self.snapshot.last_index:
            return self.snapshot.last_term
        if self.snapshot.last_index < index <= self.last_index:
            return self.entries[index - self.snapshot.last_index - 1].term
        return None

    def entry(self, index: int) -> Entry:
        """The entry at ``index`` (after the snapshot, at most ``last_index``)."""
        if not self.snapshot.last_index < index <= self.last_index:
            raise IndexError(f"index must be in {self.snapshot.last_index + 1}.."
                             f"{self.last_index}, got {index}")
        return self.entries[index - self.snapshot.last_index - 1]

    def entries_from(self, start: int, limit: int) -> tuple[Entry, ...]:
        """Up to ``limit`` entries from index ``start`` (after the snapshot)."""
        offset = start - self.snapshot.last_index - 1
        if offset < 0:
            raise IndexError(f"start must be > {self.snapshot.last_index}, got {start}")
        return tuple(self.entries[offset:offset + limit])

    def matches(self, index: int, term: int) -> bool:
        """True if this log holds an entry ``(index, term)`` (or ``index`` is
        compacted, hence committed and equal everywhere)."""
        if index < self.snapshot.last_index:
            return True
        return self.term_at(index) == term

    # -- changes ----------------------------------------------------------------
    def append(self, entry: Entry) -> int:
        """Append ``entry`` at the end; return its index."""
        self.entries.append(entry)
        return self.last_index

    def merge(self, prev_index: int, entries: Sequence[Entry]) -> int:
        """Put ``entries`` at ``prev_index + 1, ...``; the log must match at
        ``prev_index`` (checked by the caller). Keep matching entries, truncate
        at the first conflict, append the rest. Return ``prev_index +
        len(entries)``: the last index now known to match the sender's log."""
        check_int("prev_index", prev_index, 0)
        for k, entry in enumerate(entries):
            index = prev_index + 1 + k
            if index <= self.snapshot.last_index:
                continue  # committed and compacted: equal by Log Matching
            have = self.term_at(index)
            if have == entry.term:
                continue
            if have is not None:
                del self.entries[index - self.snapshot.last_index - 1:]
            self.entries.append(entry)
        return prev_index + len(entries)

    def compact(self, snapshot: Snapshot) -> None:
        """Replace the prefix up to ``snapshot.last_index`` by ``snapshot``.

        If the log holds the snapshot's last entry, the entries after it stay
        (a server compacting its own applied prefix, or a follower receiving a
        snapshot of a prefix it has); otherwise the whole log is replaced.
        """
        if snapshot.last_index <= self.snapshot.last_index:
            return
        if self.term_at(snapshot.last_index) == snapshot.last_term:
            self.entries = self.entries[snapshot.last_index - self.snapshot.last_index:]
        else:
            self.entries = []
        self.snapshot = snapshot

    # -- configuration ----------------------------------------------------------
    def config_index(self, upto: int | None = None) -> int:
        """Index of the latest configuration entry at or before ``upto``
        (default: the end); the snapshot's index if there is none after it."""
        end = self.last_index if upto is None else min(upto, self.last_index)
        for index in range(end, self.snapshot.last_index, -1):
            if isinstance(self.entry(index).command, Config):
                return index
        return self.snapshot.last_index

    def config(self, upto: int | None = None) -> tuple[str, ...]:
        """The voting members in force at ``upto`` (default: the end)."""
        index = self.config_index(upto)
        if index == self.snapshot.last_index:
            return self.snapshot.members
        command = self.entry(index).command
        assert isinstance(command, Config)
        return command.members

    def __repr__(self) -> str:
        terms = ",".join(str(e.term) for e in self.entries)
        return f"RaftLog(snapshot@{self.snapshot.last_index}, terms=[{terms}])"
