"""Replay an explorer trace on the ordinary simulator.

:class:`ScriptedNetwork` is a :class:`~dsscale.sim.Network` whose links and
timers take their schedule from a trace instead of drawing delays: when a
node sends a message, the copy is put on the event heap at the position of
the trace step that delivers (or drops) it; when a node sets a timer, it is
put where the trace fires it; crashes and restarts are scheduled actions.
Everything else -- building the deployment, dispatching to the handlers,
crash and restart semantics, the trace of events -- is the ordinary
simulator's, so a counterexample found by the explorer is a run of the very
code the campaigns run, and :func:`~dsscale.trace_plot.plot_trace` draws it.

The replay checks that it follows the trace: a scripted step whose message
was never sent, or whose timer was never set, is an error.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float
from dsscale.consistency import CheckResult, Operation, check_linearizable
from dsscale.explore.machine import MethodTimer
from dsscale.explore.result import ExploreResult, Step
from dsscale.explore.scope import Scope
from dsscale.replication.client import Client
from dsscale.sim import Event, Network, Timer

__all__ = ["Replay", "ScriptedNetwork", "replay"]

_DELIVER, _TIMER, _ACTION = 0, 1, 2  # the simulator's heap entry kinds
_BASE = 10**9  # heap sequence numbers of scripted entries: after on_start
_ENDS_COPY = ("deliver", "drop", "lost")


class _ScriptedTimer(Timer):
    __slots__ = ("key", "net")

    def __init__(self, net: ScriptedNetwork, key: tuple[str, Any, float]) -> None:
        super().__init__()
        self.net, self.key = net, key

    def cancel(self) -> None:
        self.cancelled = True
        if self.net._timers_set.get(self.key) is self:
            del self.net._timers_set[self.key]


class ScriptedNetwork(Network):
    """A simulated network that delivers and fires exactly as ``steps`` say.

    ``clock``: the steps' times are the explorer's clock (handlers see it);
    otherwise step ``k`` (from 1) happens at time ``k``. ``position`` is the
    step being run (0 before the first), and :attr:`positions` gives it for
    each trace event, for charts that need one column per step.
    """

    def __init__(self, steps: Sequence[Step], clock: bool) -> None:
        super().__init__(0, trace=True)
        self.steps = tuple(steps)
        self.clock = clock
        self.times = [s.time if clock else float(k + 1) for k, s in enumerate(steps)]
        self.position = 0
        self.positions: list[int] = []
        self.done = [s.kind == "advance" for s in self.steps]
        self._deliveries: dict[tuple[str, str, Any], deque[int]] = {}
        self._timer_steps: dict[tuple[str, Any, float], deque[int]] = {}
        self._in_flight: dict[tuple[str, str, Any], int] = {}
        self._timers_set: dict[tuple[str, Any, float], _ScriptedTimer] = {}
        for k, s in enumerate(self.steps):
            if s.kind in ("deliver", "drop", "duplicate", "lost"):
                self._deliveries.setdefault((s.src, s.dst, s.message),
                                            deque()).append(k)
            elif s.kind in ("timer", "early timeout"):
                key = (s.dst, s.message, s.deadline if clock else 0.0)
                self._timer_steps.setdefault(key, deque()).append(k)
            elif s.kind in ("crash", "restart"):
                action = (lambda n=s.dst: self.crash(n)) if s.kind == "crash" else (
                    lambda n=s.dst: self.restart(n, keep_durable=True))
                self._schedule(k, _ACTION, action, None, None, None)

    def _schedule(self, k: int, kind: int, a: Any, b: Any, c: Any, d: Any) -> None:
        heapq.heappush(self._heap, (self.times[k], _BASE + k, kind, a, b, c, d))

    def _next_step(self, queue: deque[int] | None) -> int | None:
        while queue and queue[0] < self.position:
            queue.popleft()  # in the past: reported unexecuted at the end
        return queue.popleft() if queue else None

    def _log(self, kind: str, src: str, dst: str, msg: Any, detail: str = "") -> None:
        super()._log(kind, src, dst, msg, detail)
        self.positions.append(self.position)

    # -- messages and timers, scheduled by the script ------------------------
    def send(self, src: str, dst: str, msg: Any) -> None:
        self._check_id("dst", dst)
        self._log("send", src, dst, msg)
        envelope = (src, dst, msg)
        if envelope in self._in_flight:
            return  # the explorer's network holds one copy of a message
        k = self._next_step(self._deliveries.get(envelope))
        while k is not None:
            kind = self.steps[k].kind
            if kind == "drop":
                self._schedule(k, _ACTION, lambda e=envelope: self._drop(e), None,
                               None, None)
            else:
                self._schedule(k, _DELIVER, src, dst, msg, None)
            self._in_flight[envelope] = k
            if kind != "duplicate":
                break
            k = self._next_step(self._deliveries.get(envelope))  # the copy left

    def _drop(self, envelope: tuple[str, str, Any]) -> None:
        self._log("drop", *envelope, "dropped by the explorer")

    def set_timer(self, node_id: str, delay: float, action: Any) -> Timer:
        check_float("delay", delay, 0.0)
        key_action = MethodTimer(action.__name__) if callable(action) else action
        key = (node_id, key_action, self.now + delay if self.clock else 0.0)
        timer = self._timers_set.get(key)
        if timer is not None:
            return timer  # the explorer's nodes hold one copy of a timer
        timer = self._timers_set[key] = _ScriptedTimer(self, key)
        k = self._next_step(self._timer_steps.get(key))
        if k is not None:
            self._schedule(k, _TIMER, node_id, self._incarnation[node_id], action,
                           timer)
        return timer

    def crash(self, node_id: str) -> None:
        super().crash(node_id)
        for key in [key for key in self._timers_set if key[0] == node_id]:
            del self._timers_set[key]

    # -- running -------------------------------------------------------------
    def step(self) -> bool:
        if not self._heap:
            return False
        seq = self._heap[0][1]
        k = seq - _BASE if seq >= _BASE else -1
        self.position = k + 1
        if k >= 0:
            s = self.steps[k]
            self.done[k] = True
            if s.kind in ("timer", "early timeout"):
                key = (s.dst, s.message, s.deadline if self.clock else 0.0)
                self._timers_set.pop(key, None)
        result = super().step()
        if k >= 0 and self.steps[k].kind in _ENDS_COPY:
            s = self.steps[k]
            self._in_flight.pop((s.src, s.dst, s.message), None)
        return result

    def check_followed(self) -> None:
        """Raise if a scripted step did not happen (the replay diverged)."""
        for k, done in enumerate(self.done):
            if not done:
                raise RuntimeError(f"the replay diverged: step {k + 1} "
                                   f"({self.steps[k]}) never happened")

    def display_trace(self) -> list[Event]:
        """The trace with each event's time replaced by its step number."""
        return [e._replace(time=float(p))
                for e, p in zip(self.trace, self.positions, strict=True)]


@dataclass
class Replay:
    """A trace replayed on the simulator: the network and what clients saw.

    ``history`` is stamped with step numbers (calls and returns in the order
    they happened), like :meth:`ScriptedNetwork.display_trace`; ``check`` is
    its linearizability verdict, with a shrunk counterexample if illegal.
    """

    network: ScriptedNetwork
    history: list[Operation]
    check: CheckResult

    @property
    def trace(self) -> list[Event]:
        return self.network.display_trace()


class _StampedHistory(list):  # type: ignore[type-arg]
    """A client history that remembers at which step each record came."""

    def __init__(self, net: ScriptedNetwork) -> None:
        super().__init__()
        self.net = net
        self.stamps: list[int] = []

    def append(self, op: Operation) -> None:
        super().append(op)
        self.stamps.append(self.net.position)


def replay(result: ExploreResult | Scope, steps: Sequence[Step] | None = None
           ) -> Replay:
    """Run ``result``'s trace (or a scope's ``steps``) on a :class:`ScriptedNetwork`."""
    if isinstance(result, ExploreResult):
        scope, steps, clock = result.scope, result.trace if steps is None else steps, \
            result.clock
    else:
        if steps is None:
            raise ValueError("steps must be given when replaying a Scope")
        scope = result
        clock = any(s.kind == "advance" for s in steps)
    net = ScriptedNetwork(steps, clock)
    plans = scope.plans_with_think()
    history = _StampedHistory(net)
    deployment = scope.spec.build(net, list(plans), scope.num_replicas,
                                  scope.options())
    clients: list[Client] = [deployment.make_client(cid, plan, history)
                             for cid, plan in plans.items()]
    net.add(*clients)
    net.run()
    net.check_followed()
    ops = _restamp(net, history, clients)
    return Replay(net, ops, check_linearizable(ops, scope.model))


def _restamp(net: ScriptedNetwork, history: _StampedHistory,
             clients: Sequence[Client]) -> list[Operation]:
    """The history with call and return at the step they happened."""
    issued: dict[str, list[int]] = {c.node_id: [] for c in clients}
    for e, position in zip(net.trace, net.positions, strict=True):
        if e.kind == "timer" and e.message == "_issue":
            issued[e.src].append(position)
    count: dict[str, int] = {}
    ops = []
    for op, stamp in zip(history, history.stamps, strict=True):
        owner = str(op.client_id).split("'")[0]
        j = count[owner] = count.get(owner, -1) + 1
        call = float(issued[owner][j])
        ret = op.return_time if op.pending else float(stamp)
        ops.append(Operation(op.client_id, op.input, call, op.output, ret))
    for c in clients:  # operations still open when the trace ends: pending
        if c.current is not None:
            j = count.get(c.node_id, -1) + 1
            ops.append(Operation(c.process_id, c.current_input,
                                 float(issued[c.node_id][j]), None, math.inf))
    return ops
