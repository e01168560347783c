"""Heartbeat failure detection on the simulator.

A :class:`HeartbeatNode` sends a :class:`Heartbeat` to each of its ``peers``
every ``interval`` and watches every node that sends heartbeats to it. Whether a
silent node is suspected is decided by a *detector*, one per watched node, made
by a factory: :class:`TimeoutDetector` (a fixed timeout, optionally raised after
each mistake) here, or :class:`~dsscale.membership.phi_accrual.PhiAccrualDetector`.
A detector answers one question, "when, if no heartbeat arrives, do I start to
suspect?", so the node sets a single timer for that instant instead of polling.

Every change of opinion is appended to :attr:`HeartbeatNode.log` as
``(time, peer, suspected)``, the raw material for detection times and
false-positive counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dsscale._validate import check_float
from dsscale.sim import Node, Timer

__all__ = ["Detector", "Heartbeat", "HeartbeatNode", "TimeoutDetector"]


@dataclass(frozen=True)
class Heartbeat:
    """I am alive; ``seq`` counts my heartbeats from 0."""

    seq: int


class Detector(Protocol):
    """What a :class:`HeartbeatNode` needs from a failure detector."""

    def heartbeat(self, now: float) -> None:
        """Record that a heartbeat arrived at ``now``."""

    def suspect_at(self) -> float:
        """The time at which suspicion begins if nothing else arrives."""

    def mistake(self) -> None:
        """Called when a suspected node turns out to be alive."""


class TimeoutDetector:
    """Suspect after ``timeout`` of silence; add ``increment`` after each mistake.

    With ``increment = 0`` this is the fixed-timeout detector analysed in
    :mod:`dsscale.membership.timeouts`. With ``increment > 0`` it is the
    construction of Chandra and Toueg (JACM 1996) for partially synchronous
    systems: if delays are eventually bounded, the timeout eventually exceeds
    the bound and the detector stops making mistakes (eventually perfect).
    """

    def __init__(self, timeout: float, increment: float = 0.0) -> None:
        self.timeout = check_float("timeout", timeout, 0.0, strict_min=True)
        self.increment = check_float("increment", increment, 0.0)
        self.last: float | None = None

    def heartbeat(self, now: float) -> None:
        self.last = now

    def suspect_at(self) -> float:
        if self.last is None:
            raise RuntimeError("suspect_at() needs a heartbeat first")
        return self.last + self.timeout

    def mistake(self) -> None:
        self.timeout += self.increment


class HeartbeatNode(Node):
    """Send heartbeats to ``peers``; watch senders with ``detector()`` each.

    Parameters
    ----------
    node_id : str
    peers : sequence of str
        Nodes to send heartbeats to (empty for a pure monitor).
    interval : float
        Time between two heartbeats, > 0.
    detector : callable, optional
        Makes a fresh :class:`Detector` for each node that sends to this one
        (needed only if some node does).
    offset : float
        Time of the first heartbeat after start, in ``[0, interval]``.
    """

    def __init__(self, node_id: str, peers: Sequence[str], interval: float = 1.0,
                 detector: Callable[[], Detector] | None = None,
                 offset: float = 0.0) -> None:
        super().__init__(node_id)
        self.peers = tuple(peers)
        self.interval = check_float("interval", interval, 0.0, strict_min=True)
        self.offset = check_float("offset", offset, 0.0, self.interval)
        self.make_detector = detector

    def init_state(self) -> None:
        self.seq = 0
        self.detectors: dict[str, Detector] = {}
        self.suspected: dict[str, bool] = {}
        self.timers: dict[str, Timer] = {}
        self.received = 0
        self.log: list[tuple[float, str, bool]] = []

    def on_start(self) -> None:
        if self.peers:
            self.set_timer(self.offset, self._beat)

    def _beat(self) -> None:
        for peer in self.peers:
            self.send(peer, Heartbeat(self.seq))
        self.seq += 1
        self.set_timer(self.interval, self._beat)

    def on_Heartbeat(self, src: str, msg: Heartbeat) -> None:
        detector = self.detectors.get(src)
        if detector is None:
            if self.make_detector is None:
                raise RuntimeError(f"{self.node_id} got a heartbeat from {src} "
                                   "but was given no detector")
            detector = self.detectors[src] = self.make_detector()
        self.received += 1
        if self.suspected.get(src, False):
            self.suspected[src] = False
            self.log.append((self.now, src, False))
            detector.mistake()
        detector.heartbeat(self.now)
        if src in self.timers:
            self.timers[src].cancel()
        delay = max(0.0, detector.suspect_at() - self.now)
        self.timers[src] = self.set_timer(delay, lambda: self._silence(src))

    def _silence(self, src: str) -> None:
        if not self.suspected.get(src, False):
            self.suspected[src] = True
            self.log.append((self.now, src, True))

    def suspicions(self, peer: str) -> list[float]:
        """Times at which this node started to suspect ``peer``."""
        return [t for t, p, s in self.log if p == peer and s]
