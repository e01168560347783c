"""Sleep sets: skip transitions whose result another order already reached.

Two events are *independent* when neither can disable the other and both
orders lead to the same state -- deliveries to two different nodes, say.
If a state ``s`` has independent events ``a`` and ``b`` and the search
explores ``a`` first, then from ``s·b`` there is no need to explore ``a``:
``s·b·a = s·a·b``, which the ``a`` branch reaches. The *sleep set* of a state
carries such events down the search (Godefroid, *Partial-Order Methods for
the Verification of Concurrent Systems*, LNCS 1032, 1996, ch. 5). Every
reachable state is still visited; what shrinks is the number of transitions
computed to find them -- and with it the time, since most transitions of a
message-passing system lead to states already seen.

Independence is judged from a *footprint* of each event, three bit masks:
the resources it uses (its node, the messages it delivers, drops or sends,
the fault budget it spends, the client history), the nodes whose "messages
in flight" status it changes (which decides whether their timers fire
freely, see :mod:`~dsscale.explore.space`), and the node whose timer it
fires. Two events are independent iff their resources are disjoint and
neither changes the status the other's timer depends on. Messages map to
bits modulo a window, so two messages may share a bit: that only makes
events look dependent, never the reverse.
"""

from __future__ import annotations

from dsscale.explore.machine import CRASH, DELIVER, RESTART, TIMER, Transition
from dsscale.explore.space import (
    ADVANCE,
    DROP,
    DUPLICATE,
    EARLY,
    LOST,
    Event,
    Space,
)

__all__ = ["Footprint", "footprint", "independent"]

Footprint = tuple[int, int, int]  # (resources, status touched, timer's node)

_NODES = 40  # node bits 0..39 (node i uses bit i mod 40)
_DROP, _DUP, _CRASH, _EARLY, _HISTORY = (1 << (_NODES + k) for k in range(5))
_ENV_BASE, _ENV_BITS = 48, 208  # message bits 48..255
_ALL_NODES = (1 << _NODES) - 1
_EVERYTHING = (1 << (_ENV_BASE + _ENV_BITS)) - 1


def _node(i: int) -> int:
    return 1 << (i % _NODES)


def _env(e: int) -> int:
    return 1 << (_ENV_BASE + e % _ENV_BITS)


def footprint(space: Space, event: Event, t: Transition | None,
              changed: bool) -> Footprint:
    """The footprint of ``event`` (with its node transition ``t``, if any;
    ``changed``: whether that transition changed its node's state)."""
    kind, arg = event
    envs = space.machine.envs
    res = touch = timer = 0
    if kind in (DELIVER, DROP, LOST, DUPLICATE):
        src, dst, _ = envs[arg]
        res = _env(arg) | _node(dst)
        if kind != DUPLICATE:
            touch = _node(src) | _node(dst)
        res |= _DROP if kind == DROP else _DUP if kind == DUPLICATE else 0
    elif kind in (TIMER, EARLY):
        res = timer = _node(arg[0])
        res |= _EARLY if kind == EARLY else 0
    elif kind in (CRASH, RESTART):
        res = _node(arg) | (_CRASH if kind == CRASH else 0)
    elif kind == ADVANCE:
        return _EVERYTHING, _ALL_NODES, _ALL_NODES
    if t is not None:
        for x in t.sends:
            res |= _env(x)
            touch |= _node(envs[x][1])
        if t.effects:
            res |= _HISTORY
        if changed and space.ignore_stale:
            node = _where(space, event)
            if space.is_client[node]:
                # may remove messages to it, and from it to forgetful servers
                res |= _forgetful(space)
                touch |= _ALL_NODES
            elif space.forgets[node]:
                touch |= _ALL_NODES  # may remove messages to it from anyone
    return res, touch, timer


def _forgetful(space: Space) -> int:
    bits = 0
    for i, forgets in enumerate(space.forgets):
        if forgets:
            bits |= _node(i)
    return bits


def _where(space: Space, event: Event) -> int:
    """The node whose handler a node event runs."""
    kind, arg = event
    if kind in (DELIVER, DUPLICATE):
        return space.machine.envs[arg][1]
    return int(arg[0]) if kind in (TIMER, EARLY) else int(arg)


def independent(a: Footprint, b: Footprint) -> bool:
    """Whether two events with these footprints commute and never disable
    each other."""
    return not (a[0] & b[0] or a[1] & b[2] or a[2] & b[1])
