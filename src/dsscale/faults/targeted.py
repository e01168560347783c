"""Targeted campaigns: a nemesis, workload and time limit aimed at each unsafe variant.

Random faults miss bugs that need a fault at the right moment. A *targeted*
campaign adds an adversary that watches the protocol and strikes where a
given variant is weak (:mod:`dsscale.replication.raft.nemesis` for Raft,
:mod:`dsscale.replication.config_nemesis` for the replicated configuration
service), with a workload that keeps the weak spot busy. Each one names the
safe protocol that must pass the very same campaign. ``dsscale faults
PROTOCOL --nemesis`` runs the campaign aimed at ``PROTOCOL`` or, for a safe
protocol, the campaign it must pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsscale.faults.plan import FaultPlan
from dsscale.replication.client import Workload
from dsscale.replication.config_nemesis import TARGETED as CONFIG_TARGETED
from dsscale.replication.config_nemesis import config_nemesis
from dsscale.replication.raft.nemesis import TARGETED as RAFT_TARGETED
from dsscale.replication.raft.nemesis import raft_nemesis

__all__ = ["TARGETED_CAMPAIGNS", "TargetedCampaign", "targeted_campaign"]


@dataclass(frozen=True)
class TargetedCampaign:
    """A campaign aimed at the unsafe protocol ``aimed_at``, which ``safe`` passes."""

    aimed_at: str
    safe: str
    faults: FaultPlan
    workload: Workload
    time_limit: float

    def options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`~dsscale.faults.run_seed` (and of
        ``run_campaign`` and ``replay``) that run this campaign."""
        return {"faults": self.faults, "workload": self.workload,
                "time_limit": self.time_limit}


TARGETED_CAMPAIGNS: dict[str, TargetedCampaign] = {
    **{name: TargetedCampaign(name, t.safe,
                              FaultPlan(nemesis=raft_nemesis(t.nemesis)),
                              t.workload, t.time_limit)
       for name, t in RAFT_TARGETED.items()},
    **{name: TargetedCampaign(name, t.safe,
                              FaultPlan(nemesis=config_nemesis(t.nemesis)),
                              t.workload, t.time_limit)
       for name, t in CONFIG_TARGETED.items()},
}


def targeted_campaign(protocol: str) -> TargetedCampaign:
    """The campaign aimed at ``protocol``, or the first one whose safe
    counterpart ``protocol`` is.

    Examples
    --------
    >>> targeted_campaign("raft-figure8").safe
    'raft-lazy-noop'
    >>> targeted_campaign("raft-lazy-noop").aimed_at
    'raft-figure8'
    """
    if protocol in TARGETED_CAMPAIGNS:
        return TARGETED_CAMPAIGNS[protocol]
    for campaign in TARGETED_CAMPAIGNS.values():
        if campaign.safe == protocol:
            return campaign
    names = sorted(set(TARGETED_CAMPAIGNS) | {c.safe for c in
                                               TARGETED_CAMPAIGNS.values()})
    raise ValueError(f"--nemesis needs a protocol with a targeted campaign "
                     f"({', '.join(names)}), got {protocol!r}")
