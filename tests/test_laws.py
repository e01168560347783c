"""Scalability laws: closed forms, limits, monotonicity, fits, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.laws import (
    amdahl_speedup,
    efficiency,
    fit_amdahl,
    fit_usl,
    gustafson_speedup,
    usl_peak,
    usl_throughput,
)

fractions = st.floats(0.0, 1.0)
workers = st.floats(1.0, 1e6)


def test_amdahl_known_values():
    assert amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    assert amdahl_speedup(0.9, 10) == pytest.approx(1 / 0.19)
    assert amdahl_speedup(0.0, 1000) == 1.0
    assert amdahl_speedup(1.0, 1000) == pytest.approx(1000)


@given(fractions, workers)
def test_amdahl_bounded_by_n_and_by_its_limit(p, n):
    s = amdahl_speedup(p, n)
    assert 1.0 - 1e-12 <= s <= n * (1 + 1e-12)
    if p < 1:
        assert s <= 1.0 / (1.0 - p) * (1 + 1e-12)


@given(fractions, workers, st.floats(1.0, 1e3))
def test_amdahl_monotone_in_workers(p, n, extra):
    assert amdahl_speedup(p, n + extra) >= amdahl_speedup(p, n) - 1e-12


@given(fractions, workers)
def test_gustafson_at_least_amdahl_for_same_fraction(p, n):
    # (1-p)+pn >= 1/((1-p)+p/n): equality only at p in {0,1} or n = 1
    assert gustafson_speedup(p, n) >= amdahl_speedup(p, n) * (1 - 1e-12)


@given(st.floats(0.0, 1.0), st.floats(1.0, 1e4))
def test_gustafson_equals_amdahl_with_converted_fraction(p_g, n):
    scaled = gustafson_speedup(p_g, n)
    p_a = p_g * n / scaled
    assert amdahl_speedup(p_a, n) == pytest.approx(scaled, rel=1e-9)


def test_broadcasting_returns_arrays():
    out = amdahl_speedup(np.array([[0.5], [0.9]]), np.array([1, 2, 4]))
    assert out.shape == (2, 3)
    assert isinstance(amdahl_speedup(0.5, 2), float)
    np.testing.assert_allclose(gustafson_speedup(0.5, [1, 3]), [1.0, 2.0])
    np.testing.assert_allclose(efficiency([2.0, 3.0], [2, 4]), [1.0, 0.75])


@pytest.mark.parametrize(
    ("fn", "args", "name"),
    [
        (amdahl_speedup, (1.5, 2), "parallel_fraction"),
        (amdahl_speedup, (-0.1, 2), "parallel_fraction"),
        (amdahl_speedup, (0.5, 0), "workers"),
        (gustafson_speedup, (0.5, [1, 0.5]), "workers"),
        (gustafson_speedup, (float("nan"), 2), "parallel_fraction"),
        (efficiency, (0.0, 2), "speedup"),
        (usl_throughput, (0, 1.0, 0.1, 0.01), "n"),
        (usl_throughput, (2, 0.0, 0.1, 0.01), "lambda_"),
        (usl_throughput, (2, 1.0, -0.1, 0.01), "sigma"),
        (usl_throughput, (2, 1.0, 0.1, -1.0), "kappa"),
        (usl_peak, (1.5, 0.01), "sigma"),
        (usl_peak, (0.1, -0.01), "kappa"),
    ],
)
def test_bad_input_names_the_parameter(fn, args, name):
    with pytest.raises(ValueError, match=name):
        fn(*args)


def test_type_errors_name_the_parameter():
    with pytest.raises(TypeError, match="workers"):
        amdahl_speedup(0.5, "two")


def test_usl_reduces_to_amdahl_without_coherency():
    n = np.arange(1, 65)
    sigma = 0.05
    np.testing.assert_allclose(usl_throughput(n, 1.0, sigma, 0.0),
                               amdahl_speedup(1 - sigma, n))


@given(st.floats(0.0, 0.99), st.floats(1e-6, 0.1))
def test_usl_peak_is_the_maximum(sigma, kappa):
    peak = usl_peak(sigma, kappa)
    x_peak = usl_throughput(max(peak, 1.0), 1.0, sigma, kappa)
    for n in (1.0, peak * 0.5, peak * 0.9, peak * 1.1, peak * 2):
        if n >= 1:
            assert usl_throughput(n, 1.0, sigma, kappa) <= x_peak * (1 + 1e-9)


def test_usl_peak_without_coherency_is_infinite():
    assert usl_peak(0.1, 0.0) == math.inf


@pytest.mark.parametrize(("lam", "sigma", "kappa"),
                         [(100.0, 0.05, 0.001), (2.5, 0.3, 0.0), (1e4, 0.0, 0.02)])
def test_fit_usl_recovers_exact_parameters(lam, sigma, kappa):
    n = np.array([1, 2, 3, 4, 6, 8, 12, 16, 24, 32], dtype=float)
    fit = fit_usl(n, usl_throughput(n, lam, sigma, kappa))
    assert fit.lambda_ == pytest.approx(lam, rel=1e-6)
    assert fit.sigma == pytest.approx(sigma, abs=1e-6)
    assert fit.kappa == pytest.approx(kappa, abs=1e-8)
    assert fit.r_squared == pytest.approx(1.0)
    np.testing.assert_allclose(fit.residuals, 0.0, atol=1e-6 * lam)


def test_fit_usl_on_noisy_data_is_within_its_noise():
    rng = np.random.default_rng(7)
    n = np.repeat(np.arange(1, 33, dtype=float), 3)
    truth = usl_throughput(n, 1000.0, 0.03, 0.0005)
    noisy = truth * (1 + 0.02 * rng.standard_normal(n.size))
    fit = fit_usl(n, noisy)
    # 2 % noise on 96 points pins sigma and kappa far tighter than these bounds
    assert fit.lambda_ == pytest.approx(1000.0, rel=0.05)
    assert fit.sigma == pytest.approx(0.03, abs=0.01)
    assert fit.kappa == pytest.approx(0.0005, abs=0.0002)
    assert fit.peak == pytest.approx(usl_peak(0.03, 0.0005), rel=0.25)


def test_fit_usl_keeps_parameters_non_negative():
    # super-linear data would need negative sigma; the bounds hold it at 0
    n = np.array([1.0, 2.0, 4.0, 8.0])
    fit = fit_usl(n, 10.0 * n**1.05)
    # the unconstrained optimum has sigma < 0: the fit must sit on the bound
    assert fit.sigma == pytest.approx(0.0, abs=1e-9)
    assert fit.kappa == pytest.approx(0.0, abs=1e-9)
    assert fit.lambda_ > 10.0  # the slope absorbs the super-linear growth


@pytest.mark.parametrize(
    ("n", "x", "match"),
    [
        ([1, 2], [1.0, 2.0], "at least 3"),
        ([1, 2, 3], [1.0, 2.0], "same length"),
        ([1, 2, 3], [1.0, 0.0, 2.0], "throughput"),
        ([0, 2, 3], [1.0, 1.5, 2.0], "n must be"),
        ([1, 1, 2], [1.0, 1.0, 2.0], "distinct"),
    ],
)
def test_fit_usl_rejects_bad_input(n, x, match):
    with pytest.raises(ValueError, match=match):
        fit_usl(n, x)


def test_fit_amdahl_recovers_the_fraction():
    w = np.array([1, 2, 4, 8])
    assert fit_amdahl(w, amdahl_speedup(0.93, w)) == pytest.approx(0.93, abs=1e-6)
    with pytest.raises(ValueError, match="greater than 1"):
        fit_amdahl([1, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        fit_amdahl([1, 2], [1.0])


def test_gustafson_parallel_fraction_inverts_the_law() -> None:
    from dsscale.laws import gustafson_parallel_fraction
    assert gustafson_parallel_fraction(1021, 1024) == pytest.approx(1020 / 1023)
    assert gustafson_parallel_fraction(1, 8) == 0.0
    assert gustafson_parallel_fraction(8, 8) == 1.0
    p = np.linspace(0, 1, 11)
    np.testing.assert_allclose(
        gustafson_parallel_fraction(gustafson_speedup(p, 64.0), 64.0), p, atol=1e-12)
    with pytest.raises(ValueError, match="speedup"):
        gustafson_parallel_fraction(9, 8)
    with pytest.raises(ValueError, match="speedup"):
        gustafson_parallel_fraction(0.5, 8)
    with pytest.raises(ValueError, match="workers"):
        gustafson_parallel_fraction(1, 1)


@given(st.floats(0.0, 1.0), st.floats(1.0, 1e5))
def test_amdahl_fraction_from_scaled_makes_the_laws_agree(p_g, n):
    from dsscale.laws import amdahl_fraction_from_scaled
    p_a = amdahl_fraction_from_scaled(p_g, n)
    assert amdahl_speedup(p_a, n) == pytest.approx(gustafson_speedup(p_g, n), rel=1e-9)


def test_amdahl_fraction_from_scaled_closed_form() -> None:
    from dsscale.laws import amdahl_fraction_from_scaled
    # 10 % serial on 256 workers: one-worker run 230.5 with 0.1 serial
    assert 1 - amdahl_fraction_from_scaled(0.9, 256) == pytest.approx(0.1 / 230.5)
    assert amdahl_fraction_from_scaled(0.5, 1) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="scaled_parallel_fraction"):
        amdahl_fraction_from_scaled(1.2, 4)
