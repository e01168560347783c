"""The delayed loop x_{k+1} = x_k - K x_{k-d}: roots, critical gain, iterations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.autoscale import (
    characteristic_roots,
    critical_gain,
    delay_loop,
    spectral_radius,
    target_tracking_loop,
)


def test_critical_gain_by_hand():
    assert critical_gain(0) == 2.0
    assert critical_gain(1) == pytest.approx(1.0, abs=1e-15)
    # 2 cos(2 pi / 5) = (sqrt 5 - 1) / 2, the golden ratio's inverse
    assert critical_gain(2) == pytest.approx((math.sqrt(5) - 1) / 2, rel=1e-14)
    # large d: K* ~ pi / (2d + 1)
    assert critical_gain(200) == pytest.approx(math.pi / 401, rel=1e-4)


@pytest.mark.parametrize("delay", range(0, 13))
def test_roots_cross_the_unit_circle_at_the_critical_gain(delay):
    k_star = critical_gain(delay)
    roots = characteristic_roots(k_star, delay)
    assert len(roots) == delay + 1
    # every root solves z^{d+1} - z^d + K = 0
    assert np.allclose(roots ** (delay + 1) - roots**delay + k_star, 0, atol=1e-9)
    assert abs(roots[0]) == pytest.approx(1.0, abs=1e-9)
    # at the crossing z = exp(+-i pi / (2d + 1))
    assert abs(np.angle(roots[0])) == pytest.approx(math.pi / (2 * delay + 1), abs=1e-6)
    assert spectral_radius(0.99 * k_star, delay) < 1.0 < spectral_radius(1.01 * k_star,
                                                                        delay)


@given(st.integers(0, 15), st.floats(0.01, 2.5))
def test_stable_exactly_below_the_critical_gain(delay, gain):
    k_star = critical_gain(delay)
    if abs(gain - k_star) < 1e-3:
        return  # too close to the boundary for a floating-point verdict
    assert (spectral_radius(gain, delay) < 1.0) == (gain < k_star)


def test_delay_loop_by_hand():
    assert delay_loop(0.5, 0, 3).tolist() == [1.0, 0.5, 0.25, 0.125]
    # d = 2, K = 1: waits two steps before it starts correcting
    assert delay_loop(1.0, 2, 5, initial=2.0).tolist() == [2.0, 2.0, 2.0, 0.0, -2.0,
                                                            -4.0]
    assert delay_loop(0.3, 3, 0).tolist() == [1.0]


@pytest.mark.parametrize("delay", [0, 1, 2, 4, 8])
def test_delay_loop_decays_below_and_grows_above_the_boundary(delay):
    k_star = critical_gain(delay)
    steps = 400 * (delay + 1)
    settle = delay_loop(0.9 * k_star, delay, steps)
    grow = delay_loop(1.1 * k_star, delay, steps)
    assert np.max(np.abs(settle[-50:])) < 1e-3
    assert np.max(np.abs(grow[-50:])) > 1e3
    # the growth rate is the spectral radius
    tail = np.max(np.abs(grow[-4 * (2 * delay + 1):]))
    earlier = np.max(np.abs(grow[-8 * (2 * delay + 1): -4 * (2 * delay + 1)]))
    rate = (tail / earlier) ** (1 / (4 * (2 * delay + 1)))
    assert rate == pytest.approx(spectral_radius(1.1 * k_star, delay), rel=0.02)


def test_target_tracking_loop_linearises_to_the_delay_loop():
    for delay in (0, 1, 3):
        small = target_tracking_loop(0.4, delay, 30, 1e-5) / 1e-5
        assert np.allclose(small, delay_loop(0.4, delay, 30), atol=1e-3)
    # undamped with no delay: one step to the target from any start
    assert target_tracking_loop(1.0, 0, 3, -0.6).tolist() == pytest.approx(
        [-0.6, 0.0, 0.0, 0.0])
    # with no delay the rule is exactly linear: (1 + x)(1 - K x / (1 + x)) = 1 + x - K x
    assert np.allclose(target_tracking_loop(0.7, 0, 10, -0.5), delay_loop(0.7, 0, 10,
                                                                           -0.5))
    # with delay it is not: x3 = 0.75 * (1 + 0.5 * 0.5 / 0.5) - 1 = 0.125 where the
    # linear loop gives x3 = x2 - K x1 = -0.25 + 0.25 = 0
    assert target_tracking_loop(0.5, 1, 3, -0.5).tolist() == pytest.approx(
        [-0.5, -0.5, -0.25, 0.125])
    assert delay_loop(0.5, 1, 3, -0.5).tolist() == pytest.approx([-0.5, -0.5, -0.25,
                                                                  0.0])


@pytest.mark.parametrize(("fn", "args", "name"), [
    (critical_gain, (-1,), "delay"),
    (critical_gain, (1.5,), "delay"),
    (characteristic_roots, (-0.1, 1), "gain"),
    (delay_loop, (0.5, 1, -1), "num_steps"),
    (target_tracking_loop, (0.5, 1, 5, -1.0), "initial"),
])
def test_bad_input_names_the_parameter(fn, args, name):
    with pytest.raises((ValueError, TypeError), match=name):
        fn(*args)
