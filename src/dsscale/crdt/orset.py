r"""The observed-remove set (OR-set, add-wins).

Every ``add`` creates a unique *tag* ``(replica, seq)``; ``remove(e)`` tombstones
the tags of ``e`` that this replica has *observed*. An element is present iff
one of its tags is not tombstoned. Both the tagged adds and the tombstones only
grow and merge by union, so merge is a least upper bound. An add that a remove
has not seen (a concurrent add) survives the merge: add wins (Shapiro et al.,
INRIA RR-7506, 2011, §3.3.5).

.. math::

    (A, R) \sqcup (A', R') = (A \cup A',\; R \cup R'), \qquad
    \mathrm{value} = \{e \mid \exists (e, t) \in A,\ t \notin R\}

Removing by *value* instead (remembering "e was removed") is a plausible
mistake: it is still a semilattice, but an element added again after a
remove never comes back.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

__all__ = ["ORSet"]

Tag = tuple[str, int]


@dataclass(frozen=True)
class ORSet:
    """Tagged adds ``(element, replica, seq)`` and removed tags ``(replica, seq)``."""

    adds: frozenset[tuple[Hashable, str, int]] = frozenset()
    removed: frozenset[Tag] = frozenset()

    def add(self, element: Hashable, replica: str) -> ORSet:
        """``replica`` adds ``element`` under a fresh tag."""
        if not isinstance(replica, str) or not replica:
            raise TypeError(f"replica must be a non-empty str, got {replica!r}")
        hash(element)  # raises TypeError for an unhashable element
        seq = 1 + max((s for _, r, s in self.adds if r == replica), default=0)
        return ORSet(self.adds | {(element, replica, seq)}, self.removed)

    def remove(self, element: Hashable) -> ORSet:
        """Tombstone every tag of ``element`` observed here (a no-op if absent)."""
        seen = {(r, s) for e, r, s in self.adds if e == element}
        return ORSet(self.adds, self.removed | seen)

    def merge(self, other: ORSet) -> ORSet:
        return ORSet(self.adds | other.adds, self.removed | other.removed)

    @property
    def value(self) -> frozenset[Hashable]:
        return frozenset(e for e, r, s in self.adds if (r, s) not in self.removed)

    def __contains__(self, element: object) -> bool:
        return element in self.value

    def __le__(self, other: ORSet) -> bool:
        return self.adds <= other.adds and self.removed <= other.removed
