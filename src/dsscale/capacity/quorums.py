r"""Which R and W: availability, staleness and latency of every quorum of N replicas.

For ``replication_factor`` N replicas, each up with probability
``node_availability`` a (independently, or with whole zones failing
together), a read quorum R and a write quorum W are judged by

* availability: :math:`A(N, k) = P(\text{at least } k \text{ replicas up})`
  for k = R and k = W (:func:`dsscale.quorum.quorum_availability`, or
  :func:`dsscale.quorum.zone_quorum_availability` with zones);
* staleness: the probability :math:`\binom{N-W}{R}/\binom{N}{R}` that a read
  right after a write misses it (PBS, Bailis et al. 2012), zero iff
  :math:`R + W > N`;
* latency: waiting for the k-th fastest of N replicas whose response times
  are independent exponentials of mean m takes on average

  .. math:: E[L_{(k)}] = m \sum_{i=N-k+1}^{N} \frac{1}{i},

  since the gaps between successive order statistics of N exponentials are
  exponential with rates :math:`N\mu, (N-1)\mu, \dots` (Rényi's
  representation; David and Nagaraja 2003).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.quorum import pbs_stale_probability, zone_quorum_availability

__all__ = [
    "QuorumChoice",
    "choose_quorum",
    "quorum_latency",
    "quorum_options",
    "simulate_quorum_availability",
    "simulate_quorum_latency",
    "spread_over_zones",
]


@dataclass(frozen=True)
class QuorumChoice:
    """One (R, W) for N replicas and its predicted behaviour."""

    replication_factor: int
    read_quorum: int
    write_quorum: int
    read_availability: float
    write_availability: float
    stale_probability: float
    read_latency: float
    write_latency: float

    @property
    def availability(self) -> float:
        """The availability of the weaker of the two operations."""
        return min(self.read_availability, self.write_availability)


def spread_over_zones(num_replicas: int, num_zones: int) -> tuple[int, ...]:
    """Replicas per zone when ``num_replicas`` are spread as evenly as possible.

    >>> spread_over_zones(5, 3)
    (2, 2, 1)
    """
    n = check_int("num_replicas", num_replicas, 1)
    z = check_int("num_zones", num_zones, 1, n)
    return tuple(n // z + (1 if i < n % z else 0) for i in range(z))


def quorum_latency(replication_factor: int, quorum_size: int,
                   replica_latency: float = 1.0) -> float:
    r"""Mean time until ``quorum_size`` k of N exponential replicas have answered.

    :math:`m \sum_{i=N-k+1}^{N} 1/i` for mean replica latency m.

    >>> quorum_latency(3, 1)     # the fastest of three: 1/3
    0.3333333333333333
    >>> round(quorum_latency(3, 3), 4)   # the slowest: 1/3 + 1/2 + 1
    1.8333
    """
    n = check_int("replication_factor", replication_factor, 1)
    k = check_int("quorum_size", quorum_size, 1, n)
    m = check_float("replica_latency", replica_latency, 0.0, strict_min=True)
    return m * sum(1.0 / i for i in range(n - k + 1, n + 1))


def quorum_options(replication_factor: int, node_availability: float, *,
                   num_zones: int = 1, zone_availability: float = 1.0,
                   replica_latency: float = 1.0) -> list[QuorumChoice]:
    """Every (R, W) for N replicas, with availability, staleness and latency.

    Replicas are spread evenly over ``num_zones`` zones, each up with
    probability ``zone_availability``; with the default single always-up
    zone the failures are independent.
    """
    n = check_int("replication_factor", replication_factor, 1)
    a = check_float("node_availability", node_availability, 0.0, 1.0)
    zones = spread_over_zones(n, num_zones)
    za = check_float("zone_availability", zone_availability, 0.0, 1.0)
    avail = {k: float(zone_quorum_availability(zones, k, 1.0 - a, 1.0 - za))
             for k in range(1, n + 1)}
    latency = {k: quorum_latency(n, k, replica_latency) for k in range(1, n + 1)}
    return [QuorumChoice(n, r, w, avail[r], avail[w], pbs_stale_probability(n, r, w),
                         latency[r], latency[w])
            for r in range(1, n + 1) for w in range(1, n + 1)]


def choose_quorum(replication_factor: int, node_availability: float,
                  max_stale: float = 0.0, *, read_fraction: float = 0.5,
                  num_zones: int = 1, zone_availability: float = 1.0) -> QuorumChoice:
    """The (R, W) with staleness at most ``max_stale`` that is most available.

    Among the quorums whose :func:`~dsscale.quorum.pbs_stale_probability` is
    at most ``max_stale``, pick the largest availability of the weaker
    operation, then the smallest mean latency weighted by ``read_fraction``,
    then the smaller R. ``max_stale = 0`` asks for strict quorums,
    :math:`R + W > N`, which always exist.

    >>> c = choose_quorum(5, 0.99)
    >>> (c.read_quorum, c.write_quorum)
    (3, 3)
    >>> c = choose_quorum(5, 0.99, 0.1, read_fraction=0.9)
    >>> (c.read_quorum, c.write_quorum)   # reads dominate: the partial (2, 3)
    (2, 3)
    """
    eps = check_float("max_stale", max_stale, 0.0, 1.0)
    f = check_float("read_fraction", read_fraction, 0.0, 1.0)
    options = [o for o in quorum_options(replication_factor, node_availability,
                                         num_zones=num_zones,
                                         zone_availability=zone_availability)
               if o.stale_probability <= eps]
    return min(options, key=lambda o: (-round(o.availability, 12),
                                       f * o.read_latency + (1 - f) * o.write_latency,
                                       o.read_quorum))


def simulate_quorum_availability(replicas_per_zone: Sequence[int], quorum_size: int,
                                 node_availability: float, zone_availability: float,
                                 trials: int, rng: RNGLike = None) -> float:
    """Monte Carlo estimate of the probability that ``quorum_size`` replicas are up.

    Each trial fails each zone with probability ``1 - zone_availability``
    (taking its replicas down) and each replica of a surviving zone with
    probability ``1 - node_availability``.
    """
    sizes = [check_int("replicas_per_zone", m, 1) for m in replicas_per_zone]
    k = check_int("quorum_size", quorum_size, 1, sum(sizes))
    a = check_float("node_availability", node_availability, 0.0, 1.0)
    za = check_float("zone_availability", zone_availability, 0.0, 1.0)
    t = check_int("trials", trials, 1)
    gen = as_rng(rng)
    zone_up = gen.random((t, len(sizes))) < za
    node_up = gen.random((t, sum(sizes))) < a
    owner = np.repeat(np.arange(len(sizes)), sizes)
    up = np.sum(node_up & zone_up[:, owner], axis=1)
    return float(np.mean(up >= k))


def simulate_quorum_latency(replication_factor: int, quorum_size: int,
                            replica_latency: float, trials: int,
                            rng: RNGLike = None) -> NDArray[np.float64]:
    """Sampled times until ``quorum_size`` of N exponential replicas have answered."""
    n = check_int("replication_factor", replication_factor, 1)
    k = check_int("quorum_size", quorum_size, 1, n)
    m = check_float("replica_latency", replica_latency, 0.0, strict_min=True)
    t = check_int("trials", trials, 1)
    draws = as_rng(rng).exponential(m, (t, n))
    result: NDArray[np.float64] = np.partition(draws, k - 1, axis=1)[:, k - 1]
    return result


