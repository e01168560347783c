r"""Replay a load trace against a scaling policy on a simulated M/M/c queue.

Time is cut into control intervals of ``trace.interval`` seconds. Requests
arrive as a Poisson process whose rate is constant within an interval, wait
in one FCFS queue, and are served by whichever ready server frees first, with
exponential service times of rate ``service_rate`` — the M/M/c queue of
Chapter 1 with a number of servers that changes at interval boundaries. At the
end of every interval the controller observes metrics (averaged over a
``window``, reported ``metric_delay`` late), asks the policy for a number of
servers, and

* orders new servers, which serve from ``provisioning_delay`` later;
* or removes servers at once: first cancelling orders not yet ready (the most
  recent first), then retiring ready servers, idle ones first; a busy server
  finishes the request it holds;
* and after any change ignores the policy for ``cooldown`` seconds.

Delays are rounded up to whole intervals. Servers are billed from the moment
they are ordered until they are retired.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.autoscale.policies import Observation, Policy
from dsscale.autoscale.traces import LoadTrace


@dataclass(frozen=True)
class AutoscaleRun:
    """What happened: per interval (arrays of length ``num_ticks``) and per request."""

    interval: float
    ready: NDArray[np.int64]            # servers serving during each interval
    pending: NDArray[np.int64]          # servers ordered, not yet ready
    utilisation: NDArray[np.float64]
    concurrency: NDArray[np.float64]    # mean number in system per ready server
    latency: NDArray[np.float64]        # mean response of requests completed
    arrivals: NDArray[np.int64]
    arrival_times: NDArray[np.float64]
    response_times: NDArray[np.float64]

    @property
    def server_seconds(self) -> float:
        """The bill: servers ordered or ready, integrated over the trace."""
        return float(np.sum(self.ready + self.pending) * self.interval)

    def slo_violation(self, latency: float) -> float:
        """Fraction of requests whose response time exceeded ``latency`` seconds."""
        t = check_float("latency", latency, 0.0, strict_min=True)
        if self.response_times.size == 0:
            return 0.0
        return float(np.mean(self.response_times > t))


def _ticks(name: str, seconds: float, interval: float) -> int:
    s = check_float(name, seconds, 0.0)
    return math.ceil(s / interval - 1e-9)


_Arrivals = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]


def _arrivals(trace: LoadTrace, service_rate: float,
              gen: np.random.Generator) -> _Arrivals:
    dt = trace.interval
    counts = gen.poisson(trace.rates * dt)
    starts = np.repeat(trace.times, counts)
    times = starts + gen.random(starts.size) * dt
    order = np.lexsort((times, starts))
    services = gen.exponential(1.0 / service_rate, size=starts.size)
    return times[order], services, counts.astype(np.int64)


@dataclass
class _Bins:
    """Per-interval accumulators (plain lists: the serving loop is hot)."""

    busy: list[float]
    waiting: list[float]
    done_sum: list[float]
    done_count: list[int]
    ready: list[int]
    pending: list[int]

    @classmethod
    def empty(cls, n: int) -> _Bins:
        return cls([0.0] * n, [0.0] * n, [0.0] * n, [0] * n, [0] * n, [0] * n)


def _serve(head: int, stop: int, k: int | None, times: list[float],
           services: list[float], free: list[float], response: list[float],
           bins: _Bins, dt: float) -> int:
    """Serve requests head..stop-1 in FCFS order while they start in interval k.

    ``k = None`` drains the queue after the trace has ended.
    """
    t0 = 0.0 if k is None else k * dt
    t1 = math.inf if k is None else (k + 1) * dt
    n = len(bins.busy)
    busy, done_sum, done_count = bins.busy, bins.done_sum, bins.done_count
    i = head
    while i < stop:
        a = times[i]
        start = a if a > free[0] else free[0]
        if start >= t1:
            break
        end = start + services[i]
        heapq.heapreplace(free, end)
        response[i] = end - a
        if k is not None:
            bins.waiting[k] += start - (a if a > t0 else t0)
        j, lo = int(start // dt), start       # spread busy time over intervals
        while j < n:
            edge = (j + 1) * dt
            busy[j] += (end if end < edge else edge) - lo
            if end <= edge:
                break
            lo, j = edge, j + 1
        j = int(end // dt)
        if j < n:
            done_sum[j] += end - a
            done_count[j] += 1
        i += 1
    return i


def _observe(k: int, lag: int, width: int, bins: _Bins, counts: NDArray[np.int64],
             ready: int, pending: int, dt: float,
             service_rate: float) -> Observation | None:
    last = k - lag
    if last < 0:
        return None
    w = slice(max(0, last - width + 1), last + 1)
    capacity = sum(bins.ready[w]) * dt
    busy = sum(bins.busy[w])
    done = sum(bins.done_count[w])
    return Observation(
        tick=k, interval=dt, ready=ready, pending=pending,
        utilisation=min(1.0, busy / capacity),
        concurrency=(busy + sum(bins.waiting[w])) / capacity,
        latency=sum(bins.done_sum[w]) / done if done else math.nan,
        arrival_rate=float(np.sum(counts[w])) / (len(bins.ready[w]) * dt),
        servers_measured=float(np.mean(bins.ready[w])),
        arrival_history=counts[: last + 1] / dt, service_rate=service_rate)


def _resize(target: int, free: list[float], orders: list[list[int]]) -> None:
    """Cancel orders (latest first), then retire ready servers (idle first)."""
    excess = len(free) + sum(o[1] for o in orders) - target
    while excess > 0 and orders:
        take = min(excess, orders[-1][1])
        orders[-1][1] -= take
        excess -= take
        if orders[-1][1] == 0:
            orders.pop()
    for _ in range(excess):
        heapq.heappop(free)


def replay(trace: LoadTrace, policy: Policy, *, service_rate: float,
           initial_servers: int, provisioning_delay: float = 0.0,
           metric_delay: float = 0.0, window: float | None = None,
           cooldown: float = 0.0, min_servers: int = 1, max_servers: int = 100_000,
           rng: RNGLike = None) -> AutoscaleRun:
    """Run ``policy`` against ``trace`` on the M/M/c simulator (see module doc).

    ``window`` defaults to one interval. All randomness (arrival times and
    service times) comes from ``rng``, drawn before the loop starts, so two
    policies replayed with the same seed see exactly the same requests.
    """
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    lo = check_int("min_servers", min_servers, 1)
    hi = check_int("max_servers", max_servers, lo)
    c0 = check_int("initial_servers", initial_servers, lo, hi)
    dt = trace.interval
    d_prov = _ticks("provisioning_delay", provisioning_delay, dt)
    lag = _ticks("metric_delay", metric_delay, dt)
    width = max(1, _ticks("window", dt if window is None else window, dt))
    rest = _ticks("cooldown", cooldown, dt)
    arrivals, services, counts = _arrivals(trace, mu, as_rng(rng))
    times, work = arrivals.tolist(), services.tolist()
    n = trace.num_ticks
    bins = _Bins.empty(n)
    response = [math.nan] * arrivals.size
    free = [0.0] * c0               # heap: when each ready server is next free
    orders: list[list[int]] = []    # [tick ready, count], oldest first
    head, arrived, quiet_until = 0, 0, 0
    for k in range(n):
        t0, t1 = k * dt, (k + 1) * dt
        while orders and orders[0][0] <= k:
            for _ in range(orders.pop(0)[1]):
                heapq.heappush(free, t0)
        bins.ready[k] = len(free)
        bins.pending[k] = sum(o[1] for o in orders)
        arrived += int(counts[k])
        head = _serve(head, arrived, k, times, work, free, response, bins, dt)
        bins.waiting[k] += float(np.sum(t1 - np.maximum(arrivals[head:arrived], t0)))
        if k < quiet_until:
            continue
        obs = _observe(k, lag, width, bins, counts, len(free), bins.pending[k], dt, mu)
        if obs is None:
            continue
        target = min(hi, max(lo, math.ceil(policy.desired(obs) - 1e-9)))
        if target > obs.committed:
            orders.append([k + 1 + d_prov, target - obs.committed])
        elif target < obs.committed:
            _resize(target, free, orders)
        if target != obs.committed:
            quiet_until = k + 1 + rest
    _serve(head, arrived, None, times, work, free, response, bins, dt)
    ready = np.array(bins.ready, dtype=np.int64)
    capacity = ready * dt
    done = np.array(bins.done_count)
    return AutoscaleRun(
        interval=dt, ready=ready, pending=np.array(bins.pending, dtype=np.int64),
        utilisation=np.minimum(1.0, np.array(bins.busy) / capacity),
        concurrency=(np.array(bins.busy) + np.array(bins.waiting)) / capacity,
        latency=np.divide(bins.done_sum, done, out=np.full(n, np.nan), where=done > 0),
        arrivals=counts, arrival_times=arrivals, response_times=np.array(response))
