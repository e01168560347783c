r"""How many servers keep a latency percentile: the M/M/c answer and two wrong ones.

Requests arrive as a Poisson process of rate λ; each needs an exponential
service of mean ``service_time`` S (rate :math:`\mu = 1/S`) on one of c
servers that share one FCFS queue. A request waits with probability
:math:`C(c, a)` (Erlang C, :math:`a = \lambda S`), and then for an
exponential time of rate :math:`c\mu - \lambda`, so

.. math:: P(W_q > t) = C(c, a)\, e^{-(c\mu - \lambda)t},

and its response time :math:`T = W_q + S` has the tail of
:func:`dsscale.queueing.mmc_response_tail`. The fewest servers that keep
:math:`P(T > t^*) \le 1 - q` is :func:`dsscale.autoscale.servers_for_latency`;
this module wraps it into a plan and adds the two answers people give
instead: size for the *mean* (:func:`servers_for_mean`) or for a fixed
utilisation (:func:`servers_for_utilisation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dsscale._validate import check_float, check_int
from dsscale.autoscale.staffing import servers_for_latency
from dsscale.queueing import erlang_c, mmc_response_quantile, mmc_response_time

__all__ = [
    "ServerPlan",
    "evaluate_servers",
    "plan_servers",
    "servers_for_mean",
    "servers_for_utilisation",
]


@dataclass(frozen=True)
class ServerPlan:
    """A number of servers and what the M/M/c model predicts for it (seconds)."""

    servers: int
    arrival_rate: float
    service_time: float
    percentile: float
    utilisation: float
    wait_probability: float
    mean_response_time: float
    percentile_response_time: float


def _rates(arrival_rate: float, service_time: float) -> tuple[float, float]:
    lam = check_float("arrival_rate", arrival_rate, 0.0, strict_min=True)
    s = check_float("service_time", service_time, 0.0, strict_min=True)
    return lam, 1.0 / s


def evaluate_servers(servers: int, arrival_rate: float, service_time: float,
                     percentile: float = 0.99) -> ServerPlan:
    """The M/M/c predictions for ``servers`` servers (which must be stable).

    >>> round(evaluate_servers(1, 0.5, 1.0).percentile_response_time, 4)  # ln 100 / 0.5
    9.2103
    """
    lam, mu = _rates(arrival_rate, service_time)
    c = check_int("servers", servers, 1)
    q = check_float("percentile", percentile, 0.0, 1.0, strict_min=True,
                    strict_max=True)
    if lam >= c * mu:
        raise ValueError(f"servers must exceed the offered load {lam / mu:.6g} "
                         f"(arrival_rate * service_time), got {c}")
    return ServerPlan(c, lam, 1.0 / mu, q, lam / (c * mu), float(erlang_c(c, lam, mu)),
                      float(mmc_response_time(c, lam, mu)),
                      mmc_response_quantile(c, lam, mu, q))


def plan_servers(arrival_rate: float, service_time: float, latency_target: float,
                 percentile: float = 0.99) -> ServerPlan:
    r"""The fewest M/M/c servers whose ``percentile`` response time is within target.

    The smallest c with :math:`P(T > t^*) \le 1 - q`, by
    :func:`dsscale.autoscale.servers_for_latency`. No number of servers helps
    once :math:`e^{-t^*/S} \ge 1 - q` (the service time alone is too long);
    that raises a ``ValueError`` naming ``latency_target``.

    >>> plan_servers(5000.0, 0.008, 0.050).servers   # 40 busy servers' worth of load
    42
    """
    lam, mu = _rates(arrival_rate, service_time)
    target = check_float("latency_target", latency_target, 0.0, strict_min=True)
    q = check_float("percentile", percentile, 0.0, 1.0, strict_min=True,
                    strict_max=True)
    floor = -math.log1p(-q) / mu   # the service time's own quantile
    if target <= floor:
        raise ValueError(
            f"latency_target must exceed the service time's own {q:g}-quantile "
            f"{floor:.6g} s: no number of servers meets a tighter target, "
            f"got {target:g}")
    c = servers_for_latency(lam, mu, target, 1.0 - q)
    return evaluate_servers(c, lam, 1.0 / mu, q)


def servers_for_mean(arrival_rate: float, service_time: float,
                     latency_target: float) -> int:
    """The fewest servers whose *mean* response time is within ``latency_target``.

    The answer people give when they read a percentile target as a mean; the
    mean decreases in c towards ``service_time``, so the walk from
    :math:`\\lfloor a \\rfloor + 1` stops (or the target is below the service
    time and a ``ValueError`` says so).

    >>> servers_for_mean(5000.0, 0.008, 0.050)
    41
    """
    lam, mu = _rates(arrival_rate, service_time)
    target = check_float("latency_target", latency_target, 0.0, strict_min=True)
    if target <= 1.0 / mu:
        raise ValueError(f"latency_target must exceed service_time {1.0 / mu:g}, "
                         f"got {target:g}")
    c = math.floor(lam / mu) + 1
    while float(mmc_response_time(c, lam, mu)) > target:
        c += 1
    return c


def servers_for_utilisation(arrival_rate: float, service_time: float,
                            max_utilisation: float) -> int:
    r"""The utilisation rule of thumb: :math:`\lceil a/u \rceil` servers for a cap u.

    >>> servers_for_utilisation(5000.0, 0.008, 0.7)   # 40 / 0.7 = 57.1
    58
    """
    lam, mu = _rates(arrival_rate, service_time)
    u = check_float("max_utilisation", max_utilisation, 0.0, 1.0, strict_min=True,
                    strict_max=True)
    return max(1, math.ceil(lam / mu / u - 1e-9))
