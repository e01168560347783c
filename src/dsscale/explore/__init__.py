"""Every schedule, not just a thousand: exhaustive exploration of protocols.

The node classes that run on :mod:`dsscale.sim` run here under an explorer
that chooses every step itself: deliver any message in flight, drop or
duplicate one (within a budget), fire any pending timer, crash or restart a
replica (within a budget), let a client issue its next operation. Every
reachable state of a small :class:`Scope` is visited once, breadth-first (a
counterexample is a shortest one) or depth-first, and every client history is
checked for linearizability; invariants and "sometimes" goals can be added.
A counterexample replays on the ordinary simulator
(:func:`dsscale.explore.replay.replay`) and draws as a message sequence chart
(:func:`dsscale.trace_plot.plot_trace`); :mod:`~dsscale.explore.catalog` names
the scopes at which the book explores each protocol.

==============  =============================================================
module          what it holds
==============  =============================================================
``scope``       :class:`Scope`: protocol, configuration, fault budgets, clock
``freeze``      canonical, hashable snapshots of node state, and back
``machine``     the stand-in network and memoised node transitions
``history``     client histories with logical stamps; cached verdicts
``space``       global states and the events enabled in each
``symmetry``    symmetry reduction over interchangeable nodes
``properties``  invariants, goals, bounds and the :class:`View` they read
``sleep``       sleep sets: fewer transitions, the same states
``search``      :func:`explore`: breadth-first and depth-first search
``result``      :class:`ExploreResult` and the :class:`Step` of a trace
``replay``      a trace replayed on the ordinary :class:`~dsscale.sim.Network`
``catalog``     the scopes the book, tests and benchmark explore
``cli``         the ``dsscale explore`` command
==============  =============================================================

References: M. Michael, D. Woos, T. Anderson, M. Ernst, Z. Tatlock,
"Teaching rigorous distributed systems with efficient model checking",
EuroSys 2019 (DSLabs); Y. Yu, P. Manolios, L. Lamport, "Model checking TLA+
specifications", CHARME 1999 (TLC); C. N. Ip and D. Dill, "Better
verification through symmetry", Formal Methods in System Design 9, 1996.
"""

from dsscale.explore.properties import (
    Bound,
    Goal,
    Invariant,
    View,
    acked_writes_on_quorum,
    leader_elected,
    raft_bound,
    read_saw_a_write,
    single_leader_per_term,
    single_serving_primary,
    single_serving_tail,
    write_acknowledged,
)
from dsscale.explore.result import ExploreResult, Step
from dsscale.explore.scope import Scope
from dsscale.explore.search import explore

__all__ = [
    "Bound",
    "ExploreResult",
    "Goal",
    "Invariant",
    "Scope",
    "Step",
    "View",
    "acked_writes_on_quorum",
    "explore",
    "leader_elected",
    "raft_bound",
    "read_saw_a_write",
    "single_leader_per_term",
    "single_serving_primary",
    "single_serving_tail",
    "write_acknowledged",
]
