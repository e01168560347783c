"""HashRing: lookups, preference lists, minimal movement, and the 1/sqrt(v) law."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.partitioning import (
    HashRing,
    assigned_nodes,
    load_cv,
    load_distribution,
    moved_fraction,
    ring_share_cv,
    stable_hash,
)

NODES = [f"node-{i}" for i in range(10)]
KEYS = [f"key-{i}" for i in range(20_000)]


@pytest.fixture(scope="module")
def ring() -> HashRing:
    return HashRing(NODES, vnodes=160)


def test_lookup_is_first_point_clockwise(ring: HashRing) -> None:
    pts, owners = ring.points, ring.point_owners
    assert np.all(np.diff(pts.astype(object)) >= 0)
    for key in KEYS[:200]:
        h = stable_hash(key)
        later = np.nonzero(pts >= np.uint64(h))[0]
        slot = later[0] if later.size else 0
        assert ring.node_for(key) == ring.nodes[owners[slot]]


def test_many_equals_scalar(ring: HashRing) -> None:
    labels = assigned_nodes(ring, KEYS[:3000]).tolist()
    assert labels == [ring.node_for(k) for k in KEYS[:3000]]
    ints = np.arange(1000, dtype=np.int64)
    assert ring.node_for_many(ints).tolist() == [
        ring.nodes.index(ring.node_for(int(k))) for k in ints]


def test_preference_list_is_distinct_and_starts_with_owner(ring: HashRing) -> None:
    for key in KEYS[:300]:
        for n in (1, 3, 10):
            pref = ring.nodes_for(key, n)
            assert len(pref) == n == len(set(pref))
            assert pref[0] == ring.node_for(key)
        assert ring.nodes_for(key, 3) == ring.nodes_for(key, 10)[:3]


def test_growth_moves_about_one_over_n_plus_one_and_only_to_new_node(
        ring: HashRing) -> None:
    grown = ring.add_node("node-new")
    before, after = assigned_nodes(ring, KEYS), assigned_nodes(grown, KEYS)
    moved = before != after
    assert set(after[moved]) == {"node-new"}
    # The new node's share is Beta(v, nv): mean 1/(n+1), relative sd ~ 1/sqrt(v).
    expected = 1 / (len(NODES) + 1)
    rel_sd = ring_share_cv(len(NODES) + 1, ring.vnodes)
    assert abs(moved.mean() - expected) <= 4 * rel_sd * expected + 0.01
    assert ring.nodes == tuple(NODES)  # the original ring is unchanged


def test_removal_moves_only_the_removed_nodes_keys(ring: HashRing) -> None:
    shrunk = ring.remove_node("node-3")
    before, after = assigned_nodes(ring, KEYS), assigned_nodes(shrunk, KEYS)
    moved = before != after
    assert set(before[moved]) == {"node-3"}
    assert np.all(moved[before == "node-3"])
    assert moved_fraction(ring, shrunk, KEYS) == pytest.approx(moved.mean())


def test_share_spread_matches_one_over_sqrt_v() -> None:
    # 200 nodes: the sample sd of the shares is within ~5% of the truth, so a 25%
    # band is 5 standard errors.
    n = 200
    for v in (10, 100):
        r = HashRing([f"s{i}" for i in range(n)], vnodes=v)
        shares = r.arc_fractions()
        assert shares.sum() == pytest.approx(1.0)
        assert load_cv(shares) == pytest.approx(ring_share_cv(n, v), rel=0.25)
    # Key counts add multinomial noise: cv^2 ~ share_cv^2 + n/m.
    m = 100_000
    loads = load_distribution(r.node_for_many(np.arange(m)), r)
    predicted = np.sqrt(ring_share_cv(n, 100) ** 2 + n / m)
    assert load_cv(loads) == pytest.approx(predicted, rel=0.25)


def test_weights_scale_vnodes_and_share() -> None:
    r = HashRing(["a", "b", "c"], vnodes=400, weights=[1, 1, 2])
    assert np.bincount(r.point_owners).tolist() == [400, 400, 800]
    shares = r.arc_fractions()
    assert shares[2] == pytest.approx(0.5, abs=4 * 0.5 / np.sqrt(800))
    heavier = r.add_node("d", weight=0.5)
    assert np.bincount(heavier.point_owners).tolist() == [400, 400, 800, 200]


def test_single_node_and_single_point() -> None:
    r = HashRing(["only"], vnodes=1)
    assert r.node_for("x") == "only"
    assert r.arc_fractions().tolist() == [1.0]
    assert r.nodes_for("x", 1) == ["only"]


def test_bad_input(ring: HashRing) -> None:
    with pytest.raises(ValueError, match="nodes"):
        HashRing([])
    with pytest.raises(ValueError, match="nodes"):
        HashRing(["a", "b", "a"])
    with pytest.raises(ValueError, match="nodes"):
        HashRing([1, "1"])
    with pytest.raises(TypeError, match="nodes"):
        HashRing([1.5])  # type: ignore[list-item]
    for v in (0, -3):
        with pytest.raises(ValueError, match="vnodes"):
            HashRing(["a"], vnodes=v)
    with pytest.raises(ValueError, match="weights"):
        HashRing(["a", "b"], weights=[1.0])
    with pytest.raises(ValueError, match="weights"):
        HashRing(["a", "b"], weights=[1.0, 0.0])
    for n in (0, len(NODES) + 1):
        with pytest.raises(ValueError, match="replication_factor must be in"):
            ring.nodes_for("k", n)
    with pytest.raises(ValueError, match="node"):
        ring.remove_node("missing")
    with pytest.raises(ValueError, match="weight"):
        ring.add_node("z", weight=-1)
    with pytest.raises(TypeError, match="key"):
        ring.node_for(2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("num_nodes", [1, 40])  # binary search / bucket index
def test_successor_slots_equal_searchsorted_at_the_edges(num_nodes: int) -> None:
    r = HashRing([f"e{i}" for i in range(num_nodes)], vnodes=160)
    pts = r.points
    h = np.concatenate([
        np.array([0, 1, 2**64 - 1], dtype=np.uint64), pts, pts - np.uint64(1),
        pts + np.uint64(1),
        np.random.default_rng(0).integers(0, 2**64, 5000, dtype=np.uint64,
                                          endpoint=False)])
    want = np.searchsorted(pts, h, side="left")
    want[want == pts.size] = 0
    assert np.array_equal(r.successor_slots(h), want)
