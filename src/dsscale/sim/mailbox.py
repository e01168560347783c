"""A stand-in network for driving one role by hand (tests, Ray actors)."""

from __future__ import annotations

from typing import Any

from dsscale.sim.node import Node, NodeT, Timer, dispatch

__all__ = ["Mailbox"]


class Mailbox:
    """A stand-in network for running one role outside a simulation.

    A test (in the style of *500 Lines or Less*) or a Ray actor joins a role
    to a mailbox, calls its handlers directly with :meth:`deliver`, and reads
    back what the role sent. Time stands still unless the caller sets
    :attr:`now`; timers are recorded, never fired.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Hello:
    ...     text: str
    >>> class Echo(Node):
    ...     def on_Hello(self, src, msg):
    ...         self.send(src, msg)
    >>> box = Mailbox()
    >>> echo = box.join(Echo("e"))
    >>> box.deliver(echo, "c", Hello("hi"))
    [('c', Hello(text='hi'))]
    """

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sent: list[tuple[str, str, Any]] = []
        self.timers: list[tuple[float, str, Any, Timer]] = []

    def join(self, node: NodeT) -> NodeT:
        """Attach ``node`` and give it fresh state (``init_state``)."""
        node.network = self  # type: ignore[assignment]
        node.init_state()
        return node

    def send(self, src: str, dst: str, msg: Any) -> None:
        self.sent.append((src, dst, msg))

    def set_timer(self, node_id: str, delay: float, action: Any) -> Timer:
        timer = Timer()
        self.timers.append((self.now + delay, node_id, action, timer))
        return timer

    def deliver(self, node: Node, src: str, msg: Any) -> list[tuple[str, Any]]:
        """Hand ``msg`` from ``src`` to ``node``; return what it sent in reply."""
        dispatch(node, src, msg)
        return self.take()

    def take(self, kind: type | None = None) -> list[tuple[str, Any]]:
        """The ``(dst, msg)`` pairs sent since the last call (of ``kind`` only)."""
        out = [(dst, msg) for _, dst, msg in self.sent
               if kind is None or isinstance(msg, kind)]
        self.sent.clear()
        return out
