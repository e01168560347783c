r"""Split votes: how wide to randomise election timeouts.

When a leader fails, every follower's election timer was last reset by the
same heartbeat; follower :math:`i` then times out after
:math:`E + U_i`, with :math:`U_i` uniform on :math:`[0, W]` (the timeout
*spread*). The first to time out asks the others for their votes; its
request reaches them a one-way delay :math:`\delta` later. A follower whose
own timer fires before that becomes a candidate of the same term, votes for
itself, and the vote is *contested*. In a three-server cluster (two
followers left) a contested vote is a split vote: neither candidate can
reach two votes, both time out again, and the election costs another
:math:`E` or more.

For :math:`n` followers, the gaps between the order statistics of
:math:`n` uniform points satisfy :math:`P(U_{(2)} - U_{(1)} > \delta) =
(1 - \delta/W)^n` (David and Nagaraja, *Order Statistics*, 3rd ed., 2003,
section 6.4), so

.. math:: P_{\text{contested}}(n, W, \delta) = 1 - \left(1 - \frac{\delta}{W}
          \right)^{n}, \qquad \delta < W,

and the spread that achieves a target probability :math:`p` is

.. math:: W = \frac{\delta}{1 - (1 - p)^{1/n}}.

With more than two followers a contested election may still be won (the
first candidate can reach a majority first), so the formula bounds the
split-vote probability from above. Ongaro and Ousterhout (USENIX ATC 2014,
section 9.3 and Figure 16) measured the same effect on a real cluster.
:func:`measure_split_votes` measures it on :class:`RaftServer`.

**The exact first-election split for any cluster size.** With fixed delays
the first candidate collects the vote of every follower whose timer has not
fired when its ``RequestVote`` arrives, and those that have fired vote for
themselves. Conditioning on the first timeout as above, the number of others
that fire within :math:`\delta` of it is binomial, and the first election of
a cluster of :math:`N = n + 1` servers (the dead leader included; quorum
:math:`q`) elects nobody with probability

.. math:: P_{\text{split}} = P\bigl(\text{Bin}(n, \delta/W) > n - q\bigr),

which for :math:`N = 3` is the formula above and for :math:`N = 5` is
:math:`1 - (1-p)^4 - 4p(1-p)^3`, :math:`p = \delta / W`
(:func:`first_election_split_probability`). If nobody wins, nobody can win
that term: the followers that had not fired all voted for the first.
"""

from __future__ import annotations

import math
import random

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import majority
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import FixedDelay, Link, Network

__all__ = [
    "first_election_split_probability",
    "measure_split_votes",
    "split_vote_probability",
    "timeout_spread_for",
]


def split_vote_probability(num_followers: int, timeout_spread: float,
                           delay: float) -> float:
    r"""Probability that a second follower times out within ``delay`` of the
    first (see the module docstring).

    .. math:: 1 - (1 - \delta / W)^n \quad (1 \text{ if } \delta \ge W)

    Examples
    --------
    >>> round(split_vote_probability(2, 10.0, 1.0), 4)
    0.19
    """
    n = check_int("num_followers", num_followers, 1)
    w = check_float("timeout_spread", timeout_spread, 0.0, strict_min=True)
    d = check_float("delay", delay, 0.0)
    if n == 1:
        return 0.0
    return 1.0 if d >= w else 1.0 - (1.0 - d / w) ** n


def timeout_spread_for(target: float, num_followers: int, delay: float) -> float:
    r"""The spread :math:`W = \delta / (1 - (1 - p)^{1/n})` for target ``p``.

    Examples
    --------
    >>> round(timeout_spread_for(0.19, 2, 1.0), 6)
    10.0
    """
    p = check_float("target", target, 0.0, 1.0, strict_min=True, strict_max=True)
    n = check_int("num_followers", num_followers, 2)
    d = check_float("delay", delay, 0.0, strict_min=True)
    return d / (1.0 - float((1.0 - p) ** (1.0 / n)))


def measure_split_votes(num_servers: int, election_timeout: tuple[float, float],
                        delay: float, trials: int, rng: RNGLike = None) -> float:
    """Fraction of leader failures after which the first election splits.

    Runs ``num_servers`` :class:`RaftServer` on links of fixed ``delay``,
    with perfect clocks and heartbeats every ``delay``. Each trial waits for
    a leader of term ``T``, lets it send a few heartbeats, crashes it, and
    counts a split when the next leader's term is above ``T + 1``; then it
    restarts the old leader and goes on. Raises ``RuntimeError`` if no leader
    is elected for ``200 * election_timeout[1]`` (timeouts not spread).

    Examples
    --------
    >>> measure_split_votes(3, (10.0, 30.0), 1.0, trials=20, rng=1) <= 0.5
    True
    """
    n = check_int("num_servers", num_servers, 3)
    d = check_float("delay", delay, 0.0, strict_min=True)
    count = check_int("trials", trials, 1)
    gen = as_rng(rng)
    low, high = election_timeout
    check_float("election_timeout[0]", low, 0.0, strict_min=True)
    check_float("election_timeout[1]", high, low)
    patience = 200.0 * high  # a cluster that elects nobody for this long never will
    options = RaftOptions(election_timeout=(low, high), heartbeat_interval=d,
                          drift_bound=0.0)
    net = Network(int(gen.integers(2**31)), Link(FixedDelay(d)), trace=False)
    names = tuple(f"s{i}" for i in range(n))
    seeds = gen.integers(2**31, size=n)
    net.add(*(RaftServer(s, names, options, 1.0, int(k)) for s, k in zip(
        names, seeds, strict=True)))
    pause = random.Random(int(gen.integers(2**31)))
    splits = 0
    for _ in range(count):
        leader = _wait_for_leader(net, names, -1, patience)
        net.run(until=net.now + pause.uniform(3 * d, 6 * d))
        term = _server(net, leader).current_term
        net.crash(leader)
        new = _wait_for_leader(net, names, term, patience)
        splits += _server(net, new).current_term > term + 1
        net.restart(leader)
    return splits / count


def first_election_split_probability(num_servers: int, timeout_spread: float,
                                     delay: float) -> float:
    r"""Probability that the first election after the leader of
    ``num_servers`` fails elects nobody, with fixed one-way ``delay``.

    The :math:`n = N - 1` live followers time out uniformly over the spread
    :math:`W`; the first wins unless more than :math:`n - q` others fire
    within :math:`\delta` of it (see the module docstring):

    .. math:: P\bigl(\mathrm{Bin}(n, \min(\delta / W, 1)) > n - q\bigr),
              \qquad q = \lfloor N/2 \rfloor + 1 .

    Equal to :func:`split_vote_probability` for three servers, and below it
    for more.

    Examples
    --------
    >>> round(first_election_split_probability(3, 10.0, 1.0), 4)
    0.19
    >>> round(first_election_split_probability(5, 5.0, 1.0), 4)  # 1 - 2 * 0.8**4
    0.1808
    """
    total = check_int("num_servers", num_servers, 3)
    w = check_float("timeout_spread", timeout_spread, 0.0, strict_min=True)
    d = check_float("delay", delay, 0.0)
    n, p = total - 1, min(d / w, 1.0)
    allowed = n - majority(total)  # others that may fire within delay of the first
    win = sum(math.comb(n, k) * p**k * (1.0 - p) ** (n - k)
              for k in range(allowed + 1))
    return max(0.0, 1.0 - win)


def _server(net: Network, node_id: str) -> RaftServer:
    node = net.nodes[node_id]
    assert isinstance(node, RaftServer)
    return node


def _wait_for_leader(net: Network, names: tuple[str, ...], above: int,
                     patience: float) -> str:
    """Run until an up server leads in a term above ``above``."""
    give_up = net.now + patience
    while net.now < give_up:
        net.run(until=net.now + 0.5)
        for s in names:
            node = net.nodes[s]
            assert isinstance(node, RaftServer)
            if node.up and node.role == "leader" and node.current_term > above:
                return s
    raise RuntimeError(f"no leader elected in {patience:g} time units: are the "
                       "election timeouts spread at all?")
