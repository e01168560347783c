"""The scopes at which each protocol is explored by the book, tests and bench.

Each unsafe configuration is paired with the smallest scope at which the
explorer finds its bug, and its safe sibling is explored at the same scope:

=====================  ============================================  ==========
protocol               scope                                         verdict
=====================  ============================================  ==========
``abd-no-writeback``   1 writer and 2 readers, one operation each    violation
``abd``                the same                                      clean
``quorum-partial``     1 writer and 1 reader                         violation
``quorum``             the same                                      clean
``quorum-sloppy``      N = 1 (and 2 fallbacks), one early timeout    violation
``quorum`` (N = 1)     the same                                      clean
``pb-async``           with a clock: one crash, one drop             violation
``pb-sync``, ``chain`` the same                                      clean
``raft-forget-vote``   no clients; one crash, one early timeout;     violation
                       terms <= 1, one broadcast round per leader
``raft``               the same                                      clean
=====================  ============================================  ==========

The configured protocols run without retransmission (``retry`` far beyond
``max_time``): the drop budget already covers a lost message, and every
retransmission timer multiplies the schedules to explore.

Raft is explored without a clock (its safety does not depend on time with
ReadIndex reads), without clients, and against the invariant "at most one
leader per term" (:func:`~dsscale.explore.properties.single_leader_per_term`)
instead of a history: the forgotten vote breaks the election, before any
operation could be affected. Its terms and heartbeat rounds grow without end,
so its scope carries a bound (:func:`~dsscale.explore.properties.raft_bound`):
every state in which all servers are in term 0 or 1 and every leader has sent
only the round of its election is expanded, and the states just beyond are
checked. In term 1 the rule that a server which heard from a leader recently
withholds its vote never applies (no server can have heard from a leader of
an earlier term), so exploring without a clock loses no schedule there.
"""

from __future__ import annotations

from dsscale.explore.properties import raft_bound, single_leader_per_term
from dsscale.explore.scope import Scope

__all__ = ["CATALOG", "INVARIANT_SAFE", "INVARIANT_UNSAFE", "SAFE", "UNSAFE"]

_NO_RETRY = 1000.0


def _raft(name: str) -> Scope:
    """An election of three servers: one crash, one early timeout, term 1."""
    return Scope(name, num_clients=0, num_writers=0, max_crashes=1,
                 max_early_timeouts=1, invariants=(single_leader_per_term(),),
                 bound=raft_bound(max_term=1, max_rounds=1))


#: name -> the scope it is explored at.
CATALOG: dict[str, Scope] = {
    "abd-no-writeback": Scope("abd-no-writeback", num_clients=3),
    "abd": Scope("abd", num_clients=3),
    "quorum-partial": Scope("quorum-partial"),
    "quorum": Scope("quorum"),
    "quorum-sloppy": Scope("quorum-sloppy", num_replicas=1, max_early_timeouts=1),
    "quorum-n1": Scope("quorum", num_replicas=1, max_early_timeouts=1),
    "pb-async": Scope("pb-async", max_crashes=1, max_drops=1, retry=_NO_RETRY),
    "pb-sync": Scope("pb-sync", max_crashes=1, max_drops=1, retry=_NO_RETRY),
    "chain": Scope("chain", max_crashes=1, max_drops=1, retry=_NO_RETRY),
    "raft-forget-vote": _raft("raft-forget-vote"),
    "raft": _raft("raft"),
}

#: The unsafe configurations and their safe siblings at the same scope.
UNSAFE = ("abd-no-writeback", "quorum-partial", "quorum-sloppy", "pb-async")
SAFE = ("abd", "quorum", "quorum-n1", "pb-sync", "chain")

#: The same pairing for bugs that break an invariant of the scope (no history).
INVARIANT_UNSAFE = ("raft-forget-vote",)
INVARIANT_SAFE = ("raft",)
