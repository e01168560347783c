"""Draw a history as a timeline: one row per client, one bar per operation."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from dsscale.consistency.checker import CheckResult
from dsscale.consistency.history import Operation, as_history
from dsscale.plot_labels import LabelLayer

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["describe_operation", "plot_history"]

OK_COLOR = "#9ecae1"
BAD_COLOR = "#d62728"


def describe_operation(op: Operation) -> str:
    """A short label: ``write(1)``, ``read -> 1``, ``cas(1, 2) -> True``, ...

    Tuple inputs ``(name, *args)`` print as ``name(args)``; a ``None`` argument
    is left out and a tuple argument is spread. The output follows an arrow
    unless it is ``None`` or the operation is pending (shown as ``-> ?``).
    """
    if isinstance(op.input, tuple) and op.input and isinstance(op.input[0], str):
        args: list[Any] = []
        for arg in op.input[1:]:
            if isinstance(arg, tuple):
                args.extend(arg)
            elif arg is not None:
                args.append(arg)
        text = f"{op.input[0]}({', '.join(map(str, args))})"
    else:
        text = str(op.input)
    if op.pending:
        return text + " \u2192 ?"
    return text if op.output is None else f"{text} \u2192 {op.output}"


def plot_history(operations: Sequence[Operation],
                 result: CheckResult | None = None,
                 ax: Axes | None = None) -> Axes:
    """Draw ``operations`` as bars from call to return, one row per client.

    Pending operations run to the right edge, hatched and dashed. If ``result``
    is illegal, the operations of its counterexample are drawn in red (matched
    by identity, so pass the history that was checked).

    Labels never overlap (:class:`~dsscale.plot_labels.LabelLayer`): each
    sits on its bar, or just above or below it; the counterexample's and then
    the longest operations are labelled first, and a label with no free spot
    is left out. The placement is redone whenever the figure is drawn.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a new figure's if ``ax`` is None).
    """
    history = as_history(operations)
    if result is not None and not isinstance(result, CheckResult):
        raise TypeError(
            f"result must be a CheckResult or None, got {type(result).__name__}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 0.6 + 0.5 * _num_rows(history)))
    offending = set()
    if result is not None and result.status == "illegal":
        offending = {id(op) for op in result.counterexample}
    finite = [t for op in history for t in (op.call, op.return_time)
              if math.isfinite(t)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    margin = 0.05 * (high - low or 1.0)
    right = high + margin
    rows: dict[Hashable, int] = {}
    labels = LabelLayer(ax)
    for op in history:
        row = rows.setdefault(op.client_id, len(rows))
        end = right if op.pending else op.return_time
        bad = id(op) in offending
        ax.barh(row, max(end - op.call, margin * 0.05), left=op.call, height=0.6,
                color=BAD_COLOR if bad else OK_COLOR,
                edgecolor="black", linestyle="--" if op.pending else "-",
                hatch="//" if op.pending else None, alpha=0.6 if op.pending else 1.0,
                gid="offending" if bad else "operation")
        mid = op.call + 0.5 * (min(end, right) - op.call)
        labels.add(describe_operation(op),
                   [(mid, row), (mid, row - 0.5), (mid, row + 0.5)],
                   priority=(1e9 if bad else 0.0) + min(end, right) - op.call,
                   fontsize=8, gid="label")
    ax.set_yticks(range(len(rows)), [f"client {c}" for c in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(low - margin, right + margin)
    ax.set_xlabel("time")
    if result is not None:
        ax.set_title(f"linearizability: {result.status}")
    return ax


def _num_rows(history: Sequence[Operation]) -> int:
    return max(1, len({op.client_id for op in history}))
