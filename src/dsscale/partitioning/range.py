r"""Range partitioning: contiguous key ranges, split at sorted boundaries.

With sorted boundaries :math:`b_0 \le b_1 \le \dots \le b_{P-2}`, partition
:math:`i` holds the keys in :math:`[b_{i-1}, b_i)` (with :math:`b_{-1} = -\infty`,
:math:`b_{P-1} = +\infty`), i.e.

.. math:: \mathrm{part}(k) = \#\{\, j : b_j \le k \,\}

which is ``bisect_right`` / ``np.searchsorted(..., side="right")``. Range scans
stay on one node, at the price of hot spots when keys are skewed; choosing the
boundaries from quantiles of a sample (as in sample sort and Bigtable/HBase split
points) evens out the load for the sampled distribution.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_int
from .base import check_nodes

_FAST_KINDS = "iufU"


def _plain_array(values: Any) -> NDArray[Any] | None:
    """`values` as a 1-d numeric or string array, or None if they are not that."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        return None
    return arr if arr.ndim == 1 and arr.dtype.kind in _FAST_KINDS else None


class RangePartitioner:
    """Assign each key to the range between consecutive `boundaries`.

    Parameters
    ----------
    boundaries : sequence of mutually comparable values
        ``P - 1`` split points in non-decreasing order for ``P`` partitions (equal
        neighbours give an empty partition). Numbers or strings take a vectorised
        numpy path; other comparable values fall back to :func:`bisect.bisect_right`.
    nodes : sequence of hashable, optional
        One distinct label per partition; default ``0, 1, ..., P - 1``.

    Notes
    -----
    Float keys that are NaN sort after every boundary, so they land in the last
    partition (both in :meth:`node_for` and :meth:`node_for_many`).
    """

    def __init__(self, boundaries: Sequence[Any] | NDArray[Any],
                 nodes: Sequence[Hashable] | None = None) -> None:
        bounds = list(np.asarray(boundaries).tolist()
                      if isinstance(boundaries, np.ndarray) else boundaries)
        try:
            unsorted = any(bounds[i + 1] < bounds[i] for i in range(len(bounds) - 1))
        except TypeError as exc:
            raise TypeError("boundaries must be mutually comparable values") from exc
        if unsorted:
            raise ValueError("boundaries must be sorted in non-decreasing order")
        arr = _plain_array(bounds) if bounds else np.empty(0)
        if arr is not None and arr.dtype.kind == "f" and np.isnan(arr).any():
            raise ValueError("boundaries must not contain nan")
        self._bounds = bounds
        self._array = arr
        if nodes is None:
            self._nodes: tuple[Hashable, ...] = tuple(range(len(bounds) + 1))
        else:
            self._nodes = check_nodes(nodes, hashed=False)
            if len(self._nodes) != len(bounds) + 1:
                raise ValueError(
                    f"nodes must have len(boundaries) + 1 = {len(bounds) + 1} entries, "
                    f"got {len(self._nodes)}")

    @classmethod
    def from_sample(cls, sample: Sequence[Any] | NDArray[Any], num_partitions: int,
                    nodes: Sequence[Hashable] | None = None) -> RangePartitioner:
        r"""Boundaries at the sample's quantiles, so each partition gets ~1/P of it.

        With the sample sorted as :math:`s_0 \le \dots \le s_{m-1}`, the split points
        are :math:`b_i = s_{\lfloor (i+1) m / P \rfloor}` for :math:`i = 0..P-2`
        (the regular sampling of sample sort; Frazer & McKellar, JACM 1970).

        Parameters
        ----------
        sample : sequence or numpy array of comparable keys
            Non-empty unless ``num_partitions == 1``.
        num_partitions : int
            P >= 1, the number of ranges (= number of nodes).
        nodes : sequence of hashable, optional
            P node labels; default ``0..P-1``.
        """
        p = check_int("num_partitions", num_partitions, 1)
        if nodes is not None and len(nodes) != p:
            raise ValueError(
                f"nodes must have num_partitions = {p} entries, got {len(nodes)}")
        if p == 1:
            return cls([], nodes)
        if isinstance(sample, np.ndarray) and sample.dtype.kind in _FAST_KINDS:
            ordered: Sequence[Any] | NDArray[Any] = np.sort(sample, axis=None)
        else:
            ordered = sorted(sample)
        m = len(ordered)
        if m == 0:
            raise ValueError(
                "sample must contain at least 1 key when num_partitions > 1")
        idx = (np.arange(1, p) * m) // p
        if isinstance(ordered, np.ndarray):
            return cls(ordered[idx], nodes)
        return cls([ordered[int(i)] for i in idx], nodes)

    @property
    def nodes(self) -> tuple[Hashable, ...]:
        """The node labels, one per range, in key order."""
        return self._nodes

    @property
    def boundaries(self) -> list[Any]:
        """The split points (a copy)."""
        return list(self._bounds)

    def __repr__(self) -> str:
        return f"RangePartitioner(num_partitions={len(self._nodes)})"

    def partition_for(self, key: Any) -> int:
        """Index of the range that holds `key`."""
        return bisect_right(self._bounds, key)

    def node_for(self, key: Any) -> Hashable:
        """The node that owns `key`."""
        return self._nodes[bisect_right(self._bounds, key)]

    def node_for_many(self, keys: Sequence[Any] | NDArray[Any]) -> NDArray[np.intp]:
        """Range (= node) indices of `keys`; ``np.searchsorted`` for numbers/strings."""
        arr = None if self._array is None else (
            keys if isinstance(keys, np.ndarray) else _plain_array(keys))
        if self._array is not None and arr is not None and arr.ndim == 1:
            numeric = self._array.dtype.kind != "U" or not self._bounds
            if (arr.dtype.kind in "iuf" and numeric) or (
                    arr.dtype.kind == "U" and self._array.dtype.kind == "U"):
                out = np.searchsorted(self._array, arr, side="right")
                return np.asarray(out, dtype=np.intp)
        bounds = self._bounds
        return np.fromiter((bisect_right(bounds, k) for k in keys), dtype=np.intp)
