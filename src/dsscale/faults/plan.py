"""A seed's fault schedule: what may go wrong in one run, and when.

:class:`FaultPlan` bounds how violent a schedule may be; :func:`schedule_faults`
draws one schedule from a seeded generator and puts it on a simulated
network's timeline: lossy, duplicating and slow links, replica and client
crashes with restarts, partitions into two random sides, and one-way cuts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float, check_int
from dsscale.replication.protocols import Deployment
from dsscale.sim import ExponentialDelay, Link, Network

__all__ = ["FaultPlan", "schedule_faults"]


@dataclass(frozen=True)
class FaultPlan:
    """How violent a seed's fault schedule may be.

    Each seed draws, within these bounds: a loss and a duplication
    probability for every link; up to ``max_crashes`` crashes of random
    replicas or configuration servers (``Deployment.control``), each
    restarted (with durable state) after a random downtime; up to
    ``max_partitions`` partitions into two random sides (clients and the
    master included), healed after a random duration; and up to
    ``max_blocks`` one-way link cuts. Faults start within ``[0, window]``.
    ``nemesis``, if given, is called last as ``nemesis(net, deployment, rnd,
    active)`` to add targeted faults (e.g. :mod:`dsscale.replication.raft.nemesis`);
    it must act only while ``active[0]`` is true.
    """

    window: float = 60.0
    max_loss: float = 0.08
    max_duplicate: float = 0.08
    max_crashes: int = 2
    max_client_crashes: int = 1
    max_partitions: int = 2
    max_blocks: int = 1
    downtime: tuple[float, float] = (5.0, 40.0)
    partition_length: tuple[float, float] = (5.0, 30.0)
    mean_delay: float = 1.5
    slow_links: float = 0.2
    slowdown: float = 5.0
    nemesis: Callable[[Network, Deployment, random.Random, list[bool]], None] | None \
        = None

    def __post_init__(self) -> None:
        check_float("window", self.window, 0.0)
        check_float("max_loss", self.max_loss, 0.0, 1.0)
        check_float("max_duplicate", self.max_duplicate, 0.0, 1.0)
        check_int("max_crashes", self.max_crashes, 0)
        check_int("max_client_crashes", self.max_client_crashes, 0)
        check_int("max_partitions", self.max_partitions, 0)
        check_int("max_blocks", self.max_blocks, 0)
        check_float("mean_delay", self.mean_delay, 0.0, strict_min=True)
        check_float("slow_links", self.slow_links, 0.0, 1.0)
        check_float("slowdown", self.slowdown, 1.0)
        if self.nemesis is not None and not callable(self.nemesis):
            raise TypeError("nemesis must be callable or None")


def schedule_faults(net: Network, dep: Deployment, clients: Sequence[str],
                     rnd: random.Random, plan: FaultPlan,
                     active: list[bool]) -> None:
    """Draw this seed's faults and put them on the network's timeline."""
    loss = rnd.uniform(0.0, plan.max_loss)
    duplicate = rnd.uniform(0.0, plan.max_duplicate)
    net.default_link = Link(ExponentialDelay(plan.mean_delay, 0.5), loss, duplicate)
    crashable = list(dep.replicas) + list(dep.control)  # configuration servers too
    everyone = list(dep.replicas) + list(dep.control) + list(dep.others) + list(clients)
    slow = Link(ExponentialDelay(plan.mean_delay * plan.slowdown, 0.5), loss, duplicate)
    for src in everyone:  # a few slow links: heterogeneous, reordering network
        for dst in everyone:
            if src != dst and rnd.random() < plan.slow_links:
                net.set_link(src, dst, slow)

    def when_active(action: Any) -> Any:
        return lambda: action() if active[0] else None

    for _ in range(rnd.randint(0, plan.max_crashes)):
        node = crashable[rnd.randrange(len(crashable))]
        start = rnd.uniform(0.0, plan.window)
        net.at(start, when_active(lambda n=node: net.crash(n)))
        net.at(start + rnd.uniform(*plan.downtime),
               when_active(lambda n=node: net.restart(n, keep_durable=True)))
    for _ in range(rnd.randint(0, plan.max_client_crashes)):
        node = clients[rnd.randrange(len(clients))]
        start = rnd.uniform(0.0, plan.window)
        net.at(start, when_active(lambda n=node: net.crash(n)))
        net.at(start + rnd.uniform(*plan.downtime),
               when_active(lambda n=node: net.restart(n, keep_durable=True)))
    t = 0.0
    for _ in range(rnd.randint(0, plan.max_partitions)):
        side = [rnd.random() < 0.5 for _ in everyone]
        a = [n for n, s in zip(everyone, side, strict=True) if s]
        b = [n for n, s in zip(everyone, side, strict=True) if not s]
        t += rnd.uniform(0.0, plan.window / 2)
        if a and b:
            net.at(t, when_active(lambda a=a, b=b: net.partition(a, b)))
            t += rnd.uniform(*plan.partition_length)
            net.at(t, when_active(net.heal))
    for _ in range(rnd.randint(0, plan.max_blocks)):
        src, dst = rnd.sample(everyone, 2)
        start = rnd.uniform(0.0, plan.window)
        net.at(start, when_active(lambda s=src, d=dst: net.block(s, d)))
        net.at(start + rnd.uniform(*plan.partition_length), when_active(net.heal))
    if plan.nemesis is not None:
        plan.nemesis(net, dep, rnd, active)
