"""Conflict-free replicated data types (state-based) and their anti-entropy.

=================  ================================================================
module             what it holds
=================  ================================================================
``counters``       G-counter and PN-counter
``register``       last-writer-wins register
``orset``          observed-remove set (add wins)
``anti_entropy``   gossip rounds until replicas converge, on the simulator
=================  ================================================================

Every type is an immutable value with ``merge`` (a least upper bound) and
``<=`` (the partial order it bounds); local operations return a new state.
"""

from dsscale.crdt.anti_entropy import anti_entropy_rounds
from dsscale.crdt.counters import GCounter, PNCounter
from dsscale.crdt.orset import ORSet
from dsscale.crdt.register import LWWRegister

__all__ = ["GCounter", "LWWRegister", "ORSet", "PNCounter", "anti_entropy_rounds"]
