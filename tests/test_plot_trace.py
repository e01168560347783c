"""Message sequence charts: pairing sends with deliveries, and what is drawn."""

from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import pytest

from dsscale.explore import explore
from dsscale.explore.catalog import CATALOG
from dsscale.explore.replay import replay
from dsscale.faults import replay as replay_seed
from dsscale.plot_labels import overlapping_pairs
from dsscale.sim import Event
from dsscale.trace_plot import match_messages, plot_trace

matplotlib.use("Agg")


@dataclass(frozen=True)
class M:
    n: int


def ev(time, kind, src, dst, msg, detail=""):
    return Event(time, kind, src, dst, msg, detail)


def test_sends_pair_with_the_oldest_open_copy():
    trace = [ev(0, "send", "a", "b", M(1)), ev(1, "send", "a", "b", M(1)),
             ev(2, "deliver", "a", "b", M(1)), ev(3, "deliver", "a", "b", M(1))]
    arrows = match_messages(trace)
    assert [(a.start, a.end, a.duplicate) for a in arrows] == [(0, 2, False),
                                                               (1, 3, False)]


def test_drops_duplicates_and_messages_still_in_flight():
    trace = [ev(0, "send", "a", "b", M(1)), ev(0, "drop", "a", "b", M(1), "lost"),
             ev(1, "send", "a", "b", M(2)), ev(1, "dup", "a", "b", M(2)),
             ev(2, "deliver", "a", "b", M(2)), ev(4, "deliver", "a", "b", M(2)),
             ev(5, "deliver", "a", "b", M(2)),  # a third copy: the explorer's
             ev(6, "send", "b", "a", M(3)),      # never delivered
             ev(7, "deliver", "x", "y", M(4))]   # sent before the window
    arrows = {(a.message.n, a.end): a for a in match_messages(trace)}
    assert arrows[(1, 0)].dropped
    assert not arrows[(2, 2)].duplicate and arrows[(2, 4)].duplicate
    assert arrows[(2, 5)].duplicate and arrows[(2, 5)].start == 1
    assert arrows[(3, None)].start == 6
    assert len(arrows) == 5


def _gids(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_explorer_counterexample_chart():
    result = explore(CATALOG["abd-no-writeback"])
    again = replay(result)
    fig, ax = plt.subplots(figsize=(9, 4))
    plot_trace(again.trace, again.history, highlight=again.check, ax=ax)
    fig.canvas.draw()
    delivered = sum(e.kind == "deliver" for e in again.trace)
    assert len(_gids(ax, "message")) == len(match_messages(again.trace))
    assert len(match_messages(again.trace)) >= delivered
    assert len(_gids(ax, "offending")) == len(again.check.counterexample) > 0
    assert len(_gids(ax, "operation")) == len(again.history) - len(
        again.check.counterexample)
    assert [t.get_text() for t in ax.get_yticklabels()][:3] == ["c0", "c1", "c2"]
    assert overlapping_pairs(ax.texts, fig.canvas.get_renderer()) == []


def test_crashes_drops_and_partitions_are_marked():
    # a campaign seed with a partition and a replica crash (found by scanning)
    seed = next(s for s in range(40)
                if {"crash", "partition"} <= {e.kind for e in
                                              replay_seed("abd", s).network.trace})
    trace = replay_seed("abd", seed).network.trace
    crash = next(e for e in trace if e.kind == "crash")
    window = (max(0.0, crash.time - 10), crash.time + 20)
    ax = plot_trace(trace, window=window)
    ax.figure.canvas.draw()
    assert _gids(ax, "down")
    shown = [e for e in trace if window[0] <= e.time <= window[1]]
    assert any(e.kind == "drop" for e in shown) == bool(_gids(ax, "drop"))
    assert overlapping_pairs(ax.texts, ax.figure.canvas.get_renderer()) == []
    plt.close(ax.figure)


def test_a_few_hundred_events_draw_without_overlapping_labels():
    trace = replay_seed("abd-no-writeback", 3).network.trace[:400]
    ax = plot_trace(trace)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    assert overlapping_pairs(ax.texts, renderer) == []
    assert sum(t.get_visible() for t in ax.texts) > 20  # still labelled
    plt.close(ax.figure)


def test_window_must_be_an_interval():
    with pytest.raises(ValueError, match="window"):
        plot_trace([], window=(3.0, 3.0))
