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
# Below is a complete majority-quorum register in the style of ABD (Attiya,
# Bar-Noy and Dolev, 1995), written for the simulator `dsscale.sim`: three
# replicas store, per key, a *tag* `(counter, writer)` and a value; a client
# runs two phases, each waiting for a majority of the replicas.
#
# * **put(key, v)**: *query* a majority for their tags; take the largest,
#   `(c, w)`; *store* `((c + 1, me), v)` at a majority.
# * **get(key)**: *query* a majority; take the pair with the largest tag;
#   *store* that same pair back at a majority (the write-back); return its
#   value.
#
# Everything works except one handler: `Replica.on_Store`. Its first
# version simply overwrote the stored pair with whatever `Store` arrived:
#
# ```python
# def on_Store(self, src, msg):
#     self.data[msg.key] = (msg.tag, msg.value)
#     self.send(src, StoreAck(msg.req_id))
# ```
#
# On a network that delays, reorders and duplicates messages, and with
# clients that retransmit, an old `Store` can arrive *after* a newer one.
# Read `on_Store`'s docstring, find what goes wrong, and rewrite the handler.
# Nothing else in the file needs to change.
#
# The checks unit-test your handler, then run a seeded fault campaign (message
# loss, duplication, slow links, crashes and restarts of replicas, partitions)
# on the protocol with your handler in it, and check every history with
# `dsscale.consistency.check_linearizable`. They also confirm that the same
# campaign catches the overwriting handler above, so a pass means something.
# (Book: Chapter 4, "A replicated register", `book/ch04_code/replicated_register.md`.)
#
# Grade with `dsscale grade ch04`.

# %%
from dataclasses import dataclass
from typing import Any

from dsscale.replication.client import Client
from dsscale.sim import Node

Tag = tuple[int, str]  # (counter, writer's process id), compared as a tuple
ZERO: Tag = (0, "")  # the tag of a key never written: below every real tag


@dataclass(frozen=True)
class Query:
    """Client -> replica: what is your tag and value for `key`?"""

    req_id: int
    key: str


@dataclass(frozen=True)
class QueryReply:
    """Replica -> client: my tag and value (`ZERO, None` if never written)."""

    req_id: int
    tag: Tag
    value: Any


@dataclass(frozen=True)
class Store:
    """Client -> replica: here is the pair `(tag, value)` for `key`."""

    req_id: int
    key: str
    tag: Tag
    value: Any


@dataclass(frozen=True)
class StoreAck:
    """Replica -> client: I have handled your `Store` number `req_id`."""

    req_id: int


@dataclass(frozen=True)
class Retry:
    """Timer message: resend the current phase to replicas that did not answer."""

    req_id: int


class Replica(Node):
    """Passive storage of one `(tag, value)` pair per key.

    `data` maps `key -> (tag, value)`. It is durable: it survives a crash and
    restart (it models state on disk).
    """

    durable = ("data",)

    def init_state(self):
        self.data = {}

    def on_Query(self, src, msg):
        tag, value = self.data.get(msg.key, (ZERO, None))
        self.send(src, QueryReply(msg.req_id, tag, value))

    def on_Store(self, src, msg):
        """Handle a `Store(req_id, key, tag, value)` from client `src`.

        Required behaviour:

        1. Let `current` be the tag this replica holds for `msg.key` (`ZERO`
           if the key is not in `self.data`). Replace `self.data[msg.key]` by
           `(msg.tag, msg.value)` **only if `msg.tag > current`** (tuple
           comparison). A `Store` with an older or equal tag must leave the
           data unchanged: it is a delayed, duplicated or retransmitted copy
           of an earlier write, or a read's write-back of a value that a
           newer write has already replaced.
        2. In every case, acknowledge with `self.send(src,
           StoreAck(msg.req_id))` -- also when the tag was old. The client
           only needs to know that this replica now holds a tag at least as
           large as the one it sent; without the acknowledgement its
           operation never completes.

        Returns nothing.
        """
        ### BEGIN SOLUTION
        current = self.data.get(msg.key, (ZERO, None))[0]
        if msg.tag > current:
            self.data[msg.key] = (msg.tag, msg.value)
        self.send(src, StoreAck(msg.req_id))
        ### END SOLUTION


class RegisterClient(Client):
    """Runs a plan of `("get", key)` / `("put", key, value)` operations.

    The base class `dsscale.replication.client.Client` issues the operations
    one at a time, records each in the shared `history` (with its call and
    return times), and gives up on an operation after `op_timeout`. This
    class implements the two phases; it retransmits a phase's message every
    `retry` time units to the replicas that have not answered yet.
    """

    def __init__(self, node_id, plan, history, replicas, retry=4.0):
        super().__init__(node_id, plan, history)
        self.replicas = tuple(replicas)
        self.majority = len(self.replicas) // 2 + 1
        self.retry = retry

    def init_state(self):
        super().init_state()
        self.phase = 0  # 0 idle, 1 query, 2 store
        self.replies = {}
        self.message = None
        self.result = None

    def begin(self, op_input, req_id):
        self._start_phase(1, Query(req_id, op_input[1]))
        self.set_timer(self.retry, Retry(req_id))

    def abandon(self):
        self.phase, self.replies, self.message = 0, {}, None

    def _start_phase(self, phase, message):
        self.phase, self.replies, self.message = phase, {}, message
        for replica in self.replicas:
            self.send(replica, message)

    def on_Retry(self, src, msg):
        if not self.is_current(msg.req_id):
            return
        for replica in self.replicas:
            if replica not in self.replies:
                self.send(replica, self.message)
        self.set_timer(self.retry, Retry(msg.req_id))

    def on_QueryReply(self, src, msg):
        if not (self.is_current(msg.req_id) and self.phase == 1):
            return
        self.replies[src] = (msg.tag, msg.value)
        if len(self.replies) < self.majority:
            return
        tag, value = max(self.replies.values(), key=lambda pair: pair[0])
        op = self.current_input
        if op[0] == "put":
            tag, value = (tag[0] + 1, self.process_id), op[2]
            self.result = None
        else:
            self.result = value  # and write it back before returning it
        self._start_phase(2, Store(msg.req_id, op[1], tag, value))

    def on_StoreAck(self, src, msg):
        if not (self.is_current(msg.req_id) and self.phase == 2):
            return
        self.replies[src] = None
        if len(self.replies) >= self.majority:
            self.complete(self.result)


# %% [markdown]
# Try it: one fault-free run with two clients. With your handler, the history
# is linearizable; then look at `dsscale.faults` for how a campaign adds faults.

# %%
if __name__ == "__main__":
    from dsscale.consistency import KVModel, check_linearizable
    from dsscale.sim import Network

    net = Network(rng=1)
    names = ("r0", "r1", "r2")
    net.add(*(Replica(r) for r in names))
    history = []
    plans = {"c0": [(0.0, ("put", "x", "a")), (0.5, ("get", "x"))],
             "c1": [(0.2, ("put", "x", "b")), (0.1, ("get", "x"))]}
    net.add(*(RegisterClient(c, plan, history, names) for c, plan in plans.items()))
    net.run_until_idle()
    for op in history:
        print(op)
    print("linearizable:", check_linearizable(history, KVModel()).status)
