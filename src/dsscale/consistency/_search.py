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
Python's recursion limit, and *resumable*: :meth:`Search.run` takes a step
budget and returns ``None`` when it runs out, keeping its place, so that the
checker can interleave the searches of a history's partitions and stop at the
first illegal one (as porcupine does with goroutines).

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


class Search:
    """The Wing-Gong-Lowe search over one history, resumable in steps.

    The events (calls and returns, calls first at equal times) form a doubly
    linked list; ``cursor`` walks it. A *step* looks at one event:

    * a call of a completed operation: :meth:`lift` it (linearize it now) if
      the model accepts its output and the resulting (linearized set, state)
      is new to the :meth:`cache`; else move on;
    * a call of a pending operation: first pass it over (push ``SKIPPED``),
      trying "now" only if "later" fails;
    * a return of an operation not yet linearized: the search is
      :meth:`stuck`; it undoes choices (:meth:`unlift`) until one has an
      untried alternative, or reports "illegal" when none is left.

    The search succeeds when every completed operation is linearized.
    """

    def __init__(self, history: Sequence[Operation], model: Model) -> None:
        self.model = model
        n = len(history)
        ops = sorted(range(n), key=lambda i: (history[i].call, history[i].return_time))
        self.ops = ops
        self.inputs = [history[i].input for i in ops]
        self.outputs = [UNKNOWN if history[i].pending else history[i].output
                        for i in ops]
        events: list[tuple[float, int, int]] = []
        for k, i in enumerate(ops):
            events.append((history[i].call, 0, k))
            if not history[i].pending:
                events.append((history[i].return_time, 1, k))
        events.sort()  # calls sort before returns at equal times: closed intervals
        self.events = events
        size = len(events) + 1  # entry 0 is the head sentinel; -1 ends the list
        self.nxt = list(range(1, size)) + [-1]
        self.prv = [-1] + list(range(size - 1))
        self.entry_op = [-1] + [k for _, _, k in events]
        self.entry_is_call = [False] + [kind == 0 for _, kind, _ in events]
        self.return_entry = [-1] * n
        for e in range(1, size):
            if not self.entry_is_call[e]:
                self.return_entry[self.entry_op[e]] = e
        pending_mask = 0
        for k, i in enumerate(ops):
            if history[i].pending:
                pending_mask |= 1 << k
        self.remaining = sum(1 for e in range(1, size) if not self.entry_is_call[e])
        self.state: Any = model.init()
        self.done = pending_mask  # completed ops linearized, plus every pending bit
        self.taken = 0  # pending ops linearized
        self.seen: dict[tuple[int, int, Any], list[int]] = {}
        # Choices made, newest last: (call entry, state before it, kind), kind
        # LIFTED (a completed op), LIFTED_PENDING, or SKIPPED (a pending op
        # passed over at this point; popping it tries the op "now").
        self.stack: list[tuple[int, Any, int]] = []
        self.path: list[int] = []  # the ops linearized so far, in order
        # The longest path seen, kept incrementally: ``best[:agree]`` equals
        # ``path[:agree]``, so a new record copies only the part that changed.
        self.best: list[int] = []
        self.agree = 0
        self.frontier = -1
        self.explored = 0
        self.cursor = self.nxt[0]
        self.outcome: Outcome | None = None

    # -- the linked list of events ------------------------------------------
    def _unlink(self, e: int) -> None:
        nxt, prv = self.nxt, self.prv
        nxt[prv[e]] = nxt[e]
        if nxt[e] != -1:
            prv[nxt[e]] = prv[e]

    def _relink(self, e: int) -> None:
        nxt, prv = self.nxt, self.prv
        nxt[prv[e]] = e
        if nxt[e] != -1:
            prv[nxt[e]] = e

    # -- the steps ------------------------------------------------------------
    def cache(self, done: int, state: Any, taken: int) -> bool:
        """Record a search node; False if it is subsumed by one seen before.

        Two nodes with the same linearized completed operations and state have
        the same future; a node whose linearized pending operations are a
        superset of an old one's can do nothing the old one could not.
        """
        lowest = (~done & (done + 1)).bit_length() - 1
        subsets = self.seen.setdefault((lowest, done >> lowest, state), [])
        if any(old & ~taken == 0 for old in subsets):
            return False
        subsets.append(taken)
        return True

    def lift(self, e: int, k: int) -> bool:
        """Linearize op ``k`` (call entry ``e``) now if the model allows it and
        the node it leads to is new; unlink its call and return."""
        ok, new_state = self.model.step(self.state, self.inputs[k], self.outputs[k])
        if not ok:
            return False
        done, taken = self.done, self.taken
        completed = self.return_entry[k] != -1
        if completed:
            done |= 1 << k
        elif new_state == self.state or self._redundant(k, new_state):
            return False
        else:
            taken |= 1 << k
        if not self.cache(done, new_state, taken):
            return False
        self.explored += 1
        path, best = self.path, self.best
        path.append(k)
        if self.agree == len(path) - 1 and self.agree < len(best) \
                and best[self.agree] == k:
            self.agree += 1
        self.stack.append((e, self.state, LIFTED if completed else LIFTED_PENDING))
        self.state, self.done, self.taken = new_state, done, taken
        self._unlink(e)
        if completed:
            self._unlink(self.return_entry[k])
            self.remaining -= 1
        self.cursor = self.nxt[0]
        return True

    def _redundant(self, k: int, new_state: Any) -> bool:
        """Pending op ``k`` would follow another pending op, which it undoes.

        If applying ``k`` before that op would give the same state, the pair
        is dominated by ``k`` alone at this point, which the search visits
        too; without this, every ordered subset of pending writes is tried.
        """
        for _, before, kind in reversed(self.stack):
            if kind == SKIPPED:
                continue
            if kind != LIFTED_PENDING:
                return False
            ok, alone = self.model.step(before, self.inputs[k], self.outputs[k])
            return bool(ok) and alone == new_state
        return False

    def unlift(self) -> bool:
        """Undo choices until one has an untried alternative; False if none has."""
        while self.stack:
            c, self.state, kind = self.stack.pop()
            k = self.entry_op[c]
            if kind == SKIPPED:
                # Passing over pending op k failed; try linearizing it here.
                if self.lift(c, k):
                    return True
                continue
            self.path.pop()
            self.agree = min(self.agree, len(self.path))
            if kind == LIFTED_PENDING:
                # Both "later" (explored first) and "now" failed.
                self._relink(c)
                self.taken &= ~(1 << k)
                continue
            self._relink(self.return_entry[k])  # reverse order of unlinking
            self._relink(c)
            self.done &= ~(1 << k)
            self.remaining += 1
            self.cursor = self.nxt[c]
            return True
        return False

    def stuck(self, e: int) -> bool:
        """A return of an op not yet linearized at ``e``: backtrack.

        Keeps the longest path and the furthest return reached, which
        explain an illegal verdict; False when no alternative is left.
        """
        self.frontier = max(self.frontier, e)
        if len(self.path) > len(self.best):
            self.best[self.agree:] = self.path[self.agree:]
            self.agree = len(self.path)
        return self.unlift()

    # -- driving ----------------------------------------------------------------
    def run(self, budget: int | None = None,
            deadline: float | None = None) -> Outcome | None:
        """Take up to ``budget`` steps (all if None); the outcome, or None.

        ``deadline`` is a ``time.monotonic()`` instant: past it the outcome is
        "unknown". The clock is read before the first step, so a deadline
        already past gives "unknown" for any history with a completed
        operation.
        """
        if self.outcome is not None:
            return self.outcome
        steps = 0
        until_clock = 0
        entry_op, entry_is_call = self.entry_op, self.entry_is_call
        return_entry, nxt, stack = self.return_entry, self.nxt, self.stack
        while self.remaining:
            if budget is not None and steps >= budget:
                return None
            steps += 1
            if deadline is not None:
                until_clock -= 1
                if until_clock <= 0:
                    until_clock = CLOCK_EVERY
                    if time.monotonic() >= deadline:
                        self.outcome = Outcome("unknown", explored=self.explored)
                        return self.outcome
            e = self.cursor
            k = entry_op[e]
            if entry_is_call[e]:
                if return_entry[k] == -1:
                    stack.append((e, self.state, SKIPPED))
                    self.cursor = nxt[e]
                elif not self.lift(e, k):
                    self.cursor = nxt[e]
            elif not self.stuck(e):
                self.outcome = Outcome(
                    "illegal", partial=[self.ops[k] for k in self.best],
                    frontier=self.events[self.frontier - 1][0],
                    explored=self.explored)
                return self.outcome
        self.outcome = Outcome("ok", order=[self.ops[k] for k in self.path],
                               explored=self.explored)
        return self.outcome


def search(history: Sequence[Operation], model: Model,
           deadline: float | None) -> Outcome:
    """Decide whether ``history`` is linearizable with respect to ``model``.

    ``deadline`` is a ``time.monotonic()`` instant or None. ``frontier``
    (illegal only) is the time of the furthest return the search was stuck
    at: removing every operation called after it leaves a history that is
    still not linearizable.
    """
    outcome = Search(history, model).run(None, deadline)
    assert outcome is not None
    return outcome
