"""The global state space: states, the events enabled in each, successors.

A global state is a tuple of small ints and tuples of ints, so it hashes
fast::

    (snapshots, in_flight, history, (drops, duplicates, crashes left), now)

``snapshots[i]`` is node ``i``'s interned snapshot (its variables, ``up`` and
its pending timers), ``in_flight`` the sorted ids of the messages in flight
(a *set*: a retransmission of a message still in flight adds nothing, as in
the message sets of TLA+ specifications), ``history`` the interned client
history. The events enabled in a state are, in this order: deliver any
message in flight (to a crashed node: it is lost), fire a pending timer,
drop or duplicate any message (within the budgets), crash any replica that
is up (within the budget), restart any that is down, and, with a clock,
move the clock to the next deadline.

Messages to and from a configuration master (the ``others`` of a
deployment) are, with ``Scope.synchronous_master``, delivered one at a time
before anything else can happen (the budget may drop one): the master
stands for a replicated, fault-tolerant service, and the explorer spends its
choices on the replicas and clients.

Which timers may fire. With a clock, those that are due. Without one, a
client may always issue its next operation, and any other timer of a node
may fire once no message to or from that node is in flight: a timeout
longer than the messages it waits for, as on a network whose delays are
shorter than the timeouts. A timeout that fires while such a message is
still in flight is *early*, and the scope budgets those like drops
(``max_early_timeouts``): they are what leaves a message of an abandoned
operation to land after its client has moved on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from dsscale.explore.history import Histories
from dsscale.explore.machine import (
    CRASH,
    DELIVER,
    RESTART,
    START,
    TIMER,
    ExploreNet,
    Machine,
    MethodTimer,
    Transition,
)
from dsscale.explore.properties import node_in
from dsscale.explore.scope import Scope
from dsscale.sim import Network

__all__ = ["EVENT_NAMES", "Event", "Space", "State", "build_space"]

State = tuple[tuple[int, ...], tuple[int, ...], int, tuple[int, ...], float]
Event = tuple[int, Any]  # (kind, envelope id | (node, timer ref) | node | time)
Move = tuple[Event, State, bool, "Transition | None"]

# kinds of global event (DELIVER, TIMER, CRASH, RESTART as for a node)
DROP, DUPLICATE, LOST, ADVANCE, EARLY = 10, 11, 12, 13, 14
EVENT_NAMES = {DELIVER: "deliver", TIMER: "timer", CRASH: "crash",
               RESTART: "restart", DROP: "drop", DUPLICATE: "duplicate",
               LOST: "lost", ADVANCE: "advance",
               EARLY: "early timeout"}


@dataclass
class Space:
    """The reachable states of one scope, generated on demand."""

    scope: Scope
    machine: Machine
    histories: Histories
    crashable: tuple[int, ...]
    clock: bool
    clients: tuple[str, ...]
    initial: State = ((), (), 0, (), 0.0)
    ignore_stale: bool = True
    control: frozenset[int] = frozenset()
    issue: MethodTimer = MethodTimer("_issue")

    def __post_init__(self) -> None:
        m = self.machine
        self._inside: dict[tuple[int, int], bool] = {}  # (node, snap) -> in bound
        self.is_client = m.clients
        # declared by the class itself: a subclass may change what it ignores
        self.forgets = [bool(type(n).__dict__.get("ignored_stays_ignored", False))
                        for n in m.nodes]
        self.forgets_any = any(self.forgets)
        snaps = tuple(m.capture(i) for i in range(len(m.ids)))
        flight: set[int] = set()
        hid = self.histories.empty
        for i in range(len(m.ids)):  # on_start, in the order the nodes joined
            t = m.step(i, snaps[i], START, None, 0.0)
            snaps = snaps[:i] + (t.snap,) + snaps[i + 1:]
            flight.update(t.sends)
            if t.effects:
                hid = self.histories.apply(hid, i, t.effects)
        scope = self.scope
        self.initial = (snaps, tuple(sorted(flight)), hid,
                        (scope.max_drops, scope.max_duplicates, scope.max_crashes,
                         scope.max_early_timeouts), 0.0)

    # -- successors --------------------------------------------------------
    def successors(self, state: State) -> Iterator[tuple[Event, State, bool]]:
        """``(event, next state, whether an operation returned)`` for each event."""
        for event, new, returned, _ in self.moves(state):
            yield event, new, returned

    def moves(self, state: State) -> Iterator[Move]:
        """As :meth:`successors`, with each event's node transition (or None)."""
        snaps, flight, hid, budget, now = state
        m = self.machine
        if self.scope.bound is not None and not self.within_bound(snaps):
            return
        envs, up, step = m.envs, m.snap_up, m.step
        drops, dups, crashes, early = budget
        if self.control:
            for k, e in enumerate(flight):
                src, dst, _ = envs[e]
                if src in self.control or dst in self.control:
                    yield from self._control_message(state, k, e)
                    return
        busy: set[int] = set()
        for k, e in enumerate(flight):
            src, dst, _ = envs[e]
            busy.add(src)
            busy.add(dst)
            rest = flight[:k] + flight[k + 1:]
            if up[snaps[dst]]:
                t = step(dst, snaps[dst], DELIVER, e, now)
                yield (DELIVER, e), *self._after(state, dst, t, rest, budget), t
            else:
                yield (LOST, e), (snaps, rest, hid, budget, now), False, None
        yield from self._timer_moves(state, busy)
        if drops:
            left = (drops - 1, dups, crashes, early)
            for k, e in enumerate(flight):
                yield (DROP, e), (snaps, flight[:k] + flight[k + 1:], hid, left,
                                  now), False, None
        if dups:
            left = (drops, dups - 1, crashes, early)
            for e in flight:
                dst = envs[e][1]
                if up[snaps[dst]]:
                    t = step(dst, snaps[dst], DELIVER, e, now)
                    yield (DUPLICATE, e), *self._after(state, dst, t, flight,
                                                       left), t
        for i in self.crashable:
            if up[snaps[i]]:
                if crashes:
                    t = step(i, snaps[i], CRASH, None, now)
                    left = (drops, dups, crashes - 1, early)
                    yield (CRASH, i), *self._after(state, i, t, flight, left), t
            else:
                t = step(i, snaps[i], RESTART, None, now)
                yield (RESTART, i), *self._after(state, i, t, flight, budget), t
        if self.clock:
            later = self._next_deadline(state)
            if later is not None:
                yield (ADVANCE, later), (snaps, flight, hid, budget, later), False, \
                    None

    def within_bound(self, snaps: tuple[int, ...]) -> bool:
        """Whether every replica is within ``scope.bound`` (memoised by snapshot)."""
        bound = self.scope.bound
        if bound is None:
            return True
        inside = self._inside
        for i in self.crashable:
            ok = inside.get((i, snaps[i]))
            if ok is None:
                node = node_in(self.machine, i, snaps[i])
                ok = inside[(i, snaps[i])] = bool(bound.within(node))
            if not ok:
                return False
        return True

    def _timer_moves(self, state: State, busy: set[int]) -> Iterator[Move]:
        """The timers that may fire: due ones with a clock; without one, a
        client's next operation, the timers of quiet nodes, early ones."""
        snaps, flight, _, budget, now = state
        m = self.machine
        drops, dups, crashes, early = budget
        timers, issue, up, step = m.snap_timers, self.issue, m.snap_up, m.step
        for i, snap in enumerate(snaps):
            if not up[snap]:
                continue
            for ref in timers[snap]:
                if self.clock:
                    if ref[0] > now:
                        break  # sorted by deadline
                    kind, left = TIMER, budget
                elif i not in busy or ref[1] == issue:
                    kind, left = TIMER, budget
                elif early:
                    kind, left = EARLY, (drops, dups, crashes, early - 1)
                else:
                    continue
                t = step(i, snap, TIMER, ref, now)
                if kind == EARLY and t.snap == snap and not t.sends and not t.effects:
                    continue  # changes nothing: not worth a fault
                yield (kind, (i, ref)), *self._after(state, i, t, flight, left), t

    def _control_message(self, state: State, k: int, e: int) -> Iterator[Move]:
        """A message to or from the master: delivered (or dropped) first."""
        snaps, flight, hid, budget, now = state
        dst = self.machine.envs[e][1]
        rest = flight[:k] + flight[k + 1:]
        if self.machine.snap_up[snaps[dst]]:
            t = self.machine.step(dst, snaps[dst], DELIVER, e, now)
            yield (DELIVER, e), *self._after(state, dst, t, rest, budget), t
        else:
            yield (LOST, e), (snaps, rest, hid, budget, now), False, None
        if budget[0]:
            yield (DROP, e), (snaps, rest, hid, (budget[0] - 1, *budget[1:]),
                              now), False, None

    def _after(self, state: State, i: int, t: Transition, flight: tuple[int, ...],
               budget: tuple[int, ...]) -> tuple[State, bool]:
        snaps, _, hid, _, now = state
        changed = t.snap != snaps[i]
        new = snaps[:i] + (t.snap,) + snaps[i + 1:] if changed else snaps
        if t.sends:
            flight = tuple(sorted(set(flight).union(t.sends)))
        if self.ignore_stale and (t.to_clients or self.forgets_any
                                  or (changed and self.is_client[i])):
            flight = self._without_stale(new, flight, i, t, now, changed)
        if t.effects:
            hid = self.histories.apply(hid, i, t.effects)
        return (new, flight, hid, budget, now), t.returned

    def _without_stale(self, snaps: tuple[int, ...], flight: tuple[int, ...], i: int,
                       t: Transition, now: float, changed: bool) -> tuple[int, ...]:
        """Remove the messages that will change nothing, now or later.

        A client ignores an answer to a request (or a phase) it has left
        behind, and never returns to it (the contract of
        :class:`~dsscale.replication.client.Client`), so a message whose
        delivery would change nothing at a client changes nothing later
        either: delivering it at once loses no behaviour, and removes the
        states that differ only by when it arrives. A server class that
        declares ``ignored_stays_ignored = True`` promises the same (an ABD
        replica: a query never changes it, and a store with an old tag stays
        old, since its tags only grow); a message to it is removed when its
        delivery would change nothing there and only send answers that their
        clients ignore.
        """
        m = self.machine
        envs = m.envs
        candidates: Iterable[int] = t.to_clients
        if changed and (self.is_client[i] or self.forgets[i]):
            # what it will ignore now: messages to it, and to servers from it
            client, forgets = self.is_client[i], self.forgets
            candidates = [*t.to_clients, *(
                e for e in flight if envs[e][1] == i
                or (client and envs[e][0] == i and forgets[envs[e][1]]))]
        elif self.forgets_any:
            candidates = [*t.to_clients, *(e for e in t.sends
                                           if self.forgets[envs[e][1]])]
        stale = [e for e in candidates if self._ignored(snaps, e, now)]
        if not stale:
            return flight
        return tuple(e for e in flight if e not in stale)

    def _ignored(self, snaps: tuple[int, ...], e: int, now: float) -> bool:
        """Whether message ``e`` will change nothing, now or later."""
        m = self.machine
        dst = m.envs[e][1]
        snap = snaps[dst]
        if not m.snap_up[snap] or not (self.is_client[dst] or self.forgets[dst]):
            return False
        r = m.step(dst, snap, DELIVER, e, now)
        if r.snap != snap or r.effects:
            return False
        if self.is_client[dst]:
            return not r.sends
        return all(self.is_client[m.envs[x][1]] and self._ignored(snaps, x, now)
                   for x in r.sends)

    def _next_deadline(self, state: State) -> float | None:
        """With a clock: the next deadline, if the clock may move to it now."""
        snaps, flight, _, _, now = state
        if flight and self.scope.bounded_delay:
            return None
        m = self.machine
        soonest = None
        for snap in snaps:
            if m.snap_up[snap] and m.snap_timers[snap]:
                deadline = m.snap_timers[snap][0][0]
                if deadline <= now:
                    return None  # a timer is due: it fires first
                if soonest is None or deadline < soonest:
                    soonest = deadline
        if soonest is None or soonest > self.scope.max_time:
            return None
        return soonest

    # -- reading a state ----------------------------------------------------
    def apply(self, state: State, event: Event) -> tuple[State, bool]:
        """The state after ``event`` (which must be enabled in ``state``)."""
        for ev, new, returned in self.successors(state):
            if ev == event:
                return new, returned
        raise ValueError(f"event {self.describe(event)} is not enabled")

    def describe(self, event: Event) -> str:
        kind, arg = event
        name = EVENT_NAMES[kind]
        m = self.machine
        if kind in (DELIVER, DROP, DUPLICATE, LOST):
            src, dst, msg = m.envs[arg]
            return f"{name} {m.ids[src]} -> {m.ids[dst]}: {msg!r}"
        if kind in (TIMER, EARLY):
            node, ref = arg
            return f"{name} {m.ids[node]}: {ref[1]}"
        if kind in (CRASH, RESTART):
            return f"{name} {m.ids[arg]}"
        return f"advance the clock to {arg:g}"


def build_space(scope: Scope) -> Space:
    """Deploy ``scope``'s protocol on an :class:`ExploreNet` and start it."""
    spec = scope.spec
    plans = scope.plans_with_think()
    probe = ExploreNet(clock=False)
    deployment = spec.build(cast(Network, probe), list(plans), scope.num_replicas,
                            scope.options())
    clock = bool(deployment.others) if scope.clock is None else scope.clock
    probe.clock = clock
    history: list[Any] = []
    probe.add(*(deployment.make_client(cid, plan, history)
                for cid, plan in plans.items()))
    machine = Machine(probe)
    client_nodes = [i for i, is_client in enumerate(machine.clients) if is_client]
    crashable = tuple(machine.index[r] for r in deployment.replicas)
    space = Space(scope, machine, Histories(client_nodes, scope.model), crashable,
                  clock, tuple(plans))
    if scope.synchronous_master:
        space.control = frozenset(machine.index[n] for n in deployment.others)
    return space
