"""What the explorer checks in every state, and what it looks for.

Three kinds of property, as in DSLabs and Stateright:

* the **history** so far is linearizable -- checked whenever an operation
  returns, once per distinct history (:mod:`~dsscale.explore.history`); a
  history that is not linearizable stays so whatever happens next, so the
  first state that breaks it is where a breadth-first search stops;
* **invariants** (:class:`Invariant`): a predicate over the global state
  that must hold in every reachable state, e.g. :func:`acked_writes_on_quorum`
  or :func:`single_serving_primary`;
* **goals** (:class:`Goal`), "sometimes" properties: a state where the
  predicate holds must be *reachable*, e.g. :func:`write_acknowledged`. A
  goal that is never reached says the scope is too small to exercise the
  protocol, so a clean result would mean little.

Invariants and goals read the state through a :class:`View`: the nodes as
read-only objects of the protocol's own classes, the messages in flight and
the client history.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dsscale._validate import check_int
from dsscale.consistency import Operation
from dsscale.explore.freeze import thaw
from dsscale.replication.abd import Store
from dsscale.replication.raft.messages import AppendEntries, InstallSnapshot
from dsscale.sim import Node, Timer

if TYPE_CHECKING:
    from dsscale.explore.machine import Machine
    from dsscale.explore.space import Space, State

__all__ = ["Bound", "Goal", "Invariant", "View", "acked_writes_on_quorum",
           "leader_elected", "node_in", "raft_bound", "read_saw_a_write",
           "single_leader_per_term", "single_serving_primary",
           "single_serving_tail", "write_acknowledged"]


@dataclass(frozen=True)
class Invariant:
    """A predicate that must hold in every reachable state."""

    name: str
    holds: Callable[[View], bool]


@dataclass(frozen=True)
class Goal:
    """A predicate that must hold in *some* reachable state."""

    name: str
    reached: Callable[[View], bool]


@dataclass(frozen=True)
class Bound:
    """A state constraint, as TLC's ``CONSTRAINT``: a bound on each node.

    A state in which some node fails ``within`` is checked like any other
    (invariants, history) but not expanded: the search does not go beyond
    it. A protocol whose counters grow without end -- Raft's terms, a
    leader's heartbeat rounds -- has infinitely many states; under a bound
    "complete" means every state within the bound (and its frontier) was
    visited.
    """

    name: str
    within: Callable[[Node], bool]


class _Clock:
    """The network a viewed node sees: only the time."""

    def __init__(self, now: float) -> None:
        self.now = now


def _dead_timer(ref: Any) -> Timer:
    return Timer()


def node_in(machine: Machine, i: int, snap: int, now: float = 0.0) -> Node:
    """A read-only copy of node ``i`` in its snapshot ``snap``."""
    node = copy.copy(machine.nodes[i])
    values = machine.snaps[snap][0]
    node.__dict__.update({k: thaw(v, _dead_timer)
                          for k, v in zip(machine.keys[i], values, strict=True)})
    node.network = _Clock(now)  # type: ignore[assignment]
    return node


class View:
    """A global state, readable by invariants and goals (do not mutate it)."""

    def __init__(self, space: Space, state: State) -> None:
        self.space = space
        self.state = state
        self.now = state[4]
        self._nodes: dict[str, Node] | None = None

    @property
    def nodes(self) -> dict[str, Node]:
        """Node id -> a read-only copy of the node in this state."""
        if self._nodes is None:
            m = self.space.machine
            self._nodes = {m.ids[i]: node_in(m, i, snap, self.now)
                           for i, snap in enumerate(self.state[0])}
        return self._nodes

    @property
    def history(self) -> list[Operation]:
        """The client history so far; open operations are pending."""
        return self.space.histories.operations(self.state[2])

    @property
    def in_flight(self) -> list[tuple[str, str, Any]]:
        m = self.space.machine
        return [(m.ids[s], m.ids[d], msg) for s, d, msg in
                (m.envs[e] for e in self.state[1])]

    def replicas(self) -> list[Node]:
        """The nodes the explorer may crash (the replicas), in order."""
        m = self.space.machine
        return [self.nodes[m.ids[i]] for i in self.space.crashable]


def acked_writes_on_quorum(quorum: int | None = None) -> Invariant:
    """Every acknowledged write is held by ``quorum`` replicas (or a newer one).

    For replicas that keep ``data[key] = (tag, value)`` (ABD and the quorum
    stores); ``quorum`` defaults to a majority of the replicas. The write's
    tag is read from the ``Store`` messages the run sent, so values must be
    unique (the default workload).
    """
    def holds(view: View) -> bool:
        replicas = view.replicas()
        need = len(replicas) // 2 + 1 if quorum is None else quorum
        tags = _write_tags(view.space)
        for op in view.history:
            if op.input[0] != "put" or math.isinf(op.return_time):
                continue
            key, value = op.input[1], op.input[2]
            tag = tags.get((key, value))
            if tag is None:
                return False  # acknowledged, yet never stored anywhere
            held = sum(1 for r in replicas
                       if getattr(r, "data", {}).get(key, ((0, ""), None))[0] >= tag)
            if held < need:
                return False
        return True
    return Invariant(f"acknowledged writes on {quorum or 'a majority of'} replicas",
                     holds)


def _write_tags(space: Space) -> dict[tuple[Any, Any], Any]:
    """(key, value) -> the tag of its first ``Store`` sent in the exploration."""
    tags: dict[tuple[Any, Any], Any] = {}
    for _, _, msg in space.machine.envs:
        if isinstance(msg, Store):
            tags.setdefault((msg.key, msg.value), msg.tag)
    return tags


def single_serving_primary() -> Invariant:
    """At most one replica acts as a primary that may answer clients.

    A primary-backup replica serves while it heads its configuration, has
    taken its view over (``ready``) and holds a lease; two at once is the
    split brain leases exist to prevent ("at most one leader per term").
    """
    def holds(view: View) -> bool:
        serving = [r for r in view.replicas() if r.up and _serving_primary(r)]
        return len(serving) <= 1
    return Invariant("at most one serving primary", holds)


def single_serving_tail() -> Invariant:
    """At most one chain replica may answer reads (a tail holding a lease)."""
    def holds(view: View) -> bool:
        serving = [r for r in view.replicas() if r.up and _serving_tail(r)]
        return len(serving) <= 1
    return Invariant("at most one serving tail", holds)


def _serving_primary(replica: Any) -> bool:
    return bool(replica.is_primary and replica.ready and replica.has_lease)


def _serving_tail(replica: Any) -> bool:
    return bool(replica.is_tail and replica.has_lease)


def single_leader_per_term() -> Invariant:
    """At most one Raft server is leader of any one term (Election Safety).

    Two leaders of *different* terms may coexist for a while (the old one has
    not yet heard of the new term), which is legal; two of the same term are
    the split brain Raft's one-vote-per-term rule exists to prevent (Ongaro
    and Ousterhout, USENIX ATC 2014, Figure 3). The leaders of a term are
    read from the servers that lead it now (up, ``role == "leader"``) and
    from the ``AppendEntries`` and ``InstallSnapshot`` still in flight, which
    only a leader of their term sends: a leader that crashed (or stepped
    down) while its messages travel still counts. A leader whose every
    message is gone is forgotten, so this checks less than "over the whole
    run" -- Ongaro's TLA+ specification keeps a history variable for that --
    but any second leader elected while the first still leads is caught.
    """
    def holds(view: View) -> bool:
        leaders: dict[int, str] = {}
        servers: list[Any] = view.replicas()
        claims = [(r.current_term, r.node_id) for r in servers
                  if r.up and r.role == "leader"]
        claims += [(msg.term, msg.leader_id) for _, _, msg in view.in_flight
                   if isinstance(msg, AppendEntries | InstallSnapshot)]
        for term, leader in claims:
            if leaders.setdefault(term, leader) != leader:
                return False
        return True
    return Invariant("at most one leader per term", holds)


def raft_bound(max_term: int = 1, max_rounds: int = 1) -> Bound:
    """Raft servers in terms up to ``max_term``, leaders up to ``max_rounds``
    broadcast rounds (the election's round is the first; each heartbeat one
    more).

    >>> raft_bound(2, 1).name
    'terms <= 2, rounds <= 1'
    """
    check_int("max_term", max_term, 0)
    check_int("max_rounds", max_rounds, 1)

    def within(server: Any) -> bool:
        leader = getattr(server, "leader", None)
        return bool(server.current_term <= max_term
                    and (leader is None or leader.seq <= max_rounds))
    return Bound(f"terms <= {max_term}, rounds <= {max_rounds}", within)


def leader_elected() -> Goal:
    """Some Raft server became leader (the scope exercises an election)."""
    def reached(view: View) -> bool:
        return any(r.up and getattr(r, "role", None) == "leader"
                   for r in view.replicas())
    return Goal("a leader is elected", reached)


def write_acknowledged() -> Goal:
    """Some write returned to its client."""
    def reached(view: View) -> bool:
        return any(op.input[0] == "put" and not op.pending for op in view.history)
    return Goal("a write is acknowledged", reached)


def read_saw_a_write() -> Goal:
    """Some read returned a value that a write wrote."""
    def reached(view: View) -> bool:
        return any(op.input[0] == "get" and not op.pending and op.output is not None
                   for op in view.history)
    return Goal("a read returns a written value", reached)
