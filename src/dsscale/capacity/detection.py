r"""How fast can a failed node be detected, for a tolerable rate of false alarms?

Each monitored pair exchanges heartbeats every η seconds over a link that
loses each with probability ℓ and delays it uniformly by
:math:`[a, a + w]`; the monitor suspects after a timeout T of silence. A
delivered heartbeat is followed by a false suspicion with probability
:math:`P_{\mathrm{fp}}(T)`
(:func:`~dsscale.membership.heartbeat_false_positive_probability`), and a
crash is detected after :math:`E[T_D](T)` on average
(:func:`~dsscale.membership.heartbeat_detection_time`; Chen, Toueg and
Aguilera 2002). A cluster in which ``monitored_pairs`` pairs watch each other
(:math:`n(n-1)` for all-to-all heartbeats, n when each node is watched by
one other) raises

.. math:: R = \text{pairs} \times \frac{(1 - \ell)}{\eta} \times P_{\mathrm{fp}}(T)

false alarms per second. Fixing R and solving for the smallest T
(:func:`dsscale.membership.timeout_for_false_positive`) gives the fastest
detection the budget allows. Each factor of 1/ℓ of extra confidence costs
one more heartbeat interval of detection time.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsscale._validate import check_float, check_int
from dsscale.membership import (
    heartbeat_detection_time,
    heartbeat_false_positive_probability,
    timeout_for_false_positive,
)

__all__ = ["DetectionPlan", "plan_detection"]

_DAY = 86_400.0


@dataclass(frozen=True)
class DetectionPlan:
    """A heartbeat timeout and what it buys (seconds, and alarms per day)."""

    timeout: float
    detection_time: float
    false_positive_probability: float
    false_alarms_per_day: float
    heartbeats_per_second: float


def plan_detection(monitored_pairs: int, false_alarms_per_day: float,
                   interval: float, loss: float = 0.0, min_delay: float = 0.0,
                   jitter: float = 0.0) -> DetectionPlan:
    """The smallest timeout that keeps the cluster's false alarms within budget.

    >>> plan = plan_detection(90, 1.0, 1.0, loss=0.01)   # 10 nodes, all-to-all
    >>> # 90 pairs x 85,536 heartbeats a day x 0.01**4
    >>> plan.timeout, round(plan.false_alarms_per_day, 4)
    (4.0, 0.077)
    """
    pairs = check_int("monitored_pairs", monitored_pairs, 1)
    budget = check_float("false_alarms_per_day", false_alarms_per_day, 0.0,
                         strict_min=True)
    eta = check_float("interval", interval, 0.0, strict_min=True)
    ell = check_float("loss", loss, 0.0, 1.0, strict_max=True)
    delivered_per_day = pairs * _DAY * (1.0 - ell) / eta
    target = min(1.0, budget / delivered_per_day)
    timeout = timeout_for_false_positive(target, eta, ell, jitter)
    fp = heartbeat_false_positive_probability(timeout, eta, ell, jitter)
    return DetectionPlan(timeout,
                         heartbeat_detection_time(timeout, eta, ell, min_delay, jitter),
                         fp, fp * delivered_per_day, pairs / eta)
