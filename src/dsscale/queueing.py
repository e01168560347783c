r"""Queueing: Little's law, M/M/1, M/M/c (Erlang C), M/G/1, and a seeded simulator.

The closed forms assume Poisson arrivals (rate ``arrival_rate`` = λ), FCFS
service and, for M/M/*, exponential service times (rate ``service_rate`` = μ
per server). :func:`simulate_queue` runs the same system event by event so the
formulas can be checked against a measurement.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int

FloatOrArray = float | NDArray[np.float64]


def _out(x: NDArray[np.float64]) -> FloatOrArray:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


def littles_law(arrival_rate: ArrayLike | None = None,
                time_in_system: ArrayLike | None = None,
                number_in_system: ArrayLike | None = None) -> FloatOrArray:
    r"""Solve Little's law :math:`L = \lambda W` for whichever quantity is missing.

    Give exactly two of ``arrival_rate`` (λ), ``time_in_system`` (W) and
    ``number_in_system`` (L); the third is returned. Little's law holds for any
    stable system in steady state, whatever the arrival and service
    distributions.

    References
    ----------
    J. D. C. Little, "A proof for the queuing formula L = λW", Operations
    Research 9(3), 1961.
    """
    given = [v is not None for v in (arrival_rate, time_in_system, number_in_system)]
    if sum(given) != 2:
        raise ValueError("give exactly two of arrival_rate, time_in_system, "
                         f"number_in_system; got {sum(given)}")
    if number_in_system is None:
        assert arrival_rate is not None and time_in_system is not None
        lam = check_array("arrival_rate", arrival_rate, 0.0)
        w = check_array("time_in_system", time_in_system, 0.0)
        return _out(lam * w)
    big_l = check_array("number_in_system", number_in_system, 0.0)
    if time_in_system is None:
        assert arrival_rate is not None
        lam = check_array("arrival_rate", arrival_rate, 0.0, strict_min=True)
        return _out(big_l / lam)
    w = check_array("time_in_system", time_in_system, 0.0, strict_min=True)
    return _out(big_l / w)


def _rates(arrival_rate: ArrayLike, service_rate: ArrayLike,
           servers: int = 1) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lam = check_array("arrival_rate", arrival_rate, 0.0)
    mu = check_array("service_rate", service_rate, 0.0, strict_min=True)
    rho = lam / (servers * mu)
    if np.any(rho >= 1.0):
        raise ValueError(
            "arrival_rate must be < servers * service_rate for a stable queue "
            f"(utilisation must be < 1), got utilisation {np.max(rho):.3g}")
    return lam, mu


def utilization(arrival_rate: ArrayLike, service_rate: ArrayLike,
                servers: int = 1) -> FloatOrArray:
    r"""Server utilisation :math:`\rho = \lambda / (c\mu)`."""
    c = check_int("servers", servers, 1)
    lam = check_array("arrival_rate", arrival_rate, 0.0)
    mu = check_array("service_rate", service_rate, 0.0, strict_min=True)
    return _out(lam / (c * mu))


def mm1_response_time(arrival_rate: ArrayLike, service_rate: ArrayLike) -> FloatOrArray:
    r"""Mean time in an M/M/1 system (waiting plus service).

    .. math:: W = \frac{1}{\mu - \lambda} = \frac{1/\mu}{1 - \rho}

    It grows without bound as :math:`\rho \to 1`: at 90 % utilisation a request
    spends ten service times in the system.
    """
    lam, mu = _rates(arrival_rate, service_rate)
    return _out(1.0 / (mu - lam))


def mm1_number_in_system(arrival_rate: ArrayLike,
                         service_rate: ArrayLike) -> FloatOrArray:
    r"""Mean number in an M/M/1 system, :math:`L = \rho / (1 - \rho)`."""
    lam, mu = _rates(arrival_rate, service_rate)
    rho = lam / mu
    return _out(rho / (1.0 - rho))


def mm1_response_quantile(arrival_rate: ArrayLike, service_rate: ArrayLike,
                          q: ArrayLike) -> FloatOrArray:
    r"""The q-quantile of M/M/1 FCFS response time.

    The response time is exponential with rate :math:`\mu - \lambda`, so

    .. math:: T_q = \frac{-\ln(1 - q)}{\mu - \lambda}

    and the p99 is :math:`\ln 100 \approx 4.6` times the mean.
    """
    lam, mu = _rates(arrival_rate, service_rate)
    qq = check_array("q", q, 0.0, 1.0, strict_max=True)
    return _out(-np.log1p(-qq) / (mu - lam))


def erlang_c(servers: int, arrival_rate: ArrayLike,
             service_rate: ArrayLike) -> FloatOrArray:
    r"""Probability that an arrival must wait in an M/M/c queue (Erlang C).

    With offered load :math:`a = \lambda/\mu` and :math:`\rho = a/c`,

    .. math:: C(c, a) = \frac{\frac{a^c}{c!}\frac{1}{1-\rho}}
              {\sum_{k=0}^{c-1}\frac{a^k}{k!} + \frac{a^c}{c!}\frac{1}{1-\rho}}

    evaluated with the numerically stable Erlang B recursion
    :math:`B_k = a B_{k-1} / (k + a B_{k-1})`, :math:`C = B_c / (1 - \rho(1 - B_c))`.

    References
    ----------
    A. K. Erlang, 1917; L. Kleinrock, *Queueing Systems* vol. 1, 1975, §3.5.
    """
    c = check_int("servers", servers, 1)
    lam, mu = _rates(arrival_rate, service_rate, c)
    a = lam / mu
    b = np.ones_like(a)
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return _out(b / (1.0 - rho * (1.0 - b)))


def erlang_b(servers: int, arrival_rate: ArrayLike,
             service_rate: ArrayLike) -> FloatOrArray:
    r"""Probability that an arrival finds every server busy in a loss system (Erlang B).

    In an M/G/c/c system an arrival that finds the c servers busy is turned
    away rather than queued. With offered load :math:`a = \lambda/\mu`,

    .. math:: B(c, a) = \frac{a^c / c!}{\sum_{k=0}^{c} a^k / k!},

    evaluated with the stable recursion :math:`B_k = a B_{k-1} / (k + a B_{k-1})`,
    :math:`B_0 = 1`. It depends on the service time only through its mean
    (insensitivity), and needs no stability condition: nothing queues.

    References
    ----------
    A. K. Erlang, 1917; B. A. Sevastyanov, "An ergodic theorem for Markov
    processes and its application to telephone systems with refusals", Theory
    of Probability and its Applications 2(1), 1957.
    """
    c = check_int("servers", servers, 0)
    a = check_array("arrival_rate", arrival_rate, 0.0) / check_array(
        "service_rate", service_rate, 0.0, strict_min=True)
    b = np.ones_like(a)
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return _out(b)


def mmc_wait_time(servers: int, arrival_rate: ArrayLike,
                  service_rate: ArrayLike) -> FloatOrArray:
    r"""Mean time an M/M/c arrival waits before service.

    .. math:: W_q = \frac{C}{c\mu - \lambda}
    """
    c = check_int("servers", servers, 1)
    lam, mu = _rates(arrival_rate, service_rate, c)
    return _out(np.asarray(erlang_c(c, lam, mu)) / (c * mu - lam))


def mmc_response_time(servers: int, arrival_rate: ArrayLike,
                      service_rate: ArrayLike) -> FloatOrArray:
    r"""Mean time in an M/M/c system, :math:`W = W_q + 1/\mu`."""
    c = check_int("servers", servers, 1)
    lam, mu = _rates(arrival_rate, service_rate, c)
    return _out(np.asarray(mmc_wait_time(c, lam, mu)) + 1.0 / mu)


def mmc_response_tail(servers: int, arrival_rate: float, service_rate: float,
                      latency: float) -> float:
    r"""Probability that an M/M/c FCFS request spends longer than ``latency`` inside.

    The response time is :math:`T = W_q + S`: the wait is 0 with probability
    :math:`1 - C` and otherwise exponential with rate
    :math:`\theta = c\mu - \lambda`; the service S is exponential with rate μ
    and independent of the wait. Conditioning on whether the request waits,

    .. math:: P(T > t) = (1 - C)\,e^{-\mu t}
              + C\,\frac{\theta e^{-\mu t} - \mu e^{-\theta t}}{\theta - \mu},

    the second term being the tail of a sum of two exponentials (for
    :math:`\theta = \mu` it is :math:`(1 + \mu t)e^{-\mu t}`).

    >>> round(mmc_response_tail(1, 0.5, 1.0, 2.0), 6)   # M/M/1: exp(-(mu-lam) t)
    0.367879
    """
    c = check_int("servers", servers, 1)
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    t = check_float("latency", latency, 0.0)
    if lam >= c * mu:
        raise ValueError("arrival_rate must be < servers * service_rate for a "
                         f"stable queue, got {lam:g} >= {c * mu:g}")
    wait = float(erlang_c(c, lam, mu)) if lam > 0 else 0.0
    theta = c * mu - lam
    if math.isclose(theta, mu, rel_tol=1e-9):
        both = (1.0 + mu * t) * math.exp(-mu * t)
    else:
        both = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return (1.0 - wait) * math.exp(-mu * t) + wait * both


def mmc_wait_tail(servers: int, arrival_rate: float, service_rate: float,
                  wait: float) -> float:
    r"""Probability that an M/M/c FCFS request waits longer than ``wait`` for a server.

    An arrival waits at all with probability :math:`C(c, a)` (Erlang C); while
    every server is busy the queue drains like one server of rate
    :math:`c\mu`, so a waiting request waits an exponential time of rate
    :math:`\theta = c\mu - \lambda`:

    .. math:: P(W_q > t) = C(c, a)\, e^{-(c\mu - \lambda) t} .

    >>> round(mmc_wait_tail(1, 0.5, 1.0, 2.0), 6)   # M/M/1: rho e^{-(mu - lam) t}
    0.18394

    References
    ----------
    L. Kleinrock, *Queueing Systems* vol. 1, 1975, §3.5.
    """
    c = check_int("servers", servers, 1)
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    t = check_float("wait", wait, 0.0)
    if lam >= c * mu:
        raise ValueError("arrival_rate must be < servers * service_rate for a "
                         f"stable queue, got {lam:g} >= {c * mu:g}")
    if lam == 0.0:
        return 0.0
    return float(erlang_c(c, lam, mu)) * math.exp(-(c * mu - lam) * t)


def mmc_response_quantile(servers: int, arrival_rate: float, service_rate: float,
                          q: float) -> float:
    r"""The q-quantile of M/M/c FCFS response time.

    It is :math:`\min\{t : P(T > t) \le 1 - q\}`:
    :func:`mmc_response_tail` is continuous and strictly decreasing in t, so
    the quantile is its unique crossing of :math:`1 - q`, found by Brent's
    method on a bracket that doubles from one mean service time.

    >>> round(mmc_response_quantile(1, 0.5, 1.0, 0.99), 6)   # ln(100) / (mu - lam)
    9.21034
    """
    c = check_int("servers", servers, 1)
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    level = 1.0 - check_float("q", q, 0.0, 1.0, strict_max=True)
    if lam >= c * mu:
        raise ValueError("arrival_rate must be < servers * service_rate for a "
                         f"stable queue, got {lam:g} >= {c * mu:g}")
    if level >= 1.0:
        return 0.0
    hi = 1.0 / mu
    while mmc_response_tail(c, lam, mu, hi) > level:
        hi *= 2.0
    return float(brentq(lambda t: mmc_response_tail(c, lam, mu, t) - level, 0.0, hi,
                        xtol=1e-12 * hi, rtol=1e-12))


def mg1_response_time(arrival_rate: ArrayLike, service_mean: ArrayLike,
                      service_scv: ArrayLike) -> FloatOrArray:
    r"""Mean time in an M/G/1 system (Pollaczek–Khinchine).

    With :math:`\rho = \lambda E[S]` and squared coefficient of variation
    :math:`C_s^2 = \mathrm{Var}[S]/E[S]^2` of the service time,

    .. math:: W = E[S] + \frac{\rho\,(1 + C_s^2)}{2(1 - \rho)}\,E[S]

    :math:`C_s^2 = 1` recovers M/M/1; :math:`C_s^2 = 0` (constant service) halves
    the queueing delay.
    """
    es = check_array("service_mean", service_mean, 0.0, strict_min=True)
    scv = check_array("service_scv", service_scv, 0.0)
    _rates(arrival_rate, 1.0 / es)
    rho = check_array("arrival_rate", arrival_rate, 0.0) * es
    return _out(es + rho * (1.0 + scv) / (2.0 * (1.0 - rho)) * es)


@dataclass(frozen=True)
class QueueSimulation:
    """Per-customer record of a simulated FCFS queue (after the warm-up)."""

    arrival_times: NDArray[np.float64]
    wait_times: NDArray[np.float64]
    service_times: NDArray[np.float64]

    @property
    def response_times(self) -> NDArray[np.float64]:
        """Time in system of each customer: waiting plus service."""
        return self.wait_times + self.service_times

    @property
    def mean_response_time(self) -> float:
        return float(self.response_times.mean())

    @property
    def mean_number_in_system(self) -> float:
        """Time-average number in system, by Little's law from the sample path."""
        span = float(self.arrival_times[-1] - self.arrival_times[0])
        return float(self.response_times.sum() / span)

    def batch_means(self, num_batches: int = 30) -> tuple[float, float]:
        """Mean response time and its standard error by the method of batch means.

        Successive response times are correlated, so the naive
        :math:`s/\\sqrt{n}` understates the error; means of long contiguous
        batches are nearly independent and give an honest standard error.
        """
        b = check_int("num_batches", num_batches, 2)
        r = self.response_times
        usable = (r.size // b) * b
        if usable == 0:
            raise ValueError(f"num_batches must be <= number of customers ({r.size})")
        means = r[:usable].reshape(b, -1).mean(axis=1)
        return float(means.mean()), float(means.std(ddof=1) / math.sqrt(b))


def simulate_queue(arrival_rate: float, service_rate: float, *, servers: int = 1,
                   num_customers: int = 100_000, warmup: int = 1_000,
                   service: str = "exponential",
                   rng: RNGLike = None) -> QueueSimulation:
    """Simulate a FCFS queue with Poisson arrivals and ``servers`` identical servers.

    ``service`` is ``"exponential"`` (M/M/c) or ``"deterministic"`` (M/D/c, every
    service takes exactly ``1/service_rate``). Customers are served in arrival
    order by whichever server frees first, tracked with a heap of server free
    times; the first ``warmup`` customers are dropped so the record starts
    near steady state. All randomness comes from ``rng``.
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0, strict_min=True)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    c = check_int("servers", servers, 1)
    n = check_int("num_customers", num_customers, 1)
    w = check_int("warmup", warmup, 0)
    if service not in ("exponential", "deterministic"):
        raise ValueError("service must be 'exponential' or 'deterministic', "
                         f"got {service!r}")
    if lam >= c * mu:
        raise ValueError("arrival_rate must be < servers * service_rate for a "
                         f"stable queue, got {lam:g} >= {c * mu:g}")
    gen = as_rng(rng)
    total = n + w
    arrivals = np.cumsum(gen.exponential(1.0 / lam, size=total))
    if service == "exponential":
        services = gen.exponential(1.0 / mu, size=total)
    else:
        services = np.full(total, 1.0 / mu)
    waits = np.empty(total)
    free_at = [0.0] * c  # heap of the times each server next becomes free
    for i, (t, s) in enumerate(zip(arrivals.tolist(), services.tolist(),
                                   strict=True)):
        start = max(t, free_at[0])
        waits[i] = start - t
        heapq.heapreplace(free_at, start + s)
    return QueueSimulation(arrivals[w:], waits[w:], services[w:])
