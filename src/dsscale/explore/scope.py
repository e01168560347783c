"""What to explore: a protocol, a small configuration and the fault budgets.

A :class:`Scope` names a protocol of :data:`~dsscale.replication.PROTOCOLS`
(or any :class:`~dsscale.replication.ProtocolSpec`), how many replicas and
clients, how many operations each client issues, and how many messages the
explorer may drop or duplicate and how many replicas it may crash. The
workload is fixed by the scope: client ``i`` writes if ``i < num_writers``
and reads otherwise, one key after another; writes carry the values
``1, 2, 3, ...`` in client order (or cycle through ``value_pool`` values, to
repeat them). ``plans`` replaces that rule by explicit inputs per client.

Time. The leaderless protocols (ABD and the quorum stores) do not need a
clock for safety, and by default they are explored *without* one: a timer
may fire whenever its node has no message in flight, and at any other moment
within the budget of early timeouts. Primary-backup and chain replication trust leases
granted on a shared clock, so they are explored *with* one
(``clock=True``): every timer has a deadline, fires only once the clock has
reached it, and the clock moves (to the next deadline, up to ``max_time``)
only when no timer is due and -- with ``bounded_delay`` -- no message is in
flight. That is the synchrony the lease argument assumes: every message
arrives (or is dropped, within the budget) before the next timer deadline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float, check_int
from dsscale.consistency import KVModel
from dsscale.explore.properties import Bound, Invariant
from dsscale.replication.protocols import DeployOptions, ProtocolSpec, get_protocol

__all__ = ["Scope"]


@dataclass(frozen=True)
class Scope:
    """A small configuration of one protocol, explored exhaustively.

    Parameters
    ----------
    protocol : str or ProtocolSpec
        A name in :data:`~dsscale.replication.PROTOCOLS`, or a spec.
    num_replicas, num_clients, ops_per_client, num_writers : int
        The configuration; clients ``c0 .. c{num_writers-1}`` write.
    keys : tuple of str
        Keys used in turn by each client's operations.
    value_pool : int or None
        ``None``: every write has a value of its own; ``k``: values repeat
        from ``1 .. k``.
    max_drops, max_duplicates, max_crashes, max_early_timeouts : int
        Budgets of the explorer's faults over one schedule. Crashed replicas
        restart (with their durable state) whenever the explorer chooses. An
        early timeout fires while a message to or from its node is still in
        flight (see :mod:`~dsscale.explore.space`).
    clock : bool or None
        Explore with a clock (see the module docstring); ``None`` chooses by
        protocol: with a clock iff it has a configuration master.
    max_time : float
        With a clock: the clock never passes this time.
    bounded_delay : bool
        With a clock: the clock moves only when no message is in flight.
    synchronous_master : bool
        Deliver the messages to and from a configuration master first, one
        at a time (see :mod:`~dsscale.explore.space`).
    retry : float or None
        Retransmission interval of replicas and clients (``DeployOptions``).
    think : float
        Think time before each operation (matters only with a clock).
    plans : mapping of client id to a sequence of inputs, optional
        Explicit workload, replacing ``num_clients`` .. ``value_pool``.
    model : object
        The sequential model the histories are checked against.
    invariants : tuple of Invariant
        Checked in every state by :func:`~dsscale.explore.explore`, besides
        those it is given (e.g. Raft's
        :func:`~dsscale.explore.properties.single_leader_per_term`).
    bound : Bound or None
        A state constraint (:class:`~dsscale.explore.properties.Bound`): the
        search does not go beyond a state where a replica fails it.
    """

    protocol: str | ProtocolSpec
    num_replicas: int = 3
    num_clients: int = 2
    ops_per_client: int = 1
    num_writers: int = 1
    keys: tuple[str, ...] = ("x",)
    value_pool: int | None = None
    max_drops: int = 0
    max_duplicates: int = 0
    max_crashes: int = 0
    max_early_timeouts: int = 0
    clock: bool | None = None
    max_time: float = 24.0
    bounded_delay: bool = True
    synchronous_master: bool = True
    retry: float | None = None
    think: float = 1.0
    plans: Mapping[str, Sequence[tuple[Any, ...]]] | None = None
    model: Any = KVModel()
    invariants: tuple[Invariant, ...] = ()
    bound: Bound | None = None

    def __post_init__(self) -> None:
        self.spec  # noqa: B018 - validates the name
        check_int("num_replicas", self.num_replicas, 1)
        check_int("num_clients", self.num_clients, 0)
        check_int("ops_per_client", self.ops_per_client, 0)
        check_int("num_writers", self.num_writers, 0, self.num_clients)
        if not self.keys or len(set(self.keys)) != len(self.keys):
            raise ValueError(f"keys must name at least one key, each once, "
                             f"got {self.keys!r}")
        if self.value_pool is not None:
            check_int("value_pool", self.value_pool, 1)
        check_int("max_drops", self.max_drops, 0)
        check_int("max_duplicates", self.max_duplicates, 0)
        check_int("max_crashes", self.max_crashes, 0)
        check_int("max_early_timeouts", self.max_early_timeouts, 0)
        check_float("max_time", self.max_time, 0.0)
        check_float("think", self.think, 0.0)
        if self.retry is not None:
            check_float("retry", self.retry, 0.0, strict_min=True)
        if not all(isinstance(inv, Invariant) for inv in self.invariants):
            raise TypeError(f"invariants must be a tuple of Invariant, "
                            f"got {self.invariants!r}")
        if self.bound is not None and not isinstance(self.bound, Bound):
            raise TypeError(f"bound must be a Bound or None, got {self.bound!r}")

    @property
    def spec(self) -> ProtocolSpec:
        """The protocol's :class:`ProtocolSpec`."""
        if isinstance(self.protocol, ProtocolSpec):
            return self.protocol
        return get_protocol(self.protocol)

    @property
    def name(self) -> str:
        return self.spec.name

    def workload(self) -> dict[str, list[tuple[Any, ...]]]:
        """Each client's inputs, in order."""
        if self.plans is not None:
            return {cid: [tuple(op) for op in ops] for cid, ops in self.plans.items()}
        plans: dict[str, list[tuple[Any, ...]]] = {}
        writes = 0
        for i in range(self.num_clients):
            ops: list[tuple[Any, ...]] = []
            for j in range(self.ops_per_client):
                key = self.keys[(i + j) % len(self.keys)]
                if i < self.num_writers:
                    pool = self.value_pool
                    ops.append(("put", key, writes % pool + 1 if pool else writes + 1))
                    writes += 1
                else:
                    ops.append(("get", key))
            plans[f"c{i}"] = ops
        return plans

    def plans_with_think(self) -> dict[str, list[tuple[float, tuple[Any, ...]]]]:
        """The workload as simulator plans ``[(think, input), ...]``."""
        return {cid: [(self.think, op) for op in ops]
                for cid, ops in self.workload().items()}

    def options(self) -> DeployOptions:
        return DeployOptions(retry=self.retry)

    def describe(self) -> str:
        """One line: the configuration and the budgets."""
        ops = {cid: len(ops) for cid, ops in self.workload().items()}
        return (f"{self.name}: {self.num_replicas} replicas, {len(ops)} clients, "
                f"{sum(ops.values())} operations, drops {self.max_drops}, "
                f"duplicates {self.max_duplicates}, crashes {self.max_crashes}, "
                f"early timeouts {self.max_early_timeouts}"
                + (f", bound: {self.bound.name}" if self.bound else ""))
