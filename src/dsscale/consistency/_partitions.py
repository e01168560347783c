"""Partitions of a history, and searching them interleaved (private).

A model with ``partition`` splits a history into independent sub-histories
(P-compositionality: Horn and Kroening, FORTE 2015); :func:`search_partitions`
searches them round-robin with doubling step budgets and stops at the first
illegal one, as porcupine does with goroutines (Athalye, 2017).
"""

from __future__ import annotations

from collections.abc import Sequence

from dsscale.consistency._search import Outcome, Search, search
from dsscale.consistency.history import Operation
from dsscale.consistency.models import Model

__all__ = ["partition_history", "prune_history", "search_partitions"]


#: Steps each partition's search gets in the first round of interleaving.
FIRST_ROUND = 2048


def search_partitions(parts: Sequence[Sequence[Operation]], model: Model,
                      deadline: float | None) -> tuple[str, int | None,
                                                       list[Outcome | None]]:
    """Search several independent histories, interleaved, until the first is
    illegal or all are linearizable.

    Round-robin over the undecided ones, smallest first, with a step budget
    that doubles every round: an easy illegal partition is found after at most
    about twice the work of the partitions smaller than it, however hard the
    others are. Returns ``(status, index, outcomes)``: "illegal" with the index
    of the failing partition, "unknown" (deadline) with the index of a search
    that ran out, or "ok" with ``None``; ``outcomes[i]`` is ``None`` for a
    search that was not finished.
    """
    outcomes: list[Outcome | None] = [None] * len(parts)
    if len(parts) == 1:  # nothing to interleave
        only = search(parts[0], model, deadline)
        return only.status, (None if only.status == "ok" else 0), [only]
    searches = {i: Search(part, model) for i, part in enumerate(parts)}
    undecided = sorted(searches, key=lambda i: len(parts[i]))
    budget = FIRST_ROUND
    while undecided:
        still = []
        for i in undecided:
            outcome = searches[i].run(budget, deadline)
            if outcome is None:
                still.append(i)
                continue
            outcomes[i] = outcome
            if outcome.status != "ok":
                return outcome.status, i, outcomes
            del searches[i]  # free its cache
        undecided, budget = still, budget * 2
    return "ok", None, outcomes


def partition_history(history: Sequence[Operation],
                      model: Model) -> list[list[Operation]]:
    """Split ``history`` with ``model.partition`` if it has one, and check it."""
    partition = getattr(model, "partition", None)
    if partition is None:
        return [list(history)]
    parts = [list(part) for part in partition(history)]
    seen = {id(op) for part in parts for op in part}
    if sum(len(part) for part in parts) != len(history) or seen != {
            id(op) for op in history}:
        raise ValueError(
            "model.partition must return sub-histories that together hold "
            "each of the given Operation objects exactly once")
    return parts


def prune_history(history: Sequence[Operation], model: Model) -> list[Operation]:
    """Apply ``model.prune`` if it has one; it may drop pending operations only."""
    prune = getattr(model, "prune", None)
    if prune is None:
        return list(history)
    kept = list(prune(history))
    given = {id(op) for op in history}
    ids = {id(op) for op in kept}
    if not ids <= given or any(
            id(op) not in ids for op in history if not op.pending):
        raise ValueError("model.prune may only drop pending operations")
    return kept
