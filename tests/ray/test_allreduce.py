"""The ring all-reduce on Ray actors equals its serial reference, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.parallel.allreduce import (
    EmulatedWire,
    RingAllreduce,
    ring_allreduce_serial,
)
from dsscale.parallel.allreduce_steps import measure_step_times
from dsscale.training import data_parallel_step_seconds

pytestmark = pytest.mark.ray


def test_rings_of_every_size_equal_the_serial_reference(ray_runtime: object) -> None:
    rng = np.random.default_rng(3)
    with RingAllreduce(5) as ring:
        # sizes shrink and grow on one pool; lengths not divisible by n, and
        # shorter than n (empty chunks)
        for n, length in [(5, 1003), (2, 7), (3, 2), (5, 4), (1, 6), (4, 64)]:
            grads = [rng.standard_normal(length) for _ in range(n)]
            ring.load(grads)
            ring.step()
            got = ring.results()
            want = ring_allreduce_serial(grads)
            assert len(got) == n
            for a, b in zip(got, want, strict=True):
                assert np.array_equal(a, b)
            assert np.allclose(got[0], np.sum(grads, axis=0))


def test_repeated_steps_keep_reducing(ray_runtime: object) -> None:
    with RingAllreduce(3) as ring:
        ring.load([np.full(10, float(r + 1)) for r in range(3)])
        ring.step()
        ring.step()          # sum of three copies of 6
        assert all(np.array_equal(r, np.full(10, 18.0)) for r in ring.results())


def test_emulated_wire_never_beats_the_model(ray_runtime: object) -> None:
    # waits only add time: every step takes at least the modelled time
    wire = EmulatedWire(latency_seconds=0.004, bandwidth_bytes_per_second=4e6)
    compute, elements = 0.06, 5_000
    result = measure_step_times((1, 2, 3), compute, elements, wire=wire, repeats=2,
                                rng=1)
    model = data_parallel_step_seconds(np.array(result.workers), compute,
                                       8 * elements, wire.bandwidth_bytes_per_second,
                                       wire.latency_seconds)
    for samples, floor in zip(result.samples, model, strict=True):
        assert min(samples) >= floor * (1 - 1e-3)
    assert result.message_bytes == 8 * elements
    assert result.throughput.shape == (3,)


def test_ring_misuse_is_reported(ray_runtime: object) -> None:
    ring = RingAllreduce(2)
    with pytest.raises(RuntimeError, match="with"):
        ring.load([np.zeros(3)])
    with ring:
        with pytest.raises(RuntimeError, match="load"):
            ring.step()
        with pytest.raises(ValueError, match="gradients"):
            ring.load([np.zeros(3)] * 3)
        with pytest.raises(TypeError, match="wire"):
            ring.load([np.zeros(3)], wire=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="worker_counts"):
        measure_step_times((2, 2), 0.0, 10)
    with pytest.raises(TypeError, match="one_host"):
        RingAllreduce(2, one_host="yes")  # type: ignore[arg-type]
