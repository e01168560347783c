"""An LRU cache simulated request by request.

The cache holds at most ``cache_size`` items; a request for an item it holds
is a hit and makes the item the most recently used; a miss inserts the item
and, if the cache is full, evicts the least recently used one. An
``OrderedDict`` keeps the recency order, so each request costs O(1).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import check_int

__all__ = ["simulate_lru"]


def simulate_lru(requests: ArrayLike, cache_size: int) -> NDArray[np.bool_]:
    """Whether each request hits an LRU cache of ``cache_size`` items that starts empty.

    Parameters
    ----------
    requests : array_like of int
        Item identifiers, in request order.
    cache_size : int
        Items the cache holds, >= 0 (0: every request misses).

    Returns
    -------
    numpy.ndarray of bool
        ``hits[k]`` is True iff request k was served from the cache.

    >>> simulate_lru([1, 2, 1, 3, 2, 1], 2).tolist()
    [False, False, True, False, False, False]
    """
    c = check_int("cache_size", cache_size, 0)
    items = np.asarray(requests)
    if items.ndim != 1 or (items.size and items.dtype.kind not in "iu"):
        raise TypeError("requests must be a one-dimensional array of integer items")
    hits = np.zeros(items.size, dtype=bool)
    if c == 0:
        return hits
    cache: OrderedDict[int, None] = OrderedDict()
    for k, item in enumerate(items.tolist()):
        if item in cache:
            cache.move_to_end(item)
            hits[k] = True
        else:
            cache[item] = None
            if len(cache) > c:
                cache.popitem(last=False)
    return hits
