"""Sequential specifications ("models") that a history is checked against.

A model is any object with two methods, the interface of porcupine (Athalye,
2017):

``init() -> state``
    The initial state; states must be hashable, since the checker memoises
    ``(linearized set, state)`` pairs.
``step(state, input, output) -> (ok, new_state)``
    Apply one operation; ``ok`` says whether ``output`` is what the sequential
    object would have returned. ``output`` is :data:`UNKNOWN` for a pending
    operation, which a model must accept (a pending read imposes nothing).

and optionally ``partition(operations) -> list[list[Operation]]``, which
splits a history into independent sub-histories (one per key), each checked on
its own: P-compositionality (Horn and Kroening, FORTE 2015). A second optional
method, ``prune(operations) -> list[Operation]``, is our addition: it may drop
*pending* operations that provably cannot matter (a pending read; a pending
write of a value no completed read returned). Each pending operation the
search must consider multiplies its work, and a long-running system collects
many that timed out long ago.

Input conventions (tuples, so that students can write histories by hand):

=================  =========================  ================================
model              input                      output
=================  =========================  ================================
RegisterModel      ``("read", None)``         the value read
                   ``("write", v)``           ignored (e.g. ``None``)
CASRegisterModel   as above, plus             ``True`` if it swapped, else
                   ``("cas", (expected, new))``  ``False``
KVModel            ``("get", key)``           the value read
                   ``("put", key, value)``    ignored
=================  =========================  ================================
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from dsscale.consistency.history import UNKNOWN, Operation

__all__ = ["CASRegisterModel", "KVModel", "Model", "RegisterModel", "check_model"]


@runtime_checkable
class Model(Protocol):
    """What a checker needs from a sequential specification."""

    def init(self) -> Hashable:
        """Return the initial state."""
        ...

    def step(self, state: Any, input: Any, output: Any) -> tuple[bool, Any]:
        """Return whether ``output`` is legal from ``state``, and the next state."""
        ...


def check_model(model: Any, name: str = "model") -> Model:
    """Return ``model`` after checking it has callable ``init`` and ``step``."""
    for method in ("init", "step"):
        if not callable(getattr(model, method, None)):
            raise TypeError(
                f"{name} must have callable init() and step(state, input, "
                f"output) methods; {type(model).__name__} has no {method}()")
    for method in ("partition", "prune"):
        hook = getattr(model, method, None)
        if hook is not None and not callable(hook):
            raise TypeError(f"{name}.{method} must be callable or absent")
    return model  # type: ignore[no-any-return]


def _bad_input(input: Any, allowed: str) -> ValueError:
    return ValueError(f"input must be one of {allowed}, got {input!r}")


def _kind(input: Any) -> Any:
    return input[0] if isinstance(input, tuple) and input else None


def _argument(input: Any) -> Any:
    return input[1] if isinstance(input, tuple) and len(input) == 2 else None


def _register_step(state: Any, input: Any, output: Any,
                   allowed: str) -> tuple[bool, Any] | None:
    """Read and write, shared by the register models; None if not one of them."""
    if not (isinstance(input, tuple) and len(input) == 2):
        raise _bad_input(input, allowed)
    kind, argument = input
    if kind == "read":
        return (output is UNKNOWN or output == state), state
    if kind == "write":
        return True, argument
    return None


@dataclass(frozen=True)
class RegisterModel:
    """A single read/write register holding ``initial`` until first written.

    Inputs are ``("read", None)`` (output: the value read) and ``("write", v)``
    (output ignored). Values must be hashable.
    """

    initial: Hashable = None

    _ALLOWED = "('read', None), ('write', value)"

    def init(self) -> Hashable:
        """Return the initial value."""
        return self.initial

    def step(self, state: Any, input: Any, output: Any) -> tuple[bool, Any]:
        """Apply a read or a write to the register value ``state``."""
        result = _register_step(state, input, output, self._ALLOWED)
        if result is None:
            raise _bad_input(input, self._ALLOWED)
        return result

    def prune(self, operations: Sequence[Operation]) -> list[Operation]:
        """Drop pending reads, and pending writes of a value nobody read.

        Both are sound: a pending read imposes nothing, and a write whose value
        no completed read returned can be left out of any linearization that
        has it (no completed read sits between it and the next write).
        """
        seen = {op.output for op in operations
                if not op.pending and _kind(op.input) == "read"}
        return [op for op in operations if not op.pending or (
            _kind(op.input) == "write" and _argument(op.input) in seen)]

    def observed(self, readers: Sequence[Operation],
                 writers: Sequence[Operation]) -> bool:
        """Whether a completed read in ``readers`` returned a value written
        by an operation in ``writers`` (used by the shrinker to keep the
        writes that the remaining reads depend on)."""
        seen = {op.output for op in readers
                if not op.pending and _kind(op.input) == "read"}
        return any(_kind(op.input) == "write" and _argument(op.input) in seen
                   for op in writers)


@dataclass(frozen=True)
class CASRegisterModel:
    """A register with read, write and compare-and-set.

    ``("cas", (expected, new))`` sets the value to ``new`` iff it equals
    ``expected``, and returns whether it did (output ``True``/``False``). A
    pending CAS (output unknown) takes effect exactly when it would succeed.
    """

    initial: Hashable = None

    _ALLOWED = "('read', None), ('write', value), ('cas', (expected, new))"

    def init(self) -> Hashable:
        """Return the initial value."""
        return self.initial

    def step(self, state: Any, input: Any, output: Any) -> tuple[bool, Any]:
        """Apply a read, write or compare-and-set to the value ``state``."""
        result = _register_step(state, input, output, self._ALLOWED)
        if result is not None:
            return result
        kind, argument = input
        if kind != "cas" or not (isinstance(argument, tuple) and len(argument) == 2):
            raise _bad_input(input, self._ALLOWED)
        expected, new = argument
        swapped = state == expected
        if output is not UNKNOWN and output not in (True, False):
            raise ValueError(f"output of a cas must be True or False, got {output!r}")
        ok = output is UNKNOWN or bool(output) == swapped
        return ok, (new if swapped else state)

    def prune(self, operations: Sequence[Operation]) -> list[Operation]:
        """Drop pending reads (a pending write may enable a later cas)."""
        return [op for op in operations
                if not (op.pending and _kind(op.input) == "read")]


@dataclass(frozen=True)
class KVModel:
    """A key-value store: one independent register per key, all ``initial``.

    Inputs are ``("get", key)`` (output: the value) and ``("put", key, value)``
    (output ignored). :meth:`partition` splits a history by key, so each key
    is checked on its own (Herlihy and Wing's locality: a history is
    linearizable iff every key's sub-history is).
    """

    initial: Hashable = None

    _ALLOWED = "('get', key), ('put', key, value)"

    def init(self) -> Hashable:
        """Return the empty store, a frozenset of ``(key, value)`` pairs."""
        return frozenset()

    def _key(self, input: Any) -> Hashable:
        if not (isinstance(input, tuple) and (
                (len(input) == 2 and input[0] == "get")
                or (len(input) == 3 and input[0] == "put"))):
            raise _bad_input(input, self._ALLOWED)
        key = input[1]
        try:
            hash(key)
        except TypeError as exc:
            raise _bad_input(input, self._ALLOWED + " with a hashable key") from exc
        return key  # type: ignore[no-any-return]

    def step(self, state: Any, input: Any, output: Any) -> tuple[bool, Any]:
        """Apply a get or a put to the store ``state``."""
        key = self._key(input)
        store = dict(state)
        if input[0] == "get":
            current = store.get(key, self.initial)
            return (output is UNKNOWN or output == current), state
        store[key] = input[2]
        return True, frozenset(store.items())

    def prune(self, operations: Sequence[Operation]) -> list[Operation]:
        """Drop pending gets, and pending puts of a value no get returned."""
        seen = {(op.input[1], op.output) for op in operations
                if not op.pending and _kind(op.input) == "get"}
        return [op for op in operations if not op.pending or (
            _kind(op.input) == "put" and len(op.input) == 3
            and (op.input[1], op.input[2]) in seen)]

    def observed(self, readers: Sequence[Operation],
                 writers: Sequence[Operation]) -> bool:
        """Whether a completed get in ``readers`` returned a value put by an
        operation in ``writers`` on the same key."""
        seen = {(op.input[1], op.output) for op in readers
                if not op.pending and _kind(op.input) == "get"}
        return any(_kind(op.input) == "put" and len(op.input) == 3
                   and (op.input[1], op.input[2]) in seen for op in writers)

    def partition(self, operations: Sequence[Operation]) -> list[list[Operation]]:
        """Split ``operations`` into one sub-history per key, in key order seen."""
        by_key: dict[Hashable, list[Operation]] = {}
        for op in operations:
            by_key.setdefault(self._key(op.input), []).append(op)
        return list(by_key.values())
