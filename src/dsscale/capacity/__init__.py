"""Capacity planning: the sizing questions of Chapter 6, as functions.

=================  ==========================================================
module             the question it answers
=================  ==========================================================
``servers``        how many servers keep a latency percentile (M/M/c)
``shards``         how many shards now and after growth; data moved
``quorums``        which R and W: availability, staleness, latency
``vnodes``         how many virtual nodes for a load-imbalance target
``economics``      when to stop adding nodes (the economic size under the USL)
``hashing``        which hashing scheme, from measured properties
``hotkeys``        how far to spread a hot key; hot partitions as queues
``hedging``        whether and when to hedge, with the load fed back
``loadtest``       open- against closed-loop measurement, coordinated omission
``retries``        retries, budgets and timeouts
``detection``      heartbeat timeouts for a false-alarm budget
``cli``            ``dsscale plan``: the common answers on the command line
=================  ==========================================================
"""

from .detection import DetectionPlan, plan_detection
from .economics import (
    cost_per_throughput,
    economic_cluster_size,
    marginal_throughput,
    nodes_for_throughput,
)
from .hashing import SchemeProperties, measure_schemes, recommend_scheme
from .hedging import HedgeModel, HedgeRun, hedge_model, simulate_hedging
from .hotkeys import (
    partition_response_tail,
    salted_partitions,
    salted_peak_to_mean,
    simulate_salted_loads,
    spread_for_peak,
)
from .loadtest import (
    LoadTestRun,
    StallingServer,
    closed_loop,
    closed_loop_slow_fraction,
    open_loop,
    stall_latency_quantile,
    stall_latency_tail,
)
from .quorums import (
    QuorumChoice,
    choose_quorum,
    quorum_latency,
    quorum_options,
    simulate_quorum_availability,
    simulate_quorum_latency,
    spread_over_zones,
)
from .retries import RetryPolicy, plan_retries, retries_for_success, timeout_for
from .servers import (
    ServerPlan,
    evaluate_servers,
    plan_servers,
    servers_for_mean,
    servers_for_utilisation,
)
from .shards import (
    SCHEMES,
    ShardPlan,
    measure_resize,
    moved_fraction_on_resize,
    plan_shards,
    stepwise_moved_fraction,
)
from .vnodes import (
    max_share_probability,
    measure_peak_to_mean,
    normal_quantile_for_max,
    vnodes_for_imbalance,
    vnodes_rule_of_thumb,
)

__all__ = [
    "SCHEMES",
    "DetectionPlan",
    "HedgeModel",
    "HedgeRun",
    "LoadTestRun",
    "QuorumChoice",
    "RetryPolicy",
    "SchemeProperties",
    "ServerPlan",
    "ShardPlan",
    "StallingServer",
    "choose_quorum",
    "closed_loop",
    "closed_loop_slow_fraction",
    "cost_per_throughput",
    "economic_cluster_size",
    "evaluate_servers",
    "hedge_model",
    "marginal_throughput",
    "max_share_probability",
    "measure_peak_to_mean",
    "measure_resize",
    "measure_schemes",
    "moved_fraction_on_resize",
    "nodes_for_throughput",
    "normal_quantile_for_max",
    "open_loop",
    "partition_response_tail",
    "plan_detection",
    "plan_retries",
    "plan_servers",
    "plan_shards",
    "quorum_latency",
    "quorum_options",
    "recommend_scheme",
    "retries_for_success",
    "salted_partitions",
    "salted_peak_to_mean",
    "servers_for_mean",
    "servers_for_utilisation",
    "simulate_hedging",
    "simulate_quorum_availability",
    "simulate_quorum_latency",
    "simulate_salted_loads",
    "spread_for_peak",
    "spread_over_zones",
    "stall_latency_quantile",
    "stall_latency_tail",
    "stepwise_moved_fraction",
    "timeout_for",
    "vnodes_for_imbalance",
    "vnodes_rule_of_thumb",
]
