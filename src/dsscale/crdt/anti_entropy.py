r"""Anti-entropy of CRDT replicas by gossip, on the simulator.

Each replica is a :class:`dsscale.membership.gossip.GossipNode` whose state is a
CRDT and whose merge is the CRDT's ``merge``. Because merge is a least upper
bound, the order, repetition and loss of gossip messages cannot change where
the replicas end: every one converges to the join of all initial states. *When*
is the rumor-spreading question of :mod:`dsscale.membership.spread`: a single
update reaches all :math:`n` replicas in the rounds of
:func:`~dsscale.membership.spread.gossip_round_distribution`
(:math:`\approx \log_3 n + \log_2 \ln n` for push-pull), and :math:`u` updates
made at different replicas all arrive within :math:`t` rounds with probability
at least :math:`1 - u\,P(R > t)` (the union bound).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from typing import TypeVar

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.membership.gossip import GossipNode
from dsscale.membership.spread import Mode
from dsscale.sim import Link, Network, UniformDelay

__all__ = ["anti_entropy_rounds"]

S = TypeVar("S")


def anti_entropy_rounds(states: Sequence[S], merge: Callable[[S, S], S],
                        mode: Mode = "push-pull", rng: RNGLike = None,
                        loss: float = 0.0, max_rounds: int = 10_000) -> int:
    """Gossip rounds until every replica holds the join of all ``states``.

    Parameters
    ----------
    states : sequence
        The initial state of each replica (at least two).
    merge : callable
        The join of two states (``type(state).merge`` for a CRDT).
    mode : {"push", "pull", "push-pull"}
    rng : numpy Generator, int or None
        Seeds the simulated network.
    loss : float
        Probability that a gossip message is lost, in [0, 1).
    max_rounds : int
        Give up with ``RuntimeError`` after this many rounds.

    Examples
    --------
    >>> from dsscale.crdt import GCounter
    >>> replicas = [GCounter().increment("r0")] + [GCounter()] * 7
    >>> anti_entropy_rounds(replicas, GCounter.merge, rng=1) > 0
    True
    """
    count = check_int("len(states)", len(states), 2)
    limit = check_int("max_rounds", max_rounds, 1)
    link = Link(UniformDelay(0.05, 0.2), loss=check_float("loss", loss, 0.0, 1.0,
                                                          strict_max=True))
    net = Network(as_rng(rng), link, trace=False)
    ids = [f"r{i}" for i in range(count)]
    nodes = [GossipNode(node_id, ids, state, merge, mode)
             for node_id, state in zip(ids, states, strict=True)]
    net.add(*nodes)
    target = reduce(merge, states)
    for round_no in range(limit + 1):
        # round r runs at time r; its messages land before r + 0.4
        net.run(until=round_no + 0.5)
        if all(node.state == target for node in nodes):
            return round_no
    raise RuntimeError(f"replicas did not converge within max_rounds={limit}")
