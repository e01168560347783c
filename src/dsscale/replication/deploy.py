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
``quorum``             N=n, majority R and W, sync read repair         linearizable
``quorum-partial``     N=n, R=1, W=1, asynchronous read repair         eventual
``quorum-sloppy``      n+2 nodes, N=n, majorities, sloppy + hints      eventual
=====================  ==============================================  =========

Every builder takes the number of replicas ``n`` (``num_replicas``, default
3; ``dsscale faults --replicas``): the primary-backup and chain configurations
have ``n`` members, ABD and the quorum stores ``n`` storage nodes (the sloppy
store two more, as fallbacks).
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
from dsscale.replication.primary_backup import PBClient, PBReplica
from dsscale.replication.quorum_store import QuorumClient, QuorumConfig, QuorumReplica
from dsscale.sim import Network

__all__ = ["PROTOCOLS", "Builder", "Deployment", "Protocol", "deploy", "get_protocol",
           "replica_ids"]

Plan = Sequence[tuple[float, tuple[Any, ...]]]
ClientFactory = Callable[[str, Plan, list[Operation]], Client]


@dataclass
class Deployment:
    """What a campaign needs to know about a running deployment."""

    replicas: tuple[str, ...]  # may crash
    others: tuple[str, ...]  # e.g. the master: never crashes, may be partitioned
    make_client: ClientFactory


Builder = Callable[[Network, list[str], int], Deployment]
"""``build(net, client_ids, num_replicas)`` adds the protocol's servers to ``net``."""


@dataclass(frozen=True)
class Protocol:
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


def _configured(replica_cls: type, client_cls: type, **options: Any) -> Builder:
    def build(net: Network, client_ids: list[str], num_replicas: int) -> Deployment:
        members = replica_ids(num_replicas)
        net.add(ConfigMaster("m", members, client_ids))
        net.add(*(replica_cls(r, members, "m", **options) for r in members))

        def make_client(cid: str, plan: Plan, history: list[Operation]) -> Client:
            return client_cls(cid, plan, history, members)  # type: ignore[no-any-return]
        return Deployment(members, ("m",), make_client)
    return build


def _quorum(make_config: Callable[[int], QuorumConfig] | None,
            write_back: bool = True, spare_nodes: int = 0) -> Builder:
    """ABD (``make_config=None``) or a quorum store configured for ``n``."""
    def build(net: Network, client_ids: list[str], num_replicas: int) -> Deployment:
        nodes = replica_ids(num_replicas + spare_nodes)
        config = None if make_config is None else make_config(num_replicas)
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


PROTOCOLS: dict[str, Protocol] = {p.name: p for p in [
    Protocol("pb-sync", True, "linearizable; no acknowledged write lost",
             _configured(PBReplica, PBClient, sync=True)),
    Protocol("pb-async", False, "none: failover loses acknowledged writes",
             _configured(PBReplica, PBClient, sync=False)),
    Protocol("chain", True, "linearizable; no acknowledged write lost",
             _configured(ChainReplica, ChainClient)),
    Protocol("abd", True, "linearizable; no acknowledged write lost",
             _quorum(None)),
    Protocol("abd-no-writeback", False, "none: reads can invert (new, then old)",
             _quorum(None, write_back=False)),
    Protocol("quorum", True, "linearizable (R+W>N, synchronous read repair)",
             _quorum(lambda n: QuorumConfig(n, _majority(n), _majority(n),
                                            sync_read_repair=True))),
    Protocol("quorum-partial", False, "eventual consistency only (R+W<=N)",
             _quorum(lambda n: QuorumConfig(n, 1, 1, sync_read_repair=False))),
    Protocol("quorum-sloppy", False,
             "eventual consistency only (sloppy quorums need not intersect)",
             _quorum(lambda n: QuorumConfig(n, _majority(n), _majority(n),
                                            sync_read_repair=True, sloppy=True),
                     spare_nodes=2)),
]}


def get_protocol(name: str) -> Protocol:
    """The :class:`Protocol` called ``name``; a clear error for any other name."""
    if not isinstance(name, str) or name not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, "
                         f"got {name!r}")
    return PROTOCOLS[name]


def deploy(protocol: str, net: Network, plans: Mapping[str, Plan],
           num_replicas: int = 3) -> list[Operation]:
    """Build the named protocol on ``net`` with one client per entry of ``plans``.

    ``plans`` maps a client id to its ``[(delay, input), ...]`` plan; every
    client records into the returned history, which fills as ``net`` runs.
    The servers are ``r0 .. r{num_replicas-1}`` (see the module docstring).
    """
    deployment = get_protocol(protocol).build(net, list(plans), num_replicas)
    history: list[Operation] = []
    net.add(*(deployment.make_client(cid, plan, history)
              for cid, plan in plans.items()))
    return history
