r"""Ring all-reduce of gradients on Ray actors, and its serial reference.

n workers each hold a gradient of M bytes and must all end with the sum. The
ring algorithm (Patarasuk and Yuan, JPDC 2009) cuts every gradient into n
chunks and runs 2(n - 1) steps in which every worker sends one chunk to its
right neighbour and receives one from its left:

* **reduce-scatter**, steps s = 0..n-2: worker r sends chunk (r - s) mod n and
  adds the chunk (r - s - 1) mod n it receives; afterwards worker r holds
  the full sum of chunk (r + 1) mod n;
* **all-gather**, steps s = 0..n-2: worker r sends chunk (r + 1 - s) mod n
  and stores the chunk (r - s) mod n it receives.

:func:`ring_allreduce_serial` executes exactly this schedule in one process;
:class:`RingAllreduce` runs it on n actors that send chunks to each other
directly (actor to actor, through Ray's object store), and must give the same
result bit for bit, since it adds the same numbers in the same order.

The workers are asyncio actors that reserve no CPU. A step can emulate the
accelerator's computation with a wait (``compute_seconds``), and the wire
with :class:`EmulatedWire`: a chunk of b bytes sent at time t may not be used
before :math:`t + \alpha + b/B`, measured on the host's monotonic clock, so
the emulation assumes all workers share one host (the local default). Ray's
own transport runs underneath and is hidden whenever it is faster than the
emulated wire.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import check_float, check_int

__all__ = ["EmulatedWire", "RingAllreduce", "ring_allreduce_serial", "ring_schedule"]


def ring_schedule(num_workers: int) -> list[list[tuple[int, int]]]:
    """The chunk each worker sends at each of the 2(n - 1) steps.

    Step k is a list of ``(chunk sent, chunk received)`` per worker rank. The
    first n - 1 steps reduce (add the received chunk), the rest gather (store
    it). Worker r receives from r - 1 what r - 1 sends.

    Examples
    --------
    >>> ring_schedule(3)
    [[(0, 2), (1, 0), (2, 1)], [(2, 1), (0, 2), (1, 0)], [(1, 0), (2, 1), (0, 2)], \
[(0, 2), (1, 0), (2, 1)]]
    """
    n = check_int("num_workers", num_workers, 1)
    reduce = [[((r - s) % n, (r - s - 1) % n) for r in range(n)] for s in range(n - 1)]
    gather = [[((r + 1 - s) % n, (r - s) % n) for r in range(n)] for s in range(n - 1)]
    return reduce + gather


def _split(gradient: NDArray[np.float64], n: int) -> list[NDArray[np.float64]]:
    return [np.array(chunk) for chunk in np.array_split(gradient, n)]


def ring_allreduce_serial(gradients: Sequence[NDArray[np.float64]]
                          ) -> list[NDArray[np.float64]]:
    """Run the ring schedule in this process; return every worker's final array.

    Every result equals the element-wise sum of ``gradients`` up to the order
    of the additions, which is that of the ring (so the results are identical
    to each other and to :class:`RingAllreduce`'s).
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in gradients]
    if not arrays:
        raise ValueError("gradients must hold at least one array")
    if any(a.ndim != 1 or a.shape != arrays[0].shape for a in arrays):
        raise ValueError("gradients must be 1-d arrays of one common length")
    n = len(arrays)
    chunks = [_split(a, n) for a in arrays]
    for k, step in enumerate(ring_schedule(n)):
        sent = [chunks[r][out].copy() for r, (out, _) in enumerate(step)]
        for r, (_, into) in enumerate(step):
            incoming = sent[(r - 1) % n]
            chunks[r][into] = chunks[r][into] + incoming if k < n - 1 else incoming
    return [np.concatenate(c) for c in chunks]


@dataclass(frozen=True)
class EmulatedWire:
    r"""A wire of latency :math:`\alpha` and bandwidth B (bytes per second).

    A chunk of b bytes becomes usable :math:`\alpha + b/B` after it was sent.
    """

    latency_seconds: float
    bandwidth_bytes_per_second: float

    def __post_init__(self) -> None:
        check_float("latency_seconds", self.latency_seconds, 0.0)
        check_float("bandwidth_bytes_per_second", self.bandwidth_bytes_per_second,
                    0.0, strict_min=True)

    def delay(self, num_bytes: int) -> float:
        return self.latency_seconds + num_bytes / self.bandwidth_bytes_per_second


class _RingWorker:
    """One rank of the ring: holds a gradient, sends chunks to its right."""

    def __init__(self) -> None:
        self.rank, self.size = 0, 1
        self.right: Any = None
        self.wire: EmulatedWire | None = None
        self.gradient = np.zeros(0)
        self.epoch = -1
        self.inbox: dict[tuple[int, int], asyncio.Future[Any]] = {}

    def configure(self, rank: int, size: int, right: Any,
                  wire: EmulatedWire | None) -> None:
        self.rank, self.size, self.right, self.wire = rank, size, right, wire

    def load(self, gradient: NDArray[np.float64]) -> None:
        self.gradient = np.array(gradient, dtype=np.float64)

    def result(self) -> NDArray[np.float64]:
        return self.gradient

    def node_id(self) -> str:
        import ray

        return str(ray.get_runtime_context().get_node_id())

    def _slot(self, epoch: int, step: int) -> asyncio.Future[Any]:
        key = (epoch, step)
        if key not in self.inbox:
            self.inbox[key] = asyncio.get_running_loop().create_future()
        return self.inbox[key]

    async def deliver(self, epoch: int, step: int, chunk: NDArray[np.float64],
                      sent_at: float) -> None:
        self._slot(epoch, step).set_result((chunk, sent_at))

    async def _receive(self, step: int) -> NDArray[np.float64]:
        chunk, sent_at = await self._slot(self.epoch, step)
        del self.inbox[(self.epoch, step)]
        if self.wire is not None:
            wait = sent_at + self.wire.delay(chunk.nbytes) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        return np.asarray(chunk)

    async def step(self, compute_seconds: float, epoch: int) -> tuple[float, float]:
        """Wait ``compute_seconds``, then all-reduce; return (compute, comm) seconds.

        ``epoch`` numbers the driver's steps, so that messages of different
        steps (and rings of different sizes) never meet.
        """
        self.epoch = epoch
        start = time.perf_counter()
        if compute_seconds > 0:
            await asyncio.sleep(compute_seconds)
        computed = time.perf_counter()
        n = self.size
        chunks = _split(self.gradient, n)
        for k, step in enumerate(ring_schedule(n)):
            out, into = step[self.rank]
            self.right.deliver.remote(self.epoch, k, chunks[out], time.monotonic())
            incoming = await self._receive(k)
            chunks[into] = chunks[into] + incoming if k < n - 1 else np.array(incoming)
        self.gradient = np.concatenate(chunks)
        return computed - start, time.perf_counter() - computed


class RingAllreduce:
    """A pool of ring workers on Ray; ``with RingAllreduce(4) as ring: ...``.

    ``one_host=True`` places every worker on one node, which an
    :class:`EmulatedWire` needs; on a cluster without it, the workers spread
    over the nodes and the chunks cross the real network.

    ``load`` gives the first ``len(gradients)`` workers one gradient each and
    closes the ring over them, with an optional :class:`EmulatedWire`;
    ``step`` runs one data-parallel step on that ring and returns its wall
    time as seen by the driver (from the call to every worker until the last
    one is done); ``results`` fetches every worker's array. Ray is started on
    entry with :func:`dsscale.raysupport.ray_session` (reused if it already
    runs) and the actors are killed on exit.
    """

    def __init__(self, num_workers: int, *, one_host: bool = False,
                 address: str | None = None) -> None:
        self.num_workers = check_int("num_workers", num_workers, 1)
        if not isinstance(one_host, bool):
            raise TypeError(f"one_host must be a bool, got {type(one_host).__name__}")
        self.one_host = one_host
        self.address = address
        self.active = 0
        self.steps = 0
        self._actors: list[Any] = []
        self._nodes: list[str] = []
        self._session: Any = None

    def __enter__(self) -> RingAllreduce:
        import ray
        from dsscale.raysupport import ray_session

        self._session = ray_session(self.address)
        self._session.__enter__()
        worker: Any = ray.remote(num_cpus=0)(_RingWorker)
        first = worker.remote()
        if self.one_host:
            # pin the others to the first one's node (an emulated wire compares
            # monotonic clocks, which only one host shares)
            from ray.util.scheduling_strategies import (
                NodeAffinitySchedulingStrategy,
            )

            here = NodeAffinitySchedulingStrategy(ray.get(first.node_id.remote()),
                                                  soft=False)
            worker = worker.options(scheduling_strategy=here)
        self._actors = [first] + [worker.remote() for _ in range(self.num_workers - 1)]
        self._nodes = ray.get([a.node_id.remote() for a in self._actors])
        return self

    def __exit__(self, *exc: object) -> None:
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        self.active = 0
        if self._session is not None:
            self._session.__exit__(None, None, None)
            self._session = None

    def _ring(self) -> list[Any]:
        if not self._actors:
            raise RuntimeError("use RingAllreduce inside a `with` block")
        if not self.active:
            raise RuntimeError("call load(gradients) before step()")
        return self._actors[:self.active]

    def load(self, gradients: Sequence[NDArray[np.float64]],
             wire: EmulatedWire | None = None) -> None:
        """Give worker r ``gradients[r]`` and make a ring of ``len(gradients)``."""
        import ray

        if not self._actors:
            raise RuntimeError("use RingAllreduce inside a `with` block")
        n = len(gradients)
        if not 1 <= n <= self.num_workers:
            raise ValueError(f"gradients must hold 1..{self.num_workers} arrays "
                             f"(the pool size), got {n}")
        if wire is not None and not isinstance(wire, EmulatedWire):
            raise TypeError(f"wire must be an EmulatedWire or None, got "
                            f"{type(wire).__name__}")
        if wire is not None and len(set(self._nodes[:n])) > 1:
            raise RuntimeError("an EmulatedWire needs every worker on one host (it "
                               "compares monotonic clocks): RingAllreduce(..., "
                               "one_host=True)")
        self.active = n
        ring = self._actors[:n]
        ray.get([a.configure.remote(r, n, ring[(r + 1) % n], wire)
                 for r, a in enumerate(ring)]
                + [a.load.remote(np.asarray(g, dtype=np.float64))
                   for a, g in zip(ring, gradients, strict=True)])

    def step(self, compute_seconds: float = 0.0) -> float:
        """One step (compute wait, then all-reduce) on every worker; wall seconds."""
        import ray

        wait = check_float("compute_seconds", compute_seconds, 0.0)
        ring = self._ring()
        self.steps += 1
        start = time.perf_counter()
        ray.get([a.step.remote(wait, self.steps) for a in ring])
        return time.perf_counter() - start

    def results(self) -> list[NDArray[np.float64]]:
        """Every active worker's array (after a step: the all-reduced sum)."""
        import ray

        arrays = ray.get([a.result.remote() for a in self._ring()])
        return [np.asarray(x) for x in arrays]
