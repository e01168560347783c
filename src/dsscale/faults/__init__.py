"""Fault campaigns: seeded fault schedules against a replication protocol.

=============  ===========================================================
module         what it holds
=============  ===========================================================
``plan``       :class:`FaultPlan` and the drawing of one seed's faults
``properties`` what every history is checked for (lost writes, linearizability)
``campaign``   :func:`run_seed`, :func:`replay`, :func:`run_campaign`
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

__all__ = [
    "CampaignSummary",
    "FaultPlan",
    "HistoryMetrics",
    "ProtocolMetrics",
    "SeedResult",
    "Violation",
    "check_history",
    "history_metrics",
    "lost_writes",
    "measure_protocol",
    "replay",
    "run_campaign",
    "run_seed",
    "schedule_faults",
]
