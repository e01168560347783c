r"""Throughput of a Raft leader: clients in flight, per-entry cost, batches.

Three things bound how many writes per time unit a leader commits:

* **Concurrency** (Little's law). :math:`K` clients each keep one write
  outstanding; a write costs the leader :math:`c` of processing and then a
  round trip :math:`r` to a majority, so with no waiting
  :math:`X \le K / (r + c)`.
* **The per-entry cost.** The leader processes writes one at a time (parse,
  append, persist): :math:`X \le 1 / c`.
* **The per-batch round trip.** A leader sends a follower at most
  :math:`B` entries (``max_batch``) beyond the last one the follower
  acknowledged -- it *pipelines* (sends new entries without waiting for
  the previous acknowledgement) but within a window of one *batch*, and a
  batch is acknowledged a round trip after it is sent: :math:`X \le B / r`.

With fixed delays and a fixed cost the leader settles into a periodic
schedule in which the tightest bound is met exactly:

.. math:: X = \min\left(\frac{K}{r + c},\; \frac{1}{c},\; \frac{B}{r}\right).

Batching is what lets one round trip carry many entries: with :math:`B = 1`
no amount of concurrency beats one entry per round trip; past
:math:`B^* = r / c` a larger batch buys nothing, because the per-entry cost
binds. (Ongaro's thesis, Stanford 2014, section 10.2.1, describes batching
and pipelining; the bound structure is that of asymptotic bounds in
operational analysis, Denning and Buzen, ACM Computing Surveys 1978.)
:func:`measure_throughput` runs :class:`BusyLeader` to check it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.consistency import Operation
from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.latency import stable_leader_cluster
from dsscale.replication.raft.messages import ClientRequest
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import FixedDelay, Link, Network

__all__ = ["BusyLeader", "measure_throughput", "raft_throughput"]


def raft_throughput(num_clients: int, max_batch: int, round_trip: float,
                    per_entry_cost: float) -> float:
    r"""Writes committed per time unit (module docstring).

    .. math:: X = \min\left(\frac{K}{r + c}, \frac{1}{c}, \frac{B}{r}\right)

    Examples
    --------
    >>> raft_throughput(16, 8, 2.0, 0.1)  # the batch binds: 8 per round trip
    4.0
    >>> raft_throughput(32, 64, 2.0, 0.1)  # the per-entry cost binds
    10.0
    >>> raft_throughput(2, 64, 2.0, 0.0)  # too few clients
    1.0
    """
    k = check_int("num_clients", num_clients, 1)
    b = check_int("max_batch", max_batch, 1)
    r = check_float("round_trip", round_trip, 0.0, strict_min=True)
    c = check_float("per_entry_cost", per_entry_cost, 0.0)
    return min(k / (r + c), math.inf if c == 0.0 else 1.0 / c, b / r)


class BusyLeader(RaftServer):
    """A Raft server that spends ``per_entry_cost`` of serial processing on
    each client write before it handles it (other requests are free)."""

    def __init__(self, node_id: str, members: tuple[str, ...], options: RaftOptions,
                 rng: RNGLike = None, per_entry_cost: float = 0.0) -> None:
        super().__init__(node_id, members, options, 1.0, rng)
        self.per_entry_cost = check_float("per_entry_cost", per_entry_cost, 0.0)

    def init_state(self) -> None:
        super().init_state()
        self.busy_until = 0.0

    def on_ClientRequest(self, src: str, msg: ClientRequest) -> None:
        if self.leader is None or msg.op[0] != "put" or self.per_entry_cost == 0.0:
            super().on_ClientRequest(src, msg)
            return
        self.busy_until = max(self.now, self.busy_until) + self.per_entry_cost
        self.set_timer(self.busy_until - self.now,
                       lambda: RaftServer.on_ClientRequest(self, src, msg))


def measure_throughput(num_clients: int, max_batch: int, round_trip: float,
                       per_entry_cost: float, *, num_servers: int = 3,
                       ops_per_client: int = 100, rng: RNGLike = None) -> float:
    """Committed writes per time unit in steady state, measured.

    ``num_clients`` clients next to a :class:`BusyLeader` (links of zero
    delay) write back to back; every link between servers takes
    ``round_trip / 2``. The rate is counted between the 20 % and the 80 %
    quantiles of the completion times, leaving out the start and the end.

    Examples
    --------
    >>> measure_throughput(16, 8, 2.0, 0.1, ops_per_client=30)
    4.0
    """
    k = check_int("num_clients", num_clients, 1)
    r = check_float("round_trip", round_trip, 0.0, strict_min=True)
    cost = check_float("per_entry_cost", per_entry_cost, 0.0)
    ops = check_int("ops_per_client", ops_per_client, 5)
    options = replace(RaftOptions(), max_batch=check_int("max_batch", max_batch, 1))
    net = Network(as_rng(rng), Link(FixedDelay(r / 2.0)), trace=False)

    def make(name: str, group: tuple[str, ...], opts: RaftOptions,
             index: int) -> RaftServer:
        return BusyLeader(name, group, opts, index, cost if index == 0 else 0.0)
    names = stable_leader_cluster(net, num_servers, options=options, make_server=make)
    history: list[Operation] = []
    clients = [RaftClient(f"c{i}", [(0.0, ("put", "x", f"c{i}.{j}"))
                                    for j in range(ops)],
                          history, (names[0],), retry=1e12, op_timeout=1e12, rng=i)
               for i in range(k)]
    net.add(*clients)
    for c in clients:
        net.set_link(c.node_id, names[0], Link(FixedDelay(0.0)))
        net.set_link(names[0], c.node_id, Link(FixedDelay(0.0)))
    net.run(stop=lambda: all(c.done for c in clients))
    ends = sorted(op.return_time for op in history)
    low, high = len(ends) // 5, 4 * len(ends) // 5
    return (high - low) / (ends[high] - ends[low])
