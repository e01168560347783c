"""A deterministic discrete-event network simulator.

Nodes are small classes whose ``on_<Message>`` handlers the network calls when a
message arrives; messages are frozen dataclasses.  Time is virtual: a heap of
pending deliveries, timers and scheduled actions is processed in time order, and
every random choice (delays, loss, duplication) is drawn from one
``random.Random`` seeded by the caller, so the same seed gives the same run,
event for event, in any process.  Reordering falls out of random delays; a link
may be made FIFO to contrast.  The style follows the *500 Lines or Less*
chapter "Clustering by Consensus" (D. Mitchell, 2016).

Determinism has one trap: iterating a ``set`` of strings depends on the
per-process hash seed.  Roles therefore keep peers in tuples or dicts, and
messages carry tuples, never sets.
"""

from dsscale.sim.links import Delay, ExponentialDelay, FixedDelay, Link, UniformDelay
from dsscale.sim.mailbox import Mailbox
from dsscale.sim.network import Event, Network
from dsscale.sim.node import Node, Tick, Timer, dispatch

__all__ = [
    "Delay",
    "Event",
    "ExponentialDelay",
    "FixedDelay",
    "Link",
    "Mailbox",
    "Network",
    "Node",
    "Tick",
    "Timer",
    "UniformDelay",
    "dispatch",
]
