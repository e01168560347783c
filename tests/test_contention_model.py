"""The engineered-cost model (dsscale.parallel.contention_plan), without Ray."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.laws import usl_throughput
from dsscale.parallel.contention_plan import EngineeredCosts, RoundPlan, plan_rounds
from dsscale.usl_intervals import fit_usl_intervals


def test_expected_round_is_the_usl():
    costs = EngineeredCosts(0.2, sigma=0.1, kappa=0.03)
    for n in range(1, 12):
        assert costs.expected_round_seconds(n) == pytest.approx(
            0.2 * (1 + 0.1 * (n - 1) + 0.03 * n * (n - 1)))
        assert costs.throughput(n) == pytest.approx(usl_throughput(n, 5.0, 0.1, 0.03))
    assert costs.expected_round_seconds(1) == pytest.approx(0.2)   # T at n = 1


def test_fixed_plan_adds_up_to_the_expected_round():
    costs = EngineeredCosts(0.1, sigma=0.2, kappa=0.05)
    plan = costs.plan(4, rng=0)
    assert plan.hold_seconds == pytest.approx((0.02,) * 4)
    assert all(plan.message_seconds[i][i] == 0 for i in range(4))
    assert sum(m > 0 for row in plan.message_seconds for m in row) == 12    # n(n-1)
    assert plan.scheduled_seconds == pytest.approx(costs.expected_round_seconds(4))


def test_variable_plans_keep_their_means_and_spread():
    costs = EngineeredCosts(0.1, sigma=0.1, kappa=0.03, variability=0.3)
    plans = [costs.plan(6, rng=s) for s in range(400)]
    holds = np.array([p.hold_seconds for p in plans]).ravel()
    msgs = np.array([m for p in plans for row in p.message_seconds for m in row if m])
    assert holds.mean() == pytest.approx(0.01, rel=0.03)
    assert msgs.mean() == pytest.approx(0.003, rel=0.02)
    assert msgs.std() / msgs.mean() == pytest.approx(0.3, rel=0.05)
    rounds = np.array([p.scheduled_seconds for p in plans])
    assert rounds.mean() == pytest.approx(costs.expected_round_seconds(6), rel=0.01)


def test_plan_rounds_is_interleaved_and_seeded():
    costs = EngineeredCosts(0.1, sigma=0.1, kappa=0.03, variability=0.2)
    a = plan_rounds(costs, (1, 3, 2), repeats=2, rng=5)
    assert [p.n for p in a] == [1, 3, 2, 1, 3, 2]
    assert a == plan_rounds(costs, (1, 3, 2), repeats=2, rng=5)
    assert a != plan_rounds(costs, (1, 3, 2), repeats=2, rng=6)


def test_fitting_planned_rounds_recovers_the_engineered_values():
    # The whole pipeline without Ray: over many seeds the Wald intervals cover
    # sigma and kappa at roughly their nominal rate.
    costs = EngineeredCosts(0.1, sigma=0.1, kappa=0.03, variability=0.2)
    hits, seeds = np.zeros(2), 120
    for seed in range(seeds):
        plans = plan_rounds(costs, range(1, 9), repeats=4, rng=seed)
        n = [p.n for p in plans]
        x = [p.n / p.scheduled_seconds for p in plans]
        ci = fit_usl_intervals(n, x)
        hits += [ci.sigma.covers(0.1), ci.kappa.covers(0.03)]
    assert np.all(hits / seeds > 0.85), hits / seeds


def test_bad_costs_name_the_parameter():
    with pytest.raises(ValueError, match="sigma"):
        EngineeredCosts(0.1, sigma=1.0, kappa=0.0)
    with pytest.raises(ValueError, match="kappa"):
        EngineeredCosts(0.1, sigma=0.1, kappa=-0.01)
    with pytest.raises(ValueError, match="unit_seconds"):
        EngineeredCosts(-1.0, sigma=0.1, kappa=0.0)
    with pytest.raises(ValueError, match="variability"):
        EngineeredCosts(0.1, sigma=0.1, kappa=0.0, variability=-1)
    with pytest.raises(ValueError, match="unit_seconds"):
        EngineeredCosts(0.0, sigma=0.1, kappa=0.0).throughput(2)
    costs = EngineeredCosts(0.1, sigma=0.1, kappa=0.0)
    with pytest.raises(ValueError, match="worker_counts"):
        plan_rounds(costs, (0, 1), repeats=1, rng=0)
    with pytest.raises(ValueError, match="repeats"):
        plan_rounds(costs, (1,), repeats=0, rng=0)
    with pytest.raises(TypeError, match="costs"):
        plan_rounds("costs", (1,), repeats=1, rng=0)  # type: ignore[arg-type]
    assert isinstance(costs.plan(1, rng=0), RoundPlan)
