"""A fake network for testing one role alone, in the style of *500 Lines or
Less* ("Clustering by Consensus"): the test calls a role's handlers directly
and inspects what the role sent and which timers it set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dsscale.sim import Node, Timer


@dataclass
class FakeNetwork:
    """Records sends and timers; time moves only when the test says so."""

    now: float = 0.0
    sent: list[tuple[str, str, Any]] = field(default_factory=list)
    timers: list[tuple[float, str, Any, Timer]] = field(default_factory=list)

    def join(self, node: Node) -> Node:
        node.network = self  # type: ignore[assignment]
        node.init_state()
        return node

    def send(self, src: str, dst: str, msg: Any) -> None:
        self.sent.append((src, dst, msg))

    def set_timer(self, node_id: str, delay: float, action: Any) -> Timer:
        timer = Timer()
        self.timers.append((self.now + delay, node_id, action, timer))
        return timer

    def take(self, kind: type | None = None) -> list[tuple[str, Any]]:
        """The ``(dst, msg)`` pairs sent since the last call (of ``kind`` only)."""
        out = [(dst, msg) for _, dst, msg in self.sent
               if kind is None or isinstance(msg, kind)]
        self.sent.clear()
        return out
