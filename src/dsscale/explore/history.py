"""Client histories under the explorer: logical stamps, interned, checked once.

With no clock of real time, an operation's call and return are stamped with
*logical* times that keep exactly the order that matters to
linearizability: operation ``a`` precedes ``b`` iff ``a`` returned before
``b`` was called. The stamp counts *blocks* of consecutive events of one
kind: a run of calls shares one stamp, the returns that follow share the
next one, and so on. Then ``a.return < b.call`` holds iff ``a``'s return came
before ``b``'s call in the schedule, while two schedules that differ only in
the order of adjacent calls (or adjacent returns) give the same history.
That merges states the checker could not tell apart anyway.

A history state is ``(records, open, block, last kind)``: the finished
operations (returned, or given up as pending), the operation each client
has open, and the stamp counter. States are interned to small ints, and
the linearizability verdict of each is computed once
(:func:`~dsscale.consistency.check_linearizable`, the open operations taken
as pending).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dsscale.consistency import Operation, check_linearizable
from dsscale.explore.machine import CALL, RETURN

__all__ = ["Histories"]

Record = tuple[Any, Any, Any, int, float]  # pid, input, output, call, return


class Histories:
    """Interned client histories and their cached verdicts."""

    def __init__(self, client_nodes: Sequence[int], model: Any) -> None:
        self.position = {node: k for k, node in enumerate(client_nodes)}
        self.model = model
        self.items: list[tuple[tuple[Record, ...], tuple[Any, ...], int, int]] = []
        self._ids: dict[Any, int] = {}
        self._memo: dict[tuple[int, int, Any], int] = {}
        self._verdicts: dict[int, bool] = {}
        self.checks = 0
        self.empty = self._intern(((), (None,) * len(client_nodes), 0, 0))

    def _intern(self, item: tuple[tuple[Record, ...], tuple[Any, ...], int, int]
                ) -> int:
        hid = self._ids.get(item)
        if hid is None:
            hid = self._ids[item] = len(self.items)
            self.items.append(item)
        return hid

    def apply(self, hid: int, node: int, effects: tuple[tuple[Any, ...], ...]) -> int:
        """The history after client node ``node``'s ``effects``."""
        key = (hid, node, effects)
        new = self._memo.get(key)
        if new is None:
            new = self._memo[key] = self._apply(hid, self.position[node], effects)
        return new

    def _apply(self, hid: int, pos: int, effects: tuple[tuple[Any, ...], ...]) -> int:
        records, opened, block, last = self.items[hid]
        new_records = list(records)
        new_open = list(opened)
        for effect in effects:
            if effect[0] == CALL:
                if last != CALL:
                    block, last = block + 1, CALL
                new_open[pos] = (effect[1], effect[2], block)
                continue
            _, pid, op_input, output, pending = effect
            called = new_open[pos]
            if called is None:
                raise RuntimeError(f"client {pid!r} recorded an operation it never "
                                   "called")
            new_open[pos] = None
            if pending:
                new_records.append((pid, op_input, None, called[2], math.inf))
                continue
            if last != RETURN:
                block, last = block + 1, RETURN
            new_records.append((pid, op_input, output, called[2], block))
        new_records.sort(key=repr)
        return self._intern((tuple(new_records), tuple(new_open), block, last))

    def operations(self, hid: int) -> list[Operation]:
        """History ``hid`` as operations; open ones are pending."""
        records, opened, _, _ = self.items[hid]
        ops = [Operation(pid, op_input, call, output, ret)
               for pid, op_input, output, call, ret in records]
        ops += [Operation(o[0], o[1], o[2], None, math.inf)
                for o in opened if o is not None]
        return ops

    def linearizable(self, hid: int) -> bool:
        """Whether history ``hid`` is linearizable (computed once per history)."""
        verdict = self._verdicts.get(hid)
        if verdict is None:
            self.checks += 1
            result = check_linearizable(self.operations(hid), self.model, shrink=False)
            verdict = self._verdicts[hid] = result.status == "ok"
        return verdict

    def completed(self, hid: int) -> int:
        """How many operations of history ``hid`` returned."""
        return sum(1 for r in self.items[hid][0] if not math.isinf(r[4]))
