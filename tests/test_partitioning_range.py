"""RangePartitioner: boundaries, quantile splits, vectorised == bisect."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.partitioning import RangePartitioner


def test_half_open_ranges() -> None:
    r = RangePartitioner([10, 20, 30], nodes=["a", "b", "c", "d"])
    assert [r.node_for(k) for k in (-5, 10, 19.9, 20, 30, 99)] == list("abbcdd")
    assert r.node_for_many(np.array([-5, 10, 19.9, 20, 30, 99])).tolist() == [
        0, 1, 1, 2, 3, 3]


def test_string_keys_and_fallback_for_other_comparables() -> None:
    r = RangePartitioner(["g", "p"])
    keys = ["apple", "g", "kiwi", "pear", "zebra"]
    assert r.node_for_many(keys).tolist() == [r.node_for(k) for k in keys]
    assert r.node_for_many(keys).tolist() == [0, 1, 1, 2, 2]
    t = RangePartitioner([(1, "b"), (2, "a")])
    assert t.node_for_many([(0, "z"), (1, "c"), (3, "a")]).tolist() == [0, 1, 2]


@given(st.lists(st.floats(allow_nan=False, width=64), max_size=15),
       st.lists(st.floats(width=64), max_size=50))
def test_vectorised_equals_bisect(bounds: list[float], keys: list[float]) -> None:
    r = RangePartitioner(sorted(bounds))
    assert r.node_for_many(np.array(keys, dtype=np.float64)).tolist() == [
        r.node_for(k) for k in keys]


def test_from_sample_balances_the_sampled_distribution() -> None:
    rng = np.random.default_rng(11)
    sample = rng.lognormal(size=5000)
    r = RangePartitioner.from_sample(sample, 8)
    assert len(r.nodes) == 8 and len(r.boundaries) == 7
    data = rng.lognormal(size=80_000)
    counts = np.bincount(r.node_for_many(data), minlength=8)
    # Quantile estimates from 5000 points: share error ~ sqrt(p(1-p)/5000) ~ 0.5%.
    assert np.all(np.abs(counts / data.size - 1 / 8) < 0.02)
    ints = RangePartitioner.from_sample(np.arange(1000), 4)
    assert ints.boundaries == [250, 500, 750]
    words = RangePartitioner.from_sample(["d", "a", "c", "b"], 2, nodes=["lo", "hi"])
    assert words.boundaries == ["c"] and words.node_for("b") == "lo"
    assert RangePartitioner.from_sample([], 1).node_for(5) == 0


def test_duplicate_heavy_sample_gives_empty_partitions_not_errors() -> None:
    r = RangePartitioner.from_sample(np.zeros(100), 4)
    assert len(r.nodes) == 4
    assert set(r.node_for_many(np.zeros(10)).tolist()) == {3}


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="boundaries"):
        RangePartitioner([3, 1])
    with pytest.raises(ValueError, match="boundaries"):
        RangePartitioner([1.0, float("nan")])
    with pytest.raises(TypeError, match="boundaries"):
        RangePartitioner([1, "a"])
    with pytest.raises(ValueError, match="nodes"):
        RangePartitioner([1, 2], nodes=["a", "b"])
    with pytest.raises(ValueError, match="nodes"):
        RangePartitioner([1], nodes=["a", "a"])
    with pytest.raises(ValueError, match="num_partitions"):
        RangePartitioner.from_sample([1, 2], 0)
    with pytest.raises(ValueError, match="sample"):
        RangePartitioner.from_sample([], 3)
    with pytest.raises(ValueError, match="nodes"):
        RangePartitioner.from_sample([1, 2, 3], 2, nodes=["a"])
