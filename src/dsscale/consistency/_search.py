"""The search at the heart of the checker (private; see ``checker.py``).

Wing and Gong's algorithm (J. Parallel Distrib. Comput. 17, 1993) walks the
history's events in time order, kept in a doubly linked list. At a *call* it
tries to linearize that operation now: apply it to the model and, if the model
accepts the output, remove ("lift") the operation's call and return from the
list and restart from the head. At a *return* of an operation not yet
linearized it is stuck: that operation had to take effect before it returned,
so the last choice is undone (backtracking) and the next candidate is tried.

Lowe (Software Testing, Verification and Reliability 27, 2017) adds the cache
that makes this practical: two search nodes with the same set of linearized
operations and the same model state have the same future, so each such pair
is explored once. The set is a bitset over operations numbered in call order;
since every operation below the lowest unlinearized one is linearized, the key
stores only ``(lowest, bits >> lowest, state)``, which stays small.

The search is iterative (an explicit stack), so a long history cannot exhaust
Python's recursion limit.

Pending operations (``return_time = inf``) have no return event: they may be
linearized after their call or never, and the search succeeds once every
completed operation is linearized. Left alone, each pending operation doubles
the search of an illegal history (in or out, in every combination), so they
get two refinements of our own. *Skip first*: at a pending call the search
first explores not linearizing it at this point (it stays available later),
and tries "now" only when that fails. *Subsumption*: a node is pruned if a
node already seen has the same state, the same linearized completed
operations and a subset of its linearized pending ones -- whatever the new
node can still do, the old one could too, by leaving the extra pending
operations out, and it failed. Two cheap special cases of subsumption prune
before the cache is consulted: a pending operation that leaves the state as it
was, and one that makes the pending operation just before it redundant.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dsscale.consistency.history import UNKNOWN, Operation
from dsscale.consistency.models import Model

#: How many search steps run between two looks at the clock.
CLOCK_EVERY = 1024
LIFTED, LIFTED_PENDING, SKIPPED = 0, 1, 2


@dataclass
class Outcome:
    """What one search found, as indices into the history it was given."""

    status: str
    order: list[int] = field(default_factory=list)
    partial: list[int] = field(default_factory=list)
    frontier: float = float("-inf")
    explored: int = 0


def search(history: Sequence[Operation], model: Model,
           deadline: float | None) -> Outcome:
    """Decide whether ``history`` is linearizable with respect to ``model``.

    ``deadline`` is a ``time.monotonic()`` instant or None. The clock is read
    before the first step, so a deadline already past gives "unknown" for any
    history with a completed operation. ``frontier`` (illegal only) is the time
    of the furthest return the search was stuck at: removing every operation
    called after it leaves a history that is still not linearizable.
    """
    n = len(history)
    ops = sorted(range(n), key=lambda i: (history[i].call, history[i].return_time))
    inputs = [history[i].input for i in ops]
    outputs = [UNKNOWN if history[i].pending else history[i].output for i in ops]
    events: list[tuple[float, int, int]] = []
    for k, i in enumerate(ops):
        events.append((history[i].call, 0, k))
        if not history[i].pending:
            events.append((history[i].return_time, 1, k))
    # Calls sort before returns at equal times: closed intervals.
    events.sort()
    size = len(events) + 1  # entry 0 is the head sentinel; -1 ends the list
    nxt = list(range(1, size)) + [-1]
    prv = [-1] + list(range(size - 1))
    entry_op = [-1] + [k for _, _, k in events]
    entry_is_call = [False] + [kind == 0 for _, kind, _ in events]
    call_entry = [0] * n
    return_entry = [-1] * n
    for e in range(1, size):
        if entry_is_call[e]:
            call_entry[entry_op[e]] = e
        else:
            return_entry[entry_op[e]] = e

    def unlink(e: int) -> None:
        nxt[prv[e]] = nxt[e]
        if nxt[e] != -1:
            prv[nxt[e]] = prv[e]

    def relink(e: int) -> None:
        nxt[prv[e]] = e
        if nxt[e] != -1:
            prv[nxt[e]] = e

    pending_mask = 0
    for k, i in enumerate(ops):
        if history[i].pending:
            pending_mask |= 1 << k
    remaining = sum(1 for e in range(1, size) if not entry_is_call[e])
    state: Any = model.init()
    done = pending_mask  # completed ops linearized, plus every pending bit
    taken = 0  # pending ops linearized
    seen: dict[tuple[int, int, Any], list[int]] = {}
    # Stack of choices: (call entry, state before it, kind), where kind is
    # LIFTED (a completed op), LIFTED_PENDING, or SKIPPED (a pending op passed
    # over at this point; popping it tries the op "now").
    stack: list[tuple[int, Any, int]] = []
    path: list[int] = []  # the ops linearized so far, in order
    # The longest path seen, kept incrementally: ``best[:agree]`` equals
    # ``path[:agree]``, so a new record copies only the part that changed.
    best: list[int] = []
    agree = 0
    frontier = -1
    explored = 0
    until_clock = 0

    def lift(e: int, k: int) -> bool:
        """Linearize op ``k`` now if the model allows it and it is new."""
        nonlocal state, done, taken, remaining, explored, agree, cursor
        ok, new_state = model.step(state, inputs[k], outputs[k])
        if not ok:
            return False
        new_done, new_taken = done, taken
        if return_entry[k] == -1:
            if new_state == state or redundant_block(k, new_state):
                return False
            new_taken |= 1 << k
        else:
            new_done |= 1 << k
        lowest = (~new_done & (new_done + 1)).bit_length() - 1
        key = (lowest, new_done >> lowest, new_state)
        subsets = seen.setdefault(key, [])
        if any(old & ~new_taken == 0 for old in subsets):
            return False
        subsets.append(new_taken)
        explored += 1
        path.append(k)
        if agree == len(path) - 1 and agree < len(best) and best[agree] == k:
            agree += 1
        stack.append((e, state, LIFTED if new_done != done else LIFTED_PENDING))
        state, done, taken = new_state, new_done, new_taken
        unlink(e)
        if return_entry[k] != -1:
            unlink(return_entry[k])
            remaining -= 1
        cursor = nxt[0]
        return True

    def redundant_block(k: int, new_state: Any) -> bool:
        """Pending op ``k`` would follow another pending op, which it undoes.

        If applying ``k`` before that op would give the same state, the pair
        is dominated by ``k`` alone at this point, which the search visits
        too; without this, every ordered subset of pending writes is tried.
        """
        for _, before, kind in reversed(stack):
            if kind == SKIPPED:
                continue
            if kind != LIFTED_PENDING:
                return False
            ok, alone = model.step(before, inputs[k], outputs[k])
            return bool(ok) and alone == new_state
        return False

    cursor = nxt[0]
    while remaining:
        if deadline is not None:
            until_clock -= 1
            if until_clock <= 0:
                until_clock = CLOCK_EVERY
                if time.monotonic() >= deadline:
                    return Outcome("unknown", explored=explored)
        e = cursor
        k = entry_op[e]
        if entry_is_call[e]:
            if return_entry[k] == -1:
                stack.append((e, state, SKIPPED))
                cursor = nxt[e]
            elif not lift(e, k):
                cursor = nxt[e]
            continue
        # A return whose operation is not linearized yet: backtrack.
        frontier = max(frontier, e)
        if len(path) > len(best):
            best[agree:] = path[agree:]
            agree = len(path)
        while True:
            if not stack:
                return Outcome("illegal", partial=[ops[k] for k in best],
                               frontier=events[frontier - 1][0],
                               explored=explored)
            c, state, kind = stack.pop()
            k = entry_op[c]
            if kind == SKIPPED:
                # Passing over pending op k failed; try linearizing it here.
                if lift(c, k):
                    break
                continue
            path.pop()
            agree = min(agree, len(path))
            if kind == LIFTED_PENDING:
                # Both "later" (explored first) and "now" failed.
                relink(c)
                taken &= ~(1 << k)
                continue
            relink(return_entry[k])  # undo in the reverse order of unlinking
            relink(c)
            done &= ~(1 << k)
            remaining += 1
            cursor = nxt[c]
            break
    return Outcome("ok", order=[ops[k] for k in path], explored=explored)


def partition_history(history: Sequence[Operation],
                      model: Model) -> list[list[Operation]]:
    """Split ``history`` with ``model.partition`` if it has one, and check it."""
    partition = getattr(model, "partition", None)
    if partition is None:
        return [list(history)]
    parts = [list(part) for part in partition(history)]
    seen = {id(op) for part in parts for op in part}
    if sum(len(part) for part in parts) != len(history) or seen != {
            id(op) for op in history}:
        raise ValueError(
            "model.partition must return sub-histories that together hold "
            "each of the given Operation objects exactly once")
    return parts


def prune_history(history: Sequence[Operation], model: Model) -> list[Operation]:
    """Apply ``model.prune`` if it has one; it may drop pending operations only."""
    prune = getattr(model, "prune", None)
    if prune is None:
        return list(history)
    kept = list(prune(history))
    given = {id(op) for op in history}
    ids = {id(op) for op in kept}
    if not ids <= given or any(
            id(op) not in ids for op in history if not op.pending):
        raise ValueError("model.prune may only drop pending operations")
    return kept
