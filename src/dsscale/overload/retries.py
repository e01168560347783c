r"""Retries in closed form: amplification, the fixed points of a timing-out queue,
and the load below which a collapsed system recovers.

A client that retries a failed call up to r times, each attempt failing
independently with probability f, sends on average

.. math:: A(f) = \sum_{j=0}^{r} f^j = \frac{1 - f^{r+1}}{1 - f}

attempts per request: attempt j + 1 is made only if the first j failed. The
factor tends to r + 1 as f → 1, so a server that fails everything receives
r + 1 times its normal load — exactly when it can least afford it.

References
----------
N. Bronson, A. Aghayev, A. Charapko and T. Zhu, "Metastable Failures in
Distributed Systems", HotOS 2021; M. Brooker, "Timeouts, retries, and backoff
with jitter", Amazon Builders' Library, 2019.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.queueing import mmc_response_tail


def retry_amplification(failure_probability: float, max_retries: int,
                        layers: int = 1) -> float:
    r"""Expected attempts at the bottom per request at the top: :math:`\prod_l A(f_l)`.

    With one layer this is :math:`A(f) = (1 - f^{r+1})/(1 - f)` (and r + 1
    at f = 1). When ``layers`` services each retry a failing call to the one
    below, layer l's call fails only if all its attempts fail,
    :math:`f_{l+1} = f_l^{\,r+1}`, and every attempt at layer l + 1 causes
    :math:`A(f_l)` attempts below it, so the factors multiply: a hard failure
    (f = 1) at the bottom of three layers with three retries each turns one
    request into :math:`4^3 = 64` attempts.

    >>> retry_amplification(0.5, 3)
    1.875
    >>> retry_amplification(1.0, 3, layers=3)
    64.0
    """
    f = check_float("failure_probability", failure_probability, 0.0, 1.0)
    r = check_int("max_retries", max_retries, 0)
    depth = check_int("layers", layers, 1)
    total = 1.0
    for _ in range(depth):
        total *= float(r + 1) if f == 1.0 else (1.0 - f ** (r + 1)) / (1.0 - f)
        f = f ** (r + 1)
    return total


def recovery_threshold(capacity: float, max_retries: int,
                       retry_budget: float | None = None) -> float:
    r"""Arrival rate below which a collapsed queue drains, :math:`X/\min(r + 1, 1 + b)`.

    In the collapsed state every attempt waits longer than the timeout and
    fails, so each request makes its full r + 1 attempts and the server
    receives :math:`\lambda(r + 1)` attempts per second against a capacity X
    (:math:`c\mu`). The backlog shrinks only if that is below X. A retry
    budget that allows at most a fraction b of retries per first attempt
    caps the factor at 1 + b.

    >>> recovery_threshold(10.0, 3)
    2.5
    >>> round(recovery_threshold(10.0, 3, retry_budget=0.1), 6)
    9.090909
    """
    x = check_float("capacity", capacity, 0.0, strict_min=True)
    r = check_int("max_retries", max_retries, 0)
    factor = float(r + 1)
    if retry_budget is not None:
        factor = min(factor, 1.0 + check_float("retry_budget", retry_budget, 0.0))
    return x / factor


def retry_fixed_points(arrival_rate: float, service_rate: float, servers: int,
                       timeout: float, max_retries: int) -> NDArray[np.float64]:
    r"""Self-consistent failure probabilities of an M/M/c queue whose clients retry.

    Attempts fail when their response time exceeds ``timeout`` τ, the server
    works on them anyway, and the client retries. If the attempts reaching
    the server were Poisson with rate :math:`\lambda A(f)`, the failure
    probability f would have to satisfy

    .. math:: f = P\bigl(T > \tau \mid \lambda A(f)\bigr),

    the M/M/c response-time tail (:func:`dsscale.queueing.mmc_response_tail`),
    taken as 1 when :math:`\lambda A(f) \ge c\mu` (the backlog grows without
    bound and every attempt eventually times out). Returns every root in
    [0, 1], ascending. Three roots mean two stable states — mostly working
    and collapsed — separated by an unstable one: metastability. The
    collapsed root f = 1 exists exactly when
    :math:`\lambda (r + 1) \ge c\mu`, the recovery threshold.
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0, strict_min=True)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    c = check_int("servers", servers, 1)
    tau = check_float("timeout", timeout, 0.0, strict_min=True)
    r = check_int("max_retries", max_retries, 0)

    def gap(f: float) -> float:
        offered = lam * retry_amplification(f, r)
        tail = 1.0 if offered >= c * mu else mmc_response_tail(c, offered, mu, tau)
        return tail - f

    grid = np.linspace(0.0, 1.0, 401)
    values = np.array([gap(f) for f in grid])
    roots = [float(grid[i]) for i in np.flatnonzero(values == 0.0)]
    for i in np.flatnonzero(values[:-1] * values[1:] < 0):
        roots.append(float(brentq(gap, grid[i], grid[i + 1], xtol=1e-12)))
    return np.array(sorted(roots))


def backoff_delays(num_retries: int, base: float, cap: float, *, jitter: bool = True,
                   rng: RNGLike = None) -> NDArray[np.float64]:
    r"""Waits before retries 1..n: capped exponential backoff, with full jitter.

    Retry j waits :math:`\min(\text{cap}, \text{base}\cdot 2^{j-1})`, or with
    ``jitter`` a uniform draw between 0 and that ceiling, which spreads out
    clients that failed at the same moment.

    >>> backoff_delays(4, 1.0, 5.0, jitter=False).tolist()
    [1.0, 2.0, 4.0, 5.0]
    """
    n = check_int("num_retries", num_retries, 0)
    b = check_float("base", base, 0.0)
    top = check_float("cap", cap, b)
    ceilings = np.minimum(top, b * 2.0 ** np.arange(n))
    if not jitter:
        fixed: NDArray[np.float64] = ceilings.astype(np.float64)
        return fixed
    draws: NDArray[np.float64] = as_rng(rng).random(n) * ceilings
    return draws


def goodput(arrival_rate: float, failure_probability: float, max_retries: int) -> float:
    r"""Requests per second that eventually succeed: :math:`\lambda(1 - f^{r+1})`."""
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    f = check_float("failure_probability", failure_probability, 0.0, 1.0)
    r = check_int("max_retries", max_retries, 0)
    return lam * (1.0 - f ** (r + 1))
