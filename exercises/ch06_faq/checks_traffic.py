"""Checks for Chapter 6's cache and hot-key exercises (trusted code: students do
not edit this).

Expected values are worked out by hand in the comments or computed with
`dsscale.cache` and `dsscale.capacity` (independent references), never by
calling the function under test a second time. The analysis questions'
feedback says what is wrong without giving the answer away.
"""

import math

import numpy as np

from dsscale.cache import characteristic_time, che_hit_ratio, zipf_popularity
from dsscale.capacity import salted_peak_to_mean, spread_for_peak
from dsscale.grading import assert_close, assert_equal, assert_raises, check


def _assert_int(got, want, what):
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        raise AssertionError(f"{what} should return an int, got {type(got).__name__}: "
                             f"{got!r}")
    assert_equal(int(got), want, what)


def _close_quietly(got, want, what, rtol):
    """Compare without revealing the expected value."""
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be a number, got {got!r}") from None
    if not math.isclose(value, want, rel_tol=rtol):
        raise AssertionError(f"{what} is off by more than {rtol:.0e} relative; recheck "
                             "the model and the numbers of the question")


# ---- ex04_cache_hit_ratio ---------------------------------------------------------


@check("ex04_cache_hit_ratio", points=2, name="characteristic_time")
def _(ex):
    # two items of 1/2, C = 1: 2 (1 - e^{-T/2}) = 1, T = 2 ln 2
    assert_close(ex.characteristic_time([0.5, 0.5], 1), 2 * math.log(2),
                 "characteristic_time([0.5, 0.5], 1)", rtol=1e-8)
    assert_close(ex.characteristic_time([0.5, 0.5], 0), 0.0,
                 "characteristic_time([0.5, 0.5], 0)")
    for k, s, c in ((100, 0.8, 10), (1000, 1.2, 300), (500, 0.0, 250), (2000, 0.6, 5)):
        p = zipf_popularity(k, s)
        assert_close(ex.characteristic_time(p.tolist(), c), characteristic_time(p, c),
                     f"characteristic_time(Zipf({k}, {s}), {c})", rtol=1e-7)


@check("ex04_cache_hit_ratio", points=1, name="bad caches are rejected")
def _(ex):
    assert_raises(ValueError, ex.characteristic_time, [0.5, 0.6], 1,
                  what="characteristic_time([0.5, 0.6], 1)", mentions="popularity")
    assert_raises(ValueError, ex.characteristic_time, [1.5, -0.5], 1,
                  what="characteristic_time([1.5, -0.5], 1)", mentions="popularity")
    assert_raises(ValueError, ex.characteristic_time, [0.5, 0.5], 2,
                  what="characteristic_time([0.5, 0.5], 2)", mentions="cache_size")
    assert_raises(ValueError, ex.characteristic_time, [1.0, 0.0, 0.0], 1,
                  what="characteristic_time([1, 0, 0], 1)", mentions="cache_size")


@check("ex04_cache_hit_ratio", points=2, name="hit_ratio")
def _(ex):
    assert_close(ex.hit_ratio([0.5, 0.5], 1), 0.5, "hit_ratio([0.5, 0.5], 1)",
                 rtol=1e-8)
    # uniform over K items: T solves K (1 - e^{-T/K}) = C, so h = C / K exactly
    assert_close(ex.hit_ratio([0.25] * 4, 3), 0.75, "hit_ratio(uniform over 4, 3)",
                 rtol=1e-8)
    for k, s, c in ((100, 0.8, 10), (1000, 1.2, 300), (2000, 0.6, 5), (300, 1.5, 1)):
        p = zipf_popularity(k, s)
        assert_close(ex.hit_ratio(p.tolist(), c), che_hit_ratio(p, c),
                     f"hit_ratio(Zipf({k}, {s}), {c})", rtol=1e-7)


@check("ex04_cache_hit_ratio", points=2, name="a Zipf workload (analysis)")
def _(ex):
    p = zipf_popularity(50_000, 0.8)
    want = 20_000 * (1 - che_hit_ratio(p, 2_000))
    _close_quietly(ex.analysis_zipf_cache(), want, "analysis_zipf_cache()", 1e-6)


# ---- ex06_hot_key -----------------------------------------------------------------


@check("ex06_hot_key", points=2, name="salted_peak")
def _(ex):
    # 0.95 + 64 * 0.05 / r
    assert_close(ex.salted_peak(0.05, 64, 1), 4.15, "salted_peak(0.05, 64, 1)")
    assert_close(ex.salted_peak(0.05, 64, 16), 1.15, "salted_peak(0.05, 64, 16)")
    assert_close(ex.salted_peak(0.05, 64, 64), 1.0, "salted_peak(0.05, 64, 64)")
    assert_close(ex.salted_peak(0.0, 8, 1), 1.0, "salted_peak(0.0, 8, 1)")
    for p, parts, r in ((0.3, 10, 3), (0.01, 128, 2), (1.0, 4, 4)):
        assert_close(ex.salted_peak(p, parts, r), salted_peak_to_mean(p, parts, r),
                     f"salted_peak({p}, {parts}, {r})")
    assert_raises(ValueError, ex.salted_peak, 0.05, 64, 65,
                  what="salted_peak(0.05, 64, 65)", mentions="spread")
    assert_raises(ValueError, ex.salted_peak, 1.5, 64, 2,
                  what="salted_peak(1.5, 64, 2)", mentions="key_share")


@check("ex06_hot_key", points=2, name="spread_for_peak")
def _(ex):
    _assert_int(ex.spread_for_peak(0.05, 64, 1.5), 6, "spread_for_peak(0.05, 64, 1.5)")
    for p, parts, peak in ((0.3, 10, 1.2), (0.01, 128, 1.5), (0.05, 64, 1.15),
                           (0.001, 16, 1.1), (0.5, 8, 1.0)):
        _assert_int(ex.spread_for_peak(p, parts, peak), spread_for_peak(p, parts, peak),
                    f"spread_for_peak({p}, {parts}, {peak})")
    assert_raises(ValueError, ex.spread_for_peak, 0.05, 64, 0.9,
                  what="spread_for_peak(0.05, 64, 0.9)", mentions="max_peak")


@check("ex06_hot_key", points=2, name="the hottest Zipf key (analysis)")
def _(ex):
    got = ex.analysis_zipf_hot_key()
    if not isinstance(got, tuple) or len(got) != 2:
        raise AssertionError("analysis_zipf_hot_key() should return (pieces, peak)")
    p1 = float(zipf_popularity(1_000_000, 1.0)[0])
    pieces = spread_for_peak(p1, 32, 1.5)
    if isinstance(got[0], bool) or not isinstance(got[0], int | np.integer) or int(
            got[0]) != pieces:
        raise AssertionError("analysis_zipf_hot_key()[0]: not the fewest pieces that "
                             "meet the peak; check the hottest key's share")
    _close_quietly(got[1], salted_peak_to_mean(p1, 32, pieces),
                   "analysis_zipf_hot_key()[1] (peak)", 1e-6)
