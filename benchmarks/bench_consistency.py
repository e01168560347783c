"""Benchmark: the memoised linearizability checker against the exhaustive one.

Run ``python benchmarks/bench_consistency.py [--quick] [--json PATH]``. All
measurements are taken in one run on the same histories, and reported as
ratios and as the largest history each checker decides within a time budget:

1. checker vs naive (all real-time-consistent orders) on small register
   histories with one stale read planted -- illegal, so both must search
   everything; the ratio is naive time / checker time;
2. the largest such history each one decides within the budget (10 s;
   ``--quick``: 0.5 s), sizes growing by one (naive) or doubling (checker);
3. the checker on a 10,000-operation, 100-key KV history, with and without
   splitting it by key (P-compositionality); the unsplit search gets the same
   budget and is reported "unknown" if it runs out (the ratio is then a lower
   bound);
4. time to verdict on a 10-key history where two keys are hard (30 clients
   with long overlapping operations) and one easy key has a planted stale
   read: the checker (partitions interleaved, smallest first, doubling step
   budgets, stop at the first illegal one) against the same search run
   partition after partition in the order the keys were first seen (the
   checker before it interleaved), which reaches the hard keys first.

Absolute times depend on the machine (and on whoever shares it); the ratios
and the size limits are the point.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from dsscale.consistency import (
    KVModel,
    Operation,
    RegisterModel,
    check_linearizable,
    naive_check_linearizable,
    random_kv_history,
    random_register_history,
    register_as_key,
)


def _timed(func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def _illegal_history(size: int, seed: int = 0) -> list[Any]:
    """A register history of ``size`` ops with one stale read (first seed that
    can plant one)."""
    while True:
        try:
            return random_register_history(3, size, seed, linearizable=False)
        except ValueError:
            seed += 1


class _Unpartitioned:
    """The KV model without ``partition`` (but with ``prune``): one search."""

    def __init__(self) -> None:
        self.inner = KVModel(0)

    def init(self) -> Any:
        return self.inner.init()

    def step(self, state: Any, input: Any, output: Any) -> tuple[bool, Any]:
        return self.inner.step(state, input, output)

    def prune(self, operations: Any) -> Any:
        return self.inner.prune(operations)


def head_to_head(budget: float, max_size: int) -> list[dict[str, Any]]:
    rows = []
    model = RegisterModel(0)
    check_linearizable(_illegal_history(4), model)  # warm-up: first-call costs
    for size in range(4, max_size + 1):
        history = _illegal_history(size)
        fast, fast_time = _timed(
            partial(check_linearizable, history, model, shrink=False))
        slow, slow_time = _timed(
            partial(naive_check_linearizable, history, model, timeout=budget))
        assert fast.status == "illegal" and slow.status in ("illegal", "unknown")
        rows.append({"ops": size, "checker_s": fast_time, "naive_s": slow_time,
                     "naive_status": slow.status,
                     "ratio": slow_time / max(fast_time, 1e-9)})
        if slow.status == "unknown":
            break
    return rows


def checker_limit(budget: float, max_size: int) -> dict[str, Any]:
    size, largest, last_time = 1000, 0, 0.0
    model = RegisterModel(0)
    while size <= max_size:
        history = _illegal_history(size)
        result, elapsed = _timed(partial(
            check_linearizable, history, model, timeout=budget, shrink=False))
        if result.status != "illegal":
            break
        largest, last_time = size, elapsed
        size *= 2
    return {"largest_ops": largest, "seconds_at_largest": last_time,
            "capped": size > max_size}


def kv_run(budget: float) -> dict[str, Any]:
    history = random_kv_history(100, 20, 10_000, 1, pending_fraction=0.02)
    split, split_time = _timed(lambda: check_linearizable(history, KVModel(0)))
    whole, whole_time = _timed(
        lambda: check_linearizable(history, _Unpartitioned(), timeout=budget))
    assert split.status == "ok" and whole.status in ("ok", "unknown")
    return {"ops": len(history), "keys": 100, "partitions": split.num_partitions,
            "partitioned_s": split_time, "unpartitioned_s": whole_time,
            "unpartitioned_status": whole.status,
            "ratio": whole_time / max(split_time, 1e-9)}


def mixed_difficulty_history() -> list[Operation]:
    """10 keys: 0 and 1 hard (30 concurrent clients, 300 ops each), 2 with
    one stale read (3 clients, 200 ops), 3..9 easy and linearizable. The hard
    keys come first in the list, so a search in key order meets them first."""
    ops: list[Operation] = []
    for key in (0, 1):
        ops += register_as_key(random_register_history(30, 300, key), key)
    ops += register_as_key(_illegal_history(200), 2)
    for key in range(3, 10):
        ops += register_as_key(random_register_history(3, 200, key), key)
    return ops


def _sequential(history: list[Operation], budget: float) -> str:
    """The checker before interleaving: one partition after another."""
    deadline = time.perf_counter() + budget
    for part in KVModel(0).partition(history):
        left = deadline - time.perf_counter()
        if left <= 0:
            return "unknown"
        status = check_linearizable(part, KVModel(0), timeout=left,
                                    shrink=False).status
        if status != "ok":
            return status
    return "ok"


def mixed_run(budget: float) -> dict[str, Any]:
    history = mixed_difficulty_history()
    now, now_time = _timed(lambda: check_linearizable(history, KVModel(0),
                                                      timeout=budget, shrink=False))
    before, before_time = _timed(lambda: _sequential(history, budget))
    assert now.status == "illegal" and now.failed_partition == 2
    return {"ops": len(history), "keys": 10, "interleaved_status": now.status,
            "interleaved_s": now_time, "failed_partition": now.failed_partition,
            "sequential_status": before, "sequential_s": before_time,
            "ratio": before_time / max(now_time, 1e-9)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small budget and sizes (a smoke run)")
    parser.add_argument("--json", metavar="PATH", help="also write results here")
    args = parser.parse_args(argv)
    budget = 0.5 if args.quick else 10.0
    rows = head_to_head(budget, max_size=8 if args.quick else 12)
    naive_largest = max((r["ops"] for r in rows if r["naive_status"] == "illegal"),
                        default=0)
    limit = checker_limit(budget, max_size=8_000 if args.quick else 256_000)
    kv = kv_run(budget)
    mixed = mixed_run(budget)

    print(f"1. checker vs naive on illegal register histories (3 clients), "
          f"budget {budget:g} s")
    print(f"{'ops':>5} {'checker s':>11} {'naive s':>11} {'naive/checker':>14}")
    for r in rows:
        flag = "" if r["naive_status"] == "illegal" else "  (naive timed out)"
        print(f"{r['ops']:>5} {r['checker_s']:>11.5f} {r['naive_s']:>11.5f} "
              f"{r['ratio']:>14.1f}{flag}")
    print(f"\n2. largest illegal register history decided within {budget:g} s")
    print(f"{'checker':>10} {'largest ops':>12}")
    print(f"{'naive':>10} {naive_largest:>12}")
    capped = " (size cap reached)" if limit["capped"] else ""
    print(f"{'memoised':>10} {limit['largest_ops']:>12}  "
          f"({limit['seconds_at_largest']:.2f} s){capped}")
    print(f"\n3. KV history: {kv['ops']} ops, {kv['keys']} keys, 2% pending")
    print(f"   split by key ({kv['partitions']} partitions): "
          f"{kv['partitioned_s']:.3f} s")
    print(f"   one search over all keys: {kv['unpartitioned_s']:.3f} s "
          f"({kv['unpartitioned_status']}), ratio {kv['ratio']:.1f}")
    print(f"\n4. time to verdict: {mixed['ops']} ops, 10 keys, two hard keys "
          f"first, one stale read on key 2")
    print(f"   interleaved partitions: {mixed['interleaved_s']:.3f} s "
          f"({mixed['interleaved_status']}, partition {mixed['failed_partition']})")
    print(f"   one partition after another: {mixed['sequential_s']:.3f} s "
          f"({mixed['sequential_status']}), ratio {mixed['ratio']:.0f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"budget_s": budget, "head_to_head": rows,
                       "naive_largest_ops": naive_largest, "checker_limit": limit,
                       "kv": kv, "mixed": mixed}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
