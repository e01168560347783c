r"""When to stop adding nodes: the economic size is well below the USL peak.

Under the Universal Scalability Law (Gunther 2007) n nodes deliver

.. math:: X(n) = \frac{\lambda n}{D(n)}, \qquad
          D(n) = 1 + \sigma (n - 1) + \kappa n (n - 1),

which peaks at :math:`N^* = \sqrt{(1-\sigma)/\kappa}`. At a price p per node
the cost per unit of throughput, :math:`p n / X(n) = p D(n)/\lambda`, rises
with every node once σ or κ is positive, so there is no size at which
"efficiency" is best except n = 1: the question is what the extra
throughput is worth. If a unit of throughput is worth v, the profit
:math:`v X(n) - p n` grows while the next node adds more value than it
costs,

.. math:: v\,\bigl(X(n) - X(n - 1)\bigr) \ge p ,

and the economic size is the last n for which that holds. The marginal
throughput falls to zero at :math:`N^*`, so for any positive price the
economic size is smaller than :math:`N^*`; stopping "at the peak" spends the
last nodes on almost nothing.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import check_array, check_float
from dsscale.laws import usl_peak, usl_throughput

__all__ = [
    "cost_per_throughput",
    "economic_cluster_size",
    "marginal_throughput",
    "nodes_for_throughput",
]

_MAX_NODES = 1_000_000


def _params(node_throughput: float, sigma: float,
            kappa: float) -> tuple[float, float, float]:
    lam = check_float("node_throughput", node_throughput, 0.0, strict_min=True)
    s = check_float("sigma", sigma, 0.0, 1.0)
    k = check_float("kappa", kappa, 0.0)
    return lam, s, k


def marginal_throughput(n: ArrayLike, node_throughput: float, sigma: float,
                        kappa: float) -> NDArray[np.float64]:
    """Throughput the n-th node adds, :math:`X(n) - X(n-1)` (with X(0) = 0).

    >>> marginal_throughput([1, 2], 100.0, 0.0, 0.0).tolist()   # linear scaling
    [100.0, 100.0]
    """
    lam, s, k = _params(node_throughput, sigma, kappa)
    x = check_array("n", n, 1.0)
    before = np.where(x > 1, np.asarray(usl_throughput(np.maximum(x - 1, 1), lam, s,
                                                       k)), 0.0)
    result: NDArray[np.float64] = np.asarray(usl_throughput(x, lam, s, k)) - before
    return result


def cost_per_throughput(n: ArrayLike, node_throughput: float, sigma: float,
                        kappa: float, node_cost: float = 1.0) -> NDArray[np.float64]:
    r"""Cost of one unit of throughput at n nodes, :math:`p n / X(n) = p D(n)/\lambda`.

    >>> cost_per_throughput([1, 10], 100.0, 0.1, 0.0).round(4).tolist()
    [0.01, 0.019]
    """
    lam, s, k = _params(node_throughput, sigma, kappa)
    x = check_array("n", n, 1.0)
    p = check_float("node_cost", node_cost, 0.0, strict_min=True)
    result: NDArray[np.float64] = p * x / np.asarray(usl_throughput(x, lam, s, k))
    return result


def economic_cluster_size(node_throughput: float, sigma: float, kappa: float,
                          node_cost: float, throughput_value: float) -> int:
    r"""The cluster size that maximises :math:`v X(n) - p n`.

    ``node_cost`` p is the price of a node and ``throughput_value`` v the value
    of one unit of throughput, both per the same period. Nodes are added while
    the next one's marginal throughput is worth at least its price; the
    marginal throughput decreases in n, so the first node that is not worth
    it ends the search. Returns 1 when even the first node is not worth its
    price (the caller should then ask whether to run the service at all).

    >>> economic_cluster_size(1000.0, 0.05, 0.001, 1.0, 0.01)   # N* = 30.8
    20
    """
    lam, s, k = _params(node_throughput, sigma, kappa)
    p = check_float("node_cost", node_cost, 0.0, strict_min=True)
    v = check_float("throughput_value", throughput_value, 0.0, strict_min=True)
    peak = usl_peak(s, k)
    limit = _MAX_NODES if math.isinf(peak) else math.ceil(peak) + 1
    n = 1
    while n < limit and v * float(marginal_throughput(n + 1, lam, s, k)[()]) >= p:
        n += 1
    if n == _MAX_NODES:
        raise ValueError("node_cost is so small against throughput_value that the "
                         f"economic size exceeds {_MAX_NODES} nodes")
    return n


def nodes_for_throughput(target: float, node_throughput: float, sigma: float,
                         kappa: float) -> int:
    r"""Fewest nodes whose USL throughput reaches ``target``.

    With κ = 0 the inequality :math:`\lambda n \ge t\,(1 + \sigma(n-1))` is
    linear, :math:`n \ge t(1-\sigma)/(\lambda - t\sigma)`; otherwise the
    search walks up to :math:`\lceil N^* \rceil`. Raises ``ValueError``
    naming ``target`` when no size reaches it: above the throughput at the
    best integer size, or at or above the ceiling λ/σ when κ = 0.

    >>> nodes_for_throughput(8000.0, 1000.0, 0.05, 0.001)   # X(16) = 8040
    16
    >>> nodes_for_throughput(10_000.0, 1000.0, 0.05, 0.0)   # (0.95 t)/(1000 - 0.05 t)
    19
    """
    lam, s, k = _params(node_throughput, sigma, kappa)
    t = check_float("target", target, 0.0, strict_min=True)
    if k == 0.0:
        if t * s >= lam:
            raise ValueError(f"target must be below the throughput ceiling "
                             f"node_throughput / sigma = {lam / s:.6g}, got {t:g}")
        return max(1, math.ceil(t * (1.0 - s) / (lam - t * s) - 1e-9))
    top = math.ceil(usl_peak(s, k))
    sizes = np.arange(1, top + 1)
    reached = np.flatnonzero(np.asarray(usl_throughput(sizes, lam, s, k)) >= t)
    if reached.size == 0:
        best = float(np.max(usl_throughput(sizes, lam, s, k)))
        raise ValueError(f"target must be at most the peak throughput {best:.6g} "
                         f"of this system, got {t:g}")
    return int(sizes[reached[0]])
