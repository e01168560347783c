"""Seeded random histories, linearizable by construction or with a stale read.

Each client issues operations one after another; each operation gets a random
interval ``[call, return]`` and a linearization point drawn uniformly inside
it. Applying the operations to an atomic store in the order of those points
gives the outputs, so the history is linearizable by construction (the points
are the witness). Every write writes a fresh value, so a read that returns an
overwritten value -- a *stale read*, the typical bug of a replicated store that
reads from a lagging replica -- is detectable; ``linearizable=False`` plants
exactly one.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.consistency.history import Operation, as_history

__all__ = ["random_kv_history", "random_register_history", "register_as_key"]


@dataclass
class _Op:
    client: int
    key: int
    is_read: bool
    value: int
    call: float
    ret: float
    point: float
    pending: bool
    output: int | None = None


def _simulate(num_clients: int, num_ops: int, num_keys: int,
              rng: np.random.Generator, read_fraction: float,
              pending_fraction: float) -> list[_Op]:
    """Draw the intervals and replay them on an atomic store (value 0 first)."""
    clients = rng.integers(0, num_clients, size=num_ops)
    free_at = rng.exponential(1.0, size=num_clients)
    records: list[_Op] = []
    for i, client in enumerate(clients):
        call = free_at[client] + rng.exponential(0.5)
        ret = call + rng.exponential(1.0)
        free_at[client] = ret
        pending = bool(rng.random() < pending_fraction)
        is_read = bool(rng.random() < read_fraction)
        point = call + rng.random() * (ret - call)
        if pending and not is_read and rng.random() < 0.5:
            point = math.inf  # the timed-out write never took effect
        records.append(_Op(int(client), int(rng.integers(num_keys)), is_read,
                           i + 1, float(call), float(ret), float(point), pending))
    store: dict[int, int] = {}
    for op in sorted(records, key=lambda op: op.point):
        if math.isinf(op.point):
            break
        if op.is_read:
            op.output = store.get(op.key, 0)
        else:
            store[op.key] = op.value
    return records


def _inject_stale_read(records: list[_Op], rng: np.random.Generator) -> None:
    """Make one completed read return a value overwritten before it began.

    The read ``r`` gets the value of a write ``w_old`` (or the initial 0) such
    that some completed write ``w_new`` of another value to the same key has
    ``w_old`` before it and itself returned before ``r`` was called. Values
    are unique, so every linearization orders ``w_old < w_new < r`` and ``r``
    cannot see ``w_old``'s value.
    """
    writes = [op for op in records if not op.is_read and not op.pending]
    reads = [op for op in records if op.is_read and not op.pending]
    for index in rng.permutation(len(reads)):
        read = reads[int(index)]
        newer = [w for w in writes if w.key == read.key and w.ret < read.call]
        if not newer:
            continue
        latest_call = max(w.call for w in newer)
        stale = {0} | {old.value for old in writes
                       if old.key == read.key and old.ret < latest_call}
        if stale:
            read.output = max(stale)  # the most recent stale value
            return
    raise ValueError("num_ops is too small to plant a stale read: no read "
                     "follows a completed write; use more operations")


def _build(num_clients: int, num_ops: int, num_keys: int, rng: RNGLike,
           linearizable: bool, read_fraction: float, pending_fraction: float
           ) -> list[_Op]:
    check_int("num_clients", num_clients, 1)
    check_int("num_ops", num_ops, 0)
    check_int("num_keys", num_keys, 1)
    check_float("read_fraction", read_fraction, 0, 1)
    check_float("pending_fraction", pending_fraction, 0, 1)
    gen = as_rng(rng)
    records = _simulate(num_clients, num_ops, num_keys, gen, read_fraction,
                        pending_fraction)
    if not linearizable:
        _inject_stale_read(records, gen)
    return sorted(records, key=lambda op: op.call)


def _operation(op: _Op, input: tuple[Hashable, ...]) -> Operation:
    output = None if op.pending or not op.is_read else op.output
    return Operation(op.client, input, op.call, output,
                     math.inf if op.pending else op.ret)


def random_register_history(num_clients: int, num_ops: int, rng: RNGLike, *,
                            linearizable: bool = True,
                            read_fraction: float = 0.5,
                            pending_fraction: float = 0.0) -> list[Operation]:
    """A random history of one register (``RegisterModel(initial=0)``).

    Parameters
    ----------
    num_clients : int
        Clients issuing operations one at a time; this bounds how many
        operations overlap, which is what the checker's cost depends on.
    num_ops : int
        Number of operations; write ``i`` writes the value ``i + 1``.
    rng : numpy Generator, int seed or None
        Source of randomness.
    linearizable : bool
        If False, one read is made to return an overwritten value.
    read_fraction : float
        Probability that an operation is a read.
    pending_fraction : float
        Probability that an operation times out (``return_time = inf``); a
        timed-out write takes effect with probability 1/2.

    Returns
    -------
    list of Operation
        Sorted by call time, inputs ``("read", None)`` / ``("write", v)``.
    """
    records = _build(num_clients, num_ops, 1, rng, linearizable, read_fraction,
                     pending_fraction)
    return [_operation(op, ("read", None) if op.is_read else ("write", op.value))
            for op in records]


def random_kv_history(num_keys: int, num_clients: int, num_ops: int,
                      rng: RNGLike, *, linearizable: bool = True,
                      read_fraction: float = 0.5,
                      pending_fraction: float = 0.0) -> list[Operation]:
    """A random history of a key-value store (``KVModel(initial=0)``).

    Keys are ``0..num_keys-1``, drawn uniformly per operation; the other
    parameters are those of :func:`random_register_history`. Inputs are
    ``("get", key)`` / ``("put", key, value)``.
    """
    records = _build(num_clients, num_ops, num_keys, rng, linearizable,
                     read_fraction, pending_fraction)
    return [_operation(op, ("get", op.key) if op.is_read
                       else ("put", op.key, op.value)) for op in records]


def register_as_key(history: Sequence[Operation], key: Hashable) -> list[Operation]:
    """A register history rewritten as the operations of one key of a KV store.

    ``("read", None)`` becomes ``("get", key)`` and ``("write", v)`` becomes
    ``("put", key, v)``; client ids become ``(key, client_id)`` so that the
    clients of different keys stay distinct. Concatenating such histories for
    different keys builds a KV history whose keys differ in shape (one with
    many concurrent clients, one with a planted stale read, ...), which is
    how the checker's benchmark tests that one hard key cannot hide an easy
    violation on another.

    >>> ops = [Operation(0, ("write", 1), 0.0, None, 1.0)]
    >>> register_as_key(ops, "x")[0].input
    ('put', 'x', 1)
    """
    out = []
    for op in as_history(history, "history"):
        kind = op.input[0] if isinstance(op.input, tuple) and op.input else None
        if kind == "read":
            new_input: tuple[Hashable, ...] = ("get", key)
        elif kind == "write" and len(op.input) == 2:
            new_input = ("put", key, op.input[1])
        else:
            raise ValueError(f"history must hold register operations ('read', None) "
                             f"or ('write', value), got {op.input!r}")
        out.append(Operation((key, op.client_id), new_input, op.call, op.output,
                             op.return_time))
    return out
