"""Histories: the operations a set of clients called and saw returned.

A *history* is a sequence of :class:`Operation` records, each the interval from
the moment a client called an operation to the moment it saw the result. All
times are on one clock (in the simulator, the virtual clock). An operation whose
outcome the client never learned -- it timed out, or the client crashed -- has
``return_time = math.inf``: it is *pending*, and a checker may linearize it at
any point after its call, or never.

Identity is position: an operation is "operation ``i``" of the list it was
checked in, and two records with equal fields are still two operations. This
keeps hand-written histories free of bookkeeping ids.

References: M. Herlihy and J. Wing, "Linearizability: a correctness condition
for concurrent objects", ACM TOPLAS 12(3), 1990.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["UNKNOWN", "Operation", "as_history", "precedes"]


class _Unknown:
    """Type of :data:`UNKNOWN`, the output a checker passes for a pending op."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""The output a model's ``step`` receives for a pending operation.

Whatever a pending operation's ``output`` field holds (conventionally ``None``)
is ignored; the checker passes ``UNKNOWN`` instead, so that a read of the value
``None`` and a read whose answer never arrived cannot be confused. A model
accepts any outcome for ``UNKNOWN``: a pending read imposes nothing, and a
pending write takes effect exactly as if it had completed.
"""


@dataclass(frozen=True)
class Operation:
    """One operation of a history: a client's call and the result it saw.

    Parameters
    ----------
    client_id : Hashable
        Who issued it; used only to draw one row per client.
    input : Any
        What was asked, in the model's convention, e.g. ``("write", 1)``.
    call : float
        Time of the call (finite).
    output : Any
        What was returned, e.g. the value a read saw. Ignored when pending.
    return_time : float
        Time the result arrived, ``>= call``; ``math.inf`` if it never did.

    Notes
    -----
    Operation ``a`` *precedes* ``b`` in real time iff ``a.return_time <
    b.call``. Intervals are closed: an operation that returns at ``t`` and one
    called at ``t`` are concurrent and may be linearized in either order (the
    convention of porcupine, which orders calls before returns at equal times).
    """

    client_id: Hashable
    input: Any
    call: float
    output: Any
    return_time: float

    def __post_init__(self) -> None:
        try:
            hash(self.client_id)
        except TypeError as exc:
            raise TypeError(
                "client_id must be hashable, got "
                f"{type(self.client_id).__name__}") from exc
        for name in ("call", "return_time"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(
                    f"{name} must be a real number, got {type(value).__name__}")
            if math.isnan(value):
                raise ValueError(f"{name} must be a number, got nan")
        if math.isinf(self.call):
            raise ValueError(f"call must be finite, got {self.call}")
        if self.return_time < self.call:
            raise ValueError(
                f"return_time must be >= call ({self.call}), "
                f"got {self.return_time}")

    @property
    def pending(self) -> bool:
        """True if the outcome is unknown (``return_time`` is infinite)."""
        return math.isinf(self.return_time)


def precedes(a: Operation, b: Operation) -> bool:
    """Real-time order: ``a`` returned strictly before ``b`` was called."""
    return a.return_time < b.call


def as_history(operations: Iterable[Operation],
               name: str = "operations") -> tuple[Operation, ...]:
    """Return ``operations`` as a tuple after checking every element's type."""
    if isinstance(operations, (str, bytes, Operation)):
        raise TypeError(
            f"{name} must be a sequence of Operation, "
            f"got {type(operations).__name__}")
    try:
        history = tuple(operations)
    except TypeError as exc:
        raise TypeError(
            f"{name} must be a sequence of Operation, "
            f"got {type(operations).__name__}") from exc
    for index, op in enumerate(history):
        if not isinstance(op, Operation):
            raise TypeError(
                f"{name}[{index}] must be an Operation, got {type(op).__name__}")
    return history
