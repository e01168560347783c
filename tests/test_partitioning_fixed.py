"""A fixed number of partitions and a partition map."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.partitioning import FixedPartitions, moved_fraction


@pytest.mark.parametrize("num_nodes", [1, 3, 7, 10])
def test_a_join_moves_exactly_its_share_of_whole_partitions(num_nodes: int) -> None:
    nodes = [f"n{i}" for i in range(num_nodes)]
    before = FixedPartitions(nodes, num_partitions=100)
    after = before.add_node("new")
    moved = np.flatnonzero(before.owner != after.owner)
    assert len(moved) == 100 // (num_nodes + 1)
    assert np.all(after.owner[moved] == num_nodes)  # only to the newcomer
    counts = after.partitions_per_node()
    assert max(counts) - min(counts) <= 1  # still balanced
    keys = np.arange(20_000)
    # the keys that move are those of the moved partitions, no others
    parts = np.array([before.partition_for(int(k)) for k in keys[:2000]])
    expected = np.isin(parts, moved).mean()
    assert moved_fraction(before, after, keys[:2000]) == pytest.approx(expected)


def test_a_leave_hands_partitions_to_the_emptiest_nodes() -> None:
    part = FixedPartitions(["a", "b", "c"], num_partitions=10)  # 4, 3, 3
    after = part.remove_node("a")
    assert after.nodes == ("b", "c") and after.partitions_per_node() == [5, 5]
    kept = part.owner != 0
    assert np.all(after.owner[kept] == part.owner[kept] - 1)  # others stay put
    with pytest.raises(ValueError, match="node must be one of several nodes"):
        FixedPartitions(["a"], 4).remove_node("a")


def test_node_for_agrees_with_node_for_many_and_input_is_checked() -> None:
    part = FixedPartitions([1, 2, 3], num_partitions=64)
    keys = ["x", "y", "z", "w"]
    assert [part.nodes[i] for i in part.node_for_many(keys)] == [
        part.node_for(k) for k in keys]
    with pytest.raises(ValueError, match="num_partitions must be >= 3"):
        FixedPartitions([1, 2, 3], num_partitions=2)
    with pytest.raises(ValueError, match="owner must hold num_partitions = 4"):
        FixedPartitions([1, 2], num_partitions=4, owner=[0, 1, 2, 0])
    with pytest.raises(ValueError, match="holds at most that many nodes"):
        FixedPartitions([1, 2], num_partitions=2).add_node(3)
