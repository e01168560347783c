"""The key-value state machine that Raft replicates, with its client table.

Every server applies the committed entries of its log, in index order, to its
own :class:`KVStateMachine`; since all logs agree on committed entries, all
state machines pass through the same states.

**The client table.** A client whose request times out cannot know whether it
was applied, so it retries with the *same* ``(client_id, req_id)``. Raft
alone would then append the command twice and apply it twice. The state
machine therefore keeps, per client, the last request id it applied and its
reply (a *session*, Ongaro's thesis, Stanford 2014, section 6.3):

* ``req_id`` greater than the last: a new request; apply it and remember it;
* ``req_id`` equal to the last: a retry; answer with the remembered reply and
  change nothing;
* ``req_id`` smaller: a stale copy of a request the client has already given
  up on (it issues one request at a time, so it has moved on); ignore it.

Duplicates are recognised by *who asked*, never by value: two clients may
well write the same value, and both writes must take effect.

The table is part of the replicated state (and of snapshots): every server
must agree on which retries were duplicates.
"""

from __future__ import annotations

from typing import Any, Final

from dsscale.replication.raft.messages import Put, Snapshot

__all__ = ["STALE", "KVStateMachine"]


class _Stale:
    def __repr__(self) -> str:
        return "STALE"


STALE: Final[Any] = _Stale()
"""What :meth:`KVStateMachine.apply` returns for a request older than the
client's last one: nobody is waiting for its answer."""


class KVStateMachine:
    """A dictionary of keys and values, plus the client table.

    Examples
    --------
    >>> sm = KVStateMachine()
    >>> sm.apply(Put("c1", 1, "x", "a")), sm.get("x")
    (None, 'a')
    >>> sm.apply(Put("c2", 1, "x", "b"))
    >>> sm.apply(Put("c1", 1, "x", "a")), sm.get("x")  # a retry: not re-applied
    (None, 'b')
    """

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.sessions: dict[str, tuple[int, Any]] = {}

    def get(self, key: str) -> Any:
        """The value of ``key`` (None if never written)."""
        return self.data.get(key)

    def apply(self, command: Put) -> Any:
        """Apply ``command`` once per ``(client_id, req_id)``; return its reply
        (None for a put), the remembered reply for a retry, or :data:`STALE`."""
        last = self.sessions.get(command.client_id)
        if last is not None:
            if command.req_id == last[0]:
                return last[1]
            if command.req_id < last[0]:
                return STALE
        self.data[command.key] = command.value
        self.sessions[command.client_id] = (command.req_id, None)
        return None

    def applied(self, client_id: str, req_id: int) -> tuple[bool, Any]:
        """``(True, reply)`` if this request was already applied, else
        ``(False, None)``. A request older than the client's last counts as
        applied-or-abandoned, with reply :data:`STALE`."""
        last = self.sessions.get(client_id)
        if last is None or req_id > last[0]:
            return False, None
        return True, (last[1] if req_id == last[0] else STALE)

    def snapshot(self, last_index: int, last_term: int,
                 members: tuple[str, ...]) -> Snapshot:
        """The state as an immutable snapshot taken after entry ``last_index``."""
        return Snapshot(last_index, last_term, members,
                        tuple(sorted(self.data.items())),
                        tuple(sorted(self.sessions.items())))

    @classmethod
    def restore(cls, snapshot: Snapshot) -> KVStateMachine:
        """A state machine in the state ``snapshot`` recorded."""
        sm = cls()
        sm.data = dict(snapshot.data)
        sm.sessions = dict(snapshot.sessions)
        return sm
