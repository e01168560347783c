"""The configuration service replicated with Raft (``dsscale.replication.config_raft``).

One server driven by hand first (leases never outrun a committed horizon),
then scenarios on the simulator (a deposed leader cut off with the primary:
the safe rule never lets two primaries hold a lease, the unsafe ones do),
then fault campaigns: the ``-raftconf`` deployments pass with the
configuration servers crashed, restarted and partitioned; a configuration
service that loses its majority stalls without a violation; the unsafe
variants are caught by their targeted campaign, which the safe one passes.
"""

from __future__ import annotations

import math

import pytest

from dsscale.cli import main
from dsscale.faults import FaultPlan, replay, run_campaign, run_seed, targeted_campaign
from dsscale.replication.client import Workload
from dsscale.replication.config import Ping
from dsscale.replication.config_nemesis import ConfigNemesisSpec, config_nemesis
from dsscale.replication.config_raft import (
    ConfigServer,
    LeaseRule,
    build_config_service,
)
from dsscale.replication.primary_backup import PBClient, PBReplica
from dsscale.replication.protocols import deploy
from dsscale.replication.raft.messages import AppendReply, ElectionTimeout, VoteReply
from dsscale.sim import FixedDelay, Link, Mailbox, Network

MEMBERS = ("r0", "r1", "r2")


# -- one server, by hand -----------------------------------------------------------
def leader_of_three(box: Mailbox) -> ConfigServer:
    """Server m0 of three, elected by m1's vote; nothing acknowledged yet."""
    server = box.join(ConfigServer("m0", ("m0", "m1", "m2"), MEMBERS, (), rng=0))
    box.deliver(server, "m0", ElectionTimeout())
    box.deliver(server, "m1", VoteReply(server.current_term, True))
    assert server.role == "leader"
    box.take()
    return server


def ack(box: Mailbox, server: ConfigServer) -> None:
    """m1 acknowledges everything the leader has, which commits it."""
    assert server.leader is not None
    box.deliver(server, "m1", AppendReply(server.current_term, True,
                                          server.log.last_index, server.leader.seq))


def test_no_lease_before_a_horizon_is_committed() -> None:
    box = Mailbox(now=5.0)
    server = leader_of_three(box)
    server.master_work()  # its no-op is not committed: no office, no ping
    assert server.office is None and box.take(Ping) == []
    ack(box, server)  # the no-op commits: the office begins, a horizon is proposed
    server.master_work()
    assert server.office is not None and server.office.proposal is not None
    pings = box.take(Ping)
    assert sorted(dst for dst, _ in pings) == list(MEMBERS)
    assert all(p.lease_until <= box.now for _, p in pings)  # horizon 0: expired
    ack(box, server)  # the horizon commits
    assert server.horizon == 5.0 + 3 * server.lease
    server.master_work()
    assert {p.lease_until for _, p in box.take(Ping)} == {5.0 + server.lease}


def test_leases_are_capped_by_the_committed_horizon() -> None:
    box = Mailbox(now=0.0)
    server = leader_of_three(box)
    ack(box, server)
    server.master_work()
    ack(box, server)
    horizon = server.horizon  # 24
    box.now = horizon - 3.0  # less than 2 leases left: a new horizon is proposed
    server.master_work()
    assert server.office is not None and server.office.proposal is not None
    assert {p.lease_until for _, p in box.take(Ping)} == {horizon}  # not now + 8
    ack(box, server)
    assert server.horizon == box.now + 3 * server.lease


def test_bad_lease_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="lease_rule must be one of"):
        ConfigServer("m0", ("m0",), MEMBERS, (), lease_rule="trust")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="members"):
        ConfigServer("m0", ("m0",), (), ())
    with pytest.raises(ValueError, match="strike"):
        ConfigNemesisSpec("everything")


# -- a deposed leader cut off with the primary -------------------------------------
def cut_leader_with_primary(rule: LeaseRule) -> tuple[Network, list, list[str]]:
    """pb-sync on a 3-server configuration service; at t = 60 the configuration
    leader and the primary r0 are cut off from everyone else for 80 time units.
    Samples, every 0.1, the replicas that hold a lease and believe they lead."""
    net = Network(0, Link(FixedDelay(1.0)))
    servers = build_config_service(net, MEMBERS, ["c0"], lease_rule=rule)
    net.add(*(PBReplica(r, MEMBERS) for r in MEMBERS))
    net.add(PBClient("c0", [(200.0, ("get", "x"))], [], MEMBERS))
    cut: list[str] = []

    def strike() -> None:
        leader = next(s for s in servers if net.nodes[s].office is not None)
        cut.append(leader)
        net.partition([leader, "r0"], [n for n in net.nodes if n not in (leader, "r0")])
        net.at(140.0, net.heal)

    net.at(60.0, strike)
    serving: list[tuple[float, tuple[str, ...]]] = []

    def sample() -> None:
        serving.append((net.now, tuple(
            r for r in MEMBERS if net.nodes[r].has_lease
            and net.nodes[r].is_primary)))
        if net.now < 200.0:
            net.at(net.now + 0.1, sample)

    net.at(0.05, sample)
    net.run(until=200.0)
    return net, serving, cut


def test_the_horizon_rule_never_lets_two_primaries_hold_a_lease() -> None:
    net, serving, cut = cut_leader_with_primary("horizon")
    assert all(len(leaders) <= 1 for _, leaders in serving)
    old_end = max(t for t, leaders in serving if "r0" in leaders)
    new_start = min(t for t, leaders in serving if "r1" in leaders)
    assert 60.0 < old_end < new_start  # r0 served on after the cut, then r1 took over
    new = [s for s in ("m0", "m1", "m2") if s != cut[0]]
    assert max(net.nodes[s].configuration[0] for s in new) == 1
    assert net.nodes["r1"].master in new  # the replica follows whoever pings it


@pytest.mark.parametrize("rule", ["ignore", "office-wait"])
def test_rules_that_forget_earlier_leases_let_two_primaries_serve(rule: LeaseRule
                                                                  ) -> None:
    _, serving, _ = cut_leader_with_primary(rule)
    both = [t for t, leaders in serving if len(leaders) == 2]
    assert both and min(both) > 60.0  # the deposed leader kept r0's lease alive


# -- campaigns --------------------------------------------------------------------
@pytest.mark.parametrize("protocol", ["pb-sync-raftconf", "chain-raftconf"])
def test_raftconf_deployments_pass_a_campaign(protocol: str) -> None:
    summary = run_campaign(protocol, 25, workload="multikey")
    assert summary.ok, summary


def test_campaigns_crash_and_partition_the_configuration_servers() -> None:
    crashed = cut = 0
    for seed in range(20):
        net = replay("chain-raftconf", seed).network
        crashed += any(e.kind == "crash" and e.src.startswith("m") for e in net.trace)
        cut += any(e.kind == "partition" and "m0" in e.src + "," + e.dst
                   for e in net.trace)
    assert crashed >= 5 and cut >= 5


def test_losing_the_configuration_majority_stalls_safely() -> None:
    outage = ConfigNemesisSpec("outage", window=40.0, outage=(80.0, 80.0))
    faults = FaultPlan(max_crashes=0, nemesis=config_nemesis(outage))
    stalled = total = 0
    for seed in range(6):
        result = run_seed("pb-sync-raftconf", seed, faults=faults, trace=True,
                          workload=Workload(ops_per_client=30))
        assert result.ok, result.violations
        net = result.network
        start = net.nodes["config-nemesis"].log[0][0]
        # every lease had run out 24 (3 leases) after the outage began; from
        # then to its end no operation can complete
        quiet = [op for op in result.history if start + 24 < op.call < start + 70]
        total += len(quiet)
        stalled += sum(op.return_time > start + 80 for op in quiet)
        epochs = [e.time for e in net.trace if e.kind == "deliver"
                  and isinstance(e.message, Ping) and e.message.epoch > 0]
        assert not any(start < t < start + 80 for t in epochs)
    assert total > 20 and stalled == total


@pytest.mark.parametrize("variant", ["chain-raftconf-no-lease-wait",
                                     "chain-raftconf-office-wait"])
def test_targeted_campaign_catches_the_unsafe_lease_rules(variant: str) -> None:
    options = targeted_campaign(variant).options()
    summary = run_campaign(variant, 40, stop_at_first=True, **options)
    assert summary.first_failing_seed is not None  # measured: seed 2 (25 % fail)
    first = replay(variant, summary.first_failing_seed, **options)
    assert any(v.kind == "not-linearizable" for v in first.violations)


def test_the_safe_service_passes_the_same_targeted_campaign() -> None:
    campaign = targeted_campaign("chain-raftconf-no-lease-wait")
    assert campaign.safe == "chain-raftconf"
    assert run_campaign("chain-raftconf", 12, **campaign.options()).ok


def test_the_default_campaign_misses_what_the_targeted_one_finds() -> None:
    assert run_campaign("chain-raftconf-no-lease-wait", 30).ok


def test_async_primary_backup_still_loses_writes() -> None:
    summary = run_campaign("pb-async-raftconf", 40, stop_at_first=True,
                           workload="multikey")
    assert summary.first_failing_seed is not None  # measured: seed 6


@pytest.mark.slow
@pytest.mark.parametrize("num_replicas", [3, 5])
@pytest.mark.parametrize("shape", ["unique", "repeated", "multikey"])
@pytest.mark.parametrize("protocol", ["pb-sync-raftconf", "chain-raftconf"])
def test_raftconf_deployments_pass_every_workload_shape(protocol: str, shape: str,
                                                        num_replicas: int) -> None:
    # 100 seeds each (measured: 200 seeds of every shape and size pass, 1000 of
    # unique and multikey on 3 replicas); the 1000-seed bar is in make campaign
    summary = run_campaign(protocol, 100, workload=shape, num_replicas=num_replicas)
    assert summary.ok, summary


# -- the command line --------------------------------------------------------------
def test_cli_nemesis_finds_figure8(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faults", "raft-figure8", "--nemesis", "--seeds", "20",
                 "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "targeted at raft-figure8" in out and "first failing seed  16" in out
    assert "targeted_campaign('raft-figure8').options()" in out
    assert main(["faults", "raft-lazy-noop", "--nemesis", "--seeds", "4",
                 "--no-progress"]) == 0
    assert main(["faults", "abd", "--nemesis", "--seeds", "2"]) == 2
    assert main(["faults", "raft-figure8", "--nemesis", "--workload", "unique",
                 "--seeds", "2"]) == 2
    err = capsys.readouterr().err
    assert "needs a protocol with a targeted campaign" in err
    assert "drop --workload" in err


def test_deploy_names_the_configuration_servers() -> None:
    net = Network(1, Link(FixedDelay(1.0)))
    history = deploy("chain-raftconf", net, {"c0": [(1.0, ("put", "x", "a")),
                                                    (1.0, ("get", "x"))]})
    net.run(until=120.0)
    assert {"m0", "m1", "m2"} <= set(net.nodes) and "m" not in net.nodes
    assert [op.output for op in history] == [None, "a"]
    assert not any(math.isinf(op.return_time) for op in history)
