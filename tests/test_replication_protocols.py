"""Each protocol on scripted scenarios: happy paths and the failures it is about."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from dsscale.consistency import KVModel, Operation, check_linearizable
from dsscale.faults import lost_writes
from dsscale.replication.protocols import PROTOCOLS, get_protocol
from dsscale.replication.quorum_store import QuorumConfig, preference_list
from dsscale.sim import FixedDelay, Link, Network

Plans = dict[str, list[tuple[float, tuple[Any, ...]]]]


def run(protocol: str, plans: Plans, script: Callable[[Network], None] = lambda n: None,
        until: float = 300.0, seed: int = 0, num_replicas: int = 3
        ) -> tuple[list[Operation], Network]:
    """Deploy ``protocol`` with clients following ``plans``; return the history."""
    net = Network(seed, Link(FixedDelay(1.0)))
    history: list[Operation] = []
    dep = get_protocol(protocol).build(net, list(plans), num_replicas)
    net.add(*(dep.make_client(c, p, history) for c, p in plans.items()))
    script(net)
    net.run(until=until)
    return sorted(history, key=lambda op: op.call), net


def linearizable(history: list[Operation]) -> bool:
    return bool(check_linearizable(history, KVModel()))


@pytest.mark.parametrize("protocol", list(PROTOCOLS))
def test_happy_path_is_linearizable_and_complete(protocol: str) -> None:
    plans: Plans = {f"c{i}": [(1.0 + i, ("put", "x", f"c{i}.{n}")) if n % 2 == 0
                              else (0.5, ("get", "x")) for n in range(6)]
                    for i in range(3)}
    history, _ = run(protocol, plans)
    assert len(history) == 18
    assert all(not op.pending for op in history)
    assert linearizable(history)


@pytest.mark.parametrize("num_replicas", [3, 5])
@pytest.mark.parametrize("protocol", list(PROTOCOLS))
def test_a_repeated_value_is_applied_again(protocol: str, num_replicas: int) -> None:
    # The reproducer of the bug where primary-backup deduplicated writes by
    # value: b's second write of "v" was acknowledged but never applied (and
    # chain replication dropped it), so b then read "w".
    plans: Plans = {"a": [(1.0, ("put", "x", "v"))],
                    "b": [(20.0, ("put", "x", "w")), (1.0, ("put", "x", "v")),
                          (1.0, ("get", "x"))]}
    history, _ = run(protocol, plans, num_replicas=num_replicas)
    assert [op.pending for op in history] == [False] * 4
    assert history[-1].input == ("get", "x") and history[-1].output == "v"
    assert linearizable(history)


def test_pb_async_failover_loses_an_acknowledged_write() -> None:
    def script(net: Network) -> None:
        net.block("r0", "r1")  # replication from the primary never arrives
        net.block("r0", "r2")
        net.at(5.0, lambda: net.crash("r0"))
    plans: Plans = {"c0": [(1.0, ("put", "x", "a")), (60.0, ("get", "x"))]}
    history, net = run("pb-async", plans, script)
    put, get = history
    assert not put.pending and get.output is None  # acked, then gone
    assert net.nodes["m"].members == ("r1", "r2")  # type: ignore[attr-defined]
    assert not linearizable(history)
    # The same faults against synchronous replication: the old primary cannot
    # acknowledge; the client resends to the new primary, which does.
    history, _ = run("pb-sync", plans, script)
    put, get = history
    assert put.return_time > 5.0 and get.output == "a" and linearizable(history)


def test_pb_sync_failover_keeps_every_acknowledged_write() -> None:
    plans: Plans = {"c0": [(1.0, ("put", "x", "a")), (1.0, ("put", "x", "b")),
                           (60.0, ("get", "x"))]}
    history, net = run("pb-sync", plans, lambda n: n.at(9.0, lambda: n.crash("r0")))
    assert [op.pending for op in history[:2]] == [False, False]
    assert history[2].output == "b" and linearizable(history)
    assert net.nodes["m"].epoch == 1  # type: ignore[attr-defined]


def test_pb_sync_deposed_primary_behind_a_partition_stops_serving() -> None:
    def script(net: Network) -> None:
        net.at(10.0, lambda: net.partition(["r0", "c0"], ["r1", "r2", "m", "c1"]))
    plans: Plans = {"c0": [(2.0, ("put", "x", "a"))] + [(10.0, ("get", "x"))] * 6,
                    "c1": [(60.0, ("put", "x", "b")), (1.0, ("get", "x"))]}
    history, net = run("pb-sync", plans, script)
    assert net.nodes["m"].members == ("r1", "r2")  # type: ignore[attr-defined]
    assert [op.output for op in history if op.client_id == "c1"] == [None, "b"]
    assert all(op.pending or op.output == "a" for op in history
               if op.client_id.startswith("c0") and op.input[0] == "get")
    assert linearizable(history)


@pytest.mark.parametrize("victim", ["r0", "r1", "r2"])
def test_chain_repair_after_head_middle_or_tail_crash(victim: str) -> None:
    plans: Plans = {f"c{i}": [(2.0, ("put", "x", f"c{i}.{n}")) if n % 2 == 0
                              else (1.0, ("get", "x")) for n in range(10)]
                    for i in range(2)}
    history, net = run("chain", plans, lambda n: n.at(12.0, lambda: n.crash(victim)))
    members = net.nodes["m"].members  # type: ignore[attr-defined]
    assert victim not in members and len(members) == 2
    assert linearizable(history)
    assert sum(not op.pending for op in history) >= 15  # the chain kept working
    tail = net.nodes[members[-1]]
    final = Operation("final", ("get", "x"), net.now, tail.store["x"],  # type: ignore[attr-defined]
                      net.now)
    assert lost_writes(history, [final]) == []
    assert linearizable(history + [final])


def _abd_inversion(protocol: str) -> list[Operation]:
    """A write reaches one replica; reader a sees it there, reader b does not."""
    def script(net: Network) -> None:
        net.set_link("w", "r1", Link(FixedDelay(30.0)))
        net.set_link("w", "r2", Link(FixedDelay(30.0)))
        net.set_link("r0", "b", Link(FixedDelay(30.0)))
    plans: Plans = {"w": [(0.0, ("put", "x", "new"))], "a": [(33.0, ("get", "x"))],
                    "b": [(40.0, ("get", "x"))]}
    history, _ = run(protocol, plans, script)
    return history


def test_abd_without_write_back_shows_the_new_old_inversion() -> None:
    history = _abd_inversion("abd-no-writeback")
    outputs = {op.client_id: op.output for op in history}
    assert outputs["a"] == "new" and outputs["b"] is None
    assert not linearizable(history)
    history = _abd_inversion("abd")
    assert {op.client_id: op.output for op in history}["b"] == "new"
    assert linearizable(history)


def test_quorum_partial_reads_stale_but_strict_quorum_does_not() -> None:
    def script(net: Network) -> None:
        net.set_link("w", "r1", Link(FixedDelay(30.0)))
        net.set_link("w", "r2", Link(FixedDelay(30.0)))
        net.set_link("r0", "b", Link(FixedDelay(30.0)))
    plans: Plans = {"w": [(0.0, ("put", "x", "new"))], "b": [(8.0, ("get", "x"))]}
    history, _ = run("quorum-partial", plans, script)
    assert [op.output for op in history] == [None, None]
    assert history[0].return_time < history[1].call  # the write had returned
    assert not linearizable(history)
    history, _ = run("quorum", plans, script)
    assert linearizable(history)


def test_sloppy_quorum_accepts_writes_outside_the_preference_list() -> None:
    nodes = tuple(f"r{i}" for i in range(5))
    ring = preference_list("x", nodes, 3)
    home, spare = ring[:3], ring[3:]

    def script(net: Network) -> None:
        net.crash(home[1])
        net.crash(home[2])
        net.at(20.0, lambda: [net.restart(home[1]), net.restart(home[2]),
                              net.crash(home[0]), *map(net.crash, spare)])
    plans: Plans = {"w": [(0.0, ("put", "x", "new"))], "b": [(22.0, ("get", "x"))]}
    history, net = run("quorum-sloppy", plans, script)
    put, get = history
    assert not put.pending and put.return_time < get.call and get.output is None
    assert any(net.nodes[s].hints for s in spare)  # type: ignore[attr-defined]
    assert not linearizable(history)


def test_hinted_handoff_delivers_to_the_intended_node() -> None:
    nodes = tuple(f"r{i}" for i in range(5))
    ring = preference_list("x", nodes, 3)
    home, spare = ring[:3], ring[3:]

    def script(net: Network) -> None:
        net.crash(home[1])
        net.crash(home[2])
        net.at(30.0, lambda: [net.restart(home[1]), net.restart(home[2])])
    plans: Plans = {"w": [(0.0, ("put", "x", "v"))]}
    history, net = run("quorum-sloppy", plans, script, until=29.0)
    assert not history[0].pending  # W = 2 reached with a fallback's help
    hinted = {e.message.intended for e in net.trace if e.kind == "deliver"
              and type(e.message).__name__ == "HintedStore"}
    assert len(hinted) == 2 and hinted <= set(home)  # one hint per fallback
    net.run(until=80.0)
    for node in hinted:  # handed off once the intended node is back
        assert net.nodes[node].data["x"][1] == "v"  # type: ignore[attr-defined]
    assert not any(net.nodes[s].hints for s in spare)  # type: ignore[attr-defined]


def test_quorum_config_errors_name_the_parameter() -> None:
    with pytest.raises(ValueError, match="write_quorum"):
        QuorumConfig(3, 2, 5)
    with pytest.raises(ValueError, match="read_quorum"):
        QuorumConfig(3, 0, 2)
    with pytest.raises(ValueError, match="protocol must be one of"):
        get_protocol("paxos")
    assert QuorumConfig(3, 2, 2).intersecting and not QuorumConfig(3, 1, 2).intersecting


def test_client_timeout_records_a_pending_operation() -> None:
    plans: Plans = {"c0": [(1.0, ("put", "x", "a")), (1.0, ("get", "x"))]}
    history, _ = run("abd", plans, lambda n: n.partition(["c0"], ["r0", "r1", "r2"]))
    assert [op.return_time for op in history] == [math.inf, math.inf]
    assert [op.client_id for op in history] == ["c0", "c0'1"]


def test_deploy_builds_a_protocol_with_recording_clients() -> None:
    from dsscale.consistency import KVModel, check_linearizable
    from dsscale.replication import deploy
    from dsscale.sim import FixedDelay, Link, Network

    net = Network(0, Link(FixedDelay(1.0)))
    plans = {"a": [(0.0, ("put", "x", "a1")), (1.0, ("get", "x"))],
             "b": [(0.5, ("get", "x"))]}
    history = deploy("abd", net, plans)
    net.run(until=100.0)
    assert sorted(op.client_id for op in history) == ["a", "a", "b"]
    assert all(op.return_time < 100.0 for op in history)
    assert check_linearizable(history, KVModel())
    with pytest.raises(ValueError, match="protocol must be one of"):
        deploy("nope", net, plans)


def test_preference_lists_come_from_a_ring_so_growth_moves_few_primaries() -> None:
    keys = [f"k{i}" for i in range(10_000)]
    five = tuple(f"r{i}" for i in range(5))
    six = five + ("r5",)
    before = [preference_list(k, five, 3) for k in keys]
    after = [preference_list(k, six, 3) for k in keys]
    assert all(sorted(p) == sorted(five) for p in before)  # every node, once each
    moved = [a[0] for b, a in zip(before, after, strict=True) if a[0] != b[0]]
    assert set(moved) == {"r5"}  # a primary only ever moves to the new node
    # r5's share of the ring with v = 64 vnodes per node is Beta(v, 5v): mean
    # 1/6, standard deviation sqrt((1/6)(5/6)/(6v + 1)) = 0.019; allow 4 of them
    # (the 10,000 keys add a sampling error of 0.004).
    assert abs(len(moved) / len(keys) - 1 / 6) < 4 * 0.019 + 4 * 0.004
    with pytest.raises(ValueError, match="replication_factor must be in"):
        preference_list("x", five, 6)


def test_deploy_options_reach_replicas_clients_and_master_links() -> None:
    from dsscale.replication import deploy

    net = Network(0, Link(FixedDelay(1.0)))
    control = Link(FixedDelay(0.1))
    history = deploy("chain", net, {"c": [(1.0, ("put", "x", "v"))]}, num_replicas=4,
                     retry=123.0, control_link=control)
    assert [net.nodes[f"r{i}"].retry for i in range(4)] == [123.0] * 4  # type: ignore[attr-defined]
    assert net.nodes["c"].retry == 123.0  # type: ignore[attr-defined]
    assert net.links[("m", "r3")] is control and net.links[("r2", "m")] is control
    net.run(until=50.0)
    assert [op.return_time - op.call for op in history] == [5.0]  # c, r0..r3, c
    with pytest.raises(ValueError, match="control_link needs a protocol with a"):
        deploy("abd", Network(0), {"c": []}, control_link=control)
