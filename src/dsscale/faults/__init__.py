"""Fault campaigns: seeded fault schedules against a replication protocol.

=============  ===========================================================
module         what it holds
=============  ===========================================================
``plan``       :class:`FaultPlan` and the drawing of one seed's faults
``properties`` what every history is checked for (lost writes, linearizability)
``campaign``   :func:`run_seed`, :func:`replay`, :func:`run_campaign`
``targeted``   the targeted campaigns (a nemesis per unsafe variant)
``recorder``   snapshots of node state during a run, without changing it
``metrics``    what the clients saw: completion, latency, stale reads, lost writes
``cli``        the ``dsscale faults`` command
=============  ===========================================================
"""

from dsscale.consistency import lost_writes
from dsscale.faults.campaign import (
    CampaignSummary,
    SeedResult,
    replay,
    run_campaign,
    run_seed,
)
from dsscale.faults.metrics import (
    HistoryMetrics,
    ProtocolMetrics,
    history_metrics,
    measure_protocol,
)
from dsscale.faults.plan import FaultPlan, schedule_faults
from dsscale.faults.properties import Violation, check_history
from dsscale.faults.targeted import (
    TARGETED_CAMPAIGNS,
    TargetedCampaign,
    targeted_campaign,
)

__all__ = [
    "TARGETED_CAMPAIGNS",
    "CampaignSummary",
    "FaultPlan",
    "HistoryMetrics",
    "ProtocolMetrics",
    "SeedResult",
    "TargetedCampaign",
    "Violation",
    "check_history",
    "history_metrics",
    "lost_writes",
    "measure_protocol",
    "replay",
    "run_campaign",
    "run_seed",
    "schedule_faults",
    "targeted_campaign",
]
