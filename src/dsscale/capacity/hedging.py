r"""Hedged requests against queues: the tail they cut and the load they add.

Requests arrive as a Poisson process of rate λ and go to one of c servers
chosen at random; each server is a FCFS queue with exponential service of
rate μ. A request still unanswered ``hedge_after`` :math:`t_h` after it was
sent gets a copy at another random server; the first reply wins and the
losing copy is not cancelled (Dean and Barroso 2013 discuss cancelling it).

*Model.* Copies are sent for a fraction h of requests, so each server sees
arrivals at rate :math:`\lambda(1 + h)/c`. Treat each server as an M/M/1
queue whose response time is exponential with rate
:math:`\theta = \mu - \lambda(1 + h)/c`, and a copy's response as independent
of the primary's. A copy is sent iff the primary takes longer than
:math:`t_h`, so h must satisfy the fixed point

.. math:: h = e^{-\theta(h)\, t_h}, \qquad \theta(h) = \mu - \frac{\lambda(1+h)}{c},

and the request latency :math:`L = \min(T_1, t_h + T_2)` has the tail

.. math:: P(L > t) = \begin{cases} e^{-\theta t}, & t < t_h, \\
          e^{-\theta t}\, e^{-\theta (t - t_h)}, & t \ge t_h. \end{cases}

The copies are load: θ falls as h grows, so hedging early at high
utilisation can push the servers past saturation, where no fixed point
exists. Even when one exists, a second, collapsed state exists too as soon
as :math:`2\lambda \ge c\mu` (every request hedged saturates the servers): a
hedge is a retry that does not cancel the original, and Chapter 5's
metastability applies. A *hedging budget* b (a token bucket that each
request refills by b and each copy drains by one) caps h at b; then only
the fraction :math:`g = \min(1, b\,e^{\theta t_h})` of the late primaries
gets a copy and, for :math:`t \ge t_h`,

.. math:: P(L > t) = e^{-\theta t}\bigl(1 - g + g\, e^{-\theta (t - t_h)}\bigr).

References
----------
J. Dean and L. A. Barroso, "The Tail at Scale", CACM 56(2), 2013.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from dsscale._validate import RNGLike, as_rng, check_float, check_int

__all__ = ["HedgeModel", "HedgeRun", "hedge_model", "simulate_hedging"]

_BUCKET = 10.0   # tokens a hedging budget can save up, as in dsscale.overload


@dataclass(frozen=True)
class HedgeModel:
    """The fixed point of the hedging model.

    ``extra_load`` is h (copies per request), ``theta`` the response rate θ
    of a server, ``copy_fraction`` g the share of late primaries that get a
    copy (1 without a budget).
    """

    extra_load: float
    theta: float
    hedge_after: float | None
    copy_fraction: float = 1.0

    def tail(self, latency: float) -> float:
        """:math:`P(L > t)` for ``latency`` t (seconds)."""
        t = check_float("latency", latency, 0.0)
        if self.hedge_after is None or t < self.hedge_after:
            return math.exp(-self.theta * t)
        g = self.copy_fraction
        return math.exp(-self.theta * t) * (
            1.0 - g + g * math.exp(-self.theta * (t - self.hedge_after)))

    def quantile(self, q: float) -> float:
        """The q-quantile of the request latency, inverting :meth:`tail`."""
        level = 1.0 - check_float("q", q, 0.0, 1.0, strict_max=True)
        t = -math.log(level) / self.theta    # the unhedged quantile
        if self.hedge_after is None or t <= self.hedge_after:
            return t
        return float(brentq(lambda x: self.tail(x) - level, self.hedge_after, t,
                            xtol=1e-12 * t))


def hedge_model(arrival_rate: float, service_rate: float, num_servers: int,
                hedge_after: float | None, hedge_budget: float | None = None
                ) -> HedgeModel:
    """Solve the fixed point of the module docstring (its smallest root).

    ``hedge_after = None`` is the unhedged system, h = 0. With a
    ``hedge_budget`` b the extra load is at most b. Raises ``ValueError``
    naming ``hedge_after`` when the copies would saturate the servers (no
    fixed point with :math:`\\theta > 0`), and naming ``arrival_rate`` when
    the servers are saturated without copies.

    >>> round(hedge_model(8.0, 1.0, 10, None).theta, 6)   # M/M/1 at 80 %
    0.2
    >>> round(hedge_model(3.0, 1.0, 10, 2.0).extra_load, 4)   # h = e^{-2(0.7 - 0.3h)}
    0.2942
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0, strict_min=True)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    c = check_int("num_servers", num_servers, 2)
    if lam >= c * mu:
        raise ValueError("arrival_rate must be < num_servers * service_rate, got "
                         f"{lam:g} >= {c * mu:g}")
    if hedge_after is None:
        return HedgeModel(0.0, mu - lam / c, None)
    th = check_float("hedge_after", hedge_after, 0.0)
    cap = math.inf if hedge_budget is None else check_float("hedge_budget",
                                                            hedge_budget, 0.0)
    h_max = c * mu / lam - 1.0            # copies beyond this saturate the servers

    def gap(h: float) -> float:
        return min(cap, math.exp(-(mu - lam * (1.0 + h) / c) * th)) - h

    # h = h_max is the saturation point itself (theta = 0): never a valid root
    hi = min(1.0, h_max)
    grid = np.linspace(0.0, hi, 2001)
    if hi == h_max:
        grid = grid[:-1]
    crossing = np.flatnonzero(np.array([gap(h) for h in grid]) <= 0.0)
    if crossing.size == 0:
        raise ValueError(f"hedge_after {th:g} sends so many copies that the servers "
                         "saturate: no stable extra load exists; hedge later")
    i = int(crossing[0])
    h = 0.0 if i == 0 else float(brentq(gap, grid[i - 1], grid[i], xtol=1e-14))
    theta = mu - lam * (1.0 + h) / c
    late = math.exp(-theta * th)
    return HedgeModel(h, theta, th, 1.0 if late <= h else h / late)


@dataclass(frozen=True)
class HedgeRun:
    """Per-request latency (seconds) and whether a copy was sent."""

    latency: NDArray[np.float64]
    copied: NDArray[np.bool_]

    @property
    def extra_load(self) -> float:
        """Copies sent per request, h."""
        return float(self.copied.mean())

    def quantile(self, q: float) -> float:
        """Empirical q-quantile of the request latency."""
        return float(np.quantile(self.latency, check_float("q", q, 0.0, 1.0)))


def simulate_hedging(arrival_rate: float, service_rate: float, num_servers: int,
                     hedge_after: float | None, num_requests: int = 100_000,
                     warmup: int = 2_000, *, hedge_budget: float | None = None,
                     rng: RNGLike = None) -> HedgeRun:
    """Simulate the system of the module docstring, request by request.

    Primaries and copies join their server's FCFS queue in time order, so a
    job's completion is fixed when it arrives (later arrivals queue behind
    it); a copy is scheduled at :math:`t + t_h` only if its primary will not
    have finished by then, and with a ``hedge_budget`` b it is sent only if
    the token bucket (10 tokens, +b per request, -1 per copy) then holds a
    token. The first ``warmup`` requests are dropped.
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0, strict_min=True)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    c = check_int("num_servers", num_servers, 2)
    n = check_int("num_requests", num_requests, 1)
    w = check_int("warmup", warmup, 0)
    th = None if hedge_after is None else check_float("hedge_after", hedge_after, 0.0)
    refill = None if hedge_budget is None else check_float("hedge_budget",
                                                           hedge_budget, 0.0)
    gen = as_rng(rng)
    total = n + w
    sent = np.cumsum(gen.exponential(1.0 / lam, total)).tolist()
    first = gen.integers(0, c, total)
    other = ((first + 1 + gen.integers(0, c - 1, total)) % c).tolist()
    work, copy_work = gen.exponential(1.0 / mu, (2, total)).tolist()
    free = [0.0] * c
    done = [0.0] * total
    copies: list[tuple[float, int]] = []      # heap of (copy time, request)
    copied = np.zeros(total, dtype=bool)
    tokens, i = _BUCKET, 0
    for_server = first.tolist()
    while i < total or copies:
        if copies and (i == total or copies[0][0] < sent[i]):
            t, j = heapq.heappop(copies)
            if refill is not None:
                if tokens < 1.0:
                    continue
                tokens -= 1.0
            s = other[j]
            free[s] = max(t, free[s]) + copy_work[j]
            done[j] = min(done[j], free[s])
            copied[j] = True
            continue
        if refill is not None:
            tokens = min(_BUCKET, tokens + refill)
        s = for_server[i]
        free[s] = max(sent[i], free[s]) + work[i]
        done[i] = free[s]
        if th is not None and done[i] > sent[i] + th:
            heapq.heappush(copies, (sent[i] + th, i))
        i += 1
    latency = np.asarray(done[w:]) - np.asarray(sent[w:])
    return HedgeRun(latency, copied[w:])
