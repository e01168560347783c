"""Fault campaigns: many seeded runs of a protocol under crashes and partitions.

For each seed, :func:`run_seed` builds the protocol on a fresh
:class:`~dsscale.sim.Network`, lets a few clients run a workload
(:data:`~dsscale.replication.client.WORKLOAD_SHAPES`) while a fault schedule
drawn from the same seed (:mod:`dsscale.faults.plan`) strikes, then heals
everything, lets the system quiesce, reads every key through the protocol and
checks the history (:mod:`dsscale.faults.properties`). The final read of a key
is retried (as fresh reads) until one succeeds; if none does within three
tries, the seed counts a ``final-read-unavailable`` violation.
:func:`run_campaign` tallies many seeds; :func:`replay` re-runs one exactly,
with its trace, and ``shrink_history(result.history, KVModel())`` cuts a
failing history down to the operations that show why.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from dsscale._validate import check_int
from dsscale.consistency import CheckResult, Operation
from dsscale.faults.plan import FaultPlan, schedule_faults
from dsscale.faults.properties import Violation, check_history
from dsscale.replication.client import WORKLOAD_SHAPES, Workload, workload_shape
from dsscale.replication.protocols import Deployment, DeployOptions, get_protocol
from dsscale.sim import ExponentialDelay, Link, Network

__all__ = ["CampaignSummary", "SeedResult", "replay", "run_campaign", "run_seed"]


@dataclass
class SeedResult:
    """Everything one seeded run produced."""

    protocol: str
    seed: int
    history: list[Operation]
    violations: list[Violation]
    network: Network
    check: CheckResult | None = None
    final_reads: list[Operation] = field(default_factory=list)
    """The closing reads, one per key that could be read; also the last
    entries of ``history``."""

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def workload_history(self) -> list[Operation]:
        """``history`` without the closing reads: what the clients did."""
        return self.history[:len(self.history) - len(self.final_reads)]


def run_seed(protocol: str, seed: int, *, workload: Workload | str | None = None,
             faults: FaultPlan | None = None, num_replicas: int = 3,
             trace: bool = False, time_limit: float = 400.0,
             quiesce: float = 40.0) -> SeedResult:
    """Run one seeded fault schedule of ``protocol`` and check the history.

    ``workload`` is a :class:`Workload` or the name of one in
    :data:`~dsscale.replication.client.WORKLOAD_SHAPES` (default ``"unique"``);
    ``faults`` defaults to :class:`FaultPlan()`; ``num_replicas`` is passed to
    the protocol's builder; ``trace`` records every event (for :func:`replay`).
    """
    workload = _as_workload(workload)
    faults = FaultPlan() if faults is None else faults
    spec = get_protocol(protocol)
    seed = check_int("seed", seed, 0)
    num_replicas = check_int("num_replicas", num_replicas, 1)
    net = Network(seed, trace=trace)
    rnd = random.Random(f"{seed}/workload-and-faults")
    plans = workload.generate(rnd)
    history: list[Operation] = []
    readers = [f"final{k}.{attempt}" for k in range(len(workload.keys))
               for attempt in range(3)]
    dep = spec.build(net, list(plans) + readers, num_replicas, DeployOptions())
    clients = [dep.make_client(cid, plan, history) for cid, plan in plans.items()]
    net.add(*clients)
    active = [True]
    schedule_faults(net, dep, list(plans), rnd, faults, active)
    net.run(until=time_limit, stop=lambda: all(c.done for c in clients))
    for client in clients:  # past the time limit: open operations are pending
        client.stop()
    active[0] = False
    _quiesce(net, dep, faults, quiesce)
    finals, violations = _final_reads(net, dep, workload.keys)
    found, check = check_history(history, finals)
    return SeedResult(protocol, seed, history + finals, violations + found, net, check,
                      finals)


def _quiesce(net: Network, dep: Deployment, faults: FaultPlan, quiesce: float) -> None:
    """Heal every partition, restart every replica and configuration server,
    calm the links, wait."""
    net.heal()
    for node_id in dep.replicas + dep.control:
        net.restart(node_id, keep_durable=True)
    net.default_link = Link(ExponentialDelay(faults.mean_delay, 0.5))
    net.links.clear()  # no more slow or lossy links
    net.run(until=net.now + quiesce)


def _final_reads(net: Network, dep: Deployment, keys: Iterable[str]
                 ) -> tuple[list[Operation], list[Violation]]:
    """Read every key through the protocol, up to three tries each."""
    finals: list[Operation] = []
    violations = []
    for k, key in enumerate(keys):
        got: list[Operation] = []
        for attempt in range(3):
            # waits 6 time units first, to hear where to send (ConfigNotice)
            reader = dep.make_client(f"final{k}.{attempt}", [(6.0, ("get", key))],
                                     got)
            net.add(reader)
            net.run(until=net.now + 100.0, stop=lambda r=reader: r.done)  # type: ignore[misc]
            done = [op for op in got if not op.pending]
            if done:
                finals.append(done[0])
                break
        else:
            violations.append(Violation("final-read-unavailable",
                                        f"no final read of {key!r} succeeded"))
    return finals, violations


def _as_workload(workload: Workload | str | None) -> Workload:
    if workload is None:
        return WORKLOAD_SHAPES["unique"]
    if isinstance(workload, str):
        return workload_shape(workload)
    if not isinstance(workload, Workload):
        raise TypeError(f"workload must be a Workload or a shape name, "
                        f"got {type(workload).__name__}")
    return workload


def replay(protocol: str, seed: int, **options: Any) -> SeedResult:
    """Re-run one seed exactly, with the full trace recorded."""
    options.setdefault("trace", True)
    return run_seed(protocol, seed, **options)


@dataclass
class CampaignSummary:
    """What a campaign found."""

    protocol: str
    promise: str
    claims_linearizable: bool
    seeds_run: int
    operations: int
    workload: str = "unique"
    num_replicas: int = 3
    violations: dict[str, int] = field(default_factory=dict)
    failing_seeds: list[int] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def first_failing_seed(self) -> int | None:
        return self.failing_seeds[0] if self.failing_seeds else None

    @property
    def ok(self) -> bool:
        return not self.failing_seeds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"first_failing_seed": self.first_failing_seed}

    def __str__(self) -> str:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.violations.items()))
        return "\n".join([
            f"protocol            {self.protocol} (promises: {self.promise})",
            f"workload            {self.workload}, {self.num_replicas} replicas",
            f"seeds run           {self.seeds_run}",
            f"operations          {self.operations}",
            f"violations          {sum(self.violations.values())}"
            + (f" ({kinds})" if kinds else ""),
            f"failing seeds       {len(self.failing_seeds)}",
            f"first failing seed  {self.first_failing_seed}",
            f"time                {self.elapsed:.1f} s",
        ])


def run_campaign(protocol: str, seeds: int | Iterable[int], *, start_seed: int = 0,
                 stop_at_first: bool = False, progress: bool = False,
                 **options: Any) -> CampaignSummary:
    """Run ``protocol`` under many seeded fault schedules and tally violations.

    Parameters
    ----------
    protocol : str
        A name from :data:`dsscale.replication.protocols.PROTOCOLS`.
    seeds : int or iterable of int
        How many seeds (``start_seed, start_seed + 1, ...``), or which.
    stop_at_first : bool
        Stop at the first failing seed.
    progress : bool
        Show a tqdm progress bar.
    **options
        Passed to :func:`run_seed` (``workload``, ``faults``, ...).
    """
    spec = get_protocol(protocol)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        check_int("seeds", seeds, 1)
        start_seed = check_int("start_seed", start_seed, 0)
        seed_list = list(range(start_seed, start_seed + seeds))
    else:
        seed_list = [check_int("seed", s, 0) for s in seeds]  # type: ignore[union-attr]
        if not seed_list:
            raise ValueError("seeds must name at least one seed")
    shape = options.get("workload")
    summary = CampaignSummary(
        protocol, spec.promise, spec.linearizable, 0, 0,
        workload=shape if isinstance(shape, str) else
        ("unique" if shape is None else repr(shape)),
        num_replicas=check_int("num_replicas", options.get("num_replicas", 3), 1))
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    iterator: Iterable[int] = seed_list
    if progress:
        from tqdm import tqdm
        iterator = tqdm(seed_list, desc=protocol, unit="seed")
    for seed in iterator:
        result = run_seed(protocol, seed, **options)
        summary.seeds_run += 1
        summary.operations += len(result.history)
        if result.violations:
            summary.failing_seeds.append(seed)
            counts.update(v.kind for v in result.violations)
            if stop_at_first:
                break
    summary.violations = dict(counts)
    summary.elapsed = time.perf_counter() - started
    return summary
