r"""Distributed sample sort (Frazer & McKellar, JACM 1970) on Ray.

With :math:`P` partitions and :math:`n` keys spread over :math:`P` blocks:

1. **sample** — each block draws :math:`s` keys at random (oversampling);
2. **splitters** — the :math:`P-1` quantiles of the pooled :math:`sP` keys become
   range boundaries (:meth:`dsscale.partitioning.RangePartitioner.from_sample`);
3. **partition** — each block routes its keys with the vectorised
   ``node_for_many`` and cuts them into :math:`P` pieces;
4. **sort** — reducer :math:`p` concatenates piece :math:`p` of every block and
   sorts it. Ranges are ordered, so concatenating the reducers' outputs in
   partition order gives the sorted array.

With :math:`s` samples per block the largest partition exceeds :math:`n/P` by a
factor that shrinks like :math:`O(\sqrt{\log n / s})` (Blelloch et al., SPAA
1991), so oversampling buys balance. The result equals ``np.sort`` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import RNGLike, as_rng, check_int, spawn_seeds
from dsscale.partitioning import RangePartitioner

__all__ = ["SortResult", "partition_block", "random_keys", "sample_block",
           "samplesort_local", "samplesort_ray", "sort_serial"]


@dataclass(frozen=True)
class SortResult:
    """Sorted keys and the size of each range partition (for load balance)."""

    keys: NDArray[Any]
    partition_sizes: tuple[int, ...]

    @property
    def imbalance(self) -> float:
        """Largest partition over the mean partition size (1.0 = perfect)."""
        sizes = np.asarray(self.partition_sizes, dtype=float)
        return float(sizes.max() / sizes.mean()) if sizes.sum() else 1.0


def random_keys(num_keys: int, rng: np.random.Generator | int | None = 0,
                dtype: str = "int64") -> NDArray[Any]:
    """``num_keys`` uniform random keys (int64 over a wide range, or float64)."""
    num_keys = check_int("num_keys", num_keys, minimum=0)
    gen = as_rng(rng)
    if dtype == "int64":
        return gen.integers(-(1 << 40), 1 << 40, size=num_keys, dtype=np.int64)
    if dtype == "float64":
        return gen.standard_normal(num_keys)
    raise ValueError(f"dtype must be 'int64' or 'float64', got {dtype!r}")


def sort_serial(keys: ArrayLike) -> NDArray[Any]:
    """The reference answer."""
    return np.sort(np.asarray(keys))


def sample_block(block: NDArray[Any], samples: int,
                 seed: np.random.SeedSequence) -> NDArray[Any]:
    """Step 1: ``samples`` keys of ``block`` drawn without replacement."""
    rng = np.random.default_rng(seed)
    return rng.choice(block, size=min(samples, block.size), replace=False)


def partition_block(block: NDArray[Any],
                    partitioner: RangePartitioner) -> list[NDArray[Any]]:
    """Step 3: cut ``block`` into one piece per range, in partition order."""
    num_parts = len(partitioner.nodes)
    owners = partitioner.node_for_many(block)
    order = np.argsort(owners, kind="stable")
    cuts = np.searchsorted(owners[order], np.arange(1, num_parts))
    return np.split(block[order], cuts)


def _plan(keys: ArrayLike, num_partitions: int, oversample: int,
          rng: RNGLike) -> tuple[NDArray[Any], list[NDArray[Any]],
                              list[np.random.SeedSequence], int]:
    arr = np.asarray(keys)
    if arr.ndim != 1:
        raise ValueError(f"keys must be one-dimensional, got shape {arr.shape}")
    num_partitions = check_int("num_partitions", num_partitions, minimum=1)
    oversample = check_int("oversample", oversample, minimum=1)
    blocks = np.array_split(arr, num_partitions)
    seeds = spawn_seeds(rng, num_partitions)
    return arr, blocks, seeds, oversample


def _splitters(samples: Sequence[NDArray[Any]],
               num_partitions: int) -> RangePartitioner:
    return RangePartitioner.from_sample(np.concatenate(samples), num_partitions)


def samplesort_local(keys: ArrayLike, num_partitions: int = 4, oversample: int = 32,
                     rng: RNGLike = 0) -> SortResult:
    """The steps of :func:`samplesort_ray`, run in this process."""
    arr, blocks, seeds, s = _plan(keys, num_partitions, oversample, rng)
    if arr.size == 0:
        return SortResult(arr.copy(), (0,) * len(blocks))
    part = _splitters([sample_block(b, s, ss) for b, ss in zip(blocks, seeds,
                                                                strict=True)],
                      len(blocks))
    pieces = [partition_block(b, part) for b in blocks]
    runs = [np.sort(np.concatenate([p[i] for p in pieces]))
            for i in range(len(blocks))]
    return SortResult(np.concatenate(runs).astype(arr.dtype, copy=False),
                      tuple(r.size for r in runs))


def samplesort_ray(keys: ArrayLike, num_partitions: int = 4, oversample: int = 32,
                   rng: RNGLike = 0, address: str | None = None) -> SortResult:
    """Sample sort with ``num_partitions`` blocks and reducers as Ray tasks."""
    import ray
    from dsscale.raysupport import ray_session

    arr, blocks, seeds, s = _plan(keys, num_partitions, oversample, rng)
    num_parts = len(blocks)
    if arr.size == 0:
        return SortResult(arr.copy(), (0,) * num_parts)
    with ray_session(address):
        block_refs = [ray.put(b) for b in blocks]
        sample_task = ray.remote(sample_block)
        samples = ray.get([sample_task.remote(b, s, ss)
                           for b, ss in zip(block_refs, seeds, strict=True)])
        part_ref = ray.put(_splitters(samples, num_parts))
        cut = ray.remote(num_returns=num_parts)(_partition_for_ray)
        pieces: list[Any] = []
        for b in block_refs:
            refs = cut.remote(b, part_ref)
            pieces.append([refs] if num_parts == 1 else refs)
        merge = ray.remote(_merge_sort)
        runs = ray.get([merge.remote(*[p[i] for p in pieces])
                        for i in range(num_parts)])
    return SortResult(np.concatenate(runs).astype(arr.dtype, copy=False),
                      tuple(r.size for r in runs))


def _partition_for_ray(block: NDArray[Any], partitioner: RangePartitioner) -> Any:
    pieces = partition_block(block, partitioner)
    return pieces[0] if len(pieces) == 1 else pieces


def _merge_sort(*pieces: NDArray[Any]) -> NDArray[Any]:
    return np.sort(np.concatenate(pieces))
