"""Linearizability checking: does a history look like one atomic object?

A history is *linearizable* (Herlihy and Wing, 1990) if each operation can be
given a single instant between its call and its return -- its linearization
point -- such that the operations, applied one at a time in the order of those
instants, give exactly the outputs the clients saw. Equivalently: some total
order of the operations is legal for the sequential model and respects real
time (if ``a`` returned before ``b`` was called, ``a`` comes first).

:func:`check_linearizable` decides this with the Wing-Gong search and Lowe's
memoisation (see ``_search.py``), after splitting the history into independent
sub-histories with ``model.partition`` when the model has one
(P-compositionality: Horn and Kroening, FORTE 2015). The partitions are
searched interleaved, smallest first, with step budgets that double every
round, and the check stops at the first illegal partition: one hard key cannot
hide an easy violation on another. Checking is NP-complete in general (Gibbons
and Korach, SIAM J. Comput. 1997), so a ``timeout`` bounds the wall-clock time
and yields "unknown" when it runs out.

References: J. Wing and C. Gong, J. Parallel Distrib. Comput. 17, 1993;
G. Lowe, Softw. Test. Verif. Reliab. 27, 2017; A. Horn and D. Kroening,
FORTE 2015; A. Athalye, porcupine, 2017.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dsscale._validate import check_float
from dsscale.consistency._partitions import (
    partition_history,
    prune_history,
    search_partitions,
)
from dsscale.consistency.history import Operation, as_history
from dsscale.consistency.models import check_model
from dsscale.consistency.shrink import cut_at, minimise

__all__ = ["CheckResult", "check_linearizable", "merge_linearizations"]

Status = Literal["ok", "illegal", "unknown"]


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a linearizability check; truthy iff linearizable.

    Attributes
    ----------
    status : {"ok", "illegal", "unknown"}
        "unknown" means the timeout ran out before a verdict.
    linearization : tuple of Operation
        For "ok": the operations in a legal order that respects real time,
        merged across partitions (see :func:`merge_linearizations`). Pending
        operations that need not take effect are left out. Empty otherwise.
    partial_linearization : tuple of Operation
        For "illegal": the longest legal order the search built in the failing
        partition before getting stuck. Empty otherwise.
    counterexample : tuple of Operation
        For "illegal": a sub-history that is still not linearizable -- by
        default minimised by :func:`shrink_history`, so removing any one of its
        operations makes it linearizable. These are the operations a plot
        highlights. Empty otherwise.
    num_partitions : int
        How many independent sub-histories the model's ``partition`` made.
    failed_partition : int or None
        For "illegal": the index, in the order ``model.partition`` returned
        them, of the sub-history that is not linearizable (0 for a model
        without ``partition``). None otherwise.
    states_explored : int
        Distinct (linearized set, state) pairs the search visited, over every
        partition it worked on.
    """

    status: Status
    linearization: tuple[Operation, ...] = ()
    partial_linearization: tuple[Operation, ...] = ()
    counterexample: tuple[Operation, ...] = ()
    num_partitions: int = 1
    failed_partition: int | None = None
    states_explored: int = 0

    def __bool__(self) -> bool:
        return self.status == "ok"


def merge_linearizations(orders: Sequence[Sequence[Operation]]) -> list[Operation]:
    r"""Merge per-partition linearizations into one order for the whole history.

    Each operation of an order gets the point :math:`p_j = \max_{i \le j}
    \mathrm{call}_i` (the latest call so far), which lies in its own interval
    because the order respects real time; sorting all operations by point
    (ties: partition, then position) respects real time across partitions, and
    keeps every partition's order. Locality (Herlihy and Wing, 1990) is what
    makes the merged order legal for the whole object.
    """
    keyed: list[tuple[float, int, int, Operation]] = []
    for part, order in enumerate(orders):
        point = float("-inf")
        for position, op in enumerate(order):
            point = max(point, op.call)
            keyed.append((point, part, position, op))
    keyed.sort(key=lambda item: item[:3])
    return [op for *_, op in keyed]


def check_linearizable(operations: Sequence[Operation], model: Any,
                       timeout: float | None = None, *,
                       shrink: bool = True) -> CheckResult:
    """Check whether ``operations`` form a linearizable history of ``model``.

    Parameters
    ----------
    operations : sequence of Operation
        The history, in any order. Position in it is an operation's identity.
    model : Model
        A sequential specification: ``init()``, ``step(state, input, output)``
        and optionally ``partition(operations)`` and ``prune(operations)``;
        see ``models.py``.
    timeout : float, optional
        Seconds of wall-clock search time (including shrinking) before giving
        up with status "unknown"; ``None`` waits for a verdict. This is the
        only place the checker reads a clock: ``timeout=0`` gives "unknown"
        for any history with a completed operation.
    shrink : bool
        Minimise the counterexample of an illegal history (default). If the
        timeout runs out while shrinking, the smallest one found is kept.

    Returns
    -------
    CheckResult
        Truthy iff linearizable.

    Notes
    -----
    Intervals are closed: an operation returning at ``t`` and one called at
    ``t`` are concurrent (calls sort before returns at equal times, as in
    porcupine). The search is worst-case exponential in the number of
    operations that overlap in time, and close to linear for histories whose
    concurrency is bounded by a few clients. Pending operations overlap
    everything after their call, so each one the model cannot ``prune`` adds
    to the search; split by key (``partition``) wherever the model allows.

    Examples
    --------
    >>> from dsscale.consistency import Operation, RegisterModel
    >>> stale = [Operation(0, ("write", 1), 0, None, 1),
    ...          Operation(1, ("read", None), 2, None, 3)]
    >>> check_linearizable(stale, RegisterModel()).status
    'illegal'
    """
    history = as_history(operations)
    model = check_model(model)
    deadline = None
    if timeout is not None:
        deadline = time.monotonic() + check_float("timeout", timeout, 0)
    parts = [prune_history(part, model)
             for part in partition_history(history, model)]
    status, failed, outcomes = search_partitions(parts, model, deadline)
    explored = sum(o.explored for o in outcomes if o is not None)
    if status == "unknown":
        return CheckResult("unknown", num_partitions=len(parts),
                           states_explored=explored)
    if status == "illegal":
        assert failed is not None
        part, outcome = parts[failed], outcomes[failed]
        assert outcome is not None
        culprit = cut_at(part, outcome.frontier)
        if shrink:
            culprit = minimise(culprit, model, deadline)
        return CheckResult(
            "illegal",
            partial_linearization=tuple(part[i] for i in outcome.partial),
            counterexample=tuple(culprit), num_partitions=len(parts),
            failed_partition=failed, states_explored=explored)
    orders = [[part[i] for i in o.order]
              for part, o in zip(parts, outcomes, strict=True) if o is not None]
    return CheckResult("ok", linearization=tuple(merge_linearizations(orders)),
                       num_partitions=len(parts), states_explored=explored)
