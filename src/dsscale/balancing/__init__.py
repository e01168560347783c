r"""Load balancing: d choices, fan-out and hedging, and dispatching to queues.

=============  =============================================================
module         what it holds
=============  =============================================================
``choices``    balls into bins with d choices, and its fluid limit
``fanout``     the slow-request probability under fan-out; hedged requests;
               fan-out quantiles for one-mode laws fitted to two tail points
``dispatch``   Poisson requests dispatched to FIFO servers: random, d choices,
               join-the-shortest-queue, with exact or stale load information
=============  =============================================================
"""

from dsscale.balancing.choices import (
    d_choice_loads,
    d_choice_tail_fractions,
    expected_max_load_d_choices,
    expected_max_load_one_choice,
    max_load,
)
from dsscale.balancing.dispatch import DISPATCH_POLICIES, simulate_dispatch
from dsscale.balancing.fanout import (
    TWO_POINT_FAMILIES,
    FanoutResult,
    LatencySampler,
    MixtureLatency,
    fanout_quantile,
    fanout_slow_probability,
    simulate_fanout,
    two_point_survival,
)

__all__ = [
    "DISPATCH_POLICIES",
    "FanoutResult",
    "LatencySampler",
    "MixtureLatency",
    "TWO_POINT_FAMILIES",
    "d_choice_loads",
    "d_choice_tail_fractions",
    "expected_max_load_d_choices",
    "expected_max_load_one_choice",
    "fanout_quantile",
    "fanout_slow_probability",
    "max_load",
    "simulate_dispatch",
    "simulate_fanout",
    "two_point_survival",
]
