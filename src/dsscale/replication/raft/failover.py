r"""Failover time: from a leader's crash to the next leader.

:func:`measure_failover` repeats the experiment of Figure
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

The first election's split probability, which sets the tail of this outage,
is :func:`~dsscale.replication.raft.elections.first_election_split_probability`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.replication.raft.clock import clock_rates
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import Delay, FixedDelay, Link, Network

__all__ = ["Failovers", "mean_broadcast_time", "measure_failover"]


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
