"""The nodes under the explorer: one handler call at a time, memoised.

Under :mod:`dsscale.explore` the protocol's own node classes join an
:class:`ExploreNet` instead of a :class:`~dsscale.sim.Network`. It offers what
a node uses of a network (``send``, ``set_timer``, ``now``, ``nodes``) but
decides nothing: a send is collected, a timer is recorded as pending, and the
explorer later chooses which of them happens next.

A node's *state* is everything :meth:`~dsscale.sim.Node.init_state` creates
(plus ``up`` and its pending timers); what the constructor set is fixed
configuration. :class:`Machine` keeps every node state it meets as an
interned snapshot (:mod:`~dsscale.explore.freeze`) and computes a
*transition* -- one message delivered, one timer fired, a crash, a restart --
by thawing the snapshot into the live node object, calling the handler, and
freezing the result. A transition depends only on the node's snapshot, the
event and (with a clock) the time, so its result is memoised: a node state
met again in another global state costs a dictionary lookup.

Randomness. A node that keeps a numpy ``Generator`` in its configuration
(a Raft server draws its election timeouts from one) would make a
transition depend on every draw before it. Before each transition the
machine gives it a fresh generator seeded by the node's position, so a
transition stays a function of snapshot and event. The explorer does not
enumerate random draws: without a clock the length of a timeout does not
matter (the explorer decides when it fires), but a random *choice* -- a
client picking a server -- is the same in every state, a restriction of the
scope.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dsscale._validate import check_float
from dsscale.explore.freeze import freeze, thaw
from dsscale.replication.client import Client
from dsscale.sim import Node, Timer, dispatch

__all__ = ["ExploreNet", "Machine", "MethodTimer", "Transition"]

# kinds of node transition
START, DELIVER, TIMER, CRASH, RESTART = range(5)
CALL, RETURN = 1, 2  # kinds of history effect

TimerRef = tuple[float, Any]  # (deadline, key): deadline 0 without a clock


@dataclass(frozen=True)
class MethodTimer:
    """The key of a timer whose action is the node's method ``name``."""

    name: str

    def __str__(self) -> str:
        return self.name


class _Handle(Timer):
    """A timer handle under the explorer; ``cancel`` removes it from pending."""

    __slots__ = ("pending", "ref")

    def __init__(self, ref: TimerRef, pending: dict[TimerRef, _Handle] | None) -> None:
        super().__init__()
        self.ref = ref
        self.pending = pending

    def cancel(self) -> None:
        self.cancelled = True
        if self.pending is not None and self.pending.get(self.ref) is self:
            del self.pending[self.ref]
        self.pending = None


class ExploreNet:
    """What nodes see of the network while the explorer drives them.

    Two identical pending timers of one node are one timer (setting it again
    returns the pending handle), as two identical messages in flight are one
    message: the explorer's states are sets, which keeps them finite.
    """

    #: what deployments derive their random choices from (see :class:`Machine`)
    seed = 0

    def __init__(self, clock: bool) -> None:
        self.clock = clock
        self.nodes: dict[str, Node] = {}
        self.now = 0.0
        self.sent: list[tuple[str, Any]] = []
        self.pending: dict[TimerRef, _Handle] = {}
        self.config_keys: dict[str, frozenset[str]] = {}

    def add(self, *nodes: Node) -> None:
        """Join ``nodes`` (in this order) and give each fresh state."""
        for node in nodes:
            if node.node_id in self.nodes:
                raise ValueError(f"node_id {node.node_id!r} is already in the network")
            node.network = self  # type: ignore[assignment]
            self.nodes[node.node_id] = node
            self.config_keys[node.node_id] = frozenset(node.__dict__) - {"up"}
            node.init_state()

    def set_link(self, src: str, dst: str, link: Any) -> None:
        raise ValueError("links have no delays or losses under the explorer: "
                         "it chooses every delivery and drop itself")

    def at(self, time: float, action: Callable[[], Any]) -> None:
        raise ValueError("scheduled actions are not explored; use the explorer's "
                         "crash and drop budgets")

    def send(self, src: str, dst: str, msg: Any) -> None:
        if dst not in self.nodes:
            raise ValueError(f"dst must be a node id in this network "
                             f"({', '.join(self.nodes)}), got {dst!r}")
        self.sent.append((dst, msg))

    def set_timer(self, node_id: str, delay: float, action: Any) -> Timer:
        check_float("delay", delay, 0.0)
        if callable(action):
            owner = getattr(action, "__self__", None)
            if owner is not self.nodes.get(node_id):
                raise TypeError(f"a timer's action must be a message or a method of "
                                f"node {node_id!r}, got {action!r}")
            action = MethodTimer(action.__name__)
        ref = (self.now + delay if self.clock else 0.0, action)
        handle = self.pending.get(ref)
        if handle is None:
            handle = self.pending[ref] = _Handle(ref, self.pending)
        return handle


@dataclass(frozen=True)
class Transition:
    """What one node transition did: its new snapshot, sends, history effects."""

    snap: int
    sends: tuple[int, ...]  # envelope ids
    effects: tuple[tuple[Any, ...], ...]  # (CALL, pid, input) / (RETURN, pid,
    #                                        input, output, pending)
    to_clients: tuple[int, ...] = ()  # the sends addressed to clients
    returned: bool = False  # an operation returned (not merely gave up)


class Machine:
    """Interned node snapshots and envelopes, and memoised node transitions."""

    def __init__(self, net: ExploreNet) -> None:
        self.net = net
        self.ids: tuple[str, ...] = tuple(net.nodes)
        self.index = {node_id: i for i, node_id in enumerate(self.ids)}
        self.nodes = [net.nodes[i] for i in self.ids]
        self.keys = [self._state_keys(n) for n in self.nodes]
        self.clients = [isinstance(n, Client) for n in self.nodes]
        self.snaps: list[Any] = []
        self._snap_ids: dict[Any, int] = {}
        self.snap_up: list[bool] = []
        self.snap_timers: list[tuple[TimerRef, ...]] = []
        self.envs: list[tuple[int, int, Any]] = []
        self._env_ids: dict[tuple[int, int, Any], int] = {}
        self.memo: dict[tuple[Any, ...], Transition] = {}
        self.misses = 0
        self.rngs = [tuple(k for k in sorted(self.net.config_keys[n.node_id])
                           if isinstance(n.__dict__.get(k), np.random.Generator))
                     for n in self.nodes]

    def _state_keys(self, node: Node) -> tuple[str, ...]:
        config = self.net.config_keys[node.node_id]
        return tuple(sorted(k for k in node.__dict__ if k not in config))

    # -- interning ----------------------------------------------------------
    def envelope(self, src: int, dst: int, msg: Any) -> int:
        """The id of message ``msg`` from node ``src`` to node ``dst``."""
        key = (src, dst, msg)
        env = self._env_ids.get(key)
        if env is None:
            try:
                env = self._env_ids[key] = len(self.envs)
            except TypeError as exc:
                raise TypeError(f"messages must be hashable (frozen dataclasses), "
                                f"got {msg!r}") from exc
            self.envs.append(key)
        return env

    def _intern(self, frozen: Any, up: bool, timers: tuple[TimerRef, ...]) -> int:
        snap = self._snap_ids.get(frozen)
        if snap is None:
            snap = self._snap_ids[frozen] = len(self.snaps)
            self.snaps.append(frozen)
            self.snap_up.append(up)
            self.snap_timers.append(timers)
        return snap

    # -- freezing and thawing the live node -------------------------------
    def capture(self, i: int) -> int:
        """Snapshot node ``i`` as it is now, with the net's pending timers."""
        node, pending = self.nodes[i], self.net.pending
        state = node.__dict__
        if len(state) != len(self.keys[i]) + len(self.net.config_keys[node.node_id]):
            extra = set(state) - set(self.keys[i]) - self.net.config_keys[node.node_id]
            raise TypeError(f"{type(node).__name__} created attributes {sorted(extra)} "
                            "outside init_state; create all mutable state there")

        def timer(handle: Timer) -> Any:
            if isinstance(handle, _Handle):
                return (handle.ref, pending.get(handle.ref) is handle)
            raise TypeError(f"{handle!r} is not a timer of this explorer")

        values = tuple(freeze(state[k], timer) for k in self.keys[i])
        timers = tuple(sorted(pending, key=lambda ref: (ref[0], repr(ref[1]))))
        return self._intern((values, timers), bool(node.up), timers)

    def restore(self, i: int, snap: int) -> None:
        """Make node ``i`` (and the net's pending timers) equal snapshot ``snap``."""
        values, timers = self.snaps[snap]
        pending: dict[TimerRef, _Handle] = {}
        for ref in timers:
            pending[ref] = _Handle(ref, pending)

        def handle(frozen: Any) -> Timer:
            ref, alive = frozen
            return pending[ref] if alive else _Handle(ref, None)

        state = self.nodes[i].__dict__
        for key, value in zip(self.keys[i], values, strict=True):
            state[key] = thaw(value, handle)
        self.net.pending = pending

    # -- transitions -------------------------------------------------------
    def step(self, i: int, snap: int, kind: int, payload: Any,
             now: float) -> Transition:
        """Node ``i`` in snapshot ``snap`` handles one event (memoised)."""
        key = (i, snap, kind, payload, now)
        result = self.memo.get(key)
        if result is None:
            result = self.memo[key] = self._run(i, snap, kind, payload, now)
        return result

    def _run(self, i: int, snap: int, kind: int, payload: Any,
             now: float) -> Transition:
        self.misses += 1
        node, net = self.nodes[i], self.net
        self.restore(i, snap)
        for name in self.rngs[i]:  # a transition is a function of the snapshot
            setattr(node, name, np.random.default_rng(i))
        net.now, net.sent = now, []
        scratch: list[Any] = []
        issued_before = 0
        if self.clients[i]:
            node.history = scratch  # type: ignore[attr-defined]
            issued_before = node.req_counter  # type: ignore[attr-defined]
        if kind == DELIVER:
            src, _, msg = self.envs[payload]
            dispatch(node, self.ids[src], msg)
        elif kind == TIMER:
            handle = net.pending.pop(payload)
            handle.pending = None  # a fired timer: cancelling it changes nothing
            action = payload[1]
            if isinstance(action, MethodTimer):
                getattr(node, action.name)()
            else:
                dispatch(node, node.node_id, action)
        elif kind == CRASH:
            saved = {name: getattr(node, name) for name in node.durable}
            node.init_state()
            for name, value in saved.items():
                setattr(node, name, value)
            node.up = False
            net.pending = {}
        elif kind == RESTART:
            node.up = True
            node.on_restart()
        else:
            node.on_start()
        new = self.capture(i)
        sends = tuple(self.envelope(i, self.index[dst], msg) for dst, msg in net.sent)
        effects: tuple[tuple[Any, ...], ...] = ()
        if self.clients[i]:
            effects = self._effects(node, issued_before, scratch)
        to_clients = tuple(e for e in sends if self.clients[self.envs[e][1]])
        returned = any(e[0] == RETURN and not e[4] for e in effects)
        return Transition(new, sends, effects, to_clients, returned)

    @staticmethod
    def _effects(node: Any, issued_before: int,
                 recorded: list[Any]) -> tuple[tuple[Any, ...], ...]:
        out: list[tuple[Any, ...]] = []
        if node.req_counter != issued_before:
            if recorded:  # issued and finished within this one event
                out.append((CALL, recorded[0].client_id, recorded[0].input))
            else:
                out.append((CALL, node.process_id, node.current_input))
        for op in recorded:
            out.append((RETURN, op.client_id, op.input, op.output,
                        math.isinf(op.return_time)))
        return tuple(out)
