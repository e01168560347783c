"""Checks for Chapter 1's exercises (trusted code: students do not edit this).

Expected values are closed forms worked out by hand in the comments, not
calls into the function under test.
"""

import math

import numpy as np

from dsscale.grading import assert_close, assert_raises, check, forbid, same

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex01_amdahl", "dsscale.laws", reason=YOURSELF)
forbid("ex02_gustafson", "dsscale.laws", reason=YOURSELF)
forbid("ex03_usl", "dsscale.laws", reason=YOURSELF)
forbid("ex04_littles_law", "dsscale.queueing", reason=YOURSELF)
forbid("ex05_measurements", "dsscale.parallel.scaling", "dsscale.laws",
       reason=YOURSELF)

# ---- ex01_amdahl ---------------------------------------------------------


@check("ex01_amdahl", points=2, name="amdahl_speedup at known points")
def _(ex):
    # p = 0.5, n = 2: 1 / (0.5 + 0.25) = 4/3;  p = 0.9, n = 10: 1 / 0.19
    assert_close(ex.amdahl_speedup(0.5, 2), 4 / 3, "amdahl_speedup(0.5, 2)")
    assert_close(ex.amdahl_speedup(0.9, 10), 1 / 0.19, "amdahl_speedup(0.9, 10)")
    assert_close(ex.amdahl_speedup(0.0, 64), 1.0, "amdahl_speedup(0.0, 64)")
    assert_close(ex.amdahl_speedup(1.0, 64), 64.0, "amdahl_speedup(1.0, 64)")


@check("ex01_amdahl", points=1, name="amdahl_speedup broadcasts over arrays")
def _(ex):
    got = ex.amdahl_speedup(0.75, np.array([1, 2, 4]))
    # 1/(0.25+0.75/n): n=1 -> 1, n=2 -> 1/0.625 = 1.6, n=4 -> 1/0.4375
    assert_close(got, [1.0, 1.6, 1 / 0.4375], "amdahl_speedup(0.75, [1, 2, 4])")


@check("ex01_amdahl", points=1, name="amdahl_speedup rejects bad input")
def _(ex):
    assert_raises(ValueError, ex.amdahl_speedup, 1.5, 4,
                  what="amdahl_speedup(1.5, 4)", mentions="parallel_fraction")
    assert_raises(ValueError, ex.amdahl_speedup, 0.5, 0,
                  what="amdahl_speedup(0.5, 0)", mentions="workers")


@check("ex01_amdahl", points=1, name="amdahl_limit")
def _(ex):
    assert_close(ex.amdahl_limit(0.95), 20.0, "amdahl_limit(0.95)")
    assert_close(ex.amdahl_limit(0.0), 1.0, "amdahl_limit(0.0)")
    got = ex.amdahl_limit(1.0)
    if not same(got, math.inf):
        raise AssertionError(f"amdahl_limit(1.0) should be inf, got {got!r}")
    assert_raises(ValueError, ex.amdahl_limit, -0.1, what="amdahl_limit(-0.1)",
                  mentions="parallel_fraction")


# ---- ex02_gustafson ------------------------------------------------------


@check("ex02_gustafson", points=2, name="gustafson_speedup at known points")
def _(ex):
    # (1 - p) + p n: p = 0.9, n = 64 -> 0.1 + 57.6 = 57.7
    assert_close(ex.gustafson_speedup(0.9, 64), 57.7, "gustafson_speedup(0.9, 64)")
    assert_close(ex.gustafson_speedup(0.5, [1, 3]), [1.0, 2.0],
                 "gustafson_speedup(0.5, [1, 3])")
    assert_raises(ValueError, ex.gustafson_speedup, 0.5, 0.5,
                  what="gustafson_speedup(0.5, 0.5)", mentions="workers")
    assert_raises(ValueError, ex.gustafson_speedup, -0.5, 2,
                  what="gustafson_speedup(-0.5, 2)", mentions="parallel_fraction")


@check("ex02_gustafson", points=2, name="converting p_G to Amdahl's p_A")
def _(ex):
    # p_G = 0.5, n = 3: one-worker time 0.5 + 1.5 = 2, parallel part 1.5 -> 0.75
    assert_close(ex.amdahl_fraction_from_gustafson(0.5, 3), 0.75,
                 "amdahl_fraction_from_gustafson(0.5, 3)")
    # the two laws then agree: Amdahl with p_A = 0.75 at n = 3 gives 1/(0.25+0.25) = 2
    p_a = ex.amdahl_fraction_from_gustafson(0.9, 16)
    amdahl = 1.0 / ((1.0 - p_a) + p_a / 16)
    assert_close(amdahl, 0.1 + 0.9 * 16,
                 "Amdahl's speedup with the converted fraction at n = 16")


# ---- ex03_usl --------------------------------------------------------------


@check("ex03_usl", points=2, name="usl_throughput at known points")
def _(ex):
    # n = 1 -> lambda; n = 2, sigma = 0.1, kappa = 0.01: 200 / (1 + 0.1 + 0.02)
    assert_close(ex.usl_throughput(1, 100.0, 0.1, 0.01), 100.0,
                 "usl_throughput(1, 100, 0.1, 0.01)")
    assert_close(ex.usl_throughput(2, 100.0, 0.1, 0.01), 200 / 1.12,
                 "usl_throughput(2, 100, 0.1, 0.01)")
    got = ex.usl_throughput(np.array([1.0, 4.0]), 10.0, 0.0, 0.0)
    assert_close(got, [10.0, 40.0], "usl_throughput([1, 4], 10, 0, 0)")


@check("ex03_usl", points=1, name="usl_throughput rejects bad input")
def _(ex):
    assert_raises(ValueError, ex.usl_throughput, 0, 1.0, 0.1, 0.01,
                  what="usl_throughput(0, ...)", mentions="n")
    assert_raises(ValueError, ex.usl_throughput, 2, 1.0, -0.1, 0.01,
                  what="usl_throughput(..., sigma=-0.1, ...)", mentions="sigma")
    assert_raises(ValueError, ex.usl_throughput, 2, 1.0, 0.1, -0.01,
                  what="usl_throughput(..., kappa=-0.01)", mentions="kappa")


@check("ex03_usl", points=2, name="best_concurrency")
def _(ex):
    # sigma = 0.1, kappa = 0.001: N* = sqrt(0.9 / 0.001) = 30 exactly
    got = ex.best_concurrency(0.1, 0.001)
    if not same(got, 30):
        raise AssertionError(f"best_concurrency(0.1, 0.001) should be 30, got {got!r}")
    # sigma = 0.05, kappa = 0.002: N* = sqrt(475) = 21.79; X(21) < X(22)
    got = ex.best_concurrency(0.05, 0.002)
    if not same(got, 22):
        raise AssertionError(f"best_concurrency(0.05, 0.002) should be 22, got {got!r}")
    # sigma = 0.05, kappa = 0.078: N* = sqrt(0.95 / 0.078) = 3.49, yet
    # X(3) = 3 / 1.568 = 1.9133 < X(4) = 4 / 2.086 = 1.9176: rounding N* is wrong
    got = ex.best_concurrency(0.05, 0.078)
    if not same(got, 4):
        raise AssertionError(f"best_concurrency(0.05, 0.078) should be 4, got {got!r}")
    got = ex.best_concurrency(0.2, 0.0, max_n=50)
    if not same(got, 50):
        raise AssertionError(
            f"best_concurrency(0.2, 0.0, max_n=50) should be 50 (no peak), got {got!r}")


# ---- ex04_littles_law ------------------------------------------------------


@check("ex04_littles_law", points=1, name="requests_in_flight")
def _(ex):
    assert_close(ex.requests_in_flight(2000, 0.05), 100.0,
                 "requests_in_flight(2000, 0.05)")
    assert_raises(ValueError, ex.requests_in_flight, -1, 0.1,
                  what="requests_in_flight(-1, 0.1)", mentions="throughput")


@check("ex04_littles_law", points=2, name="mm1_mean_latency")
def _(ex):
    assert_close(ex.mm1_mean_latency(80, 100), 0.05, "mm1_mean_latency(80, 100)")
    assert_close(ex.mm1_mean_latency(0, 10), 0.1, "mm1_mean_latency(0, 10)")
    assert_raises(ValueError, ex.mm1_mean_latency, 100, 100,
                  what="mm1_mean_latency(100, 100)", mentions="arrival_rate")
    assert_raises(ValueError, ex.mm1_mean_latency, 1, 0,
                  what="mm1_mean_latency(1, 0)", mentions="service_rate")


@check("ex04_littles_law", points=2, name="max_arrival_rate")
def _(ex):
    # 1/(100 - lambda) <= 0.05  ->  lambda <= 80
    assert_close(ex.max_arrival_rate(100, 0.05), 80.0, "max_arrival_rate(100, 0.05)")
    assert_close(ex.max_arrival_rate(10, 0.05), 0.0,
                 "max_arrival_rate(10, 0.05) (even idle, 1/mu = 0.1 s > 0.05 s)")
    assert_raises(ValueError, ex.max_arrival_rate, 100, 0,
                  what="max_arrival_rate(100, 0)", mentions="target_latency")


# ---- ex05_measurements -----------------------------------------------------


@check("ex05_measurements", points=2, name="nearest_rank_percentile")
def _(ex):
    data = [5, 1, 3, 2, 4]
    for q, want in ((50, 3), (100, 5), (1, 1), (80, 4), (81, 5)):
        got = ex.nearest_rank_percentile(data, q)
        if not same(got, want):
            raise AssertionError(
                f"nearest_rank_percentile({data}, {q}) should be {want}, got {got!r}")
    big = list(range(1000, 0, -1))  # 1..1000 reversed: p99 is rank 990
    got = ex.nearest_rank_percentile(big, 99)
    if not same(got, 990):
        raise AssertionError(f"p99 of 1..1000 should be 990, got {got!r}")
    assert_raises(ValueError, ex.nearest_rank_percentile, [], 50,
                  what="nearest_rank_percentile([], 50)", mentions="latencies")
    assert_raises(ValueError, ex.nearest_rank_percentile, data, 0,
                  what="nearest_rank_percentile(data, 0)", mentions="q")


@check("ex05_measurements", points=2, name="speedup_and_efficiency")
def _(ex):
    result = ex.speedup_and_efficiency([2, 1, 4], [5.0, 10.0, 4.0])
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError("speedup_and_efficiency should return a pair "
                             "(speedup, efficiency)")
    speedup, eff = result
    assert_close(speedup, [2.0, 1.0, 2.5], "speedup for times [5, 10, 4]")
    assert_close(eff, [1.0, 1.0, 0.625], "efficiency for workers [2, 1, 4]")
    assert_raises(ValueError, ex.speedup_and_efficiency, [2, 4], [1.0, 2.0],
                  what="speedup_and_efficiency without a 1-worker run",
                  mentions="workers")
    assert_raises(ValueError, ex.speedup_and_efficiency, [1, 2], [1.0, 0.0],
                  what="speedup_and_efficiency with a zero time", mentions="seconds")
