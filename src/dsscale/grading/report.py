"""Grading results: per check, per exercise, and their two renderings.

:func:`format_table` is what ``dsscale grade`` prints; :func:`gradescope_json`
is Gradescope's ``results.json`` (one test per check, each with its
``visibility``; see the specification at
https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    points: float
    earned: float
    message: str
    hidden: bool = False


@dataclass(frozen=True)
class ExerciseResult:
    chapter: str
    exercise: str
    checks: tuple[CheckOutcome, ...]
    note: str = ""  # what happened to the whole exercise (refused, crashed, ...)
    seconds: float = 0.0

    @property
    def earned(self) -> float:
        return sum(c.earned for c in self.checks)

    @property
    def possible(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def first_failure(self) -> str:
        for c in self.checks:
            if c.earned < c.points:
                return f"{c.name}: {c.message}"
        return ""


@dataclass
class GradeReport:
    results: list[ExerciseResult] = field(default_factory=list)
    sandbox: str = ""

    @property
    def earned(self) -> float:
        return sum(r.earned for r in self.results)

    @property
    def possible(self) -> float:
        return sum(r.possible for r in self.results)


def format_table(report: GradeReport, width: int = 100) -> str:
    """The table ``dsscale grade`` prints: exercise, points, first failing check."""
    rows = [("exercise", "points", "first failing check")]
    for r in report.results:
        rows.append((f"{r.chapter}/{r.exercise}", f"{r.earned:g}/{r.possible:g}",
                     r.first_failure or "all checks passed"))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    room = max(20, width - w0 - w1 - 4)
    rule = "-" * min(width, w0 + w1 + 4 + room)
    lines = []
    for i, (a, b, c) in enumerate(rows):
        c = c if len(c) <= room else c[: room - 1] + "…"
        lines.append(f"{a:<{w0}}  {b:>{w1}}  {c}")
        if i == 0:
            lines.append(rule)
    pct = 100.0 * report.earned / report.possible if report.possible else 0.0
    lines.append(rule)
    total = f"{report.earned:g}/{report.possible:g}"
    lines.append(f"{'total':<{w0}}  {total}  ({pct:.0f}%)")
    return "\n".join(lines)


def gradescope_json(report: GradeReport) -> dict[str, Any]:
    """The report as Gradescope's ``results.json``: one test per check."""
    tests = []
    for r in report.results:
        for c in r.checks:
            tests.append({
                "name": f"{r.chapter}/{r.exercise}: {c.name}",
                "score": c.earned,
                "max_score": c.points,
                "status": "passed" if c.earned == c.points else "failed",
                "output": c.message or "passed",
                "visibility": "after_published" if c.hidden else "visible",
            })
    return {
        "score": report.earned,
        "execution_time": round(sum(r.seconds for r in report.results), 3),
        "output": f"{report.earned:g}/{report.possible:g} points. Sandbox: "
                  f"{report.sandbox}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def failed_run_json(message: str) -> dict[str, Any]:
    """What Gradescope gets when grading itself could not run."""
    return {"score": 0.0, "output": f"The autograder could not run: {message}",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
