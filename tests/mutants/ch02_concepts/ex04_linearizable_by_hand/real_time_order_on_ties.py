"""Orders an operation that returns at t before one called at t (<= for <)."""
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 2.4 — Linearizable or not? Decide by hand, then by search
#
# A history is *linearizable* (Herlihy and Wing, 1990) if every operation can
# be given one instant between its call and its return -- its linearization
# point -- such that performing the operations one at a time in the order of
# those instants gives exactly the results the clients saw. For a register:
# every read returns the value of the last write before it in that order (or
# the initial value, 0, if there is none).
#
# Part 1: decide eight small histories of one register by reasoning, and
# record your verdicts. Part 2: write the brute-force search that finds a
# linearization when one exists. The checks compare both with
# `dsscale.consistency.check_linearizable`.
# (Book: Chapter 2, "Consistency models", `book/ch02_concepts/consistency_models.md`.)
#
# Grade with `dsscale grade ch02`.

# %%
import math

from dsscale.consistency import Operation

INF = math.inf

# The eight histories of verdicts(), as the checker sees them: a register that
# holds 0 until first written. Operation(client_id, input, call, output,
# return_time); input ("write", v) or ("read", None); a read's output is the
# value it returned; return_time INF means the client never heard back.
HISTORIES = {
    "h1": [Operation("A", ("write", 1), 0, None, 4),
           Operation("B", ("read", None), 1, 1, 2),
           Operation("C", ("read", None), 3, 0, 5)],
    "h2": [Operation("A", ("write", 1), 0, None, 4),
           Operation("B", ("read", None), 1, 0, 2),
           Operation("C", ("read", None), 3, 1, 5)],
    "h3": [Operation("A", ("write", 1), 0, None, 2),
           Operation("B", ("write", 2), 1, None, 3),
           Operation("C", ("read", None), 4, 1, 5)],
    "h4": [Operation("A", ("write", 1), 0, None, 2),
           Operation("B", ("write", 2), 3, None, 4),
           Operation("C", ("read", None), 5, 1, 6)],
    "h5": [Operation("A", ("write", 1), 0, None, 5),
           Operation("B", ("write", 2), 1, None, 6),
           Operation("C", ("read", None), 2, 2, 3),
           Operation("C", ("read", None), 4, 1, 7)],
    "h6": [Operation("A", ("write", 1), 0, None, 2),
           Operation("B", ("write", 2), 1, None, 3),
           Operation("C", ("read", None), 4, 2, 5),
           Operation("D", ("read", None), 6, 1, 7)],
    "h7": [Operation("A", ("write", 1), 0, None, INF),
           Operation("B", ("read", None), 1, 0, 2),
           Operation("C", ("read", None), 5, 1, 6)],
    "h8": [Operation("A", ("write", 1), 0, None, INF),
           Operation("B", ("read", None), 1, 1, 2),
           Operation("C", ("read", None), 3, 0, 4)],
}


def verdicts():
    """Your verdict on each history of HISTORIES: is it linearizable?

    Each bar is one operation, from its call `[` to its return `]`; `w(v)`
    writes v, `r:v` is a read that returned v, and `>` marks an operation
    whose client never heard back (pending: it may have taken effect at any
    time after its call, or never). The register holds 0 until first written.
    Intervals are closed, and an operation that returned before another was
    called must be linearized first.

    h1
      time   0     1     2     3     4     5     6
      A      [----------w(1)---------]
      B            [-r:1-]
      C                        [----r:0----]

    h2
      time   0     1     2     3     4     5     6
      A      [----------w(1)---------]
      B            [-r:0-]
      C                        [----r:1----]

    h3
      time   0     1     2     3     4     5     6
      A      [----w(1)---]
      B            [----w(2)---]
      C                              [-r:1-]

    h4
      time   0     1     2     3     4     5     6     7
      A      [----w(1)---]
      B                        [-w(2)]
      C                                    [-r:1-]

    h5
      time   0     1     2     3     4     5     6     7     8
      A      [-------------w(1)------------]
      B            [-------------w(2)------------]
      C                  [-r:2-]     [-------r:1-------]

    h6
      time   0     1     2     3     4     5     6     7     8
      A      [----w(1)---]
      B            [----w(2)---]
      C                              [-r:2-]
      D                                          [-r:1-]

    h7
      time   0     1     2     3     4     5     6     7
      A      [--------------------w(1)------------------>
      B            [-r:0-]
      C                                    [-r:1-]

    h8
      time   0     1     2     3     4     5
      A      [--------------w(1)------------>
      B            [-r:1-]
      C                        [-r:0-]

    Returns
    -------
    dict of str to bool
        `{"h1": ..., "h2": ..., ..., "h8": ...}`: True for each linearizable
        history, False for the others. Decide by reasoning (find the
        linearization points, or argue why none exist), not by running a
        checker: the checks do that.
    """
    ### BEGIN SOLUTION
    return {
        "h1": False,  # B saw 1, so write(1) took effect by 2; C began at 3: not 0
        "h2": True,   # r:0 at 1.5, write(1) at 2.5, r:1 at 4
        "h3": True,   # w(2) then w(1), both before the read at 4
        "h4": False,  # w(1) < w(2) in real time, both before the read: stale 1
        "h5": True,   # w(2) at 1.5, r:2 at 2.5, w(1) at 4.5, r:1 at 6
        "h6": False,  # r:2 orders w(1) < w(2); the later read cannot see 1
        "h7": True,   # the pending write(1) takes effect between 2 and 5
        "h8": False,  # once B saw 1, the pending write had happened; C saw 0
    }
    ### END SOLUTION


def witness_order(history):
    """A linearization of a register history, or None if there is none.

    Search all orders by backtracking. Build the order one operation at a
    time; an unplaced operation `b` may come next only if no other unplaced
    operation `a` returned before `b` was called (`a.return_time < b.call`:
    real time must be respected), and, if `b` is a read, only if its
    `output` equals the register's current value (0 before any write). A
    write sets the current value to its `input[1]`. When every completed
    operation has been placed, the order is a linearization; pending writes
    (`return_time == math.inf`) not placed by then are left out (they never
    took effect). If every branch gets stuck, there is none.

    Parameters
    ----------
    history : list of dsscale.consistency.Operation
        Operations of one register, initially 0, with inputs
        `("write", v)` or `("read", None)`. Every read has completed (the
        checks never pass a pending read); writes may be pending. At most
        8 operations, so trying every order is fast enough.

    Returns
    -------
    list of int or None
        Positions in `history` (0-based), in linearization order: every
        completed operation once, plus any pending writes that took effect.
        None if the history is not linearizable. When several orders work,
        any one of them is accepted. `witness_order([])` is `[]`.

    Example: for h2 above, `[1, 0, 2]` (r:0, then w(1), then r:1).
    """
    ### BEGIN SOLUTION
    completed = sum(1 for op in history if not op.pending)

    def extend(order, placed, value, done):
        if done == completed:
            return list(order)
        for b, op in enumerate(history):
            if b in placed:
                continue
            if any(a not in placed and a != b and other.return_time <= op.call
                   for a, other in enumerate(history)):
                continue
            if op.input[0] == "read":
                if op.output != value:
                    continue
                new_value = value
            else:
                new_value = op.input[1]
            order.append(b)
            placed.add(b)
            found = extend(order, placed, new_value, done + (not op.pending))
            if found is not None:
                return found
            order.pop()
            placed.discard(b)
        return None

    return extend([], set(), 0, 0)
    ### END SOLUTION


# %% [markdown]
# Try it: your verdicts next to your search's, and the order it found.

# %%
if __name__ == "__main__":
    mine = verdicts()
    for name, history in HISTORIES.items():
        order = witness_order(history)
        print(name, "verdict:", mine[name], " search:", order)
