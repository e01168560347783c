"""Watch a seeded run without changing it: periodic snapshots of node state.

A failing seed replays exactly (:func:`~dsscale.faults.replay`), and its trace
says what was *sent*; what a node *held* at a given moment -- a Raft log, a
commit index -- is not in the trace. :func:`recording` wraps a fault plan's
nemesis hook so that a :class:`Recorder` node also joins the network and
calls ``probe(net)`` every ``every`` time units, keeping ``(time, value)``.
The recorder only reads: it sends nothing and draws nothing from the
network's generator, and its polls fall half-way between the instants the
nemeses poll, so the run is the same run, event for event.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from dsscale._validate import check_float
from dsscale.sim import Network, Node

__all__ = ["Recorder", "recording"]

Install = Callable[[Network, Any, random.Random, list[bool]], None]


class Recorder(Node):
    """Calls ``probe(net)`` at ``offset``, ``offset + every``, ... and keeps the
    results in :attr:`snapshots` as ``(time, value)``."""

    def __init__(self, node_id: str, probe: Callable[[Network], Any], every: float,
                 offset: float) -> None:
        super().__init__(node_id)
        self.probe = probe
        self.every = check_float("every", every, 0.0, strict_min=True)
        self.offset = check_float("offset", offset, 0.0)

    def init_state(self) -> None:
        self.snapshots: list[tuple[float, Any]] = []

    def on_start(self) -> None:
        self.set_timer(self.offset, self.poll)

    def poll(self) -> None:
        self.snapshots.append((self.now, self.probe(self._net)))
        self.set_timer(self.every, self.poll)

    def at(self, time: float) -> Any:
        """The last snapshot taken at or before ``time``."""
        earlier = [value for t, value in self.snapshots if t <= time]
        if not earlier:
            raise ValueError(f"time must be at least the first snapshot's "
                             f"({self.offset:g}), got {time:g}")
        return earlier[-1]


def recording(nemesis: Install | None, probe: Callable[[Network], Any],
              every: float = 0.25, *, node_id: str = "recorder") -> Install:
    """A ``FaultPlan.nemesis`` that installs ``nemesis`` (if any), then a
    :class:`Recorder` polling ``probe`` every ``every``; after the run it is
    ``result.network.nodes[node_id]``.

    Examples
    --------
    >>> from dsscale.faults import FaultPlan, run_seed
    >>> plan = FaultPlan(nemesis=recording(None, lambda net: net.now, every=10.0))
    >>> result = run_seed("abd", 1, faults=plan)
    >>> result.network.nodes["recorder"].snapshots[:2]
    [(5.0, 5.0), (15.0, 15.0)]
    >>> run_seed("abd", 1).history == result.history  # the same run
    True
    """
    step = check_float("every", every, 0.0, strict_min=True)

    def install(net: Network, deployment: Any, rnd: random.Random,
                active: list[bool]) -> None:
        if nemesis is not None:
            nemesis(net, deployment, rnd, active)
        net.add(Recorder(node_id, probe, step, step / 2))
    return install
