r"""Cold starts in a pool of instances, exactly, for Poisson arrivals.

Each request runs on an instance of its own for an exponential time (rate
``service_rate`` μ), so the number of busy instances N(t) is the M/M/∞
birth–death process with Poisson(:math:`a = \lambda/\mu`) stationary law. Idle
instances are reused most recently idle first and reclaimed after
``keep_alive`` T idle seconds. Under that rule (derived in the book,
Chapter 5, "Serverless and cold starts") a request is cold exactly when the
number of busy instances it finds equals the maximum over the last T seconds,
and the pool holds :math:`M(t) = \max_{[t-T, t]} N` instances. N is
reversible, so looking back from an arrival is looking forward from a
stationary state, and

.. math:: P(\text{cold}) = \sum_{n \ge 0} \pi_n\,
          P_n\bigl(N \le n \text{ throughout } [0, T]\bigr)
          = \sum_{n \ge 0} \pi_n \bigl[e^{Q_n T}\mathbf 1\bigr]_n ,

with :math:`Q_n` the generator of N restricted to :math:`\{0, \dots, n\}`
(a jump above n leaves it), and likewise
:math:`P(M \le m) = \sum_{j \le m} \pi_j [e^{Q_m T}\mathbf 1]_j`.

Provisioned concurrency — k instances that never expire and are used first —
turns the provisioned part into Erlang's loss system: a request overflows
to an on-demand instance with probability :math:`B(k, a)` (Erlang B),
whatever the distribution of execution times.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import eigh_tridiagonal
from scipy.stats import poisson

from dsscale._validate import check_float
from dsscale.queueing import erlang_b

_TAIL = 1e-13


def _weighted_stay_below(m: int, lam: float, mu: float,
                         t: float) -> NDArray[np.float64]:
    r""":math:`\pi_j P_j(N \le m \text{ on } [0, t])` for every start j in 0..m.

    The birth–death generator is symmetrised by :math:`D = \mathrm{diag}(\sqrt{\pi})`
    (detailed balance makes :math:`D Q D^{-1}` symmetric, off-diagonal
    :math:`\sqrt{\lambda (j+1) \mu}`), so
    :math:`\pi_j [e^{Q t}\mathbf 1]_j = \sqrt{\pi_j}\,[e^{S t}\sqrt{\pi}]_j` with a
    symmetric tridiagonal S, exponentiated through its eigenvectors. Working
    with :math:`\pi`-weighted values keeps far-tail states from losing precision.
    """
    j = np.arange(m + 1, dtype=np.float64)
    root_pi = np.sqrt(poisson.pmf(j, lam / mu))
    diagonal = -(lam + j * mu)
    if m == 0:
        alone: NDArray[np.float64] = root_pi * np.exp(diagonal * t) * root_pi
        return alone
    theta, vectors = eigh_tridiagonal(diagonal, np.sqrt(lam * j[1:] * mu))
    inside = vectors @ (np.exp(theta * t) * (vectors.T @ root_pi))
    weighted: NDArray[np.float64] = np.clip(root_pi * inside, 0.0, None)
    return weighted


def _rates(arrival_rate: float, service_rate: float,
           keep_alive: float) -> tuple[float, float, float]:
    return (check_float("arrival_rate", arrival_rate, 0.0, strict_min=True),
            check_float("service_rate", service_rate, 0.0, strict_min=True),
            check_float("keep_alive", keep_alive, 0.0))


def _limit(a: float) -> int:
    return math.ceil(a + 60.0 * math.sqrt(a) + 200.0)


def pool_cold_probability(arrival_rate: float, service_rate: float,
                          keep_alive: float) -> float:
    r"""Fraction of requests that start a new instance (see the module formula).

    With no keep-alive every request is cold; with instant requests
    (:math:`\mu \to \infty`) it tends to :math:`e^{-\lambda T}`.

    >>> round(pool_cold_probability(2.0, 1.0, 0.0), 12)
    1.0
    >>> round(pool_cold_probability(0.5, 1e6, 2.0), 5)   # ~ exp(-1) = 0.367879
    0.36788
    """
    lam, mu, t = _rates(arrival_rate, service_rate, keep_alive)
    a = lam / mu
    total, n = 0.0, 0
    while poisson.sf(n - 1, a) > _TAIL:   # P(N >= n): what is left to add
        total += float(_weighted_stay_below(n, lam, mu, t)[n])
        n += 1
    return total


def pool_mean_instances(arrival_rate: float, service_rate: float,
                        keep_alive: float) -> float:
    r"""Mean number of instances alive (busy or kept warm), :math:`E[M]`.

    :math:`E[M] = \sum_{m \ge 0} P(M > m)`; the busy ones average
    :math:`a = \lambda/\mu`, so :math:`E[M] - a` instances sit idle: that is
    the keep-alive bill. Raises ``ValueError`` when T is so long that the
    maximum wanders beyond the exact computation's reach.

    >>> round(pool_mean_instances(3.0, 1.0, 0.0), 12)   # no keep-alive: busy ones
    3.0
    """
    lam, mu, t = _rates(arrival_rate, service_rate, keep_alive)
    a = lam / mu
    total = 0.0
    for m in range(_limit(a) + 1):
        above = 1.0 - float(np.sum(_weighted_stay_below(m, lam, mu, t)))
        if above < _TAIL:
            return total
        total += above
    raise ValueError(f"keep_alive {t:g} is too long for arrival_rate * keep_alive = "
                     f"{lam * t:g}: the pool maximum exceeds {_limit(a)} instances")


def overflow_probability(arrival_rate: float, service_rate: float,
                         provisioned: int) -> float:
    r"""Fraction of requests that find every provisioned instance busy, B(k, a).

    Those requests go to on-demand instances; with no keep-alive there they
    are exactly the cold starts, so this is also the cold fraction of a
    function that relies on provisioned concurrency alone.

    >>> overflow_probability(1.0, 1.0, 2)   # (1/2) / (1 + 1 + 1/2)
    0.2
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    return float(erlang_b(provisioned, lam, mu))


def provisioned_for_overflow(arrival_rate: float, service_rate: float,
                             max_overflow: float) -> int:
    """Smallest provisioned concurrency k with :math:`B(k, a) \\le` ``max_overflow``.

    B(k, a) decreases in k, so the walk up the Erlang B recursion stops at
    the answer.

    >>> provisioned_for_overflow(1.0, 1.0, 0.2)
    2
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    eps = check_float("max_overflow", max_overflow, 0.0, 1.0, strict_min=True)
    a, b, k = lam / mu, 1.0, 0
    while b > eps:
        k += 1
        b = a * b / (k + a * b)
    return k
