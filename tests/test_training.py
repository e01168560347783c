"""Scaling ML training: ring all-reduce cost and its USL form, the pipeline bubble
and the optimum checkpoint interval, against closed forms and seeded simulations."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from dsscale.laws import fit_usl, usl_throughput
from dsscale.parallel.allreduce import ring_allreduce_serial, ring_schedule
from dsscale.training import (
    allreduce_usl_coefficients,
    daly_interval,
    data_parallel_step_seconds,
    expected_waste,
    optimal_checkpoint_interval,
    pipeline_bubble_fraction,
    ring_allreduce_seconds,
    simulate_checkpointing,
    simulate_pipeline,
    young_interval,
)

# ---- the ring all-reduce -----------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("length", [1, 5, 12, 100])
def test_serial_ring_sums_every_gradient(n, length):
    rng = np.random.default_rng(n * 100 + length)
    grads = [rng.integers(-50, 50, length).astype(float) for _ in range(n)]
    results = ring_allreduce_serial(grads)
    assert len(results) == n
    for result in results:
        assert np.array_equal(result, np.sum(grads, axis=0))   # integers: exact


def test_serial_ring_results_are_identical_floats():
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(1001) for _ in range(5)]
    results = ring_allreduce_serial(grads)
    assert all(np.array_equal(results[0], r) for r in results[1:])
    assert np.allclose(results[0], np.sum(grads, axis=0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4, 6, 9])
def test_schedule_sends_each_worker_2_n_minus_1_chunks(n):
    schedule = ring_schedule(n)
    assert len(schedule) == 2 * (n - 1)
    for step in schedule:
        # a permutation: every chunk is sent by exactly one worker per step
        assert sorted(out for out, _ in step) == list(range(n))
        # worker r receives what worker r - 1 sends
        for r, (_, into) in enumerate(step):
            assert into == step[(r - 1) % n][0]
    # after reduce-scatter, worker r owns the full sum of chunk (r + 1) mod n:
    # count the contributions each worker has added into each chunk
    holds = [[{r} for _ in range(n)] for r in range(n)]
    for step in schedule[: n - 1]:
        snapshot = [[set(c) for c in w] for w in holds]
        for r, (_, into) in enumerate(step):
            holds[r][into] |= snapshot[(r - 1) % n][into]
    for r in range(n):
        assert holds[r][(r + 1) % n] == set(range(n))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 16])
def test_cost_formula_counts_the_schedule(n):
    # price every step of the schedule: one message of the largest chunk per
    # link, all links in parallel; the sum is the closed form when n divides M
    message_bytes, bandwidth, latency = 8 * 4800, 1e6, 2e-3
    chunk = message_bytes / n
    priced = sum(latency + chunk / bandwidth for _ in ring_schedule(n))
    assert priced == pytest.approx(
        ring_allreduce_seconds(n, message_bytes, bandwidth, latency), rel=1e-12)
    # and each worker sends 2 (n - 1) / n of the message in total
    sent = len(ring_schedule(n)) * chunk
    assert sent == pytest.approx(2 * (n - 1) / n * message_bytes)


def test_allreduce_cost_by_hand():
    # 4 workers, 1 GB at 10 GB/s, 10 us: 6 steps of (10 us + 25 ms)
    assert ring_allreduce_seconds(4, 1e9, 1e10, 1e-5) == pytest.approx(6 * 0.02501)
    assert ring_allreduce_seconds(1, 1e9, 1e10, 1e-5) == 0.0
    # bandwidth term tends to 2 M / B: the ring is bandwidth-optimal
    many = ring_allreduce_seconds(10_000, 1e9, 1e10, 0.0)
    assert many == pytest.approx(0.2, rel=1e-3)


@given(st.floats(0.01, 10.0), st.floats(1e3, 1e10), st.floats(1e6, 1e11),
       st.floats(0.0, 1e-2))
def test_step_time_is_exactly_the_usl(compute, message, bandwidth, latency):
    n = np.arange(1, 65)
    step = data_parallel_step_seconds(n, compute, message, bandwidth, latency)
    sigma, kappa = allreduce_usl_coefficients(compute, message, bandwidth, latency)
    assert 1 / step == pytest.approx(usl_throughput(n, 1 / compute, sigma, kappa),
                                     rel=1e-9)


def test_fit_usl_recovers_the_mapping():
    compute, message, bandwidth, latency = 0.5, 4e8, 1e10, 2e-3
    n = np.array([1, 2, 4, 8, 16, 32, 64])
    throughput = 1 / data_parallel_step_seconds(n, compute, message, bandwidth, latency)
    fit = fit_usl(n, throughput)
    sigma, kappa = allreduce_usl_coefficients(compute, message, bandwidth, latency)
    assert (fit.sigma, fit.kappa) == pytest.approx((sigma, kappa), rel=1e-4)
    assert fit.lambda_ == pytest.approx(1 / compute, rel=1e-6)


def test_training_arguments_are_checked():
    with pytest.raises(ValueError, match="num_workers"):
        ring_allreduce_seconds(0, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="bandwidth"):
        ring_allreduce_seconds(2, 1.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="compute_seconds"):
        allreduce_usl_coefficients(0.0, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="gradients"):
        ring_allreduce_serial([np.zeros(3), np.zeros(4)])


# ---- the pipeline bubble ------------------------------------------------------------


@pytest.mark.parametrize("stages", [1, 2, 4, 8])
@pytest.mark.parametrize("microbatches", [1, 2, 4, 16, 32])
def test_deterministic_pipeline_has_the_formula_bubble(stages, microbatches):
    for backward in (0.0, 2.0):
        run = simulate_pipeline(stages, microbatches, 1.0, backward)
        passes = 1.0 + backward
        assert run.makespan == pytest.approx((microbatches + stages - 1) * passes)
        assert run.bubble_fraction == pytest.approx(
            pipeline_bubble_fraction(stages, microbatches), abs=1e-12)


def test_wrong_bubble_formulas_disagree_with_the_schedule():
    run = simulate_pipeline(4, 8, 1.0, 2.0)
    for wrong in (3 / 8, 3 / 12, 4 / 11):  # (p-1)/m, (p-1)/(m+p), p/(m+p-1)
        assert abs(run.bubble_fraction - wrong) > 0.01


def test_variable_stage_times_widen_the_bubble():
    # the schedule is a max-plus system: E[makespan] >= makespan of the means
    stages, micro, runs = 4, 8, 300
    rng = np.random.default_rng(5)
    bubbles = np.array([simulate_pipeline(stages, micro, 1.0, 2.0, variability=0.5,
                                          rng=rng).bubble_fraction
                        for _ in range(runs)])
    formula = pipeline_bubble_fraction(stages, micro)
    se = bubbles.std(ddof=1) / math.sqrt(runs)
    assert bubbles.mean() > formula + 4 * se


def test_pipeline_arguments_are_checked():
    with pytest.raises(ValueError, match="num_stages"):
        simulate_pipeline(0, 4, 1.0, 1.0)
    with pytest.raises(ValueError, match="forward_seconds"):
        simulate_pipeline(2, 4, 0.0, 1.0)
    with pytest.raises(ValueError, match="num_microbatches"):
        pipeline_bubble_fraction(2, 0)


# ---- checkpoint intervals -----------------------------------------------------------


@pytest.mark.parametrize("ratio", [1e-4, 1e-3, 1e-2, 0.05])
def test_young_minimises_the_first_order_waste(ratio):
    delta, mtbf = ratio * 3600.0, 3600.0
    best = minimize_scalar(lambda tau: delta / tau + tau / (2 * mtbf),
                           bounds=(1e-6, mtbf), method="bounded",
                           options={"xatol": 1e-9 * mtbf})
    assert young_interval(delta, mtbf) == pytest.approx(best.x, rel=1e-5)


@pytest.mark.parametrize("ratio", [1e-4, 1e-3, 1e-2, 0.1, 0.5, 1.5])
def test_lambert_w_optimum_minimises_the_exact_waste(ratio):
    delta, mtbf = ratio * 1000.0, 1000.0
    best = minimize_scalar(lambda tau: expected_waste(tau, delta, mtbf, 30.0),
                           bounds=(1e-6, 5 * mtbf), method="bounded",
                           options={"xatol": 1e-10 * mtbf})
    tau = optimal_checkpoint_interval(delta, mtbf)
    assert tau == pytest.approx(best.x, rel=1e-4)
    # the optimum does not depend on the restart time
    other = minimize_scalar(lambda t: expected_waste(t, delta, mtbf, 0.0),
                            bounds=(1e-6, 5 * mtbf), method="bounded",
                            options={"xatol": 1e-10 * mtbf})
    assert other.x == pytest.approx(best.x, rel=1e-4)


@pytest.mark.parametrize("ratio", [1e-4, 1e-3, 1e-2, 0.1])
def test_young_and_daly_approximate_the_optimum(ratio):
    delta, mtbf = ratio, 1.0
    exact = optimal_checkpoint_interval(delta, mtbf)
    young = young_interval(delta, mtbf)
    daly = daly_interval(delta, mtbf)
    # Young's relative error is first order in sqrt(delta / M), Daly's smaller
    assert abs(young / exact - 1) == pytest.approx(math.sqrt(ratio / 2) * 2 / 3,
                                                   rel=0.35)
    assert abs(daly / exact - 1) < max(abs(young / exact - 1) / 10, 1e-9)
    assert daly_interval(3.0, 1.0) == 1.0            # delta >= 2M: tau = M


def test_expected_waste_first_order_expansion():
    delta, mtbf, restart = 1.0, 10_000.0, 5.0
    for tau in (50.0, 141.4, 400.0):
        first_order = delta / tau + tau / (2 * mtbf) + (delta + restart) / mtbf
        # the neglected terms are O((tau / M)^2) and O(restart * tau / M^2)
        assert expected_waste(tau, delta, mtbf, restart) == pytest.approx(
            first_order, abs=(tau / mtbf) ** 2)


@pytest.mark.parametrize("tau", [100.0, 400.0, 1600.0])
def test_simulated_runtime_matches_the_waste(tau):
    delta, mtbf, restart = 60.0, 3600.0, 30.0
    segments, runs = 20, 2000
    wall = simulate_checkpointing(segments, tau, delta, mtbf, restart, runs,
                                  rng=int(tau))
    waste = wall / (segments * tau) - 1
    se = waste.std(ddof=1) / math.sqrt(runs)
    assert abs(waste.mean() - expected_waste(tau, delta, mtbf, restart)) <= 4 * se


def test_simulation_prefers_young_over_far_intervals():
    # common random numbers are not needed: the gaps are many standard errors
    delta, mtbf, restart = 60.0, 3600.0, 30.0
    young = young_interval(delta, mtbf)
    means, ses = {}, {}
    for factor in (0.2, 1.0, 5.0):
        tau = factor * young
        segments = max(1, round(20 * young / tau))
        wall = simulate_checkpointing(segments, tau, delta, mtbf, restart, 2000,
                                      rng=7)
        waste = wall / (segments * tau) - 1
        means[factor] = waste.mean()
        ses[factor] = waste.std(ddof=1) / math.sqrt(waste.size)
    for far in (0.2, 5.0):
        assert means[far] - means[1.0] > 4 * math.hypot(ses[far], ses[1.0])


def test_checkpoint_arguments_are_checked():
    with pytest.raises(ValueError, match="mtbf_seconds"):
        young_interval(1.0, 0.0)
    with pytest.raises(ValueError, match="interval_seconds"):
        expected_waste(0.0, 1.0, 10.0)
    with pytest.raises(ValueError, match="num_runs"):
        simulate_checkpointing(1, 1.0, 1.0, 10.0, 0.0, 0, rng=1)
