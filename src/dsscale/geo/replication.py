r"""Replication over a wide area on :mod:`dsscale.sim`: Raft, and a quorum leader.

:func:`simulate_raft` runs the package's Raft
(:mod:`dsscale.replication.raft`) with a fixed leader and one link delay per
pair of sites, and reports each entry's commit latency at the leader: a
majority's, :func:`~dsscale.geo.commit_latency_ms` exactly.

:class:`GeoLeader` is the steady state of the same replication, generalised
where Raft is not: it commits on any ``write_quorum`` (flexible quorums) and
can hold each commit back for a Spanner-style commit wait. It appends each
entry to its own log, sends it to every follower, and commits it once
``write_quorum`` replicas (itself included) hold it and every earlier entry
is committed -- Raft's commit rule in a stable term. Leader election, log
repair and crashes are left out: with the leader fixed and no message lost,
they never act.

Every directed link between sites i and j gets its own delay, half the round
trip ``rtt_ms[i, j]`` (fibre is symmetric), optionally spread uniformly over
``[d, d + jitter_ms]``. With fixed delays the run is deterministic and each
entry's measured latency equals the formula up to floating-point rounding.

With ``clock_uncertainty_ms`` = :math:`\varepsilon > 0` the leader behaves as
a Spanner leader: its clock is off by a fixed, unknown
:math:`\delta \in [-\varepsilon, \varepsilon]`, it stamps each entry
:math:`s = \text{now().latest}` and releases it only when the quorum has
answered *and* :math:`\text{now().earliest} \ge s` (Corbett et al., OSDI 2012).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.geo.latency import _check_quorum, _check_rtt, _check_site
from dsscale.replication.raft.latency import measure_commit_latency
from dsscale.sim import Delay, FixedDelay, Link, Network, Node, UniformDelay

__all__ = [
    "Append",
    "AppendAck",
    "GeoFollower",
    "GeoLeader",
    "ReplicationRun",
    "simulate_raft",
    "simulate_replication",
]


@dataclass(frozen=True)
class Append:
    """Leader to follower: store entry ``index``."""

    index: int


@dataclass(frozen=True)
class AppendAck:
    """Follower to leader: entry ``index`` is stored."""

    index: int


class GeoFollower(Node):
    """Stores every entry it is sent and acknowledges it at once."""

    def init_state(self) -> None:
        self.log: list[int] = []

    def on_Append(self, src: str, msg: Append) -> None:
        self.log.append(msg.index)
        self.send(src, AppendAck(msg.index))


class GeoLeader(Node):
    """Proposes entries and commits each on a quorum, in log order."""

    def __init__(self, node_id: str, followers: tuple[str, ...], write_quorum: int,
                 clock_uncertainty_ms: float = 0.0,
                 clock_offset_ms: float = 0.0) -> None:
        super().__init__(node_id)
        self.followers = followers
        self.write_quorum = check_int("write_quorum", write_quorum, 1,
                                      len(followers) + 1)
        self.epsilon = check_float("clock_uncertainty_ms", clock_uncertainty_ms, 0.0)
        self.offset = check_float("clock_offset_ms", clock_offset_ms,
                                  -self.epsilon, self.epsilon)

    def init_state(self) -> None:
        self.proposed_at: list[float] = []
        self.timestamps: list[float] = []
        self.holders: list[dict[str, None]] = []  # replicas holding each entry
        self.quorum_at: list[float | None] = []
        self.waited: list[bool] = []
        self.committed_at: list[float] = []

    def clock(self) -> float:
        """The leader's local clock: true (virtual) time plus its offset."""
        return self.now + self.offset

    def propose(self) -> int:
        """Append a new entry, send it to every follower; return its index."""
        index = len(self.proposed_at)
        self.proposed_at.append(self.now)
        self.timestamps.append(self.clock() + self.epsilon)  # TT.now().latest
        self.holders.append({self.node_id: None})
        self.quorum_at.append(self.now if self.write_quorum == 1 else None)
        self.waited.append(self.epsilon == 0.0)
        for follower in self.followers:
            self.send(follower, Append(index))
        if self.epsilon > 0.0:
            # earliest = clock - epsilon reaches the timestamp after this long
            wait = self.timestamps[index] + self.epsilon - self.clock()
            self.set_timer(wait, lambda: self._wait_over(index))
        self._advance()
        return index

    def on_AppendAck(self, src: str, msg: AppendAck) -> None:
        holders = self.holders[msg.index]
        holders[src] = None
        if len(holders) == self.write_quorum:
            self.quorum_at[msg.index] = self.now
        self._advance()

    def _wait_over(self, index: int) -> None:
        self.waited[index] = True
        self._advance()

    def _advance(self) -> None:
        nxt = len(self.committed_at)
        while (nxt < len(self.proposed_at) and self.quorum_at[nxt] is not None
               and self.waited[nxt]):
            self.committed_at.append(self.now)
            nxt += 1


@dataclass(frozen=True)
class ReplicationRun:
    """Times (ms of virtual time) of every entry of one simulated run."""

    proposed_at_ms: NDArray[np.float64]
    quorum_at_ms: NDArray[np.float64]
    committed_at_ms: NDArray[np.float64]
    timestamps_ms: NDArray[np.float64]
    """Commit timestamp s the leader gave each entry (its clock's latest)."""
    clock_offset_ms: float

    @property
    def commit_latency_ms(self) -> NDArray[np.float64]:
        """Commit time minus proposal time, per entry."""
        return self.committed_at_ms - self.proposed_at_ms


def simulate_replication(rtt_ms: ArrayLike, leader: int,
                         write_quorum: int | None = None, *, num_entries: int = 10,
                         interval_ms: float = 1.0, clock_uncertainty_ms: float = 0.0,
                         jitter_ms: float = 0.0,
                         rng: RNGLike = 0) -> ReplicationRun:
    """Run :class:`GeoLeader` at site ``leader`` with a follower at every other site.

    The leader proposes ``num_entries`` entries, one every ``interval_ms``
    from time 0; the run ends when the network is idle. ``rng`` draws the
    leader's clock offset (uniform on ``[-eps, eps]``) and seeds the network
    (used only when ``jitter_ms > 0``).
    """
    rtt = _check_rtt(rtt_ms)
    n = rtt.shape[0]
    leader = _check_site("leader", leader, n)
    q = _check_quorum("write_quorum", write_quorum, n)
    num_entries = check_int("num_entries", num_entries, 1)
    interval = check_float("interval_ms", interval_ms, 0.0)
    epsilon = check_float("clock_uncertainty_ms", clock_uncertainty_ms, 0.0)
    jitter = check_float("jitter_ms", jitter_ms, 0.0)
    gen = as_rng(rng)
    offset = float(gen.uniform(-epsilon, epsilon)) if epsilon > 0 else 0.0
    net = Network(gen, trace=False)
    ids = [f"site{i}" for i in range(n)]
    followers = tuple(ids[j] for j in range(n) if j != leader)
    boss = GeoLeader(ids[leader], followers, q, epsilon, offset)
    net.add(boss, *(GeoFollower(f) for f in followers))
    for i in range(n):
        for j in range(n):
            if i != j:
                one_way = rtt[i, j] / 2.0
                delay = (FixedDelay(one_way) if jitter == 0.0
                         else UniformDelay(one_way, one_way + jitter))
                net.set_link(ids[i], ids[j], Link(delay=delay))
    for k in range(num_entries):
        net.at(k * interval, boss.propose)
    net.run_until_idle()
    return ReplicationRun(
        proposed_at_ms=np.array(boss.proposed_at),
        quorum_at_ms=np.array(boss.quorum_at, dtype=np.float64),
        committed_at_ms=np.array(boss.committed_at),
        timestamps_ms=np.array(boss.timestamps),
        clock_offset_ms=offset)


def simulate_raft(rtt_ms: ArrayLike, leader: int, *, num_entries: int = 10,
                  jitter_ms: float = 0.0, rng: RNGLike = 0) -> NDArray[np.float64]:
    """Commit latency (ms) at a Raft leader at site ``leader``, one entry at a time.

    One Raft server per site; the link from site i to site j delays every
    message by ``rtt_ms[i, j] / 2`` (plus ``Uniform(0, jitter_ms)``). A client
    at the leader's site writes ``num_entries`` entries one after another
    (see :func:`~dsscale.replication.raft.latency.measure_commit_latency`).

    Examples
    --------
    >>> rtt = [[0, 10, 70], [10, 0, 65], [70, 65, 0]]
    >>> simulate_raft(rtt, 2, num_entries=2).tolist()  # commit_latency_ms: 65
    [65.0, 65.0]
    """
    rtt = _check_rtt(rtt_ms)
    n = rtt.shape[0]
    leader = _check_site("leader", leader, n)
    jitter = check_float("jitter_ms", jitter_ms, 0.0)

    def delay(i: int, j: int) -> Delay:
        one_way = float(rtt[i, j]) / 2.0
        return (FixedDelay(one_way) if jitter == 0.0
                else UniformDelay(one_way, one_way + jitter))
    return measure_commit_latency(n, delay, leader=leader,
                                  num_entries=check_int("num_entries", num_entries, 1),
                                  rng=rng)
