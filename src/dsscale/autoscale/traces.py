"""Synthetic, seeded load traces for replaying an autoscaler.

A :class:`LoadTrace` is a piecewise-constant Poisson arrival rate: ``rates[k]``
requests per second during the k-th control interval of ``interval`` seconds.
Three shapes cover the cases an autoscaler meets: a diurnal cycle (slow and
predictable), a step (one sudden change, the classic test of a control loop)
and bursts (sudden, unpredictable, short).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int


@dataclass(frozen=True)
class LoadTrace:
    """Arrival rate per control interval; ``period`` in seconds if the load repeats."""

    interval: float
    rates: NDArray[np.float64]
    period: float | None = None

    def __post_init__(self) -> None:
        check_float("interval", self.interval, 0.0, strict_min=True)
        rates = check_array("rates", self.rates, 0.0)
        if rates.ndim != 1 or rates.size == 0:
            raise ValueError(f"rates must be a non-empty 1-d array, got shape "
                             f"{rates.shape}")
        if self.period is not None:
            check_float("period", self.period, self.interval)
        object.__setattr__(self, "rates", rates)

    @property
    def num_ticks(self) -> int:
        return int(self.rates.size)

    @property
    def duration(self) -> float:
        return self.num_ticks * self.interval

    @property
    def times(self) -> NDArray[np.float64]:
        """Start time of each interval, in seconds."""
        return np.arange(self.num_ticks, dtype=np.float64) * self.interval


def diurnal_trace(num_ticks: int, interval: float, mean_rate: float, *,
                  amplitude: float = 0.5, period: float = 86_400.0,
                  noise: float = 0.0, rng: RNGLike = None) -> LoadTrace:
    r"""A daily cycle, :math:`\lambda(t) = \bar\lambda(1 - A\cos(2\pi t/P))\epsilon_k`.

    The load starts at its trough :math:`\bar\lambda(1 - A)`, peaks at
    :math:`\bar\lambda(1 + A)` half a ``period`` later, and each interval is
    multiplied by independent log-normal noise :math:`\epsilon_k` of mean 1
    and coefficient of variation about ``noise`` (0 gives a smooth curve).
    """
    n = check_int("num_ticks", num_ticks, 1)
    dt = check_float("interval", interval, 0.0, strict_min=True)
    lam = check_float("mean_rate", mean_rate, 0.0, strict_min=True)
    amp = check_float("amplitude", amplitude, 0.0, 1.0)
    p = check_float("period", period, dt)
    cv = check_float("noise", noise, 0.0, 1.0)
    t = (np.arange(n) + 0.5) * dt
    rates = lam * (1.0 - amp * np.cos(2.0 * np.pi * t / p))
    if cv > 0:
        sigma = np.sqrt(np.log1p(cv * cv))
        rates = rates * as_rng(rng).lognormal(-0.5 * sigma**2, sigma, size=n)
    return LoadTrace(dt, rates, period=p)


def step_trace(num_ticks: int, interval: float, base_rate: float, step_rate: float,
               step_tick: int) -> LoadTrace:
    """``base_rate`` until interval ``step_tick``, ``step_rate`` from then on."""
    n = check_int("num_ticks", num_ticks, 1)
    dt = check_float("interval", interval, 0.0, strict_min=True)
    lo = check_float("base_rate", base_rate, 0.0)
    hi = check_float("step_rate", step_rate, 0.0)
    k = check_int("step_tick", step_tick, 0, n)
    rates = np.full(n, lo)
    rates[k:] = hi
    return LoadTrace(dt, rates)


def bursty_trace(num_ticks: int, interval: float, base_rate: float, *,
                 burst_factor: float = 3.0, mean_burst_ticks: float = 3.0,
                 mean_gap_ticks: float = 30.0, rng: RNGLike = None) -> LoadTrace:
    """``base_rate``, multiplied by ``burst_factor`` during random bursts.

    Bursts and the gaps between them last geometrically distributed numbers
    of intervals with the given means (a two-state Markov chain, the discrete
    form of an on/off modulated Poisson process). The trace starts in a gap.
    """
    n = check_int("num_ticks", num_ticks, 1)
    dt = check_float("interval", interval, 0.0, strict_min=True)
    lam = check_float("base_rate", base_rate, 0.0, strict_min=True)
    factor = check_float("burst_factor", burst_factor, 1.0)
    on = check_float("mean_burst_ticks", mean_burst_ticks, 1.0)
    off = check_float("mean_gap_ticks", mean_gap_ticks, 1.0)
    gen = as_rng(rng)
    leave = gen.random(n)
    bursting = np.zeros(n, dtype=bool)
    state = False
    for k in range(n):
        bursting[k] = state
        state = (leave[k] >= 1.0 / on) if state else (leave[k] < 1.0 / off)
    return LoadTrace(dt, np.where(bursting, lam * factor, lam))
