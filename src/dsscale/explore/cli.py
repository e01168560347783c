"""The ``dsscale explore`` command: every schedule of a small scope.

Exit status 0 when no property broke (the search completed, or reached the
depth bound), 1 when one did, 2 on bad input, 3 when ``--max-states`` ran
out before the search could say anything.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from dsscale.explore.properties import (
    leader_elected,
    raft_bound,
    read_saw_a_write,
    single_leader_per_term,
    write_acknowledged,
)
from dsscale.explore.scope import Scope
from dsscale.explore.search import explore
from dsscale.replication.protocols import PROTOCOLS, get_protocol
from dsscale.replication.raft.cluster import VARIANTS as RAFT_VARIANTS

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``dsscale explore PROTOCOL --clients C --ops K --max-depth D ...``.

    A Raft protocol is also checked for "at most one leader per term", and
    ``--max-term`` / ``--max-rounds`` bound its terms and heartbeat rounds
    (:func:`~dsscale.explore.properties.raft_bound`), e.g. the catalogued
    scope of the forgotten vote::

        dsscale explore raft-forget-vote --clients 0 --crashes 1 \\
            --early-timeouts 1 --max-term 1
    """
    parser = subparsers.add_parser(
        "explore", help="explore every schedule of a small scope of a protocol",
        description="Visit every reachable state of a protocol at a small scope "
        "(replicas, clients, operations, fault budgets) and check that every "
        "client history is linearizable; print the shortest counterexample. "
        "Exit status: 0 if no violation, 1 if one was found, 3 if --max-states "
        "ran out first.")
    parser.add_argument("protocol", help=f"one of: {', '.join(PROTOCOLS)}")
    parser.add_argument("--clients", type=int, default=2,
                        help="number of clients (0: none, e.g. for an election)")
    parser.add_argument("--ops", type=int, default=1, help="operations per client")
    parser.add_argument("--writers", type=int, default=1,
                        help="how many of the clients write (default 1, at most "
                        "--clients)")
    parser.add_argument("--replicas", type=int, default=3, help="number of replicas")
    parser.add_argument("--max-depth", type=int, default=None,
                        help="explore schedules of at most this many steps")
    parser.add_argument("--drops", type=int, default=0, help="messages it may drop")
    parser.add_argument("--duplicates", type=int, default=0,
                        help="messages it may duplicate")
    parser.add_argument("--crashes", type=int, default=0,
                        help="replica crashes (each may be followed by a restart)")
    parser.add_argument("--early-timeouts", type=int, default=0,
                        help="timeouts that may fire while their messages are "
                        "still in flight")
    parser.add_argument("--max-time", type=float, default=24.0,
                        help="with a clock (pb-*, chain): how far it may run")
    parser.add_argument("--retry", type=float, default=None,
                        help="retransmission interval (large: none)")
    parser.add_argument("--max-term", type=int, default=None,
                        help="Raft: do not explore beyond a server in a later term")
    parser.add_argument("--max-rounds", type=int, default=1,
                        help="Raft, with --max-term: broadcast rounds per leader "
                        "(1: only the election's; default 1)")
    parser.add_argument("--dfs", action="store_true",
                        help="depth-first instead of breadth-first")
    parser.add_argument("--symmetry", action="store_true",
                        help="merge states that differ by a renaming of "
                        "interchangeable replicas or readers")
    parser.add_argument("--max-states", type=int, default=2_000_000,
                        help="stop after this many distinct states")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    get_protocol(args.protocol)
    for name, least in (("clients", 0), ("ops", 0), ("replicas", 1),
                        ("max_states", 1)):
        if getattr(args, name) < least:
            raise ValueError(f"--{name.replace('_', '-')} must be >= {least}, "
                             f"got {getattr(args, name)}")
    raft = args.protocol in RAFT_VARIANTS
    if args.max_term is not None and not raft:
        raise ValueError(f"--max-term bounds Raft's terms; {args.protocol} is "
                         "not a Raft protocol")
    scope = Scope(args.protocol, num_replicas=args.replicas,
                  num_clients=args.clients, ops_per_client=args.ops,
                  num_writers=min(args.writers, args.clients),
                  max_drops=args.drops,
                  max_duplicates=args.duplicates, max_crashes=args.crashes,
                  max_early_timeouts=args.early_timeouts, max_time=args.max_time,
                  retry=args.retry,
                  invariants=(single_leader_per_term(),) if raft else (),
                  bound=None if args.max_term is None
                  else raft_bound(args.max_term, args.max_rounds))
    goals = [write_acknowledged(), read_saw_a_write()] if args.clients else []
    if raft:
        goals.append(leader_elected())
    result = explore(scope, strategy="dfs" if args.dfs else "bfs",
                     max_depth=args.max_depth, max_states=args.max_states,
                     symmetry=args.symmetry, goals=goals)
    print(json.dumps(result.to_dict(), indent=2) if args.json else result)
    return {"violation": 1, "incomplete": 3}.get(result.status, 0)
