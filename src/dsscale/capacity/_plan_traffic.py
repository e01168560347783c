"""``dsscale plan`` questions about traffic: cache hit ratio and hedging."""

from __future__ import annotations

import argparse

from dsscale._validate import check_float, check_int
from dsscale.cache import (
    cache_size_for_hit_ratio,
    che_hit_ratio,
    static_hit_ratio,
    zipf_popularity,
)
from dsscale.capacity._plan_common import Answer, finite
from dsscale.capacity._plan_common import fraction as _fraction
from dsscale.capacity._plan_common import positive as _positive
from dsscale.capacity.hedging import hedge_model


# -- cache -----------------------------------------------------------------------
def cache_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--items", type=int, required=True, help="number of items")
    p.add_argument("--zipf", type=finite, required=True,
                   help="Zipf exponent of the popularity (0 = uniform)")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--cache-size", type=int, help="items the cache holds")
    size.add_argument("--hit-ratio", type=finite, help="target hit ratio")


def cache(a: argparse.Namespace) -> Answer:
    k = check_int("--items", a.items, 1)
    s = check_float("--zipf", a.zipf, 0.0)
    p = zipf_popularity(k, s)
    if a.cache_size is not None:
        size = check_int("--cache-size", a.cache_size, 0)
    else:
        size = cache_size_for_hit_ratio(p, check_float("--hit-ratio", a.hit_ratio,
                                                       0.0, 1.0))
    return {"items": k, "zipf": s, "cache_size": size,
            "lru_hit_ratio": che_hit_ratio(p, size),
            "best_possible_hit_ratio": static_hit_ratio(p, size)}


def cache_text(r: Answer) -> list[str]:
    return [f"cache of {r['cache_size']} items of {r['items']} (Zipf {r['zipf']:g})",
            f"LRU hit ratio (Che's approximation): {r['lru_hit_ratio']:.4f}",
            f"best possible (the most popular items, pinned): "
            f"{r['best_possible_hit_ratio']:.4f}"]


# -- hedge -----------------------------------------------------------------------
def hedge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arrival-rate", type=finite, required=True,
                   help="requests per second")
    p.add_argument("--service-time-ms", type=finite, required=True,
                   help="mean service time (ms)")
    p.add_argument("--servers", type=int, required=True,
                   help="servers, each with its own queue (>= 2)")
    p.add_argument("--hedge-after-ms", type=finite, required=True,
                   help="send a copy to another server after this delay (ms)")
    p.add_argument("--budget", type=finite, default=None,
                   help="cap on copies per request, e.g. 0.05 (default: none)")
    p.add_argument("--percentile", type=finite, default=0.99,
                   help="percentile to report (default 0.99)")


def hedge(a: argparse.Namespace) -> Answer:
    lam = _positive("--arrival-rate", a.arrival_rate)
    s = _positive("--service-time-ms", a.service_time_ms) / 1000.0
    c = check_int("--servers", a.servers, 2)
    th = check_float("--hedge-after-ms", a.hedge_after_ms, 0.0) / 1000.0
    b = None if a.budget is None else check_float("--budget", a.budget, 0.0)
    q = _fraction("--percentile", a.percentile)
    if lam * s >= c:
        raise ValueError(f"--arrival-rate must be below --servers / service time "
                         f"= {c / s:g} per second, got {lam:g}")
    plain = hedge_model(lam, 1.0 / s, c, None)
    try:
        hedged = hedge_model(lam, 1.0 / s, c, th, b)
    except ValueError as exc:
        raise ValueError(f"--hedge-after-ms {a.hedge_after_ms:g} sends so many "
                         "copies that the servers saturate; hedge later or set "
                         "--budget") from exc
    return {"utilisation": lam * s / c, "percentile": q,
            "percentile_ms_without": 1000.0 * plain.quantile(q),
            "percentile_ms_with": 1000.0 * hedged.quantile(q),
            "extra_load": hedged.extra_load,
            "collapse_possible": b is None and 2.0 * lam * s >= c}


def hedge_text(r: Answer) -> list[str]:
    pq = f"p{100 * r['percentile']:g}"
    lines = [f"{pq} without hedging: {r['percentile_ms_without']:.2f} ms, with: "
             f"{r['percentile_ms_with']:.2f} ms",
             f"extra load: {r['extra_load']:.2%} copies per request "
             f"(utilisation {r['utilisation']:.0%} before copies)"]
    if r["collapse_possible"]:
        lines.append("warning: above 50 % utilisation, hedging without a budget "
                     "has a second, collapsed state (see Chapter 6); use --budget")
    return lines
