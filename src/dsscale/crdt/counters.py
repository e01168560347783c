r"""State-based counters: the grow-only G-counter and the PN-counter.

A G-counter keeps one non-negative count per replica; a replica increments only
its own entry, the value is the sum, and two states merge by the entry-wise
maximum. States are ordered entry-wise, and the maximum is their least upper
bound, so merge is commutative, associative and idempotent: replicas that have
seen the same increments, in any order and any number of times, agree
(Shapiro, Preguiça, Baquero, Zawirski, SSS 2011, and INRIA RR-7506, 2011).

.. math::

    \mathrm{value}(x) = \sum_r x_r, \qquad
    (x \sqcup y)_r = \max(x_r, y_r)

A PN-counter is two G-counters, one for increments and one for decrements;
its value is the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dsscale._validate import check_int

__all__ = ["GCounter", "PNCounter"]


def _check_replica(replica: str) -> str:
    if not isinstance(replica, str) or not replica:
        raise TypeError(f"replica must be a non-empty str, got {replica!r}")
    return replica


@dataclass(frozen=True)
class GCounter:
    """A grow-only counter; ``counts`` is sorted by replica, zeros omitted."""

    counts: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        replicas = [r for r, _ in self.counts]
        if replicas != sorted(set(replicas)) or any(c <= 0 for _, c in self.counts):
            raise ValueError("counts must be sorted by replica, each replica once, "
                             f"with positive counts, got {self.counts!r}")

    @classmethod
    def of(cls, counts: dict[str, int]) -> GCounter:
        """The counter with these per-replica counts."""
        return cls(tuple(sorted((_check_replica(r), check_int(f"counts[{r!r}]", c, 0))
                                for r, c in counts.items() if c)))

    def increment(self, replica: str, amount: int = 1) -> GCounter:
        """``replica`` adds ``amount`` (>= 0) to its own entry."""
        step = check_int("amount", amount, 0)
        counts = dict(self.counts)
        counts[_check_replica(replica)] = counts.get(replica, 0) + step
        return GCounter.of(counts)

    def merge(self, other: GCounter) -> GCounter:
        """Entry-wise maximum: the least upper bound of the two states."""
        counts = dict(self.counts)
        for replica, count in other.counts:
            counts[replica] = max(counts.get(replica, 0), count)
        return GCounter.of(counts)

    @property
    def value(self) -> int:
        return sum(c for _, c in self.counts)

    def __le__(self, other: GCounter) -> bool:
        theirs = dict(other.counts)
        return all(c <= theirs.get(r, 0) for r, c in self.counts)


@dataclass(frozen=True)
class PNCounter:
    """A counter that can go down: increments in ``p``, decrements in ``n``."""

    p: GCounter = field(default_factory=GCounter)
    n: GCounter = field(default_factory=GCounter)

    def increment(self, replica: str, amount: int = 1) -> PNCounter:
        """``replica`` adds ``amount``, which may be negative."""
        step = check_int("amount", amount)
        if step >= 0:
            return PNCounter(self.p.increment(replica, step), self.n)
        return PNCounter(self.p, self.n.increment(replica, -step))

    def merge(self, other: PNCounter) -> PNCounter:
        return PNCounter(self.p.merge(other.p), self.n.merge(other.n))

    @property
    def value(self) -> int:
        return self.p.value - self.n.value

    def __le__(self, other: PNCounter) -> bool:
        return self.p <= other.p and self.n <= other.n
