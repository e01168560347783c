"""Checks for Chapter 6's sizing exercises: servers, quorums, virtual nodes and
the economic cluster size (trusted code: students do not edit this).

Expected values are worked out by hand in the comments or computed with
`dsscale.queueing`, `dsscale.autoscale`, `dsscale.quorum`, `dsscale.capacity`,
`dsscale.partitioning` and `dsscale.laws` (independent references), never by
calling the function under test a second time. The analysis questions'
feedback says what is wrong without giving the answer away.
"""

import itertools
import math

import numpy as np
from scipy import stats

from dsscale.autoscale import servers_for_latency
from dsscale.capacity import choose_quorum, servers_for_mean, vnodes_rule_of_thumb
from dsscale.grading import assert_close, assert_equal, assert_raises, check
from dsscale.laws import usl_throughput
from dsscale.partitioning import ring_share_cv
from dsscale.queueing import mmc_response_tail
from dsscale.quorum import pbs_stale_probability, quorum_availability


def _assert_int(got, want, what):
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        raise AssertionError(f"{what} should return an int, got {type(got).__name__}: "
                             f"{got!r}")
    assert_equal(int(got), want, what)


def _analysis(got, want, what, rtol):
    """Compare without revealing the expected value."""
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if isinstance(want, int) and not isinstance(want, bool):
        if isinstance(got, bool) or not isinstance(got, int | np.integer):
            raise AssertionError(f"{what} should be an int, got {type(got).__name__}")
        if int(got) != want:
            raise AssertionError(f"{what} is not right; recheck the model of the "
                                 "section and the numbers of the question")
        return
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be a number, got {got!r}") from None
    if not math.isclose(value, want, rel_tol=rtol, abs_tol=1e-12):
        raise AssertionError(f"{what} is off by more than {rtol:.0%}; recheck the "
                             "model of the section and the numbers of the question")


def _tuple(got, length, what):
    if not isinstance(got, tuple) or len(got) != length:
        raise AssertionError(f"{what} should return a tuple of {length} values, got "
                             f"{got!r}")
    return got


# ---- ex01_servers_for_p99 ---------------------------------------------------------


@check("ex01_servers_for_p99", points=2, name="response_tail by hand and M/M/c")
def _(ex):
    # one server: exponential with rate mu - lambda; no load: the service tail
    assert_close(ex.response_tail(1, 0.5, 1.0, 2.0), math.exp(-1.0),
                 "response_tail(1, 0.5, 1.0, 2.0)")
    assert_close(ex.response_tail(3, 0.0, 2.0, 1.0), math.exp(-2.0),
                 "response_tail(3, 0.0, 2.0, 1.0)")
    assert_close(ex.response_tail(4, 3.0, 1.0, 0.0), 1.0,
                 "response_tail(4, 3.0, 1.0, 0)")
    rng = np.random.default_rng(61)
    for _ in range(40):
        c = int(rng.integers(1, 60))
        mu = float(rng.uniform(0.5, 50))
        lam = float(rng.uniform(0.05, 0.99)) * c * mu
        t = float(rng.exponential(3 / mu))
        assert_close(ex.response_tail(c, lam, mu, t), mmc_response_tail(c, lam, mu, t),
                     f"response_tail({c}, {lam:.4g}, {mu:.4g}, {t:.4g})", rtol=1e-8)
    # theta = c mu - lambda equal to mu: the sum of two exponentials of one rate
    assert_close(ex.response_tail(2, 1.0, 1.0, 1.5),
                 mmc_response_tail(2, 1.0, 1.0, 1.5), "response_tail(2, 1.0, 1.0, 1.5)",
                 rtol=1e-8)


@check("ex01_servers_for_p99", points=1, name="response_tail rejects bad input")
def _(ex):
    assert_raises(ValueError, ex.response_tail, 0, 1.0, 1.0, 1.0,
                  what="response_tail(0, 1, 1, 1)", mentions="servers")
    assert_raises(ValueError, ex.response_tail, 2, 2.0, 1.0, 1.0,
                  what="response_tail(2, 2.0, 1.0, 1.0) (unstable)",
                  mentions="arrival_rate")
    assert_raises(ValueError, ex.response_tail, 2, 1.0, 0.0, 1.0,
                  what="response_tail(2, 1, 0, 1)", mentions="service_rate")
    assert_raises(ValueError, ex.response_tail, 2, 1.0, 1.0, -1.0,
                  what="response_tail(2, 1, 1, -1)", mentions="latency")


@check("ex01_servers_for_p99", points=2, name="servers_for_percentile")
def _(ex):
    _assert_int(ex.servers_for_percentile(5000.0, 0.008, 0.050), 42,
                "servers_for_percentile(5000, 0.008, 0.050)")
    for lam, s, t, q in ((200.0, 0.02, 0.15, 0.99), (1000.0, 0.01, 0.05, 0.99),
                         (10.0, 1.0, 10.0, 0.999), (3000.0, 0.001, 0.004, 0.9)):
        _assert_int(ex.servers_for_percentile(lam, s, t, q),
                    servers_for_latency(lam, 1 / s, t, 1 - q),
                    f"servers_for_percentile({lam}, {s}, {t}, {q})")
    # 8 ms exponential service has a p99 of 36.8 ms: 30 ms is out of reach
    assert_raises(ValueError, ex.servers_for_percentile, 5000.0, 0.008, 0.030,
                  what="servers_for_percentile(5000, 0.008, 0.030)",
                  mentions="latency_target")


@check("ex01_servers_for_p99", points=2, name="sizing for the mean (analysis)")
def _(ex):
    got = _tuple(ex.analysis_mean_sizing(), 3, "analysis_mean_sizing()")
    by_p99 = servers_for_latency(1200.0, 50.0, 0.120, 0.01)
    by_mean = servers_for_mean(1200.0, 0.020, 0.120)
    _analysis(got[0], by_p99, "analysis_mean_sizing()[0] (servers for the p99)", 0)
    _analysis(got[1], by_mean, "analysis_mean_sizing()[1] (servers for the mean)", 0)
    _analysis(got[2], mmc_response_tail(by_mean, 1200.0, 50.0, 0.120),
              "analysis_mean_sizing()[2] (late fraction)", 1e-6)


# ---- ex02_quorum_choice -----------------------------------------------------------


@check("ex02_quorum_choice", points=2, name="availability and staleness")
def _(ex):
    assert_close(ex.availability(3, 2, 0.9), 0.972, "availability(3, 2, 0.9)")
    assert_close(ex.stale_probability(3, 1, 1), 2 / 3, "stale_probability(3, 1, 1)")
    for n in (1, 3, 4, 5, 7):
        for k in range(1, n + 1):
            for a in (0.5, 0.9, 0.999):
                assert_close(ex.availability(n, k, a), quorum_availability(n, k, 1 - a),
                             f"availability({n}, {k}, {a})", rtol=1e-9)
        for r, w in itertools.product(range(1, n + 1), repeat=2):
            assert_close(ex.stale_probability(n, r, w), pbs_stale_probability(n, r, w),
                         f"stale_probability({n}, {r}, {w})")


@check("ex02_quorum_choice", points=1, name="bad quorums are rejected")
def _(ex):
    assert_raises(ValueError, ex.availability, 3, 4, 0.9,
                  what="availability(3, 4, 0.9)", mentions="quorum_size")
    assert_raises(ValueError, ex.availability, 3, 2, 1.5,
                  what="availability(3, 2, 1.5)", mentions="node_availability")
    assert_raises(ValueError, ex.stale_probability, 3, 0, 2,
                  what="stale_probability(3, 0, 2)", mentions="read_quorum")
    assert_raises(ValueError, ex.stale_probability, 3, 2, 4,
                  what="stale_probability(3, 2, 4)", mentions="write_quorum")


@check("ex02_quorum_choice", points=2, name="choose_quorum")
def _(ex):
    for n, a, eps, f in ((5, 0.99, 0.0, 0.5), (5, 0.99, 0.1, 0.9),
                         (3, 0.9, 0.0, 0.5), (3, 0.9, 0.4, 0.5), (6, 0.95, 0.05, 0.2),
                         (4, 0.999, 0.0, 0.99), (7, 0.9, 0.3, 0.7),
                         # every replica always up: latency alone decides
                         (5, 1.0, 0.0, 0.5), (6, 1.0, 0.0, 0.8)):
        want = choose_quorum(n, a, eps, read_fraction=f)
        got = ex.choose_quorum(n, a, eps, f)
        if not isinstance(got, tuple) or len(got) != 2:
            raise AssertionError(f"choose_quorum({n}, {a}, {eps}, {f}) should return "
                                 f"a tuple (r, w), got {got!r}")
        assert_equal(tuple(int(x) for x in got), (want.read_quorum, want.write_quorum),
                     f"choose_quorum({n}, {a}, {eps}, {f})")


@check("ex02_quorum_choice", points=2, name="a read-heavy objective (analysis)")
def _(ex):
    got = _tuple(ex.analysis_slo(), 3, "analysis_slo()")
    want = choose_quorum(7, 0.995, 0.05, read_fraction=0.95)
    if (got[0], got[1]) != (want.read_quorum, want.write_quorum):
        raise AssertionError("analysis_slo(): that (r, w) is not the best choice for "
                             "this objective; check the staleness bound and the "
                             "tie-breaks")
    _analysis(got[2], want.availability, "analysis_slo()[2] (availability)", 1e-9)


# ---- ex03_virtual_nodes -----------------------------------------------------------


@check("ex03_virtual_nodes", points=1, name="share_cv")
def _(ex):
    assert_close(ex.share_cv(2, 1), 1 / math.sqrt(3), "share_cv(2, 1)")
    assert_close(ex.share_cv(1, 5), 0.0, "share_cv(1, 5)")
    for n, v in ((10, 160), (40, 1), (100, 1000)):
        assert_close(ex.share_cv(n, v), ring_share_cv(n, v), f"share_cv({n}, {v})")
    assert_raises(ValueError, ex.share_cv, 0, 10, what="share_cv(0, 10)",
                  mentions="num_nodes")
    assert_raises(ValueError, ex.share_cv, 10, 0, what="share_cv(10, 0)",
                  mentions="vnodes")


@check("ex03_virtual_nodes", points=2, name="vnodes_for_imbalance")
def _(ex):
    _assert_int(ex.vnodes_for_imbalance(40, 0.1), 1181, "vnodes_for_imbalance(40, 0.1)")
    for n, eps, c in ((2, 0.5, 0.9), (10, 0.2, 0.99), (100, 0.05, 0.999),
                      (40, 0.3, 0.5), (1000, 1.0, 0.9)):
        _assert_int(ex.vnodes_for_imbalance(n, eps, c), vnodes_rule_of_thumb(n, eps, c),
                    f"vnodes_for_imbalance({n}, {eps}, {c})")
    assert_raises(ValueError, ex.vnodes_for_imbalance, 40, 0.0, 0.9,
                  what="vnodes_for_imbalance(40, 0.0, 0.9)", mentions="imbalance")
    assert_raises(ValueError, ex.vnodes_for_imbalance, 40, 0.1, 1.0,
                  what="vnodes_for_imbalance(40, 0.1, 1.0)", mentions="confidence")


@check("ex03_virtual_nodes", points=2, name="is 160 enough? (analysis)")
def _(ex):
    # Phi(eps / cv)^n with cv = sqrt(39 / 6401): the normal model, by scipy
    want = float(stats.norm.cdf(0.1 / ring_share_cv(40, 160)) ** 40)
    _analysis(ex.analysis_default_vnodes(), want, "analysis_default_vnodes()", 1e-6)


# ---- ex05_economic_size -----------------------------------------------------------


def _best_size(lam, sigma, kappa, cost, value):
    """Brute force over every size up to twice the peak (ties: the smaller)."""
    sizes = np.arange(1, int(2 * math.sqrt((1 - sigma) / kappa)) + 3)
    profit = value * np.asarray(usl_throughput(sizes, lam, sigma, kappa)) - cost * sizes
    return int(sizes[int(np.argmax(profit))])


@check("ex05_economic_size", points=1, name="usl_throughput")
def _(ex):
    assert_close(ex.usl_throughput(1, 100.0, 0.2, 0.01), 100.0,
                 "usl_throughput(1, 100, 0.2, 0.01)")
    # 2 * 100 / (1 + 0.2 + 0.02)
    assert_close(ex.usl_throughput(2, 100.0, 0.2, 0.01), 200 / 1.22,
                 "usl_throughput(2, 100, 0.2, 0.01)")
    for n in (1.5, 7, 30, 200):
        assert_close(ex.usl_throughput(n, 1000.0, 0.05, 0.001),
                     float(usl_throughput(n, 1000.0, 0.05, 0.001)),
                     f"usl_throughput({n}, 1000, 0.05, 0.001)")
    assert_raises(ValueError, ex.usl_throughput, 0.5, 100.0, 0.1, 0.0,
                  what="usl_throughput(0.5, ...)", mentions="n")
    assert_raises(ValueError, ex.usl_throughput, 2, 100.0, 1.5, 0.0,
                  what="usl_throughput(2, 100, 1.5, 0)", mentions="sigma")


@check("ex05_economic_size", points=2, name="economic_size")
def _(ex):
    _assert_int(ex.economic_size(1000.0, 0.05, 0.001, 1.0, 0.01), 20,
                "economic_size(1000, 0.05, 0.001, 1.0, 0.01)")
    for lam, sigma, kappa, cost, value in ((1000.0, 0.05, 0.001, 1.0, 0.005),
                                           (1000.0, 0.05, 0.001, 1.0, 0.5),
                                           (200.0, 0.0, 0.0001, 3.0, 0.1),
                                           (50.0, 0.3, 0.002, 1.0, 0.01),
                                           (1000.0, 0.1, 0.01, 5.0, 0.001)):
        _assert_int(ex.economic_size(lam, sigma, kappa, cost, value),
                    _best_size(lam, sigma, kappa, cost, value),
                    f"economic_size({lam}, {sigma}, {kappa}, {cost}, {value})")
    assert_raises(ValueError, ex.economic_size, 1000.0, 0.05, 0.0, 1.0, 0.01,
                  what="economic_size(..., kappa=0, ...)", mentions="kappa")
    assert_raises(ValueError, ex.economic_size, 1000.0, 0.05, 0.001, 0.0, 0.01,
                  what="economic_size(..., node_cost=0, ...)", mentions="node_cost")


@check("ex05_economic_size", points=2, name="stopping at the peak (analysis)")
def _(ex):
    got = _tuple(ex.analysis_stop_early(), 3, "analysis_stop_early()")
    best = _best_size(500.0, 0.03, 0.0005, 2.0, 0.01)
    # N* = sqrt(0.97 / 0.0005) = 44.05: 44 beats 45
    sizes = np.array([44, 45])
    throughput = np.asarray(usl_throughput(sizes, 500.0, 0.03, 0.0005))
    at_peak = int(sizes[int(np.argmax(throughput))])
    _analysis(got[0], best, "analysis_stop_early()[0] (economic size)", 0)
    _analysis(got[1], at_peak, "analysis_stop_early()[1] (size at the peak)", 0)
    share = float(usl_throughput(best, 500.0, 0.03, 0.0005)) / throughput.max()
    _analysis(got[2], share, "analysis_stop_early()[2] (share of the peak throughput)",
              1e-6)
