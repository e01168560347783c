"""The Raft client: find the leader, and retry with the same request id.

A client starts with a server chosen at random and sends each operation to
the server it believes leads. A server that
does not lead answers ``ok=False`` with the leader it knows of, and the
client tries there at once; with no hint it tries the next server a moment
later. If no answer comes within ``retry``, it resends -- the *same*
``(client_id, req_id)`` -- to the next server. The request may therefore reach
several leaders, and a leader more than once; the state machine's client
table makes it take effect once (:mod:`~dsscale.replication.raft.state_machine`).

The base class :class:`~dsscale.replication.client.Client` records the
history and gives up on an operation after ``op_timeout``; the client then
moves on to its next request, which makes every older one stale.

With ``read_any=True`` (the unsafe ``raft-read-any`` variant) the client sends
each ``get`` to a server chosen at random -- spreading read load, as a
"read from the nearest replica" option would -- and takes its answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import RNGLike, as_rng, check_float
from dsscale.consistency import Operation
from dsscale.replication.client import Client
from dsscale.replication.raft.messages import ClientReply, ClientRequest

__all__ = ["Backoff", "RaftClient", "Resend"]


@dataclass(frozen=True)
class Resend:
    """Timer message: attempt ``attempt`` of ``req_id`` got no answer in time."""

    req_id: int
    attempt: int


@dataclass(frozen=True)
class Backoff:
    """Timer message: no leader known; try the next server now."""

    req_id: int
    attempt: int


class RaftClient(Client):
    """Run a plan of gets and puts against a Raft cluster of ``servers``."""

    def __init__(self, node_id: str, plan: Sequence[tuple[float, tuple[Any, ...]]],
                 history: list[Operation], servers: Sequence[str], *,
                 retry: float = 8.0, read_any: bool = False, op_timeout: float = 40.0,
                 rng: RNGLike = None) -> None:
        super().__init__(node_id, plan, history, op_timeout)
        self.servers = tuple(servers)
        if not self.servers:
            raise ValueError("servers must name at least one server")
        self.retry = check_float("retry", retry, 0.0, strict_min=True)
        self.read_any = read_any
        self.rng = as_rng(rng)

    def init_state(self) -> None:
        super().init_state()
        self.target = self.random_server()  # clients spread over the servers
        self.attempt = 0

    def random_server(self) -> str:
        return self.servers[int(self.rng.integers(len(self.servers)))]

    def _issue(self) -> None:
        # Client.stop() (the campaign's time limit) can fall between an
        # operation's end and the think-time timer that issues the next one;
        # the base class would then index past its plan.
        if self.next_index < len(self.plan):
            super()._issue()

    def begin(self, op_input: tuple[Any, ...], req_id: int) -> None:
        self.attempt = 0
        self.send_current()

    def send_current(self) -> None:
        """(Re)send the current request and arm the retry timer."""
        assert self.current is not None and self.current_input is not None
        self.attempt += 1
        target = self.target
        if self.read_any and self.current_input[0] == "get":
            target = self.random_server()
        self.send(target, ClientRequest(self.node_id, self.current, self.current_input))
        self.set_timer(self.retry, Resend(self.current, self.attempt))

    def next_server(self) -> None:
        self.target = self.servers[(self.servers.index(self.target) + 1)
                                   % len(self.servers)]

    def on_Resend(self, src: str, msg: Resend) -> None:
        if self.is_current(msg.req_id) and msg.attempt == self.attempt:
            self.next_server()
            self.send_current()

    def on_ClientReply(self, src: str, msg: ClientReply) -> None:
        if not self.is_current(msg.req_id):
            return
        if msg.ok:
            if msg.leader_hint is not None and msg.leader_hint in self.servers:
                self.target = msg.leader_hint
            self.complete(msg.value)
            return
        if msg.leader_hint is not None and msg.leader_hint != src \
                and msg.leader_hint in self.servers:
            self.target = msg.leader_hint
            self.send_current()
        elif src == self.target:
            self.next_server()
            self.set_timer(self.retry / 8, Backoff(msg.req_id, self.attempt))

    def on_Backoff(self, src: str, msg: Backoff) -> None:
        if self.is_current(msg.req_id) and msg.attempt == self.attempt:
            self.send_current()
