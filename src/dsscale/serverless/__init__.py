"""Serverless functions and cold starts.

* :mod:`~dsscale.serverless.keepalive` — one instance: the cold fraction
  :math:`e^{-\\lambda T}` and the keep-alive cost trade-off for Poisson and
  bursty (hyperexponential) gaps.
* :mod:`~dsscale.serverless.pool` — many concurrent instances: the exact cold
  fraction and pool size for Poisson arrivals, and provisioned concurrency.
* :mod:`~dsscale.serverless.simulate` — the platform, request by request.
"""

from .keepalive import (
    Hyperexponential,
    cold_start_probability,
    keep_alive_cost,
    optimal_keep_alive,
)
from .pool import (
    overflow_probability,
    pool_cold_probability,
    pool_mean_instances,
    provisioned_for_overflow,
)
from .simulate import PoolRun, simulate_pool

__all__ = [
    "Hyperexponential",
    "PoolRun",
    "cold_start_probability",
    "keep_alive_cost",
    "optimal_keep_alive",
    "overflow_probability",
    "pool_cold_probability",
    "pool_mean_instances",
    "provisioned_for_overflow",
    "simulate_pool",
]
