"""The history timeline draws headless and highlights a counterexample."""

import math

import matplotlib
import matplotlib.pyplot as plt
import pytest

from dsscale.consistency import (
    Operation,
    RegisterModel,
    check_linearizable,
    describe_operation,
    plot_history,
)

matplotlib.use("Agg")

HISTORY = [Operation(0, ("write", 1), 0, None, 1),
           Operation(1, ("write", 2), 2, None, 3),
           Operation(2, ("read", None), 4, 1, 5),
           Operation(0, ("write", 3), 4.5, None, math.inf)]


def _bars(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def test_plot_highlights_counterexample():
    result = check_linearizable(HISTORY, RegisterModel())
    fig, ax = plt.subplots()
    assert plot_history(HISTORY, result, ax=ax) is ax
    assert len(_bars(ax, "offending")) == len(result.counterexample) > 0
    assert len(_bars(ax, "operation")) == len(HISTORY) - len(result.counterexample)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "client 0", "client 1", "client 2"]
    plt.close(fig)


def test_plot_without_result_draws_pending_to_the_right_edge():
    ax = plot_history(HISTORY)
    pending = [p for p in ax.patches if p.get_hatch()]
    assert len(pending) == 1
    assert pending[0].get_x() + pending[0].get_width() > 5
    assert not _bars(ax, "offending")
    plt.close(ax.figure)


def test_plot_rejects_a_non_result():
    with pytest.raises(TypeError, match="result"):
        plot_history(HISTORY, result="illegal")


@pytest.mark.parametrize("op, text", [
    (Operation(0, ("write", 1), 0, None, 1), "write(1)"),
    (Operation(0, ("read", None), 0, 7, 1), "read() \u2192 7"),
    (Operation(0, ("cas", (1, 2)), 0, True, 1), "cas(1, 2) \u2192 True"),
    (Operation(0, ("get", "k"), 0, None, math.inf), "get(k) \u2192 ?"),
])
def test_describe_operation(op, text):
    assert describe_operation(op) == text
