r"""The last-writer-wins register.

Each write carries a timestamp and the id of the replica that made it; merge
keeps the write with the larger ``(timestamp, replica)`` pair. The pair is a
total order, so merge is a maximum and hence commutative, associative and
idempotent. The replica id is the *tie rule*: without it, two writes with the
same timestamp would be resolved by who merges whom, and replicas could
disagree forever. (If one replica reuses a timestamp, ``repr`` of the values
decides, so that even then every replica picks the same.) Concurrent writes
are not merged but one is silently dropped: the price of a register
(Shapiro et al., INRIA RR-7506, 2011, §3.2.1).

.. math:: x \sqcup y = \arg\max_{\{x, y\}} (t, r)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float

__all__ = ["LWWRegister"]


@dataclass(frozen=True)
class LWWRegister:
    """A register holding ``value``, written at ``timestamp`` by ``replica``."""

    value: Any = None
    timestamp: float = float("-inf")
    replica: str = ""

    def _key(self) -> tuple[float, str, str]:
        return (self.timestamp, self.replica, repr(self.value))

    def assign(self, value: Any, timestamp: float, replica: str) -> LWWRegister:
        """A local write; returns it merged with the current state."""
        stamp = check_float("timestamp", timestamp)
        if not isinstance(replica, str) or not replica:
            raise TypeError(f"replica must be a non-empty str, got {replica!r}")
        return self.merge(LWWRegister(value, stamp, replica))

    def merge(self, other: LWWRegister) -> LWWRegister:
        return other if other._key() > self._key() else self

    def __le__(self, other: LWWRegister) -> bool:
        return self._key() <= other._key()
