"""``dsscale plan QUESTION ...``: the common sizing answers on the command line.

Each question is one subcommand: ``servers``, ``shards``, ``quorum``,
``vnodes``, ``nodes`` (in :mod:`._plan_sizing`), ``cache`` and ``hedge`` (in
:mod:`._plan_traffic`). The answer is printed for people by default and as one
JSON object with ``--json``. Bad input exits with status 2 and a message that
names the flag.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from dsscale.capacity import _plan_sizing as sizing
from dsscale.capacity import _plan_traffic as traffic
from dsscale.capacity._plan_common import Answer

__all__ = ["QUESTIONS", "register"]

Question = tuple[str, Callable[[argparse.ArgumentParser], None],
                 Callable[[argparse.Namespace], Answer], Callable[[Answer], list[str]]]

QUESTIONS: dict[str, Question] = {
    "servers": ("servers for a latency percentile (M/M/c)", sizing.servers_args,
                sizing.servers, sizing.servers_text),
    "shards": ("shards for data and load, now and after growth", sizing.shards_args,
               sizing.shards, sizing.shards_text),
    "quorum": ("R and W for N replicas: availability, staleness, latency",
               sizing.quorum_args, sizing.quorum, sizing.quorum_text),
    "vnodes": ("virtual nodes for a load-imbalance target", sizing.vnodes_args,
               sizing.vnodes, sizing.vnodes_text),
    "nodes": ("the economic cluster size under the USL", sizing.nodes_args,
              sizing.nodes, sizing.nodes_text),
    "cache": ("LRU hit ratio under Zipf popularity, or the size for a target",
              traffic.cache_args, traffic.cache, traffic.cache_text),
    "hedge": ("tail latency and extra load of hedged requests", traffic.hedge_args,
              traffic.hedge, traffic.hedge_text),
}
"""Question name -> (summary, add flags, answer from flags, answer as text)."""


def register(subparsers: Any) -> None:
    """Add ``dsscale plan QUESTION [options] [--json]``."""
    parser = subparsers.add_parser(
        "plan", help="answer a sizing question (servers, shards, quorum, ...)",
        description="Capacity planning from the models of Chapter 6. Times are in "
        "milliseconds, rates per second, sizes in GB unless a flag says otherwise.")
    questions = parser.add_subparsers(dest="question", metavar="QUESTION")
    questions.required = True
    for name, (summary, add_args, answer, show) in QUESTIONS.items():
        p = questions.add_parser(name, help=summary, description=summary)
        add_args(p)
        p.add_argument("--json", action="store_true",
                       help="print the answer as one JSON object")
        p.set_defaults(func=_runner(answer, show))


def _runner(answer: Callable[[argparse.Namespace], Answer],
            show: Callable[[Answer], list[str]]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        result = answer(args)
        print(json.dumps(result, indent=2) if args.json else "\n".join(show(result)))
        return 0
    return run
