r"""The configuration service as a Raft group: the master of ``config``, replicated.

:class:`~dsscale.replication.config.ConfigMaster` is one node that never
crashes. :class:`ConfigServer` keeps its contract -- pings that grant leases,
suspicion of silent members, removal of a suspect only after every lease
granted to it has expired, epochs, ``ConfigNotice`` to clients -- on a group
of Raft servers (:mod:`dsscale.replication.raft`) that may crash, restart
and be cut off like any replica. The configuration is the group's replicated
state: two keys of its key-value state machine, ``"config"`` = ``(epoch,
members)`` and ``"horizon"`` (below). Whoever is the Raft leader does the
master's periodic work; a change is a Raft command, and it takes effect --
is announced in pings and notices -- only once it is committed and applied.
Replicas answer whoever pings them, so the master's node id is not fixed.

**Leases across leaders.** A new leader must not install a configuration
without a member before every lease that *any* earlier leader granted that
member has expired. It cannot ask its predecessors: they may be crashed, or
cut off and still pinging.

* *Waiting one lease after taking office* is not enough by itself. A
  deposed leader does not know it is deposed: cut off from the other
  configuration servers but not from the primary, it keeps granting leases
  after its successor took office, and a wait measured from that moment
  bounds none of them. It would become safe only if a leader granted leases
  solely while it held a Raft *leader lease*
  (:mod:`~dsscale.replication.raft.clock`): then its grants stop before any
  successor can be elected -- a safety argument that rests on the
  configuration servers' clock drift.
* *Carrying lease expiry in the replicated state*, which this module does,
  needs no clock assumption about the group. A leader grants a lease ending
  at :math:`u` only if :math:`u \le H`, where :math:`H` is a **horizon** it
  has *applied*, hence committed: a promise, in the log, that no lease ends
  later. It extends the horizon with a command (to ``now + 3 lease`` when
  less than ``2 lease`` remain), so leases never run dry while it can
  commit; a leader that cannot commit stops granting once the horizon
  passes, and the members fall silent: the service stalls safely. A new
  leader's *office* begins once it has committed an entry of its own term.
  By Leader Completeness (Ongaro and Ousterhout, USENIX ATC 2014, section
  5.4) every entry committed in an earlier term is in its log, and
  committing its own entry applies them all; so the horizon it then holds,
  :math:`H^*`, bounds every lease any leader of an earlier term granted or
  will grant. It removes a member only once the clock has passed both
  :math:`H^*` and its own last grant to that member. When the new
  configuration takes effect no lease of the removed member is valid, and a
  ping from a deposed leader carries an expiry already in the past.

Leases and horizons are times on the simulator's shared clock, as for
:class:`~dsscale.replication.config.ConfigMaster` (with drifting clocks each
wait grows by the factor :math:`(1 + \rho)/(1 - \rho)` of Chapter 2); the
group's own timers drift, and nothing above depends on them. The price: one
commit every ``lease`` or so, and a new leader may wait up to ``3 lease``
before it can remove anybody.

``lease_rule`` names the rule: ``"horizon"`` (the safe one above) or one of
two unsafe ones that the targeted fault campaign of
:mod:`~dsscale.replication.config_nemesis` catches -- ``"office-wait"``
(leaders grant freely; a new leader waits one lease after its office begins)
and ``"ignore"`` (leaders grant freely; a new leader waits only for its own
grants). Members are only removed, never re-added, and the last member is
never removed, as with :class:`~dsscale.replication.config.ConfigMaster`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from dsscale._validate import RNGLike, check_float, check_int
from dsscale.replication.config import ConfigNotice, Ping, Pong
from dsscale.replication.raft.clock import clock_rates
from dsscale.replication.raft.cluster import derived_rng
from dsscale.replication.raft.messages import Entry, Put
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import Network

__all__ = ["LEASE_RULES", "ConfigServer", "LeaseRule", "MasterTick", "Office",
           "build_config_service"]

CONFIG, HORIZON = "config", "horizon"
SERVICE = "config-service"  # the client id of the commands (req_id = log index)
LeaseRule = Literal["horizon", "office-wait", "ignore"]
LEASE_RULES: tuple[LeaseRule, ...] = ("horizon", "office-wait", "ignore")


@dataclass(frozen=True)
class MasterTick:
    """Timer message: the master's periodic work (pings, suspicion, horizon)."""


@dataclass
class Office:
    """What a configuration leader keeps while it leads (volatile)."""

    term: int
    began: float
    inherited: float  # the horizon applied when the office began: H*
    last_heard: dict[str, float]
    lease_granted: dict[str, float] = field(default_factory=dict)
    removing: str | None = None
    remove_at: float = math.inf
    proposal: int | None = None  # log index of the command in flight


class ConfigServer(RaftServer):
    """One server of the replicated configuration service.

    Parameters
    ----------
    node_id : str
        This server's name.
    servers : sequence of str
        The configuration servers (the Raft group).
    members, clients : sequence of str
        The replicas configured (initially, epoch 0) and the clients to notify.
    options : RaftOptions, optional
        The Raft group's options (timeouts; its client settings are unused).
    clock_rate : float
        The server's clock rate (Raft's timers only).
    rng : numpy Generator, int or None
        Draws Raft's election timeouts.
    ping_interval, suspect_after, lease : float
        As for :class:`~dsscale.replication.config.ConfigMaster`.
    lease_rule : {"horizon", "office-wait", "ignore"}
        How leases granted by earlier leaders are respected (module
        docstring); only ``"horizon"`` is safe.
    """

    def __init__(self, node_id: str, servers: Sequence[str], members: Sequence[str],
                 clients: Sequence[str], *, options: RaftOptions | None = None,
                 clock_rate: float = 1.0, rng: RNGLike = None,
                 ping_interval: float = 4.0, suspect_after: float = 12.0,
                 lease: float = 8.0, lease_rule: LeaseRule = "horizon") -> None:
        super().__init__(node_id, servers, options, clock_rate, rng)
        self.initial_config = (0, tuple(members))
        if not self.initial_config[1]:
            raise ValueError("members must name at least one replica")
        self.clients = tuple(clients)
        self.ping_interval = check_float("ping_interval", ping_interval, 0.0,
                                         strict_min=True)
        self.suspect_after = check_float("suspect_after", suspect_after, 0.0)
        self.lease = check_float("lease", lease, 0.0, strict_min=True)
        if lease_rule not in LEASE_RULES:
            raise ValueError(f"lease_rule must be one of {', '.join(LEASE_RULES)}, "
                             f"got {lease_rule!r}")
        self.lease_rule = lease_rule

    def init_state(self) -> None:
        super().init_state()
        self.office: Office | None = None

    def on_start(self) -> None:
        super().on_start()
        self.set_timer(self.ping_interval, MasterTick())

    # -- the replicated state ------------------------------------------------------
    @property
    def configuration(self) -> tuple[int, tuple[str, ...]]:
        """``(epoch, members)`` as applied on this server."""
        value = self.sm.get(CONFIG)
        return self.initial_config if value is None else value

    @property
    def horizon(self) -> float:
        """No lease granted by any leader ends after this (as applied here)."""
        value = self.sm.get(HORIZON)
        return 0.0 if value is None else float(value)

    def propose(self, key: str, value: Any) -> int:
        """Leader: append ``key := value`` to the log; return its index."""
        index = self.log.last_index + 1
        self.log.append(Entry(self.current_term, Put(SERVICE, index, key, value)))
        self.replicate_now()
        self.advance_commit()
        return index

    # -- the master's work, done by the leader ---------------------------------------
    def on_MasterTick(self, src: str, msg: MasterTick) -> None:
        self.set_timer(self.ping_interval, MasterTick())
        self.master_work()

    def master_work(self) -> None:
        """Ping, suspect, extend the horizon -- if this server leads, and has
        applied everything up to an entry of its own term."""
        if self.leader is None or not self.committed_in_term():
            self.office = None
            return
        office = self.office
        if office is None or office.term != self.current_term:
            _, members = self.configuration
            office = self.office = Office(self.current_term, self.now, self.horizon,
                                          {m: self.now for m in members})
        if (self.lease_rule == "horizon" and office.proposal is None
                and self.horizon < self.now + 2 * self.lease):
            office.proposal = self.propose(HORIZON, self.now + 3 * self.lease)
        self.ping(office)
        self.suspect(office)

    def ping(self, office: Office) -> None:
        epoch, members = self.configuration
        until = self.now + self.lease
        if self.lease_rule == "horizon":
            until = min(until, self.horizon)
        for m in members:
            if m != office.removing:
                office.lease_granted[m] = max(office.lease_granted.get(m, 0.0), until)
                self.send(m, Ping(epoch, members, until))
        for c in self.clients:
            if c in self._net.nodes:  # some clients join late
                self.send(c, ConfigNotice(epoch, members))

    def suspect(self, office: Office) -> None:
        """Pick a silent member to remove, and when it may be removed."""
        _, members = self.configuration
        if office.removing is not None or len(members) < 2:
            return
        for m in members:
            if self.now - office.last_heard.get(m, self.now) > self.suspect_after:
                office.removing = m  # no more leases for m
                office.remove_at = office.lease_granted.get(m, 0.0)
                if self.lease_rule == "horizon":
                    office.remove_at = max(office.remove_at, office.inherited)
                elif self.lease_rule == "office-wait":
                    office.remove_at = max(office.remove_at, office.began + self.lease)
                self.set_timer(max(0.0, office.remove_at - self.now),
                               lambda term=office.term: self.remove_due(term))
                return

    def remove_due(self, term: int) -> None:
        """Every lease of the member being removed has expired: propose the
        configuration without it (once no other command is in flight)."""
        office = self.office
        if (office is None or office.term != term or office.removing is None
                or self.leader is None):
            return
        if office.proposal is not None:  # wait for the horizon to commit
            self.set_timer(self.ping_interval / 4, lambda: self.remove_due(term))
            return
        epoch, members = self.configuration
        survivors = tuple(m for m in members if m != office.removing)
        office.proposal = self.propose(CONFIG, (epoch + 1, survivors))

    def on_Pong(self, src: str, msg: Pong) -> None:
        if self.office is not None and src in self.office.last_heard:
            self.office.last_heard[src] = self.now

    def after_commit(self) -> None:
        super().after_commit()
        office = self.office
        if office is None or office.proposal is None or self.leader is None:
            return
        if self.commit_index >= office.proposal:
            office.proposal = None
            epoch, members = self.configuration
            if office.removing is not None and office.removing not in members:
                office.removing, office.remove_at = None, math.inf
                for m in members:  # the survivors start a fresh suspicion window
                    office.last_heard[m] = max(office.last_heard.get(m, self.now),
                                               self.now - self.ping_interval)
            self.set_timer(0.0, self.master_work)  # announce at once


def build_config_service(net: Network, members: Sequence[str], clients: Sequence[str],
                         num_servers: int = 3, *, lease_rule: LeaseRule = "horizon",
                         options: RaftOptions | None = None, prefix: str = "m"
                         ) -> tuple[str, ...]:
    """Add ``num_servers`` :class:`ConfigServer` ``m0, m1, ...`` to ``net``.

    Their clock rates and election timeouts are drawn from the network's
    seed (see :func:`~dsscale.replication.raft.cluster.derived_rng`), so a
    seed replays exactly. Returns the servers' ids.

    Examples
    --------
    >>> from dsscale.replication.primary_backup import PBReplica
    >>> from dsscale.sim import FixedDelay, Link, Network
    >>> net = Network(3, Link(FixedDelay(1.0)))
    >>> servers = build_config_service(net, ["r0", "r1"], [])
    >>> net.add(PBReplica("r0", ["r0", "r1"]), PBReplica("r1", ["r0", "r1"]))
    >>> _ = net.run(until=60.0)
    >>> leaders = [s for s in servers if net.nodes[s].office is not None]
    >>> len(leaders), net.nodes[leaders[0]].horizon > 60.0, net.nodes["r0"].has_lease
    (1, True, True)
    """
    n = check_int("num_servers", num_servers, 1)
    options = RaftOptions() if options is None else options
    names = tuple(f"{prefix}{i}" for i in range(n))
    rates = clock_rates(n, options.drift_bound, derived_rng(net.seed, "config-clocks"))
    net.add(*(ConfigServer(name, names, members, clients, options=options,
                           clock_rate=rate, rng=derived_rng(net.seed, "config", name),
                           lease_rule=lease_rule)
              for name, rate in zip(names, rates, strict=True)))
    return names
