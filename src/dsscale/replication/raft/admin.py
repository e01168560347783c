"""The administrator: asks the cluster to add or remove servers, one at a time.

:class:`RaftAdmin` runs a plan of membership changes in order. Like a client,
it sends each request to the server it believes leads, follows
``leader_hint``, and retries -- the *same* request -- every ``retry`` time
units until a leader answers ``ok`` (which it does once the new
configuration is committed; see :mod:`~dsscale.replication.raft.membership`).
A refusal (a change already in flight, a learner still catching up, a
leader that has not committed in its term yet) is retried the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dsscale._validate import check_float
from dsscale.replication.raft.messages import AddServer, MembershipReply, RemoveServer
from dsscale.sim import Node

__all__ = ["AdminRetry", "RaftAdmin"]

Change = tuple[str, str]  # ("add" | "remove", server id)


@dataclass(frozen=True)
class AdminRetry:
    """Timer message: no ``ok`` yet for change number ``index``; ask again."""

    index: int
    attempt: int


class RaftAdmin(Node):
    """Apply ``plan`` = ``[(delay, ("add" | "remove", server)), ...]`` in order.

    ``done`` records ``(time, change)`` as each change is confirmed.
    """

    def __init__(self, node_id: str, servers: Sequence[str],
                 plan: Sequence[tuple[float, Change]], retry: float = 6.0) -> None:
        super().__init__(node_id)
        self.servers = tuple(servers)
        for _, (kind, server) in plan:
            if kind not in ("add", "remove") or server not in self.servers:
                raise ValueError("plan must hold ('add' | 'remove', server) with a "
                                 f"server in {self.servers}, got {(kind, server)!r}")
        self.plan = list(plan)
        self.retry = check_float("retry", retry, 0.0, strict_min=True)

    def init_state(self) -> None:
        self.index = 0
        self.attempt = 0
        self.target = self.servers[0]
        self.done: list[tuple[float, Change]] = []

    def on_start(self) -> None:
        if self.plan:
            self.set_timer(self.plan[0][0], AdminRetry(0, 0))

    def request(self) -> None:
        kind, server = self.plan[self.index][1]
        msg = (AddServer if kind == "add" else RemoveServer)(self.index, server)
        self.attempt += 1
        self.send(self.target, msg)
        self.set_timer(self.retry, AdminRetry(self.index, self.attempt))

    def on_AdminRetry(self, src: str, msg: AdminRetry) -> None:
        if msg.index != self.index or msg.attempt != self.attempt:
            return
        if msg.attempt:  # no answer in time: ask the next server
            self.target = self.servers[(self.servers.index(self.target) + 1)
                                       % len(self.servers)]
        self.request()

    def on_MembershipReply(self, src: str, msg: MembershipReply) -> None:
        if msg.req_id != self.index or self.index >= len(self.plan):
            return
        if msg.ok:
            self.done.append((self.now, self.plan[self.index][1]))
            self.index += 1
            self.attempt = 0
            if self.index < len(self.plan):
                self.set_timer(self.plan[self.index][0], AdminRetry(self.index, 0))
        elif msg.leader_hint is not None and msg.leader_hint != src:
            self.target = msg.leader_hint
            self.request()
