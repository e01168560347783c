r"""How many virtual nodes keep the busiest node within ε of its fair share.

With n nodes of v virtual nodes each, a node's share of the ring is
:math:`S \sim \mathrm{Beta}(v, (n-1)v)`, of mean 1/n and coefficient of
variation :math:`\sqrt{(n-1)/(nv+1)} \approx 1/\sqrt v` (Chapter 3). The
busiest node stays within :math:`(1 + \varepsilon)/n` when every node does;
treating the n shares as independent,

.. math:: P\Bigl(\max_i S_i \le \frac{1+\varepsilon}{n}\Bigr) \approx
          F_{\mathrm{Beta}(v,(n-1)v)}\Bigl(\frac{1+\varepsilon}{n}\Bigr)^{n} .

In the normal approximation :math:`S \approx \frac1n (1 + Z/\sqrt v)`, which
gives the rule of thumb :math:`v \approx (z/\varepsilon)^2` with z the
standard normal quantile of :math:`c^{1/n}` for confidence c: each node
must be within z standard deviations.

The shares sum to one. The Dirichlet law of the shares is negatively
associated (Joag-Dev and Proschan 1983), so the independent product is an
upper bound, and by Bonferroni's inequalities it exceeds the truth by at
most :math:`\binom{n}{2} q^2`, q the probability that one node is over. The
union bound :math:`1 - nq` is a lower bound; :func:`vnodes_for_imbalance`
uses it, so its answer holds whatever the dependence.

References
----------
D. Karger et al., "Consistent hashing and random trees", STOC 1997;
H. A. David and H. N. Nagaraja, *Order Statistics*, Wiley 2003;
K. Joag-Dev and F. Proschan, "Negative association of random variables, with
applications", Annals of Statistics 11(1), 1983.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.partitioning import HashRing, peak_to_mean

__all__ = [
    "max_share_probability",
    "measure_peak_to_mean",
    "normal_quantile_for_max",
    "vnodes_for_imbalance",
    "vnodes_rule_of_thumb",
]


def max_share_probability(num_nodes: int, vnodes: int, imbalance: float) -> float:
    r"""Probability that no node's share exceeds :math:`(1 + \varepsilon)/n`.

    The independent-Beta approximation of the module docstring.

    >>> round(max_share_probability(2, 1, 0.5), 6)   # Beta(1, 1) <= 3/4, squared
    0.5625
    """
    n = check_int("num_nodes", num_nodes, 1)
    v = check_int("vnodes", vnodes, 1)
    eps = check_float("imbalance", imbalance, 0.0, strict_min=True)
    if n == 1:
        return 1.0
    one = float(stats.beta.cdf(min(1.0, (1.0 + eps) / n), v, (n - 1) * v))
    return one**n


def normal_quantile_for_max(num_nodes: int, confidence: float) -> float:
    r"""The z with :math:`\Phi(z)^n = c`: how many standard deviations each node needs.

    >>> round(normal_quantile_for_max(1, 0.975), 3)
    1.96
    """
    n = check_int("num_nodes", num_nodes, 1)
    c = check_float("confidence", confidence, 0.0, 1.0, strict_min=True,
                    strict_max=True)
    return float(special.ndtri(c ** (1.0 / n)))


def vnodes_rule_of_thumb(num_nodes: int, imbalance: float,
                         confidence: float = 0.99) -> int:
    r"""The normal rule of thumb, :math:`v \approx (z/\varepsilon)^2`.

    Exactly :math:`\lceil ((n-1) z^2/\varepsilon^2 - 1)/n \rceil`, which sets
    the exact coefficient of variation :math:`\sqrt{(n-1)/(nv+1)}` to
    :math:`\varepsilon/z`, with z from :func:`normal_quantile_for_max`.

    >>> vnodes_rule_of_thumb(40, 0.1)   # z = 3.48: about 1,200 points per node
    1181
    """
    n = check_int("num_nodes", num_nodes, 1)
    eps = check_float("imbalance", imbalance, 0.0, strict_min=True)
    z = normal_quantile_for_max(n, confidence)
    return max(1, math.ceil(((n - 1) * z * z / (eps * eps) - 1.0) / n - 1e-9))


def _union_bound(n: int, v: int, eps: float) -> float:
    """1 - n P(one share > (1 + eps)/n): a lower bound on P(no share over)."""
    if n == 1:
        return 1.0
    over = float(stats.beta.sf(min(1.0, (1.0 + eps) / n), v, (n - 1) * v))
    return 1.0 - n * over


def vnodes_for_imbalance(num_nodes: int, imbalance: float,
                         confidence: float = 0.99) -> int:
    """Fewest vnodes per node that keep every share within ``imbalance`` of fair.

    The smallest v whose union bound :math:`1 - nq(v)` on the probability
    that no node's share exceeds :math:`(1 + \varepsilon)/n` reaches
    ``confidence``. The bound grows with v, so the answer is bracketed by
    doubling and found by bisection over the integers.

    >>> vnodes_for_imbalance(40, 0.1)   # the Beta's right tail is heavier
    1251
    """
    n = check_int("num_nodes", num_nodes, 1)
    eps = check_float("imbalance", imbalance, 0.0, strict_min=True)
    c = check_float("confidence", confidence, 0.0, 1.0, strict_max=True)
    if _union_bound(n, 1, eps) >= c:
        return 1
    lo, hi = 1, 2
    while _union_bound(n, hi, eps) < c:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _union_bound(n, mid, eps) >= c:
            hi = mid
        else:
            lo = mid
    return hi


def measure_peak_to_mean(num_nodes: int, vnodes: int, num_rings: int,
                         rng: RNGLike = None) -> NDArray[np.float64]:
    """Busiest node's ring share over the mean, for ``num_rings`` rings of random names.

    Each ring is a :class:`~dsscale.partitioning.HashRing` whose node labels
    carry a random prefix from ``rng``, so the rings are independent draws;
    the shares are exact (``arc_fractions``), the load of infinitely many keys.
    """
    n = check_int("num_nodes", num_nodes, 1)
    v = check_int("vnodes", vnodes, 1)
    r = check_int("num_rings", num_rings, 1)
    gen = as_rng(rng)
    peaks = np.empty(r)
    for j in range(r):
        prefix = int(gen.integers(2**62))
        ring = HashRing([f"{prefix:x}-{i}" for i in range(n)], vnodes=v)
        peaks[j] = peak_to_mean(ring.arc_fractions())
    return peaks
