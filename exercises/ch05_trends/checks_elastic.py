"""Checks for Chapter 5's autoscaling, serverless and overload exercises (trusted
code: students do not edit this).

Expected values are worked out by hand in the comments or computed with
`dsscale.autoscale`, `dsscale.serverless` and `dsscale.overload` (independent
references), never by calling the function under test a second time.
"""

import math

from dsscale.autoscale import critical_gain, erlang_c_servers
from dsscale.autoscale import delay_loop as reference_loop
from dsscale.grading import assert_close, assert_equal, assert_raises, check
from dsscale.overload import retry_amplification
from dsscale.queueing import erlang_b
from dsscale.serverless import (
    Hyperexponential,
    cold_start_probability,
    keep_alive_cost,
    optimal_keep_alive,
    provisioned_for_overflow,
)


def _assert_int(got, want, what):
    if isinstance(got, bool) or not isinstance(got, int):
        raise AssertionError(f"{what} should return an int, got {type(got).__name__}: "
                             f"{got!r}")
    assert_equal(got, want, what)


def _assert_list(got, what):
    if not isinstance(got, list):
        raise AssertionError(f"{what} should return a list, got {type(got).__name__}")


# ---- ex01_autoscaling ---------------------------------------------------------------


@check("ex01_autoscaling", points=2,
       name="delay_loop by hand and against a reference")
def _(ex):
    # K = 1, d = 1: x1 = x0 - K x_{-1} = 1, x2 = 1 - 1 = 0, x3 = 0 - 1 = -1,
    # x4 = -1 - 0 = -1, x5 = -1 + 1 = 0 (a period-6 oscillation)
    got = ex.delay_loop(1.0, 1, 5)
    _assert_list(got, "delay_loop(1.0, 1, 5)")
    assert_close(got, [1.0, 1.0, 0.0, -1.0, -1.0, 0.0], "delay_loop(1.0, 1, 5)")
    assert_close(ex.delay_loop(0.5, 0, 3), [1.0, 0.5, 0.25, 0.125],
                 "delay_loop(0.5, 0, 3)")
    # d = 2, K = 1, x0 = 2: waits two steps, then 2 - 2 = 0, 0 - 2 = -2, -2 - 2 = -4
    assert_close(ex.delay_loop(1.0, 2, 5, initial=2.0),
                 [2.0, 2.0, 2.0, 0.0, -2.0, -4.0], "delay_loop(1.0, 2, 5, initial=2.0)")
    assert_close(ex.delay_loop(0.3, 3, 0), [1.0], "delay_loop(0.3, 3, 0)")
    for gain, delay in ((0.2, 0), (1.7, 0), (0.45, 3), (0.7, 2), (0.1, 9)):
        assert_close(ex.delay_loop(gain, delay, 40, initial=-0.3),
                     reference_loop(gain, delay, 40, initial=-0.3).tolist(),
                     f"delay_loop({gain}, {delay}, 40, initial=-0.3)", rtol=1e-9,
                     atol=1e-12)


@check("ex01_autoscaling", points=1, name="delay_loop rejects bad input")
def _(ex):
    assert_raises(ValueError, ex.delay_loop, -0.1, 1, 5, what="delay_loop(-0.1, 1, 5)",
                  mentions="gain")
    assert_raises(ValueError, ex.delay_loop, 0.5, -1, 5, what="delay_loop(0.5, -1, 5)",
                  mentions="delay")
    assert_raises(ValueError, ex.delay_loop, 0.5, 1, -1, what="delay_loop(0.5, 1, -1)",
                  mentions="num_steps")


@check("ex01_autoscaling", points=3, name="largest_stable_gain (analysis)")
def _(ex):
    # d = 0: x_{k+1} = (1 - K) x_k is stable iff |1 - K| < 1, so K* = 2;
    # d = 1: z^2 - z + K has |z|^2 = K, so K* = 1
    assert_close(ex.largest_stable_gain(0), 2.0, "largest_stable_gain(0)")
    assert_close(ex.largest_stable_gain(1), 1.0, "largest_stable_gain(1)")
    for delay in range(2, 31):
        assert_close(ex.largest_stable_gain(delay), critical_gain(delay),
                     f"largest_stable_gain({delay})", rtol=1e-9)
    assert_raises(ValueError, ex.largest_stable_gain, -1,
                  what="largest_stable_gain(-1)", mentions="delay")


@check("ex01_autoscaling", points=3, name="fewest_servers meets Erlang C exactly")
def _(ex):
    # C(25, 20) = 0.209 > 0.2 and C(26, 20) = 0.143: 26 servers
    _assert_int(ex.fewest_servers(20.0, 1.0, 0.2), 26, "fewest_servers(20.0, 1.0, 0.2)")
    # one server waits with probability rho: 0.5 <= 0.5 holds at a = 0.5, not 0.51
    _assert_int(ex.fewest_servers(0.5, 1.0, 0.5), 1, "fewest_servers(0.5, 1.0, 0.5)")
    _assert_int(ex.fewest_servers(0.51, 1.0, 0.5), 2, "fewest_servers(0.51, 1.0, 0.5)")
    for load in (0.3, 2.0, 7.5, 33.0, 120.0, 999.0):
        for eps in (0.5, 0.1, 0.01):
            _assert_int(ex.fewest_servers(load * 3.0, 3.0, eps),
                        erlang_c_servers(load, 1.0, eps),
                        f"fewest_servers({load * 3.0}, 3.0, {eps})")
    assert_raises(ValueError, ex.fewest_servers, 0.0, 1.0, 0.1,
                  what="fewest_servers(0.0, 1.0, 0.1)", mentions="arrival_rate")
    assert_raises(ValueError, ex.fewest_servers, 1.0, 0.0, 0.1,
                  what="fewest_servers(1.0, 0.0, 0.1)", mentions="service_rate")
    assert_raises(ValueError, ex.fewest_servers, 1.0, 1.0, 1.0,
                  what="fewest_servers(1.0, 1.0, 1.0)", mentions="max_wait_probability")


# ---- ex02_keep_alive ----------------------------------------------------------------

BURSTY = ((0.9, 0.1), (0.2, 1 / 555))


@check("ex02_keep_alive", points=1, name="cold_fraction")
def _(ex):
    # lambda T = 0.1 * 10 = 1
    assert_close(ex.cold_fraction(0.1, 10.0), math.exp(-1.0),
                 "cold_fraction(0.1, 10.0)")
    assert_close(ex.cold_fraction(3.0, 0.0), 1.0, "cold_fraction(3.0, 0.0)")
    for rate, t in ((1 / 60, 600.0), (2.0, 0.25), (0.0, 5.0)):
        assert_close(ex.cold_fraction(rate, t), cold_start_probability(rate, t),
                     f"cold_fraction({rate}, {t})")
    assert_raises(ValueError, ex.cold_fraction, -1.0, 1.0,
                  what="cold_fraction(-1.0, 1.0)", mentions="arrival_rate")
    assert_raises(ValueError, ex.cold_fraction, 1.0, -1.0,
                  what="cold_fraction(1.0, -1.0)", mentions="keep_alive")


@check("ex02_keep_alive", points=2, name="expected_cost")
def _(ex):
    # one phase of rate 0.1, T = 10: (1 - e^-1) / 0.1 + 100 e^-1
    want = (1 - math.exp(-1.0)) / 0.1 + 100 * math.exp(-1.0)
    assert_close(ex.expected_cost((1.0,), (0.1,), 10.0, 1.0, 100.0), want,
                 "expected_cost((1.0,), (0.1,), 10.0, 1.0, 100.0)")
    assert_close(ex.expected_cost((1.0,), (0.1,), 0.0, 1.0, 100.0), 100.0,
                 "expected_cost((1.0,), (0.1,), 0.0, 1.0, 100.0)")
    gaps = Hyperexponential(BURSTY[1], BURSTY[0])
    for t in (0.0, 5.0, 27.0, 600.0, 3600.0):
        for c, p in ((1.0, 100.0), (0.5, 10.0)):
            assert_close(ex.expected_cost(*BURSTY, t, c, p),
                         keep_alive_cost(gaps, t, c, p),
                         f"expected_cost(bursty, {t}, {c}, {p})", rtol=1e-9)
    assert_raises(ValueError, ex.expected_cost, (0.5, 0.6), (1.0, 2.0), 1.0, 1.0, 1.0,
                  what="expected_cost with weights summing to 1.1", mentions="weights")
    assert_raises(ValueError, ex.expected_cost, (1.0,), (0.0,), 1.0, 1.0, 1.0,
                  what="expected_cost with a zero rate", mentions="rates")
    assert_raises(ValueError, ex.expected_cost, (1.0,), (1.0,), -1.0, 1.0, 1.0,
                  what="expected_cost with keep_alive -1", mentions="keep_alive")


@check("ex02_keep_alive", points=3, name="best_keep_alive (analysis)")
def _(ex):
    # Poisson, rate 1/60: J' has the sign of c - p / 60 for every T
    assert_close(ex.best_keep_alive((1.0,), (1 / 60,), 1.0, 100.0, 1800.0), 1800.0,
                 "best_keep_alive(Poisson 1/60, c=1, p=100, max 1800)")
    assert_close(ex.best_keep_alive((1.0,), (1 / 60,), 1.0, 30.0, 1800.0), 0.0,
                 "best_keep_alive(Poisson 1/60, c=1, p=30, max 1800)")
    # a tie (c = p * rate) returns 0
    assert_close(ex.best_keep_alive((1.0,), (0.5,), 1.0, 2.0, 100.0), 0.0,
                 "best_keep_alive(Poisson 0.5, c=1, p=2, max 100)")
    for (weights, rates), c, p, t_max in ((BURSTY, 1.0, 100.0, 1800.0),
                                          (BURSTY, 1.0, 20.0, 1800.0),
                                          (BURSTY, 1.0, 1000.0, 1800.0),
                                          (((0.5, 0.3, 0.2), (1.0, 0.05, 0.001)),
                                           1.0, 200.0, 5000.0),
                                          (BURSTY, 1.0, 100.0, 10.0)):
        want = optimal_keep_alive(Hyperexponential(rates, weights), c, p, t_max)
        assert_close(ex.best_keep_alive(weights, rates, c, p, t_max), want,
                     f"best_keep_alive({weights}, {rates}, {c}, {p}, {t_max})",
                     rtol=0.0, atol=1e-6)
    assert_raises(ValueError, ex.best_keep_alive, (1.0,), (1.0,), 0.0, 1.0, 10.0,
                  what="best_keep_alive with idle_cost 0", mentions="idle_cost")
    assert_raises(ValueError, ex.best_keep_alive, (1.0,), (1.0,), 1.0, 0.0, 10.0,
                  what="best_keep_alive with cold_penalty 0", mentions="cold_penalty")


@check("ex02_keep_alive", points=2, name="provisioned_instances")
def _(ex):
    # a = 1: B(1) = 1/2, B(2) = (1/2) / (1 + 1 + 1/2) = 0.2
    _assert_int(ex.provisioned_instances(1.0, 1.0, 0.2), 2,
                "provisioned_instances(1.0, 1.0, 0.2)")
    _assert_int(ex.provisioned_instances(1.0, 1.0, 0.19), 3,
                "provisioned_instances(1.0, 1.0, 0.19)")
    # B(0, a) = 1: allowing every request to overflow needs nothing
    _assert_int(ex.provisioned_instances(5.0, 1.0, 1.0), 0,
                "provisioned_instances(5.0, 1.0, 1.0)")
    for rate, mu, eps in ((4.0, 1.0, 0.01), (40.0, 2.0, 0.05), (300.0, 1.0, 0.001),
                          (0.1, 1.0, 0.01)):
        want = provisioned_for_overflow(rate, mu, eps)
        assert erlang_b(want, rate, mu) <= eps   # the reference meets the target
        _assert_int(ex.provisioned_instances(rate, mu, eps), want,
                    f"provisioned_instances({rate}, {mu}, {eps})")
    assert_raises(ValueError, ex.provisioned_instances, 1.0, 0.0, 0.1,
                  what="provisioned_instances(1.0, 0.0, 0.1)", mentions="service_rate")
    assert_raises(ValueError, ex.provisioned_instances, 1.0, 1.0, 0.0,
                  what="provisioned_instances(1.0, 1.0, 0.0)", mentions="max_overflow")


# ---- ex03_retries -------------------------------------------------------------------


@check("ex03_retries", points=3, name="amplification, one layer and several")
def _(ex):
    # 1 + 0.5 + 0.25 + 0.125
    assert_close(ex.amplification(0.5, 3), 1.875, "amplification(0.5, 3)")
    assert_close(ex.amplification(1.0, 3), 4.0, "amplification(1.0, 3)")
    assert_close(ex.amplification(0.0, 5), 1.0, "amplification(0.0, 5)")
    assert_close(ex.amplification(0.9, 0), 1.0, "amplification(0.9, 0)")
    # everything down below three layers of three retries: 4^3
    assert_close(ex.amplification(1.0, 3, layers=3), 64.0,
                 "amplification(1.0, 3, layers=3)")
    # two layers, f = 0.5, r = 1: 1.5 * (1 + 0.25)
    assert_close(ex.amplification(0.5, 1, layers=2), 1.875,
                 "amplification(0.5, 1, layers=2)")
    for f in (0.01, 0.3, 0.7, 0.99):
        for r in (1, 2, 5):
            for layers in (1, 2, 4):
                assert_close(ex.amplification(f, r, layers=layers),
                             retry_amplification(f, r, layers=layers),
                             f"amplification({f}, {r}, layers={layers})", rtol=1e-9)
    assert_raises(ValueError, ex.amplification, 1.5, 3, what="amplification(1.5, 3)",
                  mentions="failure_probability")
    assert_raises(ValueError, ex.amplification, 0.5, -1, what="amplification(0.5, -1)",
                  mentions="max_retries")
    assert_raises(ValueError, ex.amplification, 0.5, 1, 0,
                  what="amplification(0.5, 1, layers=0)", mentions="layers")


@check("ex03_retries", points=2, name="recovery_load (analysis)")
def _(ex):
    # collapsed: lambda (r + 1) attempts against capacity 100
    assert_close(ex.recovery_load(100.0, 3), 25.0, "recovery_load(100.0, 3)")
    assert_close(ex.recovery_load(2000.0, 2), 2000.0 / 3, "recovery_load(2000.0, 2)")
    assert_close(ex.recovery_load(10.0, 0), 10.0, "recovery_load(10.0, 0)")
    # a 10 % budget caps the factor at 1.1; a budget of 5 does not bind for r = 3
    assert_close(ex.recovery_load(100.0, 3, 0.1), 100.0 / 1.1,
                 "recovery_load(100.0, 3, retry_budget=0.1)")
    assert_close(ex.recovery_load(100.0, 3, 5.0), 25.0,
                 "recovery_load(100.0, 3, retry_budget=5.0)")
    assert_raises(ValueError, ex.recovery_load, 0.0, 3, what="recovery_load(0.0, 3)",
                  mentions="capacity")
    assert_raises(ValueError, ex.recovery_load, 10.0, 3, -0.5,
                  what="recovery_load(10.0, 3, retry_budget=-0.5)",
                  mentions="retry_budget")


@check("ex03_retries", points=2, name="backoff_schedule with and without jitter")
def _(ex):
    got = ex.backoff_schedule(4, 1.0, 5.0)
    _assert_list(got, "backoff_schedule(4, 1.0, 5.0)")
    # 1, 2, 4, then capped at 5
    assert_close(got, [1.0, 2.0, 4.0, 5.0], "backoff_schedule(4, 1.0, 5.0)")
    assert_close(ex.backoff_schedule(6, 0.1, 1.0), [0.1, 0.2, 0.4, 0.8, 1.0, 1.0],
                 "backoff_schedule(6, 0.1, 1.0)")
    assert_equal(ex.backoff_schedule(0, 1.0, 1.0), [], "backoff_schedule(0, 1.0, 1.0)")
    # full jitter: u_j times the ceiling
    assert_close(ex.backoff_schedule(3, 2.0, 5.0, [0.5, 0.25, 0.9]), [1.0, 1.0, 4.5],
                 "backoff_schedule(3, 2.0, 5.0, [0.5, 0.25, 0.9])")
    assert_raises(ValueError, ex.backoff_schedule, 2, 1.0, 5.0, [0.5],
                  what="backoff_schedule with one uniform for two retries",
                  mentions="uniforms")
    assert_raises(ValueError, ex.backoff_schedule, 2, 1.0, 5.0, [0.5, 1.0],
                  what="backoff_schedule with a uniform of 1.0", mentions="uniforms")
    assert_raises(ValueError, ex.backoff_schedule, 2, 2.0, 1.0,
                  what="backoff_schedule(2, 2.0, 1.0)", mentions="cap")
