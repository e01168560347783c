"""USL confidence intervals: Jacobian, coverage over seeds, shrinkage, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.laws import fit_usl, usl_throughput
from dsscale.usl_intervals import ParameterInterval, fit_usl_intervals, usl_jacobian

LAM, SIGMA, KAPPA = 10.0, 0.10, 0.03


def synthetic(repeats: int, seed: int,
              sd: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    levels = np.repeat(np.arange(1, 9), repeats).astype(float)
    noise = np.random.default_rng(seed).normal(0.0, sd, levels.size)
    return levels, usl_throughput(levels, LAM, SIGMA, KAPPA) + noise


def test_jacobian_matches_central_differences():
    n = np.array([1.0, 2.0, 3.5, 8.0, 20.0])
    theta = np.array([7.0, 0.2, 0.01])
    jac = usl_jacobian(n, *theta)
    for j in range(3):
        h = np.zeros(3)
        h[j] = 1e-6 * max(theta[j], 1e-3)
        up, down = usl_throughput(n, *(theta + h)), usl_throughput(n, *(theta - h))
        num = (up - down) / (2 * h[j])
        assert np.allclose(jac[:, j], num, rtol=1e-6, atol=1e-9), j
    # at n = 1 only lambda matters
    assert jac[0].tolist() == [1.0, 0.0, 0.0]


def test_point_estimate_is_fit_usl():
    n, x = synthetic(3, seed=1)
    ci = fit_usl_intervals(n, x)
    ref = fit_usl(n, x)
    assert ci.sigma.estimate == pytest.approx(ref.sigma, rel=1e-12)
    assert ci.kappa.estimate == pytest.approx(ref.kappa, rel=1e-12)
    assert ci.lambda_.estimate == pytest.approx(ref.lambda_, rel=1e-12)
    for iv in (ci.lambda_, ci.sigma, ci.kappa):
        assert iv.low <= iv.estimate <= iv.high


def test_exact_data_gives_a_vanishing_wald_interval():
    n = np.repeat(np.arange(1, 9), 2).astype(float)
    ci = fit_usl_intervals(n, usl_throughput(n, LAM, SIGMA, KAPPA))
    assert ci.sigma.estimate == pytest.approx(SIGMA, rel=1e-6)
    assert ci.kappa.width < 1e-6 and ci.sigma.width < 1e-6


def test_wald_interval_is_t_quantile_times_standard_error():
    n, x = synthetic(4, seed=3)
    ci = fit_usl_intervals(n, x, level=0.90)
    from scipy.stats import t

    se = np.sqrt(np.diag(ci.replicates))
    q = t.ppf(0.95, n.size - 3)
    assert ci.kappa.high - ci.kappa.estimate == pytest.approx(q * se[2], rel=1e-9)
    assert ci.lambda_.width == pytest.approx(2 * q * se[0], rel=1e-9)
    wider = fit_usl_intervals(n, x, level=0.99)
    assert wider.kappa.width > ci.kappa.width


def test_wald_coverage_is_near_nominal_over_many_seeds():
    seeds = 300
    hits = np.zeros(3)
    for seed in range(seeds):
        ci = fit_usl_intervals(*synthetic(4, seed))
        hits += [ci.lambda_.covers(LAM), ci.sigma.covers(SIGMA), ci.kappa.covers(KAPPA)]
    coverage = hits / seeds
    # binomial sd at 0.95 over 300 seeds is 0.013
    assert np.all(coverage > 0.90) and np.all(coverage < 0.99), coverage


@pytest.mark.slow
def test_bootstrap_coverage_is_near_nominal_with_enough_repeats():
    seeds = 80
    hits = np.zeros(2)
    for seed in range(seeds):
        ci = fit_usl_intervals(*synthetic(12, seed), method="bootstrap",
                               resamples=100, rng=seed)
        hits += [ci.sigma.covers(SIGMA), ci.kappa.covers(KAPPA)]
    coverage = hits / seeds
    assert np.all(coverage > 0.85), coverage


@pytest.mark.parametrize("method", ["wald", "bootstrap"])
def test_intervals_shrink_with_more_repeats(method):
    few = fit_usl_intervals(*synthetic(4, seed=7), method=method, resamples=200, rng=1)
    many = fit_usl_intervals(*synthetic(16, seed=7), method=method, resamples=200,
                             rng=1)
    # four times the data: about half the width (1/sqrt(4))
    for a, b in ((few.sigma, many.sigma), (few.kappa, many.kappa)):
        assert 0.3 < b.width / a.width < 0.75, (a, b)


def test_bootstrap_is_reproducible_and_seeded():
    n, x = synthetic(5, seed=2)
    a = fit_usl_intervals(n, x, method="bootstrap", resamples=50, rng=11)
    b = fit_usl_intervals(n, x, method="bootstrap", resamples=50, rng=11)
    c = fit_usl_intervals(n, x, method="bootstrap", resamples=50, rng=12)
    assert np.array_equal(a.replicates, b.replicates)
    assert not np.array_equal(a.replicates, c.replicates)
    assert a.replicates.shape == (50, 3)
    # percentile interval: the central 95 % of the refitted values
    assert a.kappa.low == pytest.approx(np.quantile(a.replicates[:, 2], 0.025))


def test_bootstrap_keeps_the_spread_of_the_repeats():
    # Exact curve plus +-d at every level: the refitted sigma varies only
    # because the repeats are resampled, never beyond what the data allow.
    n = np.repeat(np.arange(1, 7), 2).astype(float)
    exact = usl_throughput(n, LAM, SIGMA, KAPPA)
    flat = fit_usl_intervals(n, exact, method="bootstrap", resamples=30, rng=0)
    assert flat.sigma.width < 1e-6
    x = exact + np.tile([-0.1, 0.1], 6)
    noisy = fit_usl_intervals(n, x, method="bootstrap", resamples=100, rng=0)
    assert noisy.sigma.width > 1e-3


def test_parameter_interval_covers_closed_interval():
    iv = ParameterInterval(1.0, 0.5, 2.0)
    assert iv.covers(0.5) and iv.covers(2.0) and not iv.covers(2.0001)
    assert iv.width == 1.5


def test_bad_input_names_the_parameter():
    n, x = synthetic(2, seed=0)
    with pytest.raises(ValueError, match="level"):
        fit_usl_intervals(n, x, level=1.0)
    with pytest.raises(ValueError, match="level"):
        fit_usl_intervals(n, x, level=0.0)
    with pytest.raises(ValueError, match="method"):
        fit_usl_intervals(n, x, method="jackknife")
    with pytest.raises(ValueError, match="resamples"):
        fit_usl_intervals(n, x, method="bootstrap", resamples=5, rng=0)
    with pytest.raises(ValueError, match="throughput"):
        fit_usl_intervals(n, -x)
    with pytest.raises(ValueError, match="n must hold at least 4"):
        fit_usl_intervals([1, 2, 3], [1.0, 1.8, 2.4])
    with pytest.raises(ValueError, match="n must repeat every concurrency level"):
        fit_usl_intervals([1, 2, 3, 4], [1.0, 1.8, 2.4, 2.9], method="bootstrap",
                          rng=0)
    with pytest.raises(TypeError, match="rng"):
        fit_usl_intervals(n, x, method="bootstrap", rng="seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sigma"):
        usl_jacobian([1, 2], 1.0, -0.1, 0.0)
