r"""A Ray program with engineered contention and coherency costs.

The Universal Scalability Law (Gunther, *Guerrilla Capacity Planning*, 2007)

.. math:: X(n) = \frac{\lambda n}{1 + \sigma (n - 1) + \kappa n (n - 1)}

names two costs. This module builds a program that has exactly those two
costs, of sizes chosen in advance, so that a fit can be checked against the
truth. One *round* of the program on n workers is a bulk-synchronous
superstep with three phases, each ended by a barrier:

1. **parallel work**: every worker waits :math:`(1 - \sigma) T`, all at once;
2. **critical section**: every worker calls a lock actor that holds for
   :math:`\sigma T` and updates a shared total; a Ray actor runs one call at a
   time, so the n holds queue: :math:`n \sigma T`;
3. **all-to-all exchange**: every worker sends its value to each of the
   :math:`n - 1` others through a bus actor that carries one message at a time
   for :math:`\kappa T` each, and then collects its own inbox:
   :math:`n (n - 1) \kappa T`.

A round completes n items in :math:`T (1 + \sigma (n - 1) + \kappa n (n - 1))`,
which is the USL with :math:`\lambda = 1/T`. The holds and messages can vary
(gamma-distributed with a given coefficient of variation, drawn from a seed),
as real service times do; their means stay :math:`\sigma T` and :math:`\kappa T`.

The waits stand for work; they are not CPU work, so the program's scaling does
not depend on how many cores the machine has. :func:`run_contention` measures
two things per round: the **wall time** seen by the driver, and the
**schedule time** :math:`\max(\text{parallel}) + \sum \text{holds} + \sum
\text{messages}`, from the durations the lock, the bus and the workers measure
themselves. Because the holds cannot overlap, and neither can the messages, the
wall time is never shorter than the schedule time; the difference is Ray's
own cost (calls, scheduling, barriers). :func:`plan_rounds` is the serial
reference: the costs every round was asked to take, without Ray.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike
from dsscale.parallel.contention_plan import EngineeredCosts, RoundPlan, plan_rounds

__all__ = ["ContentionResult", "EngineeredCosts", "RoundPlan", "RoundRecord",
           "plan_rounds", "run_contention"]


@dataclass(frozen=True)
class RoundRecord:
    """What one round measured: per-phase durations and the driver's wall times."""

    plan: RoundPlan
    parallel_seconds: tuple[float, ...]
    """Each worker's measured parallel wait."""
    hold_seconds: tuple[float, ...]
    """Each hold of the lock, measured inside the lock actor."""
    message_seconds: tuple[float, ...]
    """Each of the n(n - 1) messages, measured inside the bus actor."""
    phase_seconds: tuple[float, float, float]
    """Wall time of the three phases (parallel, lock, exchange) at the driver."""

    @property
    def n(self) -> int:
        return self.plan.n

    @property
    def schedule_seconds(self) -> float:
        """max(parallel) + sum(holds) + sum(messages): the round without overhead."""
        return (max(self.parallel_seconds) + sum(self.hold_seconds)
                + sum(self.message_seconds))

    @property
    def wall_seconds(self) -> float:
        return float(sum(self.phase_seconds))


@dataclass(frozen=True)
class ContentionResult:
    """Every round of :func:`run_contention`, in the order they ran."""

    costs: EngineeredCosts
    rounds: tuple[RoundRecord, ...]

    @property
    def workers(self) -> NDArray[np.float64]:
        return np.array([r.n for r in self.rounds], dtype=np.float64)

    @property
    def planned_throughput(self) -> NDArray[np.float64]:
        """Items per second of each round's plan (the model, no measurement)."""
        return np.array([r.n / r.plan.scheduled_seconds for r in self.rounds])

    @property
    def schedule_throughput(self) -> NDArray[np.float64]:
        """Items per second from the measured phase durations."""
        return np.array([r.n / r.schedule_seconds for r in self.rounds])

    @property
    def wall_throughput(self) -> NDArray[np.float64]:
        """Items per second from the driver's wall clock."""
        return np.array([r.n / r.wall_seconds for r in self.rounds])

    @property
    def overhead_share(self) -> NDArray[np.float64]:
        """Share of each round's wall time not spent in any engineered wait."""
        return np.array([1.0 - r.schedule_seconds / r.wall_seconds
                         for r in self.rounds])


def _hold_for(seconds: float) -> None:
    """Occupy the calling process for ``seconds``: sleep, then spin the last ms.

    ``time.sleep`` alone overshoots by a tenth of a millisecond or more, which
    would add to every hold and message; spinning the last millisecond on the
    clock keeps the excess to microseconds on an idle machine.
    """
    deadline = time.perf_counter() + seconds
    if seconds > 0.002:
        time.sleep(seconds - 0.001)
    while time.perf_counter() < deadline:
        pass


class _Lock:
    """The serialising actor: one hold at a time, a shared total behind it."""

    def __init__(self) -> None:
        self.total = 0

    def hold(self, rank: int, seconds: float) -> tuple[float, float]:
        start = time.perf_counter()
        _hold_for(seconds)
        self.total += rank + 1
        return start, time.perf_counter()

    def read(self) -> int:
        return self.total


class _Bus:
    """The shared medium: carries one message at a time into the inboxes."""

    def __init__(self) -> None:
        self.inbox: dict[tuple[int, int], dict[int, int]] = {}

    def carry(self, round_id: int, src: int, dst: int, value: int,
              seconds: float) -> tuple[float, float]:
        start = time.perf_counter()
        _hold_for(seconds)
        self.inbox.setdefault((round_id, dst), {})[src] = value
        return start, time.perf_counter()

    def take(self, round_id: int, dst: int) -> dict[int, int]:
        return self.inbox.pop((round_id, dst), {})


class _Worker:
    """One worker: parallel work, then the lock, then the exchange."""

    def __init__(self, rank: int, lock: Any, bus: Any) -> None:
        self.rank, self.lock, self.bus = rank, lock, bus

    async def work(self, seconds: float) -> float:
        start = time.perf_counter()
        if seconds > 0:
            await asyncio.sleep(seconds)
        return time.perf_counter() - start

    async def commit(self, seconds: float) -> tuple[float, float]:
        result: tuple[float, float] = await self.lock.hold.remote(self.rank, seconds)
        return result

    async def exchange(self, round_id: int, value: int,
                       seconds: list[float]) -> list[tuple[float, float]]:
        refs = [self.bus.carry.remote(round_id, self.rank, dst, value, s)
                for dst, s in enumerate(seconds) if dst != self.rank]
        return list(await asyncio.gather(*refs))

    async def collect(self, round_id: int, n: int) -> int:
        """Sum of the values received; every other worker must have sent one."""
        inbox: dict[int, int] = await self.bus.take.remote(round_id, self.rank)
        if sorted(inbox) != [j for j in range(n) if j != self.rank]:
            raise RuntimeError(f"worker {self.rank} received from {sorted(inbox)} "
                               f"in a round of {n}")
        return sum(inbox.values())


def _check_disjoint(spans: list[tuple[float, float]], what: str) -> None:
    ordered = sorted(spans)
    for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
        if start < end:
            raise RuntimeError(f"two {what} overlapped: the actor is not serialising")


def _round(workers: list[Any], lock: Any, plan: RoundPlan,
           round_id: int) -> RoundRecord:
    import ray

    n = plan.n
    active = workers[:n]
    before = ray.get(lock.read.remote())
    values = [round_id * 1000 + i for i in range(n)]
    t0 = time.perf_counter()
    parallel = ray.get([w.work.remote(plan.parallel_seconds) for w in active])
    t1 = time.perf_counter()
    holds = ray.get([w.commit.remote(h) for w, h in zip(active, plan.hold_seconds,
                                                         strict=True)])
    t2 = time.perf_counter()
    sent = ray.get([w.exchange.remote(round_id, values[i],
                                      list(plan.message_seconds[i]))
                    for i, w in enumerate(active)])
    totals = ray.get([w.collect.remote(round_id, n) for w in active])
    t3 = time.perf_counter()
    if ray.get(lock.read.remote()) - before != n * (n + 1) // 2:
        raise RuntimeError("the lock's shared total missed an update")
    if totals != [sum(values) - v for v in values]:
        raise RuntimeError(f"exchange totals {totals} are wrong")
    messages = [span for spans in sent for span in spans]
    _check_disjoint(holds, "holds of the lock")
    _check_disjoint(messages, "messages on the bus")
    return RoundRecord(plan, tuple(parallel), tuple(e - s for s, e in holds),
                       tuple(e - s for s, e in messages), (t1 - t0, t2 - t1, t3 - t2))


def run_contention(costs: EngineeredCosts, worker_counts: Sequence[int], *,
                   repeats: int = 3, rng: RNGLike = 0,
                   address: str | None = None) -> ContentionResult:
    """Run the program of this module on Ray for each worker count.

    The rounds follow :func:`plan_rounds` (sweeps over ``worker_counts``,
    interleaved so that drifting load affects every count alike). Before
    timing, one round per worker count without any waits starts every actor
    and checks the program (the lock's total, every inbox). Every round is
    checked the same way, and the holds and messages must not overlap;
    otherwise ``RuntimeError``. Ray is started with
    :func:`dsscale.raysupport.ray_session` (reused if it runs; ``RAY_ADDRESS``
    names a cluster), and the actors are killed at the end.
    """
    plans = plan_rounds(costs, worker_counts, repeats, rng)
    import ray
    from dsscale.raysupport import ray_session

    counts = sorted({p.n for p in plans})
    with ray_session(address):
        lock = ray.remote(num_cpus=0)(_Lock).remote()
        bus = ray.remote(num_cpus=0)(_Bus).remote()
        worker_cls: Any = ray.remote(num_cpus=0)(_Worker)
        workers = [worker_cls.remote(i, lock, bus) for i in range(max(counts))]
        try:
            free = EngineeredCosts(0.0, costs.sigma, costs.kappa)
            for i, n in enumerate(counts):
                _round(workers, lock, free.plan(n, 0), -1 - i)
            records = tuple(_round(workers, lock, plan, r)
                            for r, plan in enumerate(plans))
        finally:
            for actor in [*workers, lock, bus]:
                ray.kill(actor)
    return ContentionResult(costs, records)
