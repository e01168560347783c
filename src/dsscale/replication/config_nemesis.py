"""Targeted faults for the replicated configuration service.

The random faults of :mod:`dsscale.faults` rarely cut the configuration
leader off *together with* the replica that serves reads, and for long
enough, which is what exposes a configuration service that forgets leases
granted by an earlier leader (:mod:`~dsscale.replication.config_raft`). Like
:mod:`dsscale.replication.raft.nemesis`, :class:`ConfigNemesis` reads the
servers' state and acts only through the network's fault operations, only
while the campaign's fault phase lasts. Two strikes:

``cut-leader``
    When a configuration server has led for a while, cut it off together
    with the replica that answers reads (the primary, or the tail of a chain)
    and, each with probability one half, the clients that are reading, for
    ``Uniform(*isolation)``; then stay quiet for ``Uniform(*quiet)``. The
    deposed leader keeps pinging the reader; the majority elects a new
    leader, which removes the silent reader and lets writes go on without
    it. A new leader that does not wait for every lease its predecessors
    granted lets the old reader answer from a stale state.
``outage``
    At a random time, crash a majority of the configuration servers for
    ``Uniform(*outage)``: no configuration can change, leases run out, and
    the replicas stop serving. Safety must hold; availability may not.

:data:`TARGETED` lists, for each unsafe deployment, the campaign that
catches it and the safe deployment that must pass the same campaign.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float
from dsscale.replication.chain import ChainReplica
from dsscale.replication.client import Workload
from dsscale.replication.config_raft import ConfigServer
from dsscale.sim import Network, Node

__all__ = ["CONFIG_STRIKES", "TARGETED", "ConfigNemesis", "ConfigNemesisSpec",
           "ConfigTargeted", "config_nemesis"]

CONFIG_STRIKES = ("cut-leader", "outage")
Install = Callable[[Network, Any, random.Random, list[bool]], None]


@dataclass(frozen=True)
class ConfigNemesisSpec:
    """Which strike, how often, for how long (time units of the simulator)."""

    strike: str
    rate: float = 0.05  # per poll
    poll: float = 1.0
    window: float = 300.0
    led_for: float = 10.0  # a leader must have led this long to be struck
    isolation: tuple[float, float] = (40.0, 80.0)
    quiet: tuple[float, float] = (10.0, 40.0)
    outage: tuple[float, float] = (60.0, 120.0)

    def __post_init__(self) -> None:
        if self.strike not in CONFIG_STRIKES:
            raise ValueError(f"strike must be one of {', '.join(CONFIG_STRIKES)}, "
                             f"got {self.strike!r}")
        check_float("rate", self.rate, 0.0, 1.0)
        check_float("poll", self.poll, 0.0, strict_min=True)
        check_float("window", self.window, 0.0)
        check_float("led_for", self.led_for, 0.0)
        for name in ("isolation", "quiet", "outage"):
            low, high = getattr(self, name)
            check_float(f"{name}[0]", low, 0.0)
            check_float(f"{name}[1]", high, low)


class ConfigNemesis(Node):
    """The adversary of the configuration service; it never sends a message."""

    def __init__(self, node_id: str, servers: Sequence[str], replicas: Sequence[str],
                 clients: Sequence[str], spec: ConfigNemesisSpec, rnd: random.Random,
                 active: list[bool]) -> None:
        super().__init__(node_id)
        self.servers = tuple(servers)
        self.replicas = tuple(replicas)
        self.clients = tuple(clients)
        self.spec = spec
        self.rnd = rnd
        self.active = active

    def init_state(self) -> None:
        self.busy_until = 0.0
        self.log: list[tuple[float, str, tuple[str, ...]]] = []  # (time, what, who)

    def on_start(self) -> None:
        if self.spec.strike == "outage":
            self.set_timer(self.rnd.uniform(0.0, self.spec.window), self.outage)
        else:
            self.set_timer(self.spec.poll, self.watch)

    def server(self, node_id: str) -> ConfigServer:
        node = self._net.nodes[node_id]
        assert isinstance(node, ConfigServer)
        return node

    def leader(self) -> ConfigServer | None:
        """The up server whose office (master work) began longest ago."""
        offices = [(self.server(s).office.began, s) for s in self.servers  # type: ignore[union-attr]
                   if self.server(s).up and self.server(s).office is not None]
        return self.server(min(offices)[1]) if offices else None

    def later(self, delay: float, action: Callable[[], Any]) -> None:
        self._net.at(self.now + delay, lambda: action() if self.active[0] else None)

    def watch(self) -> None:
        if not self.active[0] or self.now > self.spec.window:
            return
        self.set_timer(self.spec.poll, self.watch)
        leader = self.leader()
        if (self.now < self.busy_until or leader is None or leader.office is None
                or self.now - leader.office.began < self.spec.led_for
                or self.rnd.random() >= self.spec.rate):
            return
        _, members = leader.configuration
        reader = members[-1] if isinstance(self._net.nodes[members[0]],
                                           ChainReplica) else members[0]
        side = [leader.node_id, reader] + [
            c for c in self.clients if self.reading(c) and self.rnd.random() < 0.5]
        rest = [n for n in self.servers + self.replicas + self.clients if n not in side]
        self.log.append((self.now, "cut-leader", tuple(side)))
        self._net.heal()
        self._net.partition(side, rest)
        length = self.rnd.uniform(*self.spec.isolation)
        self.later(length, self._net.heal)
        self.busy_until = self.now + length + self.rnd.uniform(*self.spec.quiet)

    def reading(self, client: str) -> bool:
        """Is ``client`` idle or reading (not waiting on a write)?"""
        current = getattr(self._net.nodes[client], "current_input", None)
        return current is None or current[0] == "get"

    def outage(self) -> None:
        if not self.active[0]:
            return
        victims = self.rnd.sample(self.servers, len(self.servers) // 2 + 1)
        self.log.append((self.now, "outage", tuple(victims)))
        length = self.rnd.uniform(*self.spec.outage)
        for v in victims:
            self._net.crash(v)
            self.later(length, self._restarter(v))

    def _restarter(self, node_id: str) -> Callable[[], None]:
        return lambda: self._net.restart(node_id, keep_durable=True)


def config_nemesis(spec: ConfigNemesisSpec | str) -> Install:
    """A ``FaultPlan.nemesis`` that adds a :class:`ConfigNemesis` for ``spec``
    (a spec or a strike name) to a deployment with configuration servers."""
    chosen = ConfigNemesisSpec(spec) if isinstance(spec, str) else spec

    def install(net: Network, deployment: Any, rnd: random.Random,
                active: list[bool]) -> None:
        servers = tuple(deployment.control)
        if not servers:
            raise ValueError("config_nemesis needs a deployment with configuration "
                             "servers (a -raftconf protocol)")
        replicas = tuple(deployment.replicas)
        known = set(servers) | set(replicas) | set(deployment.others)
        clients = tuple(n for n in net.nodes if n not in known)
        own = random.Random(rnd.getrandbits(64))
        net.add(ConfigNemesis("config-nemesis", servers, replicas, clients, chosen,
                              own, active))
    return install


@dataclass(frozen=True)
class ConfigTargeted:
    """A campaign aimed at one unsafe deployment, and the safe deployment that
    must pass the very same campaign (``run_seed`` options: ``workload``,
    ``time_limit``, and a ``FaultPlan`` whose nemesis is ``nemesis``)."""

    nemesis: ConfigNemesisSpec
    safe: str
    workload: Workload = Workload()
    time_limit: float = 400.0


_CUT = ConfigNemesisSpec("cut-leader")
# mostly reads of one key: the clients cut off with the old tail keep reading
# (a write would stall them) while the others write through the new chain
_BUSY = Workload(ops_per_client=40, keys=("x",), read_fraction=0.8)

TARGETED: dict[str, ConfigTargeted] = {
    "chain-raftconf-no-lease-wait": ConfigTargeted(_CUT, "chain-raftconf", _BUSY),
    "chain-raftconf-office-wait": ConfigTargeted(_CUT, "chain-raftconf", _BUSY),
}
