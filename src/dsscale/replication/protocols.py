"""Named deployments of each protocol on a simulated network.

:data:`PROTOCOLS` maps a name (as used by ``dsscale faults``) to a
:class:`ProtocolSpec`: how to build replicas and clients on a
:class:`~dsscale.sim.Network`, and what the configuration promises.
:func:`deploy` builds one, with recording clients, in one call.

=====================  ==============================================  =========
name                   configuration                                   promise
=====================  ==============================================  =========
``pb-sync``            primary-backup, write acked after every backup  linearizable
``pb-async``           primary-backup, write acked at once             none
``chain``              chain replication, reads at the tail            linearizable
``abd``                ABD register, majorities, read write-back       linearizable
``abd-no-writeback``   ABD without the read's write-back               none
``quorum``             N=n, majority R and W, sync read repair         linearizable
``quorum-partial``     N=n, R=1, W=1, asynchronous read repair         eventual
``quorum-sloppy``      n+2 nodes, N=n, majorities, sloppy + hints      eventual
``raft``               Raft, ReadIndex reads                           linearizable
``raft-lease``         Raft, lease reads shortened by the drift bound  linearizable
``raft-lazy-noop``     Raft, no-op appended only when a read needs it  linearizable
``raft-membership``    Raft, servers swapped in and out meanwhile      linearizable
``raft-figure8``       lazy no-op, commits old-term entries by count   none
``raft-forget-vote``   Raft whose ``voted_for`` is not durable         none
``raft-lease-no-drift``  Raft, lease ignores clock drift               none
``raft-read-any``      Raft, any server answers reads                  none
=====================  ==============================================  =========

``pb-sync``, ``pb-async`` and ``chain`` take their configuration from one
master ``m`` (:class:`~dsscale.replication.config.ConfigMaster`) that never
crashes. Their ``-raftconf`` forms take it from three configuration servers
``m0, m1, m2`` replicated with Raft (:mod:`~dsscale.replication.config_raft`),
which the fault campaigns crash, restart and partition like the replicas
(:attr:`Deployment.control`):

================================  ==========================================  =====
name                              configuration service                       safe
================================  ==========================================  =====
``pb-sync-raftconf``              Raft group, lease horizon in its log        yes
``pb-async-raftconf``             the same (the replicas lose writes)         no
``chain-raftconf``                Raft group, lease horizon in its log        yes
``chain-raftconf-no-lease-wait``  new leaders ignore earlier leaders' leases   no
``chain-raftconf-office-wait``    new leaders wait one lease after election   no
================================  ==========================================  =====

The Raft entries are built by :func:`raft_builder` (``n`` voting servers); see
:mod:`dsscale.replication.raft.cluster` for what each variant changes.

Every builder takes the number of replicas ``n`` (``num_replicas``, default
3; ``dsscale faults --replicas``): the primary-backup and chain configurations
have ``n`` members, ABD and the quorum stores ``n`` storage nodes (the sloppy
store two more, as fallbacks); and :class:`DeployOptions`, which experiments use
to change the retransmission interval or the links to the configuration master.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_int
from dsscale.consistency import Operation
from dsscale.replication.abd import ABDClient, ABDReplica
from dsscale.replication.chain import ChainClient, ChainReplica
from dsscale.replication.client import Client
from dsscale.replication.config import ConfigMaster
from dsscale.replication.config_raft import LeaseRule, build_config_service
from dsscale.replication.primary_backup import PBClient, PBReplica
from dsscale.replication.quorum_store import QuorumClient, QuorumConfig, QuorumReplica
from dsscale.replication.raft.cluster import VARIANTS as RAFT_VARIANTS
from dsscale.replication.raft.cluster import build_raft
from dsscale.sim import Link, Network

__all__ = ["PROTOCOLS", "Builder", "DeployOptions", "Deployment", "ProtocolSpec",
           "deploy", "get_protocol", "raft_builder", "replica_ids"]

Plan = Sequence[tuple[float, tuple[Any, ...]]]
ClientFactory = Callable[[str, Plan, list[Operation]], Client]


@dataclass
class Deployment:
    """What a campaign needs to know about a running deployment."""

    replicas: tuple[str, ...]  # may crash
    others: tuple[str, ...]  # e.g. the master: never crashes, may be partitioned
    make_client: ClientFactory
    control: tuple[str, ...] = ()  # configuration servers: may crash, restart


@dataclass(frozen=True)
class DeployOptions:
    """Changes to a protocol's defaults, for experiments.

    ``retry``: the retransmission interval of replicas and clients (``None``:
    each class's default; a huge value turns retransmission off on a lossless
    network). ``control_link``: the link between the configuration master and
    each replica, both ways (``None``: the network's default link).
    """

    retry: float | None = None
    control_link: Link | None = None

    def retry_option(self) -> dict[str, float]:
        return {} if self.retry is None else {"retry": self.retry}


NO_OPTIONS = DeployOptions()

Builder = Callable[[Network, list[str], int, DeployOptions], Deployment]
"""``build(net, client_ids, num_replicas, options)`` adds the protocol's servers."""


@dataclass(frozen=True)
class ProtocolSpec:
    """A named configuration and the guarantee it claims."""

    name: str
    linearizable: bool  # promises linearizability and no lost acknowledged write
    promise: str
    build: Builder


def replica_ids(num_replicas: int) -> tuple[str, ...]:
    """The node ids ``r0 .. r{n-1}`` every builder gives its replicas."""
    return tuple(f"r{i}" for i in range(check_int("num_replicas", num_replicas, 1)))


def _majority(num_replicas: int) -> int:
    return num_replicas // 2 + 1


def _configured(replica_cls: type, client_cls: type, **fixed: Any) -> Builder:
    def build(net: Network, client_ids: list[str], num_replicas: int,
              options: DeployOptions = NO_OPTIONS) -> Deployment:
        members = replica_ids(num_replicas)
        net.add(ConfigMaster("m", members, client_ids))
        retry = options.retry_option()
        net.add(*(replica_cls(r, members, "m", **fixed, **retry) for r in members))
        if options.control_link is not None:
            for r in members:
                net.set_link("m", r, options.control_link)
                net.set_link(r, "m", options.control_link)

        def make_client(cid: str, plan: Plan, history: list[Operation]) -> Client:
            client: Client = client_cls(cid, plan, history, members, **retry)
            return client
        return Deployment(members, ("m",), make_client)
    return build


def _raft_configured(replica_cls: type, client_cls: type, *,
                     lease_rule: LeaseRule = "horizon", **fixed: Any) -> Builder:
    """Like :func:`_configured`, with the configuration service of
    :mod:`~dsscale.replication.config_raft` (three Raft servers) as master."""
    def build(net: Network, client_ids: list[str], num_replicas: int,
              options: DeployOptions = NO_OPTIONS) -> Deployment:
        members = replica_ids(num_replicas)
        servers = build_config_service(
            net, members, client_ids, lease_rule=lease_rule)
        retry = options.retry_option()
        net.add(*(replica_cls(r, members, **fixed, **retry) for r in members))
        if options.control_link is not None:
            for m in servers:
                for r in members:
                    net.set_link(m, r, options.control_link)
                    net.set_link(r, m, options.control_link)

        def make_client(cid: str, plan: Plan, history: list[Operation]) -> Client:
            client: Client = client_cls(cid, plan, history, members, **retry)
            return client
        return Deployment(members, (), make_client, control=servers)
    return build


def _quorum(make_config: Callable[[int], QuorumConfig] | None,
            write_back: bool = True, spare_nodes: int = 0) -> Builder:
    """ABD (``make_config=None``) or a quorum store configured for ``n``."""
    def build(net: Network, client_ids: list[str], num_replicas: int,
              options: DeployOptions = NO_OPTIONS) -> Deployment:
        if options.control_link is not None:
            raise ValueError("control_link needs a protocol with a configuration "
                             "master (pb-sync, pb-async, chain)")
        nodes = replica_ids(num_replicas + spare_nodes)
        config = None if make_config is None else make_config(num_replicas)
        retry = options.retry_option()
        if config is None:
            net.add(*(ABDReplica(r) for r in nodes))
        else:
            net.add(*(QuorumReplica(r) for r in nodes))

        def make_client(cid: str, plan: Plan, history: list[Operation]) -> Client:
            if config is None:
                return ABDClient(cid, plan, history, nodes, write_back=write_back,
                                 **retry)
            return QuorumClient(cid, plan, history, nodes, config, **retry)
        return Deployment(nodes, (), make_client)
    return build


def raft_builder(variant: str = "raft") -> Builder:
    """Build the Raft ``variant`` (a name in ``raft.cluster.VARIANTS``) on
    ``num_replicas`` voting servers; every server may crash; the only other
    node is the administrator of ``raft-membership``. ``retry`` of
    :class:`DeployOptions` is not used: Raft's timers are its options."""
    def build(net: Network, client_ids: list[str], num_replicas: int,
              options: DeployOptions = NO_OPTIONS) -> Deployment:
        if options.control_link is not None:
            raise ValueError("control_link needs a protocol with a configuration "
                             "master (pb-sync, pb-async, chain)")
        servers, others, make_client = build_raft(net, variant, num_replicas)
        return Deployment(servers, others, make_client)
    return build


PROTOCOLS: dict[str, ProtocolSpec] = {p.name: p for p in [
    ProtocolSpec("pb-sync", True, "linearizable; no acknowledged write lost",
             _configured(PBReplica, PBClient, sync=True)),
    ProtocolSpec("pb-async", False, "none: failover loses acknowledged writes",
             _configured(PBReplica, PBClient, sync=False)),
    ProtocolSpec("chain", True, "linearizable; no acknowledged write lost",
             _configured(ChainReplica, ChainClient)),
    ProtocolSpec("abd", True, "linearizable; no acknowledged write lost",
             _quorum(None)),
    ProtocolSpec("abd-no-writeback", False, "none: reads can invert (new, then old)",
             _quorum(None, write_back=False)),
    ProtocolSpec("quorum", True, "linearizable (R+W>N, synchronous read repair)",
             _quorum(lambda n: QuorumConfig(n, _majority(n), _majority(n),
                                            sync_read_repair=True))),
    ProtocolSpec("quorum-partial", False, "eventual consistency only (R+W<=N)",
             _quorum(lambda n: QuorumConfig(n, 1, 1, sync_read_repair=False))),
    ProtocolSpec("quorum-sloppy", False,
             "eventual consistency only (sloppy quorums need not intersect)",
             _quorum(lambda n: QuorumConfig(n, _majority(n), _majority(n),
                                            sync_read_repair=True, sloppy=True),
                     spare_nodes=2)),
    *(ProtocolSpec(v.name, v.linearizable, v.promise, raft_builder(v.name))
      for v in RAFT_VARIANTS.values()),
    ProtocolSpec("pb-sync-raftconf", True,
             "linearizable; no acknowledged write lost (master replicated with Raft)",
             _raft_configured(PBReplica, PBClient, sync=True)),
    ProtocolSpec("pb-async-raftconf", False,
             "none: failover loses acknowledged writes (master replicated with Raft)",
             _raft_configured(PBReplica, PBClient, sync=False)),
    ProtocolSpec("chain-raftconf", True,
             "linearizable; no acknowledged write lost (master replicated with Raft)",
             _raft_configured(ChainReplica, ChainClient)),
    ProtocolSpec("chain-raftconf-no-lease-wait", False,
             "none: a new configuration leader ignores its predecessors' leases",
             _raft_configured(ChainReplica, ChainClient, lease_rule="ignore")),
    ProtocolSpec("chain-raftconf-office-wait", False,
             "none: a new configuration leader waits one lease, but a deposed "
             "leader keeps granting leases",
             _raft_configured(ChainReplica, ChainClient, lease_rule="office-wait")),
]}


def get_protocol(name: str) -> ProtocolSpec:
    """The :class:`ProtocolSpec` called ``name``; a clear error for any other name."""
    if not isinstance(name, str) or name not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, "
                         f"got {name!r}")
    return PROTOCOLS[name]


def deploy(protocol: str, net: Network, plans: Mapping[str, Plan],
           num_replicas: int = 3, *, retry: float | None = None,
           control_link: Link | None = None) -> list[Operation]:
    """Build the named protocol on ``net`` with one client per entry of ``plans``.

    ``plans`` maps a client id to its ``[(delay, input), ...]`` plan; every
    client records into the returned history, which fills as ``net`` runs.
    The servers are ``r0 .. r{num_replicas-1}`` (plus ``m``, the master, for
    the configured protocols, or ``m0, m1, m2`` for the ``-raftconf`` ones);
    the clients are ``net.nodes[client_id]``.
    ``retry`` and ``control_link`` are :class:`DeployOptions`.
    """
    options = DeployOptions(retry, control_link)
    deployment = get_protocol(protocol).build(net, list(plans), num_replicas,
                                              options)
    history: list[Operation] = []
    net.add(*(deployment.make_client(cid, plan, history)
              for cid, plan in plans.items()))
    return history
