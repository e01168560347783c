"""Which hashing scheme? A decision table computed from measured properties.

:func:`measure_schemes` builds each scheme of Chapter 3 over the same nodes
and keys and measures what a decision needs: the keys moved when a node
joins (against the ideal 1/(n+1)) and whether they all went to the newcomer,
the busiest node's load, the lookup cost, whether node weights are honoured
(a node of weight 2 should get twice the keys), whether a preference list of
distinct replicas is available, and whether any node (not only the last)
can be removed. :func:`recommend_scheme` filters the measured table by the
requirements and returns the cheapest scheme that meets them.

References
----------
D. Karger et al., STOC 1997 (ring); J. Lamping and E. Veach, "A fast,
minimal memory, consistent hash algorithm", arXiv 2014 (jump);
D. Thaler and C. Ravishankar, "Using name-based mappings to increase hit
rates", IEEE/ACM ToN 6(1), 1998 (rendezvous); D. Eisenbud et al., "Maglev: A
Fast and Reliable Software Network Load Balancer", NSDI 2016.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.capacity.shards import SCHEMES
from dsscale.partitioning import (
    ReplicatingPartitioner,
    assigned_nodes,
    load_distribution,
    peak_to_mean,
)

__all__ = ["SchemeProperties", "measure_schemes", "recommend_scheme"]


@dataclass(frozen=True)
class SchemeProperties:
    """What :func:`measure_schemes` found for one scheme."""

    name: str
    moved_on_growth: float
    ideal_moved: float
    moved_only_to_new: bool
    peak_to_mean: float
    lookup_seconds_per_key: float
    weight_share: float | None      # share of a weight-2 node over a weight-1 one
    preference_lists: bool
    removes_any_node: bool

    @property
    def movement_ratio(self) -> float:
        """Keys moved on growth over the ideal 1/(n+1)."""
        return self.moved_on_growth / self.ideal_moved


def _best_time(fn: Callable[[], Any], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _weight_share(make: Callable[..., Any], nodes: list[str],
                  keys: Any) -> float | None:
    if "weights" not in inspect.signature(make).parameters:
        return None
    weights = np.ones(len(nodes))
    weights[0] = 2.0
    loads = load_distribution(make(nodes, weights=weights).node_for_many(keys), nodes)
    return float(loads[0] / loads[1:].mean())


def _removes_any(part: Any) -> bool:
    try:
        part.remove_node(part.nodes[0])
    except ValueError:
        return False
    return True


def measure_schemes(num_nodes: int = 50, num_keys: int = 100_000,
                    rng: RNGLike = None) -> list[SchemeProperties]:
    """Measure every scheme of :data:`dsscale.capacity.shards.SCHEMES`.

    Keys are random 64-bit integers from ``rng``; lookup cost is the best of
    three timed ``node_for_many`` calls on all keys (a wall-clock
    measurement: compare schemes within one run, not across machines).
    """
    n = check_int("num_nodes", num_nodes, 2)
    k = check_int("num_keys", num_keys, 1)
    keys = as_rng(rng).integers(0, 2**63, size=k, dtype=np.int64)
    nodes = [f"node-{i}" for i in range(n)]
    table = []
    for name, make in SCHEMES.items():
        part = make(nodes)
        before = assigned_nodes(part, keys)
        after = assigned_nodes(part.add_node(f"node-{n}"), keys)
        moved = before != after
        loads = load_distribution(part.node_for_many(keys), part)
        table.append(SchemeProperties(
            name=name, moved_on_growth=float(moved.mean()), ideal_moved=1.0 / (n + 1),
            moved_only_to_new=bool(np.all(after[moved] == f"node-{n}")),
            peak_to_mean=peak_to_mean(loads),
            lookup_seconds_per_key=_best_time(partial(part.node_for_many, keys)) / k,
            weight_share=_weight_share(make, nodes, keys),
            preference_lists=isinstance(part, ReplicatingPartitioner),
            removes_any_node=_removes_any(part)))
    return table


def recommend_scheme(table: list[SchemeProperties], *, max_movement_ratio: float = 1.5,
                     max_peak_to_mean: float = 1.5, need_weights: bool = False,
                     need_preference_lists: bool = False,
                     need_any_removal: bool = False) -> SchemeProperties:
    """The fastest-lookup scheme of ``table`` that meets every requirement.

    Weights count as honoured when a weight-2 node gets between 1.8 and 2.2
    times the keys of the others. Raises ``ValueError`` when none qualifies.
    """
    move = check_float("max_movement_ratio", max_movement_ratio, 1.0)
    peak = check_float("max_peak_to_mean", max_peak_to_mean, 1.0)
    ok = [p for p in table
          if p.movement_ratio <= move and p.peak_to_mean <= peak
          and (not need_weights or (p.weight_share is not None
                                    and abs(p.weight_share - 2.0) <= 0.2))
          and (not need_preference_lists or p.preference_lists)
          and (not need_any_removal or p.removes_any_node)]
    if not ok:
        raise ValueError("no measured scheme meets these requirements; relax "
                         "max_movement_ratio or max_peak_to_mean")
    return min(ok, key=lambda p: p.lookup_seconds_per_key)
