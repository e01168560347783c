"""Raft deployments on a simulated network, and the named variants.

:func:`build_raft` puts ``num_replicas`` servers ``r0, r1, ...`` on a
:class:`~dsscale.sim.Network` and returns a factory of recording clients;
:mod:`dsscale.replication.deploy` wraps it into the protocols that
``dsscale faults`` runs. Everything random about a deployment -- each
server's clock rate and election timeouts, each client's choices -- is drawn
from the network's seed, so a seed replays exactly.

Each unsafe variant changes one thing:

========================  ==================================================
variant                   what is changed
========================  ==================================================
``raft``                  nothing: ReadIndex reads
``raft-lease``            nothing unsafe: lease reads, lease shortened for drift
``raft-lazy-noop``        nothing unsafe: no no-op on election (the paper's Raft)
``raft-figure8``          ``raft-lazy-noop`` whose commit rule counts replicas of
                          entries of *any* term
``raft-forget-vote``      ``voted_for`` is not durable
``raft-lease-no-drift``   the lease assumes perfect clocks (``rho = 0``)
``raft-read-any``         any server answers reads from its own state
========================  ==================================================
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dsscale._validate import check_int
from dsscale.consistency import Operation
from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.clock import clock_rates
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import Rules, commit_by_counting
from dsscale.replication.raft.server import ForgetfulRaftServer, RaftServer
from dsscale.sim import Network

__all__ = ["VARIANTS", "RaftVariant", "build_raft", "derived_rng"]

Plan = Sequence[tuple[float, tuple[Any, ...]]]
ClientFactory = Callable[[str, Plan, list[Operation]], RaftClient]


@dataclass(frozen=True)
class RaftVariant:
    """A named Raft configuration and what it promises."""

    name: str
    linearizable: bool
    promise: str
    options: RaftOptions = field(default_factory=RaftOptions)
    server_cls: type[RaftServer] = RaftServer
    read_any: bool = False
    worst_case_clocks: bool = False  # r0 at 1 - rho, the others at 1 + rho


# Leases pay off when the election timeout is long next to a round trip, and
# drift matters when it is large: the lease deployments use both, and the
# worst clocks the bound allows (a slow leader, fast followers).
LEASE_OPTIONS = RaftOptions(reads="lease", election_timeout=(40.0, 60.0), drift_bound=0.3)

VARIANTS: dict[str, RaftVariant] = {v.name: v for v in [
    RaftVariant("raft", True, "linearizable (ReadIndex reads); no acked write lost"),
    RaftVariant("raft-lease", True,
                "linearizable (lease reads, shortened by the drift bound)",
                LEASE_OPTIONS, worst_case_clocks=True),
    RaftVariant("raft-lazy-noop", True,
                "linearizable; a new leader adds a no-op only when a read needs it",
                RaftOptions(eager_noop=False)),
    RaftVariant("raft-figure8", False,
                "none: commits old-term entries by counting (Raft paper, Fig. 8)",
                RaftOptions(eager_noop=False,
                            rules=Rules(advance_commit_index=commit_by_counting))),
    RaftVariant("raft-forget-vote", False,
                "none: may vote twice in a term after a restart",
                server_cls=ForgetfulRaftServer),
    RaftVariant("raft-lease-no-drift", False,
                "none: lease ignores clock drift, stale reads",
                replace(LEASE_OPTIONS, lease_drift_bound=0.0), worst_case_clocks=True),
    RaftVariant("raft-read-any", False, "none: followers answer reads, stale",
                RaftOptions(reads="any"), read_any=True),
]}


def derived_rng(seed: int, *labels: str) -> np.random.Generator:
    """A generator determined by ``seed`` and ``labels`` (stable across processes,
    unlike ``hash``)."""
    return np.random.default_rng([seed] + [zlib.crc32(s.encode()) for s in labels])


def build_raft(net: Network, variant: RaftVariant | str = "raft",
               num_replicas: int = 3, *, members: Sequence[str] | None = None
               ) -> tuple[tuple[str, ...], ClientFactory]:
    """Add a Raft cluster of ``num_replicas`` servers to ``net``.

    Parameters
    ----------
    net : Network
        The network; its seed determines clock rates and timeouts.
    variant : RaftVariant or str
        A configuration, or a name in :data:`VARIANTS`.
    num_replicas : int
        Servers ``r0 .. r{n-1}``.
    members : sequence of str, optional
        The initial voting configuration (default: all servers); the others
        start as spares, waiting to be added by a membership change.

    Returns
    -------
    (servers, make_client)
        The server names, and ``make_client(client_id, plan, history)``.
    """
    if isinstance(variant, str):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, "
                             f"got {variant!r}")
        variant = VARIANTS[variant]
    n = check_int("num_replicas", num_replicas, 1)
    names = tuple(f"r{i}" for i in range(n))
    voters = names if members is None else tuple(members)
    if not voters or not set(voters) <= set(names):
        raise ValueError(f"members must be a non-empty subset of {names}, got {voters}")
    options = variant.options
    rho = options.drift_bound
    if variant.worst_case_clocks:
        rates: tuple[float, ...] = (1.0 - rho,) + (1.0 + rho,) * (n - 1)
    else:
        rates = clock_rates(n, rho, derived_rng(net.seed, "raft-clocks"))
    net.add(*(variant.server_cls(name, voters if name in voters else (), options,
                                 rate, derived_rng(net.seed, "raft", name))
              for name, rate in zip(names, rates)))

    def make_client(client_id: str, plan: Plan, history: list[Operation]) -> RaftClient:
        return RaftClient(client_id, plan, history, names, retry=options.client_retry,
                          op_timeout=options.client_timeout, read_any=variant.read_any,
                          rng=derived_rng(net.seed, "client", client_id))
    return names, make_client
