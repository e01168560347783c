"""``dsscale plan`` questions about sizing: servers, shards, quorum, vnodes, nodes.

Each question is a pair: ``*_args`` adds its flags to a parser, the function
of the same name turns parsed flags into an answer (a dict), and ``*_text``
renders the answer for people.
"""

from __future__ import annotations

import argparse
import math

from dsscale._validate import check_float, check_int
from dsscale.capacity._plan_common import Answer, finite
from dsscale.capacity._plan_common import fraction as _fraction
from dsscale.capacity._plan_common import positive as _positive
from dsscale.capacity.economics import economic_cluster_size, nodes_for_throughput
from dsscale.capacity.quorums import choose_quorum, quorum_options
from dsscale.capacity.servers import (
    evaluate_servers,
    plan_servers,
    servers_for_mean,
    servers_for_utilisation,
)
from dsscale.capacity.shards import plan_shards, stepwise_moved_fraction
from dsscale.capacity.vnodes import (
    max_share_probability,
    vnodes_for_imbalance,
    vnodes_rule_of_thumb,
)
from dsscale.laws import usl_peak, usl_throughput

MAX_OFFERED_LOAD = 20_000.0   # busy servers; the exact search is O(c) per step


# -- servers ---------------------------------------------------------------------
def servers_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arrival-rate", type=finite, required=True,
                   help="requests per second")
    p.add_argument("--service-time-ms", type=finite, required=True,
                   help="mean service time of one request on one server (ms)")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--p99-ms", type=finite, help="99th-percentile target (ms)")
    target.add_argument("--latency-ms", type=finite,
                        help="latency target (ms) for --percentile")
    p.add_argument("--percentile", type=finite, default=0.99,
                   help="with --latency-ms: the percentile it bounds (default 0.99)")


def servers(a: argparse.Namespace) -> Answer:
    lam = _positive("--arrival-rate", a.arrival_rate)
    s = _positive("--service-time-ms", a.service_time_ms) / 1000.0
    flag = "--p99-ms" if a.p99_ms is not None else "--latency-ms"
    target = _positive(flag, a.p99_ms if a.p99_ms is not None else a.latency_ms)
    q = 0.99 if a.p99_ms is not None else _fraction("--percentile", a.percentile)
    if lam * s > MAX_OFFERED_LOAD:
        raise ValueError(f"--arrival-rate times the service time must be at most "
                         f"{MAX_OFFERED_LOAD:g} busy servers, got {lam * s:g}")
    floor_ms = -math.log1p(-q) * s * 1000.0
    if target <= floor_ms:
        raise ValueError(f"{flag} must exceed {floor_ms:.4g} ms, the service time's "
                         f"own {q:g}-quantile: no number of servers meets a "
                         f"tighter target, got {target:g}")
    plan = plan_servers(lam, s, target / 1000.0, q)
    by_mean = servers_for_mean(lam, s, target / 1000.0)
    return {"servers": plan.servers, "percentile": q, "target_ms": target,
            "utilisation": plan.utilisation,
            "wait_probability": plan.wait_probability,
            "mean_ms": 1000.0 * plan.mean_response_time,
            "percentile_ms": 1000.0 * plan.percentile_response_time,
            "servers_if_sized_for_the_mean": by_mean,
            "percentile_ms_if_sized_for_the_mean": 1000.0 * evaluate_servers(
                by_mean, lam, s, q).percentile_response_time,
            "servers_at_70_percent_utilisation": servers_for_utilisation(lam, s, 0.7)}


def servers_text(r: Answer) -> list[str]:
    return [f"servers: {r['servers']} (utilisation {r['utilisation']:.1%})",
            f"predicted p{100 * r['percentile']:g}: {r['percentile_ms']:.2f} ms "
            f"(target {r['target_ms']:g} ms), mean {r['mean_ms']:.2f} ms, "
            f"{r['wait_probability']:.1%} of requests queue",
            f"sized for the mean instead: {r['servers_if_sized_for_the_mean']} "
            f"servers, p{100 * r['percentile']:g} "
            f"{r['percentile_ms_if_sized_for_the_mean']:.2f} ms",
            f"sized for 70 % utilisation: "
            f"{r['servers_at_70_percent_utilisation']} servers",
            "model: M/M/c, one shared FCFS queue, Poisson arrivals, exponential "
            "service"]


# -- shards ----------------------------------------------------------------------
def shards_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-gb", type=finite, required=True, help="data size (GB)")
    p.add_argument("--request-rate", type=finite, required=True,
                   help="requests per second")
    p.add_argument("--shard-gb", type=finite, required=True,
                   help="data one shard may hold (GB)")
    p.add_argument("--shard-throughput", type=finite, required=True,
                   help="requests per second one shard serves at full utilisation")
    p.add_argument("--max-utilisation", type=finite, default=0.7,
                   help="utilisation cap per shard (default 0.7)")
    p.add_argument("--peak-to-mean", type=finite, default=1.0,
                   help="busiest shard's load over the mean (default 1)")
    p.add_argument("--growth", type=finite, default=1.0,
                   help="growth factor of data and load to plan for (default 1)")


def shards(a: argparse.Namespace) -> Answer:
    data = check_float("--data-gb", a.data_gb, 0.0)
    rate = check_float("--request-rate", a.request_rate, 0.0)
    plan = plan_shards(data, rate, _positive("--shard-gb", a.shard_gb),
                       _positive("--shard-throughput", a.shard_throughput),
                       max_utilisation=check_float("--max-utilisation",
                                                   a.max_utilisation, 0.0, 1.0,
                                                   strict_min=True),
                       peak_to_mean=check_float("--peak-to-mean", a.peak_to_mean, 1.0),
                       growth=check_float("--growth", a.growth, 1.0))
    grown = data * plan.growth
    return {"shards": plan.shards, "bound_by": plan.bound_by,
            "shards_for_data": plan.shards_for_data,
            "shards_for_throughput": plan.shards_for_throughput,
            "growth": plan.growth, "shards_after_growth": plan.shards_after_growth,
            "moved_gb_modulo": plan.modulo_moved * grown,
            "moved_gb_consistent": plan.consistent_moved * grown,
            "moved_gb_consistent_one_at_a_time": stepwise_moved_fraction(
                plan.shards, plan.shards_after_growth) * grown}


def shards_text(r: Answer) -> list[str]:
    return [f"shards now: {r['shards']} (bound by {r['bound_by']}: "
            f"{r['shards_for_data']} for the data, {r['shards_for_throughput']} "
            "for the load)",
            f"after growth x{r['growth']:g}: {r['shards_after_growth']} shards",
            f"data moved getting there: modulo hashing {r['moved_gb_modulo']:.1f} GB, "
            f"consistent hashing {r['moved_gb_consistent']:.1f} GB at once or "
            f"{r['moved_gb_consistent_one_at_a_time']:.1f} GB one shard at a time"]


# -- quorum ----------------------------------------------------------------------
def quorum_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replicas", type=int, required=True, help="replication factor N")
    p.add_argument("--node-availability", type=finite, required=True,
                   help="probability that one replica is up, e.g. 0.99")
    p.add_argument("--max-stale", type=finite, default=0.0,
                   help="tolerated probability that a read right after a write "
                   "misses it (default 0: strict quorums)")
    p.add_argument("--read-fraction", type=finite, default=0.5,
                   help="share of reads, to weigh latency (default 0.5)")
    p.add_argument("--zones", type=int, default=1,
                   help="zones the replicas are spread over (default 1)")
    p.add_argument("--zone-availability", type=finite, default=1.0,
                   help="probability that a zone is up (default 1)")


def quorum(a: argparse.Namespace) -> Answer:
    n = check_int("--replicas", a.replicas, 1)
    avail = check_float("--node-availability", a.node_availability, 0.0, 1.0)
    stale = check_float("--max-stale", a.max_stale, 0.0, 1.0)
    frac = check_float("--read-fraction", a.read_fraction, 0.0, 1.0)
    zones = check_int("--zones", a.zones, 1, n)
    za = check_float("--zone-availability", a.zone_availability, 0.0, 1.0)
    best = choose_quorum(n, avail, stale, read_fraction=frac, num_zones=zones,
                         zone_availability=za)
    feasible = [o for o in quorum_options(n, avail, num_zones=zones,
                                          zone_availability=za)
                if o.stale_probability <= stale]
    return {"replicas": n, "read_quorum": best.read_quorum,
            "write_quorum": best.write_quorum,
            "read_availability": best.read_availability,
            "write_availability": best.write_availability,
            "stale_probability": best.stale_probability,
            "read_latency_in_replica_means": best.read_latency,
            "write_latency_in_replica_means": best.write_latency,
            "feasible": [[o.read_quorum, o.write_quorum] for o in feasible]}


def quorum_text(r: Answer) -> list[str]:
    return [f"N = {r['replicas']}: R = {r['read_quorum']}, W = {r['write_quorum']}",
            f"availability: reads {r['read_availability']:.6f}, writes "
            f"{r['write_availability']:.6f}",
            f"stale reads right after a write: {r['stale_probability']:.4g}",
            f"mean latency in replica response times: reads "
            f"{r['read_latency_in_replica_means']:.3f}, writes "
            f"{r['write_latency_in_replica_means']:.3f}",
            f"(R, W) within the staleness bound: {len(r['feasible'])}"]


# -- vnodes ----------------------------------------------------------------------
def vnodes_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nodes", type=int, required=True, help="number of nodes n")
    p.add_argument("--imbalance", type=finite, required=True,
                   help="tolerated excess of the busiest node, e.g. 0.1 for 10 %%")
    p.add_argument("--confidence", type=finite, default=0.99,
                   help="probability that no node exceeds it (default 0.99)")


def vnodes(a: argparse.Namespace) -> Answer:
    n = check_int("--nodes", a.nodes, 1)
    eps = _positive("--imbalance", a.imbalance)
    c = _fraction("--confidence", a.confidence)
    v = vnodes_for_imbalance(n, eps, c)
    return {"nodes": n, "imbalance": eps, "confidence": c, "vnodes": v,
            "ring_points": n * v, "rule_of_thumb": vnodes_rule_of_thumb(n, eps, c),
            "predicted_probability": max_share_probability(n, v, eps)}


def vnodes_text(r: Answer) -> list[str]:
    return [f"virtual nodes per node: {r['vnodes']} ({r['ring_points']} ring points)",
            f"P(busiest node within {r['imbalance']:.0%} of its share) ~ "
            f"{r['predicted_probability']:.4f} (asked {r['confidence']:g})",
            f"normal rule of thumb (z/eps)^2: {r['rule_of_thumb']}"]


# -- nodes -----------------------------------------------------------------------
def nodes_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--node-throughput", type=finite, required=True,
                   help="throughput of one node (the USL's lambda)")
    p.add_argument("--sigma", type=finite, required=True, help="USL contention")
    p.add_argument("--kappa", type=finite, required=True, help="USL coherency")
    p.add_argument("--node-cost", type=finite, required=True,
                   help="price of one node per period")
    p.add_argument("--throughput-value", type=finite, required=True,
                   help="value of one unit of throughput per period")


def nodes(a: argparse.Namespace) -> Answer:
    lam = _positive("--node-throughput", a.node_throughput)
    sigma = check_float("--sigma", a.sigma, 0.0, 1.0)
    kappa = check_float("--kappa", a.kappa, 0.0)
    cost = _positive("--node-cost", a.node_cost)
    value = _positive("--throughput-value", a.throughput_value)
    n = economic_cluster_size(lam, sigma, kappa, cost, value)
    peak = usl_peak(sigma, kappa)
    x = float(usl_throughput(n, lam, sigma, kappa))
    answer = {"economic_size": n, "throughput": x, "profit": value * x - cost * n,
              "usl_peak": None if math.isinf(peak) else peak}
    if not math.isinf(peak):
        at_peak = max(1, round(peak))
        x_peak = float(usl_throughput(at_peak, lam, sigma, kappa))
        answer["nodes_at_peak"] = at_peak
        answer["throughput_at_peak"] = x_peak
        answer["profit_at_peak"] = value * x_peak - cost * at_peak
        answer["nodes_for_99_percent_of_peak"] = nodes_for_throughput(
            0.99 * x_peak, lam, sigma, kappa)
    return answer


def nodes_text(r: Answer) -> list[str]:
    lines = [f"economic size: {r['economic_size']} nodes, throughput "
             f"{r['throughput']:.6g}, profit {r['profit']:.6g} per period"]
    if r["usl_peak"] is not None:
        lines.append(f"the USL peak N* = {r['usl_peak']:.1f}: {r['nodes_at_peak']} "
                     f"nodes give {r['throughput_at_peak']:.6g}, profit "
                     f"{r['profit_at_peak']:.6g}; 99 % of the peak needs only "
                     f"{r['nodes_for_99_percent_of_peak']} nodes")
    return lines
