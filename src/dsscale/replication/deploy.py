"""Named deployments of each protocol on a simulated network.

:data:`PROTOCOLS` maps a name (as used by ``dsscale faults``) to a
:class:`Protocol`: how to build replicas and clients on a
:class:`~dsscale.sim.Network`, and what the configuration promises.

=====================  ==============================================  =========
name                   configuration                                   promise
=====================  ==============================================  =========
``pb-sync``            primary-backup, write acked after every backup  linearizable
``pb-async``           primary-backup, write acked at once             none
``chain``              chain replication, reads at the tail            linearizable
``abd``                ABD register, majorities, read write-back       linearizable
``abd-no-writeback``   ABD without the read's write-back               none
``quorum``             N=3, R=2, W=2, synchronous read repair          linearizable
``quorum-partial``     N=3, R=1, W=1, asynchronous read repair         eventual
``quorum-sloppy``      5 nodes, N=3, R=2, W=2, sloppy + hinted handoff  eventual
``raft``               Raft, ReadIndex reads                           linearizable
``raft-lease``         Raft, lease reads shortened by the drift bound  linearizable
``raft-figure8``       Raft committing old-term entries by counting    none
``raft-forget-vote``   Raft whose ``voted_for`` is not durable         none
``raft-lease-no-drift``  Raft, lease ignores clock drift               none
``raft-read-any``      Raft, any server answers reads                  none
``raft-membership``    Raft, servers swapped in and out meanwhile      linearizable
=====================  ==============================================  =========

The Raft entries are built by :func:`raft_builder` (any number of replicas);
see :mod:`dsscale.replication.raft.cluster` for what each variant changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsscale.consistency import Operation
from dsscale.replication.abd import ABDClient, ABDReplica
from dsscale.replication.chain import ChainClient, ChainReplica
from dsscale.replication.client import Client
from dsscale.replication.config import ConfigMaster
from dsscale.replication.primary_backup import PBClient, PBReplica
from dsscale.replication.quorum_store import QuorumClient, QuorumConfig, QuorumReplica
from dsscale.replication.raft.cluster import VARIANTS as RAFT_VARIANTS
from dsscale.replication.raft.cluster import build_raft
from dsscale.sim import Network

__all__ = ["PROTOCOLS", "Deployment", "Protocol", "deploy", "get_protocol",
           "raft_builder"]

Plan = Sequence[tuple[float, tuple[Any, ...]]]
ClientFactory = Callable[[str, Plan, list[Operation]], Client]


@dataclass
class Deployment:
    """What a campaign needs to know about a running deployment."""

    replicas: tuple[str, ...]  # may crash
    others: tuple[str, ...]  # e.g. the master: never crashes, may be partitioned
    make_client: ClientFactory


@dataclass(frozen=True)
class Protocol:
    """A named configuration and the guarantee it claims."""

    name: str
    linearizable: bool  # promises linearizability and no lost acknowledged write
    promise: str
    build: Callable[[Network, list[str]], Deployment]


def _configured(replica_cls: type, client_cls: type, **options: Any
                ) -> Callable[[Network, list[str]], Deployment]:
    def build(net: Network, client_ids: list[str]) -> Deployment:
        members = ("r0", "r1", "r2")
        net.add(ConfigMaster("m", members, client_ids))
        net.add(*(replica_cls(r, members, "m", **options) for r in members))

        def make_client(cid: str, plan: Plan, history: list[Operation]) -> Client:
            return client_cls(cid, plan, history, members)  # type: ignore[no-any-return]
        return Deployment(members, ("m",), make_client)
    return build


def _quorum(num_nodes: int, config: QuorumConfig | None,
            write_back: bool = True) -> Callable[[Network, list[str]], Deployment]:
    def build(net: Network, client_ids: list[str]) -> Deployment:
        nodes = tuple(f"r{i}" for i in range(num_nodes))
        if config is None:
            net.add(*(ABDReplica(r) for r in nodes))
        else:
            net.add(*(QuorumReplica(r) for r in nodes))

        def make_client(cid: str, plan: Plan, history: list[Operation]) -> Client:
            if config is None:
                return ABDClient(cid, plan, history, nodes, write_back=write_back)
            return QuorumClient(cid, plan, history, nodes, config)
        return Deployment(nodes, (), make_client)
    return build


def raft_builder(variant: str = "raft", num_replicas: int = 3
                 ) -> Callable[[Network, list[str]], Deployment]:
    """Build the Raft ``variant`` (a name in ``raft.cluster.VARIANTS``) on
    ``num_replicas`` voting servers; every server may crash; the only other
    node is the administrator of ``raft-membership``."""
    def build(net: Network, client_ids: list[str]) -> Deployment:
        servers, others, make_client = build_raft(net, variant, num_replicas)
        return Deployment(servers, others, make_client)
    return build


PROTOCOLS: dict[str, Protocol] = {p.name: p for p in [
    Protocol("pb-sync", True, "linearizable; no acknowledged write lost",
             _configured(PBReplica, PBClient, sync=True)),
    Protocol("pb-async", False, "none: failover loses acknowledged writes",
             _configured(PBReplica, PBClient, sync=False)),
    Protocol("chain", True, "linearizable; no acknowledged write lost",
             _configured(ChainReplica, ChainClient)),
    Protocol("abd", True, "linearizable; no acknowledged write lost",
             _quorum(3, None)),
    Protocol("abd-no-writeback", False, "none: reads can invert (new, then old)",
             _quorum(3, None, write_back=False)),
    Protocol("quorum", True, "linearizable (R+W>N, synchronous read repair)",
             _quorum(3, QuorumConfig(3, 2, 2, sync_read_repair=True))),
    Protocol("quorum-partial", False, "eventual consistency only (R+W<=N)",
             _quorum(3, QuorumConfig(3, 1, 1, sync_read_repair=False))),
    Protocol("quorum-sloppy", False,
             "eventual consistency only (sloppy quorums need not intersect)",
             _quorum(5, QuorumConfig(3, 2, 2, sync_read_repair=True, sloppy=True))),
    *(Protocol(v.name, v.linearizable, v.promise, raft_builder(v.name))
      for v in RAFT_VARIANTS.values()),
]}


def get_protocol(name: str) -> Protocol:
    """The :class:`Protocol` called ``name``; a clear error for any other name."""
    if not isinstance(name, str) or name not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, "
                         f"got {name!r}")
    return PROTOCOLS[name]


def deploy(protocol: str, net: Network, plans: Mapping[str, Plan]
           ) -> list[Operation]:
    """Build the named protocol on ``net`` with one client per entry of ``plans``.

    ``plans`` maps a client id to its ``[(delay, input), ...]`` plan; every
    client records into the returned history, which fills as ``net`` runs.
    """
    deployment = get_protocol(protocol).build(net, list(plans))
    history: list[Operation] = []
    net.add(*(deployment.make_client(cid, plan, history)
              for cid, plan in plans.items()))
    return history
