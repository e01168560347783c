"""``dsscale grade [CHAPTER] [--json PATH] [--solutions] [--timeout S]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dsscale.grading.grader import DEFAULT_TIMEOUT, format_table, grade, gradescope_json


def register(sub: Any) -> None:
    p = sub.add_parser(
        "grade", help="grade the exercises of one chapter (or all)",
        description="Run each exercise's checks in its own process and print a "
                    "table of points; exit 0 if every check passed, 1 otherwise.")
    p.add_argument("chapter", nargs="?", default=None,
                   help="chapter folder prefix, e.g. ch01 (default: all chapters)")
    p.add_argument("--json", metavar="PATH", type=Path,
                   help="also write a Gradescope-style results.json here")
    p.add_argument("--exercises", metavar="DIR", type=Path, default=Path("exercises"),
                   help="the exercises folder (default: ./exercises)")
    p.add_argument("--solutions", action="store_true",
                   help="grade the reference solutions instead of your files")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds allowed per exercise (default {DEFAULT_TIMEOUT:g})")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    exercises = args.exercises.resolve()
    root = exercises / "solutions" if args.solutions else None
    report = grade(exercises, args.chapter, student_root=root, timeout=args.timeout,
                   progress=True)
    print(format_table(report))
    if args.json:
        args.json.write_text(json.dumps(gradescope_json(report), indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if report.earned == report.possible else 1
