r"""A cold cache: how much load reaches the backend, with and without coalescing.

Requests arrive as a Poisson process of rate Λ, item i with probability
:math:`p_i`, so item i is requested at rate :math:`r_i = \Lambda p_i`. The
cache is empty at time 0 and large enough to keep everything it fetches over
the horizon considered. A miss sends a request to the backend, and the item
is in the cache ``fill_latency`` d later.

*Without coalescing* every request for i that arrives before its first fill
completes is a miss: i's first request comes at :math:`A_i \sim
\mathrm{Exp}(r_i)` and the item is cached from :math:`A_i + d`, so the
backend rate at time t is

.. math:: b(t) = \sum_i r_i\, P(A_i > t - d) = \sum_i r_i\, e^{-r_i (t - d)^+} ,

the full rate Λ for the first d seconds. *With coalescing* (one fetch per
item in flight, later requests wait for it: "single flight", or memcache
leases in Nishtala et al. 2013) only first requests reach the backend,
:math:`b(t) = \sum_i r_i e^{-r_i t}`. The hot items make the difference: an
item requested :math:`r_i` times per second sends :math:`1 + r_i d` requests
to the backend without coalescing, one with it.

References
----------
R. Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013 (leases
against thundering herds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import RNGLike, as_rng, check_array, check_float
from dsscale.cache.popularity import check_popularity, sample_requests

__all__ = [
    "ColdStart",
    "cold_start_backend_rate",
    "cold_start_backend_requests",
    "simulate_cold_start",
]


def _rates(popularity: ArrayLike, request_rate: float) -> NDArray[np.float64]:
    lam = check_float("request_rate", request_rate, 0.0, strict_min=True)
    rates: NDArray[np.float64] = lam * check_popularity(popularity)
    return rates


def cold_start_backend_rate(popularity: ArrayLike, request_rate: float,
                            fill_latency: float, times: ArrayLike, *,
                            coalesce: bool) -> NDArray[np.float64]:
    r"""Expected backend requests per second at ``times`` after the cache emptied.

    :math:`\sum_i r_i e^{-r_i (t - d)^+}` without coalescing and
    :math:`\sum_i r_i e^{-r_i t}` with it (see the module docstring).

    >>> cold_start_backend_rate([1.0], 10.0, 0.5, [0.0, 0.5], coalesce=False).tolist()
    [10.0, 10.0]
    """
    r = _rates(popularity, request_rate)
    d = check_float("fill_latency", fill_latency, 0.0)
    t = check_array("times", times, 0.0)
    age = t if coalesce else np.maximum(t - d, 0.0)
    # one pass over the items per time: memory stays O(items) for long time grids
    flat = [float(np.sum(r * np.exp(-r * a))) for a in age.ravel().tolist()]
    result: NDArray[np.float64] = np.array(flat).reshape(age.shape)
    return result


def cold_start_backend_requests(popularity: ArrayLike, request_rate: float,
                                fill_latency: float, horizon: float, *,
                                coalesce: bool) -> float:
    r"""Expected backend requests in ``[0, horizon]`` after the cache emptied.

    The integral of :func:`cold_start_backend_rate`: with coalescing
    :math:`\sum_i (1 - e^{-r_i H})`, one per item requested; without it
    each item adds the requests that arrive while its first fill is in
    flight,

    .. math:: \sum_i \Bigl[\,r_i \min(d, H)
              + \bigl(1 - e^{-r_i (H - d)^+}\bigr)\Bigr] .

    >>> round(cold_start_backend_requests([1.0], 10.0, 0.5, 100.0,
    ...                                   coalesce=False), 6)   # 1 + 10 * 0.5
    6.0
    """
    r = _rates(popularity, request_rate)
    d = check_float("fill_latency", fill_latency, 0.0)
    h = check_float("horizon", horizon, 0.0)
    if coalesce:
        return float(np.sum(-np.expm1(-r * h)))
    return float(np.sum(r * min(d, h) - np.expm1(-r * max(h - d, 0.0))))


@dataclass(frozen=True)
class ColdStart:
    """Every request after a flush: time, item, and whether it reached the backend."""

    times: NDArray[np.float64]
    items: NDArray[np.int64]
    backend: NDArray[np.bool_]

    def backend_rate(self, bin_width: float, horizon: float) -> NDArray[np.float64]:
        """Backend requests per second in bins of ``bin_width`` over [0, horizon]."""
        width = check_float("bin_width", bin_width, 0.0, strict_min=True)
        top = check_float("horizon", horizon, width)
        edges = np.arange(0.0, top + width / 2, width)
        counts, _ = np.histogram(self.times[self.backend], edges)
        rates: NDArray[np.float64] = counts / width
        return rates


def simulate_cold_start(popularity: ArrayLike, request_rate: float,
                        fill_latency: float, horizon: float, *, coalesce: bool,
                        rng: RNGLike = None) -> ColdStart:
    """Simulate ``horizon`` seconds of Poisson requests on a cache emptied at time 0.

    Each item's first request goes to the backend and fills the cache
    ``fill_latency`` later. Without coalescing every later request that
    arrives before that fill also goes to the backend; with coalescing it
    waits for the fill instead. All randomness comes from ``rng``.
    """
    lam = check_float("request_rate", request_rate, 0.0, strict_min=True)
    d = check_float("fill_latency", fill_latency, 0.0)
    h = check_float("horizon", horizon, 0.0)
    gen = as_rng(rng)
    p = check_popularity(popularity)
    count = int(gen.poisson(lam * h))
    times = np.sort(gen.random(count) * h)   # Poisson: uniform given the count
    items = sample_requests(p, count, gen)
    first = np.full(p.size, np.inf)
    np.minimum.at(first, items, times)
    backend = times == first[items]
    if not coalesce:
        backend |= times < first[items] + d
    return ColdStart(times, items, backend)
