"""The shared interface, checked on every scheme; modulo; the metrics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.partitioning import (
    HashRing,
    JumpHash,
    Maglev,
    ModuloPartitioner,
    Partitioner,
    RangePartitioner,
    Rendezvous,
    ReplicatingPartitioner,
    assigned_nodes,
    load_distribution,
    moved_fraction,
    peak_to_mean,
    ring_share_cv,
)

NODES = ["alpha", "beta", "gamma", "delta", "epsilon"]
SCHEMES: dict[str, Partitioner] = {
    "modulo": ModuloPartitioner(NODES),
    "ring": HashRing(NODES, vnodes=50),
    "jump": JumpHash(NODES),
    "rendezvous": Rendezvous(NODES),
    "weighted-rendezvous": Rendezvous(NODES, [1, 2, 3, 4, 5]),
    "maglev": Maglev(NODES, table_size=251),
}
keys_strategy = st.lists(
    st.one_of(st.text(max_size=12), st.binary(max_size=12),
              st.integers(min_value=-(2**63), max_value=2**64 - 1)), max_size=25)


@pytest.mark.parametrize("name", sorted(SCHEMES))
@given(keys=keys_strategy)
def test_node_for_many_equals_node_for(name: str, keys: list[object]) -> None:
    p = SCHEMES[name]
    idx = p.node_for_many(keys)
    assert idx.dtype == np.intp and idx.shape == (len(keys),)
    assert [p.nodes[i] for i in idx] == [p.node_for(k) for k in keys]


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_integer_arrays_and_balance(name: str) -> None:
    p = SCHEMES[name]
    keys = np.arange(50_000, dtype=np.int64)
    idx = p.node_for_many(keys)
    assert idx[:300].tolist() == [p.nodes.index(p.node_for(int(k))) for k in keys[:300]]
    assert peak_to_mean(load_distribution(idx, p)) < (
        4.0 if name == "weighted-rendezvous" else 1.5)


@pytest.mark.parametrize("name", [n for n in sorted(SCHEMES)
                                  if isinstance(SCHEMES[n], ReplicatingPartitioner)])
@given(key=st.text(max_size=10), n=st.integers(1, len(NODES)))
def test_preference_lists(name: str, key: str, n: int) -> None:
    p = SCHEMES[name]
    assert isinstance(p, ReplicatingPartitioner)
    pref = p.nodes_for(key, n)
    assert len(pref) == n == len(set(pref)) and pref[0] == p.node_for(key)


def test_range_partitioner_satisfies_the_protocol() -> None:
    assert isinstance(RangePartitioner([1]), Partitioner)
    assert not isinstance(JumpHash(["a"]), ReplicatingPartitioner)


def test_modulo_moves_most_keys_on_growth() -> None:
    m = ModuloPartitioner(NODES)
    keys = np.arange(30_000)
    # A key stays iff h mod 5 == h mod 6, i.e. h mod 30 < 5: 1/6 of keys stay.
    moved = moved_fraction(m, m.add_node("zeta"), keys)
    assert moved == pytest.approx(5 / 6, abs=5 * np.sqrt(5 / 36 / keys.size))
    assert m.remove_node("beta").nodes == ("alpha", "gamma", "delta", "epsilon")
    assert m.nodes_for("k", 3)[0] == m.node_for("k")


def test_metrics() -> None:
    assert load_distribution([0, 2, 2], 4).tolist() == [1, 0, 2, 0]
    assert load_distribution(np.array([], dtype=int), ["a", "b"]).tolist() == [0, 0]
    assert peak_to_mean([1, 2, 3]) == pytest.approx(1.5)
    assert moved_fraction(["a", "b", "c", "d"], ["a", "x", "c", "y"]) == 0.5
    r = SCHEMES["ring"]
    labels = assigned_nodes(r, ["k1", "k2"])
    assert labels.tolist() == [r.node_for("k1"), r.node_for("k2")]
    assert ring_share_cv(1, 5) == 0.0
    assert ring_share_cv(10_000, 100) == pytest.approx(0.1, rel=1e-3)


def test_metrics_bad_input() -> None:
    with pytest.raises(ValueError, match="assignment"):
        load_distribution([0, 5], 3)
    with pytest.raises(TypeError, match="assignment"):
        load_distribution([0.5], 3)
    with pytest.raises(ValueError, match="nodes"):
        load_distribution([0], 0)
    with pytest.raises(ValueError, match="loads"):
        peak_to_mean([])
    with pytest.raises(ValueError, match="loads"):
        peak_to_mean([0, 0])
    with pytest.raises(ValueError, match="loads"):
        peak_to_mean([-1, 2])
    with pytest.raises(ValueError, match="before and after"):
        moved_fraction([1, 2], [1])
    with pytest.raises(ValueError, match="vnodes"):
        ring_share_cv(3, 0)
    with pytest.raises(ValueError, match="nodes"):
        ModuloPartitioner([])
    with pytest.raises(TypeError, match="nodes"):
        ModuloPartitioner("abc")


def test_split_share_cv_is_the_beta_law_of_sample_quantiles() -> None:
    import math

    from dsscale.partitioning import ring_share_cv, split_share_cv

    # P = 4 partitions from m = 8 sample points: g = 2 gaps, Beta(2, 7)
    a, b = 2, 7
    beta_cv = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))) / (a / (a + b))
    assert split_share_cv(4, 8) == pytest.approx(beta_cv)
    assert split_share_cv(4, 8) != pytest.approx(ring_share_cv(4, 2))  # not the ring's
    assert split_share_cv(32, 32 * 256) == pytest.approx(ring_share_cv(32, 256),
                                                         rel=1e-4)
    with pytest.raises(ValueError, match="sample_size must be >= 4"):
        split_share_cv(4, 3)
