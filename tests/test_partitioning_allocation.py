"""Token allocation: replicated ownership, explicit-token rings, and the greedy
allocator's balance against random tokens (and against its own mutants)."""

from __future__ import annotations

import numpy as np
import pytest

import dsscale.partitioning.allocation as alloc
from dsscale.partitioning import (
    HashRing,
    add_allocated_node,
    allocate_tokens,
    grow_allocated,
    peak_to_mean,
    replica_sets,
    replicated_ownership,
)

SIZES = range(10, 41, 5)


def brute_ownership(ring: HashRing, r: int) -> np.ndarray:
    """Replicated ownership from the preference list of every arc."""
    pts = ring.points
    arcs = np.empty(pts.size, dtype=np.uint64)
    arcs[1:] = np.diff(pts)
    arcs[:1] = pts[:1] - pts[-1:]
    own = np.zeros(len(ring.nodes))
    for row, length in zip(replica_sets(ring, r), arcs.astype(float) / 2.0**64,
                           strict=True):
        own[row] += length
    return own


def tokens_by_node(ring: HashRing) -> dict[object, np.ndarray]:
    return {label: ring.points[ring.point_owners == i]
            for i, label in enumerate(ring.nodes)}


# -- explicit-token rings ---------------------------------------------------------
def test_from_tokens_closed_form_shares_and_lookup() -> None:
    ring = HashRing.from_tokens({"a": [0, 2**63], "b": [2**62], "c": [3 * 2**62]})
    assert ring.arc_fractions().tolist() == [0.5, 0.25, 0.25]
    assert ring.weights.tolist() == [1.0, 0.5, 0.5]       # counts over vnodes=2
    # A hash just past 2**62 belongs to the next point, 2**63 (node a).
    hashes = np.array([1, 2**62, 2**62 + 1, 3 * 2**62 + 1], dtype=np.uint64)
    assert ring.point_owners[ring.successor_slots(hashes)].tolist() == [1, 1, 0, 0]


@pytest.mark.parametrize("tokens, error", [
    ({"a": [1, 1]}, ValueError),
    ({"a": [1], "b": [1]}, ValueError),
    ({"a": [2**64]}, ValueError),
    ({"a": [-1]}, ValueError),
    ({"a": []}, ValueError),
    ({"a": [1.5]}, TypeError),
    ({}, ValueError),
    ([("a", [1])], TypeError),
])
def test_from_tokens_validation(tokens: object, error: type) -> None:
    with pytest.raises(error):
        HashRing.from_tokens(tokens)  # type: ignore[arg-type]


def test_membership_changes_keep_explicit_tokens() -> None:
    ring = HashRing.from_tokens({"a": [10, 2**63], "b": [2**62]})
    grown = ring.add_node("c")
    assert set(ring.points.tolist()) <= set(grown.points.tolist())
    assert (grown.point_owners == 2).sum() == 2           # vnodes = 2 by default
    back = grown.remove_node("c")
    assert back.points.tolist() == ring.points.tolist()
    assert back.point_owners.tolist() == ring.point_owners.tolist()
    shrunk = ring.remove_node("a")
    assert shrunk.nodes == ("b",) and shrunk.points.tolist() == [2**62]
    with pytest.raises(ValueError, match="nodes"):
        shrunk.remove_node("b")


def test_hashed_ring_membership_unchanged_by_refactor() -> None:
    nodes = [f"n{i}" for i in range(8)]
    ring = HashRing(nodes, vnodes=20, weights=[1, 2, 1, 1, 0.5, 1, 1, 1])
    direct = HashRing([*nodes, "new"], vnodes=20, weights=[1, 2, 1, 1, 0.5, 1, 1, 1, 3])
    grown = ring.add_node("new", 3.0)
    assert grown.points.tolist() == direct.points.tolist()
    assert grown.point_owners.tolist() == direct.point_owners.tolist()
    removed = ring.remove_node("n1")
    rebuilt = HashRing([n for n in nodes if n != "n1"], vnodes=20,
                       weights=[1, 1, 1, 0.5, 1, 1, 1])
    assert removed.points.tolist() == rebuilt.points.tolist()
    assert removed.point_owners.tolist() == rebuilt.point_owners.tolist()


# -- replicated ownership ---------------------------------------------------------
@pytest.mark.parametrize("n, v", [(1, 3), (2, 1), (5, 1), (7, 4), (12, 16)])
def test_replicated_ownership_matches_replica_sets(n: int, v: int) -> None:
    ring = HashRing([f"own-{n}-{i}" for i in range(n)], vnodes=v)
    for r in range(1, min(n, 4) + 1):
        got = replicated_ownership(ring, r)
        assert np.allclose(got, brute_ownership(ring, r), atol=1e-12)
        assert got.sum() == pytest.approx(r)
    assert np.allclose(replicated_ownership(ring, 1), ring.arc_fractions())
    with pytest.raises(ValueError, match="replication_factor"):
        replicated_ownership(ring, n + 1)


def test_token_spans_add_up_to_node_ownership() -> None:
    ring = HashRing([f"span-{i}" for i in range(9)], vnodes=5)
    arcs = alloc._arcs(ring.points)
    spans = alloc._token_spans(ring.point_owners, arcs, 3)
    assert np.allclose(np.bincount(ring.point_owners, weights=spans),
                       replicated_ownership(ring, 3))


# -- the candidate scores are exact ----------------------------------------------
@pytest.mark.parametrize("trial", range(24))
def test_candidate_scores_equal_brute_force_insertion(trial: int) -> None:
    rng = np.random.default_rng(trial)
    n, v = int(rng.integers(2, 7)), int(rng.integers(1, 5))
    ring = HashRing([f"cand{trial}-{i}" for i in range(n)], vnodes=v)
    joined = trial % 2 == 1       # odd: the new owner already has tokens
    new_owner, num = (n - 1, n) if joined else (n, n + 1)
    r = int(rng.integers(1, n + 1))
    pts, owners = ring.points, ring.point_owners
    token_target, new_target = rng.random(pts.size), 0.3
    after, token_cost = alloc._candidates(pts, owners, num, new_owner, r,
                                          token_target, new_target)
    gaps = alloc._gaps(pts)
    for j in range(pts.size):
        token = (int(pts[j - 1]) + gaps[j] // 2) % 2**64
        p2 = np.append(pts, np.uint64(token))
        o2 = np.append(owners, new_owner)
        order = np.argsort(p2)
        p2, o2 = p2[order], o2[order]
        ring2 = HashRing.from_tokens({i: p2[o2 == i] for i in range(num)})
        assert np.allclose(after[j], brute_ownership(ring2, r), atol=1e-12)
        spans = alloc._token_spans(o2, alloc._arcs(p2), r)
        targets = np.append(token_target, new_target)[order]
        assert token_cost[j] == pytest.approx(np.sum((spans - targets) ** 2))


def test_each_token_is_the_best_midpoint_split() -> None:
    """Kills a mutant that picks a random (or the worst) candidate."""
    ring = HashRing([f"best-{i}" for i in range(6)], vnodes=3)
    token = int(allocate_tokens(ring, 1, 3, rng=0)[0])
    target, pts = 3 / 7, ring.points
    costs = {}
    for j, gap in enumerate(alloc._gaps(pts)):
        cand = (int(pts[j - 1]) + gap // 2) % 2**64
        trial = HashRing.from_tokens({**tokens_by_node(ring), "new": [cand]})
        own = replicated_ownership(trial, 3)
        spans = alloc._token_spans(trial.point_owners, alloc._arcs(trial.points), 3)
        counts = np.bincount(trial.point_owners).astype(float)
        counts[-1] = 1
        tok_target = target / counts[trial.point_owners]
        costs[cand] = np.sum((own - target) ** 2) + np.sum((spans - tok_target) ** 2)
    assert len(costs) == pts.size
    assert costs[token] == pytest.approx(min(costs.values()), abs=1e-15)
    assert costs[token] < np.median(list(costs.values()))


# -- growth, validity, determinism -------------------------------------------------
def test_second_node_takes_exactly_half() -> None:
    """Closed form: the first node's tokens are evenly spaced, the second node
    halves half of its arcs, so each owns exactly 1/2 (also at R = 1)."""
    rings = grow_allocated(["a", "b"], 16, 3, rng=4)
    assert rings[1].arc_fractions().tolist() == [0.5, 0.5]
    assert np.allclose(np.diff(rings[0].points.astype(float)), 2.0**64 / 16)


def test_grown_ring_is_valid_and_keeps_old_tokens() -> None:
    rings = grow_allocated([f"v{i}" for i in range(25)], 8, 3, rng=11)
    for before, after in zip(rings, rings[1:], strict=False):
        old = set(before.points.tolist())
        new = after.points[after.point_owners == len(after.nodes) - 1].tolist()
        assert len(new) == 8 and not old & set(new)
        assert old <= set(after.points.tolist())
        assert np.unique(after.points).size == after.points.size
        assert np.all(np.diff(after.points.astype(object)) > 0)
    last = rings[-1]
    assert np.bincount(last.point_owners).tolist() == [8] * 25
    keys = [f"key-{i}" for i in range(300)]
    assert [last.nodes[i] for i in last.node_for_many(keys)] == [
        last.node_for(k) for k in keys]


def test_seeded_and_method_agree() -> None:
    ring = HashRing([f"d{i}" for i in range(5)], vnodes=4)
    a = allocate_tokens(ring, 4, 3, rng=7)
    assert a.tolist() == allocate_tokens(ring, 4, 3, rng=7).tolist()
    grown = add_allocated_node(ring, "new", 3, rng=7)
    assert sorted(grown.points[grown.point_owners == 5].tolist()) == sorted(a.tolist())
    assert grown.weights[-1] == 1.0
    nodes = [f"g{i}" for i in range(6)]
    assert (grow_allocated(nodes, 4, 3, rng=2)[-1].points.tolist()
            == grow_allocated(nodes, 4, 3, rng=2)[-1].points.tolist())


def test_validation() -> None:
    ring = HashRing(["a", "b"], vnodes=2)
    with pytest.raises(ValueError, match="num_tokens"):
        allocate_tokens(ring, 0, 3)
    with pytest.raises(ValueError, match="replication_factor"):
        allocate_tokens(ring, 2, 0)
    with pytest.raises(TypeError, match="rng"):
        allocate_tokens(ring, 2, 3, rng="seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="distinct"):
        add_allocated_node(ring, "a", 3)
    with pytest.raises(ValueError, match="num_tokens"):
        grow_allocated(["a", "b"], 0, 3)
    with pytest.raises(ValueError, match="nodes"):
        grow_allocated([], 4, 3)


# -- balance: the point of the allocator -------------------------------------------
def mean_imbalance_allocated(tokens: int, seed: int) -> float:
    rings = grow_allocated([f"bal{seed}-{i}" for i in range(40)], tokens, 3, rng=seed)
    return float(np.mean([peak_to_mean(replicated_ownership(rings[n - 1], 3))
                          for n in SIZES]))


def mean_imbalance_random(tokens: int, seed: int) -> float:
    return float(np.mean([peak_to_mean(replicated_ownership(
        HashRing([f"bal{seed}-{i}" for i in range(n)], vnodes=tokens), 3))
        for n in SIZES]))


@pytest.mark.parametrize("seed", [0, 1])
def test_sixteen_allocated_tokens_beat_sixteen_random_and_match_256(seed: int) -> None:
    # Observed over seeds 0-3 (mean max/mean of replicated ownership, 10-40
    # nodes, R = 3): allocated 16 1.065-1.070, random 16 1.27-1.36, random 256
    # 1.06-1.09, allocated 4 1.09-1.11.
    a16 = mean_imbalance_allocated(16, seed)
    r16 = mean_imbalance_random(16, seed)
    r256 = mean_imbalance_random(256, seed)
    a4 = mean_imbalance_allocated(4, seed)
    assert a16 < 1.1
    assert r16 - 1 > 2.5 * (a16 - 1)
    assert a16 < r256 + 0.02
    assert a4 < r16 - 0.1


def test_balance_check_kills_mutants(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `a16 < 1.1` check fails for a random choice of split and for the
    greedy without its token term (observed 1.8-2.3 and 1.4-2.3)."""
    original = alloc._candidates
    noise = np.random.default_rng(0)

    def random_choice(*args: object) -> tuple[np.ndarray, np.ndarray]:
        after, token_cost = original(*args)  # type: ignore[arg-type]
        return noise.random(after.shape), noise.random(token_cost.shape)

    monkeypatch.setattr(alloc, "_candidates", random_choice)
    assert mean_imbalance_allocated(16, 0) > 1.3
    monkeypatch.setattr(alloc, "_candidates", original)
    monkeypatch.setattr(alloc, "_TOKEN_WEIGHT", 0.0)
    assert mean_imbalance_allocated(16, 0) > 1.3
