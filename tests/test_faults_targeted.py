"""Targeted campaigns (``dsscale.faults.targeted``) and the state recorder.

Every targeted campaign is aimed at a protocol that promises nothing and names a
safe counterpart that promises linearizability; ``targeted_campaign`` finds both
ways. A recording added to a campaign reads the servers' state without changing the
run: the replay with a recorder has the very same history and trace.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dsscale.faults import (
    TARGETED_CAMPAIGNS,
    FaultPlan,
    replay,
    run_seed,
    targeted_campaign,
)
from dsscale.faults.recorder import Recorder, recording
from dsscale.replication.protocols import PROTOCOLS


def test_every_campaign_pairs_an_unsafe_protocol_with_a_safe_one() -> None:
    assert {"raft-figure8", "raft-forget-vote", "raft-lease-no-drift",
            "chain-raftconf-no-lease-wait"} <= set(TARGETED_CAMPAIGNS)
    for name, campaign in TARGETED_CAMPAIGNS.items():
        assert campaign.aimed_at == name
        assert not PROTOCOLS[name].linearizable
        assert PROTOCOLS[campaign.safe].linearizable
        assert targeted_campaign(campaign.safe).safe == campaign.safe
        assert set(campaign.options()) == {"faults", "workload", "time_limit"}


def test_unknown_protocols_have_no_targeted_campaign() -> None:
    with pytest.raises(ValueError, match="targeted campaign"):
        targeted_campaign("quorum")


def test_a_recording_does_not_change_the_run() -> None:
    options = targeted_campaign("raft-figure8").options()

    def terms(net):  # type: ignore[no-untyped-def]
        return tuple(net.nodes[s].current_term for s in ("r0", "r1", "r2"))

    watched = dict(options, faults=replace(
        options["faults"], nemesis=recording(options["faults"].nemesis, terms)))
    plain, recorded = (replay("raft-figure8", 16, **options),
                       replay("raft-figure8", 16, **watched))
    assert plain.violations and recorded.violations == plain.violations
    assert recorded.history == plain.history
    ours = {"recorder"}
    assert [e for e in recorded.network.trace if ours.isdisjoint((e.src, e.dst))] \
        == [e for e in plain.network.trace]
    rec = recorded.network.nodes["recorder"]
    assert isinstance(rec, Recorder) and len(rec.snapshots) > 1000
    assert rec.at(rec.snapshots[-1][0] + 1.0) == rec.snapshots[-1][1]
    assert max(rec.snapshots[-1][1]) >= 10  # Figure 8 needs many terms
    with pytest.raises(ValueError, match="first snapshot"):
        rec.at(0.0)


def test_recording_without_a_nemesis() -> None:
    plan = FaultPlan(nemesis=recording(None, lambda net: len(net.nodes), every=50.0))
    result = run_seed("chain", 3, faults=plan)
    assert result.history == run_seed("chain", 3).history
    assert result.network.nodes["recorder"].snapshots[0] == (25.0, 10)
