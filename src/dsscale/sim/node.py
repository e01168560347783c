"""The base class of every simulated process, its timers and message dispatch.

A :class:`Node` subclass stores its fixed configuration in ``__init__`` and
creates all mutable state in :meth:`Node.init_state`; messages are frozen
dataclasses, delivered to ``on_<MessageType>(src, msg)`` by :func:`dispatch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from dsscale.sim.network import Network

__all__ = ["Node", "Tick", "Timer", "dispatch"]


@dataclass(frozen=True)
class Tick:
    """The timer message of periodic work (retransmission, pings, handoff)."""


class Timer:
    """Handle returned by :meth:`Node.set_timer`; ``cancel()`` stops it firing."""

    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


NodeT = TypeVar("NodeT", bound="Node")


class Node:
    """Base class of every simulated process.

    A subclass stores its fixed configuration in ``__init__`` and creates all
    mutable state in :meth:`init_state`, which runs when the node joins a
    network and again on restart.  Attributes named in ``durable`` survive a
    crash (they model state on disk); the rest is lost.
    """

    durable: ClassVar[tuple[str, ...]] = ()

    def __init__(self, node_id: str) -> None:
        if not isinstance(node_id, str) or not node_id:
            raise TypeError(f"node_id must be a non-empty str, got {node_id!r}")
        self.node_id = node_id
        self.network: Network | None = None
        self.up = True

    def init_state(self) -> None:
        """(Re)create mutable state; called on join and on every restart."""

    def on_start(self) -> None:
        """Called at time 0 (or when added later)."""

    def on_restart(self) -> None:
        """Called after a restart; by default the node starts afresh."""
        self.on_start()

    @property
    def now(self) -> float:
        return self._net.now

    @property
    def _net(self) -> Network:
        if self.network is None:
            raise RuntimeError(f"node {self.node_id!r} is not in a network")
        return self.network

    def send(self, dst: str, msg: Any) -> None:
        self._net.send(self.node_id, dst, msg)

    def set_timer(self, delay: float, action: Any) -> Timer:
        """Fire ``action`` after ``delay``: a callable, or a message for its handler."""
        return self._net.set_timer(self.node_id, delay, action)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.node_id!r})"


def dispatch(node: Node, src: str, msg: Any, name: str | None = None) -> None:
    """Call ``node.on_<type of msg>(src, msg)``; a clear error if there is none."""
    name = name or "on_" + type(msg).__name__
    handler = getattr(node, name, None)
    if handler is None:
        raise TypeError(f"{type(node).__name__} has no handler {name} "
                        f"for message {msg!r}")
    handler(src, msg)
