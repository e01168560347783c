r"""How many shards, now and after growth, and how much data moves to get there.

A shard must hold its data and serve its requests. With ``data_size`` D,
``request_rate`` λ, a shard that holds ``shard_capacity`` B and serves
``shard_throughput`` X at full utilisation, a utilisation cap u and a
peak-to-mean load factor π (the busiest shard's share of requests over the
mean, 1 for a perfect spread),

.. math:: n = \max\Bigl(\Bigl\lceil \frac{D}{B} \Bigr\rceil,\;
          \Bigl\lceil \frac{\pi \lambda}{u X} \Bigr\rceil\Bigr),

and growth by a factor g multiplies both D and λ. Going from n to n' shards
moves a fraction of the keys that depends on the scheme: modulo hashing
keeps a key only if :math:`h \bmod n = h \bmod n'`, which holds for
:math:`\min(n, n')` of every :math:`\operatorname{lcm}(n, n')` consecutive
hashes, while consistent schemes (ring, jump, rendezvous) move the minimum,
:math:`|n' - n| / \max(n, n')` (Karger et al. 1997; Lamping and Veach 2014;
Thaler and Ravishankar 1998).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.partitioning import (
    HashRing,
    JumpHash,
    Maglev,
    ModuloPartitioner,
    Partitioner,
    Rendezvous,
    moved_fraction,
)

__all__ = [
    "SCHEMES",
    "ShardPlan",
    "measure_resize",
    "moved_fraction_on_resize",
    "plan_shards",
    "stepwise_moved_fraction",
]

SCHEMES = {
    "modulo": ModuloPartitioner,
    "ring": HashRing,
    "jump": JumpHash,
    "rendezvous": Rendezvous,
    "maglev": Maglev,
}
"""The hashing schemes of Chapter 3, by name: each takes a list of node labels."""


@dataclass(frozen=True)
class ShardPlan:
    """Shards needed now and after growth, and the binding constraint of each."""

    shards_for_data: int
    shards_for_throughput: int
    shards: int
    growth: float
    shards_after_growth: int
    modulo_moved: float
    consistent_moved: float

    @property
    def bound_by(self) -> str:
        """``"data"`` or ``"throughput"``: which requirement sets :attr:`shards`."""
        if self.shards_for_data >= self.shards_for_throughput:
            return "data"
        return "throughput"


def _needed(data: float, rate: float, capacity: float,
            throughput: float) -> tuple[int, int]:
    by_data = max(1, math.ceil(data / capacity - 1e-9))
    by_rate = max(1, math.ceil(rate / throughput - 1e-9))
    return by_data, by_rate


def plan_shards(data_size: float, request_rate: float, shard_capacity: float,
                shard_throughput: float, *, max_utilisation: float = 0.7,
                peak_to_mean: float = 1.0, growth: float = 1.0) -> ShardPlan:
    """Shards for the data and the load now and after ``growth``, and the data moved.

    Sizes are in any one unit (GB, keys), rates in any one unit (requests per
    second). ``growth`` >= 1 multiplies both the data and the request rate.
    The moved fractions are those of going from :attr:`ShardPlan.shards` to
    :attr:`ShardPlan.shards_after_growth` in one step.

    >>> plan = plan_shards(2000.0, 60_000.0, 100.0, 5000.0, growth=3.0)
    >>> plan.shards, plan.bound_by, plan.shards_after_growth
    (20, 'data', 60)
    """
    d = check_float("data_size", data_size, 0.0)
    lam = check_float("request_rate", request_rate, 0.0)
    b = check_float("shard_capacity", shard_capacity, 0.0, strict_min=True)
    x = check_float("shard_throughput", shard_throughput, 0.0, strict_min=True)
    u = check_float("max_utilisation", max_utilisation, 0.0, 1.0, strict_min=True)
    pi = check_float("peak_to_mean", peak_to_mean, 1.0)
    g = check_float("growth", growth, 1.0)
    by_data, by_rate = _needed(d, pi * lam, b, u * x)
    now = max(by_data, by_rate)
    later = max(_needed(g * d, g * pi * lam, b, u * x))
    return ShardPlan(by_data, by_rate, now, g, later,
                     moved_fraction_on_resize(now, later, "modulo"),
                     moved_fraction_on_resize(now, later, "consistent"))


def moved_fraction_on_resize(old_shards: int, new_shards: int,
                             scheme: str = "consistent") -> float:
    r"""Expected fraction of keys that change shard when n shards become n'.

    ``"modulo"``: :math:`1 - \min(n, n')/\operatorname{lcm}(n, n')`, since
    :math:`h \bmod n = h \bmod n' = r` forces :math:`h \equiv r` modulo the
    lcm with :math:`r < \min(n, n')`. ``"consistent"``:
    :math:`|n' - n|/\max(n, n')`, the least any scheme can move.

    >>> moved_fraction_on_resize(10, 11, "modulo")    # 1 - 10/110
    0.9090909090909091
    >>> moved_fraction_on_resize(10, 20, "modulo")    # doubling keeps half
    0.5
    >>> moved_fraction_on_resize(10, 11)
    0.09090909090909091
    """
    n = check_int("old_shards", old_shards, 1)
    m = check_int("new_shards", new_shards, 1)
    if scheme == "modulo":
        return 1.0 - min(n, m) / math.lcm(n, m)
    if scheme == "consistent":
        return abs(m - n) / max(n, m)
    raise ValueError(f"scheme must be 'modulo' or 'consistent', got {scheme!r}")


def stepwise_moved_fraction(old_shards: int, new_shards: int) -> float:
    r"""Data moved, as a fraction of the data size, growing one shard at a time.

    A consistent scheme moves :math:`1/(k+1)` of the data when shard k + 1
    joins, so growing from n to n' moves :math:`\sum_{k=n}^{n'-1} 1/(k+1)
    \approx \ln(n'/n)` in total, more than :math:`1 - n/n'` at once because
    some keys move twice.

    >>> round(stepwise_moved_fraction(10, 20), 4)   # 1/11 + ... + 1/20
    0.6688
    """
    n = check_int("old_shards", old_shards, 1)
    m = check_int("new_shards", new_shards, n)
    return float(sum(1.0 / (k + 1) for k in range(n, m)))


def measure_resize(scheme: str, old_shards: int, new_shards: int,
                   num_keys: int = 100_000, rng: RNGLike = None) -> float:
    """Measured fraction of ``num_keys`` random keys that move when n shards become n'.

    The partitioner of Chapter 3 named ``scheme`` (a key of :data:`SCHEMES`)
    is built over shards ``shard-0 .. shard-(n-1)`` and over the first n'
    of the same labels; random 64-bit keys come from ``rng``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {sorted(SCHEMES)}, got {scheme!r}")
    n = check_int("old_shards", old_shards, 1)
    m = check_int("new_shards", new_shards, 1)
    k = check_int("num_keys", num_keys, 1)
    keys = as_rng(rng).integers(0, 2**63, size=k, dtype=np.int64)
    labels = [f"shard-{i}" for i in range(max(n, m))]
    make = SCHEMES[scheme]
    before: Partitioner = make(labels[:n])
    after: Partitioner = make(labels[:m])
    return moved_fraction(before, after, keys)
