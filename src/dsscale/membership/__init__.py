"""Failure detection and membership on the simulator :mod:`dsscale.sim`.

=====================  =========================================================
module                 what it holds
=====================  =========================================================
``timeouts``           heartbeat timeouts: detection time, false positives
``heartbeat``          heartbeat senders and monitors; the timeout detector
``phi_accrual``        the phi-accrual detector (Hayashibara et al. 2004)
``spread``             gossip rounds: exact chain, leading terms, fast simulation
``gossip``             push, pull and push-pull gossip of any mergeable state
``swim``               SWIM: probes, suspicion, piggybacked dissemination
``swim_analysis``      SWIM's detection time, false positives and message load
=====================  =========================================================
"""

from dsscale.membership.gossip import GossipNode
from dsscale.membership.heartbeat import Heartbeat, HeartbeatNode, TimeoutDetector
from dsscale.membership.phi_accrual import PhiAccrualDetector, phi, phi_timeout
from dsscale.membership.spread import (
    expected_gossip_rounds,
    gossip_round_distribution,
    gossip_rounds_leading_term,
    simulate_gossip_rounds,
)
from dsscale.membership.swim import SwimMember
from dsscale.membership.swim_analysis import (
    swim_detection_time,
    swim_false_positive_probability,
    swim_message_load,
    swim_probe_periods,
)
from dsscale.membership.timeouts import (
    heartbeat_detection_time,
    heartbeat_false_positive_probability,
    heartbeat_gap_moments,
    timeout_for_false_positive,
)

__all__ = [
    "GossipNode",
    "Heartbeat",
    "HeartbeatNode",
    "PhiAccrualDetector",
    "SwimMember",
    "TimeoutDetector",
    "expected_gossip_rounds",
    "gossip_round_distribution",
    "gossip_rounds_leading_term",
    "heartbeat_detection_time",
    "heartbeat_false_positive_probability",
    "heartbeat_gap_moments",
    "phi",
    "phi_timeout",
    "simulate_gossip_rounds",
    "swim_detection_time",
    "swim_false_positive_probability",
    "swim_message_load",
    "swim_probe_periods",
    "timeout_for_false_positive",
]
