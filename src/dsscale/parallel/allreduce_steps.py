"""Timing data-parallel training steps on the Ray ring all-reduce.

:func:`measure_step_times` runs a fixed global batch on n workers of a
:class:`~dsscale.parallel.allreduce.RingAllreduce` pool for several n: each
worker waits its share of the compute time, then the gradients are
all-reduced; the result is checked bit for bit against the serial reference
before anything is timed. :class:`StepMeasurement` turns the times into
throughput and a Universal Scalability Law fit.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.parallel.allreduce import (
    EmulatedWire,
    RingAllreduce,
    ring_allreduce_serial,
)

__all__ = ["StepMeasurement", "measure_step_times"]


@dataclass(frozen=True)
class StepMeasurement:
    """Wall times of data-parallel steps per worker count (same order)."""

    workers: tuple[int, ...]
    samples: tuple[tuple[float, ...], ...]
    """Seconds of every timed step, per worker count."""
    compute_seconds: float
    """Compute time T of the whole batch on one worker (each of n waits T/n)."""
    message_bytes: int
    wire: EmulatedWire | None

    @property
    def median_seconds(self) -> NDArray[np.float64]:
        return np.array([statistics.median(s) for s in self.samples])

    @property
    def stderr_seconds(self) -> NDArray[np.float64]:
        """Standard error of each median, ~1.2533 s / sqrt(k) for k normal samples."""
        return np.array([1.2533 * statistics.stdev(s) / np.sqrt(len(s))
                         if len(s) > 1 else np.nan for s in self.samples])

    @property
    def throughput(self) -> NDArray[np.float64]:
        """Steps per second, from the median step time."""
        return 1.0 / self.median_seconds

    def fit_usl(self) -> Any:
        """Fit the Universal Scalability Law to the throughput (``dsscale.laws``)."""
        from dsscale.laws import fit_usl

        return fit_usl(np.asarray(self.workers, dtype=float), self.throughput)


def _gradients(n: int, num_elements: int, gen: np.random.Generator
               ) -> list[NDArray[np.float64]]:
    return [gen.standard_normal(num_elements) for _ in range(n)]


def measure_step_times(worker_counts: Sequence[int], compute_seconds: float,
                       num_elements: int, *, wire: EmulatedWire | None = None,
                       repeats: int = 3, rng: RNGLike = 0,
                       ring: RingAllreduce | None = None,
                       address: str | None = None) -> StepMeasurement:
    """Time data-parallel steps of a fixed global batch for each worker count.

    Each of n workers waits ``compute_seconds / n`` (its share of the batch)
    and then all-reduces a gradient of ``num_elements`` float64 (8 bytes
    each). One untimed step per worker count, without the compute wait, warms
    the ring up and is checked against :func:`ring_allreduce_serial` (exact
    equality, else ``RuntimeError``); then ``repeats`` rounds over all counts
    are timed, interleaved so that drifting load affects every count alike.
    ``ring`` reuses an open :class:`RingAllreduce` pool (else one is made).
    """
    counts = tuple(check_int("worker_counts", k, 1) for k in worker_counts)
    if not counts or len(set(counts)) != len(counts):
        raise ValueError(f"worker_counts must be distinct and non-empty, got {counts}")
    total = check_float("compute_seconds", compute_seconds, 0.0)
    num_elements = check_int("num_elements", num_elements, 1)
    repeats = check_int("repeats", repeats, 1)
    gen = as_rng(rng)
    grads = {n: _gradients(n, num_elements, gen) for n in counts}
    samples: dict[int, list[float]] = {n: [] for n in counts}
    if ring is None:
        with RingAllreduce(max(counts), one_host=wire is not None,
                           address=address) as own:
            return measure_step_times(counts, total, num_elements, wire=wire,
                                      repeats=repeats, rng=gen, ring=own)
    if ring.num_workers < max(counts):
        raise ValueError(f"ring has {ring.num_workers} workers, fewer than "
                         f"worker_counts needs ({max(counts)})")
    for n in counts:
        ring.load(grads[n], wire)
        ring.step(0.0)
        expected = ring_allreduce_serial(grads[n])
        if not all(np.array_equal(a, b)
                   for a, b in zip(ring.results(), expected, strict=True)):
            raise RuntimeError(f"ring all-reduce on {n} workers differs from "
                               "the serial reference")
    for _ in range(repeats):
        for n in counts:
            ring.load(grads[n], wire)
            samples[n].append(ring.step(total / n))
    return StepMeasurement(counts, tuple(tuple(samples[n]) for n in counts), total,
                           8 * num_elements, wire)
