"""The client of the configured protocols (primary-backup, chain) and its messages.

A client sends each request to the replica the configuration names for it
(:meth:`PBClient._target`), retransmits it with the same ``req_id`` until an
answer comes (the replicas' client table, :mod:`~dsscale.replication.client_table`,
answers a retransmission without executing it again), and follows
``Redirect`` and ``ConfigNotice`` messages to a newer configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float
from dsscale.consistency import Operation
from dsscale.replication.client import Client
from dsscale.replication.config import ConfigNotice

__all__ = ["PBClient", "Redirect", "Reply", "Request", "Retransmit"]


@dataclass(frozen=True)
class Request:
    req_id: int
    op: tuple[Any, ...]


@dataclass(frozen=True)
class Reply:
    req_id: int
    value: Any


@dataclass(frozen=True)
class Retransmit:
    """Client timer: resend request ``req_id`` if it is still unanswered."""

    req_id: int


@dataclass(frozen=True)
class Redirect:
    req_id: int
    epoch: int
    members: tuple[str, ...]


class PBClient(Client):
    """Send each request to the primary; follow redirects to a newer one.

    An unanswered request is retransmitted every ``retry`` time units with the
    same ``req_id`` (the reply, or the request, may have been lost); the
    replicas' client table answers a retransmission of an executed write
    without executing it again. Subclasses change where a request goes by
    overriding :meth:`_target` (chain replication sends writes to the head and
    reads to the tail).
    """

    def __init__(self, node_id: str, plan: Sequence[tuple[float, tuple[Any, ...]]],
                 history: list[Operation], members: Sequence[str],
                 op_timeout: float = 40.0, retry: float = 6.0) -> None:
        super().__init__(node_id, plan, history, op_timeout)
        self.initial_members = tuple(members)
        self.retry = check_float("retry", retry, 0.0, strict_min=True)

    def init_state(self) -> None:
        super().init_state()
        self.epoch = 0
        self.members = self.initial_members

    def _target(self, op: tuple[Any, ...]) -> str:
        return self.members[0]  # the primary

    def begin(self, op_input: tuple[Any, ...], req_id: int) -> None:
        self.send(self._target(op_input), Request(req_id, op_input))
        self.set_timer(self.retry, Retransmit(req_id))

    def on_Retransmit(self, src: str, msg: Retransmit) -> None:
        if self.is_current(msg.req_id) and self.current_input is not None:
            self.send(self._target(self.current_input),
                      Request(msg.req_id, self.current_input))
            self.set_timer(self.retry, msg)

    def on_ConfigNotice(self, src: str, msg: ConfigNotice) -> None:
        if msg.epoch <= self.epoch:
            return
        old = self._target(self.current_input) if self.current_input else None
        self.epoch, self.members = msg.epoch, msg.members
        # A new target: resend now. Safe even for a write the old primary
        # executed: the new one knows it from the client table and answers.
        if self.current is not None and self.current_input is not None \
                and self._target(self.current_input) != old:
            self.send(self._target(self.current_input),
                      Request(self.current, self.current_input))

    def on_Redirect(self, src: str, msg: Redirect) -> None:
        if msg.epoch > self.epoch:
            self.epoch, self.members = msg.epoch, msg.members
        if self.is_current(msg.req_id) and self.current_input is not None:
            target = self._target(self.current_input)
            if target != src:
                self.send(target, Request(msg.req_id, self.current_input))

    def on_Reply(self, src: str, msg: Reply) -> None:
        if self.is_current(msg.req_id):
            self.complete(msg.value)
