"""The Ray versions of the parallel programs equal their serial references."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.parallel.montecarlo import pi_ray, pi_serial
from dsscale.parallel.samplesort import random_keys, samplesort_ray, sort_serial
from dsscale.parallel.scaling import measure_scaling
from dsscale.parallel.wordcount import synthetic_corpus, wordcount_ray, wordcount_serial
from dsscale.raysupport import ray_session

pytestmark = pytest.mark.ray


@pytest.mark.parametrize(("num_maps", "num_reduces"), [(4, 3), (3, 1), (1, 2)])
def test_wordcount_equals_counter(ray_runtime: object, num_maps: int,
                                  num_reduces: int) -> None:
    corpus = synthetic_corpus(60_000, vocab_size=2_000, zipf_s=1.1, rng=7)
    assert wordcount_ray(corpus, num_maps, num_reduces) == wordcount_serial(corpus)


def test_montecarlo_independent_of_workers(ray_runtime: object) -> None:
    reference = pi_serial(400_000, num_tasks=6, rng=3)
    assert pi_ray(400_000, num_tasks=6, rng=3, workers=1) == reference
    assert pi_ray(400_000, num_tasks=6, rng=3, workers=4) == reference
    assert pi_ray(400_000, num_tasks=6, rng=3) == reference


@pytest.mark.parametrize("num_partitions", [1, 2, 5])
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_samplesort_equals_np_sort(ray_runtime: object, num_partitions: int,
                                   dtype: str) -> None:
    keys = random_keys(50_003, rng=11, dtype=dtype)
    result = samplesort_ray(keys, num_partitions=num_partitions, rng=2)
    assert np.array_equal(result.keys, sort_serial(keys))
    assert sum(result.partition_sizes) == keys.size
    assert len(result.partition_sizes) == num_partitions


def test_samplesort_with_duplicates(ray_runtime: object) -> None:
    keys = np.random.default_rng(5).integers(0, 4, size=10_000)
    assert np.array_equal(samplesort_ray(keys, 3).keys, np.sort(keys))


def test_measure_scaling_shape(ray_runtime: object) -> None:
    # tiny tasks: checks the bookkeeping, not the speed
    result = measure_scaling(workers=(1, 2), tasks_per_worker=2, task_size=1_000,
                             repeats=1, mode="weak")
    assert result.workers == (1, 2)
    assert result.tasks == (2, 4)
    assert result.speedup[0] == 1.0
    assert all(x > 0 for x in result.throughput)
    assert len(result.samples) == 2 and all(len(s) == 1 for s in result.samples)


def test_nested_session_reuses_the_running_ray(ray_runtime: object) -> None:
    import ray

    with ray_session(num_cpus=1) as info:
        assert info.started is False
        assert info.num_cpus == 2.0
    assert ray.is_initialized()
