"""Trusts the first replica that answered instead of the largest tag."""
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
# # Exercise 4.10 — The reader's rule of ABD, checked on every schedule
#
# In the ABD register (Attiya, Bar-Noy and Dolev, 1995; book: Chapter 4, "A
# replicated register"), a read has two phases. It *queries* the replicas
# and waits for a majority of answers, each a pair `(tag, value)`; then,
# before it returns, it *writes back* a pair to a majority -- the step whose
# absence lets two reads see a write in the order new, then old.
#
# Below, `RegisterClient` is the package's ABD client
# (`dsscale.replication.abd.ABDClient`) with the end of a read's query phase
# left to you: `read_quorum_reached`. Everything else -- queries, retries,
# counting the write-back's acknowledgements, returning the result -- is
# done for you.
#
# The checks first drive your client alone, then hand it to the explorer of
# Chapter 4, "Exploring every schedule" (`dsscale.explore`): three ABD
# replicas, one client writing once and one reading twice, *every* order in
# which their messages can be delivered. Every history must be linearizable,
# and reads must still return. The checks also make sure the same exploration
# catches a client that skips the write-back, so a pass means something.
#
# Grade with `dsscale grade ch04`.

# %%
from typing import Any

from dsscale.replication.abd import ABDClient, QueryReply, Store
from dsscale.replication.quorum_core import Tag


class RegisterClient(ABDClient):
    """ABD's client; a read's query phase ends in `read_quorum_reached`."""

    def on_QueryReply(self, src: str, msg: QueryReply) -> None:
        if not (self.is_current(msg.req_id) and self.phase == 1 == msg.phase):
            return  # an answer to an older request or phase: ignore it
        if self.current_input is None or self.current_input[0] == "put":
            super().on_QueryReply(src, msg)  # writes: as in ABDClient
            return
        self.replies[src] = (msg.tag, msg.value)
        if len(self.replies) == self.query_quorum:
            self.read_quorum_reached(dict(self.replies))

    def read_quorum_reached(self, replies: dict[str, tuple[Tag, Any]]) -> None:
        """End the query phase of the current read.

        `replies` maps each replica that answered (a majority of them) to the
        pair `(tag, value)` it holds for the key; tags are tuples
        `(counter, writer)` and compare as tuples.

        Required behaviour:

        1. Choose the pair with the **largest tag** among `replies`.
        2. Store its value in `self.result`: it is what the read returns.
        3. Start the write-back phase by calling
           `self._start_phase(2, Store(self.current, 2, key, tag, value))`,
           where `key = self.current_input[1]` and `(tag, value)` is the chosen
           pair. It sends that `Store` to every replica; the read returns
           `self.result` once a majority has acknowledged it (already done in
           `ABDClient.on_StoreAck`).

        Do not call `self.complete(...)` here. Returns nothing.

        Example: with replies `{"r0": ((1, "c0"), "a"), "r2": ((0, ""), None)}`
        the read will return `"a"`, after writing `((1, "c0"), "a")` back.
        """
        tag, value = next(iter(replies.values()))
        self.result = value
        assert self.current_input is not None and self.current is not None
        self._start_phase(2, Store(self.current, 2, self.current_input[1], tag, value))


# %% [markdown]
# Try it: explore your client with three ABD replicas, one writer and one
# client reading twice (the scope the checks use), and look at what the
# explorer reports; then break `read_quorum_reached` on purpose (return
# without the write-back: `self.complete(value)`) and read the
# counterexample it prints.

# %%
if __name__ == "__main__":
    from dsscale.explore import Scope, explore
    from dsscale.replication.abd import ABDReplica
    from dsscale.replication.protocols import Deployment, ProtocolSpec, replica_ids

    def build(net, client_ids, num_replicas, options=None):
        replicas = replica_ids(num_replicas)
        net.add(*(ABDReplica(r) for r in replicas))
        return Deployment(replicas, (), lambda cid, plan, history: RegisterClient(
            cid, plan, history, replicas))

    mine = ProtocolSpec("my-abd", True, "linearizable", build)
    plans = {"c0": [("put", "x", 1)], "c1": [("get", "x"), ("get", "x")]}
    print(explore(Scope(mine, plans=plans)))
