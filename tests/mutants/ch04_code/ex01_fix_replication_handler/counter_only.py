"""Compares only the counters, so two writers' equal counters never replace each other."""
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
# # Exercise 4.1 — Fix a replica that forgets the order of writes
#
# The package's ABD register (`dsscale.replication.abd`, after Attiya,
# Bar-Noy and Dolev, 1995) stores, on each replica and per key, a *tag*
# `(counter, writer)` and a value; its client runs two phases, each waiting
# for a majority of the replicas:
#
# * **put(key, v)**: *query* a majority for their tags; take the largest,
#   `(c, w)`; *store* `((c + 1, me), v)` at a majority.
# * **get(key)**: *query* a majority; take the pair with the largest tag;
#   *store* that same pair back at a majority (the write-back); return its
#   value.
#
# `Replica` below is the package's `ABDReplica` with one handler replaced by
# a first version that simply overwrote the stored pair with whatever `Store`
# arrived:
#
# ```python
# def on_Store(self, src, msg):
#     self.data[msg.key] = (msg.tag, msg.value)
#     self.send(src, StoreAck(msg.req_id, msg.phase))
# ```
#
# On a network that delays, reorders and duplicates messages, with clients
# that retransmit, that version breaks the register. Work out a schedule of
# messages that makes a read return an old value after a newer one was
# returned (draw it), then write `on_Store` so that its contract below holds.
# Write it yourself: calling the package's `ABDReplica.on_Store` (or its
# helpers in `dsscale.replication.quorum_core`) is refused.
#
# The checks unit-test your handler on a replica alone, then run a seeded
# fault campaign (message loss, duplication, slow links, crashes and restarts
# of replicas, partitions) on the register with your replica in it; the
# grader checks every history with `dsscale.consistency.check_linearizable`
# and for lost acknowledged writes.
# (Book: Chapter 4, "A replicated register", `book/ch04_code/replicated_register.md`.)
#
# Grade with `dsscale grade ch04`.

# %%
from dsscale.replication.abd import ABDReplica, StoreAck
from dsscale.replication.quorum_core import ZERO


class Replica(ABDReplica):
    """ABD's replica (`data` maps `key -> (tag, value)`, durable across a
    crash), with your `on_Store`."""

    def on_Store(self, src, msg):
        """Handle `Store(req_id, phase, key, tag, value)` from client `src`.

        Contract. Tags are tuples `(counter, writer)` compared as tuples;
        `ZERO` is below every tag a client creates. After this replica has
        handled any collection of `Store` messages for a key -- in any
        order, each any number of times -- `self.data[key]` is the
        `(tag, value)` of the one among them with the largest tag. Keys are
        independent of each other. Every `Store` is answered with
        `StoreAck(msg.req_id, msg.phase)` sent to `src`, whatever it did to
        the data: the client waits for a majority of acknowledgements.

        Returns nothing.
        """
        ### BEGIN SOLUTION
        current = self.data.get(msg.key, (ZERO, None))[0]
        if msg.tag[0] > current[0]:
            self.data[msg.key] = (msg.tag, msg.value)
        self.send(src, StoreAck(msg.req_id, msg.phase))
        ### END SOLUTION


# %% [markdown]
# Try it: one fault-free run with two clients (the package's `ABDClient`).
# With your handler the history is linearizable; then look at
# `dsscale.faults` for how a campaign adds faults.

# %%
if __name__ == "__main__":
    from dsscale.consistency import KVModel, check_linearizable
    from dsscale.replication.abd import ABDClient
    from dsscale.sim import Network

    net = Network(rng=1)
    names = ("r0", "r1", "r2")
    net.add(*(Replica(r) for r in names))
    history = []
    plans = {"c0": [(0.0, ("put", "x", "a")), (0.5, ("get", "x"))],
             "c1": [(0.2, ("put", "x", "b")), (0.1, ("get", "x"))]}
    net.add(*(ABDClient(c, plan, history, names) for c, plan in plans.items()))
    net.run_until_idle()
    for op in history:
        print(op)
    print("linearizable:", check_linearizable(history, KVModel()).status)
