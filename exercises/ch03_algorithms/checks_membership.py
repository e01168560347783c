"""Checks for Chapter 3's failure-detection exercises (trusted code: students
do not edit this).

Expected values are worked out by hand in the comments or computed with
`dsscale.membership` and numpy (independent references), never by calling the
function under test a second time.
"""

import math

import numpy as np

from dsscale.grading import assert_close, assert_raises, check, forbid
from dsscale.membership.phi_accrual import phi as reference_phi
from dsscale.membership.phi_accrual import phi_timeout
from dsscale.membership.timeouts import (
    heartbeat_detection_time,
    heartbeat_false_positive_probability,
    timeout_for_false_positive,
)

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex09_phi_accrual", "dsscale.membership.phi_accrual", reason=YOURSELF)
forbid("ex10_heartbeat_timeout", "dsscale.membership.timeouts", reason=YOURSELF)

# ---- ex09_phi_accrual ----------------------------------------------------------


def _windows():
    rng = np.random.default_rng(9)
    yield [0.8, 1.2]
    yield [1.0, 2.0, 4.0]  # a skewed window: sample and population std differ
    for size in (5, 50, 400):
        yield list(np.round(1.0 + 0.3 * rng.random(size), 6))


@check("ex09_phi_accrual", points=1, name="window_stats: mean and population std")
def _(ex):
    # [0.8, 1.2]: mean 1, deviations +-0.2, population std 0.2
    assert_close(ex.window_stats([0.8, 1.2]), (1.0, 0.2), "window_stats([0.8, 1.2])")
    # [1, 2, 4]: mean 7/3, variance (16/9 + 1/9 + 25/9) / 3 = 14/9
    assert_close(ex.window_stats([1.0, 2.0, 4.0]), (7 / 3, math.sqrt(14 / 9)),
                 "window_stats([1, 2, 4])")
    for window in _windows():
        arr = np.asarray(window)
        assert_close(ex.window_stats(window), (arr.mean(), arr.std()),
                     f"window_stats of {len(window)} intervals")
    assert_raises(ValueError, ex.window_stats, [1.0], what="window_stats([1.0])",
                  mentions="intervals")
    assert_raises(ValueError, ex.window_stats, [1.0, -0.5],
                  what="window_stats([1.0, -0.5])", mentions="intervals")


@check("ex09_phi_accrual", points=2, name="phi: values and the min_std floor")
def _(ex):
    # mean 1 and std floored to 0.5: half the gaps exceed 1, phi = log10(2)
    assert_close(ex.phi(1.0, [1.0, 1.0], 0.5), math.log10(2),
                 "phi(1.0, [1.0, 1.0], min_std=0.5)")
    # [0.8, 1.2], one std above the mean: 1 - F = 0.158655..., phi = 0.79955
    assert_close(ex.phi(1.2, [0.8, 1.2]), -math.log10(0.15865525393145707),
                 "phi(1.2, [0.8, 1.2])", rtol=1e-7)
    for window in _windows():
        arr = np.asarray(window)
        for min_std in (0.0, 0.05, 0.5):
            std = max(arr.std(), min_std)
            for elapsed in (0.0, arr.mean(), arr.mean() + 2 * std,
                            arr.mean() + 7 * std):
                want = float(reference_phi(elapsed, arr.mean(), std))
                assert_close(ex.phi(float(elapsed), window, min_std), want,
                             f"phi({elapsed:.4g}, {len(window)} intervals, "
                             f"min_std={min_std})", rtol=1e-7)
    assert_raises(ValueError, ex.phi, -1.0, [0.8, 1.2], what="phi(-1.0, ...)",
                  mentions="elapsed")
    assert_raises(ValueError, ex.phi, 1.0, [1.0, 1.0], what="phi with zero spread",
                  mentions="min_std")


@check("ex09_phi_accrual", points=2, name="suspicion_timeout inverts phi")
def _(ex):
    # mean 1, std 0.1, threshold 3: z = 3.0902, T = 1.30902
    assert_close(ex.suspicion_timeout([0.9, 1.1], 3.0), phi_timeout(3.0, 1.0, 0.1),
                 "suspicion_timeout([0.9, 1.1], 3.0)", rtol=1e-7)
    for window in _windows():
        arr = np.asarray(window)
        for threshold in (0.5, 1.0, 2.0, 5.0, 8.0):
            for min_std in (0.0, 0.2):
                std = max(arr.std(), min_std)
                assert_close(ex.suspicion_timeout(window, threshold, min_std),
                             phi_timeout(threshold, arr.mean(), std),
                             f"suspicion_timeout({len(window)} intervals, "
                             f"{threshold}, min_std={min_std})", rtol=1e-7)
    assert_raises(ValueError, ex.suspicion_timeout, [0.9, 1.1], 0.0,
                  what="suspicion_timeout(..., threshold=0)", mentions="threshold")


# ---- ex10_heartbeat_timeout -------------------------------------------------------


@check("ex10_heartbeat_timeout", points=2, name="false_positive_probability")
def _(ex):
    # no jitter: loss ** floor(T / eta); 0.1^3
    assert_close(ex.false_positive_probability(3.5, 1.0, 0.1), 1e-3,
                 "false_positive_probability(3.5, 1.0, 0.1)")
    # exactly two intervals of silence is not "longer than 2": 0.1^2
    assert_close(ex.false_positive_probability(2.0, 1.0, 0.1), 1e-2,
                 "false_positive_probability(2.0, 1.0, 0.1)")
    # no loss, jitter 0.5, T = 1.25: P(D' - D > 0.25) = 0.25^2 / (2 * 0.25) = 0.125
    assert_close(ex.false_positive_probability(1.25, 1.0, 0.0, 0.5), 0.125,
                 "false_positive_probability(1.25, 1.0, 0.0, 0.5)")
    for interval in (1.0, 2.5):
        for loss in (0.0, 0.05, 0.3):
            for jitter in (0.0, 0.4 * interval, interval):
                for t in np.linspace(0.2, 4.5, 13) * interval:
                    assert_close(ex.false_positive_probability(float(t), interval,
                                                               loss, jitter),
                                 heartbeat_false_positive_probability(
                                     float(t), interval, loss, jitter),
                                 f"false_positive_probability({t:.3g}, {interval}, "
                                 f"{loss}, {jitter:.3g})", rtol=1e-9, atol=1e-12)
    assert_raises(ValueError, ex.false_positive_probability, 1.0, 1.0, 1.0,
                  what="false_positive_probability(loss=1.0)", mentions="loss")
    assert_raises(ValueError, ex.false_positive_probability, 1.0, 1.0, 0.1, 1.5,
                  what="false_positive_probability(jitter=1.5 > interval)",
                  mentions="jitter")
    assert_raises(ValueError, ex.false_positive_probability, 1.0, 0.0, 0.1,
                  what="false_positive_probability(interval=0)", mentions="interval")


@check("ex10_heartbeat_timeout", points=2, name="detection_time")
def _(ex):
    # no loss, T >= eta: T + d - eta / 2 = 3 + 0.5 - 0.5
    assert_close(ex.detection_time(3.0, 1.0, 0.0, 0.5), 3.0,
                 "detection_time(3.0, 1.0, 0.0, 0.5)")
    # loss 0.1: 0.9 * (3 + 0.1 * 2 + 0.01 * 1 + 0.001 * 0.5^2 / 2) = 2.8891125
    assert_close(ex.detection_time(3.0, 1.0, 0.1, 0.5), 2.8891125,
                 "detection_time(3.0, 1.0, 0.1, 0.5)")
    # T + d < eta: E[max(0, x - U)] = x^2 / (2 eta) with x = 0.6
    assert_close(ex.detection_time(0.4, 1.0, 0.0, 0.2), 0.18,
                 "detection_time(0.4, 1.0, 0.0, 0.2)")
    for interval in (1.0, 3.0):
        for loss in (0.0, 0.2, 0.6):
            for delay in (0.0, 0.7):
                for t in np.linspace(0.1, 5.0, 11) * interval:
                    assert_close(ex.detection_time(float(t), interval, loss, delay),
                                 heartbeat_detection_time(float(t), interval, loss,
                                                          delay),
                                 f"detection_time({t:.3g}, {interval}, {loss}, "
                                 f"{delay})", rtol=1e-9, atol=1e-12)
    assert_raises(ValueError, ex.detection_time, 1.0, 1.0, 0.1, -1.0,
                  what="detection_time(delay=-1)", mentions="delay")


@check("ex10_heartbeat_timeout", points=1,
       name="analysis: the timeout for one false positive in a thousand")
def _(ex):
    # without jitter it would be 3 intervals (0.05^3 <= 1e-3 < 0.05^2); the
    # jitter of half an interval adds a little: the root of a triangular tail
    want = timeout_for_false_positive(1e-3, 1.0, 0.05, 0.5)
    got = ex.timeout_for_one_in_a_thousand()
    assert_close(got, want, "timeout_for_one_in_a_thousand()", rtol=0.0, atol=1e-3,
                 reveal=False)
