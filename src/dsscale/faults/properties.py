"""What a fault campaign checks in every seed's history.

Two properties, whatever the protocol promises (for the unsafe configurations
the campaign's job is to *find* the violation):

**No acknowledged write is lost.** An acknowledged write is lost when the
final read of its key is stale with respect to it
(:func:`~dsscale.consistency.lost_writes`: every write of the final value
returned before the lost write was called). With unique values each value
names its write and the rule is exact; with repeated values it is sound but
weaker, and the linearizability check is the complete test. A write that never
returned may legitimately land anywhere.

**Linearizability.** The whole history, final reads included, is checked with
:func:`~dsscale.consistency.check_linearizable` against
:class:`~dsscale.consistency.KVModel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dsscale.consistency import (
    CheckResult,
    KVModel,
    Operation,
    check_linearizable,
    lost_writes,
)

__all__ = ["Violation", "check_history"]


@dataclass(frozen=True)
class Violation:
    """One broken property in one seed."""

    kind: str  # lost-write | not-linearizable | final-read-unavailable
    detail: str


def check_history(history: Sequence[Operation], finals: Sequence[Operation]
                  ) -> tuple[list[Violation], CheckResult]:
    """The violations of ``history`` with its ``finals`` (one read per key), and
    the checker's result on the whole history."""
    violations = [Violation("lost-write", text)
                  for text in lost_writes(history, finals)]
    full = list(history) + list(finals)
    check = check_linearizable(full, KVModel(), shrink=False)
    if not check:
        violations.append(Violation("not-linearizable",
                                    f"{len(full)} operations: {check.status}"))
    return violations, check
