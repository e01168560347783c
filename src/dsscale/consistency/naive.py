"""The definition of linearizability, executed literally: try every order.

:func:`naive_check_linearizable` is the oracle the fast checker is tested
against, so it is written to be obviously right rather than fast: for every
subset of the pending operations (each may take effect or not), it tries every
permutation of the completed operations plus that subset, keeps those that
respect real time, and replays each on the model. That is up to
:math:`2^p \\, n!` orders -- the benchmark shows what the memoised search saves.
It shares only the model interface and the real-time rule with the checker.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

from dsscale._validate import check_float, check_int
from dsscale.consistency.checker import CheckResult
from dsscale.consistency.history import UNKNOWN, Operation, as_history, precedes
from dsscale.consistency.models import Model, check_model

__all__ = ["naive_check_linearizable"]


def _respects_real_time(order: Sequence[Operation]) -> bool:
    return not any(precedes(later, earlier)
                   for i, earlier in enumerate(order) for later in order[i + 1:])


def _legal(order: Sequence[Operation], model: Model) -> bool:
    state = model.init()
    for op in order:
        ok, state = model.step(state, op.input,
                               UNKNOWN if op.pending else op.output)
        if not ok:
            return False
    return True


def naive_check_linearizable(operations: Sequence[Operation], model: Any, *,
                             timeout: float | None = None,
                             max_operations: int = 12) -> CheckResult:
    """Check linearizability by trying every order that respects real time.

    Parameters
    ----------
    operations : sequence of Operation
        The history; at most ``max_operations`` long.
    model : Model
        The sequential specification; ``partition`` is deliberately ignored.
    timeout : float, optional
        Seconds of wall-clock time before giving up with "unknown".
    max_operations : int
        A guard against starting a search that would not end in a lifetime.

    Returns
    -------
    CheckResult
        "ok" with a legal order, "illegal" (no counterexample is computed), or
        "unknown" on timeout.
    """
    history = as_history(operations)
    model = check_model(model)
    limit = check_int("max_operations", max_operations, 0)
    if len(history) > limit:
        raise ValueError(
            f"operations must have at most max_operations ({limit}) elements "
            f"for the exhaustive checker, got {len(history)}")
    deadline = None
    if timeout is not None:
        deadline = time.monotonic() + check_float("timeout", timeout, 0)
    completed = [op for op in history if not op.pending]
    pending = [op for op in history if op.pending]
    for size in range(len(pending) + 1):
        for chosen in itertools.combinations(pending, size):
            for order in itertools.permutations(completed + list(chosen)):
                if deadline is not None and time.monotonic() >= deadline:
                    return CheckResult("unknown")
                if _respects_real_time(order) and _legal(order, model):
                    return CheckResult("ok", linearization=tuple(order))
    return CheckResult("illegal")
