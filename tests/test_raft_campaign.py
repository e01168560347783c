"""Raft under fault campaigns: the safe variants pass, every unsafe one is caught.

The default campaign (:func:`dsscale.faults.run_seed`'s random crashes,
partitions, loss, duplication and slow links) catches ``raft-read-any`` at
once. The other three unsafe variants need a fault at the right moment, so
each has a *targeted* campaign (:data:`dsscale.replication.raft.nemesis.
TARGETED`): the same seeded runs plus a nemesis that strikes where the
variant is weak. Each targeted campaign must catch its variant within a
bounded number of seeds, and the matching safe variant must pass the very
same campaign. Campaigns over 1000 seeds are marked slow.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import pytest

from dsscale.consistency import (
    KVModel,
    check_linearizable,
    plot_history,
    shrink_history,
)
from dsscale.faults import FaultPlan, replay, run_campaign, run_seed
from dsscale.replication.raft.nemesis import TARGETED, raft_nemesis

matplotlib.use("Agg")

SAFE = ["raft", "raft-lease", "raft-lazy-noop", "raft-membership"]


def targeted(variant: str) -> dict[str, Any]:
    """The ``run_seed`` options of the campaign aimed at ``variant``."""
    t = TARGETED[variant]
    return dict(faults=FaultPlan(nemesis=raft_nemesis(t.nemesis)),
                workload=t.workload, time_limit=t.time_limit)


# -- safe variants ---------------------------------------------------------------
@pytest.mark.parametrize("protocol", SAFE)
def test_safe_variants_pass_a_campaign(protocol: str) -> None:
    summary = run_campaign(protocol, 30)
    assert summary.ok and summary.violations == {}
    assert summary.operations >= 30 * 50


def test_clients_complete_most_operations_despite_the_faults() -> None:
    done = total = 0
    for seed in range(20):
        ops = [op for op in run_seed("raft", seed).history
               if not str(op.client_id).startswith("final")]
        total += len(ops)
        done += sum(not op.pending for op in ops)
    assert done >= 0.9 * total  # measured: 0.98 over 1000 seeds


@pytest.mark.parametrize("protocol", ["raft", "raft-lease", "raft-membership"])
def test_five_replicas_repeated_values_and_several_keys(protocol: str) -> None:
    for seed in range(8):
        result = run_seed(protocol, seed, workload="multikey", num_replicas=5)
        puts = [op.input[2] for op in result.history if op.input[0] == "put"]
        assert len(puts) > len(set(puts))  # values do repeat
        assert {op.input[1] for op in result.history} == {"x", "y", "z"}
        assert result.ok and result.check is not None and result.check.status == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("protocol", SAFE)
def test_safe_variants_pass_1000_seeds(protocol: str) -> None:
    summary = run_campaign(protocol, 1000)
    assert summary.seeds_run == 1000 and summary.ok
    assert summary.operations >= 1000 * 50


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["repeated", "multikey"])
@pytest.mark.parametrize("protocol", SAFE)
def test_safe_variants_pass_on_five_replicas_with_repeated_values(
        protocol: str, shape: str) -> None:
    summary = run_campaign(protocol, 200, workload=shape, num_replicas=5)
    assert summary.ok, summary


# -- unsafe variants ---------------------------------------------------------------
def assert_caught_and_replayed(variant: str, bound: int, **options: Any) -> None:
    summary = run_campaign(variant, bound, stop_at_first=True, **options)
    seed = summary.first_failing_seed
    assert seed is not None, f"{variant} survived {bound} seeds"
    first, second = replay(variant, seed, **options), replay(variant, seed, **options)
    assert first.violations and first.violations == second.violations
    assert first.history == second.history
    assert first.network.format_trace() == second.network.format_trace()
    if any(v.kind == "not-linearizable" for v in first.violations):
        small = shrink_history(first.history, KVModel())
        assert 2 <= len(small) < len(first.history)
        check = check_linearizable(small, KVModel())
        assert not check
        ax = plot_history(small, check)
        assert any(bar.get_gid() == "offending" for bar in ax.patches)
        matplotlib.pyplot.close("all")


def test_read_any_is_caught_by_the_default_campaign() -> None:
    assert_caught_and_replayed("raft-read-any", 20)


@pytest.mark.parametrize("variant, bound", [
    ("raft-forget-vote", 120), ("raft-figure8", 120), ("raft-lease-no-drift", 60)])
def test_targeted_campaign_catches_the_variant(variant: str, bound: int) -> None:
    # measured over 300 seeds: first failing seeds 2, 16, 5; 5 %, 8 %, 10 % fail
    assert_caught_and_replayed(variant, bound, **targeted(variant))


@pytest.mark.parametrize("variant", list(TARGETED))
def test_safe_variant_passes_the_same_targeted_campaign(variant: str) -> None:
    summary = run_campaign(TARGETED[variant].safe, 12, **targeted(variant))
    assert summary.ok, summary


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(TARGETED))
def test_safe_variant_passes_200_seeds_of_the_targeted_campaign(variant: str) -> None:
    summary = run_campaign(TARGETED[variant].safe, 200, **targeted(variant))
    assert summary.ok, summary


def test_the_default_campaign_misses_what_the_targeted_one_finds() -> None:
    """Why the targeted campaigns exist: 40 default seeds find nothing."""
    for variant in ("raft-figure8", "raft-lease-no-drift"):
        assert run_campaign(variant, 40).ok


def test_cli_runs_raft(capsys: pytest.CaptureFixture[str]) -> None:
    from dsscale.cli import main
    assert main(["faults", "raft", "--seeds", "3", "--no-progress"]) == 0
    assert main(["faults", "raft-read-any", "--seeds", "10", "--no-progress"]) == 1
    assert "raft-read-any" in capsys.readouterr().out
