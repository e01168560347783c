r"""Dispatching requests to the FIFO queues of ``num_servers`` servers.

Poisson arrivals at rate :math:`\lambda = \rho c \mu` reach a dispatcher that
sends each to one of :math:`c` servers, each a FIFO queue with exponential
service of rate :math:`\mu`. The policies:

* ``"random"``: a uniformly random server (:math:`c` independent M/M/1 queues);
* ``"choices"``: the least loaded of ``d`` servers sampled at random, ties to
  a random one of them (the supermarket model; Mitzenmacher, IEEE TPDS
  12(10), 2001);
* ``"shortest"``: the least loaded of all servers (join the shortest queue).

Load is the number of requests at a server. With ``update_interval=None`` the
dispatcher sees it exactly; with a positive interval it sees a *bulletin
board* refreshed every ``update_interval`` time units, as in Mitzenmacher's
study of stale load information ("How useful is old information?", IEEE TPDS
11(1), 2000). Stale information hurts policies that trust it most: every
arrival between two updates sees the same least-loaded server, so "shortest"
sends a whole herd to it, while two random choices spread the same arrivals
over many pairs.

>>> sim = simulate_dispatch("random", 0.5, num_servers=4, num_requests=20_000, rng=1)
>>> round(sim.mean_response_time, 1)  # M/M/1 at rho = 0.5: 1 / (1 - 0.5) = 2
2.0
"""

from __future__ import annotations

import heapq

import numpy as np

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.queueing import QueueSimulation

__all__ = ["DISPATCH_POLICIES", "simulate_dispatch"]

DISPATCH_POLICIES = ("random", "choices", "shortest")


def _choose(policy: str, load: np.ndarray, d: int, gen: np.random.Generator) -> int:
    """The server ``policy`` picks given the ``load`` it sees."""
    c = load.size
    if policy == "random":
        return int(gen.integers(c))
    candidates = gen.choice(c, size=d, replace=False) if policy == "choices" \
        else np.arange(c)
    seen = load[candidates]
    best = np.flatnonzero(seen == seen.min())
    return int(candidates[best[int(gen.integers(best.size))]])


def _depart_until(t: float, departures: list[tuple[float, int]],
                  load: np.ndarray) -> None:
    while departures and departures[0][0] <= t:
        load[heapq.heappop(departures)[1]] -= 1


def simulate_dispatch(policy: str, utilisation: float, *, num_servers: int = 16,
                      choices: int = 2, update_interval: float | None = None,
                      service_rate: float = 1.0, num_requests: int = 100_000,
                      warmup: int = 2_000, rng: RNGLike = None) -> QueueSimulation:
    """Simulate ``num_requests`` requests dispatched by ``policy``.

    Parameters
    ----------
    policy : {"random", "choices", "shortest"}
        How the dispatcher picks a server (see the module docstring).
    utilisation : float
        :math:`\\rho = \\lambda / (c\\mu)`, in (0, 1).
    num_servers : int
        :math:`c`, at least 1.
    choices : int
        :math:`d` for ``"choices"``, in ``1..num_servers``.
    update_interval : float or None
        Age of the load information: None for exact, else the period of the
        bulletin board.
    num_requests, warmup : int
        Requests simulated; the first ``warmup`` are dropped from the record.
    rng : numpy Generator, int or None

    Returns
    -------
    QueueSimulation
        Arrival, waiting and service times of the recorded requests; its
        ``batch_means()`` gives the mean response time with a standard error.
    """
    if policy not in DISPATCH_POLICIES:
        raise ValueError(f"policy must be one of {', '.join(DISPATCH_POLICIES)}, "
                         f"got {policy!r}")
    rho = check_float("utilisation", utilisation, 0.0, 1.0, strict_min=True,
                      strict_max=True)
    c = check_int("num_servers", num_servers, 1)
    d = check_int("choices", choices, 1, c)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    n = check_int("num_requests", num_requests, 1)
    warmup = check_int("warmup", warmup, 0, n - 1)
    period = None if update_interval is None else check_float(
        "update_interval", update_interval, 0.0, strict_min=True)
    gen = as_rng(rng)
    arrivals = np.cumsum(gen.exponential(1.0 / (rho * c * mu), size=n))
    services = gen.exponential(1.0 / mu, size=n)
    load = np.zeros(c, dtype=np.int64)
    board = load.copy()
    step = float("inf") if period is None else period  # the board's period
    next_update = step
    free_at = np.zeros(c)  # when each server finishes its last queued request
    departures: list[tuple[float, int]] = []
    waits = np.empty(n)
    for i in range(n):
        t = float(arrivals[i])
        while next_update <= t:  # post the loads of that instant
            _depart_until(next_update, departures, load)
            board = load.copy()
            next_update += step
        _depart_until(t, departures, load)
        j = _choose(policy, load if period is None else board, d, gen)
        start = max(t, float(free_at[j]))
        free_at[j] = start + services[i]
        waits[i] = start - t
        load[j] += 1
        heapq.heappush(departures, (float(free_at[j]), j))
    return QueueSimulation(arrivals[warmup:], waits[warmup:], services[warmup:])
