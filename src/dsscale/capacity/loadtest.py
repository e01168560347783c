r"""Is the load test lying? One stalling server, measured open- and closed-loop.

The server is a FCFS queue with exponential service of mean ``service_time``
that stops for ``stall_length`` S every ``stall_every`` P seconds (a garbage
collection pause, a log flush, a failover), work in progress resuming after
the stall.

*Open loop.* Requests arrive as a Poisson process of rate λ whatever the
server does, as users do. A request arriving y seconds after a stall began
finds the work that arrived since, ρy (ρ = λ × service time), still to be
done after the stall ends, so it waits :math:`S - (1 - \rho) y` for
:math:`0 \le y < S/(1-\rho)`: the waits of the affected requests are uniform
on [0, S] and, by PASTA, a fraction :math:`f = S/((1 - \rho)P)` of requests
is affected. Hence for :math:`t \le S`, up to the ordinary queueing delay,

.. math:: P(L > t) \approx f\,\frac{S - t}{S} = \frac{S - t}{(1 - \rho) P} .

*Closed loop.* K clients each keep one request outstanding: a client sends
on its schedule (every :math:`K/\lambda`), but not before its previous
response arrived. During a stall each client has one request stuck and sends
nothing, so a tool that times requests from when they were *sent* records
about one slow request per client per stall, a fraction :math:`K/(\lambda P)`
of its samples, and misses the requests the schedule wanted to send: Gil
Tene's *coordinated omission*. Timing from the *intended* send time
restores them. Schroeder, Wierman and Harchol-Balter show more generally
that closed and open systems of the same load behave differently.

References
----------
G. Tene, "How NOT to measure latency", QCon San Francisco 2012; B. Schroeder,
A. Wierman, M. Harchol-Balter, "Open versus closed: a cautionary tale",
NSDI 2006.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from dsscale._validate import RNGLike, as_rng, check_float, check_int

__all__ = [
    "LoadTestRun",
    "StallingServer",
    "closed_loop",
    "closed_loop_slow_fraction",
    "open_loop",
    "stall_latency_quantile",
    "stall_latency_tail",
]


@dataclass(frozen=True)
class StallingServer:
    """FCFS server with exponential service that stops for ``stall_length``
    at every multiple of ``stall_every`` (from the first period on)."""

    service_time: float
    stall_every: float
    stall_length: float

    def __post_init__(self) -> None:
        check_float("service_time", self.service_time, 0.0, strict_min=True)
        p = check_float("stall_every", self.stall_every, 0.0, strict_min=True)
        check_float("stall_length", self.stall_length, 0.0, p, strict_max=True)

    def finish(self, start: float, work: float) -> float:
        """When ``work`` seconds of service that start at ``start`` are done."""
        p, s = self.stall_every, self.stall_length
        k = math.floor(start / p)
        t = k * p + s if k >= 1 and start < k * p + s else start
        while True:
            next_stall = (math.floor(t / p) + 1) * p
            if t + work <= next_stall:
                return t + work
            work -= next_stall - t
            t = next_stall + s


@dataclass(frozen=True)
class LoadTestRun:
    """Each request's intended send time, actual send time and completion."""

    intended: NDArray[np.float64]
    sent: NDArray[np.float64]
    done: NDArray[np.float64]

    @property
    def latency_from_sent(self) -> NDArray[np.float64]:
        """What a tool that starts the clock when it sends records."""
        result: NDArray[np.float64] = self.done - self.sent
        return result

    @property
    def latency_from_intended(self) -> NDArray[np.float64]:
        """Latency corrected for coordinated omission: from the intended time."""
        result: NDArray[np.float64] = self.done - self.intended
        return result


def _checked(duration: float, rate: float) -> tuple[float, float]:
    return (check_float("duration", duration, 0.0, strict_min=True),
            check_float("request_rate", rate, 0.0, strict_min=True))


def open_loop(server: StallingServer, request_rate: float, duration: float,
              rng: RNGLike = None) -> LoadTestRun:
    """Poisson arrivals at ``request_rate`` for ``duration`` seconds."""
    d, lam = _checked(duration, request_rate)
    gen = as_rng(rng)
    count = int(gen.poisson(lam * d))
    arrivals = np.sort(gen.random(count) * d)
    work = gen.exponential(server.service_time, count).tolist()
    done = np.empty(count)
    free = 0.0
    for i, t in enumerate(arrivals.tolist()):
        free = server.finish(max(t, free), work[i])
        done[i] = free
    return LoadTestRun(arrivals, arrivals, done)


def closed_loop(server: StallingServer, num_clients: int, request_rate: float,
                duration: float, rng: RNGLike = None) -> LoadTestRun:
    """``num_clients`` clients, each intending one request every K/λ seconds.

    Client k's schedule starts at a random phase; it sends request j at
    ``max(intended_j, done_{j-1})``, so a slow response delays (and bunches)
    the rest of its schedule.
    """
    k = check_int("num_clients", num_clients, 1)
    d, lam = _checked(duration, request_rate)
    gen = as_rng(rng)
    gap = k / lam
    heap = [(float(phase), float(phase), c) for c, phase in
            enumerate(gen.random(k) * gap)]          # (send time, intended, client)
    heapq.heapify(heap)
    rows: list[tuple[float, float, float]] = []
    free = 0.0
    while heap:
        sent, intended, c = heapq.heappop(heap)
        free = server.finish(max(sent, free), float(gen.exponential(
            server.service_time)))
        rows.append((intended, sent, free))
        if intended + gap < d:
            heapq.heappush(heap, (max(intended + gap, free), intended + gap, c))
    table = np.array(sorted(rows))
    return LoadTestRun(table[:, 0], table[:, 1], table[:, 2])


def _affected(server: StallingServer, request_rate: float) -> tuple[float, float]:
    lam = check_float("request_rate", request_rate, 0.0, strict_min=True)
    rho = lam * server.service_time
    if rho >= 1.0:
        raise ValueError(f"request_rate must be below 1 / service_time "
                         f"({1.0 / server.service_time:g}), got {lam:g}")
    fraction = server.stall_length / ((1.0 - rho) * server.stall_every)
    if fraction >= 1.0:
        raise ValueError("stall_length must be short enough for the server to "
                         "catch up between stalls, (1 - rho) * stall_every > "
                         "stall_length")
    return rho, fraction


def stall_latency_tail(server: StallingServer, request_rate: float,
                       latency: float) -> float:
    r"""Open-loop :math:`P(L > t)`: the stall term plus ordinary M/M/1 queueing.

    A fraction f of requests waits an extra uniform [0, S]; all see the
    M/M/1 response :math:`e^{-(\mu - \lambda)t}` otherwise, so
    :math:`P(L > t) \approx f\,(S - t)^+/S + (1 - f)\,e^{-(\mu-\lambda)t}`.

    >>> srv = StallingServer(0.001, 5.0, 0.2)
    >>> round(stall_latency_tail(srv, 500.0, 0.1), 4)   # (0.2 - 0.1) / (0.5 * 5)
    0.04
    """
    rho, f = _affected(server, request_rate)
    t = check_float("latency", latency, 0.0)
    s = server.stall_length
    stall = f * max(0.0, s - t) / s if s > 0 else 0.0
    return stall + (1.0 - f) * math.exp(-(1.0 - rho) / server.service_time * t)


def stall_latency_quantile(server: StallingServer, request_rate: float,
                           q: float) -> float:
    """The q-quantile of the open-loop latency, inverting :func:`stall_latency_tail`.

    >>> srv = StallingServer(0.001, 5.0, 0.2)
    >>> round(stall_latency_quantile(srv, 500.0, 0.99), 4)   # 0.2 - 0.01 * 2.5
    0.175
    """
    _affected(server, request_rate)
    level = 1.0 - check_float("q", q, 0.0, 1.0, strict_max=True)
    if level >= 1.0:
        return 0.0
    hi = server.stall_length + server.service_time
    while stall_latency_tail(server, request_rate, hi) > level:
        hi *= 2.0
    return float(brentq(lambda t: stall_latency_tail(server, request_rate, t) - level,
                        0.0, hi, xtol=1e-12 * hi))


def closed_loop_slow_fraction(num_clients: int, request_rate: float,
                              stall_every: float) -> float:
    r"""Share of a closed-loop tool's samples that saw a stall, :math:`K/(\lambda P)`.

    >>> closed_loop_slow_fraction(10, 500.0, 5.0)
    0.004
    """
    k = check_int("num_clients", num_clients, 1)
    lam = check_float("request_rate", request_rate, 0.0, strict_min=True)
    p = check_float("stall_every", stall_every, 0.0, strict_min=True)
    return min(1.0, k / (lam * p))
