"""Raft's messages, log entries and commands: small frozen records.

Every message is a frozen dataclass, so a handler can never change a message
another node also holds, and the network may deliver one object twice.
Collections inside messages are tuples, never sets (see :mod:`dsscale.sim`).

The RPCs follow Figure 2 of Ongaro and Ousterhout (USENIX ATC 2014), with
two additions:

* ``AppendEntries`` and ``InstallSnapshot`` carry a ``seq``, the number of the
  leader's broadcast round they belong to; the reply echoes it. A leader that
  sees a majority answer round ``s`` knows it was still leader when it sent
  that round -- the leadership check that ReadIndex and leases need (Ongaro's
  thesis, Stanford 2014, section 6.4).
* ``AppendReply.match_index`` is the highest index known to match the leader
  (on success), or a hint where to retry (on failure), in place of Figure 2's
  bare ``success`` flag, so a leader never has to guess which request a
  reordered reply answers.

Client commands carry ``(client_id, req_id)``; the state machine uses the pair
to apply a retried command once (thesis, section 6.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AddServer",
    "AppendEntries",
    "AppendReply",
    "ClientReply",
    "ClientRequest",
    "Command",
    "Config",
    "ElectionTimeout",
    "Entry",
    "InstallSnapshot",
    "MembershipReply",
    "NoOp",
    "Put",
    "RemoveServer",
    "RequestVote",
    "Snapshot",
    "VoteReply",
]


# -- what the log holds ----------------------------------------------------------
@dataclass(frozen=True)
class Put:
    """Set ``key`` to ``value``: request number ``req_id`` of ``client_id``."""

    client_id: str
    req_id: int
    key: str
    value: Any


@dataclass(frozen=True)
class NoOp:
    """Appended by every new leader, so that it commits an entry of its own term."""


@dataclass(frozen=True)
class Config:
    """A new voting configuration; takes effect as soon as it is in a log."""

    members: tuple[str, ...]


Command = Put | NoOp | Config


@dataclass(frozen=True)
class Entry:
    """One log entry: a command and the term of the leader that created it."""

    term: int
    command: Command


@dataclass(frozen=True)
class Snapshot:
    """Everything up to ``last_index``: the state machine, sessions and config.

    ``data`` and ``sessions`` are sorted tuples of pairs (see
    :meth:`~dsscale.replication.raft.state_machine.KVStateMachine.snapshot`).
    """

    last_index: int
    last_term: int
    members: tuple[str, ...]
    data: tuple[tuple[str, Any], ...] = ()
    sessions: tuple[tuple[str, tuple[int, Any]], ...] = ()


# -- RPCs between servers --------------------------------------------------------
@dataclass(frozen=True)
class RequestVote:
    term: int
    candidate_id: str
    last_log_index: int
    last_log_term: int


@dataclass(frozen=True)
class VoteReply:
    term: int
    granted: bool


@dataclass(frozen=True)
class AppendEntries:
    term: int
    leader_id: str
    prev_log_index: int
    prev_log_term: int
    entries: tuple[Entry, ...]
    leader_commit: int
    seq: int


@dataclass(frozen=True)
class AppendReply:
    term: int
    success: bool
    match_index: int  # success: matches up to here; failure: retry after here
    seq: int


@dataclass(frozen=True)
class InstallSnapshot:
    term: int
    leader_id: str
    snapshot: Snapshot
    seq: int


# -- clients and administrators ------------------------------------------------
@dataclass(frozen=True)
class ClientRequest:
    """``op`` is ``("get", key)`` or ``("put", key, value)``."""

    client_id: str
    req_id: int
    op: tuple[Any, ...]


@dataclass(frozen=True)
class ClientReply:
    """``ok=False``: not the leader; try ``leader_hint`` (None if unknown)."""

    req_id: int
    ok: bool
    value: Any
    leader_hint: str | None


@dataclass(frozen=True)
class AddServer:
    req_id: int
    server_id: str


@dataclass(frozen=True)
class RemoveServer:
    req_id: int
    server_id: str


@dataclass(frozen=True)
class MembershipReply:
    req_id: int
    ok: bool
    leader_hint: str | None


# -- timer messages --------------------------------------------------------------
@dataclass(frozen=True)
class ElectionTimeout:
    """No leader heard from for a whole (randomised) election timeout."""
