"""Shrinking: from a long illegal history to a few operations that show why.

A checker's "no" on 10,000 operations explains little. :func:`shrink_history`
removes operations while the history stays non-linearizable -- Zeller and
Hildebrandt's delta debugging (IEEE TSE 28(2), 2002), greedy form: try to drop
chunks of half the history, then quarters, ..., then single operations until
none can go. The result is *1-minimal*: removing any one operation makes it
linearizable.

Two facts keep this cheap. A sub-history of one partition is checked alone.
And when the search is stuck at a return at time ``t``, every operation called
after ``t`` can be dropped at once, because the search never reaches its call
(``cut_at``).

A 1-minimal history is small, not always the most telling: in ``w(1) w(2)
r->1`` the write of 1 could go, leaving "read 1, which nobody wrote" -- a
genuine violation that explains nothing. So when the model can tell (an
``observed(readers, writers)`` method, which the register and key-value
models have), a write is never dropped while a kept read returns its value;
the result is then 1-minimal among the histories that keep their sources.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from dsscale._validate import check_float
from dsscale.consistency._partitions import (
    partition_history,
    prune_history,
    search_partitions,
)
from dsscale.consistency._search import search
from dsscale.consistency.history import Operation, as_history
from dsscale.consistency.models import Model, check_model

__all__ = ["cut_at", "minimise", "shrink_history"]


def cut_at(history: Sequence[Operation], frontier: float) -> list[Operation]:
    """Keep the operations called at or before ``frontier``, in order."""
    return [op for op in history if op.call <= frontier]


def minimise(history: Sequence[Operation], model: Model,
             deadline: float | None = None, keep_sources: bool = True
             ) -> list[Operation]:
    """Greedy delta debugging of an illegal single-partition ``history``.

    Stops early, keeping the smallest illegal history found, when the
    ``time.monotonic()`` ``deadline`` passes. With ``keep_sources`` and a
    model that has ``observed``, writes whose values kept reads returned stay.
    """
    observed = getattr(model, "observed", None) if keep_sources else None
    current = list(history)
    chunk = max(1, len(current) // 2)
    while True:
        removed = False
        start = 0
        while start < len(current):
            candidate = current[:start] + current[start + chunk:]
            if observed is not None and observed(candidate,
                                                 current[start:start + chunk]):
                start += chunk
                continue
            outcome = search(candidate, model, deadline)
            if outcome.status == "unknown":
                return current
            if outcome.status == "illegal":
                current = cut_at(candidate, outcome.frontier)
                removed = True
            else:
                start += chunk
        if chunk == 1 and not removed:
            return current
        chunk = max(1, chunk // 2)


def shrink_history(operations: Sequence[Operation], model: Any,
                   timeout: float | None = None, *,
                   keep_sources: bool = True) -> list[Operation]:
    """Return a small sub-history of ``operations`` that is not linearizable.

    Parameters
    ----------
    operations : sequence of Operation
        A history that is not linearizable with respect to ``model``.
    model : Model
        The sequential specification (``init``, ``step``, optional
        ``partition``).
    timeout : float, optional
        Seconds of wall-clock time; when it runs out, the smallest illegal
        sub-history found so far is returned.
    keep_sources : bool, default True
        Never drop a write whose value a kept read returned (for models with
        an ``observed`` method), so the result reads as a story.

    Returns
    -------
    list of Operation
        A 1-minimal illegal sub-history (the same Operation objects, in their
        original order) of a partition that is not linearizable (the first
        found by the interleaved search, as in :func:`check_linearizable`).

    Raises
    ------
    ValueError
        If ``operations`` is linearizable (there is nothing to shrink), or the
        timeout ran out before it could be shown not to be.
    """
    history = as_history(operations)
    model = check_model(model)
    deadline = None
    if timeout is not None:
        deadline = time.monotonic() + check_float("timeout", timeout, 0)
    parts = [prune_history(part, model)
             for part in partition_history(history, model)]
    status, failed, outcomes = search_partitions(parts, model, deadline)
    if status == "unknown":
        raise ValueError("timeout ran out before operations could be shown to "
                         "be non-linearizable")
    if status == "ok":
        raise ValueError("operations must be a non-linearizable history, "
                         "but it is linearizable")
    assert failed is not None
    outcome = outcomes[failed]
    assert outcome is not None
    return minimise(cut_at(parts[failed], outcome.frontier), model, deadline,
                    keep_sources)
