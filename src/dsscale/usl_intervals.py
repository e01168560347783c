r"""Confidence intervals for the Universal Scalability Law's parameters.

:func:`dsscale.laws.fit_usl` gives point estimates of :math:`\lambda`,
:math:`\sigma` and :math:`\kappa`. This module says how far they can be
trusted, in two standard ways:

* **Wald intervals** from the linearisation of the model at the estimate
  (Bates and Watts, *Nonlinear Regression Analysis and Its Applications*,
  Wiley, 1988, ch. 2): with the Jacobian :math:`J` of the model at
  :math:`\hat\theta` and the residual variance
  :math:`s^2 = \mathrm{RSS}/(m - 3)`, the covariance of the estimate is
  approximately :math:`s^2 (J^\top J)^{-1}`, and the interval is the estimate
  :math:`\pm\, t_{m-3} \cdot` standard error. Fast, but it assumes the model is
  nearly linear in its parameters over the interval and that the noise has one
  variance at every concurrency level.
* **Bootstrap percentile intervals** (Efron and Tibshirani, *An Introduction
  to the Bootstrap*, Chapman & Hall, 1993, ch. 13): the repeated measurements
  at each concurrency level are resampled with replacement (a stratified
  bootstrap, so every resample still has every level), the USL is refitted to
  each resample, and the interval is the central ``level`` share of the
  refitted values. It assumes neither linearity nor equal variances, but needs
  at least two measurements at every level, and it under-covers somewhat when
  there are only a few.

Intervals of :math:`\sigma` and :math:`\kappa` are clipped at 0, the bound the
fit imposes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares
from scipy.stats import t as student_t

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int
from dsscale.laws import USLFit, fit_usl

__all__ = ["ParameterInterval", "USLIntervals", "fit_usl_intervals", "usl_jacobian"]

_METHODS = ("wald", "bootstrap")


def usl_jacobian(n: ArrayLike, lambda_: float, sigma: float,
                 kappa: float) -> NDArray[np.float64]:
    r"""Derivatives of the USL throughput with respect to its parameters.

    With :math:`D = 1 + \sigma (n - 1) + \kappa n (n - 1)` and
    :math:`X = \lambda n / D`, the columns are

    .. math::
        \frac{\partial X}{\partial \lambda} = \frac{n}{D}, \quad
        \frac{\partial X}{\partial \sigma} = -\frac{\lambda n (n - 1)}{D^2}, \quad
        \frac{\partial X}{\partial \kappa} = -\frac{\lambda n^2 (n - 1)}{D^2}.

    Returns an array of shape ``(len(n), 3)``, columns in the order
    (lambda, sigma, kappa).

    Examples
    --------
    >>> usl_jacobian([1, 2], 10.0, 0.1, 0.05).round(3).tolist()
    [[1.0, -0.0, -0.0], [1.667, -13.889, -27.778]]
    """
    x = check_array("n", n, 1.0)
    if x.ndim != 1:
        raise ValueError("n must be one-dimensional")
    lam = float(check_array("lambda_", lambda_, 0.0, strict_min=True))
    s = float(check_array("sigma", sigma, 0.0))
    k = float(check_array("kappa", kappa, 0.0))
    d = 1.0 + s * (x - 1.0) + k * x * (x - 1.0)
    return np.column_stack([x / d, -lam * x * (x - 1.0) / d**2,
                            -lam * x * x * (x - 1.0) / d**2]).astype(np.float64)


@dataclass(frozen=True)
class ParameterInterval:
    """A point estimate and its confidence interval ``[low, high]``."""

    estimate: float
    low: float
    high: float

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the closed interval."""
        return bool(self.low <= float(value) <= self.high)

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class USLIntervals:
    """Result of :func:`fit_usl_intervals`: the fit and an interval per parameter."""

    fit: USLFit
    method: str
    """``"wald"`` or ``"bootstrap"``."""
    level: float
    """Nominal coverage, e.g. 0.95."""
    lambda_: ParameterInterval
    sigma: ParameterInterval
    kappa: ParameterInterval
    replicates: NDArray[np.float64] = field(repr=False)
    """Bootstrap: the refitted (lambda, sigma, kappa), one row per resample.
    Wald: the 3 x 3 covariance matrix of the estimate."""


_Vec = NDArray[np.float64]


def _resid(x: _Vec, y: _Vec) -> tuple[Callable[[_Vec], _Vec], Callable[[_Vec], _Vec]]:
    def f(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        lam, s, k = theta
        return np.asarray(lam * x / (1.0 + s * (x - 1.0) + k * x * (x - 1.0)) - y,
                          dtype=np.float64)

    def jac(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        lam, s, k = theta
        d = 1.0 + s * (x - 1.0) + k * x * (x - 1.0)
        return np.column_stack([x / d, -lam * x * (x - 1.0) / d**2,
                                -lam * x * x * (x - 1.0) / d**2]).astype(np.float64)

    return f, jac


def _refit(x: NDArray[np.float64], y: NDArray[np.float64],
           start: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least squares from a warm start (the full-data estimate)."""
    f, jac = _resid(x, y)
    x0 = np.array([max(start[0], 1e-9), max(start[1], 1e-9), max(start[2], 1e-12)])
    sol = least_squares(f, x0=x0, jac=jac,
                        bounds=([1e-12, 0.0, 0.0], [np.inf, np.inf, np.inf]),
                        x_scale=[max(x0[0], 1e-12), 0.1, 1e-3], method="trf")
    return np.asarray(sol.x, dtype=np.float64)


def _wald(fit: USLFit, level: float) -> USLIntervals:
    x = fit.n
    m = x.size
    jac = usl_jacobian(x, fit.lambda_, fit.sigma, fit.kappa)
    rss = float(np.sum(fit.residuals**2))
    s2 = rss / (m - 3)
    cov = s2 * np.linalg.pinv(jac.T @ jac)
    half = float(student_t.ppf(0.5 + level / 2, m - 3)) * np.sqrt(np.diag(cov))
    est = (fit.lambda_, fit.sigma, fit.kappa)
    ivals = [ParameterInterval(e, float(e - h), float(e + h)) if i == 0 else
             ParameterInterval(e, max(0.0, float(e - h)), float(e + h))
             for i, (e, h) in enumerate(zip(est, half, strict=True))]
    return USLIntervals(fit, "wald", level, ivals[0], ivals[1], ivals[2],
                        np.asarray(cov, dtype=np.float64))


def _bootstrap(fit: USLFit, level: float, resamples: int,
               gen: np.random.Generator) -> USLIntervals:
    x, y = fit.n, fit.throughput
    levels = np.unique(x)
    groups = [np.flatnonzero(x == v) for v in levels]
    if min(g.size for g in groups) < 2:
        raise ValueError("n must repeat every concurrency level at least twice "
                         "for the bootstrap (it resamples the repeats of each level)")
    # Deviations from each level's mean, inflated by sqrt(r / (r - 1)) so that
    # resampling r of them has the variance of the data (plain resampling of r
    # values shrinks it by (r - 1) / r, which matters for a handful of repeats).
    means = np.empty_like(y)
    spread = np.empty_like(y)
    for g in groups:
        means[g] = y[g].mean()
        spread[g] = (y[g] - y[g].mean()) * np.sqrt(g.size / (g.size - 1))
    start = np.array([fit.lambda_, fit.sigma, fit.kappa])
    rows = np.empty((resamples, 3))
    for b in range(resamples):
        resampled = means.copy()
        for g in groups:
            resampled[g] += spread[gen.choice(g, size=g.size, replace=True)]
        rows[b] = _refit(x, np.maximum(resampled, 1e-12), start)
    lo, hi = np.quantile(rows, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    est = (fit.lambda_, fit.sigma, fit.kappa)
    ivals = [ParameterInterval(e, float(a), float(b))
             for e, a, b in zip(est, lo, hi, strict=True)]
    return USLIntervals(fit, "bootstrap", level, ivals[0], ivals[1], ivals[2], rows)


def fit_usl_intervals(n: ArrayLike, throughput: ArrayLike, *, level: float = 0.95,
                      method: str = "wald", resamples: int = 400,
                      rng: RNGLike = None) -> USLIntervals:
    r"""Fit the USL (:func:`dsscale.laws.fit_usl`) with confidence intervals.

    Parameters
    ----------
    n, throughput : arrays
        Concurrency levels (repeats allowed, at least 4 points and 3 distinct
        levels) and the throughput measured at each.
    level : float in (0, 1)
        Nominal coverage of each interval (each parameter separately).
    method : ``"wald"`` or ``"bootstrap"``
        See the module docstring. The bootstrap needs at least two
        measurements at every level.
    resamples : int >= 20
        Bootstrap resamples (ignored by Wald).
    rng : Generator or int seed
        Randomness of the bootstrap (ignored by Wald).

    Examples
    --------
    >>> from dsscale.laws import usl_throughput
    >>> levels = np.repeat([1, 2, 4, 8], 3)
    >>> noise = np.tile([-0.01, 0.0, 0.01], 4)
    >>> x = usl_throughput(levels, 100.0, 0.1, 0.02) * (1 + noise)
    >>> ci = fit_usl_intervals(levels, x)
    >>> ci.sigma.covers(0.1) and ci.kappa.covers(0.02)
    True
    """
    lev = check_float("level", level, 0.0, 1.0, strict_min=True, strict_max=True)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    count = check_int("resamples", resamples, 20)
    fit = fit_usl(n, throughput)
    if fit.n.size < 4:
        raise ValueError(f"n must hold at least 4 points for intervals (one more "
                         f"than the 3 parameters), got {fit.n.size}")
    if method == "wald":
        return _wald(fit, lev)
    return _bootstrap(fit, lev, count, as_rng(rng))
