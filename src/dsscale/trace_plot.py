"""Message sequence charts: a simulator trace drawn as a Lamport diagram.

:func:`plot_trace` draws one horizontal lane per node and client, time to
the right, and every message as an arrow from its send to its delivery
(Lamport's space-time diagram, CACM 1978), labelled with the message's type.
A drop ends in a cross; a duplicated delivery is dashed; a message still in
flight at the end of the trace is a short stub; a fired timer is a tick on
its node's lane. Crashes shade the lane until the restart, partitions and
one-way cuts shade the chart's background. Client operations, given as a
history, are intervals on the clients' lanes, and the operations of a
counterexample are red. Labels never overlap
(:class:`~dsscale.plot_labels.LabelLayer`): those that find no free place
are left out, the operations' first.

It draws any :class:`~dsscale.sim.Network` trace: a campaign's
(``dsscale.faults.replay(...).network.trace``, best restricted to a
``window`` of time and a few ``nodes``) or an explorer counterexample's
(``dsscale.explore.replay.replay(result).trace``, one column per step).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dsscale.consistency import CheckResult, Operation, describe_operation
from dsscale.plot_labels import LabelLayer
from dsscale.sim import Event

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Arrow", "match_messages", "plot_trace"]

BAD_COLOR = "#d62728"
OP_COLOR = "#9ecae1"
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#ff7f0e", "#7f7f7f", "#393b79")


@dataclass(frozen=True)
class Arrow:
    """One copy of a message: sent at ``start``, delivered or dropped at ``end``.

    ``end`` is ``None`` for a copy still in flight when the trace ends.
    """

    src: str
    dst: str
    message: Any
    start: float
    end: float | None
    dropped: bool = False
    duplicate: bool = False


def match_messages(trace: Iterable[Event]) -> list[Arrow]:
    """Pair every send with its delivery or drop (the oldest open copy first).

    A delivery with no open copy repeats the latest copy of that message (a
    duplicate the explorer made); a ``dup`` event of the simulator opens a
    second copy.
    """
    open_copies: dict[tuple[str, str, Any], deque[tuple[float, bool]]] = {}
    last_send: dict[tuple[str, str, Any], float] = {}
    arrows: list[Arrow] = []
    for e in trace:
        if e.kind not in ("send", "dup", "deliver", "drop"):
            continue
        key = (e.src, e.dst, e.message)
        if e.kind in ("send", "dup"):
            start = e.time if e.kind == "send" else last_send.get(key, e.time)
            open_copies.setdefault(key, deque()).append((start, e.kind == "dup"))
            last_send[key] = start
            continue
        copies = open_copies.get(key)
        if copies:
            start, dup = copies.popleft()
        elif key in last_send:
            start, dup = last_send[key], True
        else:
            continue  # its send lies before the trace's window
        arrows.append(Arrow(e.src, e.dst, e.message, start, e.time,
                            e.kind == "drop", dup))
    for (src, dst, msg), copies in open_copies.items():
        arrows += [Arrow(src, dst, msg, start, None, False, dup)
                   for start, dup in copies]
    return arrows


def _lanes(trace: Sequence[Event], history: Sequence[Operation],
           nodes: Sequence[str] | None) -> list[str]:
    if nodes is not None:
        return list(nodes)
    seen: dict[str, None] = {}
    for op in history:
        seen.setdefault(str(op.client_id).split("'")[0], None)
    for e in trace:
        if e.kind in ("send", "deliver", "drop", "timer", "crash", "restart"):
            for n in (e.src, e.dst):
                seen.setdefault(n, None)
    clients = sorted(n for n in seen if n in {str(op.client_id).split("'")[0]
                                              for op in history})
    return clients + sorted(n for n in seen if n not in clients)


def _message_name(msg: Any) -> str:
    return msg if isinstance(msg, str) else type(msg).__name__


def plot_trace(trace: Sequence[Event], history: Sequence[Operation] = (), *,
               highlight: CheckResult | Iterable[Operation] | None = None,
               nodes: Sequence[str] | None = None,
               window: tuple[float, float] | None = None,
               ax: Axes | None = None) -> Axes:
    """Draw ``trace`` as a message sequence chart; return the axes.

    Parameters
    ----------
    trace : sequence of dsscale.sim.Event
        A network's trace (times on its clock, or step numbers).
    history : sequence of Operation
        Client operations on the same time axis, drawn on the clients' lanes.
    highlight : CheckResult or operations, optional
        Operations to draw in red: a check's counterexample, or a list.
    nodes : sequence of str, optional
        Lanes to draw, top to bottom (default: clients, then every other
        node of the trace, sorted); events of other nodes are left out.
    window : (start, end), optional
        Draw only what happens in this time interval.
    ax : matplotlib Axes, optional
        Where to draw (a new figure sized to the trace if None).
    """
    trace = list(trace)
    history = list(history)
    if window is not None:
        low, high = window
        if not high > low:
            raise ValueError(f"window must be (start, end) with end > start, "
                             f"got {window!r}")
        trace = [e for e in trace if low <= e.time <= high]
        history = [op for op in history if op.call <= high
                   and (op.pending or op.return_time >= low)]
    lanes = _lanes(trace, history, nodes)
    lane = {n: k for k, n in enumerate(lanes)}
    times = [e.time for e in trace] + [t for op in history
                                       for t in (op.call, op.return_time)
                                       if math.isfinite(t)]
    left, right = (min(times), max(times)) if times else (0.0, 1.0)
    if window is not None:
        left, right = window
    span = (right - left) or 1.0
    if ax is None:
        import matplotlib.pyplot as plt

        width = min(40.0, max(7.0, 0.12 * len(trace)))
        _, ax = plt.subplots(figsize=(width, 0.9 + 0.75 * len(lanes)))
    labels = LabelLayer(ax)
    _shade_faults(ax, trace, lane, right)
    _draw_operations(ax, labels, history, lane, _highlighted(highlight), right)
    _draw_messages(ax, labels, trace, lane, right, 0.01 * span)
    for e in trace:
        if e.kind == "timer" and e.src in lane:
            ax.plot([e.time], [lane[e.src]], marker="|", markersize=9, color="0.35",
                    gid="timer")
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(len(lanes) - 0.4, -0.6)
    ax.set_xlim(left - 0.02 * span, right + 0.04 * span)
    ax.set_xlabel("time")
    ax.grid(False)
    return ax


def _highlighted(highlight: CheckResult | Iterable[Operation] | None) -> set[int]:
    if highlight is None:
        return set()
    if isinstance(highlight, CheckResult):
        return {id(op) for op in highlight.counterexample}
    return {id(op) for op in highlight}


def _shade_faults(ax: Axes, trace: Sequence[Event], lane: dict[str, int],
                  right: float) -> None:
    """Grey lanes while a node is down; red background while a cut holds."""
    down: dict[str, float] = {}
    cut: list[tuple[float, str]] = []
    for e in trace:
        if e.kind == "crash" and e.src in lane:
            down[e.src] = e.time
        elif e.kind == "restart" and e.src in down:
            _shade_lane(ax, lane[e.src], down.pop(e.src), e.time)
        elif e.kind in ("partition", "block"):
            cut.append((e.time, f"{e.src} | {e.dst}" if e.kind == "partition"
                        else f"{e.src} \u2192 {e.dst} cut"))
        elif e.kind == "heal":
            for start, _ in cut:
                ax.axvspan(start, e.time, color=BAD_COLOR, alpha=0.07, lw=0,
                           gid="cut")
            cut = []
    for node, start in down.items():
        _shade_lane(ax, lane[node], start, right)
    for start, _ in cut:
        ax.axvspan(start, right, color=BAD_COLOR, alpha=0.07, lw=0, gid="cut")


def _shade_lane(ax: Axes, row: int, start: float, end: float) -> None:
    ax.fill_between([start, end], row - 0.35, row + 0.35, color="0.8",
                    hatch="xx", edgecolor="0.6", lw=0, gid="down")


def _draw_operations(ax: Axes, labels: LabelLayer, history: Sequence[Operation],
                     lane: dict[str, int], bad: set[int], right: float) -> None:
    for op in history:
        row = lane.get(str(op.client_id).split("'")[0])
        if row is None:
            continue
        end = right if op.pending else op.return_time
        red = id(op) in bad
        ax.fill_between([op.call, end], row - 0.3, row + 0.3,
                        color=BAD_COLOR if red else OP_COLOR, alpha=0.35,
                        hatch="//" if op.pending else None, lw=0,
                        gid="offending" if red else "operation")
        labels.add(describe_operation(op), [(0.5 * (op.call + end), row - 0.42),
                                            (0.5 * (op.call + end), row + 0.42)],
                   priority=1e9 if red else 1e6, fontsize=7,
                   color=BAD_COLOR if red else "black", gid="op-label")


def _draw_messages(ax: Axes, labels: LabelLayer, trace: Sequence[Event],
                   lane: dict[str, int], right: float, stub: float) -> None:
    colors: dict[str, str] = {}
    for arrow in match_messages(trace):
        if arrow.src not in lane or arrow.dst not in lane:
            continue
        name = _message_name(arrow.message)
        color = colors.setdefault(name, PALETTE[len(colors) % len(PALETTE)])
        y0, y1 = float(lane[arrow.src]), float(lane[arrow.dst])
        x1 = arrow.end if arrow.end is not None else min(arrow.start + 3 * stub, right)
        if arrow.end is None:  # still in flight: a stub a third of the way down
            y1 = y0 + (y1 - y0) / 3
        style = "--" if arrow.duplicate else "-"
        ax.annotate("", xy=(x1, y1), xytext=(arrow.start, y0),
                    arrowprops={"arrowstyle": "-" if arrow.dropped else "->",
                                "color": color, "lw": 0.9, "linestyle": style,
                                "shrinkA": 0, "shrinkB": 0},
                    gid="message")
        if arrow.dropped:
            ax.plot([x1], [y1], marker="x", color=BAD_COLOR, markersize=7, mew=1.6,
                    gid="drop")
        candidates = [(arrow.start + f * (x1 - arrow.start), y0 + f * (y1 - y0))
                      for f in (0.5, 0.35, 0.65, 0.2, 0.8)]
        labels.add(name, candidates, priority=-arrow.start, fontsize=6.5,
                   color=color, gid="message-label")
