"""Fault campaigns: safe configurations pass, unsafe ones are caught and replay."""

from __future__ import annotations

import json
import math

import pytest

from dsscale.cli import main
from dsscale.consistency import KVModel, Operation, check_linearizable
from dsscale.faults import FaultPlan, lost_writes, replay, run_campaign, run_seed

SAFE = ["pb-sync", "chain", "abd", "quorum"]
UNSAFE = ["pb-async", "abd-no-writeback", "quorum-partial", "quorum-sloppy"]


CAMPAIGN_SEEDS = 1000  # the bar; about 10 s per protocol on 2 cores


@pytest.mark.slow
@pytest.mark.parametrize("protocol", SAFE)
def test_safe_configurations_pass_every_seed(protocol: str) -> None:
    summary = run_campaign(protocol, CAMPAIGN_SEEDS)
    assert summary.seeds_run == CAMPAIGN_SEEDS
    assert summary.operations >= CAMPAIGN_SEEDS * 50
    assert summary.violations == {} and summary.ok
    assert summary.first_failing_seed is None


@pytest.mark.parametrize("protocol", UNSAFE)
def test_unsafe_configurations_are_caught_and_replay_exactly(protocol: str) -> None:
    summary = run_campaign(protocol, 200, stop_at_first=True)
    seed = summary.first_failing_seed
    assert seed is not None and not summary.ok
    first, second = replay(protocol, seed), replay(protocol, seed)
    assert first.violations and first.violations == second.violations
    assert first.network.format_trace() == second.network.format_trace()
    assert first.history == second.history
    if any(v.kind == "not-linearizable" for v in first.violations):
        small = first.shrunk()
        assert 2 <= len(small) < len(first.history)
        assert not check_linearizable(small, KVModel(), shrink=False)
        read = {op.output for op in small if op.input[0] == "get"}
        written = {op.input[2] for op in small if op.input[0] == "put"}
        assert read <= written | {None}  # shrinking kept the writes it reads


def test_replay_of_a_passing_seed_is_deterministic_too() -> None:
    a, b = replay("chain", 4), replay("chain", 4)
    assert a.ok and a.network.format_trace() == b.network.format_trace()
    assert run_seed("chain", 4).history == a.history  # tracing changes nothing


def test_lost_write_definition() -> None:
    w1 = Operation("a", ("put", "x", "1"), 0.0, None, 1.0)
    w2 = Operation("b", ("put", "x", "2"), 2.0, None, 3.0)
    pending = Operation("c", ("put", "x", "3"), 0.5, None, math.inf)

    def final(value: object) -> Operation:
        return Operation("f", ("get", "x"), 10.0, value, 11.0)
    assert lost_writes([w1, w2], [final("2")]) == []
    assert len(lost_writes([w1, w2], [final("1")])) == 1  # w1 returned before w2
    assert len(lost_writes([w1, w2], [final(None)])) == 2
    assert lost_writes([w1, w2, pending], [final("3")]) == []  # may land last


def test_campaign_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="protocol must be one of"):
        run_campaign("paxos", 3)
    with pytest.raises(ValueError, match="seeds"):
        run_campaign("abd", 0)
    with pytest.raises(ValueError, match="max_loss"):
        FaultPlan(max_loss=2.0)


def test_cli_exit_codes_and_json(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "summary.json"
    assert main(["faults", "abd", "--seeds", "3", "--no-progress",
                 "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["seeds_run"] == 3 and data["first_failing_seed"] is None
    assert "seeds run" in capsys.readouterr().out
    assert main(["faults", "quorum-partial", "--seeds", "2", "--no-progress"]) == 1
    assert main(["faults", "nope", "--seeds", "2"]) == 2
    assert main(["faults", "abd", "--seeds", "0"]) == 2
    err = capsys.readouterr().err
    assert "dsscale faults: error: protocol must be one of" in err
    assert "--seeds must be >= 1" in err
