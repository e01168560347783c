"""Re-arms its timer but never resends an unacknowledged update: a lost update stalls the chain."""
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
# # Exercise 4.12 — Design a replica: chain replication on a fixed chain
#
# Chain replication (van Renesse and Schneider, OSDI 2004) orders replicas in
# a chain. Writes enter at the *head* and travel down to the *tail*, which
# answers the client; reads go to the tail alone. This exercise fixes the
# chain (`chain[0]` is the head, `chain[-1]` the tail; no reconfiguration)
# but not the network: messages are lost, duplicated, delayed and reordered,
# partitions come and go, and replicas crash and restart with only the
# attributes they name in `durable` (their "disk"). The client below is
# given; it retransmits each request every `retry` time units until it gets
# a `Reply`.
#
# Design and write the replica role, `ChainReplica`, to the specification in
# its docstring: its state, one handler per message, its timer. Nothing else
# in the file needs to change. The package's chain replication
# (`dsscale.replication.chain`) solves a harder problem (a changing chain);
# using it, its client table or primary-backup is refused.
#
# The checks drive one chain on a reliable network, then run seeded fault
# campaigns (three and five replicas, unique and repeated values) and check
# every history for linearizability and lost acknowledged writes.
# (Book: Chapter 3, "Chain replication and ABD"; Chapter 4, "A replicated
# register".)
#
# Grade with `dsscale grade ch04`.

# %%
from dataclasses import dataclass
from typing import Any

from dsscale.replication.client import Client
from dsscale.sim import Node, Tick


@dataclass(frozen=True)
class Write:
    """Client -> head: set `key` to `value` (the client's request `req_id`)."""

    req_id: int
    key: str
    value: Any


@dataclass(frozen=True)
class Read:
    """Client -> tail: the value of `key`."""

    req_id: int
    key: str


@dataclass(frozen=True)
class Reply:
    """Replica -> client: the answer to request `req_id` (None for a write)."""

    req_id: int
    value: Any


@dataclass(frozen=True)
class Update:
    """Replica -> successor: the write numbered `seq` in the chain's order."""

    seq: int
    key: str
    value: Any
    client: str
    req_id: int


@dataclass(frozen=True)
class Ack:
    """Replica -> predecessor: the tail has applied every update up to `seq`."""

    seq: int


@dataclass(frozen=True)
class Resend:
    """Client timer: resend request `req_id` if it is still unanswered."""

    req_id: int


class ChainClient(Client):
    """Given: writes go to the head, reads to the tail, resent until answered.

    A request keeps its `req_id` when resent; the client numbers its requests
    in increasing order and has at most one open at a time. Messages from a
    client come from its node id (the `src` of the handlers).
    """

    def __init__(self, node_id, plan, history, chain, retry=4.0):
        super().__init__(node_id, plan, history)
        self.chain = tuple(chain)
        self.retry = retry

    def _request(self, op, req_id):
        if op[0] == "put":
            return self.chain[0], Write(req_id, op[1], op[2])
        return self.chain[-1], Read(req_id, op[1])

    def begin(self, op_input, req_id):
        self.send(*self._request(op_input, req_id))
        self.set_timer(self.retry, Resend(req_id))

    def on_Resend(self, src, msg):
        if self.is_current(msg.req_id) and self.current_input is not None:
            self.send(*self._request(self.current_input, msg.req_id))
            self.set_timer(self.retry, msg)

    def on_Reply(self, src, msg):
        if self.is_current(msg.req_id):
            self.complete(msg.value)


class ChainReplica(Node):
    """One replica of a fixed chain: `ChainReplica(node_id, chain, retry=4.0)`.

    Specification (what the checks hold you to):

    1. **Reads.** The tail answers `Read(req_id, key)` with `Reply(req_id, v)`,
       v the value of the last write to `key` it has applied (None if none).
       Other replicas ignore reads.
    2. **Writes.** Only the head accepts `Write(req_id, key, value)`; others
       ignore writes. The head executes each client request at most once --
       a resent request (same client, same `req_id`) must not be applied
       again, nor an older request of that client -- and gives each new write
       the next sequence number 1, 2, 3, ...
    3. **Order.** Every replica applies the writes in sequence-number order,
       each exactly once, and passes each on to its successor as an
       `Update`. When the tail applies write `seq` it answers the client with
       `Reply(req_id, None)` and sends `Ack(seq)` to its predecessor; an
       `Ack(s)` acknowledges every update up to s and travels up the chain.
    4. **Nothing lost.** Until an update is acknowledged, the replica that
       forwarded it sends it to its successor again every `retry` time units
       (use `self.set_timer(self.retry, Tick())` and an `on_Tick` handler). A
       resent write that the tail has already applied and acknowledged is
       answered again (`Reply(req_id, None)`), so the client can finish.
    5. **Crashes.** A replica crashes and later restarts with the attributes
       named in its class attribute `durable` (a tuple of names) and nothing
       else: `init_state` runs again, then `on_restart`, which calls
       `on_start`. Name everything that must survive.

    A chain of one replica is both head and tail.
    """

    durable = ("store", "applied", "latest", "unacked")  # solution-only

    def __init__(self, node_id, chain, retry=4.0):
        super().__init__(node_id)
        self.chain = tuple(chain)
        self.retry = retry
        i = self.chain.index(node_id)
        self.predecessor = self.chain[i - 1] if i > 0 else None
        self.successor = self.chain[i + 1] if i + 1 < len(self.chain) else None

    def init_state(self):
        """Create this replica's state (called on start and on every restart)."""
        ### BEGIN SOLUTION
        self.store = {}  # key -> value of the last write applied
        self.applied = 0  # sequence number of the last write applied
        self.latest = {}  # client -> (req_id, seq) of its last write applied
        self.unacked = {}  # seq -> Update forwarded, not yet acknowledged
        ### END SOLUTION

    def on_start(self):
        ### BEGIN SOLUTION
        self.set_timer(self.retry, Tick())
        ### END SOLUTION

    def on_Tick(self, src, msg):
        ### BEGIN SOLUTION
        self.set_timer(self.retry, Tick())
        ### END SOLUTION

    def on_Read(self, src, msg):
        ### BEGIN SOLUTION
        if self.successor is None:
            self.send(src, Reply(msg.req_id, self.store.get(msg.key)))
        ### END SOLUTION

    def on_Write(self, src, msg):
        ### BEGIN SOLUTION
        if self.predecessor is not None:
            return
        last = self.latest.get(src)
        if last is None or msg.req_id > last[0]:
            self.apply(Update(self.applied + 1, msg.key, msg.value, src,
                               msg.req_id))
        elif msg.req_id == last[0] and last[1] not in self.unacked:
            self.send(src, Reply(msg.req_id, None))  # committed: answer again
        ### END SOLUTION

    def on_Update(self, src, msg):
        ### BEGIN SOLUTION
        if msg.seq == self.applied + 1:
            self.apply(msg)
        elif msg.seq <= self.applied and self.successor is None:
            self.send(src, Ack(self.applied))  # the Ack was lost: again
        ### END SOLUTION

    def on_Ack(self, src, msg):
        ### BEGIN SOLUTION
        self.unacked = {s: u for s, u in self.unacked.items() if s > msg.seq}
        if self.predecessor is not None:
            self.send(self.predecessor, msg)
        ### END SOLUTION

    def apply(self, update):
        """A suggested helper: apply one write, the head's new ones and the
        updates from the predecessor alike (you may design without it)."""
        ### BEGIN SOLUTION
        self.applied = update.seq
        self.store[update.key] = update.value
        self.latest[update.client] = (update.req_id, update.seq)
        if self.successor is not None:
            self.unacked[update.seq] = update
            self.send(self.successor, update)
            return
        self.send(update.client, Reply(update.req_id, None))
        if self.predecessor is not None:
            self.send(self.predecessor, Ack(update.seq))
        ### END SOLUTION


# %% [markdown]
# Try it: two clients on a three-replica chain over a reliable network, then
# look at `dsscale.faults` for the campaigns the checks run.

# %%
if __name__ == "__main__":
    from dsscale.consistency import KVModel, check_linearizable
    from dsscale.sim import Network

    net = Network(rng=1)
    chain = ("r0", "r1", "r2")
    net.add(*(ChainReplica(r, chain) for r in chain))
    history = []
    plans = {"c0": [(0.0, ("put", "x", "a")), (0.5, ("get", "x"))],
             "c1": [(0.2, ("put", "x", "b")), (0.1, ("get", "x"))]}
    net.add(*(ChainClient(c, plan, history, chain) for c, plan in plans.items()))
    net.run(until=50.0)
    for op in history:
        print(op)
    print("linearizable:", check_linearizable(history, KVModel()).status)
