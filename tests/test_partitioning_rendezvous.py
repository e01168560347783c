"""Rendezvous (HRW) hashing: minimal disruption, weights, preference lists."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.partitioning import (
    Rendezvous,
    assigned_nodes,
    mix64,
    rendezvous_node,
    rendezvous_nodes,
    stable_hash,
)

NODES = [f"n{i}" for i in range(8)]
KEYS = [f"key-{i}" for i in range(20_000)]


def test_winner_is_the_highest_pair_score() -> None:
    node_h = np.array([stable_hash(n) for n in NODES], dtype=np.uint64)
    for key in KEYS[:100]:
        scores = mix64(np.uint64(stable_hash(key)) ^ node_h)
        assert rendezvous_node(key, NODES) == NODES[int(np.argmax(scores))]


def test_many_equals_scalar_weighted_and_not() -> None:
    for weights in (None, [1, 2, 3, 1, 1, 5, 0.5, 2]):
        r = Rendezvous(NODES, weights)
        assert assigned_nodes(r, KEYS[:2000]).tolist() == [
            r.node_for(k) for k in KEYS[:2000]]


def test_preference_list() -> None:
    r = Rendezvous(NODES, [1, 2, 3, 1, 1, 5, 0.5, 2])
    for key in KEYS[:200]:
        full = rendezvous_nodes(key, NODES, len(NODES))
        assert sorted(full) == sorted(NODES)
        assert full[0] == rendezvous_node(key, NODES)
        pref = r.nodes_for(key, 3)
        assert len(set(pref)) == 3 and pref[0] == r.node_for(key)


def test_removal_moves_only_that_nodes_keys_and_growth_only_to_new() -> None:
    r = Rendezvous(NODES)
    before = assigned_nodes(r, KEYS)
    after = assigned_nodes(r.remove_node("n5"), KEYS)
    moved = before != after
    assert set(before[moved]) == {"n5"} and np.all(moved[before == "n5"])
    grown = assigned_nodes(r.add_node("n-new"), KEYS)
    moved = before != grown
    assert set(grown[moved]) == {"n-new"}
    p = 1 / (len(NODES) + 1)
    assert abs(moved.mean() - p) <= 5 * np.sqrt(p * (1 - p) / len(KEYS))


def test_weighted_shares_are_proportional() -> None:
    w = np.array([1.0, 2.0, 3.0, 4.0])
    r = Rendezvous(["a", "b", "c", "d"], w)
    m = 40_000
    counts = np.bincount(r.node_for_many(np.arange(m)), minlength=4)
    p = w / w.sum()
    assert np.all(np.abs(counts - m * p) <= 5 * np.sqrt(m * p * (1 - p)))


def test_raising_one_weight_moves_keys_only_to_that_node() -> None:
    w = [1.0, 1.0, 1.0, 1.0]
    a = Rendezvous(["a", "b", "c", "d"], w)
    b = Rendezvous(["a", "b", "c", "d"], [1.0, 1.0, 2.0, 1.0])
    before, after = assigned_nodes(a, KEYS), assigned_nodes(b, KEYS)
    assert set(after[before != after]) == {"c"}


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="nodes"):
        rendezvous_node("k", [])
    with pytest.raises(ValueError, match="nodes"):
        Rendezvous(["a", "a"])
    with pytest.raises(ValueError, match="weights"):
        Rendezvous(["a", "b"], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="weights"):
        Rendezvous(["a", "b"], [1.0, -2.0])
    for n in (0, 3):
        with pytest.raises(ValueError, match="replication_factor must be in"):
            rendezvous_nodes("k", ["a", "b"], n)
    with pytest.raises(TypeError, match="key"):
        rendezvous_node(object(), ["a"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weight"):
        Rendezvous(["a"]).add_node("b", weight=2.0)
