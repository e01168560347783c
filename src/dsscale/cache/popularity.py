r"""Item popularity and the independent reference model.

Under the *independent reference model* (IRM) each request names item i with
probability :math:`p_i`, independently of every other request (Fagin 1977).
Measured popularity in web, video and key-value workloads is close to a Zipf
law, :math:`p_i \propto i^{-s}`, with s between about 0.6 and 1.2.

References
----------
R. Fagin, "Asymptotic miss ratios over independent references", Journal of
Computer and System Sciences 14(2), 1977. G. K. Zipf, *Human Behavior and the
Principle of Least Effort*, 1949.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int

__all__ = ["check_popularity", "sample_requests", "zipf_popularity"]


def zipf_popularity(num_items: int, exponent: float) -> NDArray[np.float64]:
    r"""Request probabilities :math:`p_i = i^{-s} / \sum_{j=1}^{K} j^{-s}`, i = 1..K.

    Item 0 of the result is the most popular. ``exponent = 0`` is uniform.

    >>> zipf_popularity(3, 1.0).round(4).tolist()   # 1, 1/2, 1/3 over 11/6
    [0.5455, 0.2727, 0.1818]
    """
    k = check_int("num_items", num_items, 1)
    s = check_float("exponent", exponent, 0.0)
    weights = np.arange(1, k + 1, dtype=np.float64) ** -s
    result: NDArray[np.float64] = weights / weights.sum()
    return result


def check_popularity(popularity: ArrayLike) -> NDArray[np.float64]:
    """Return ``popularity`` as probabilities: non-negative weights, normalised.

    Raises ``ValueError`` naming ``popularity`` if it is empty, not
    one-dimensional, negative somewhere or zero everywhere.
    """
    p = check_array("popularity", popularity, 0.0)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("popularity must be a non-empty one-dimensional array, "
                         f"got shape {p.shape}")
    total = float(p.sum())
    if total <= 0.0:
        raise ValueError("popularity must have a positive sum, got all zeros")
    result: NDArray[np.float64] = p / total
    return result


def sample_requests(popularity: ArrayLike, num_requests: int,
                    rng: RNGLike = None) -> NDArray[np.int64]:
    """``num_requests`` item indices drawn independently from ``popularity`` (IRM)."""
    p = check_popularity(popularity)
    n = check_int("num_requests", num_requests, 0)
    gen = as_rng(rng)
    # inverse-CDF sampling: one uniform per request, one binary search each
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    items: NDArray[np.int64] = np.searchsorted(cdf, gen.random(n), side="right")
    return np.minimum(items, p.size - 1).astype(np.int64)
