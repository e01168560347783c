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
=====================  ============================================  ==========

The configured protocols run without retransmission (``retry`` far beyond
``max_time``): the drop budget already covers a lost message, and every
retransmission timer multiplies the schedules to explore.
"""

from __future__ import annotations

from dsscale.explore.scope import Scope

__all__ = ["CATALOG", "SAFE", "UNSAFE"]

_NO_RETRY = 1000.0

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
}

#: The unsafe configurations and their safe siblings at the same scope.
UNSAFE = ("abd-no-writeback", "quorum-partial", "quorum-sloppy", "pb-async")
SAFE = ("abd", "quorum", "quorum-n1", "pb-sync", "chain")
