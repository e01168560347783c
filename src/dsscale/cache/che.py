r"""Che's approximation for an LRU cache under independent references.

An LRU cache of C items holds item i exactly when i was requested among the
last few requests that touched C distinct items. Che, Tung and Wang replace
that random window by a constant, the *characteristic time* :math:`T_C`
(measured in requests): item i is in the cache iff it was requested within
the last :math:`T_C` requests. Under the IRM, requests for i form a Bernoulli
stream of rate :math:`p_i` per request, which for large catalogues is
Poisson, so

.. math:: h_i = 1 - e^{-p_i T_C}, \qquad
          \sum_{i} \bigl(1 - e^{-p_i T_C}\bigr) = C ,

the second equation saying that the expected number of distinct items in the
window is the cache size. The overall hit ratio is :math:`\sum_i p_i h_i`.
Fagin (1977) derived the same limit for the LRU miss ratio; Fricker, Robert
and Roberts (2012) explain why it is accurate even for small caches.

References
----------
H. Che, Y. Tung, Z. Wang, "Hierarchical Web caching systems: modeling,
design and experimental results", IEEE JSAC 20(7), 2002. R. Fagin,
"Asymptotic miss ratios over independent references", JCSS 14(2), 1977.
C. Fricker, P. Robert, J. Roberts, "A versatile and accurate approximation
for LRU cache performance", ITC 24, 2012.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from dsscale._validate import check_array, check_float, check_int
from dsscale.cache.popularity import check_popularity

__all__ = [
    "cache_size_for_hit_ratio",
    "characteristic_time",
    "che_hit_probabilities",
    "che_hit_ratio",
    "static_hit_ratio",
    "transient_miss_ratio",
]


def _distinct(p: NDArray[np.float64], window: float) -> float:
    """Expected distinct items among ``window`` requests, Poisson approximation."""
    return float(np.sum(-np.expm1(-p * window)))


def characteristic_time(popularity: ArrayLike, cache_size: int) -> float:
    r"""The window :math:`T_C` (in requests) with :math:`\sum_i (1 - e^{-p_i T_C}) = C`.

    The left side increases from 0 to the number of items with
    :math:`p_i > 0`, so the root is unique; it is bracketed by doubling and
    found by Brent's method. Returns ``inf`` when the cache holds every item
    that is ever requested.

    >>> round(characteristic_time([0.5, 0.5], 1), 6)   # 2 (1 - e^{-T/2}) = 1
    1.386294
    """
    p = check_popularity(popularity)
    c = check_int("cache_size", cache_size, 0)
    if c == 0:
        return 0.0
    if c >= int(np.count_nonzero(p)):
        return math.inf
    hi = float(c)
    while _distinct(p, hi) < c:
        hi *= 2.0
    return float(brentq(lambda t: _distinct(p, t) - c, 0.0, hi, xtol=1e-10 * hi,
                        rtol=1e-12))


def che_hit_probabilities(popularity: ArrayLike,
                          cache_size: int) -> NDArray[np.float64]:
    r"""Probability :math:`h_i = 1 - e^{-p_i T_C}` that a request for item i hits."""
    p = check_popularity(popularity)
    t = characteristic_time(p, cache_size)
    if math.isinf(t):
        return np.where(p > 0, 1.0, 0.0)
    hits: NDArray[np.float64] = -np.expm1(-p * t)
    return hits


def che_hit_ratio(popularity: ArrayLike, cache_size: int) -> float:
    r"""Fraction of requests an LRU cache of ``cache_size`` items serves,
    :math:`\sum_i p_i (1 - e^{-p_i T_C})`.

    >>> round(che_hit_ratio([0.5, 0.5], 1), 4)   # exact LRU: 0.5
    0.5
    """
    p = check_popularity(popularity)
    return float(np.sum(p * che_hit_probabilities(p, cache_size)))


def static_hit_ratio(popularity: ArrayLike, cache_size: int) -> float:
    r"""Hit ratio of a cache that always holds the ``cache_size`` most popular items.

    Under the IRM a cache holding a set S of C items serves
    :math:`\sum_{i \in S} p_i` of the requests, which no policy can beat:
    this is the upper bound against which LRU is measured.

    >>> static_hit_ratio([0.5, 0.3, 0.2], 2)
    0.8
    """
    p = check_popularity(popularity)
    c = check_int("cache_size", cache_size, 0)
    return float(np.sort(p)[::-1][:c].sum())


def cache_size_for_hit_ratio(popularity: ArrayLike, hit_ratio: float) -> int:
    """Smallest LRU cache size whose :func:`che_hit_ratio` reaches ``hit_ratio``.

    The hit ratio increases with the cache size, so a binary search over
    ``0..K`` (K the number of items requested at all) finds it.

    >>> cache_size_for_hit_ratio([0.5, 0.5], 0.4)   # one item holds half the hits
    1
    """
    p = check_popularity(popularity)
    target = check_float("hit_ratio", hit_ratio, 0.0, 1.0)
    lo, hi = 0, int(np.count_nonzero(p))   # che_hit_ratio(p, hi) == 1
    while lo < hi:
        mid = (lo + hi) // 2
        if che_hit_ratio(p, mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def transient_miss_ratio(popularity: ArrayLike, cache_size: int,
                         requests_since_flush: ArrayLike) -> NDArray[np.float64]:
    r"""Miss ratio of an LRU cache ``n`` requests after it was emptied.

    Che's argument applied to a cache that started empty: item i is present
    iff it was requested within the last :math:`\min(n, T_C)` requests, so

    .. math:: m(n) = \sum_i p_i\, e^{-p_i \min(n, T_C)},

    which falls from 1 at the flush to the steady miss ratio once the cache
    has seen :math:`T_C` requests.

    >>> transient_miss_ratio([0.5, 0.5], 1, [0]).tolist()
    [1.0]
    """
    p = check_popularity(popularity)
    t = characteristic_time(p, cache_size)
    n = check_array("requests_since_flush", requests_since_flush, 0.0)
    window = np.minimum(n, t)[..., None]
    result: NDArray[np.float64] = np.sum(p * np.exp(-p * window), axis=-1)
    return result
