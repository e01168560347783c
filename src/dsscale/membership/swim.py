"""SWIM: randomized probing, suspicion and piggybacked dissemination.

The protocol of Das, Gupta and Motivala (DSN 2002), one :class:`SwimMember`
per process. Every ``period`` a member

1. resolves its previous probe: if neither a direct nor an indirect ack came
   back, it *suspects* the target (or, with ``suspicion_timeout=None``,
   declares it dead at once, the paper's basic protocol);
2. picks a target (uniformly at random, or the next one of a shuffled
   round-robin list, §4.3 of the paper) and sends it a :class:`Ping`;
3. if no :class:`Ack` arrives within ``ping_timeout``, asks ``indirect_probes``
   other members with :class:`PingReq` to ping the target for it; their acks
   are relayed back.

Membership changes travel as :class:`Update` records piggybacked on every
ping, ping-req and ack, each sent ``retransmit_factor * ceil(log2(n + 1))``
times, least-sent first. Incarnation numbers order them (§4.2): a member that
hears itself suspected refutes by incrementing its incarnation; a suspect not
refuted within ``suspicion_timeout`` is confirmed dead, for good.

Each change of a member's view is logged as ``(time, member, status)``; the
counters ``messages_sent``, ``probes`` and ``failed_probes`` measure load and
false positives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dsscale._validate import check_float, check_int
from dsscale.sim import Node, Timer

__all__ = ["Ack", "Ping", "PingReq", "SwimMember", "Update"]

Status = Literal["alive", "suspect", "dead"]


@dataclass(frozen=True)
class Update:
    """A membership fact: ``member`` is ``status`` at ``incarnation``."""

    member: str
    status: Status
    incarnation: int


@dataclass(frozen=True)
class Ping:
    seq: int
    updates: tuple[Update, ...] = ()


@dataclass(frozen=True)
class Ack:
    seq: int
    updates: tuple[Update, ...] = ()


@dataclass(frozen=True)
class PingReq:
    """Please ping ``target`` and relay its ack under my ``seq``."""

    seq: int
    target: str
    updates: tuple[Update, ...] = ()


class SwimMember(Node):
    """One member of a SWIM group whose members are ``members`` (with itself)."""

    def __init__(self, node_id: str, members: Sequence[str], period: float = 10.0,
                 ping_timeout: float = 3.0, indirect_probes: int = 3,
                 suspicion_timeout: float | None = 60.0,
                 target_selection: Literal["random", "round_robin"] = "random",
                 retransmit_factor: int = 3, max_piggyback: int = 6,
                 offset: float = 0.0) -> None:
        super().__init__(node_id)
        self.others = tuple(m for m in members if m != node_id)
        self.period = check_float("period", period, 0.0, strict_min=True)
        self.ping_timeout = check_float("ping_timeout", ping_timeout, 0.0,
                                        self.period, strict_min=True)
        self.indirect_probes = check_int("indirect_probes", indirect_probes, 0)
        self.suspicion_timeout = None if suspicion_timeout is None else check_float(
            "suspicion_timeout", suspicion_timeout, 0.0)
        if target_selection not in ("random", "round_robin"):
            raise ValueError("target_selection must be 'random' or 'round_robin', "
                             f"got {target_selection!r}")
        self.target_selection = target_selection
        self.max_sends = check_int("retransmit_factor", retransmit_factor, 1) * \
            math.ceil(math.log2(len(self.others) + 2))
        self.max_piggyback = check_int("max_piggyback", max_piggyback, 0)
        self.offset = check_float("offset", offset, 0.0, self.period)

    def init_state(self) -> None:
        self.incarnation = 0
        self.view: dict[str, tuple[Status, int]] = {m: ("alive", 0)
                                                    for m in self.others}
        self.buffer: dict[Update, int] = {}  # update -> times piggybacked
        self.seq = 0
        self.probe: tuple[str, int] | None = None
        self.acked = False
        self.relay: dict[int, tuple[str, int]] = {}
        self.suspect_timers: dict[str, Timer] = {}
        self.round_robin: list[str] = []
        self.log: list[tuple[float, str, Status]] = []
        self.messages_sent = self.probes = self.failed_probes = 0

    def on_start(self) -> None:
        self.set_timer(self.offset, self._tick)

    # -- probing ------------------------------------------------------------
    def _tick(self) -> None:
        if self.probe is not None and not self.acked:
            self._probe_failed(self.probe[0])
        self.probe = None
        target = self._next_target()
        if target is not None:
            self.seq += 1
            self.probe, self.acked = (target, self.seq), False
            self.probes += 1
            self._send(target, Ping(self.seq, self._piggyback()))
            self.set_timer(self.ping_timeout, lambda s=self.seq: self._indirect(s))
        self.set_timer(self.period, self._tick)

    def _live(self) -> list[str]:
        return [m for m in self.others if self.view[m][0] != "dead"]

    def _next_target(self) -> str | None:
        live = self._live()
        if not live:
            return None
        if self.target_selection == "random":
            return live[self._net.rng.randrange(len(live))]
        while self.round_robin:
            candidate = self.round_robin.pop()
            if self.view[candidate][0] != "dead":
                return candidate
        self.round_robin = live
        self._net.rng.shuffle(self.round_robin)
        return self.round_robin.pop()

    def _indirect(self, seq: int) -> None:
        if self.probe is None or self.probe[1] != seq or self.acked:
            return
        target = self.probe[0]
        helpers = [m for m in self._live() if m != target]
        count = min(self.indirect_probes, len(helpers))
        for helper in self._net.rng.sample(helpers, count):
            self._send(helper, PingReq(seq, target, self._piggyback()))

    def _probe_failed(self, target: str) -> None:
        self.failed_probes += 1
        status, incarnation = self.view[target]
        if status == "alive":
            verdict: Status = "dead" if self.suspicion_timeout is None else "suspect"
            self._apply(Update(target, verdict, incarnation))

    # -- handlers -------------------------------------------------------------
    def on_Ping(self, src: str, msg: Ping) -> None:
        self._merge(msg.updates)
        self._send(src, Ack(msg.seq, self._piggyback()))

    def on_PingReq(self, src: str, msg: PingReq) -> None:
        self._merge(msg.updates)
        self.seq += 1
        self.relay[self.seq] = (src, msg.seq)
        self._send(msg.target, Ping(self.seq, self._piggyback()))

    def on_Ack(self, src: str, msg: Ack) -> None:
        self._merge(msg.updates)
        if msg.seq in self.relay:
            requester, seq = self.relay.pop(msg.seq)
            self._send(requester, Ack(seq, self._piggyback()))
        elif self.probe is not None and msg.seq == self.probe[1]:
            self.acked = True

    # -- membership and dissemination ---------------------------------------
    def _merge(self, updates: tuple[Update, ...]) -> None:
        for update in updates:
            self._apply(update)

    def _apply(self, update: Update) -> None:
        """Apply the override rules of SWIM §4.2; disseminate what changes."""
        member, status, inc = update.member, update.status, update.incarnation
        if member == self.node_id:
            if status != "alive" and inc >= self.incarnation:  # refute
                self.incarnation = inc + 1
                self._enqueue(Update(self.node_id, "alive", self.incarnation))
            return
        if member not in self.view:
            return
        current, known = self.view[member]
        if current == "dead":
            return
        if status == "dead":
            changed = True
        elif status == "alive":
            changed = inc > known
        else:
            changed = inc > known or (inc == known and current == "alive")
        if not changed:
            return
        self.view[member] = (status, inc)
        if current != status:
            self.log.append((self.now, member, status))
        timer = self.suspect_timers.pop(member, None)
        if timer is not None:
            timer.cancel()
        if status == "suspect" and self.suspicion_timeout is not None:
            self.suspect_timers[member] = self.set_timer(
                self.suspicion_timeout, lambda: self._confirm(member, inc))
        self._enqueue(update)

    def _confirm(self, member: str, incarnation: int) -> None:
        if self.view[member] == ("suspect", incarnation):
            self._apply(Update(member, "dead", incarnation))

    def _enqueue(self, update: Update) -> None:
        for old in [u for u in self.buffer if u.member == update.member]:
            del self.buffer[old]
        self.buffer[update] = 0

    def _piggyback(self) -> tuple[Update, ...]:
        chosen = sorted(self.buffer, key=self.buffer.__getitem__)[:self.max_piggyback]
        for update in chosen:
            self.buffer[update] += 1
            if self.buffer[update] >= self.max_sends:
                del self.buffer[update]
        return tuple(chosen)

    def _send(self, dst: str, msg: Any) -> None:
        self.messages_sent += 1
        self.send(dst, msg)

    def status_of(self, member: str) -> Status:
        """This member's current opinion of ``member``."""
        return self.view[member][0]
