"""Clients that drive a replicated store and record what they saw.

Every protocol has a client role derived from :class:`Client`. The base class
runs a list of operations one after another, stamps each with its call and
return time on the virtual clock and appends an
:class:`~dsscale.consistency.Operation` to a shared history. A request that
gets no answer within ``op_timeout`` is recorded with ``return_time = inf``
(its effect is unknown: it may still happen later), and the client continues
under a new ``client_id`` -- as in Jepsen, a process that timed out is treated
as crashed and replaced, since one process never has two operations open.

Inputs follow :class:`~dsscale.consistency.KVModel`: ``("get", key)`` and
``("put", key, value)``. A :class:`Workload` draws them at random; its named
shapes (:data:`WORKLOAD_SHAPES`) write unique values to one key, repeat values
from a small pool, or spread repeated values over several keys. Unique values
make every read name the write it observed; repeated values are what a real
application writes, and what exposes a replica that deduplicates by value.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float, check_int
from dsscale.consistency import Operation
from dsscale.sim import Node, Timer

__all__ = ["WORKLOAD_SHAPES", "Client", "OpTimeout", "Workload", "workload_shape"]


@dataclass(frozen=True)
class OpTimeout:
    """Timer message: the operation ``req_id`` ran out of time."""

    req_id: int


@dataclass(frozen=True)
class Workload:
    """Random reads and writes for a few concurrent clients.

    Parameters
    ----------
    num_clients, ops_per_client : int
        How many clients, and how many operations each issues in turn.
    keys : tuple of str
        Keys drawn uniformly for each operation.
    read_fraction : float
        Probability that an operation is a ``get``.
    max_think : float
        Each client waits ``Uniform(0, max_think)`` before each operation.
    value_pool : int or None
        ``None``: every write has a value of its own (``"c2.7"``: client 2's
        operation 7). An integer ``k``: each write draws its value uniformly
        from ``"v0" .. "v{k-1}"``, so values repeat across writes, clients and
        keys.
    """

    num_clients: int = 5
    ops_per_client: int = 10
    keys: tuple[str, ...] = ("x",)
    read_fraction: float = 0.6
    max_think: float = 1.0
    value_pool: int | None = None

    def __post_init__(self) -> None:
        check_int("num_clients", self.num_clients, 1)
        check_int("ops_per_client", self.ops_per_client, 0)
        if not self.keys or len(set(self.keys)) != len(self.keys):
            raise ValueError(f"keys must name at least one key, each once, "
                             f"got {self.keys!r}")
        check_float("read_fraction", self.read_fraction, 0.0, 1.0)
        check_float("max_think", self.max_think, 0.0)
        if self.value_pool is not None:
            check_int("value_pool", self.value_pool, 1)

    @property
    def unique_values(self) -> bool:
        """Whether every write carries a value no other write carries."""
        return self.value_pool is None

    def generate(self, rnd: random.Random
                 ) -> dict[str, list[tuple[float, tuple[Any, ...]]]]:
        """Plan ``client id -> [(think time, input), ...]`` from ``rnd``."""
        plans: dict[str, list[tuple[float, tuple[Any, ...]]]] = {}
        for c in range(self.num_clients):
            client_id = f"c{c}"
            plan: list[tuple[float, tuple[Any, ...]]] = []
            for n in range(self.ops_per_client):
                key = self.keys[rnd.randrange(len(self.keys))]
                think = rnd.uniform(0.0, self.max_think)
                if rnd.random() < self.read_fraction:
                    plan.append((think, ("get", key)))
                elif self.value_pool is None:
                    plan.append((think, ("put", key, f"{client_id}.{n}")))
                else:
                    value = f"v{rnd.randrange(self.value_pool)}"
                    plan.append((think, ("put", key, value)))
            plans[client_id] = plan
        return plans


#: The workload shapes fault campaigns run (``dsscale faults --workload``).
WORKLOAD_SHAPES: dict[str, Workload] = {
    "unique": Workload(),
    "repeated": Workload(value_pool=3),
    "multikey": Workload(ops_per_client=15, keys=("x", "y", "z"), value_pool=3),
}


def workload_shape(name: str) -> Workload:
    """The :class:`Workload` called ``name`` in :data:`WORKLOAD_SHAPES`."""
    if name not in WORKLOAD_SHAPES:
        raise ValueError(f"workload must be one of {', '.join(WORKLOAD_SHAPES)}, "
                         f"got {name!r}")
    return WORKLOAD_SHAPES[name]


class Client(Node):
    """Run ``plan`` sequentially; subclasses implement :meth:`begin`.

    A subclass sends its request in ``begin(input, req_id)`` and, when the
    answer for ``req_id`` arrives, calls :meth:`complete`. Answers carrying an
    older ``req_id`` are stale and must be ignored (check :meth:`is_current`).
    """

    # A crashed client remembers (on "disk") which operation it had open, so
    # that on restart that operation is recorded as pending.
    durable = ("next_index", "req_counter", "current", "current_input",
               "call_time", "incarnation")

    def __init__(self, node_id: str, plan: Sequence[tuple[float, tuple[Any, ...]]],
                 history: list[Operation], op_timeout: float = 40.0) -> None:
        super().__init__(node_id)
        self.plan = list(plan)
        self.history = history
        self.op_timeout = check_float("op_timeout", op_timeout, 0.0, strict_min=True)

    def init_state(self) -> None:
        self.next_index = 0
        self.req_counter = 0
        self.current: int | None = None
        self.current_input: tuple[Any, ...] | None = None
        self.call_time = 0.0
        self.incarnation = 0
        self.deadline: Timer | None = None
        self.thinking: Timer | None = None  # until the next operation is issued

    @property
    def done(self) -> bool:
        """True once every planned operation has returned or timed out."""
        return self.current is None and self.next_index >= len(self.plan)

    @property
    def process_id(self) -> str:
        if not self.incarnation:
            return self.node_id
        return f"{self.node_id}'{self.incarnation}"

    def on_start(self) -> None:
        self._schedule_next()

    def on_restart(self) -> None:
        if self.current is not None:  # crashed mid-operation: outcome unknown
            self._record(None, math.inf)
            self.incarnation += 1
        else:
            self._schedule_next()

    def _schedule_next(self) -> None:
        if self.next_index < len(self.plan):
            think, _ = self.plan[self.next_index]
            self.thinking = self.set_timer(think, self._issue)

    def _issue(self) -> None:
        _, op_input = self.plan[self.next_index]
        self.next_index += 1
        self.req_counter += 1
        self.current = self.req_counter
        self.current_input = op_input
        self.call_time = self.now
        self.deadline = self.set_timer(self.op_timeout, OpTimeout(self.current))
        self.begin(op_input, self.current)

    def begin(self, op_input: tuple[Any, ...], req_id: int) -> None:
        """Start the protocol for one operation."""
        raise NotImplementedError

    def abandon(self) -> None:
        """Hook: forget protocol state of the current request."""

    def is_current(self, req_id: int) -> bool:
        return self.current is not None and req_id == self.current

    def complete(self, output: Any) -> None:
        """Record the current operation as returned now with ``output``."""
        self._record(output, self.now)

    def stop(self) -> None:
        """Give up: record the open operation (if any) as pending, issue no more."""
        self.next_index = len(self.plan)
        if self.thinking is not None:
            self.thinking.cancel()
        if self.current is not None:
            self._record(None, math.inf)

    def on_OpTimeout(self, src: str, msg: OpTimeout) -> None:
        if self.is_current(msg.req_id):
            self._record(None, math.inf)
            self.incarnation += 1

    def _record(self, output: Any, return_time: float) -> None:
        assert self.current_input is not None
        if self.deadline is not None:
            self.deadline.cancel()
        kind = self.current_input[0]
        self.history.append(Operation(self.process_id, self.current_input,
                                      self.call_time,
                                      output if kind == "get" else None, return_time))
        self.abandon()
        self.current = None
        self.current_input = None
        self._schedule_next()
