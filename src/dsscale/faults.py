"""Fault campaigns: many seeded runs of a protocol under crashes and partitions.

For each seed, :func:`run_seed` builds the protocol on a fresh
:class:`~dsscale.sim.Network`, lets a few clients do random reads and writes
while a fault schedule drawn from the same seed crashes and restarts replicas
(with their durable state), partitions the network, cuts single links one way,
and loses and duplicates messages. Then it heals everything, lets the system
quiesce, performs a *final read* of every key, and checks two properties:

**No acknowledged write is lost.** Written values are unique, so the final
read of a key names the write ``s`` it observed (or the initial value). A
write ``w`` that was acknowledged is *lost* if ``s`` is the initial value, or
if ``s`` returned to its client before ``w`` was even called -- then ``w``
followed ``s`` in real time, yet the system ended on the older value. A write
that never returned may legitimately land anywhere. The final read is
retried (as fresh reads) until one succeeds; if none does within three tries,
the seed counts a ``final-read-unavailable`` violation.

**Linearizability.** The whole history, final read included, is checked with
:func:`~dsscale.consistency.check_linearizable` against
:class:`~dsscale.consistency.KVModel`.

Every protocol is held to both properties, whatever it promises (see
:mod:`dsscale.replication.deploy`): for the unsafe configurations the
campaign's job is to *find* the violation. The command ``dsscale faults``
exits with 0 when no violation was found and 1 when one was.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from dsscale._validate import check_float, check_int
from dsscale.consistency import CheckResult, KVModel, Operation, check_linearizable
from dsscale.replication.client import Workload
from dsscale.replication.deploy import PROTOCOLS, Deployment, get_protocol
from dsscale.sim import ExponentialDelay, Link, Network

__all__ = [
    "CampaignSummary",
    "FaultPlan",
    "SeedResult",
    "Violation",
    "checkable",
    "lost_writes",
    "register",
    "replay",
    "run_campaign",
    "run_seed",
]


@dataclass(frozen=True)
class FaultPlan:
    """How violent a seed's fault schedule may be.

    Each seed draws, within these bounds: a loss and a duplication
    probability for every link; up to ``max_crashes`` crashes of random
    replicas, each restarted (with durable state) after a random downtime; up
    to ``max_partitions`` partitions into two random sides (clients and the
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


@dataclass(frozen=True)
class Violation:
    """One broken property in one seed."""

    kind: str  # lost-write | not-linearizable | final-read-unavailable
    detail: str


@dataclass
class SeedResult:
    """Everything one seeded run produced."""

    protocol: str
    seed: int
    history: list[Operation]
    violations: list[Violation]
    network: Network
    check: CheckResult | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def shrunk(self) -> list[Operation]:
        """A small non-linearizable sub-history that keeps the writes it reads.

        Like :func:`~dsscale.consistency.shrink_history` (delta debugging:
        drop chunks of operations while the rest stays illegal), except that
        a write is never dropped while a kept read returns its value -- else
        "a read of a value nobody wrote" would be the trivial answer.
        Raises ``ValueError`` if the history is linearizable.
        """
        model = KVModel()
        current = checkable(self.history)
        if check_linearizable(current, model, shrink=False):
            raise ValueError("the history is linearizable: nothing to shrink")
        chunk = max(1, len(current) // 2)
        while True:
            removed = False
            start = 0
            while start < len(current):
                block = current[start:start + chunk]
                rest = current[:start] + current[start + chunk:]
                read = {op.output for op in rest if op.input[0] == "get"}
                protected = any(op.input[0] == "put" and op.input[2] in read
                                for op in block)
                if not protected and not check_linearizable(rest, model,
                                                            shrink=False):
                    current, removed = rest, True
                else:
                    start += chunk
            if chunk == 1 and not removed:
                return current
            chunk = max(1, chunk // 2)


def _schedule_faults(net: Network, dep: Deployment, clients: Sequence[str],
                     rnd: random.Random, plan: FaultPlan,
                     active: list[bool]) -> None:
    """Draw this seed's faults and put them on the network's timeline."""
    loss = rnd.uniform(0.0, plan.max_loss)
    duplicate = rnd.uniform(0.0, plan.max_duplicate)
    net.default_link = Link(ExponentialDelay(plan.mean_delay, 0.5), loss, duplicate)
    everyone = list(dep.replicas) + list(dep.others) + list(clients)
    slow = Link(ExponentialDelay(plan.mean_delay * plan.slowdown, 0.5), loss, duplicate)
    for src in everyone:  # a few slow links: heterogeneous, reordering network
        for dst in everyone:
            if src != dst and rnd.random() < plan.slow_links:
                net.set_link(src, dst, slow)

    def when_active(action: Any) -> Any:
        return lambda: action() if active[0] else None

    for _ in range(rnd.randint(0, plan.max_crashes)):
        node = dep.replicas[rnd.randrange(len(dep.replicas))]
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
        a = [n for n, s in zip(everyone, side) if s]
        b = [n for n, s in zip(everyone, side) if not s]
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


def checkable(history: Sequence[Operation]) -> list[Operation]:
    """``history`` without pending reads: a read whose answer never came has no
    effect and constrains nothing, and leaving it out spares the checker."""
    return [op for op in history if not (op.pending and op.input[0] == "get")]


def lost_writes(history: Sequence[Operation], final_reads: Sequence[Operation]
                ) -> list[str]:
    """Acknowledged writes missing from the final reads (see module docstring).

    An acknowledged write ``w`` of ``key = x`` is lost when the final read of
    ``key`` returns the initial value, or returns the value of a write ``f``
    that real time orders before ``w``: ``f`` returned before ``w`` was called,
    or before some completed read that returned ``x`` was called (that read
    saw ``x`` after ``f`` had taken effect, so ``w`` follows ``f``).
    """
    source = {op.input[2]: op for op in history if op.input[0] == "put"}
    # when each (key, value) was last called to be read by a completed read
    last_read_call: dict[tuple[Any, Any], float] = {}
    for op in history:
        if op.input[0] == "get" and not op.pending:
            seen_at = (op.input[1], op.output)
            last_read_call[seen_at] = max(op.call, last_read_call.get(seen_at, op.call))
    lost = []
    for final in final_reads:
        key, value = final.input[1], final.output
        seen = source.get(value)
        for op in history:
            if op.input[0] != "put" or op.input[1] != key or op.pending or seen is op:
                continue
            observed = max(op.call, last_read_call.get((key, op.input[2]), op.call))
            if value is None or (seen is not None and seen.return_time < observed):
                lost.append(f"{key}={op.input[2]} (acked at {op.return_time:.2f}) "
                            f"lost: final read returned {value!r}")
    return lost


def run_seed(protocol: str, seed: int, *, workload: Workload | None = None,
             faults: FaultPlan | None = None, trace: bool = False,
             time_limit: float = 400.0, quiesce: float = 40.0) -> SeedResult:
    """Run one seeded fault schedule of ``protocol`` and check the history.

    ``workload`` and ``faults`` default to :class:`Workload()` and
    :class:`FaultPlan()`; ``trace`` records every event (for :func:`replay`).
    """
    workload = Workload() if workload is None else workload
    faults = FaultPlan() if faults is None else faults
    spec = get_protocol(protocol)
    seed = check_int("seed", seed, 0)
    net = Network(seed, trace=trace)
    rnd = random.Random(f"{seed}/workload-and-faults")
    plans = workload.generate(rnd)
    history: list[Operation] = []
    final_ids = {(key, attempt): f"final{k}.{attempt}"
                 for k, key in enumerate(workload.keys) for attempt in range(3)}
    dep = spec.build(net, list(plans) + list(final_ids.values()))
    clients = [dep.make_client(cid, plan, history) for cid, plan in plans.items()]
    net.add(*clients)
    active = [True]
    _schedule_faults(net, dep, list(plans), rnd, faults, active)
    net.run(until=time_limit, stop=lambda: all(c.done for c in clients))
    for client in clients:  # past the time limit: open operations are pending
        client.stop()

    # Heal, restart, quiesce; then read every key through the protocol.
    active[0] = False
    net.heal()
    for node_id in dep.replicas:
        net.restart(node_id, keep_durable=True)
    net.default_link = Link(ExponentialDelay(faults.mean_delay, 0.5))
    net.links.clear()  # no more slow or lossy links
    net.run(until=net.now + quiesce)
    finals: list[Operation] = []
    violations = []
    for key in workload.keys:
        got: list[Operation] = []
        for attempt in range(3):
            # waits 6 time units first, to hear where to send (ConfigNotice)
            reader = dep.make_client(final_ids[key, attempt], [(6.0, ("get", key))],
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
    violations += [Violation("lost-write", text) for text in lost_writes(history, finals)]
    full = history + finals
    check = check_linearizable(checkable(full), KVModel(), shrink=False)
    if not check:
        violations.append(Violation("not-linearizable",
                                    f"{len(full)} operations: {check.status}"))
    return SeedResult(protocol, seed, full, violations, net, check)


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
        A name from :data:`dsscale.replication.deploy.PROTOCOLS`.
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
    summary = CampaignSummary(protocol, spec.promise, spec.linearizable, 0, 0)
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


# -- the `dsscale faults` subcommand ---------------------------------------------
def register(subparsers: Any) -> None:
    """Add ``dsscale faults PROTOCOL --seeds N [--start-seed S] [--json PATH]``."""
    parser = subparsers.add_parser(
        "faults", help="run a seeded fault-injection campaign against a protocol",
        description="Run seeded fault schedules against a replication protocol and "
        "check every history for lost acknowledged writes and linearizability. "
        "Exit status: 0 if no violation was found, 1 if one was.")
    parser.add_argument("protocol", help=f"one of: {', '.join(PROTOCOLS)}")
    parser.add_argument("--seeds", type=int, default=100, help="number of seeds")
    parser.add_argument("--start-seed", type=int, default=0, help="first seed")
    parser.add_argument("--json", metavar="PATH", help="also write the summary here")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    get_protocol(args.protocol)
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
    if args.start_seed < 0:
        raise ValueError(f"--start-seed must be >= 0, got {args.start_seed}")
    summary = run_campaign(args.protocol, args.seeds, start_seed=args.start_seed,
                           progress=not args.no_progress)
    print(summary)
    if summary.first_failing_seed is not None:
        print(f"replay it: dsscale.faults.replay({args.protocol!r}, "
              f"{summary.first_failing_seed})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh, indent=2)
    return 1 if summary.failing_seeds else 0

