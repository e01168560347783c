"""Fault campaigns for graded protocol exercises, split across the boundary.

A student's replica class can only run in the sandboxed child, so the child
runs the seeded campaign (:func:`run_histories`, inside a check's
:func:`~dsscale.grading.checks.procedure`) and returns nothing but the raw
histories. The judge then trusts none of it: :func:`judge_histories`
regenerates each seed's workload, requires every recorded operation to be
the planned one of its client, in order, and checks the histories itself
with :func:`dsscale.faults.properties.check_history` (linearizability and
lost acknowledged writes) and the final reads. An empty or invented history
therefore earns nothing: completion is counted against the plan.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dsscale.consistency import Operation
from dsscale.faults import run_seed
from dsscale.faults.properties import check_history
from dsscale.replication.client import workload_shape
from dsscale.replication.protocols import PROTOCOLS, Builder, ProtocolSpec


def run_histories(build: Builder, seeds: Iterable[int], workload: str,
                  num_replicas: int = 3) -> list[list[Operation]]:
    """Child side: one fault-campaign history (final reads included) per seed."""
    name = "graded-exercise"
    PROTOCOLS[name] = ProtocolSpec(name, True, "graded", build)
    try:
        return [run_seed(name, seed, workload=workload,
                         num_replicas=num_replicas).history for seed in seeds]
    finally:
        del PROTOCOLS[name]


@dataclass
class CampaignVerdict:
    """What the judge found in a campaign's histories."""

    failures: list[tuple[int, str, str]] = field(default_factory=list)
    completed: int = 0
    planned: int = 0

    def first(self) -> str:
        seed, kind, detail = self.failures[0]
        return f"seed {seed}: {kind}: {detail}"


def _is_operation(op: Any) -> bool:
    return (isinstance(op, Operation) and isinstance(op.client_id, str)
            and isinstance(op.input, tuple) and isinstance(op.call, float | int)
            and isinstance(op.return_time, float | int)
            and op.call <= op.return_time)


def _against_plan(ops: Sequence[Operation], plans: dict[str, list[Any]]) -> str:
    """'' if the operations are the planned ones, in order; else what is off."""
    seen: dict[str, int] = {}
    for op in ops:
        client = str(op.client_id).split("'")[0]
        if client not in plans:
            return f"an operation by {op.client_id!r}, who is not a client"
        k = seen.get(client, 0)
        if k >= len(plans[client]) or plans[client][k][1] != op.input:
            return (f"{op.client_id}'s operation {k} is {op.input!r}, not the "
                    "planned one")
        seen[client] = k + 1
    return ""


def judge_histories(histories: Any, seeds: Sequence[int], workload: str
                    ) -> CampaignVerdict:
    """Judge side: check each seed's history against its plan and properties."""
    shape = workload_shape(workload)
    verdict = CampaignVerdict()
    if not isinstance(histories, list) or len(histories) != len(seeds):
        verdict.failures.append((-1, "malformed", "not one history per seed"))
        return verdict
    for seed, history in zip(seeds, histories, strict=True):
        plans = shape.generate(random.Random(f"{seed}/workload-and-faults"))
        verdict.planned += sum(len(p) for p in plans.values())
        if not isinstance(history, list) or not all(_is_operation(op)
                                                     for op in history):
            verdict.failures.append((seed, "malformed", "not a list of operations"))
            continue
        finals = [op for op in history if str(op.client_id).startswith("final")]
        ops = [op for op in history if not str(op.client_id).startswith("final")]
        verdict.completed += sum(op.return_time < math.inf for op in ops)
        off = _against_plan(ops, plans)
        if off:
            verdict.failures.append((seed, "not-the-plan", off))
            continue
        done = [op for op in finals if op.return_time < math.inf
                and op.input[0] == "get"]
        if sorted(op.input[1] for op in done) != sorted(shape.keys):
            verdict.failures.append((seed, "final-read-unavailable",
                                     "no final read of every key succeeded"))
            continue
        violations, _ = check_history(ops, done)
        if violations:
            verdict.failures.append((seed, violations[0].kind, violations[0].detail))
    return verdict
