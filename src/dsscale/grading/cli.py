"""``dsscale grade [CHAPTER] [--submission DIR] [--json PATH] [--checks DIR]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dsscale.grading.grader import DEFAULT_TIMEOUT, grade
from dsscale.grading.release import default_root
from dsscale.grading.report import failed_run_json, format_table, gradescope_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "grade", help="grade the exercises of one chapter (or all)",
        description="Grade a folder of exercise files against the trusted checks: "
                    "each file runs sandboxed in a child process that only answers "
                    "the judge. Prints a table of points; exit 0 if every check "
                    "passed, 1 otherwise.")
    p.add_argument("chapter", nargs="?", default=None,
                   help="chapter folder prefix, e.g. ch01 (default: all chapters)")
    p.add_argument("--submission", metavar="DIR", type=Path, default=None,
                   help="the folder with the files to grade: one chapter's files, "
                        "or one folder per chapter (default: the exercises folder)")
    p.add_argument("--json", metavar="PATH", type=Path,
                   help="also write Gradescope's results.json here (always written, "
                        "even if grading fails)")
    p.add_argument("--checks", "--exercises", dest="checks", metavar="DIR", type=Path,
                   default=None,
                   help="the trusted exercises folder with the checks (default: "
                        "the one next to the installed package, else ./exercises)")
    p.add_argument("--solutions", action="store_true",
                   help="grade the reference solutions (CHECKS/solutions)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds allowed per exercise (default {DEFAULT_TIMEOUT:g})")
    p.set_defaults(func=_run)


def _checks_dir(given: Path | None) -> Path:
    if given is not None:
        return given.resolve()
    beside = default_root() / "exercises"
    return beside if beside.is_dir() else Path("exercises").resolve()


def _run(args: argparse.Namespace) -> int:
    checks = _checks_dir(args.checks)
    submission = checks / "solutions" if args.solutions else args.submission
    try:
        report = grade(checks, args.chapter, submission=submission,
                       timeout=args.timeout, progress=True)
    except BaseException as exc:
        if args.json:
            _write(args.json, failed_run_json(f"{type(exc).__name__}: {exc}"))
        raise
    print(format_table(report))
    print(f"sandbox: {report.sandbox}")
    if args.json:
        _write(args.json, gradescope_json(report))
        print(f"wrote {args.json}")
    return 0 if report.earned == report.possible else 1


def _write(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
