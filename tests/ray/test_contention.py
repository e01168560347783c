"""The engineered-contention program on Ray: structure, without any waits."""

from __future__ import annotations

import pytest

from dsscale.parallel.contention import EngineeredCosts, plan_rounds, run_contention

pytestmark = pytest.mark.ray


def test_rounds_follow_the_plan_and_check_themselves(ray_runtime: object) -> None:
    # unit_seconds = 0: no waits, only the program's structure is exercised
    costs = EngineeredCosts(0.0, sigma=0.1, kappa=0.03)
    result = run_contention(costs, (1, 2, 4), repeats=2, rng=3)
    assert [r.n for r in result.rounds] == [1, 2, 4, 1, 2, 4]
    assert [r.plan for r in result.rounds] == plan_rounds(costs, (1, 2, 4), 2, rng=3)
    for r in result.rounds:
        assert len(r.parallel_seconds) == r.n
        assert len(r.hold_seconds) == r.n                 # every worker held the lock
        assert len(r.message_seconds) == r.n * (r.n - 1)  # all-to-all
        # the waits are serialised inside the round's phases, never longer
        assert r.wall_seconds >= r.schedule_seconds
    assert (result.overhead_share >= 0).all()
    assert result.workers.tolist() == [1, 2, 4, 1, 2, 4]


def test_bad_worker_counts_raise_before_ray_work(ray_runtime: object) -> None:
    with pytest.raises(ValueError, match="worker_counts"):
        run_contention(EngineeredCosts(0.0, 0.1, 0.0), (0,), repeats=1, rng=0)
