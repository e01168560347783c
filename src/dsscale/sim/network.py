"""The simulated network and its virtual clock (see :mod:`dsscale.sim`)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from dsscale._validate import RNGLike, as_seed, check_float, check_int
from dsscale.sim.links import Link
from dsscale.sim.node import Node, Timer, dispatch

__all__ = ["Event", "Network"]


class Event(NamedTuple):
    """One line of the trace."""

    time: float
    kind: str  # send deliver drop dup timer crash restart partition block heal
    src: str
    dst: str
    message: Any
    detail: str = ""

    def __str__(self) -> str:
        what = self.message if isinstance(self.message, str) else repr(self.message)
        extra = f"  ({self.detail})" if self.detail else ""
        return (f"{self.time:10.4f}  {self.kind:<9} {self.src:>6} -> {self.dst:<6} "
                f"{what}{extra}")


# heap entry: (time, seq, kind, a, b, c, d)
_DELIVER, _TIMER, _ACTION = 0, 1, 2


class Network:
    """The simulated network and its virtual clock.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None
        Source of every random draw in the run: an int seeds the network's
        ``random.Random`` directly (``Network(7)`` replays ``Network(7)``
        exactly); a Generator or None supplies a seed. The seed is kept as
        :attr:`seed`.
    link : Link, optional
        Behaviour of every link without its own :meth:`set_link`.
    trace : bool
        Record every event in :attr:`trace`.
    """

    def __init__(self, rng: RNGLike = 0, link: Link | None = None,
                 *, trace: bool = True) -> None:
        self.seed = as_seed(rng)
        self.rng = random.Random(self.seed)
        self.default_link = Link() if link is None else link
        self.links: dict[tuple[str, str], Link] = {}
        self.nodes: dict[str, Node] = {}
        self.now = 0.0
        self.blocked: set[tuple[str, str]] = set()
        self.trace: list[Event] = []
        self.tracing = trace
        self.events_processed = 0
        self._heap: list[tuple[Any, ...]] = []
        self._seq = 0
        self._incarnation: dict[str, int] = {}
        self._fifo_last: dict[tuple[str, str], float] = {}
        self._handlers: dict[type, str] = {}

    # -- building -------------------------------------------------------
    def add(self, *nodes: Node) -> None:
        """Join ``nodes``; each gets fresh state and an ``on_start`` call now."""
        for node in nodes:
            if node.node_id in self.nodes:
                raise ValueError(f"node_id {node.node_id!r} is already in the network")
            node.network = self
            self.nodes[node.node_id] = node
            self._incarnation[node.node_id] = 0
            node.init_state()
            self._push(self.now, _ACTION, node.on_start, None, None, None)

    def set_link(self, src: str, dst: str, link: Link) -> None:
        """Give the directed link ``src -> dst`` its own behaviour."""
        self._check_id("src", src)
        self._check_id("dst", dst)
        self.links[(src, dst)] = link

    def _check_id(self, name: str, node_id: str) -> None:
        if node_id not in self.nodes:
            raise ValueError(f"{name} must be a node id in this network "
                             f"({', '.join(self.nodes)}), got {node_id!r}")

    def _push(self, time: float, kind: int, a: Any, b: Any, c: Any, d: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, kind, a, b, c, d))

    def _log(self, kind: str, src: str, dst: str, msg: Any, detail: str = "") -> None:
        if self.tracing:
            self.trace.append(Event(self.now, kind, src, dst, msg, detail))

    # -- messages and timers --------------------------------------------
    def send(self, src: str, dst: str, msg: Any) -> None:
        """Send ``msg``; loss and duplication are decided now, blocking at arrival."""
        self._check_id("dst", dst)
        link = self.links.get((src, dst), self.default_link)
        self._log("send", src, dst, msg)
        rnd = self.rng
        if link.loss and rnd.random() < link.loss:
            self._log("drop", src, dst, msg, "lost")
            return
        copies = 2 if link.duplicate and rnd.random() < link.duplicate else 1
        for copy in range(copies):
            at = self.now + link.delay.sample(rnd)
            if link.fifo:
                at = max(at, self._fifo_last.get((src, dst), 0.0))
                self._fifo_last[(src, dst)] = at
            if copy:
                self._log("dup", src, dst, msg, f"second copy at {at:.4f}")
            self._push(at, _DELIVER, src, dst, msg, None)

    def set_timer(self, node_id: str, delay: float, action: Any) -> Timer:
        check_float("delay", delay, 0.0)
        timer = Timer()
        self._push(self.now + delay, _TIMER, node_id, self._incarnation[node_id],
                   action, timer)
        return timer

    def at(self, time: float, action: Callable[[], Any]) -> None:
        """Run ``action()`` at virtual ``time`` (e.g. ``lambda: net.crash("a")``)."""
        check_float("time", time, self.now)
        self._push(time, _ACTION, action, None, None, None)

    def _dispatch(self, node: Node, src: str, msg: Any) -> None:
        name = self._handlers.get(type(msg))
        if name is None:
            name = self._handlers[type(msg)] = "on_" + type(msg).__name__
        dispatch(node, src, msg, name)

    # -- faults -----------------------------------------------------------
    def crash(self, node_id: str) -> None:
        """Stop ``node_id``: its timers die and messages to it are dropped."""
        self._check_id("node_id", node_id)
        node = self.nodes[node_id]
        if node.up:
            node.up = False
            self._incarnation[node_id] += 1
            self._log("crash", node_id, node_id, "")

    def restart(self, node_id: str, keep_durable: bool = True) -> None:
        """Bring ``node_id`` back, with its ``durable`` attributes or from scratch."""
        self._check_id("node_id", node_id)
        node = self.nodes[node_id]
        if node.up:
            return
        saved = {name: getattr(node, name) for name in node.durable}
        node.init_state()
        if keep_durable:
            for name, value in saved.items():
                setattr(node, name, value)
        node.up = True
        self._incarnation[node_id] += 1
        self._log("restart", node_id, node_id, "",
                  "durable state kept" if keep_durable else "state lost")
        node.on_restart()

    def block(self, src: str, dst: str) -> None:
        """Drop every message ``src -> dst`` that arrives until :meth:`heal`."""
        self._check_id("src", src)
        self._check_id("dst", dst)
        self.blocked.add((src, dst))
        self._log("block", src, dst, "")

    def partition(self, group_a: Iterable[str], group_b: Iterable[str]) -> None:
        """Cut every link between ``group_a`` and ``group_b``, both ways."""
        group_a, group_b = list(group_a), list(group_b)
        for name, group in (("group_a", group_a), ("group_b", group_b)):
            for node_id in group:
                self._check_id(name, node_id)
        for a in group_a:
            for b in group_b:
                self.blocked.update(((a, b), (b, a)))
        self._log("partition", ",".join(group_a), ",".join(group_b), "")

    def heal(self) -> None:
        """Remove every partition and block."""
        self.blocked.clear()
        self._log("heal", "*", "*", "")

    # -- running ----------------------------------------------------------
    def step(self) -> bool:
        """Process the next event; return False if there is none."""
        if not self._heap:
            return False
        time, _, kind, a, b, c, d = heapq.heappop(self._heap)
        self.now = time
        self.events_processed += 1
        if kind == _DELIVER:
            node = self.nodes[b]
            if (a, b) in self.blocked:
                self._log("drop", a, b, c, "blocked")
            elif not node.up:
                self._log("drop", a, b, c, "destination down")
            else:
                self._log("deliver", a, b, c)
                self._dispatch(node, a, c)
        elif kind == _TIMER:
            node = self.nodes[a]
            if d.cancelled or not node.up or self._incarnation[a] != b:
                return True
            if callable(c):
                self._log("timer", a, a, getattr(c, "__name__", type(c).__name__))
                c()
            else:
                self._log("timer", a, a, c)
                self._dispatch(node, a, c)
        else:
            a()
        return True

    def run(self, until: float = float("inf"), *, stop: Callable[[], bool] | None
            = None, max_events: int | None = None) -> int:
        """Process events up to virtual time ``until`` (or until ``stop()``)."""
        if until != float("inf"):
            check_float("until", until, self.now)
        budget = -1 if max_events is None else check_int("max_events", max_events, 0)
        done = 0
        while self._heap and self._heap[0][0] <= until and done != budget:
            self.step()
            done += 1
            if stop is not None and stop():
                return done
        if until != float("inf") and done != budget:
            self.now = max(self.now, until)
        return done

    def run_until_idle(self, max_events: int = 1_000_000) -> int:
        """Run until no event is pending; raise if ``max_events`` do not suffice."""
        budget = check_int("max_events", max_events, 1)
        done = self.run(max_events=budget)
        if self._heap:
            raise RuntimeError(f"still busy after max_events={budget} events "
                               "(a periodic timer never stops?)")
        return done

    @property
    def pending(self) -> int:
        """Number of events waiting in the heap."""
        return len(self._heap)

    def format_trace(self, kinds: Iterable[str] | None = None,
                     limit: int | None = None) -> str:
        """The trace as text, one event per line, optionally filtered by kind."""
        wanted = None if kinds is None else set(kinds)
        lines = [str(e) for e in self.trace if wanted is None or e.kind in wanted]
        return "\n".join(lines if limit is None else lines[:limit])
