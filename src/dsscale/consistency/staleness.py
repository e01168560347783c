"""Stale reads and lost writes: what a key-value history shows without a search.

Linearizability (:func:`~dsscale.consistency.check_linearizable`) is the whole
truth about a history, but its verdict is one bit. Two weaker properties name
*which* operation went wrong, are cheap to compute, and are what a user of a
replicated store complains about:

* a **stale read** returned a value that real time says had been overwritten
  before the read began;
* a **lost write** is an acknowledged write that the *final* reads of the
  store (taken after everything else has finished) no longer reflect.

Both rest on one rule. A completed read ``r`` of key ``k`` returned ``x``; the
*sources* of ``x`` are the writes of ``x`` to ``k``. For an acknowledged write
``w`` of another value that returned before ``r`` was called, ``r`` is stale
with respect to ``w`` if ``x`` is the initial value, or every source of ``x``
is ordered before ``w``: it returned before ``w`` was called -- or, when
``w``'s value is written only once, before a completed read that returned
``w``'s value was called (that read saw ``w`` after the source had taken
effect, so the source precedes ``w`` in every linearization), unless real time
orders the source after ``w`` (``w`` returned before the source was called):
a read that contradicts real time is itself stale and proves nothing about
the order of the writes. Then every linearization orders
``source < w < r``, and ``r`` cannot return ``x``.

With unique values each read has one source and the rule is exact for the
real-time order. With repeated values it stays *sound*, never blaming a read
or write wrongly, but may miss a violation; the linearizability check is then
the complete test. A value no write produced is reported by neither function
(it is not linearizable, and the checker says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dsscale.consistency.history import Operation

__all__ = ["lost_writes", "stale_reads"]


class _Index:
    """Sources and read times of every (key, value) of a KV history."""

    def __init__(self, history: Sequence[Operation]) -> None:
        self.puts = [op for op in history if op.input[0] == "put"]
        self.sources: dict[tuple[Any, Any], list[Operation]] = {}
        for op in self.puts:
            self.sources.setdefault((op.input[1], op.input[2]), []).append(op)
        # when each (key, value) was last called to be read by a completed read
        self.last_read_call: dict[tuple[Any, Any], float] = {}
        for op in history:
            if op.input[0] == "get" and not op.pending:
                seen = (op.input[1], op.output)
                self.last_read_call[seen] = max(op.call,
                                                self.last_read_call.get(seen, op.call))

    def overwritten(self, read: Operation, before: float) -> list[Operation]:
        """Acknowledged writes returned before ``before`` that ``read`` missed."""
        key, value = read.input[1], read.output
        candidates = self.sources.get((key, value), [])
        if value is not None and not candidates:
            return []  # nobody wrote it: for the linearizability check
        missed = []
        for w in self.puts:
            if (w.input[1] != key or w.pending or w.input[2] == value
                    or not w.return_time < before):
                continue
            observed = w.call
            if len(self.sources[(key, w.input[2])]) == 1:
                observed = max(observed, self.last_read_call.get(
                    (key, w.input[2]), observed))
            # A read of w's value never overrules real time: a source called
            # after w returned follows w, whatever another (stale) read saw.
            if value is None or all(s.return_time < observed
                                    and not w.return_time < s.call
                                    for s in candidates):
                missed.append(w)
        return missed


def stale_reads(history: Sequence[Operation]) -> list[tuple[Operation, Operation]]:
    """``(read, write)`` pairs: each completed read that missed a write which
    had returned before the read was called (see the module docstring).

    >>> w1 = Operation("a", ("put", "x", 1), 0, None, 1)
    >>> w2 = Operation("a", ("put", "x", 2), 2, None, 3)
    >>> r = Operation("b", ("get", "x"), 4, 1, 5)
    >>> [(read.output, write.input[2]) for read, write in stale_reads([w1, w2, r])]
    [(1, 2)]
    """
    index = _Index(history)
    return [(op, w) for op in history if op.input[0] == "get" and not op.pending
            for w in index.overwritten(op, op.call)]


def lost_writes(history: Sequence[Operation], final_reads: Sequence[Operation]
                ) -> list[str]:
    """Acknowledged writes of ``history`` that ``final_reads`` no longer reflect.

    ``final_reads`` are reads taken after every operation of ``history`` had
    finished (one per key); a write is lost when a final read is stale with
    respect to it. Returns one line per lost write, for reports.
    """
    index = _Index(history)
    return [f"{w.input[1]}={w.input[2]} (acked at {w.return_time:.2f}) lost: "
            f"final read returned {final.output!r}"
            for final in final_reads
            for w in index.overwritten(final, float("inf"))]
