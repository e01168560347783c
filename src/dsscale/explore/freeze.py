"""Canonical, hashable snapshots of a node's mutable state, and back.

The explorer stores every node state it meets as a *frozen* value: dicts
become tuples of their items (sorted by key when the keys allow it, so two
dicts filled in a different order are one state), lists tuples, sets
frozensets, other mutable objects ``(type, frozen attributes)``, and a timer
handle a reference to the pending timer it stands for. Frozen values hash
and compare by content; :func:`thaw` rebuilds fresh mutable containers from
one, so a handler can run on it without touching the stored snapshot.

Immutable values (numbers, strings, ``None``, frozen dataclasses such as
messages and :class:`~dsscale.consistency.Operation`) are shared as they are.
Every container is tagged with its kind, so a list and a tuple with the same
items stay different states.

>>> snap = freeze({"b": [1, 2], "a": {3}})
>>> snap == freeze({"a": {3}, "b": [1, 2]})      # insertion order is not state
True
>>> thaw(snap)
{'a': {3}, 'b': [1, 2]}
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any

from dsscale.sim import Node, Timer

__all__ = ["freeze", "thaw"]


class _Tag:
    """A marker that starts a frozen container (compared by identity)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> str:
        return f"_{self.name.upper()}"


_DICT, _LIST, _SET, _OBJ, _TIMER, _TUPLE = (
    _Tag(n) for n in ("dict", "list", "set", "obj", "timer", "tuple"))


_ATOMIC: frozenset[type] = frozenset({int, float, str, bool, type(None), bytes,
                                      complex})
_FREEZERS: dict[type, Callable[[Any, Callable[[Timer], Any]], Any]] = {}


def _freeze_tuple(value: tuple[Any, ...], timer: Callable[[Timer], Any]) -> Any:
    frozen = tuple(freeze(v, timer) for v in value)
    if all(f is v for f, v in zip(frozen, value, strict=True)):
        return value  # immutable all the way down: share it
    return (_TUPLE, frozen)


def _freeze_dict(value: dict[Any, Any], timer: Callable[[Timer], Any]) -> Any:
    items = [(k, freeze(v, timer)) for k, v in value.items()]
    try:
        items.sort(key=lambda kv: kv[0])
    except TypeError:  # keys that do not compare: keep the insertion order
        pass
    return (_DICT, tuple(items))


def _freeze_list(value: list[Any], timer: Callable[[Timer], Any]) -> Any:
    return (_LIST, tuple(freeze(v, timer) for v in value))


def _freeze_set(value: set[Any], timer: Callable[[Timer], Any]) -> Any:
    return (_SET, frozenset(value))


def _freeze_object(value: Any, timer: Callable[[Timer], Any]) -> Any:
    cls = type(value)
    if isinstance(value, Node):
        raise TypeError(f"node state must not hold a node ({value!r}); "
                        "keep node ids instead")
    if isinstance(value, Timer):
        return (_TIMER, timer(value))
    if callable(value):
        raise TypeError(f"node state must not hold a callable ({value!r})")
    slots = [s for c in cls.__mro__ for s in getattr(c, "__slots__", ())]
    attrs = dict(getattr(value, "__dict__", {}))
    attrs.update((s, getattr(value, s)) for s in slots if hasattr(value, s))
    return (_OBJ, cls, _freeze_dict(attrs, timer)[1])


def _freezer(cls: type) -> Callable[[Any, Callable[[Timer], Any]], Any]:
    if cls in _ATOMIC or issubclass(cls, enum.Enum):
        return lambda v, t: v
    if dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return lambda v, t: v  # messages: immutable and hashable by contract
    for base, fn in ((tuple, _freeze_tuple), (dict, _freeze_dict), (list, _freeze_list),
                     (frozenset, lambda v, t: v), (set, _freeze_set)):
        if issubclass(cls, base):
            return fn
    return _freeze_object


def _no_timers(timer: Timer) -> Any:
    raise TypeError("this value holds a timer handle; freeze it with a timer map")


def freeze(value: Any, timer: Callable[[Timer], Any] = _no_timers) -> Any:
    """A hashable snapshot of ``value``; ``timer`` maps a timer handle to a ref."""
    cls = type(value)
    fn = _FREEZERS.get(cls)
    if fn is None:
        fn = _FREEZERS[cls] = _freezer(cls)
    return fn(value, timer)


def _no_handles(ref: Any) -> Timer:
    raise TypeError("this snapshot holds a timer reference; thaw it with a timer map")


def thaw(frozen: Any, handle: Callable[[Any], Timer] = _no_handles) -> Any:
    """Fresh mutable objects equal to what :func:`freeze` was given.

    ``handle`` turns a timer reference back into a live handle.
    """
    if type(frozen) is not tuple or not frozen or type(frozen[0]) is not _Tag:
        return frozen  # an immutable value, shared
    tag = frozen[0]
    if tag is _DICT:
        return {k: thaw(v, handle) for k, v in frozen[1]}
    if tag is _LIST:
        return [thaw(v, handle) for v in frozen[1]]
    if tag is _SET:
        return set(frozen[1])
    if tag is _TIMER:
        return handle(frozen[1])
    if tag is _OBJ:
        obj = object.__new__(frozen[1])
        for name, v in frozen[2]:
            object.__setattr__(obj, name, thaw(v, handle))
        return obj
    return tuple(thaw(v, handle) for v in frozen[1])  # _TUPLE
