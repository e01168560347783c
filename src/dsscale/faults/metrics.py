"""What the users of a replicated store saw: completion, latency, anomalies.

A fault campaign (:mod:`dsscale.faults.campaign`) gives each seed a verdict;
this module measures the same histories as a user of the store would, so that
protocols can be compared on one scale:

* **completed**: operations that returned (a timed-out or crashed operation,
  ``return_time = inf``, did not);
* **latency**: ``return_time - call`` of each completed read and write;
* **stale reads**: completed reads that missed a write acknowledged before the
  read was called (:func:`~dsscale.consistency.stale_reads`; a read that missed
  several writes counts once);
* **lost writes**: acknowledged writes that the final reads no longer reflect
  (:func:`~dsscale.consistency.lost_writes`).

With unique written values the last two are exact; with repeated values they
are lower bounds (the rule stays sound), and the linearizability verdict is the
complete test. :func:`history_metrics` measures one history;
:func:`measure_protocol` runs a protocol through seeded fault schedules and pools
what every seed's clients saw, with the checker's verdict per seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dsscale._validate import check_float, check_int
from dsscale.consistency import Operation, lost_writes, stale_reads
from dsscale.faults.campaign import run_seed
from dsscale.faults.plan import FaultPlan
from dsscale.replication.client import Workload
from dsscale.replication.protocols import get_protocol

__all__ = ["HistoryMetrics", "ProtocolMetrics", "history_metrics", "measure_protocol"]


@dataclass(frozen=True)
class HistoryMetrics:
    """Counts and latencies of one history, or of several pooled with ``+``."""

    histories: int = 0
    operations: int = 0
    completed: int = 0
    read_latencies: tuple[float, ...] = ()
    write_latencies: tuple[float, ...] = ()
    stale_reads: int = 0
    lost_writes: int = 0

    def __add__(self, other: HistoryMetrics) -> HistoryMetrics:
        if not isinstance(other, HistoryMetrics):
            return NotImplemented
        return HistoryMetrics(
            self.histories + other.histories, self.operations + other.operations,
            self.completed + other.completed,
            self.read_latencies + other.read_latencies,
            self.write_latencies + other.write_latencies,
            self.stale_reads + other.stale_reads, self.lost_writes + other.lost_writes)

    @property
    def completed_reads(self) -> int:
        return len(self.read_latencies)

    @property
    def completed_writes(self) -> int:
        return len(self.write_latencies)

    @property
    def completed_fraction(self) -> float:
        """Completed operations over issued ones (``nan`` if none was issued)."""
        return self.completed / self.operations if self.operations else math.nan

    @property
    def stale_read_fraction(self) -> float:
        """Stale reads over completed reads (``nan`` if no read completed)."""
        return (self.stale_reads / self.completed_reads if self.completed_reads
                else math.nan)

    def read_latency(self, quantile: float) -> float:
        """The ``quantile`` of completed reads' durations (``nan`` if none)."""
        return _quantile(self.read_latencies, quantile)

    def write_latency(self, quantile: float) -> float:
        """The ``quantile`` of completed writes' durations (``nan`` if none)."""
        return _quantile(self.write_latencies, quantile)


def _quantile(durations: tuple[float, ...], quantile: float) -> float:
    q = check_float("quantile", quantile, 0.0, 1.0)
    return float(np.quantile(durations, q)) if durations else math.nan


def _checked_ops(name: str, ops: Sequence[Operation]) -> list[Operation]:
    if isinstance(ops, str | bytes) or not isinstance(ops, Sequence):
        raise TypeError(f"{name} must be a sequence of Operation records, "
                        f"got {type(ops).__name__}")
    for i, op in enumerate(ops):
        if not isinstance(op, Operation):
            raise TypeError(f"{name}[{i}] must be an Operation, got "
                            f"{type(op).__name__}")
        shape = op.input if isinstance(op.input, tuple) else ()
        if not (shape[:1] == ("get",) and len(shape) == 2
                or shape[:1] == ("put",) and len(shape) == 3):
            raise ValueError(f"{name}[{i}].input must be ('get', key) or "
                             f"('put', key, value), got {op.input!r}")
    return list(ops)


def history_metrics(history: Sequence[Operation],
                    final_reads: Sequence[Operation] = ()) -> HistoryMetrics:
    """Measure one key-value history as its clients experienced it.

    Parameters
    ----------
    history : sequence of Operation
        The clients' operations, inputs ``("get", key)`` and
        ``("put", key, value)`` as in :class:`~dsscale.consistency.KVModel`.
    final_reads : sequence of Operation
        Completed reads taken after every operation of ``history`` had finished,
        at most one per key; they are not counted as operations and serve only
        to find lost writes.

    Returns
    -------
    HistoryMetrics
        With ``histories = 1``.

    Raises
    ------
    TypeError
        If ``history`` or ``final_reads`` is not a sequence of Operation.
    ValueError
        If an input is not a get or a put, or a final read is a put, is
        pending, or reads a key another final read already read.

    Examples
    --------
    >>> w1 = Operation("a", ("put", "x", 1), 0.0, None, 1.0)
    >>> w2 = Operation("a", ("put", "x", 2), 2.0, None, 3.0)
    >>> old = Operation("b", ("get", "x"), 4.0, 1, 6.0)      # missed w2
    >>> lost = Operation("c", ("put", "y", 7), 4.0, None, math.inf)
    >>> m = history_metrics([w1, w2, old, lost], [Operation("f", ("get", "x"),
    ...                                                     9.0, 1, 10.0)])
    >>> m.operations, m.completed, m.stale_reads, m.lost_writes
    (4, 3, 1, 1)
    >>> m.read_latencies, m.write_latencies
    ((2.0,), (1.0, 1.0))
    """
    ops = _checked_ops("history", history)
    finals = _checked_ops("final_reads", final_reads)
    keys: set[Any] = set()
    for i, op in enumerate(finals):
        if op.input[0] != "get" or op.pending:
            raise ValueError(f"final_reads[{i}] must be a completed get, got "
                             f"{op.input!r} returning at {op.return_time}")
        if op.input[1] in keys:
            raise ValueError(f"final_reads must read each key at most once; "
                             f"{op.input[1]!r} is read twice")
        keys.add(op.input[1])
    done = [op for op in ops if not op.pending]
    stale = {id(read) for read, _ in stale_reads(ops)}
    return HistoryMetrics(
        histories=1, operations=len(ops), completed=len(done),
        read_latencies=tuple(op.return_time - op.call for op in done
                             if op.input[0] == "get"),
        write_latencies=tuple(op.return_time - op.call for op in done
                              if op.input[0] == "put"),
        stale_reads=len(stale), lost_writes=len(lost_writes(ops, finals)))


@dataclass(frozen=True)
class ProtocolMetrics:
    """A protocol's pooled metrics over seeds, and the checker's verdicts."""

    protocol: str
    claims_linearizable: bool
    seeds: tuple[int, ...]
    metrics: HistoryMetrics
    linearizable_seeds: int
    illegal_seeds: tuple[int, ...]  # the checker found no linearization
    undecided_seeds: tuple[int, ...]  # the checker ran out of time
    failing_seeds: tuple[int, ...]  # any violation, final-read-unavailable included


def measure_protocol(protocol: str, seeds: int | Iterable[int], *,
                     workload: Workload | str | None = None,
                     faults: FaultPlan | None = None,
                     num_replicas: int = 3) -> ProtocolMetrics:
    """Run ``protocol`` under seeded faults and pool what its clients saw.

    Each seed is one :func:`~dsscale.faults.run_seed` (same workload, fault
    schedule and network draws for every protocol given the same seed); its
    workload history and final reads go through :func:`history_metrics`, and
    its whole history's linearizability verdict is counted.

    Parameters
    ----------
    protocol : str
        A name of :data:`~dsscale.replication.protocols.PROTOCOLS`.
    seeds : int or iterable of int
        How many seeds (``0, 1, ...``), or which.
    workload, faults, num_replicas
        As for :func:`~dsscale.faults.run_seed`.
    """
    spec = get_protocol(protocol)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seed_list = list(range(check_int("seeds", seeds, 1)))
    else:
        seed_list = [check_int("seed", s, 0) for s in seeds]  # type: ignore[union-attr]
        if not seed_list:
            raise ValueError("seeds must name at least one seed")
    total = HistoryMetrics()
    ok = 0
    illegal: list[int] = []
    undecided: list[int] = []
    failing: list[int] = []
    for seed in seed_list:
        result = run_seed(protocol, seed, workload=workload, faults=faults,
                          num_replicas=num_replicas)
        total = total + history_metrics(result.workload_history, result.final_reads)
        status = "ok" if result.check is None else result.check.status
        if status == "ok":
            ok += 1
        elif status == "illegal":
            illegal.append(seed)
        else:
            undecided.append(seed)
        if result.violations:
            failing.append(seed)
    return ProtocolMetrics(protocol, spec.linearizable, tuple(seed_list), total, ok,
                           tuple(illegal), tuple(undecided), tuple(failing))
