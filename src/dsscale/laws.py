r"""Scalability laws: Amdahl, Gustafson and the Universal Scalability Law.

Every function takes arrays where natural and broadcasts like numpy. The fits
are nonlinear least squares on the measured quantity itself (throughput or
speedup), never on a linearised transform, because a linearisation reweights
the errors and biases the parameters (Gunther's ``usl`` method).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares

from dsscale._validate import check_array

FloatOrArray = float | NDArray[np.float64]


def _out(x: NDArray[np.float64]) -> FloatOrArray:
    return float(x) if x.ndim == 0 else x


def amdahl_speedup(parallel_fraction: ArrayLike, workers: ArrayLike) -> FloatOrArray:
    r"""Speedup of a fixed-size job whose fraction ``p`` runs on ``n`` workers.

    .. math:: S(n) = \frac{1}{(1 - p) + p / n}

    Parameters
    ----------
    parallel_fraction : float or array
        p in [0, 1], the fraction of the one-worker run time that parallelises.
    workers : float or array
        n >= 1.

    References
    ----------
    G. M. Amdahl, "Validity of the single processor approach to achieving large
    scale computing capabilities", AFIPS Spring Joint Computer Conference, 1967.
    """
    p = check_array("parallel_fraction", parallel_fraction, 0.0, 1.0)
    n = check_array("workers", workers, 1.0)
    return _out((1.0 / ((1.0 - p) + p / n)).astype(np.float64))


def gustafson_speedup(parallel_fraction: ArrayLike, workers: ArrayLike) -> FloatOrArray:
    r"""Scaled speedup when the problem grows so that each worker stays busy.

    ``p`` is the parallel fraction of the run time *measured on n workers*.

    .. math:: S(n) = (1 - p) + p\,n

    References
    ----------
    J. L. Gustafson, "Reevaluating Amdahl's law", Communications of the ACM
    31(5), 1988.
    """
    p = check_array("parallel_fraction", parallel_fraction, 0.0, 1.0)
    n = check_array("workers", workers, 1.0)
    return _out(((1.0 - p) + p * n).astype(np.float64))


def gustafson_parallel_fraction(speedup: ArrayLike, workers: ArrayLike) -> FloatOrArray:
    r"""Parallel fraction ``p'`` of the ``n``-worker run implied by a scaled speedup.

    Inverts :func:`gustafson_speedup`: from :math:`S = (1 - p') + p' n`,

    .. math:: p' = \frac{S - 1}{n - 1}, \qquad 1 - p' = \frac{n - S}{n - 1}.

    Parameters
    ----------
    speedup : float or array
        Measured scaled speedup S in [1, n].
    workers : float or array
        n > 1 (at n = 1 every p' gives S = 1, so nothing can be inferred).

    Examples
    --------
    >>> round(1 - gustafson_parallel_fraction(1021, 1024), 6)  # serial share 3/1023
    0.002933

    References
    ----------
    J. L. Gustafson, "Reevaluating Amdahl's law", Communications of the ACM
    31(5), 1988.
    """
    n = check_array("workers", workers, 1.0, strict_min=True)
    s = check_array("speedup", speedup, 1.0)
    if np.any(s > n):
        raise ValueError(f"speedup must be in 1..workers, got {speedup!r} "
                         f"for workers {workers!r}")
    return _out(((s - 1.0) / (n - 1.0)).astype(np.float64))


def amdahl_fraction_from_scaled(scaled_parallel_fraction: ArrayLike,
                                workers: ArrayLike) -> FloatOrArray:
    r"""Amdahl (one-worker) parallel fraction of a problem scaled to ``n`` workers.

    If ``p'`` is the parallel fraction measured on the ``n``-worker run, one
    worker would need :math:`(1 - p') + n p'` for the same problem, of which
    :math:`n p'` is parallel:

    .. math:: p = \frac{n p'}{(1 - p') + n p'},

    so that ``amdahl_speedup(p, n) == gustafson_speedup(p', n)``.

    Examples
    --------
    >>> p = amdahl_fraction_from_scaled(0.95, 1024)
    >>> round(amdahl_speedup(p, 1024), 6) == round(gustafson_speedup(0.95, 1024), 6)
    True
    """
    q = check_array("scaled_parallel_fraction", scaled_parallel_fraction, 0.0, 1.0)
    n = check_array("workers", workers, 1.0)
    return _out((n * q / ((1.0 - q) + n * q)).astype(np.float64))


def efficiency(speedup: ArrayLike, workers: ArrayLike) -> FloatOrArray:
    r"""Parallel efficiency :math:`E(n) = S(n) / n` (1 is perfect scaling)."""
    s = check_array("speedup", speedup, 0.0, strict_min=True)
    n = check_array("workers", workers, 1.0)
    return _out((s / n).astype(np.float64))


def usl_throughput(n: ArrayLike, lambda_: float, sigma: float,
                   kappa: float) -> FloatOrArray:
    r"""Throughput at concurrency ``n`` under the Universal Scalability Law.

    .. math:: X(n) = \frac{\lambda n}{1 + \sigma (n - 1) + \kappa n (n - 1)}

    ``lambda_`` is the throughput of one worker, ``sigma`` >= 0 the contention
    (serialisation) and ``kappa`` >= 0 the coherency (crosstalk) coefficient.
    With ``kappa = 0`` this is Amdahl's law with serial fraction ``sigma``.

    References
    ----------
    N. J. Gunther, *Guerrilla Capacity Planning*, Springer, 2007, ch. 4.
    """
    x = check_array("n", n, 1.0)
    lam = float(check_array("lambda_", lambda_, 0.0, strict_min=True))
    s = float(check_array("sigma", sigma, 0.0))
    k = float(check_array("kappa", kappa, 0.0))
    return _out(lam * x / (1.0 + s * (x - 1.0) + k * x * (x - 1.0)))


def usl_peak(sigma: float, kappa: float) -> float:
    r"""Concurrency at which USL throughput peaks.

    Setting :math:`dX/dn = 0` gives :math:`1 - \sigma - \kappa n^2 = 0`, so

    .. math:: N^* = \sqrt{\frac{1 - \sigma}{\kappa}}

    Returns ``inf`` when ``kappa == 0`` (throughput then rises monotonically to
    the Amdahl ceiling :math:`\lambda/\sigma`).
    """
    s = float(check_array("sigma", sigma, 0.0, 1.0))
    k = float(check_array("kappa", kappa, 0.0))
    if k == 0.0:
        return float("inf")
    return float(np.sqrt((1.0 - s) / k))


@dataclass(frozen=True)
class USLFit:
    """Result of :func:`fit_usl`: the three USL parameters and the fit quality."""

    lambda_: float
    sigma: float
    kappa: float
    n: NDArray[np.float64]
    throughput: NDArray[np.float64]

    def predict(self, n: ArrayLike) -> FloatOrArray:
        """Throughput the fitted model predicts at concurrency ``n``."""
        return usl_throughput(n, self.lambda_, self.sigma, self.kappa)

    @property
    def peak(self) -> float:
        """Concurrency :math:`N^*` where the fitted throughput peaks."""
        return usl_peak(min(self.sigma, 1.0), self.kappa)

    @property
    def residuals(self) -> NDArray[np.float64]:
        """Measured minus fitted throughput at the measured points."""
        return np.asarray(self.throughput - np.asarray(self.predict(self.n)),
                          dtype=np.float64)

    @property
    def r_squared(self) -> float:
        """Coefficient of determination of the fit on throughput."""
        total = float(np.sum((self.throughput - self.throughput.mean()) ** 2))
        if total == 0.0:
            return 1.0
        return 1.0 - float(np.sum(self.residuals**2)) / total


def _check_pairs(n_name: str, n: ArrayLike, y_name: str, y: ArrayLike,
                 min_points: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = check_array(n_name, n, 1.0)
    v = check_array(y_name, y, 0.0, strict_min=True)
    if x.ndim != 1 or v.ndim != 1:
        raise ValueError(f"{n_name} and {y_name} must be one-dimensional")
    if x.shape != v.shape:
        raise ValueError(
            f"{n_name} and {y_name} must have the same length, "
            f"got {x.size} and {v.size}")
    if x.size < min_points:
        raise ValueError(
            f"{n_name} must hold at least {min_points} points, got {x.size}")
    return x, v


def fit_usl(n: ArrayLike, throughput: ArrayLike) -> USLFit:
    r"""Fit the USL to measured throughput by nonlinear least squares.

    Minimises :math:`\sum_i (X_i - X(n_i; \lambda, \sigma, \kappa))^2` with
    :math:`\lambda > 0` free and :math:`\sigma, \kappa \ge 0` (bounded trust-region
    least squares), the method of Gunther's ``usl`` R package. The starting
    :math:`\lambda` is the best single-worker throughput observed (or the
    smallest-n point scaled to n = 1).

    Parameters
    ----------
    n : array of float, >= 1
        Concurrency levels (at least 3 points; repeats allowed).
    throughput : array of float, > 0
        Measured throughput at each level.
    """
    x, y = _check_pairs("n", n, "throughput", throughput, 3)
    if np.unique(x).size < 3:
        raise ValueError("n must contain at least 3 distinct concurrency levels")
    lam0 = float(np.max(y[x == x.min()]) / x.min())

    def resid(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        lam, s, k = theta
        return np.asarray(lam * x / (1.0 + s * (x - 1.0) + k * x * (x - 1.0)) - y,
                          dtype=np.float64)

    best = None
    for s0, k0 in ((0.01, 1e-4), (0.1, 1e-3), (0.5, 1e-2)):
        sol = least_squares(resid, x0=[lam0, s0, k0],
                            bounds=([1e-12, 0.0, 0.0], [np.inf, np.inf, np.inf]),
                            x_scale=[max(lam0, 1e-12), 0.1, 1e-3], method="trf")
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    lam, s, k = (float(v) for v in best.x)
    return USLFit(lambda_=lam, sigma=s, kappa=k, n=x, throughput=y)


def fit_amdahl(workers: ArrayLike, speedup: ArrayLike) -> float:
    r"""Parallel fraction ``p`` that best explains measured speedups.

    Nonlinear least squares on the speedup itself,
    :math:`\min_p \sum_i (S_i - 1/((1-p) + p/n_i))^2` with p in [0, 1]. The
    serial fraction is ``1 - p``. Needs at least two points (n = 1 carries no
    information, since S(1) = 1 for every p).
    """
    x, y = _check_pairs("workers", workers, "speedup", speedup, 2)
    if np.all(x == 1.0):
        raise ValueError("workers must include a value greater than 1")

    def resid(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        p = theta[0]
        return np.asarray(1.0 / ((1.0 - p) + p / x) - y, dtype=np.float64)

    sol = least_squares(resid, x0=[0.9], bounds=([0.0], [1.0]), method="trf")
    return float(sol.x[0])
