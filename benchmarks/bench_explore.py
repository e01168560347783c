"""Exhaustive exploration: states per second, and what each reduction buys.

    python benchmarks/bench_explore.py [--quick] [--json PATH]

For each catalogued scope (``dsscale.explore.catalog``): distinct states,
transitions explored, time and distinct states per second. Then, side by
side in one run: the speedup of visited-state hashing over a search of every
path (tree search, at a depth both can finish), of memoised node transitions
over re-running every handler, of dropping stale messages, and of symmetry
reduction; and a profile of what the remaining time is spent on. Absolute
numbers depend on the machine; compare ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import pstats
import time
from typing import Any

from dsscale.explore import Scope, explore
from dsscale.explore import search as search_module
from dsscale.explore.catalog import CATALOG
from dsscale.explore.machine import Machine, Transition


def catalogue(names: list[str]) -> dict[str, Any]:
    rows = {}
    for name in names:
        r = explore(CATALOG[name])
        rows[name] = {"status": r.status, "distinct_states": r.distinct_states,
                      "states_explored": r.states_explored, "seconds": r.elapsed,
                      "distinct_states_per_second": r.states_per_second,
                      "trace_length": len(r.trace)}
        print(f"{name:<18} {r.status:<10} {r.distinct_states:>9,} states "
              f"{r.states_explored:>10,} transitions {r.elapsed:6.2f} s "
              f"{r.states_per_second:>9,.0f} states/s"
              + (f"  trace {len(r.trace)}" if r.trace else ""))
    return rows


def hashing(depth: int) -> dict[str, Any]:
    """Visited-state hashing against a tree search that never merges paths."""
    scope = Scope("abd")
    merged = explore(scope, max_depth=depth)
    counter = itertools.count()
    search_module.hash = lambda state: next(counter)  # type: ignore[attr-defined]
    try:
        tree = explore(scope, max_depth=depth)  # every path a new "state"
    finally:
        del search_module.hash  # type: ignore[attr-defined]
    assert tree.status == "bounded"  # every path up to the depth was walked
    out = {"depth": depth, "paths": tree.distinct_states,
           "states": merged.distinct_states,
           "state_ratio": tree.distinct_states / merged.distinct_states,
           "speedup": tree.elapsed / merged.elapsed}
    print(f"hashing (abd, depth {depth}): {tree.distinct_states:,} paths vs "
          f"{merged.distinct_states:,} states (x{out['state_ratio']:.1f}); "
          f"time x{out['speedup']:.1f}")
    return out


class _NoMemo(Machine):
    """Runs the handler for every transition, as a search without memo would."""

    def step(self, i: int, snap: int, kind: int, payload: Any,
             now: float) -> Transition:
        return self._run(i, snap, kind, payload, now)


def memo(name: str) -> dict[str, Any]:
    with_memo = explore(CATALOG[name])
    import dsscale.explore.space as space_module
    original = space_module.Machine
    space_module.Machine = _NoMemo  # type: ignore[misc]
    try:
        without = explore(CATALOG[name])
    finally:
        space_module.Machine = original  # type: ignore[misc]
    assert without.distinct_states == with_memo.distinct_states
    out = {"scope": name, "handler_runs_with_memo": with_memo.node_transitions,
           "handler_runs_without": without.node_transitions,
           "speedup": without.elapsed / with_memo.elapsed}
    print(f"memoised transitions ({name}): {with_memo.node_transitions:,} handler "
          f"runs instead of {without.node_transitions:,}; time x{out['speedup']:.1f}")
    return out


def reductions(name: str, scope: Scope) -> dict[str, Any]:
    base = explore(scope)
    kept = explore(scope, ignore_stale=False)
    sym = explore(scope, symmetry=True)
    assert kept.status == base.status == sym.status == "complete"
    out = {"scope": name, "states": base.distinct_states,
           "states_keeping_stale": kept.distinct_states,
           "stale_state_ratio": kept.distinct_states / base.distinct_states,
           "stale_speedup": kept.elapsed / base.elapsed,
           "states_symmetry": sym.distinct_states,
           "symmetry_state_ratio": base.distinct_states / sym.distinct_states,
           "symmetry_speedup": base.elapsed / sym.elapsed}
    print(f"stale messages kept ({name}): {kept.distinct_states:,} states vs "
          f"{base.distinct_states:,} (x{out['stale_state_ratio']:.1f}), time "
          f"x{out['stale_speedup']:.1f}")
    print(f"symmetry ({name}): {sym.distinct_states:,} states vs "
          f"{base.distinct_states:,} (x{out['symmetry_state_ratio']:.1f}), time "
          f"x{out['symmetry_speedup']:.2f}")
    return out


def profile(name: str) -> dict[str, float]:
    """Share of the search's time in each part (cumulative, overlapping)."""
    profiler = cProfile.Profile()
    profiler.enable()
    explore(CATALOG[name])
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    parts = {"successor generation (moves)": "moves",
             "next states, stale messages (_after)": "_after",
             "handler runs (Machine._run)": "_run",
             "freezing node state (Machine.capture)": "capture",
             "thawing node state (Machine.restore)": "restore",
             "linearizability checks": "linearizable",
             "fingerprints (hash)": "<built-in method builtins.hash>"}
    shares = {}
    for label, func in parts.items():
        cum = sum(v[3] for (_, _, fn), v in stats.stats.items()  # type: ignore[attr-defined]
                  if fn == func)
        shares[label] = cum / total
        print(f"  {label:<42} {100 * cum / total:5.1f} %")
    return shares


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scopes only")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    names = (["quorum-partial", "quorum", "abd-no-writeback", "chain"] if args.quick
             else list(CATALOG))
    result: dict[str, Any] = {"catalogue": catalogue(names)}
    result["hashing"] = hashing(7 if args.quick else 9)
    result["memo"] = memo("quorum" if args.quick else "abd-no-writeback")
    result["reductions"] = reductions("abd, 2 clients", Scope("abd"))
    if not args.quick:
        sym = explore(CATALOG["abd"], symmetry=True)
        base = result["catalogue"]["abd"]
        ratio = base["distinct_states"] / sym.distinct_states
        result["symmetry_catalogue_abd"] = {
            "states": base["distinct_states"], "states_symmetry": sym.distinct_states,
            "state_ratio": ratio, "speedup": base["seconds"] / sym.elapsed}
        print(f"symmetry (abd, 3 clients): {sym.distinct_states:,} states vs "
              f"{base['distinct_states']:,} (x{ratio:.1f}), "
              f"time x{base['seconds'] / sym.elapsed:.2f}")
    print("where the time goes (quorum):")
    started = time.perf_counter()
    result["profile"] = profile("quorum")
    result["profile_seconds"] = time.perf_counter() - started
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
