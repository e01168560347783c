"""A function platform, request by request: keep-alive and provisioned concurrency.

Each request needs an instance of its own for its execution time (one
request per instance, as on AWS Lambda). A request takes, in order of
preference, an idle provisioned instance, the most recently idle on-demand
instance, or a new on-demand instance — a *cold start*, which adds
``cold_start_time`` to its latency and keeps the new instance busy that much
longer. An on-demand instance idle for longer than ``keep_alive`` is
reclaimed; provisioned instances never are. The simulation is exact and
deterministic given the arrival and execution times.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import check_array, check_float, check_int


@dataclass(frozen=True)
class PoolRun:
    """Per request: ``cold``, ``response_times``; per on-demand instance: its life."""

    arrival_times: NDArray[np.float64]
    cold: NDArray[np.bool_]
    response_times: NDArray[np.float64]
    births: NDArray[np.float64]
    deaths: NDArray[np.float64]
    provisioned: int

    @property
    def cold_fraction(self) -> float:
        return float(self.cold.mean()) if self.cold.size else 0.0

    def instance_seconds(self, start: float, end: float) -> float:
        """On-demand instance-seconds (busy or warm) inside ``[start, end]``."""
        lo = check_float("start", start)
        hi = check_float("end", end, lo)
        alive = np.minimum(self.deaths, hi) - np.maximum(self.births, lo)
        return float(np.sum(np.clip(alive, 0.0, None)))

    def mean_instances(self, start: float, end: float) -> float:
        """Time-average number of on-demand instances alive in ``[start, end]``."""
        hi = check_float("end", end, check_float("start", start), strict_min=True)
        return self.instance_seconds(start, hi) / (hi - start)


def simulate_pool(arrival_times: ArrayLike, execution_times: ArrayLike, *,
                  keep_alive: float, provisioned: int = 0,
                  cold_start_time: float = 0.0) -> PoolRun:
    """Run the platform described in the module docstring.

    ``arrival_times`` must be sorted; ``execution_times`` gives each
    request's run time (0 models requests much shorter than the gaps).
    """
    arrivals = check_array("arrival_times", arrival_times, 0.0)
    work = check_array("execution_times", execution_times, 0.0)
    if arrivals.ndim != 1 or arrivals.shape != work.shape:
        raise ValueError("arrival_times and execution_times must be 1-d and of equal "
                         f"length, got shapes {arrivals.shape} and {work.shape}")
    if np.any(np.diff(arrivals) < 0):
        raise ValueError("arrival_times must be sorted")
    ttl = check_float("keep_alive", keep_alive, 0.0)
    spare = check_int("provisioned", provisioned, 0)
    init = check_float("cold_start_time", cold_start_time, 0.0)
    busy: list[tuple[float, int]] = []     # (finish, instance id; -1 = provisioned)
    idle: deque[tuple[float, int]] = deque()   # (idle since, id), most recent right
    births: list[float] = []
    deaths: list[float] = []
    cold = np.zeros(arrivals.size, dtype=bool)
    response = work.copy()
    for i, (t, run) in enumerate(zip(arrivals.tolist(), work.tolist(), strict=True)):
        while busy and busy[0][0] <= t:
            done, who = heapq.heappop(busy)
            if who < 0:
                spare += 1
            else:
                idle.append((done, who))
        while idle and idle[0][0] + ttl < t:
            since, who = idle.popleft()
            deaths[who] = since + ttl
        if spare:
            spare -= 1
            heapq.heappush(busy, (t + run, -1))
        elif idle:
            heapq.heappush(busy, (t + run, idle.pop()[1]))
        else:
            cold[i] = True
            response[i] += init
            births.append(t)
            deaths.append(np.inf)
            heapq.heappush(busy, (t + init + run, len(births) - 1))
    for done, who in busy:
        if who >= 0:
            deaths[who] = done + ttl
    for since, who in idle:
        deaths[who] = since + ttl
    return PoolRun(arrivals, cold, response, np.array(births), np.array(deaths),
                   provisioned)
