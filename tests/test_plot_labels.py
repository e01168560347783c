"""Labels never overlap: the label layer, and plot_history on dense histories."""

import math

import matplotlib
import matplotlib.pyplot as plt
import pytest

from dsscale.consistency import (
    KVModel,
    Operation,
    check_linearizable,
    plot_history,
)
from dsscale.plot_labels import LabelLayer, overlapping_pairs

matplotlib.use("Agg")


def _dense_history():
    """8 clients, 30 short back-to-back operations each, some pending."""
    ops = []
    for c in range(8):
        t = 0.1 * c
        for k in range(30):
            length = 0.4 + 0.1 * ((c + k) % 3)
            pending = (c + k) % 17 == 0
            ops.append(Operation(c, ("put", "x", k) if k % 2 else ("get", "x"),
                                 t, None if k % 2 or pending else k,
                                 math.inf if pending else t + length))
            t += length + 0.05
    return ops


def _draw(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_dense_history_labels_do_not_overlap():
    history = _dense_history()
    fig, ax = plt.subplots(figsize=(9, 4))
    plot_history(history, ax=ax)
    fig.tight_layout()
    renderer = _draw(fig)
    visible = [t for t in ax.texts if t.get_visible()]
    assert overlapping_pairs(ax.texts, renderer) == []
    assert 0 < len(visible) < len(history)  # dense: some labels left out
    # every label stays inside the axes
    frame = ax.get_window_extent(renderer)
    for text in visible:
        box = text.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1


def test_the_check_would_see_centred_labels_overlap():
    # the old placement, one centred label per bar, on the same history
    history = _dense_history()
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.set_xlim(0, 20)
    ax.set_ylim(7.5, -0.5)
    for op in history:
        end = op.return_time if not op.pending else 20.0
        ax.text((op.call + end) / 2, op.client_id, "get(x) -> 1", ha="center",
                fontsize=8)
    assert overlapping_pairs(ax.texts, _draw(fig))


def test_labels_are_placed_again_when_the_figure_changes_size():
    fig, ax = plt.subplots(figsize=(12, 4))
    plot_history(_dense_history(), ax=ax)
    _draw(fig)
    wide = sum(t.get_visible() for t in ax.texts)
    fig.set_size_inches(5, 4)
    renderer = _draw(fig)
    assert overlapping_pairs(ax.texts, renderer) == []
    assert sum(t.get_visible() for t in ax.texts) < wide


def test_the_counterexample_is_labelled_first():
    # a stale read among short, labelled neighbours
    history = [Operation(0, ("put", "x", 1), 0.0, None, 1.0),
               Operation(0, ("put", "x", 2), 1.1, None, 2.0)]
    history += [Operation(1, ("get", "x"), 0.1 * k, 1 if k < 10 else 2,
                          0.1 * k + 0.08) for k in range(40) if k != 22]
    history.append(Operation(1, ("get", "x"), 2.2, 1, 2.28))  # stale
    bad = history
    result = check_linearizable(bad, KVModel())
    assert result.status == "illegal"
    fig, ax = plt.subplots(figsize=(6, 3))
    plot_history(bad, result, ax=ax)
    _draw(fig)
    red = {id(op) for op in result.counterexample}
    labels = dict(zip((id(op) for op in bad), ax.texts, strict=True))
    assert all(labels[i].get_visible() for i in red)


def test_layer_moves_a_label_to_its_next_free_spot_or_hides_it():
    fig, ax = plt.subplots(figsize=(3, 3))
    layer = LabelLayer(ax)
    first = layer.add("first", [(0.5, 0.5)])
    moved = layer.add("second", [(0.5, 0.5), (0.5, 0.2)])
    hidden = layer.add("third", [(0.5, 0.5)])
    outside = layer.add("fourth", [(2.0, 2.0)])
    important = layer.add("boss", [(0.5, 0.8)], priority=1.0)
    blocked = layer.add("other", [(0.5, 0.8)])
    _draw(fig)
    assert first.get_visible() and moved.get_position() == (0.5, 0.2)
    assert not hidden.get_visible() and not outside.get_visible()
    assert important.get_visible() and not blocked.get_visible()
    with pytest.raises(ValueError, match="candidates"):
        layer.add("none", [])
