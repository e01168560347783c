r"""Load and movement metrics shared by every partitioning scheme.

Conventions: an *assignment* is an array of node indices, as returned by
``node_for_many``; :func:`assigned_nodes` turns one into node labels, which is
what :func:`moved_fraction` compares (indices shift when a node is removed, labels
do not).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_array, check_int
from .base import Partitioner


def assigned_nodes(partitioner: Partitioner, keys: Any) -> NDArray[Any]:
    """Node labels (not indices) of `keys` under `partitioner`, as a numpy array."""
    labels = np.empty(len(partitioner.nodes), dtype=object)
    labels[:] = list(partitioner.nodes)
    return labels[partitioner.node_for_many(keys)]


def load_distribution(assignment: ArrayLike,
                      nodes: int | Sequence[Any] | Partitioner) -> NDArray[np.int64]:
    """Keys per node: ``counts[i]`` = number of entries of `assignment` equal to i.

    Parameters
    ----------
    assignment : array_like of int
        Node indices in ``0..num_nodes-1`` (the output of ``node_for_many``).
    nodes : int, sequence or partitioner
        The node count, or anything whose nodes define it (only the count is used).

    Returns
    -------
    numpy.ndarray of int64, length num_nodes
    """
    if isinstance(nodes, (int, np.integer)) and not isinstance(nodes, bool):
        num_nodes = check_int("nodes", nodes, 1)
    else:
        seq = nodes.nodes if isinstance(nodes, Partitioner) else nodes
        num_nodes = check_int("nodes", len(seq), 1)  # type: ignore[arg-type]
    a = np.asarray(assignment)
    if a.size == 0:
        return np.zeros(num_nodes, dtype=np.int64)
    if a.dtype.kind not in "iu":
        raise TypeError(f"assignment must hold integer node indices, got {a.dtype}")
    if a.min() < 0 or a.max() >= num_nodes:
        raise ValueError(f"assignment must hold indices in 0..{num_nodes - 1}, "
                         f"got values in {a.min()}..{a.max()}")
    return np.bincount(a.ravel(), minlength=num_nodes).astype(np.int64)


def peak_to_mean(loads: ArrayLike) -> float:
    r"""Peak-to-mean load ratio :math:`\max_i L_i / \bar L` (1 is perfect balance)."""
    arr = check_array("loads", loads, 0.0)
    if arr.size == 0:
        raise ValueError("loads must contain at least 1 value")
    mean = float(arr.mean())
    if mean == 0.0:
        raise ValueError("loads must have a positive mean, got all zeros")
    return float(arr.max()) / mean


def moved_fraction(before: Any, after: Any, keys: Any = None) -> float:
    """Fraction of keys whose node changed.

    Two calling forms:

    * ``moved_fraction(before, after)`` -- `before`/`after` are equal-length
      arrays of node *labels* (e.g. from :func:`assigned_nodes`) for the same keys;
    * ``moved_fraction(old, new, keys)`` -- `old`/`new` are partitioners and the
      labels are computed for `keys`.

    Labels, not indices, are compared, because removing a node renumbers the
    nodes after it.
    """
    if keys is not None:
        before, after = assigned_nodes(before, keys), assigned_nodes(after, keys)
    b, a = np.asarray(before), np.asarray(after)
    if b.shape != a.shape or b.ndim != 1:
        raise ValueError(f"before and after must be 1-d arrays of equal length, "
                         f"got shapes {b.shape} and {a.shape}")
    if b.size == 0:
        raise ValueError("before must contain at least 1 key")
    return float(np.mean(b != a))


def ring_share_cv(num_nodes: int, vnodes: int) -> float:
    r"""Coefficient of variation of a node's ring share with `vnodes` points each.

    A node's share of :math:`nv` uniform points' spacings is
    :math:`\mathrm{Beta}(v, (n-1)v)`, whose standard deviation over its mean is

    .. math:: \frac{\sigma}{\mu} = \sqrt{\frac{n-1}{nv+1}} \approx \frac{1}{\sqrt v}.

    References
    ----------
    Karger et al., STOC 1997; H. A. David, H. N. Nagaraja, *Order Statistics*,
    3rd ed., Wiley 2003 (uniform spacings are Dirichlet).
    """
    n = check_int("num_nodes", num_nodes, 1)
    v = check_int("vnodes", vnodes, 1)
    return math.sqrt((n - 1) / (n * v + 1))


def split_share_cv(num_partitions: int, sample_size: int) -> float:
    r"""Coefficient of variation of a range partition's share of the data when
    the split points are the quantiles of a random sample of ``sample_size`` keys.

    Through the keys' own CDF the sample becomes :math:`m` uniform points, and
    a partition spans :math:`g = m / P` sample gaps, so its share is
    :math:`\mathrm{Beta}(g, m + 1 - g)`:

    .. math:: \frac{\sigma}{\mu} = \sqrt{\frac{m + 1 - g}{g\,(m + 2)}}
              \approx \sqrt{\frac{P - 1}{m + 1}},

    close to, but not the same law as, a ring node's share
    :math:`\mathrm{Beta}(v, (n-1)v)` (:func:`ring_share_cv`) with
    :math:`v = g` points per node.

    >>> round(split_share_cv(4, 8), 4), round(ring_share_cv(4, 2), 4)  # few points
    (0.5916, 0.5774)
    """
    p = check_int("num_partitions", num_partitions, 1)
    m = check_int("sample_size", sample_size, p)
    g = m / p
    return math.sqrt((m + 1 - g) / (g * (m + 2)))


def load_cv(loads: ArrayLike) -> float:
    r"""Coefficient of variation :math:`\sigma / \mu` of per-node loads."""
    arr = check_array("loads", loads, 0.0)
    if arr.size == 0 or arr.mean() == 0:
        raise ValueError("loads must be non-empty with a positive mean")
    return float(arr.std() / arr.mean())
