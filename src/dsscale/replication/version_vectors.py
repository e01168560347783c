"""Version vectors and sibling reconciliation, as in Dynamo §4.4.

A version vector maps each node that coordinated a write of an object to how
many writes it coordinated. Vector ``a`` *descends* from ``b`` if every counter
of ``a`` is at least ``b``'s: then ``a``'s version already includes ``b``'s and
``b`` can be forgotten. If neither descends from the other, the versions are
*concurrent* (siblings): both are kept and handed to the client to reconcile,
and the reconciled write's vector is the merge of theirs, incremented by its
coordinator.

.. math:: a \\succeq b \\iff \\forall n:\\ a[n] \\ge b[n], \\qquad
          (a \\sqcup b)[n] = \\max(a[n], b[n])

References: D. S. Parker et al., "Detection of mutual inconsistency in
distributed systems", IEEE TSE 9(3), 1983; G. DeCandia et al., "Dynamo:
Amazon's highly available key-value store", SOSP 2007, §4.4.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_int

__all__ = ["Ordering", "VersionVector", "Versioned", "reconcile", "write_version"]


class Ordering(enum.Enum):
    """How two versions relate."""

    BEFORE = "before"
    AFTER = "after"
    EQUAL = "equal"
    CONCURRENT = "concurrent"


@dataclass(frozen=True)
class VersionVector:
    """An immutable version vector; nodes absent from it count as 0.

    Examples
    --------
    >>> d2 = VersionVector().increment("Sx").increment("Sx")
    >>> d3, d4 = d2.increment("Sy"), d2.increment("Sz")
    >>> d3.compare(d4)
    <Ordering.CONCURRENT: 'concurrent'>
    >>> str(d3.merge(d4).increment("Sx"))
    '[(Sx,3),(Sy,1),(Sz,1)]'
    """

    counters: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> VersionVector:
        """Build from ``{node: counter}``; zero counters are dropped."""
        for node, count in counts.items():
            check_int(f"counts[{node!r}]", count, 0)
        return cls(tuple(sorted((n, int(c)) for n, c in counts.items() if c)))

    def as_dict(self) -> dict[str, int]:
        return dict(self.counters)

    def __getitem__(self, node: str) -> int:
        return self.as_dict().get(node, 0)

    def increment(self, node: str) -> VersionVector:
        """The vector after ``node`` coordinates one more write."""
        if not isinstance(node, str):
            raise TypeError(f"node must be a str, got {type(node).__name__}")
        counts = self.as_dict()
        counts[node] = counts.get(node, 0) + 1
        return VersionVector.of(counts)

    def merge(self, other: VersionVector) -> VersionVector:
        """Pointwise maximum: the least vector descending from both."""
        counts = self.as_dict()
        for node, count in other.counters:
            counts[node] = max(counts.get(node, 0), count)
        return VersionVector.of(counts)

    def descends(self, other: VersionVector) -> bool:
        """True if this version includes ``other`` (every counter >=)."""
        mine = self.as_dict()
        return all(mine.get(node, 0) >= count for node, count in other.counters)

    def compare(self, other: VersionVector) -> Ordering:
        """``BEFORE`` if ``other`` strictly descends from this, and so on."""
        ge, le = self.descends(other), other.descends(self)
        if ge and le:
            return Ordering.EQUAL
        if ge:
            return Ordering.AFTER
        if le:
            return Ordering.BEFORE
        return Ordering.CONCURRENT

    def __str__(self) -> str:
        return "[" + ",".join(f"({n},{c})" for n, c in self.counters) + "]"


@dataclass(frozen=True)
class Versioned:
    """A value together with its version vector."""

    value: Any
    vector: VersionVector


def reconcile(siblings: Iterable[Versioned]) -> list[Versioned]:
    """Drop every version that another one descends from (syntactic reconciliation).

    What remains are mutually concurrent versions, in their first-seen order;
    of several with an equal vector the first is kept.
    """
    items = list(siblings)
    for item in items:
        if not isinstance(item, Versioned):
            raise TypeError(f"siblings must hold Versioned, got {type(item).__name__}")
    kept: list[Versioned] = []
    for i, item in enumerate(items):
        dominated = any(
            other.vector.compare(item.vector) is Ordering.AFTER
            or (other.vector == item.vector and j < i)
            for j, other in enumerate(items) if j != i)
        if not dominated:
            kept.append(item)
    return kept


def write_version(context: Iterable[VersionVector], node: str) -> VersionVector:
    """Vector of a write by coordinator ``node`` after reading ``context``.

    The client passes back the vectors of every sibling it read; the new
    version descends from all of them (semantic reconciliation by the client).
    """
    merged = VersionVector()
    for vector in context:
        merged = merged.merge(vector)
    return merged.increment(node)
