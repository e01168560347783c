"""Replica sets of a ring, replica neighbours, and the Lynch-Snyder formula."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.partitioning import (
    HashRing,
    expected_replica_neighbors,
    replica_neighbors,
    replica_sets,
    stable_hash_many,
)


def test_replica_sets_are_the_preference_lists_of_their_arcs() -> None:
    ring = HashRing([f"n{i}" for i in range(9)], vnodes=5)
    rows = replica_sets(ring, 3)
    keys = [f"key-{i}" for i in range(3000)]
    slots = ring.successor_slots(stable_hash_many(keys))
    for key, slot in zip(keys, slots, strict=True):
        assert [ring.nodes[i] for i in rows[slot]] == ring.nodes_for(key, 3)
    assert rows.shape == (45, 3)
    # every row holds distinct nodes, the first being the arc's owner
    assert all(len(set(r)) == 3 for r in rows.tolist())
    np.testing.assert_array_equal(rows[:, 0], ring.point_owners)


def test_replica_sets_wrap_around_the_ring() -> None:
    ring = HashRing(["a", "b", "c", "d"], vnodes=1)
    rows = replica_sets(ring, 4)
    last = rows[-1].tolist()
    owners = ring.point_owners.tolist()
    assert last == [owners[-1], *owners[:3]]


def test_neighbors_of_hand_made_sets() -> None:
    got = replica_neighbors(np.array([[0, 1, 2], [1, 2, 3], [4, 5, 0]]), 7)
    assert got.tolist() == [4, 3, 3, 2, 2, 2, 0]


def test_one_token_per_node_gives_two_r_minus_one_neighbors() -> None:
    ring = HashRing([f"n{i}" for i in range(20)], vnodes=1)
    for r in (2, 3, 4):
        assert np.all(replica_neighbors(replica_sets(ring, r), 20) == 2 * (r - 1))


def test_simulated_neighbors_match_the_formula_for_random_tokens() -> None:
    n, r = 60, 3
    for v in (1, 4, 16):
        sims = [replica_neighbors(
            replica_sets(HashRing([f"s{s}-n{i}" for i in range(n)], vnodes=v), r),
            n).mean() for s in range(4)]
        formula = expected_replica_neighbors(n - 1, v, r)
        # the formula treats ring neighbours as independent draws; close enough
        assert abs(np.mean(sims) - formula) < 0.08 * formula + 0.5


def test_formula_published_values() -> None:
    # values tabulated on the Cassandra user list from Lynch and Snyder's formula
    assert expected_replica_neighbors(40, 256, 3) == pytest.approx(39.9999999998)
    assert expected_replica_neighbors(40, 4, 3) == pytest.approx(13.323193263)
    assert expected_replica_neighbors(200, 16, 3) == pytest.approx(54.8867183963)
    assert expected_replica_neighbors(200, 256, 3) == pytest.approx(198.8200470802)
    assert expected_replica_neighbors(10, 3, 1) == 0.0


@pytest.mark.parametrize(
    ("args", "name"),
    [((0, 4, 3), "num_candidates"), ((10, 0, 3), "vnodes"),
     ((10, 4, 0), "replication_factor")])
def test_formula_bad_input(args: tuple[int, int, int], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        expected_replica_neighbors(*args)


def test_neighbors_bad_input() -> None:
    with pytest.raises(ValueError, match="replica_sets"):
        replica_neighbors([[0, 5]], 5)
    with pytest.raises(ValueError, match="replica_sets"):
        replica_neighbors([0, 1], 5)
    with pytest.raises(ValueError, match="num_nodes"):
        replica_neighbors([[0, 1]], 0)
    with pytest.raises(ValueError, match="replication_factor"):
        replica_sets(HashRing(["a", "b"], vnodes=2), 3)
