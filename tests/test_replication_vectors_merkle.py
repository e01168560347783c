"""Version vectors (Dynamo §4.4) and Merkle anti-entropy (Dynamo §4.7)."""

from __future__ import annotations

import pytest

from dsscale.replication.merkle import AntiEntropyReplica, MerkleTree, diff
from dsscale.replication.version_vectors import (
    Ordering,
    Versioned,
    VersionVector,
    reconcile,
    write_version,
)
from dsscale.sim import Network


def test_dynamo_paper_vector_clock_example() -> None:
    d1 = write_version([], "Sx")
    d2 = write_version([d1], "Sx")
    d3 = write_version([d2], "Sy")
    d4 = write_version([d2], "Sz")
    d5 = write_version([d3, d4], "Sx")
    assert [str(d) for d in (d1, d2, d3, d4, d5)] == [
        "[(Sx,1)]", "[(Sx,2)]", "[(Sx,2),(Sy,1)]", "[(Sx,2),(Sz,1)]",
        "[(Sx,3),(Sy,1),(Sz,1)]"]
    assert d1.compare(d2) is Ordering.BEFORE and d2.compare(d1) is Ordering.AFTER
    assert d3.compare(d4) is Ordering.CONCURRENT and d3.compare(d3) is Ordering.EQUAL
    assert d5.descends(d3) and d5.descends(d4) and not d3.descends(d4)
    # D2 overwrites D1; D3 and D4 are siblings; D5 reconciles them.
    v = {n: Versioned(n, d) for n, d in
         {"D1": d1, "D2": d2, "D3": d3, "D4": d4, "D5": d5}.items()}
    assert [x.value for x in reconcile([v["D1"], v["D2"]])] == ["D2"]
    assert [x.value for x in reconcile([v["D2"], v["D3"], v["D4"]])] == ["D3", "D4"]
    assert [x.value for x in reconcile(v.values())] == ["D5"]
    assert [x.value for x in reconcile([v["D3"], Versioned("D3'", d3)])] == ["D3"]


def test_version_vector_errors() -> None:
    with pytest.raises(ValueError, match="counts"):
        VersionVector.of({"Sx": -1})
    with pytest.raises(TypeError, match="node"):
        VersionVector().increment(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Versioned"):
        reconcile([1])  # type: ignore[list-item]
    assert VersionVector.of({"a": 2, "b": 0})["a"] == 2
    assert VersionVector.of({"a": 2}).merge(VersionVector.of({"b": 1})) == \
        VersionVector.of({"a": 2, "b": 1})


def test_merkle_diff_finds_exactly_the_differing_keys_with_few_hashes() -> None:
    items = {f"k{i}": i for i in range(1000)}
    other = dict(items)
    other["k7"] = -7
    del other["k500"]
    other["new"] = 1
    a, b = MerkleTree(items, depth=8), MerkleTree(other, depth=8)
    found = diff(a, b)
    assert sorted(found.keys) == ["k500", "k7", "new"]
    assert found.hashes_compared <= 1 + 2 * 3 * 8 < 2**8
    same = diff(a, MerkleTree(dict(items), depth=8))
    assert same.keys == () and same.hashes_compared == 1
    with pytest.raises(ValueError, match="depth"):
        diff(a, MerkleTree(items, depth=4))


def test_anti_entropy_makes_replicas_converge_on_the_simulator() -> None:
    base = {f"k{i}": (1, f"v{i}") for i in range(200)}
    net = Network(3)
    nodes = [AntiEntropyReplica(n, [p for p in "abc" if p != n], base, depth=6)
             for n in "abc"]
    net.add(*nodes)
    nodes[0].put("k1", "from a")
    nodes[1].put("k2", "from b")
    nodes[2].put("fresh", "from c")
    net.run(until=100.0)
    stores = [n.store for n in nodes]
    assert stores[0] == stores[1] == stores[2]
    assert stores[0]["k1"] == (2, "from a") and stores[0]["fresh"] == (1, "from c")
    sent = sum(n.hashes_sent for n in nodes)
    items = sum(n.items_sent for n in nodes)
    rounds = sum(e.kind == "timer" for e in net.trace)
    assert items < 200  # only the differing buckets' items travel
    assert sent < rounds * 2**6  # far fewer hashes than full leaf exchanges
