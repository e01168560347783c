"""Counts only the message deliveries, not the clients issuing operations."""
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
# # Exercise 4.11 — Read a shortest counterexample
#
# A breadth-first explorer returns a *shortest* schedule that breaks a
# property, and a shortest schedule contains nothing that is not needed.
# Use `dsscale.explore` (Chapter 4, "Exploring every schedule") on two
# unsafe protocols at the scopes below, read the counterexamples, and answer
# with numbers and names. Each answer can also be worked out by hand from how
# the protocol works -- do that too, and check that the explorer agrees.
#
# * `INVERSION`: ABD without the read's write-back, three replicas, client
#   `c0` writes once, client `c1` reads twice.
# * `FAILOVER`: asynchronous primary-backup with its configuration master,
#   one replica crash and one message drop allowed, explored with a clock.
#
# Finally, find the smallest scope at which the inversion exists at all; the
# checks confirm it by exploring every smaller one.
#
# A *step* is one scheduler choice: a message delivered, dropped or lost, a
# timer fired (a client issuing an operation is a timer), a crash, a
# restart, or the clock moving (`len(result.trace)`).
#
# Grade with `dsscale grade ch04`.

# %%
from dsscale.explore import Scope
from dsscale.explore.search import explore  # solution-only

INVERSION = Scope("abd-no-writeback",
                  plans={"c0": [("put", "x", 1)], "c1": [("get", "x"), ("get", "x")]})
FAILOVER = Scope("pb-async", max_crashes=1, max_drops=1, retry=1000.0)


def inversion_steps() -> int:
    """The number of steps of a shortest schedule at `INVERSION` whose client
    history is not linearizable (an `int`)."""
    ### BEGIN SOLUTION
    return sum(s.kind == "deliver" for s in explore(INVERSION).trace)
    ### END SOLUTION


def inversion_holders() -> int:
    """In that schedule, how many replicas hold the written value (have
    received a `Store` carrying it) when the last step happens (an `int`)."""
    ### BEGIN SOLUTION
    result = explore(INVERSION)
    return len({s.dst for s in result.trace
                if s.kind == "deliver" and type(s.message).__name__ == "Store"
                and s.message.value == 1})
    ### END SOLUTION


def failover_crashed() -> str:
    """The replica that crashes in a shortest counterexample at `FAILOVER`."""
    ### BEGIN SOLUTION
    result = explore(FAILOVER)
    return next(s.dst for s in result.trace if s.kind == "crash")
    ### END SOLUTION


def failover_dropped() -> tuple[str, str]:
    """The message dropped in that counterexample: `(type name, receiver)`,
    e.g. `("Ping", "r2")`."""
    ### BEGIN SOLUTION
    result = explore(FAILOVER)
    step = next(s for s in result.trace if s.kind == "drop")
    return type(step.message).__name__, step.dst
    ### END SOLUTION


def smallest_inversion_scope() -> Scope:
    """A scope of `abd-no-writeback` -- three replicas, no faults (the
    default budgets) -- with as few operations in total as possible at which
    some schedule gives a history that is not linearizable. Return a `Scope`
    (with `plans=`, or with `num_clients`, `ops_per_client`, `num_writers`)."""
    ### BEGIN SOLUTION
    return INVERSION
    ### END SOLUTION


# %% [markdown]
# Try it: print the two counterexamples, and draw one as a message sequence
# chart with `dsscale.explore.replay.replay` and `dsscale.trace_plot.plot_trace`.

# %%
if __name__ == "__main__":
    from dsscale.explore import explore

    print(explore(INVERSION))
    print(inversion_steps(), inversion_holders(), failover_crashed(),
          failover_dropped())
