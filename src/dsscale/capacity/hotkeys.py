r"""A hot key: the load it puts on one partition, and how far to spread it.

A key that receives a fraction p of all requests lands on one partition
whatever the hashing scheme, so with P partitions its partition carries at
least Pp times the mean load (Chapter 2). Spreading the key over r distinct
partitions — *salting* its writes with suffixes ``#0 .. #r-1``, or keeping r
read replicas — divides its share by r. With the other requests spread
evenly, a partition holding one of the r pieces carries

.. math:: \frac{L_{\text{hot}}}{\bar L} = (1 - p) + \frac{P p}{r},
          \qquad 1 \le r \le P,

and the smallest r that keeps this below a target peak π is
:math:`\lceil P p / (\pi - 1 + p) \rceil`. The price is paid by the other
operation: a salted key's reads gather all r pieces, a replicated key's
writes update all r copies.

When partitions are queues, a hot partition is also a slow one: requests
to partition j see an M/M/1 response time of rate :math:`\mu - \lambda_j`,
so a request picked at random sees the mixture

.. math:: P(T > t) = \sum_j \frac{\lambda_j}{\Lambda}\, e^{-(\mu - \lambda_j) t},

whose tail is set by the busiest partition.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int
from dsscale.partitioning import JumpHash, rendezvous_nodes

__all__ = [
    "partition_response_tail",
    "salted_partitions",
    "salted_peak_to_mean",
    "simulate_salted_loads",
    "spread_for_peak",
]


def _check(key_share: float, num_partitions: int) -> tuple[float, int]:
    p = check_float("key_share", key_share, 0.0, 1.0)
    n = check_int("num_partitions", num_partitions, 1)
    return p, n


def salted_peak_to_mean(key_share: float, num_partitions: int, spread: int) -> float:
    """Load of a partition holding one of the hot key's pieces, over the mean.

    >>> salted_peak_to_mean(0.05, 64, 1)    # 0.95 + 64 * 0.05
    4.15
    >>> salted_peak_to_mean(0.05, 64, 16)   # 0.95 + 0.2
    1.15
    """
    p, n = _check(key_share, num_partitions)
    r = check_int("spread", spread, 1, n)
    return (1.0 - p) + n * p / r


def spread_for_peak(key_share: float, num_partitions: int, max_peak: float) -> int:
    """Fewest pieces that keep :func:`salted_peak_to_mean` within ``max_peak``.

    >>> spread_for_peak(0.05, 64, 1.5)    # 64 * 0.05 / 0.55 = 5.8
    6
    """
    p, n = _check(key_share, num_partitions)
    peak = check_float("max_peak", max_peak, 1.0)
    if p == 0.0:
        return 1
    return min(n, max(1, math.ceil(n * p / (peak - 1.0 + p) - 1e-9)))


def partition_response_tail(partition_rates: ArrayLike, service_rate: float,
                            latency: float) -> float:
    r"""P(T > t) for a random request when partition j is an M/M/1 queue of rate λ_j.

    >>> round(partition_response_tail([0.5, 0.5], 1.0, 2.0), 6)   # e^{-1}
    0.367879
    """
    rates = check_array("partition_rates", partition_rates, 0.0)
    mu = check_float("service_rate", service_rate, 0.0, strict_min=True)
    t = check_float("latency", latency, 0.0)
    if rates.ndim != 1 or rates.sum() <= 0.0:
        raise ValueError("partition_rates must be a one-dimensional array with a "
                         "positive sum")
    if np.any(rates >= mu):
        raise ValueError(f"partition_rates must all be below service_rate {mu:g} "
                         f"(a saturated partition), got max {rates.max():g}")
    weights = rates / rates.sum()
    return float(np.sum(weights * np.exp(-(mu - rates) * t)))


def salted_partitions(num_partitions: int, spread: int) -> NDArray[np.intp]:
    """Indices of the partitions that hold the hot key's pieces, as simulated.

    In :func:`simulate_salted_loads` these are the first ``spread`` partitions
    of the key's rendezvous preference list
    over ``partition-0 .. partition-(P-1)``: distinct, and the same for
    every run, so a check can read the loads of exactly these partitions
    rather than guess them from the busiest ones.

    >>> sorted(salted_partitions(8, 8).tolist())
    [0, 1, 2, 3, 4, 5, 6, 7]
    >>> len(set(salted_partitions(64, 6).tolist()))
    6
    """
    n = check_int("num_partitions", num_partitions, 1)
    r = check_int("spread", spread, 1, n)
    labels = [f"partition-{i}" for i in range(n)]
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index[str(x)] for x in rendezvous_nodes("hot-key", labels, r)],
                    dtype=np.intp)


def simulate_salted_loads(key_share: float, num_partitions: int, spread: int,
                          num_requests: int, num_keys: int = 1_000_000,
                          rng: RNGLike = None) -> NDArray[np.int64]:
    """Requests per partition when one key, spread ``spread`` ways, takes ``key_share``.

    The other requests pick one of ``num_keys`` keys uniformly, placed by jump
    hash; the hot key's requests pick one of its ``spread`` pieces uniformly,
    placed on the first ``spread`` partitions of the key's rendezvous
    preference list, which are distinct.
    """
    p, n = _check(key_share, num_partitions)
    r = check_int("spread", spread, 1, n)
    m = check_int("num_requests", num_requests, 0)
    k = check_int("num_keys", num_keys, 1)
    gen = as_rng(rng)
    labels = [f"partition-{i}" for i in range(n)]
    key_home = JumpHash(labels).node_for_many(np.arange(k, dtype=np.int64))
    hot = int(gen.binomial(m, p))
    loads = np.bincount(key_home[gen.integers(0, k, m - hot)], minlength=n)
    pieces = salted_partitions(n, r)
    loads[pieces] += np.bincount(gen.integers(0, r, hot), minlength=r)
    return loads.astype(np.int64)
