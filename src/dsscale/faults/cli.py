"""The ``dsscale faults`` command: a seeded fault campaign against one protocol.

Exit status 0 when no violation was found, 1 when one was, 2 on bad input.
``--nemesis`` runs a targeted campaign (:mod:`dsscale.faults.targeted`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from dsscale.faults.campaign import run_campaign
from dsscale.faults.targeted import targeted_campaign
from dsscale.replication.client import WORKLOAD_SHAPES
from dsscale.replication.protocols import PROTOCOLS, get_protocol

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``dsscale faults PROTOCOL --seeds N [--workload W] [--replicas N]
    [--nemesis] ...``."""
    parser = subparsers.add_parser(
        "faults", help="run a seeded fault-injection campaign against a protocol",
        description="Run seeded fault schedules against a replication protocol and "
        "check every history for lost acknowledged writes and linearizability. "
        "Exit status: 0 if no violation was found, 1 if one was.")
    parser.add_argument("protocol", help=f"one of: {', '.join(PROTOCOLS)}")
    parser.add_argument("--seeds", type=int, default=100, help="number of seeds")
    parser.add_argument("--start-seed", type=int, default=0, help="first seed")
    parser.add_argument("--workload", default=None, choices=list(WORKLOAD_SHAPES),
                        help="unique values on one key (the default); repeated "
                        "values from a pool of 3; repeated values on three keys")
    parser.add_argument("--replicas", type=int, default=3,
                        help="number of replicas (default 3)")
    parser.add_argument("--nemesis", action="store_true",
                        help="run the targeted campaign aimed at PROTOCOL (an "
                        "unsafe variant) or that PROTOCOL (its safe counterpart) "
                        "must pass: an adversary that strikes where the variant is "
                        "weak, with its own workload and time limit")
    parser.add_argument("--json", metavar="PATH", help="also write the summary here")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    get_protocol(args.protocol)
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
    if args.start_seed < 0:
        raise ValueError(f"--start-seed must be >= 0, got {args.start_seed}")
    if args.replicas < 1:
        raise ValueError(f"--replicas must be >= 1, got {args.replicas}")
    if args.nemesis:
        if args.workload is not None:
            raise ValueError("--nemesis runs its own workload; drop --workload")
        campaign = targeted_campaign(args.protocol)
        options = campaign.options()
        how = f"**targeted_campaign({campaign.aimed_at!r}).options()"
    else:
        workload = "unique" if args.workload is None else args.workload
        options = {"workload": workload}
        how = f"workload={workload!r}"
    summary = run_campaign(args.protocol, args.seeds, start_seed=args.start_seed,
                           progress=not args.no_progress, num_replicas=args.replicas,
                           **options)
    if args.nemesis:
        summary.workload = f"targeted at {campaign.aimed_at}"
    print(summary)
    if summary.first_failing_seed is not None:
        print(f"replay it: from dsscale.faults import replay, targeted_campaign; "
              f"replay({args.protocol!r}, {summary.first_failing_seed}, "
              f"num_replicas={args.replicas}, {how})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh, indent=2)
    return 1 if summary.failing_seeds else 0
