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

**Failover time.** :func:`measure_failover` repeats the experiment of Figure
16 of the paper: the leader broadcasts heartbeats, crashes a uniform time
within its heartbeat interval later, and the time until a new leader is
elected is recorded, together with how many terms it took and how many
elections started during the quiet periods, while the leader was alive
(*disruptions*: the price of timeouts too close to the heartbeat delays).
With fixed one-way delays :math:`\delta` and an election won in its first
term the downtime is exactly :math:`E + U_{(1)} + 3\delta - u`: the last
heartbeat arrives :math:`\delta` after it was sent, the first follower times
out :math:`E + U_{(1)}` later, and its request and the votes take two more
delays; :math:`u` is the time from the heartbeat to the crash.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.replication.raft.clock import clock_rates
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import majority
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import Delay, FixedDelay, Link, Network

__all__ = [
    "Failovers",
    "first_election_split_probability",
    "mean_broadcast_time",
    "measure_failover",
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


def mean_broadcast_time(delay: Delay, num_servers: int, samples: int = 10_000,
                        rng: RNGLike = None) -> float:
    """Mean time for one server to hear back from all others, in parallel.

    The "broadcast time" of the Raft paper: the largest of ``num_servers - 1``
    round trips, each two independent draws of ``delay``, averaged over
    ``samples`` broadcasts.

    Examples
    --------
    >>> mean_broadcast_time(FixedDelay(7.5), 5, samples=10, rng=0)
    15.0
    """
    if not isinstance(delay, Delay):
        raise TypeError(f"delay must be a Delay, got {type(delay).__name__}")
    peers = check_int("num_servers", num_servers, 2) - 1
    count = check_int("samples", samples, 1)
    rnd = random.Random(int(as_rng(rng).integers(2**31)))
    total = 0.0
    for _ in range(count):
        total += max(delay.sample(rnd) + delay.sample(rnd) for _ in range(peers))
    return total / count


@dataclass(frozen=True)
class Failovers:
    """What :func:`measure_failover` observed, one entry per leader crash.

    Attributes
    ----------
    downtime : ndarray of float
        Time from the crash until a live server became leader; ``inf`` if
        none did within the patience.
    terms : ndarray of int
        Terms the election took (1: the first candidate won; 0 if censored).
    disruptions : ndarray of int
        Elections started during the quiet period before the crash, while
        the leader was alive and no server had failed.
    quiet : float
        Length of each quiet period.
    """

    downtime: NDArray[np.float64]
    terms: NDArray[np.int64]
    disruptions: NDArray[np.int64]
    quiet: float

    @property
    def censored(self) -> int:
        """Crashes after which no leader was elected within the patience."""
        return int(np.sum(~np.isfinite(self.downtime)))

    @property
    def disruption_rate(self) -> float:
        """Elections per unit time while a leader was alive."""
        return float(self.disruptions.sum()) / (self.quiet * self.disruptions.size)


def measure_failover(num_servers: int, election_timeout: tuple[float, float],
                     delay: Delay | float, trials: int, *,
                     heartbeat_interval: float | None = None,
                     quiet: float | None = None, patience: float | None = None,
                     drift: float = 0.0, rng: RNGLike = None) -> Failovers:
    """Time from a leader crash to the next leader, over ``trials`` crashes.

    The experiment of Figure 16 of Ongaro and Ousterhout (USENIX ATC 2014):
    ``num_servers`` :class:`RaftServer` with perfect clocks on links of
    one-way ``delay`` (a :class:`~dsscale.sim.Delay`, or a number for a fixed
    delay) and heartbeats every ``heartbeat_interval`` (default: half the
    minimum election timeout, as in the paper). Each trial lets the current
    leader lead for ``quiet`` (default ten heartbeat intervals), counting the
    elections that start meanwhile, then waits for its next heartbeat
    broadcast, crashes it a uniform time within the heartbeat interval later,
    and times the election of a successor, giving up after ``patience``
    (default ``100 * election_timeout[1]``); then it restarts the old leader.
    If no leader emerges even for the next trial, the remaining trials are
    censored too.

    Timers in the simulator are exact, so servers whose timers were reset
    together stay in step: the only things that separate them are the link
    delays, the random timeouts and, with ``drift > 0``, clock rates drawn
    from ``[1 - drift, 1 + drift]``
    (:func:`~dsscale.replication.raft.clock.clock_rates`).
    To elect the first leader even without randomised timeouts, server
    ``s0`` starts half a minimum timeout before the others.

    Examples
    --------
    >>> f = measure_failover(5, (150.0, 300.0), 7.5, trials=5, rng=1)
    >>> bool(np.all(f.downtime >= 150.0 - 75.0 + 3 * 7.5))
    True
    """
    n = check_int("num_servers", num_servers, 3)
    low, high = election_timeout
    check_float("election_timeout[0]", low, 0.0, strict_min=True)
    check_float("election_timeout[1]", high, low)
    law = delay if isinstance(delay, Delay) else FixedDelay(
        check_float("delay", delay, 0.0))
    count = check_int("trials", trials, 1)
    beat = low / 2 if heartbeat_interval is None else check_float(
        "heartbeat_interval", heartbeat_interval, 0.0, low, strict_min=True,
        strict_max=True)
    calm = 10 * beat if quiet is None else check_float("quiet", quiet, 0.0)
    wait = 100 * high if patience is None else check_float(
        "patience", patience, 0.0, strict_min=True)
    rho = check_float("drift", drift, 0.0, 0.5)
    gen = as_rng(rng)
    options = RaftOptions(election_timeout=(low, high), heartbeat_interval=beat,
                          drift_bound=rho)
    net, servers = _failover_cluster(n, options, law, gen)
    crash_at = random.Random(int(gen.integers(2**31)))
    downtime = np.full(count, np.inf)
    terms = np.zeros(count, dtype=np.int64)
    disruptions = np.zeros(count, dtype=np.int64)
    for i in range(count):
        leader = _run_to_leader(net, servers, -1, wait)
        if leader is None:
            if i == 0:
                raise RuntimeError(f"no leader elected in {wait:g} time units: are "
                                   "the election timeouts spread at all?")
            break  # the remaining trials stay censored
        start = _max_term(servers)
        net.run(until=net.now + calm)
        disruptions[i] = _max_term(servers) - start
        leader = _leader_after_a_broadcast(net, servers, wait,
                                           lambda: crash_at.uniform(0.0, beat))
        if leader is None:
            break
        term, crashed = leader.current_term, net.now
        net.crash(leader.node_id)
        new = _run_to_leader(net, servers, term, wait)
        if new is not None:
            downtime[i] = net.now - crashed
            terms[i] = new.current_term - term
        net.restart(leader.node_id)
    return Failovers(downtime, terms, disruptions, calm)


def _failover_cluster(n: int, options: RaftOptions, law: Delay,
                      gen: np.random.Generator) -> tuple[Network, list[RaftServer]]:
    """``n`` servers on links of ``law``; ``s0`` starts half a minimum timeout early."""
    net = Network(int(gen.integers(2**31)), Link(law), trace=False)
    names = tuple(f"s{i}" for i in range(n))
    rates = clock_rates(n, options.drift_bound, gen)
    servers = [RaftServer(s, names, options, r, int(k)) for s, r, k in zip(
        names, rates, gen.integers(2**31, size=n), strict=True)]
    net.add(servers[0])
    net.run(until=options.election_timeout[0] / 2)
    net.add(*servers[1:])
    return net, servers


def _leader_after_a_broadcast(net: Network, servers: list[RaftServer], wait: float,
                              offset: Callable[[], float]) -> RaftServer | None:
    """Run until a leader has broadcast a heartbeat, then ``offset()`` longer;
    the leader then (None if none emerges within ``wait``)."""
    leader = _run_to_leader(net, servers, -1, wait)
    while leader is not None:
        state = leader.leader
        assert state is not None
        seq = state.seq
        net.run(until=net.now + wait, stop=partial(_broadcast_after, leader, seq))
        if leader.leader is not None and leader.leader.seq > seq:
            net.run(until=net.now + offset())
            if leader.leader is not None:
                return leader
        leader = _run_to_leader(net, servers, -1, wait)
    return None


def _broadcast_after(server: RaftServer, seq: int) -> bool:
    """``server`` stopped leading or sent a broadcast round after ``seq``."""
    return server.leader is None or server.leader.seq > seq


def _max_term(servers: Sequence[RaftServer]) -> int:
    return max(s.current_term for s in servers)


def _leader_above(servers: Sequence[RaftServer], above: int) -> RaftServer | None:
    for s in servers:
        if s.up and s.role == "leader" and s.current_term > above:
            return s
    return None


def _run_to_leader(net: Network, servers: Sequence[RaftServer], above: int,
                   patience: float) -> RaftServer | None:
    """Run until an up server leads in a term above ``above`` (at most
    ``patience``); return it, or None."""
    found = _leader_above(servers, above)
    if found is None:
        net.run(until=net.now + patience,
                stop=lambda: _leader_above(servers, above) is not None)
        found = _leader_above(servers, above)
    return found


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
