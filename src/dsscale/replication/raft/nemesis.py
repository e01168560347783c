"""Targeted faults: an adversary that watches a Raft cluster and strikes.

A campaign's random faults (:mod:`dsscale.faults`) rarely land in the few time
units where a subtle bug shows. Jepsen's answer is a *nemesis* that knows the
system: it partitions away the current leader, or kills a node right after it
acted. :class:`RaftNemesis` is such an adversary for the simulator. It reads
the servers' state (white-box) and acts only through the network's fault
operations -- crash, restart with durable state, partition, heal -- so all it
does is in the trace and replays from the seed. It polls every ``poll`` time
units until ``window``, and stops as soon as the campaign's fault phase ends.

Three *strikes*, each aimed at one unsafe variant and harmless to a correct
Raft (the safe variants pass the same campaigns):

``crash-voter``
    When a server has just granted its vote, crash it and restart it after
    ``Uniform(*downtime)``. A server that forgot its vote can now vote again
    in the same term (``raft-forget-vote``). To have elections to prey on,
    it also crashes the leader every 40 time units on average, for
    ``Uniform(*isolation)``.
``figure8``
    Play the three leaders of Figure 8 of the Raft paper: cut off a leader
    that has just appended a client's write (with that client, so its
    retries reach nobody else); when a later leader appends, cut *it* off
    instead; when a third leader advances its commit index, cut it off too.
    A leader that committed an entry of an earlier term by counting
    replicas (``raft-figure8``) has then answered a client for an entry the
    second leader overwrites once the partition moves.
``slow-leader``
    Make the server with the slowest clock the leader (crash the others
    until just after its election timer fires), let it serve for a while,
    then cut it off with some of the clients that are reading. A lease that
    ignores drift (``raft-lease-no-drift``) keeps answering from its stale
    state after the fast majority has elected a new leader.

Each strike happens with probability ``rate`` per opportunity (per poll for
the timed ones), so seeds differ in where they strike. Use it through a
fault plan, ``FaultPlan(nemesis=raft_nemesis("crash-voter"))``;
:data:`TARGETED` lists the campaign that exposes each unsafe variant.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dsscale._validate import check_float
from dsscale.replication.client import Workload
from dsscale.replication.raft.messages import Put
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import Network, Node

__all__ = ["STRIKES", "TARGETED", "NemesisSpec", "RaftNemesis", "Targeted",
           "raft_nemesis"]

STRIKES = ("crash-voter", "figure8", "slow-leader")
Install = Callable[[Network, Any, random.Random, list[bool]], None]


@dataclass(frozen=True)
class NemesisSpec:
    """Which strikes, how often, for how long (time units of the simulator)."""

    strikes: tuple[str, ...]
    rate: float = 1.0
    poll: float = 0.25
    window: float = 350.0
    isolation: tuple[float, float] = (8.0, 30.0)
    downtime: tuple[float, float] = (0.5, 4.0)
    quiet: tuple[float, float] = (3.0, 20.0)

    def __post_init__(self) -> None:
        if not self.strikes:
            raise ValueError("strikes must name at least one strike")
        for strike in self.strikes:
            if strike not in STRIKES:
                raise ValueError(f"strikes must be among {', '.join(STRIKES)}, "
                                 f"got {strike!r}")
        check_float("rate", self.rate, 0.0, 1.0)
        check_float("poll", self.poll, 0.0, strict_min=True)
        check_float("window", self.window, 0.0)
        for name in ("isolation", "downtime", "quiet"):
            low, high = getattr(self, name)
            check_float(f"{name}[0]", low, 0.0)
            check_float(f"{name}[1]", high, low)


class RaftNemesis(Node):
    """The adversary (see the module docstring); it never sends a message."""

    def __init__(self, node_id: str, servers: Sequence[str], clients: Sequence[str],
                 spec: NemesisSpec, rnd: random.Random, active: list[bool]) -> None:
        super().__init__(node_id)
        self.servers = tuple(servers)
        self.clients = tuple(clients)
        self.spec = spec
        self.rnd = rnd
        self.active = active

    def init_state(self) -> None:
        kinds = {"crash-voter": CrashVoter, "figure8": Figure8,
                 "slow-leader": SlowLeader}
        self.strikes = [kinds[s]() for s in self.spec.strikes]
        self.log: list[tuple[float, str, str]] = []  # (time, what, server)

    def on_start(self) -> None:
        self.set_timer(self.spec.poll, self.watch)

    def watch(self) -> None:
        if not self.active[0] or self.now > self.spec.window:
            return
        for strike in self.strikes:
            strike.watch(self)
        self.set_timer(self.spec.poll, self.watch)

    # -- what the strikes see and do -----------------------------------------------
    def server(self, node_id: str) -> RaftServer:
        node = self._net.nodes[node_id]
        assert isinstance(node, RaftServer)
        return node

    def current_leader(self) -> str | None:
        """The up server that leads in the highest term, if any."""
        leaders = [(self.server(s).current_term, s) for s in self.servers
                   if self.server(s).up and self.server(s).role == "leader"]
        return max(leaders)[1] if leaders else None

    def chance(self, per_poll: bool = False) -> bool:
        return self.rnd.random() < self.spec.rate * (self.spec.poll if per_poll else 1)

    def later(self, delay: float, action: Callable[[], Any]) -> None:
        """Run ``action`` after ``delay`` unless the fault phase has ended."""
        self._net.at(self.now + delay, lambda: action() if self.active[0] else None)

    def crash_for(self, node_id: str, downtime: float, why: str) -> None:
        self.log.append((self.now, why, node_id))
        self._net.crash(node_id)
        self.later(downtime, lambda: self._net.restart(node_id, keep_durable=True))

    def cut(self, side: Sequence[str], why: str) -> None:
        """Heal every earlier cut, then separate ``side`` from everyone else."""
        self.log.append((self.now, why, side[0]))
        rest = [n for n in self.servers + self.clients if n not in side]
        self._net.heal()
        self._net.partition(list(side), rest)

    def writers(self, node: RaftServer, after: int) -> list[str]:
        """Clients whose puts sit in ``node``'s log after index ``after``."""
        start = max(after, node.log.snapshot_index) + 1
        return sorted({e.command.client_id
                       for e in node.log.entries_from(start, node.log.last_index)
                       if isinstance(e.command, Put)
                       and e.command.client_id in self.clients})

    def reading(self, client: str) -> bool:
        """Is ``client`` idle or reading (not stuck on a write)?"""
        current = getattr(self._net.nodes[client], "current_input", None)
        return current is None or current[0] == "get"


class CrashVoter:
    """Crash a server right after it votes; restart it soon after."""

    every = 40.0  # mean time between crashes of the leader

    def __init__(self) -> None:
        self.seen: dict[str, tuple[int, str | None]] = {}

    def watch(self, nem: RaftNemesis) -> None:
        for s in nem.servers:
            node = nem.server(s)
            vote = (node.current_term, node.voted_for)
            if not node.up or self.seen.get(s) == vote:
                continue
            self.seen[s] = vote
            if node.voted_for not in (None, s) and nem.chance():
                nem.crash_for(s, nem.rnd.uniform(*nem.spec.downtime), "crash-voter")
        # elections are what it preys on: now and then, depose the leader
        leader = nem.current_leader()
        if leader is not None and nem.rnd.random() < nem.spec.poll / self.every:
            nem.crash_for(leader, nem.rnd.uniform(*nem.spec.isolation), "crash-leader")


@dataclass
class Figure8:
    """The three leaders of Figure 8 (see the module docstring)."""

    phase: int = 0  # 0 wait; 1, 2 after the first, second cut; 3 cut; 4 quiet
    since: float = 0.0
    term: int = 0
    hold: float = 0.0
    first_commit: dict[tuple[str, int], int] = field(default_factory=dict)

    def _cut(self, nem: RaftNemesis, leader: str, after: int, phase: int) -> None:
        nem.cut([leader] + nem.writers(nem.server(leader), after), f"figure8-{phase}")
        self.phase, self.since = phase, nem.now

    def watch(self, nem: RaftNemesis) -> None:
        if self.phase in (1, 2) and nem.now - self.since > 3 * nem.spec.isolation[1]:
            nem._net.heal()  # the script stalled: start over
            self.phase, self.since = 0, nem.now
        if self.phase >= 3:
            if nem.now - self.since > self.hold:
                if self.phase == 3:
                    nem._net.heal()
                self.phase, self.since = (self.phase + 1) % 5, nem.now
            return
        leader = nem.current_leader()
        if leader is None:
            return
        node = nem.server(leader)
        term = node.current_term
        appended = (node.log.last_term == term
                    and node.log.last_index > node.commit_index)
        if self.phase == 0 and appended and nem.chance():
            self._cut(nem, leader, node.commit_index, 1)
            self.term = term
        elif self.phase == 1 and term > self.term and appended:
            self._cut(nem, leader, node.commit_index, 2)
            self.term, self.first_commit = term, {}
        elif self.phase == 2 and term > self.term:
            start = self.first_commit.setdefault((leader, term), node.commit_index)
            if node.commit_index > start:
                self._cut(nem, leader, start, 3)
                self.hold = nem.rnd.uniform(*nem.spec.isolation)


@dataclass
class SlowLeader:
    """Make the slowest clock lead, then cut it off (module docstring)."""

    phase: int = 0  # 0 wait; 1 others crashed; 2 leader cut off; 3 quiet
    until: float = 0.0
    lead_since: dict[tuple[str, int], float] = field(default_factory=dict)

    def watch(self, nem: RaftNemesis) -> None:
        if self.phase and nem.now < self.until:
            return
        if self.phase == 2:  # the cut has healed: stay quiet a while
            self.phase, self.until = 3, nem.now + nem.rnd.uniform(*nem.spec.quiet)
            return
        self.phase = 0
        leader = nem.current_leader()
        if leader is None:
            return
        node = nem.server(leader)
        since = self.lead_since.setdefault((leader, node.current_term), nem.now)
        slowest = min(nem.servers, key=lambda s: nem.server(s).clock_rate)
        settled = (nem.now - since >= 4 * node.options.heartbeat_interval
                   and node.committed_in_term())
        if (leader == slowest and not settled) or not nem.chance(per_poll=True):
            return
        if leader != slowest:
            self._promote(nem, slowest)
            return
        side = [leader] + [c for c in nem.clients
                           if nem.reading(c) and nem.rnd.random() < 0.5]
        nem.cut(side, "slow-leader-cut")
        length = nem.rnd.uniform(*nem.spec.isolation)
        nem.later(length, nem._net.heal)
        self.phase, self.until = 2, nem.now + length

    def _promote(self, nem: RaftNemesis, slowest: str) -> None:
        """Crash the others until just after ``slowest``'s election timer
        fires: it is a candidate when they return, and gets their votes once
        they stop ignoring votes after their restart."""
        node = nem.server(slowest)
        deadline = node.election_deadline
        if not node.up or not nem.now <= deadline < float("inf"):
            return
        self.phase, self.until = 1, nem.now
        for s in nem.servers:
            if s != slowest and nem.server(s).up:
                down = deadline - nem.now + nem.rnd.uniform(*nem.spec.downtime)
                nem.crash_for(s, down, "slow-leader-crash")
                self.until = max(self.until, nem.now + down)


def raft_nemesis(spec: NemesisSpec | str | Sequence[str]) -> Install:
    """A ``FaultPlan.nemesis`` that adds a :class:`RaftNemesis` for ``spec``
    (a spec, one strike name, or several) to every seed's network."""
    if isinstance(spec, str):
        spec = NemesisSpec((spec,))
    elif not isinstance(spec, NemesisSpec):
        spec = NemesisSpec(tuple(spec))
    chosen = spec

    def install(net: Network, deployment: Any, rnd: random.Random,
                active: list[bool]) -> None:
        servers = tuple(deployment.replicas)
        known = set(servers) | set(deployment.others)
        clients = tuple(n for n in net.nodes if n not in known)
        own = random.Random(rnd.getrandbits(64))
        net.add(RaftNemesis("nemesis", servers, clients, chosen, own, active))
    return install


@dataclass(frozen=True)
class Targeted:
    """A campaign aimed at one unsafe variant, and the safe variant that must
    pass the very same campaign (``run_seed`` options: ``workload``,
    ``time_limit``, and a ``FaultPlan`` whose nemesis is ``nemesis``)."""

    nemesis: NemesisSpec
    safe: str
    workload: Workload = Workload()
    time_limit: float = 400.0


TARGETED: dict[str, Targeted] = {
    "raft-forget-vote": Targeted(NemesisSpec(("crash-voter",)), "raft",
                                 Workload(ops_per_client=20, read_fraction=0.8)),
    "raft-figure8": Targeted(NemesisSpec(("figure8",)), "raft-lazy-noop",
                             Workload(keys=("x", "y", "z"))),
    "raft-lease-no-drift": Targeted(
        NemesisSpec(("slow-leader",), rate=0.2, window=950.0,
                    isolation=(50.0, 80.0)),
        "raft-lease", Workload(ops_per_client=40, keys=("x",), read_fraction=0.8),
        time_limit=1000.0),
}
