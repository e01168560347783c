"""Checks for Chapter 5's geo-distribution, storage and training exercises
(trusted code: students do not edit this).

Expected values are worked out by hand in the comments, or computed with
`dsscale.geo`, `dsscale.quorum` and `dsscale.training` (independent
references), or by brute force written here; never by calling the function
under test a second time. The analysis questions' feedback says what is
wrong without giving the answer away.
"""

import itertools
import math

import numpy as np

from dsscale.geo import commit_latency_ms, rtt_matrix_ms
from dsscale.grading import assert_close, assert_equal, assert_raises, check
from dsscale.quorum import quorum_availability, zone_quorum_availability
from dsscale.training import (
    data_parallel_step_seconds,
    ring_allreduce_seconds,
    young_interval,
)

# ---- ex04_commit_latency ---------------------------------------------------------

THREE = [[0, 10, 70], [10, 0, 65], [70, 65, 0]]
FOUR = [[0, 5, 20, 40], [5, 0, 18, 38], [20, 18, 0, 25], [40, 38, 25, 0]]


@check("ex04_commit_latency", points=2, name="commit latency: hand values")
def _(ex):
    # three sites, majority 2: the nearest follower (the leader's copy is one)
    assert_close(ex.commit_latency(THREE, 0), 10.0, "commit_latency(THREE, 0)")
    assert_close(ex.commit_latency(THREE, 2), 65.0, "commit_latency(THREE, 2)")
    assert_close(ex.commit_latency(THREE, 0, 3), 70.0, "commit_latency(THREE, 0, 3)")
    assert_close(ex.commit_latency(THREE, 1, 1), 0.0, "commit_latency(THREE, 1, 1)")
    # four sites: a majority is 3, so the second-nearest follower (20, not 5)
    assert_close(ex.commit_latency(FOUR, 0), 20.0, "commit_latency(FOUR, 0)")
    assert_close(ex.commit_latency(FOUR, 3), 38.0, "commit_latency(FOUR, 3)")
    assert_close(ex.commit_latency([[0.0]], 0), 0.0, "commit_latency([[0]], 0)")


@check("ex04_commit_latency", points=1, name="commit latency: random placements")
def _(ex):
    rng = np.random.default_rng(54)
    for n in range(1, 8):
        upper = np.triu(rng.uniform(1, 200, (n, n)), 1)
        rtt = upper + upper.T
        for leader in range(n):
            for quorum in [None, *range(1, n + 1)]:
                assert_close(ex.commit_latency(rtt, leader, quorum),
                             commit_latency_ms(rtt, leader, quorum),
                             f"commit_latency(random {n}x{n}, {leader}, {quorum})")


@check("ex04_commit_latency", points=1, name="commit latency: bad input")
def _(ex):
    assert_raises(ValueError, ex.commit_latency, [[0, 1, 2], [1, 0, 3]], 0,
                  what="commit_latency(a 2x3 matrix, 0)", mentions="rtt_ms")
    assert_raises(ValueError, ex.commit_latency, [[0, -1], [-1, 0]], 0,
                  what="commit_latency(a negative round trip, 0)", mentions="rtt_ms")
    assert_raises(ValueError, ex.commit_latency, [[1, 2], [2, 0]], 0,
                  what="commit_latency(a non-zero diagonal, 0)", mentions="rtt_ms")
    assert_raises(ValueError, ex.commit_latency, THREE, 3,
                  what="commit_latency(THREE, 3)", mentions="leader")
    assert_raises(ValueError, ex.commit_latency, THREE, -1,
                  what="commit_latency(THREE, -1)", mentions="leader")
    assert_raises(ValueError, ex.commit_latency, THREE, 0, 4,
                  what="commit_latency(THREE, 0, 4)", mentions="write_quorum")
    assert_raises(ValueError, ex.commit_latency, THREE, 0, 0,
                  what="commit_latency(THREE, 0, 0)", mentions="write_quorum")


@check("ex04_commit_latency", points=2, name="best leader for a client mix")
def _(ex):
    assert_equal(ex.best_leader(THREE), 0, "best_leader(THREE)")   # 10 = 10 < 65
    # clients all at site 2: 70 + 10, 65 + 10, 0 + 65
    assert_equal(ex.best_leader(THREE, [0, 0, 1]), 2, "best_leader(THREE, [0, 0, 1])")
    # weights are shares: [0, 0, 0.5] is the same mix as [0, 0, 1]
    near = [[0, 1, 50], [1, 0, 50], [50, 50, 0]]
    assert_equal(ex.best_leader(near, [0, 0, 0.5]), 2,
                 "best_leader(near, [0, 0, 0.5])")
    # clients at site 0 of FOUR: 0 + 20, 5 + 18, 20 + 20, 40 + 38
    assert_equal(ex.best_leader(FOUR, [3, 0, 0, 0]), 0,
                 "best_leader(FOUR, [3, 0, 0, 0])")
    # even spread over FOUR, majority: (65/4 + 20, 61/4 + 18, 63/4 + 20, 103/4 + 38)
    assert_equal(ex.best_leader(FOUR, [1, 1, 1, 1]), 1, "best_leader(FOUR, even)")
    # a tie goes to the smallest index
    assert_equal(ex.best_leader([[0, 4], [4, 0]], [1, 1]), 0, "best_leader(tie)")
    got = ex.best_leader(FOUR)
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        raise AssertionError("best_leader should return an int, got "
                             f"{type(got).__name__}")
    assert_raises(ValueError, ex.best_leader, THREE, [1, 1],
                  what="best_leader(THREE, two weights)", mentions="client_weights")
    assert_raises(ValueError, ex.best_leader, THREE, [0, 0, 0],
                  what="best_leader(THREE, zero weights)", mentions="client_weights")
    assert_raises(ValueError, ex.best_leader, THREE, [1, -1, 1],
                  what="best_leader(THREE, a negative weight)",
                  mentions="client_weights")


SEVEN = ("Dublin", "Frankfurt", "Mumbai", "Singapore", "Tokyo", "Sydney", "Sao Paulo")


@check("ex04_commit_latency", points=2, name="analysis: seven regions")
def _(ex):
    answer = ex.analysis_seven_regions()
    if not isinstance(answer, tuple) or len(answer) != 3:
        raise AssertionError("analysis_seven_regions should return a tuple "
                             "(site, majority_ms, flexible_ms)")
    site, majority_ms, flexible_ms = answer
    rtt = rtt_matrix_ms(SEVEN)
    latencies = [commit_latency_ms(rtt, ell) for ell in range(len(SEVEN))]
    best = SEVEN[int(np.argmin(latencies))]
    if site != best:
        raise AssertionError("analysis_seven_regions: that site is not the leader "
                             "with the fastest majority commits")
    ell = SEVEN.index(best)
    if not math.isclose(float(majority_ms), latencies[ell], rel_tol=1e-6, abs_tol=1e-3):
        raise AssertionError("analysis_seven_regions: majority_ms is not the commit "
                             "latency at that leader (a majority of 7 is 4, leader "
                             "included)")
    if not math.isclose(float(flexible_ms), commit_latency_ms(rtt, ell, 3),
                        rel_tol=1e-6, abs_tol=1e-3):
        raise AssertionError("analysis_seven_regions: flexible_ms is not the commit "
                             "latency with a replication quorum of 3")


# ---- ex05_zone_quorums -------------------------------------------------------------


def _survives_brute_force(sizes, quorum, zones_down, nodes_down):
    zone_of = [z for z, m in enumerate(sizes) for _ in range(m)]
    n = len(zone_of)
    for zones in itertools.combinations(range(len(sizes)), zones_down):
        left = [i for i in range(n) if zone_of[i] not in zones]
        if len(left) - min(nodes_down, len(left)) < quorum:
            return False
    return True


@check("ex05_zone_quorums", points=1, name="survives: hand cases")
def _(ex):
    # Aurora: a zone leaves 4 (writes go on); a zone and a node leave 3 (reads)
    cases = [(((2, 2, 2), 4, 1, 0), True), (((2, 2, 2), 4, 1, 1), False),
             (((2, 2, 2), 3, 1, 1), True), (((2, 2, 2), 3, 1, 2), False),
             (((1, 1, 1), 2, 1, 1), False), (((1, 1, 1), 2, 1, 0), True),
             # the adversary takes the largest zone: 4 - 3 = 1 left
             (((3, 1), 2, 1, 0), False), (((3, 2, 1), 2, 1, 1), True),
             (((3, 2, 1), 2, 2, 0), False), (((2, 2, 2), 1, 0, 5), True)]
    for args, want in cases:
        assert_equal(ex.survives(*args), want, f"survives{args}")


@check("ex05_zone_quorums", points=1, name="survives: every failure set")
def _(ex):
    for sizes in [(2, 2, 2), (3, 2, 1), (1, 1, 1, 1), (4, 1), (2, 3, 2)]:
        for quorum in range(1, sum(sizes) + 1):
            for zones_down in range(len(sizes) + 1):
                for nodes_down in range(sum(sizes) + 1):
                    want = _survives_brute_force(sizes, quorum, zones_down, nodes_down)
                    assert_equal(bool(ex.survives(sizes, quorum, zones_down,
                                                  nodes_down)), want,
                                 f"survives({sizes}, {quorum}, {zones_down}, "
                                 f"{nodes_down})")


@check("ex05_zone_quorums", points=1, name="zone availability: hand values")
def _(ex):
    # no node failures, zones down w.p. 0.1: 4 of 6 needs 2 of 3 zones,
    # 0.9^3 + 3 * 0.9^2 * 0.1 = 0.729 + 0.243
    assert_close(ex.zone_availability((2, 2, 2), 4, 0.0, 0.1), 0.972,
                 "zone_availability((2, 2, 2), 4, 0, 0.1)")
    assert_close(ex.zone_availability((2, 2, 2), 6, 0.0, 0.1), 0.729,
                 "zone_availability((2, 2, 2), 6, 0, 0.1)")
    # one zone of one copy: both must be up, 0.7 * 0.8
    assert_close(ex.zone_availability((1,), 1, 0.2, 0.3), 0.56,
                 "zone_availability((1,), 1, 0.2, 0.3)")
    # no zone failures: 3 * 0.9^2 * 0.1 + 0.9^3
    assert_close(ex.zone_availability((1, 1, 1), 2, 0.1, 0.0), 0.972,
                 "zone_availability((1, 1, 1), 2, 0.1, 0)")
    # zone (2,) down w.p. 0.5 or one of its copies down w.p. 0.5: need both up
    assert_close(ex.zone_availability((2,), 2, 0.5, 0.5), 0.125,
                 "zone_availability((2,), 2, 0.5, 0.5)")


@check("ex05_zone_quorums", points=2, name="zone availability: a grid of layouts")
def _(ex):
    for sizes in [(2, 2, 2), (1, 1, 1), (3, 2, 1), (2, 2, 1), (4,), (1, 1, 1, 1, 1)]:
        for quorum in range(1, sum(sizes) + 1):
            for p, q in [(0.01, 0.001), (0.1, 0.05), (0.3, 0.2), (0.0, 0.5),
                         (0.5, 0.0)]:
                assert_close(ex.zone_availability(sizes, quorum, p, q),
                             zone_quorum_availability(sizes, quorum, p, q),
                             f"zone_availability({sizes}, {quorum}, {p}, {q})",
                             rtol=1e-9, atol=1e-12)
        n = sum(sizes)
        assert_close(ex.zone_availability(sizes, n, 0.2, 0.0),
                     quorum_availability(n, n, 0.2),
                     f"zone_availability({sizes}, {n}, 0.2, 0)", rtol=1e-9)


@check("ex05_zone_quorums", points=1, name="bad input")
def _(ex):
    assert_raises(ValueError, ex.survives, (2, 0, 2), 2, 0, 0,
                  what="survives((2, 0, 2), ...)", mentions="replicas_per_zone")
    assert_raises(ValueError, ex.survives, (2, 2, 2), 7, 0, 0,
                  what="survives((2, 2, 2), 7, 0, 0)", mentions="quorum_size")
    assert_raises(ValueError, ex.survives, (2, 2, 2), 3, 4, 0,
                  what="survives((2, 2, 2), 3, 4, 0)", mentions="zones_down")
    assert_raises(ValueError, ex.survives, (2, 2, 2), 3, 0, -1,
                  what="survives((2, 2, 2), 3, 0, -1)", mentions="nodes_down")
    assert_raises(ValueError, ex.zone_availability, (2, 2, 2), 0, 0.1, 0.1,
                  what="zone_availability((2, 2, 2), 0, ...)", mentions="quorum_size")
    assert_raises(ValueError, ex.zone_availability, (2, 2, 2), 3, 1.5, 0.1,
                  what="zone_availability(..., 1.5, 0.1)",
                  mentions="node_failure_probability")
    assert_raises(ValueError, ex.zone_availability, (2, 2, 2), 3, 0.1, -0.1,
                  what="zone_availability(..., 0.1, -0.1)",
                  mentions="zone_failure_probability")


@check("ex05_zone_quorums", points=2, name="analysis: Aurora writes against reads")
def _(ex):
    answer = ex.analysis_aurora_ratio()
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.floating):
        raise AssertionError("analysis_aurora_ratio should return a float")
    write = 1 - zone_quorum_availability((2, 2, 2), 4, 0.01, 0.001)
    read = 1 - zone_quorum_availability((2, 2, 2), 3, 0.01, 0.001)
    if not math.isclose(float(answer), write / read, rel_tol=1e-4):
        raise AssertionError("analysis_aurora_ratio: not the ratio of write to read "
                             "unavailability (is a zone failure independent of the "
                             "copies' own failures in your model?)")


# ---- ex06_allreduce_scaling --------------------------------------------------------


@check("ex06_allreduce_scaling", points=2, name="all-reduce time")
def _(ex):
    # 4 workers, 1 GB at 10 GB/s, 10 us: 6 steps of (10 us + 25 ms)
    assert_close(ex.allreduce_seconds(4, 1e9, 1e10, 1e-5), 0.15006,
                 "allreduce_seconds(4, 1e9, 1e10, 1e-5)")
    # 2 workers: 2 steps of (0.5 + 4 bytes / 4 bytes per second)
    assert_close(ex.allreduce_seconds(2, 8, 4, 0.5), 3.0,
                 "allreduce_seconds(2, 8, 4, 0.5)")
    assert_close(ex.allreduce_seconds(1, 1e9, 1e10, 1e-5), 0.0,
                 "allreduce_seconds(1, 1e9, 1e10, 1e-5)")
    for n in (1, 2, 3, 7, 64, 1000):
        for m, b, a in [(1e6, 1e9, 0.0), (4e9, 2.5e10, 5e-6), (0.0, 1.0, 1e-3)]:
            assert_close(ex.allreduce_seconds(n, m, b, a),
                         ring_allreduce_seconds(n, m, b, a),
                         f"allreduce_seconds({n}, {m}, {b}, {a})")
    for args, name in [((0, 1.0, 1.0, 0.0), "num_workers"),
                       ((2, -1.0, 1.0, 0.0), "message_bytes"),
                       ((2, 1.0, 0.0, 0.0), "bandwidth"),
                       ((2, 1.0, 1.0, -1.0), "latency")]:
        assert_raises(ValueError, ex.allreduce_seconds, *args,
                      what=f"allreduce_seconds{args}", mentions=name)


@check("ex06_allreduce_scaling", points=2, name="USL coefficients")
def _(ex):
    # 2 * 1e8 / (1e10 * 0.5) and 2 * 1e-4 / 0.5
    assert_close(ex.usl_coefficients(0.5, 1e8, 1e10, 1e-4), (0.04, 0.0004),
                 "usl_coefficients(0.5, 1e8, 1e10, 1e-4)")
    rng = np.random.default_rng(56)
    for _ in range(20):
        t, m = rng.uniform(0.05, 5), rng.uniform(1e6, 1e10)
        b, a = rng.uniform(1e8, 1e11), rng.uniform(0, 1e-3)
        sigma, kappa = ex.usl_coefficients(t, m, b, a)
        n = np.arange(1, 257)
        usl = n / (t * (1 + sigma * (n - 1) + kappa * n * (n - 1)))
        assert_close(usl, 1 / data_parallel_step_seconds(n, t, m, b, a),
                     f"the USL with your (sigma, kappa) for T={t:.3g}, M={m:.3g}, "
                     f"B={b:.3g}, alpha={a:.3g}", rtol=1e-9)
    assert_raises(ValueError, ex.usl_coefficients, 0.0, 1.0, 1.0, 0.0,
                  what="usl_coefficients(0, ...)", mentions="compute_seconds")


def _brute_best(t, m, b, a, cap):
    n = np.arange(1, cap + 1)
    return int(n[np.argmin(data_parallel_step_seconds(n, t, m, b, a))])


@check("ex06_allreduce_scaling", points=2, name="best worker count")
def _(ex):
    # no bandwidth term, alpha = 1 / 84.2: the real optimum is sqrt(42.1) = 6.49,
    # and 7 beats 6 since 42.1 > 6 * 7; with 1 / 83.8, sqrt(41.9): 6 beats 7
    for alpha, want in [(1 / 84.2, 7), (1 / 83.8, 6)]:
        assert_equal(ex.best_worker_count(1.0, 0.0, 1.0, alpha, 100), want,
                     f"best_worker_count(1.0, 0.0, 1.0, {alpha:.6f}, 100)")
    assert_equal(ex.best_worker_count(1.0, 0.0, 1.0, 1 / 84.2, 3), 3,
                 "best_worker_count(..., max_workers=3)")
    # bandwidth alone costs more than the compute saved: one worker is best
    assert_equal(ex.best_worker_count(1.0, 1e9, 1e9, 0.0, 50), 1,
                 "best_worker_count(1.0, 1e9, 1e9, 0.0, 50)")
    # no latency: more workers always help
    assert_equal(ex.best_worker_count(1.0, 1e8, 1e9, 0.0, 50), 50,
                 "best_worker_count(1.0, 1e8, 1e9, 0.0, 50)")
    rng = np.random.default_rng(57)
    for _ in range(25):
        t, m = rng.uniform(0.1, 2), rng.uniform(1e6, 1e9)
        b, a = rng.uniform(1e9, 1e11), rng.uniform(1e-6, 1e-3)
        cap = int(rng.integers(1, 400))
        assert_equal(ex.best_worker_count(t, m, b, a, cap),
                     _brute_best(t, m, b, a, cap),
                     f"best_worker_count({t:.3g}, {m:.3g}, {b:.3g}, {a:.3g}, {cap})")
    assert_raises(ValueError, ex.best_worker_count, 1.0, 1.0, 1.0, 0.0, 0,
                  what="best_worker_count(..., max_workers=0)", mentions="max_workers")


@check("ex06_allreduce_scaling", points=1, name="checkpoint interval")
def _(ex):
    # 2 minutes, each machine interrupted once a month, 512 machines:
    # sqrt(2 * 120 * 2,592,000 / 512) = sqrt(1,215,000)
    assert_close(ex.checkpoint_interval(120, 30 * 86400, 512), math.sqrt(1_215_000),
                 "checkpoint_interval(120, 30 days, 512)")
    for delta, mtbf, n in [(60, 3600, 1), (300, 86400, 64), (5, 1e6, 4096)]:
        assert_close(ex.checkpoint_interval(delta, mtbf, n),
                     young_interval(delta, mtbf / n),
                     f"checkpoint_interval({delta}, {mtbf}, {n})")
    assert_raises(ValueError, ex.checkpoint_interval, -1, 3600, 1,
                  what="checkpoint_interval(-1, ...)", mentions="checkpoint_seconds")
    assert_raises(ValueError, ex.checkpoint_interval, 60, 0, 1,
                  what="checkpoint_interval(60, 0, 1)", mentions="node_mtbf_seconds")
    assert_raises(ValueError, ex.checkpoint_interval, 60, 3600, 0,
                  what="checkpoint_interval(60, 3600, 0)", mentions="num_machines")


@check("ex06_allreduce_scaling", points=2, name="analysis: the scaling limit")
def _(ex):
    answer = ex.analysis_scaling_limit()
    if isinstance(answer, bool) or not isinstance(answer, int | np.integer):
        raise AssertionError("analysis_scaling_limit should return an int (a number "
                             "of workers)")
    if int(answer) != _brute_best(0.8, 2e9, 5e10, 30e-6, 2000):
        raise AssertionError("analysis_scaling_limit: that is not the worker count "
                             "with the shortest step")
