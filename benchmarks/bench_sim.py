"""Simulator throughput and the cost of one fault-campaign seed per protocol.

    python benchmarks/bench_sim.py [--quick] [--json PATH]

Reports simulator events per second on a ping-pong workload (with tracing on
and off: the ratio is the price of the trace), and milliseconds per seed of
each campaign. Absolute numbers depend on the machine; compare ratios.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

from dsscale.faults import run_campaign
from dsscale.replication.protocols import PROTOCOLS
from dsscale.sim import Network, Node


@dataclass(frozen=True)
class Ball:
    hits: int


class Player(Node):
    def __init__(self, node_id: str, peer: str, serve: bool, rallies: int) -> None:
        super().__init__(node_id)
        self.peer, self.serve, self.rallies = peer, serve, rallies

    def on_start(self) -> None:
        if self.serve:
            self.send(self.peer, Ball(0))

    def on_Ball(self, src: str, msg: Ball) -> None:
        if msg.hits < self.rallies:
            self.send(src, Ball(msg.hits + 1))


def ping_pong(rallies: int, trace: bool) -> float:
    """Events per second for ``rallies`` round trips between two nodes."""
    net = Network(0, trace=trace)
    net.add(Player("a", "b", True, rallies), Player("b", "a", False, rallies))
    start = time.perf_counter()
    events = net.run_until_idle(max_events=10 * rallies + 10)
    return events / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    rallies, seeds = (2_000, 2) if args.quick else (100_000, 50)
    result: dict[str, object] = {}
    traced, untraced = ping_pong(rallies, True), ping_pong(rallies, False)
    result["events_per_second"] = {"trace": traced, "no_trace": untraced,
                                   "ratio_no_trace_over_trace": untraced / traced}
    print(f"ping-pong: {traced:,.0f} events/s traced, {untraced:,.0f} untraced "
          f"(x{untraced / traced:.2f})")
    per_seed = {}
    for name in PROTOCOLS:
        summary = run_campaign(name, seeds)
        per_seed[name] = 1000 * summary.elapsed / seeds
        print(f"{name:<18} {per_seed[name]:7.1f} ms/seed  "
              f"({summary.operations / seeds:.0f} ops/seed, "
              f"{len(summary.failing_seeds)}/{seeds} seeds failing)")
    result["ms_per_seed"] = per_seed
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
