"""Breadth-first and depth-first search over a scope's reachable states.

Both searches keep a *fingerprint* of every state they have visited, a
64-bit hash of the state tuple, as the TLC model checker does (Yu, Manolios
and Lamport, CHARME 1999): it takes a few bytes per state instead of the
state itself. Two different states share a fingerprint with probability at
most

.. math:: P_{\\text{collision}} \\le \\binom{n}{2} 2^{-64} \\approx \\frac{n^2}{2^{65}}

for ``n`` distinct states (the birthday bound), about ``3 \\cdot 10^{-8}`` at a
million states.

Breadth-first search checks each state when it is first generated, so the
first violation it meets lies at the smallest depth: its trace is a shortest
counterexample. Depth-first search uses less memory for its frontier and may
meet a violation sooner, but not the shortest one; with ``max_depth`` it
revisits a state reached again by a shorter path, so that nothing within the
bound is missed.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dsscale._validate import check_int
from dsscale.explore.machine import CRASH, DELIVER, RESTART, TIMER
from dsscale.explore.properties import Goal, Invariant, View
from dsscale.explore.result import ExploreResult, Status, Step
from dsscale.explore.scope import Scope
from dsscale.explore.sleep import Footprint, footprint, independent
from dsscale.explore.space import (
    ADVANCE,
    DROP,
    DUPLICATE,
    EARLY,
    EVENT_NAMES,
    LOST,
    Event,
    Space,
    State,
    build_space,
)
from dsscale.explore.symmetry import canonical_key

__all__ = ["explore"]

Key = Callable[[State], int]


@dataclass
class _Checks:
    """The properties checked in every new state."""

    space: Space
    linearizable: bool
    invariants: Sequence[Invariant]
    goals: Sequence[Goal]
    reached: dict[str, int | None]

    def violated(self, state: State, returned: bool) -> str | None:
        if returned and self.linearizable and \
                not self.space.histories.linearizable(state[2]):
            return "history is not linearizable"
        if self.invariants:
            view = View(self.space, state)
            for inv in self.invariants:
                if not inv.holds(view):
                    return f"invariant broken: {inv.name}"
        return None

    def look(self, state: State, depth: int) -> None:
        open_goals = [g for g in self.goals if self.reached[g.name] is None]
        if open_goals:
            view = View(self.space, state)
            for goal in open_goals:
                if goal.reached(view):
                    self.reached[goal.name] = depth


def explore(scope: Scope, *, strategy: str = "bfs", max_depth: int | None = None,
            max_states: int = 2_000_000,
            symmetry: bool | Sequence[Sequence[str]] = False,
            linearizable: bool = True, invariants: Iterable[Invariant] = (),
            goals: Iterable[Goal] = (), ignore_stale: bool = True,
            sleep_sets: bool | None = None) -> ExploreResult:
    """Explore every schedule of ``scope`` and check its properties.

    Parameters
    ----------
    scope : Scope
        The protocol, configuration and fault budgets.
    strategy : {"bfs", "dfs"}
        Breadth-first (a counterexample is a shortest one) or depth-first.
    max_depth : int or None
        Explore schedules of at most this many steps (``None``: all).
    max_states : int
        Stop, with status ``"incomplete"``, after this many distinct states.
    symmetry : bool or sequence of sequences of node ids
        Identify states that differ only by a permutation of interchangeable
        nodes: ``True`` for the protocol's groups
        (:func:`~dsscale.explore.symmetry.symmetric_groups`), or the groups.
    linearizable : bool
        Check that every client history is linearizable.
    invariants, goals : iterables of Invariant and Goal
        Further properties (:mod:`dsscale.explore.properties`).
    ignore_stale : bool
        Deliver at once the messages a client will ignore (see
        :meth:`~dsscale.explore.space.Space._without_stale`); ``False``
        explores every moment they could arrive.
    sleep_sets : bool or None
        Skip transitions that commute with one already explored
        (:mod:`~dsscale.explore.sleep`; breadth-first, without a clock):
        the same states, found with fewer transitions, each costing more.
        ``None``: only with ``symmetry``, where a transition costs most.

    Returns
    -------
    ExploreResult

    Examples
    --------
    A write acknowledged by one replica, then a read answered by another:

    >>> result = explore(Scope("quorum-partial"))   # R = W = 1 of N = 3
    >>> result.status, len(result.trace)
    ('violation', 8)
    >>> explore(Scope("quorum")).status             # R = W = 2
    'complete'
    """
    if strategy not in ("bfs", "dfs"):
        raise ValueError(f"strategy must be 'bfs' or 'dfs', got {strategy!r}")
    if max_depth is not None:
        check_int("max_depth", max_depth, 0)
    check_int("max_states", max_states, 1)
    started = time.perf_counter()
    space = build_space(scope)
    space.ignore_stale = ignore_stale
    goals = tuple(goals)
    checks = _Checks(space, linearizable, (*scope.invariants, *invariants), goals,
                     {g.name: None for g in goals})
    if symmetry is True:
        key = canonical_key(space)
    elif symmetry:
        index = space.machine.index
        key = canonical_key(space, [tuple(index[n] for n in g) for g in symmetry])
    else:
        key = hash
    if sleep_sets is None:
        sleep_sets = bool(symmetry)
    reduce = sleep_sets and not space.clock and not space.control
    if strategy == "bfs":
        outcome = _bfs(space, checks, key, max_depth, max_states, reduce)
    else:
        outcome = _dfs(space, checks, key, max_depth, max_states)
    status, violation, path, counts = outcome
    trace, final = _steps(space, path)
    return ExploreResult(
        scope, strategy, status, violation, trace,
        tuple(space.histories.operations(final[2])) if violation else (),
        counts[0], counts[1], counts[2], time.perf_counter() - started,
        checks.reached, space.machine.misses, space.histories.checks,
        bool(symmetry), space.clock)


Outcome = tuple[Status, str | None, list[Event], tuple[int, int, int]]


def _bfs(space: Space, checks: _Checks, key: Key, max_depth: int | None,
         max_states: int, reduce: bool) -> Outcome:
    init = space.initial
    visited: dict[int, None] = {key(init): None}
    parents = array("q", [-1])
    events: list[Event] = [(0, None)]
    no_sleep: dict[Event, Footprint] = {}
    frontier: list[tuple[State, int, dict[Event, Footprint]]] = [(init, 0, no_sleep)]
    explored = depth = 0
    bad = checks.violated(init, False)
    checks.look(init, 0)
    if bad:
        return "violation", bad, [], (0, 1, 0)
    while frontier:
        if max_depth is not None and depth >= max_depth:
            more = any(True for s, _, _ in frontier for _ in space.successors(s))
            return ("bounded" if more else "complete"), None, [], (
                explored, len(visited), depth)
        nxt: list[tuple[State, int, dict[Event, Footprint]]] = []
        for state, index, sleep in frontier:
            done: list[tuple[Event, Footprint]] = []
            for event, new, returned, t in space.moves(state):
                if event in sleep:
                    continue
                explored += 1
                child_sleep = no_sleep
                if reduce:
                    fp = footprint(space, event, t, new[0] is not state[0])
                    child_sleep = {x: xfp for x, xfp in (*sleep.items(), *done)
                                   if independent(fp, xfp)}
                    done.append((event, fp))
                fingerprint = key(new)
                if fingerprint in visited:
                    continue
                visited[fingerprint] = None
                parents.append(index)
                events.append(event)
                bad = checks.violated(new, returned)
                if bad:
                    path = _path(parents, events, len(parents) - 1)
                    return "violation", bad, path, (explored, len(visited), depth + 1)
                checks.look(new, depth + 1)
                if len(visited) >= max_states:
                    return "incomplete", None, [], (explored, len(visited), depth + 1)
                nxt.append((new, len(parents) - 1, child_sleep))
        frontier = nxt
        depth += 1 if frontier else 0
    return "complete", None, [], (explored, len(visited), depth)


def _path(parents: array[int], events: list[Event], index: int) -> list[Event]:
    path = []
    while index > 0:
        path.append(events[index])
        index = parents[index]
    return path[::-1]


def _dfs(space: Space, checks: _Checks, key: Key, max_depth: int | None,
         max_states: int) -> Outcome:
    init = space.initial
    best: dict[int, int] = {key(init): 0}
    bad = checks.violated(init, False)
    checks.look(init, 0)
    if bad:
        return "violation", bad, [], (0, 1, 0)
    stack = [space.successors(init)]
    path: list[Event] = []
    explored = deepest = 0
    cut = False
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            if path:
                path.pop()
            continue
        event, new, returned = step
        explored += 1
        depth = len(stack)
        fingerprint = key(new)
        seen = best.get(fingerprint)
        if seen is not None and (max_depth is None or seen <= depth):
            continue  # with a bound, a shorter path may reach further: go again
        best[fingerprint] = depth
        deepest = max(deepest, depth)
        bad = checks.violated(new, returned)
        if bad:
            return "violation", bad, path + [event], (explored, len(best), deepest)
        checks.look(new, depth)
        if len(best) >= max_states:
            return "incomplete", None, [], (explored, len(best), deepest)
        if max_depth is not None and depth >= max_depth:
            cut = cut or any(True for _ in space.successors(new))
            continue
        stack.append(space.successors(new))
        path.append(event)
    return ("bounded" if cut else "complete"), None, [], (explored, len(best), deepest)


def _steps(space: Space, path: list[Event]) -> tuple[tuple[Step, ...], State]:
    """The events of ``path`` as :class:`Step` records, and the state they reach."""
    m = space.machine
    state = space.initial
    steps = []
    for number, event in enumerate(path, start=1):
        kind, arg = event
        now = state[4]
        when = now if space.clock else float(number)
        if kind in (DELIVER, DROP, DUPLICATE, LOST):
            src, dst, msg = m.envs[arg]
            steps.append(Step(EVENT_NAMES[kind], m.ids[src], m.ids[dst], msg, when))
        elif kind in (TIMER, EARLY):
            node, ref = arg
            steps.append(Step(EVENT_NAMES[kind], m.ids[node], m.ids[node], ref[1], when,
                              ref[0]))
        elif kind in (CRASH, RESTART):
            steps.append(Step(EVENT_NAMES[kind], m.ids[arg], m.ids[arg], "", when))
        elif kind == ADVANCE:
            steps.append(Step("advance", "", "", "", arg))
        state, _ = space.apply(state, event)
    return tuple(steps), state
