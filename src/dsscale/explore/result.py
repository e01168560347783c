"""What an exploration found: counts, a verdict and the shortest trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from dsscale.consistency import Operation
from dsscale.explore.scope import Scope

__all__ = ["ExploreResult", "Status", "Step"]

Status = Literal["violation", "complete", "bounded", "incomplete"]


class Step(NamedTuple):
    """One scheduler choice of a trace.

    ``kind`` is one of ``deliver``, ``drop``, ``duplicate``, ``lost`` (a
    delivery to a crashed node), ``timer``, ``early timeout``, ``crash``,
    ``restart`` and ``advance`` (the clock moves). ``message`` is the
    message, or the timer's action (a message, or a method name); ``time``
    is the clock, or without one the step's position in the trace;
    ``deadline`` is a timer's deadline.
    """

    kind: str
    src: str
    dst: str
    message: Any
    time: float
    deadline: float = 0.0

    def __str__(self) -> str:
        if self.kind in ("crash", "restart"):
            return f"{self.kind} {self.dst}"
        if self.kind == "advance":
            return f"advance the clock to {self.time:g}"
        if self.kind in ("timer", "early timeout"):
            return f"{self.kind} {self.dst}: {self.message}"
        return f"{self.kind} {self.src} -> {self.dst}: {self.message!r}"


@dataclass
class ExploreResult:
    """The outcome of :func:`~dsscale.explore.explore`.

    ``status`` is ``"violation"`` (a property broke: see ``violation`` and
    ``trace``), ``"complete"`` (every reachable state was visited and none
    breaks a property), ``"bounded"`` (none within ``max_depth`` steps does,
    but deeper states exist) or ``"incomplete"`` (``max_states`` ran out
    first: nothing is proved).
    """

    scope: Scope
    strategy: str
    status: Status
    violation: str | None = None
    trace: tuple[Step, ...] = ()
    history: tuple[Operation, ...] = ()
    states_explored: int = 0  # successor states generated (transitions)
    distinct_states: int = 0
    depth: int = 0  # the deepest level reached
    elapsed: float = 0.0
    goals: dict[str, int | None] = field(default_factory=dict)
    node_transitions: int = 0  # handler calls actually run (the rest memoised)
    histories_checked: int = 0
    symmetry: bool = False
    clock: bool = False

    @property
    def ok(self) -> bool:
        """No violation, and the search was not cut short by ``max_states``."""
        return self.status in ("complete", "bounded")

    @property
    def states_per_second(self) -> float:
        return self.distinct_states / self.elapsed if self.elapsed else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``--json``): counts, verdict, the trace as text."""
        return {
            "protocol": self.scope.name, "scope": self.scope.describe(),
            "strategy": self.strategy, "status": self.status,
            "violation": self.violation, "trace": [str(s) for s in self.trace],
            "trace_length": len(self.trace),
            "history": [str(op) for op in self.history],
            "states_explored": self.states_explored,
            "distinct_states": self.distinct_states, "depth": self.depth,
            "elapsed": self.elapsed, "states_per_second": self.states_per_second,
            "goals": self.goals, "node_transitions": self.node_transitions,
            "histories_checked": self.histories_checked,
            "symmetry": self.symmetry, "clock": self.clock,
        }

    def __str__(self) -> str:
        lines = [
            f"scope               {self.scope.describe()}",
            f"search              {self.strategy}"
            + (", symmetry reduction" if self.symmetry else "")
            + (", with a clock" if self.clock else ""),
            f"status              {self.status}"
            + (f": {self.violation}" if self.violation else ""),
            f"states explored     {self.states_explored:,}",
            f"distinct states     {self.distinct_states:,}",
            f"depth               {self.depth}",
            f"time                {self.elapsed:.2f} s "
            f"({self.states_per_second:,.0f} distinct states/s)",
        ]
        for name, depth in self.goals.items():
            seen = "never reached" if depth is None else f"reached at depth {depth}"
            lines.append(f"goal                {name}: {seen}")
        if self.trace:
            lines.append(f"counterexample      {len(self.trace)} steps")
            lines += [f"  {k + 1:3d}. {step}" for k, step in enumerate(self.trace)]
        return "\n".join(lines)
