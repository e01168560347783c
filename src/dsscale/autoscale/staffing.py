r"""How many servers a Poisson load needs: exact Erlang C and square-root staffing.

An autoscaler turns a measured load into a number of servers. For the M/M/c
queue of Chapter 1 that number has an exact answer (search on Erlang's C
formula) and an asymptotic one, the *square-root staffing rule*
:math:`c = a + \beta\sqrt{a}` of the Halfin–Whitt regime, in which the safety
margin above the offered load :math:`a = \lambda/\mu` grows only like
:math:`\sqrt{a}`.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

from dsscale._validate import check_float
from dsscale.queueing import mmc_response_tail


def _offered_load(arrival_rate: float, service_rate: float) -> float:
    lam = check_float("arrival_rate", arrival_rate, 0.0, strict_min=True)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    return lam / mu


def erlang_c_servers(arrival_rate: float, service_rate: float,
                     max_wait_probability: float) -> int:
    r"""Smallest number of servers c whose Erlang C probability of waiting is small.

    Returns the least :math:`c > a` with :math:`C(c, a) \le \varepsilon`
    (``max_wait_probability``), found by walking up from :math:`\lfloor a
    \rfloor + 1` with the Erlang B recursion
    :math:`B_k = a B_{k-1} / (k + a B_{k-1})`,
    :math:`C = B_c / (1 - \rho (1 - B_c))`. :math:`C(c, a)` decreases in c, so
    the first c that meets the target is the answer.

    >>> erlang_c_servers(20.0, 1.0, 0.2)
    26

    References
    ----------
    A. K. Erlang, 1917; L. Kleinrock, *Queueing Systems* vol. 1, 1975, §3.5.
    """
    a = _offered_load(arrival_rate, service_rate)
    eps = check_float("max_wait_probability", max_wait_probability, 0.0, 1.0,
                      strict_min=True, strict_max=True)
    b = 1.0
    c = 0
    while True:
        c += 1
        b = a * b / (c + a * b)
        if c > a and b / (1.0 - (a / c) * (1.0 - b)) <= eps:
            return c


def _std_normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _std_normal_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def halfin_whitt_wait_probability(beta: float) -> float:
    r"""Limit of the probability of waiting when :math:`c = a + \beta\sqrt{a}`.

    .. math:: \alpha(\beta) = \Bigl[1 + \frac{\beta\,\Phi(\beta)}
              {\varphi(\beta)}\Bigr]^{-1}, \qquad \beta > 0,

    with :math:`\Phi` and :math:`\varphi` the standard normal CDF and density.
    It falls from 1 at :math:`\beta = 0` to 0 as :math:`\beta \to \infty` and
    does not depend on a: the same β gives the same service level at every
    scale.

    >>> round(halfin_whitt_wait_probability(1.0), 4)
    0.2234

    References
    ----------
    S. Halfin and W. Whitt, "Heavy-traffic limits for queues with many
    exponential servers", Operations Research 29(3), 1981.
    """
    b = check_float("beta", beta, 0.0, strict_min=True)
    density = _std_normal_pdf(b)  # written so that it tends to 0, not 0/0
    return density / (density + b * _std_normal_cdf(b))


def halfin_whitt_beta(max_wait_probability: float) -> float:
    r"""The β with :math:`\alpha(\beta) = \varepsilon`, by root finding.

    :math:`\alpha` is strictly decreasing, so the root is unique; it is
    bracketed in :math:`(0, 35)`, which covers every target down to
    :math:`10^{-200}`.

    >>> round(halfin_whitt_beta(0.2), 4)
    1.0615
    """
    eps = check_float("max_wait_probability", max_wait_probability, 1e-200, 1.0,
                      strict_max=True)
    return float(brentq(lambda b: halfin_whitt_wait_probability(b) - eps,
                        1e-12, 35.0, xtol=1e-13))


def square_root_staffing(arrival_rate: float, service_rate: float,
                         max_wait_probability: float) -> int:
    r"""Square-root staffing, :math:`\lceil a + \beta\sqrt{a}\rceil`.

    β solves :math:`\alpha(\beta) = \varepsilon`
    (:func:`halfin_whitt_beta`). Borst, Mandelbaum and Reiman found the rule
    exact or within one server of the optimum over a wide range of loads.

    >>> square_root_staffing(20.0, 1.0, 0.2)   # exact: 26
    25

    References
    ----------
    S. Halfin and W. Whitt, Operations Research 29(3), 1981; S. Borst,
    A. Mandelbaum and M. Reiman, "Dimensioning large call centers",
    Operations Research 52(1), 2004.
    """
    a = _offered_load(arrival_rate, service_rate)
    beta = halfin_whitt_beta(max_wait_probability)
    return max(1, math.ceil(a + beta * math.sqrt(a) - 1e-9))


def servers_for_latency(arrival_rate: float, service_rate: float, latency: float,
                        max_violation: float) -> int:
    r"""Smallest c with :math:`P(T > \text{latency}) \le` ``max_violation`` in M/M/c.

    However many servers there are, a request still takes its own service
    time, so the target is reachable only if :math:`e^{-\mu t}` is below it;
    otherwise a ``ValueError`` says so. :math:`P(T > t)` decreases in c, so the
    search from :math:`\lfloor a \rfloor + 1` upwards stops at the answer.

    >>> servers_for_latency(20.0, 1.0, 5.0, 0.01)
    23
    """
    a = _offered_load(arrival_rate, service_rate)
    t = check_float("latency", latency, 0.0, strict_min=True)
    eps = check_float("max_violation", max_violation, 0.0, 1.0, strict_min=True,
                      strict_max=True)
    floor = math.exp(-service_rate * t)
    if floor >= eps:
        raise ValueError(
            f"max_violation must exceed exp(-service_rate * latency) = {floor:.3g}: "
            "even with unlimited servers that many requests take longer than "
            f"latency to serve, got {eps:g}")
    c = math.floor(a) + 1
    while mmc_response_tail(c, arrival_rate, service_rate, t) > eps:
        c += 1
    return c
