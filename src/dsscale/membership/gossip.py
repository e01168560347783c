"""Push, pull and push-pull gossip of any mergeable state, on the simulator.

A :class:`GossipNode` holds a ``state`` and a ``merge`` function that must be a
join: commutative, associative and idempotent (a set under union, a maximum, a
CRDT). Every ``interval`` it calls one peer chosen uniformly at random with
the network's seeded generator and, depending on ``mode``:

* ``push``: sends :class:`Push` with its state; the peer merges it;
* ``pull``: sends :class:`PullRequest`; the peer answers :class:`PullReply`;
* ``push-pull``: sends :class:`PushPull` with its state; the peer merges it
  and answers :class:`PullReply`.

What a node sends is its state *as of the start of the round* (taken at its
tick), the convention of the random phone call model analysed in
:mod:`dsscale.membership.spread`: news received during a round travels on
only from the next one. With all nodes ticking at the same instants and
delays shorter than half an interval, one simulated interval is exactly one
round of that model. The same node spreads a rumor (state: a frozenset,
merge: union) and keeps CRDT replicas in step (:mod:`dsscale.crdt`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from dsscale._validate import check_float
from dsscale.membership.spread import MODES, Mode
from dsscale.sim import Node

__all__ = ["GossipNode", "PullReply", "PullRequest", "Push", "PushPull"]

S = TypeVar("S")


@dataclass(frozen=True)
class Push:
    """My state; merge it into yours."""

    state: Any


@dataclass(frozen=True)
class PullRequest:
    """Send me your state."""


@dataclass(frozen=True)
class PushPull:
    """My state; merge it and send me yours."""

    state: Any


@dataclass(frozen=True)
class PullReply:
    """My state, as you asked."""

    state: Any


class GossipNode(Node, Generic[S]):
    """A replica of a join-semilattice state that gossips every ``interval``.

    Parameters
    ----------
    node_id : str
    peers : sequence of str
        The nodes it may call (not itself).
    initial : S
        Its state at start (and after a restart without durable state).
    merge : callable (S, S) -> S
        The join of two states.
    mode : {"push", "pull", "push-pull"}
    interval : float
        Time between two calls, > 0.
    offset : float
        Time of the first call after start, in ``[0, interval]``; equal offsets
        give synchronous rounds.
    """

    durable = ("state",)

    def __init__(self, node_id: str, peers: Sequence[str], initial: S,
                 merge: Callable[[S, S], S], mode: Mode = "push-pull",
                 interval: float = 1.0, offset: float | None = None) -> None:
        super().__init__(node_id)
        self.peers = tuple(p for p in peers if p != node_id)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.initial = initial
        self.merge = merge
        self.interval = check_float("interval", interval, 0.0, strict_min=True)
        self.offset = self.interval if offset is None else check_float(
            "offset", offset, 0.0, self.interval)

    def init_state(self) -> None:
        self.state: S = self.initial
        self.snapshot: S = self.initial
        self.rounds = 0
        self.messages_sent = 0
        self.last_change = 0.0

    def on_start(self) -> None:
        if self.peers:
            self.set_timer(self.offset, self._round)

    def _round(self) -> None:
        self.snapshot = self.state
        self.rounds += 1
        peer = self.peers[self._net.rng.randrange(len(self.peers))]
        if self.mode == "push":
            self._send(peer, Push(self.snapshot))
        elif self.mode == "pull":
            self._send(peer, PullRequest())
        else:
            self._send(peer, PushPull(self.snapshot))
        self.set_timer(self.interval, self._round)

    def _send(self, dst: str, msg: Any) -> None:
        self.messages_sent += 1
        self.send(dst, msg)

    def update(self, state: S) -> None:
        """Replace the local state by ``state`` (a local operation's result)."""
        if state != self.state:
            self.state = state
            self.last_change = self.now

    def _absorb(self, other: S) -> None:
        self.update(self.merge(self.state, other))

    def on_Push(self, src: str, msg: Push) -> None:
        self._absorb(msg.state)

    def on_PullRequest(self, src: str, msg: PullRequest) -> None:
        self._send(src, PullReply(self.snapshot))

    def on_PushPull(self, src: str, msg: PushPull) -> None:
        self._absorb(msg.state)
        self._send(src, PullReply(self.snapshot))

    def on_PullReply(self, src: str, msg: PullReply) -> None:
        self._absorb(msg.state)
