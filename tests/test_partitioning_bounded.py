"""Consistent hashing with bounded loads: the cap holds exactly, and is tight."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.partitioning import BoundedLoadRing, HashRing, peak_to_mean


@pytest.mark.parametrize("epsilon", [0.05, 0.25, 1.0])
def test_max_load_never_exceeds_capacity(epsilon: float) -> None:
    b = BoundedLoadRing([f"n{i}" for i in range(16)], epsilon, vnodes=20)
    keys = np.arange(20_000)
    for chunk in np.array_split(keys, 4):
        b.assign(chunk)
        assert b.loads.max() <= b.capacity(b.num_assigned)
    assert b.loads.sum() == keys.size


def test_bounded_beats_plain_ring_peak_and_matches_it_when_loose() -> None:
    nodes = [f"n{i}" for i in range(16)]
    keys = np.arange(20_000)
    plain = np.bincount(HashRing(nodes, vnodes=20).node_for_many(keys), minlength=16)
    tight = BoundedLoadRing(nodes, 0.05, vnodes=20)
    tight.assign(keys)
    assert peak_to_mean(tight.loads) <= 1.05 + 16 / keys.size
    assert peak_to_mean(tight.loads) < peak_to_mean(plain)
    loose = BoundedLoadRing(nodes, 100.0, vnodes=20)
    assert np.array_equal(loose.assign(keys),
                          HashRing(nodes, vnodes=20).node_for_many(keys))


def test_capacity_is_exact_and_state_resets() -> None:
    b = BoundedLoadRing(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 0.1)
    assert b.capacity(100) == 11 and b.capacity(101) == 12 and b.capacity(0) == 0
    first = b.assign(["x", "y", "z"])
    assert b.num_assigned == 3 and b.loads.sum() == 3
    b.reset()
    assert b.num_assigned == 0 and np.array_equal(b.assign(["x", "y", "z"]), first)


def test_bad_input() -> None:
    for eps in (0, -0.5):
        with pytest.raises(ValueError, match="epsilon"):
            BoundedLoadRing(["a"], eps)
    with pytest.raises(ValueError, match="vnodes"):
        BoundedLoadRing(["a"], 0.1, vnodes=0)
    with pytest.raises(ValueError, match="nodes"):
        BoundedLoadRing([], 0.1)
    with pytest.raises(ValueError, match="m must be"):
        BoundedLoadRing(["a"], 0.1).capacity(-1)
