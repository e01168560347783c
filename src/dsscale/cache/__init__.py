"""Caches: how many requests a cache absorbs, and what happens when it is empty.

* :mod:`~dsscale.cache.popularity` — Zipf popularity and independent
  reference streams (the IRM of Fagin 1977).
* :mod:`~dsscale.cache.che` — Che's approximation for LRU: the
  characteristic time, per-item and overall hit ratios, and the cache size
  for a target hit ratio.
* :mod:`~dsscale.cache.lru` — an LRU cache simulated request by request.
* :mod:`~dsscale.cache.stampede` — a cold cache: the miss rate while it
  warms up, and the backend requests with and without request coalescing.
"""

from .che import (
    cache_size_for_hit_ratio,
    characteristic_time,
    che_hit_probabilities,
    che_hit_ratio,
    static_hit_ratio,
    transient_miss_ratio,
)
from .lru import simulate_lru
from .popularity import sample_requests, zipf_popularity
from .stampede import (
    ColdStart,
    cold_start_backend_rate,
    cold_start_backend_requests,
    simulate_cold_start,
)

__all__ = [
    "ColdStart",
    "cache_size_for_hit_ratio",
    "characteristic_time",
    "che_hit_probabilities",
    "che_hit_ratio",
    "cold_start_backend_rate",
    "cold_start_backend_requests",
    "sample_requests",
    "simulate_cold_start",
    "simulate_lru",
    "static_hit_ratio",
    "transient_miss_ratio",
    "zipf_popularity",
]
