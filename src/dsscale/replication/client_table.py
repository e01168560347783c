"""The client table: execute each client request at most once.

Clients retransmit a request until they hear an answer: the reply may have been
lost, or the request may have gone to a replica that was deposed before it
answered. A replicated state machine must therefore recognise a retransmission
and answer it without executing it a second time. Deduplicating by *value*
("this value was written already") is wrong as soon as two writes carry the
same value: the second write is acknowledged but never applied.

Viewstamped Replication (Oki and Liskov, PODC 1988; Liskov and Cowling, MIT
TR 2012, section 4) keeps instead, for every client, the number of its latest
request and the reply to it. A client has at most one request open and numbers
its requests in increasing order, so a request numbered

* above the recorded one is **new**: execute it, then record its reply;
* equal to the recorded one is a **retransmission**: send the recorded reply;
* below the recorded one is **stale**: the client has moved on and will ignore
  any answer, so drop it (executing it now could reorder it after a later
  request of the same client).

The table is part of the replicated state: every replica updates it when it
applies a request, and it travels with state transfers, so a new primary
recognises retransmissions of requests its predecessor executed.

>>> table = ClientTable()
>>> table.status("c0", 1)
'new'
>>> table.record("c0", 1, None)
>>> table.status("c0", 1), table.status("c0", 2), table.status("c0", 0)
('duplicate', 'new', 'stale')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

__all__ = ["ClientTable", "RequestStatus"]

RequestStatus = Literal["new", "duplicate", "stale"]


class ClientTable:
    """Per client: the latest executed request number and its reply."""

    __slots__ = ("_latest",)

    def __init__(self, entries: Iterable[tuple[str, int, Any]] = ()) -> None:
        self._latest: dict[str, tuple[int, Any]] = {}
        for client, req_id, reply in entries:
            self.record(client, req_id, reply)

    def status(self, client: str, req_id: int) -> RequestStatus:
        """Whether request ``req_id`` of ``client`` is new, a duplicate or stale."""
        entry = self._latest.get(client)
        if entry is None or req_id > entry[0]:
            return "new"
        return "duplicate" if req_id == entry[0] else "stale"

    def reply(self, client: str) -> Any:
        """The reply recorded for ``client``'s latest request."""
        return self._latest[client][1]

    def record(self, client: str, req_id: int, reply: Any) -> None:
        """Remember that ``client``'s request ``req_id`` executed with ``reply``."""
        entry = self._latest.get(client)
        if entry is not None and req_id < entry[0]:
            raise ValueError(f"req_id must be >= {entry[0]} (the latest request "
                             f"recorded for {client!r}), got {req_id}")
        self._latest[client] = (req_id, reply)

    def entries(self) -> tuple[tuple[str, int, Any], ...]:
        """The table as a tuple of ``(client, req_id, reply)``, for messages."""
        return tuple((c, r, v) for c, (r, v) in sorted(self._latest.items()))

    def copy(self) -> ClientTable:
        return ClientTable(self.entries())

    def __len__(self) -> int:
        return len(self._latest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientTable) and self._latest == other._latest

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ClientTable({list(self.entries())!r})"
