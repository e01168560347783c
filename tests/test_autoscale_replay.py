"""Traces, policies and the replay loop: exact bookkeeping, and the queue and the
control loop against their formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsscale.autoscale import (
    FixedCapacity,
    LoadTrace,
    Observation,
    Predictive,
    Scheduled,
    StepScaling,
    TargetTracking,
    bursty_trace,
    critical_gain,
    delay_loop,
    diurnal_trace,
    replay,
    servers_for_latency,
    step_trace,
    target_tracking_loop,
)
from dsscale.queueing import mmc_response_tail, mmc_response_time

# ---- traces -------------------------------------------------------------------------


def test_traces_by_hand_and_per_seed():
    assert step_trace(5, 10.0, 2.0, 7.0, 3).rates.tolist() == [2.0, 2.0, 2.0, 7.0, 7.0]
    smooth = diurnal_trace(96, 900.0, 10.0, amplitude=0.5, period=86_400.0)
    assert smooth.rates.mean() == pytest.approx(10.0, rel=1e-12)  # whole period
    assert smooth.rates.min() == pytest.approx(5.0, rel=1e-3)
    assert smooth.rates.max() == pytest.approx(15.0, rel=1e-3)
    assert smooth.duration == 86_400.0 and smooth.period == 86_400.0
    a = diurnal_trace(50, 60.0, 10.0, noise=0.2, rng=3)
    b = diurnal_trace(50, 60.0, 10.0, noise=0.2, rng=3)
    c = diurnal_trace(50, 60.0, 10.0, noise=0.2, rng=4)
    assert np.array_equal(a.rates, b.rates) and not np.array_equal(a.rates, c.rates)


def test_bursty_trace_spends_the_stationary_fraction_in_bursts():
    on, off, n = 4.0, 16.0, 40_000
    trace = bursty_trace(n, 1.0, 10.0, burst_factor=3.0, mean_burst_ticks=on,
                         mean_gap_ticks=off, rng=5)
    bursting = trace.rates > 10.0
    assert set(np.unique(trace.rates)) == {10.0, 30.0}
    p = on / (on + off)
    # a two-state chain with lag-1 correlation r = 1 - 1/on - 1/off: the variance
    # of a time average is inflated by (1 + r) / (1 - r)
    r = 1 - 1 / on - 1 / off
    se = math.sqrt(p * (1 - p) / n * (1 + r) / (1 - r))
    assert abs(bursting.mean() - p) < 4 * se
    runs = np.diff(np.flatnonzero(np.diff(bursting.astype(int)) != 0))
    assert runs.mean() == pytest.approx((on + off) / 2, rel=0.1)


# ---- policies -----------------------------------------------------------------------


def _obs(**kw) -> Observation:
    base = dict(tick=9, interval=10.0, ready=10, pending=0, utilisation=0.5,
                concurrency=0.5, latency=1.0, arrival_rate=5.0, servers_measured=10.0,
                arrival_history=np.full(10, 5.0), service_rate=1.0)
    base.update(kw)
    return Observation(**base)


def test_target_tracking_is_the_hpa_rule_with_a_gain():
    # HPA: ceil(10 * 0.9 / 0.6) = 15; with gain 0.5: 10 + 0.5 * 5 = 12.5
    assert TargetTracking("utilisation", 0.6).desired(_obs(utilisation=0.9)) == 15.0
    assert TargetTracking("utilisation", 0.6, gain=0.5).desired(
        _obs(utilisation=0.9)) == 12.5
    # pending servers are not ordered twice: the rule starts from ready servers
    assert TargetTracking("concurrency", 1.0).desired(
        _obs(concurrency=2.0, pending=7)) == 20.0
    assert TargetTracking("latency", 2.0).desired(_obs(latency=1.0)) == 5.0
    # nothing completed: hold the committed capacity
    assert TargetTracking("latency", 2.0).desired(_obs(latency=math.nan,
                                                       pending=3)) == 13.0


def test_step_scaling_and_fixed_and_scheduled():
    policy = StepScaling(0.3, 0.7, step=2)
    assert policy.desired(_obs(utilisation=0.8, pending=4)) == 16.0
    assert policy.desired(_obs(utilisation=0.2)) == 8.0
    assert policy.desired(_obs(utilisation=0.7)) == 10.0  # inside the band
    assert FixedCapacity(7).desired(_obs()) == 7.0
    assert Scheduled((3, 4, 5)).desired(_obs(tick=0)) == 4.0
    assert Scheduled((3, 4, 5)).desired(_obs(tick=5)) == 5.0


def test_predictive_reads_the_history_one_period_back():
    history = np.arange(30, dtype=float)     # rate j at interval j
    obs = _obs(tick=29, arrival_history=history, utilisation=0.1)
    # period 20 intervals, lead 3 intervals: max rate of intervals 10..13 = 13;
    # 13 / (1.0 * 0.5) = 26 servers, above the reactive 10 * 0.1 / 0.5 = 2
    assert Predictive(200.0, 30.0, 0.5).desired(obs) == 26.0
    # not a full period of history yet: reactive only
    young = _obs(tick=5, arrival_history=history[:6], utilisation=0.9)
    assert Predictive(200.0, 30.0, 0.5).desired(young) == pytest.approx(18.0)


@pytest.mark.parametrize(("make", "name"), [
    (lambda: TargetTracking("cpu", 0.5), "metric"),
    (lambda: TargetTracking("utilisation", 0.0), "target"),
    (lambda: StepScaling(0.8, 0.5), "upper"),
    (lambda: Predictive(100.0, 10.0, 1.5), "target_utilisation"),
    (lambda: Scheduled((3, 0)), "servers"),
    (lambda: LoadTrace(0.0, np.ones(3)), "interval"),
    (lambda: step_trace(5, 1.0, 1.0, 2.0, 9), "step_tick"),
])
def test_bad_policy_and_trace_arguments(make, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make()


# ---- the loop's bookkeeping, exactly ------------------------------------------------


def test_provisioning_delay_billing_and_cancellation():
    trace = LoadTrace(10.0, np.full(8, 0.5))
    run = replay(trace, Scheduled((5, 10, 6, 6, 6, 6, 6, 6)), service_rate=1.0,
                 initial_servers=5, provisioning_delay=30.0, rng=0)
    # end of interval 0: order 5, ready at the start of interval 0 + 1 + 3 = 4;
    # end of interval 1: want 6, cancel 4 of the 5 pending
    assert run.ready.tolist() == [5, 5, 5, 5, 6, 6, 6, 6]
    assert run.pending.tolist() == [0, 5, 1, 1, 0, 0, 0, 0]
    assert run.server_seconds == 10.0 * int(np.sum(run.ready + run.pending))


def test_scale_in_is_immediate_and_cooldown_blocks_decisions():
    trace = LoadTrace(10.0, np.full(6, 0.1))
    run = replay(trace, Scheduled((8, 3, 3, 3, 3, 3)), service_rate=1.0,
                 initial_servers=8, provisioning_delay=50.0, rng=0)
    assert run.ready.tolist() == [8, 3, 3, 3, 3, 3]
    overloaded = LoadTrace(10.0, np.full(9, 50.0))
    run = replay(overloaded, StepScaling(0.2, 0.5, step=2), service_rate=1.0,
                 initial_servers=4, cooldown=20.0, rng=0)
    # a decision at the end of intervals 0, 3, 6 (two quiet intervals after each)
    assert run.ready.tolist() == [4, 6, 6, 6, 8, 8, 8, 10, 10]


def test_same_seed_same_requests_whatever_the_policy():
    trace = step_trace(20, 10.0, 5.0, 9.0, 10)
    a = replay(trace, FixedCapacity(12), service_rate=1.0, initial_servers=12, rng=9)
    b = replay(trace, TargetTracking("utilisation", 0.6), service_rate=1.0,
               initial_servers=12, rng=9)
    assert np.array_equal(a.arrival_times, b.arrival_times)
    assert not np.array_equal(a.response_times, b.response_times)


@pytest.mark.parametrize(("kwargs", "name"), [
    (dict(service_rate=0.0), "service_rate"),
    (dict(initial_servers=0), "initial_servers"),
    (dict(provisioning_delay=-1.0), "provisioning_delay"),
    (dict(metric_delay=-1.0), "metric_delay"),
    (dict(cooldown=-5.0), "cooldown"),
    (dict(min_servers=5, max_servers=3), "max_servers"),
    (dict(rng="x"), "rng"),
])
def test_replay_rejects_bad_input(kwargs, name):
    args = dict(service_rate=1.0, initial_servers=4)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        replay(LoadTrace(10.0, np.ones(3)), FixedCapacity(4), **args)


# ---- the queue and the loop against their formulas ----------------------------------


def _per_interval(run, values, num_ticks):
    tick = np.minimum((run.arrival_times // run.interval).astype(int), num_ticks - 1)
    return (np.bincount(tick, weights=values, minlength=num_ticks),
            np.bincount(tick, minlength=num_ticks))


def test_fixed_fleet_is_an_mmc_queue():
    trace = LoadTrace(30.0, np.full(200, 24.0))
    run = replay(trace, FixedCapacity(30), service_rate=1.0, initial_servers=30, rng=4)
    sums, counts = _per_interval(run, run.response_times, 200)
    means = sums / counts
    # intervals are 30 service times long: their means are nearly independent
    se = means.std(ddof=1) / math.sqrt(means.size)
    assert abs(run.response_times.mean() - mmc_response_time(30, 24.0, 1.0)) < 4 * se
    se_u = run.utilisation.std(ddof=1) / math.sqrt(200)
    assert abs(run.utilisation.mean() - 0.8) < 4 * se_u


def test_clairvoyant_schedule_meets_the_per_interval_formula():
    trace = diurnal_trace(120, 20.0, 15.0, amplitude=0.6, period=1200.0, noise=0.05,
                          rng=1)
    schedule = tuple(servers_for_latency(lam, 1.0, 6.0, 0.01) for lam in trace.rates)
    run = replay(trace, Scheduled(schedule), service_rate=1.0,
                 initial_servers=schedule[0], rng=2)
    assert run.server_seconds == 20.0 * sum(schedule)
    late, counts = _per_interval(run, (run.response_times > 6.0).astype(float), 120)
    tail = np.array([mmc_response_tail(c, lam, 1.0, 6.0)
                     for c, lam in zip(schedule, trace.rates, strict=True)])
    predicted = np.sum(counts * tail) / counts.sum()
    # late requests cluster across neighbouring intervals: batches of ten
    excess = (late - counts * tail).reshape(-1, 10).sum(axis=1)
    se = math.sqrt(excess.size * np.var(excess, ddof=1)) / counts.sum()
    assert abs(run.slo_violation(6.0) - predicted) < 4 * se
    assert run.slo_violation(6.0) < 0.01


@pytest.mark.parametrize("delay", [1, 2])
def test_target_tracking_after_a_step_follows_the_loop_model(delay):
    gain, lam0, lam1, dt, target = 0.5, 30.0, 40.0, 30.0, 0.6
    trace = step_trace(40, dt, lam0, lam1, 10)
    c_star = lam1 / target
    run = replay(trace, TargetTracking("utilisation", target, gain=gain),
                 service_rate=1.0, initial_servers=50, metric_delay=delay * dt, rng=3)
    x = run.ready[10:] / c_star - 1
    model = target_tracking_loop(gain, delay, x.size - 1, 50 / c_star - 1)
    # each measured utilisation has relative noise sqrt(2 / (lambda dt)) (the busy
    # time of a Poisson number of exponential services); the loop passes it on
    # with impulse response -K * delay_loop, so x deviates from the model by
    noise = gain * math.sqrt(2 / (lam1 * dt)) * np.sqrt(
        np.sum(delay_loop(gain, delay, 400) ** 2))
    # standard deviations, plus one server of rounding (ceil)
    assert np.all(np.abs(x - model) < 4 * noise + 1.0 / c_star)


@pytest.mark.parametrize("delay", [1, 2, 3])
def test_the_loop_settles_below_and_oscillates_above_the_critical_gain(delay):
    lam, dt, target = 40.0, 30.0, 0.6
    trace = step_trace(70, dt, 30.0, lam, 5)
    late = []
    for factor in (0.6, 1.6):
        run = replay(trace, TargetTracking("utilisation", target,
                                           gain=factor * critical_gain(delay)),
                     service_rate=1.0, initial_servers=50, metric_delay=delay * dt,
                     max_servers=400, rng=delay)
        late.append(np.std(run.ready[40:] / (lam / target) - 1))
    noise = math.sqrt(2 / (lam * dt))   # one measurement's relative noise
    assert late[0] < 2 * noise < 4 * noise < late[1]
