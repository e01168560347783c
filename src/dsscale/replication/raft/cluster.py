"""Raft deployments on a simulated network, and the named variants.

:func:`build_raft` puts ``num_replicas`` servers ``r0, r1, ...`` on a
:class:`~dsscale.sim.Network` and returns a factory of recording clients;
:mod:`dsscale.replication.protocols` wraps it into the protocols that
``dsscale faults`` runs. Everything random about a deployment -- each
server's clock rate and election timeouts, each client's choices -- is drawn
from the network's seed, so a seed replays exactly.

Each unsafe variant changes one thing:

========================  ==================================================
variant                   what is changed
========================  ==================================================
``raft``                  nothing: ReadIndex reads
``raft-lease``            nothing unsafe: lease reads, lease shortened for drift
``raft-lazy-noop``        nothing unsafe: no no-op on election (Figure 2's rules;
                          the paper's section 8 adds the no-op)
``raft-figure8``          ``raft-lazy-noop`` whose commit rule counts replicas of
                          entries of *any* term
``raft-forget-vote``      ``voted_for`` is not durable
``raft-lease-no-drift``   the lease assumes perfect clocks (``rho = 0``)
``raft-read-any``         any server answers reads from its own state
``raft-membership``       nothing unsafe: two spare servers, and an
                          administrator who keeps swapping servers in and out
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
from dsscale.replication.raft.admin import RaftAdmin
from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.clock import clock_rates
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import Rules, commit_by_counting
from dsscale.replication.raft.server import ForgetfulRaftServer, RaftServer
from dsscale.sim import Network

__all__ = ["VARIANTS", "RaftVariant", "build_raft", "derived_rng", "rotation"]

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
    spares: int = 0  # extra servers, and an administrator who rotates them in


# Leases pay off when the election timeout is long next to a round trip, and
# drift matters when it is large: the lease deployments use both, and the
# worst clocks the bound allows (a slow leader, fast followers).
LEASE_OPTIONS = RaftOptions(reads="lease", election_timeout=(40.0, 60.0),
                            drift_bound=0.3)

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
    RaftVariant("raft-membership", True,
                "linearizable while servers are added and removed one at a time",
                spares=2),
]}


def rotation(num_voters: int, spares: int, num_changes: int) -> list[tuple[str, str]]:
    """Membership changes that keep ``num_voters`` voters between changes:
    add a spare, remove the oldest voter, add the next spare, ...

    >>> rotation(3, 2, 6)  # doctest: +NORMALIZE_WHITESPACE
    [('add', 'r3'), ('remove', 'r0'), ('add', 'r4'), ('remove', 'r1'),
     ('add', 'r0'), ('remove', 'r2')]
    """
    voters = [f"r{i}" for i in range(num_voters)]
    waiting = [f"r{i}" for i in range(num_voters, num_voters + spares)]
    changes: list[tuple[str, str]] = []
    while len(changes) < num_changes and waiting:
        new = waiting.pop(0)
        changes.append(("add", new))
        voters.append(new)
        if len(changes) < num_changes:
            old = voters.pop(0)
            changes.append(("remove", old))
            waiting.append(old)
    return changes


def derived_rng(seed: int, *labels: str) -> np.random.Generator:
    """A generator determined by ``seed`` and ``labels`` (stable across processes,
    unlike ``hash``)."""
    return np.random.default_rng([seed] + [zlib.crc32(s.encode()) for s in labels])


def build_raft(net: Network, variant: RaftVariant | str = "raft",
               num_replicas: int = 3, *, members: Sequence[str] | None = None
               ) -> tuple[tuple[str, ...], tuple[str, ...], ClientFactory]:
    """Add a Raft cluster of ``num_replicas`` servers to ``net``.

    Parameters
    ----------
    net : Network
        The network; its seed determines clock rates and timeouts.
    variant : RaftVariant or str
        A configuration, or a name in :data:`VARIANTS`.
    num_replicas : int
        Voting servers ``r0 .. r{n-1}``; a variant with ``spares`` adds as many
        servers after them, and an administrator ``"admin"`` that rotates
        servers in and out (:func:`rotation`) every few time units.
    members : sequence of str, optional
        The initial voting configuration (default: the first
        ``num_replicas``); the other servers start as spares, waiting to be
        added by a membership change.

    Returns
    -------
    (servers, others, make_client)
        The server names, the other nodes (the administrator, if any), and
        ``make_client(client_id, plan, history)``.
    """
    if isinstance(variant, str):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, "
                             f"got {variant!r}")
        variant = VARIANTS[variant]
    n = check_int("num_replicas", num_replicas, 1)
    names = tuple(f"r{i}" for i in range(n + variant.spares))
    voters = names[:n] if members is None else tuple(members)
    if not voters or not set(voters) <= set(names):
        raise ValueError(f"members must be a non-empty subset of {names}, got {voters}")
    options = variant.options
    rho = options.drift_bound
    if variant.worst_case_clocks:
        rates: tuple[float, ...] = (1.0 - rho,) + (1.0 + rho,) * (len(names) - 1)
    else:
        rates = clock_rates(len(names), rho, derived_rng(net.seed, "raft-clocks"))
    net.add(*(variant.server_cls(name, voters if name in voters else (), options,
                                 rate, derived_rng(net.seed, "raft", name))
              for name, rate in zip(names, rates, strict=True)))
    others: tuple[str, ...] = ()
    if variant.spares:
        gaps = derived_rng(net.seed, "admin").uniform(5.0, 20.0, size=4 * n)
        plan = list(zip(gaps.tolist(), rotation(n, variant.spares, 4 * n),
                        strict=False))  # rotation may end early
        net.add(RaftAdmin("admin", names, plan))
        others = ("admin",)

    def make_client(client_id: str, plan: Plan, history: list[Operation]) -> RaftClient:
        return RaftClient(client_id, plan, history, names, retry=options.client_retry,
                          op_timeout=options.client_timeout, read_any=variant.read_any,
                          rng=derived_rng(net.seed, "client", client_id))
    return names, others, make_client
