"""Grade a chapter's exercises: one child process per exercise, with a timeout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsscale.grading.checks import clear_registry, registered_checks
from dsscale.grading.runner import load_checks

DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    points: float
    earned: float
    message: str


@dataclass(frozen=True)
class ExerciseResult:
    chapter: str
    exercise: str
    checks: tuple[CheckOutcome, ...]
    note: str = ""  # what happened to the whole exercise (timeout, crash, ...)
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
            if not c.earned:
                return f"{c.name}: {c.message}"
        return ""


@dataclass
class GradeReport:
    results: list[ExerciseResult] = field(default_factory=list)

    @property
    def earned(self) -> float:
        return sum(r.earned for r in self.results)

    @property
    def possible(self) -> float:
        return sum(r.possible for r in self.results)


def find_chapters(exercises_dir: Path, chapter: str | None) -> list[Path]:
    """Chapter folders under ``exercises_dir`` whose name starts with ``chapter``."""
    if not exercises_dir.is_dir():
        raise FileNotFoundError(f"exercises directory not found: {exercises_dir}")
    chapters = sorted(p for p in exercises_dir.iterdir()
                      if p.is_dir() and p.name.startswith("ch")
                      and any(p.glob("checks*.py")))
    if chapter is not None:
        chapters = [p for p in chapters if p.name.startswith(chapter)]
        if not chapters:
            known = ", ".join(p.name for p in sorted(exercises_dir.iterdir())
                              if p.is_dir() and p.name.startswith("ch")) or "none"
            raise ValueError(f"chapter must name an exercise folder under "
                             f"{exercises_dir} (known: {known}), got {chapter!r}")
    return chapters


def exercise_plan(chapter_dir: Path) -> dict[str, list[tuple[str, float]]]:
    """Exercise name -> [(check name, points)], read from the trusted checks*.py."""
    return _plan(chapter_dir)[0]


def _plan(chapter_dir: Path) -> tuple[dict[str, list[tuple[str, float]]], set[str]]:
    """The plan, and the names of the exercises that need Ray."""
    clear_registry()
    try:
        load_checks(chapter_dir)
        plan: dict[str, list[tuple[str, float]]] = {}
        ray: set[str] = set()
        for c in registered_checks():
            plan.setdefault(c.exercise, []).append((c.name, c.points))
            if c.uses_ray:
                ray.add(c.exercise)
    finally:
        clear_registry()
    return plan, ray


def _read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut short by a kill
    return events


def grade_exercise(chapter_dir: Path, student_dir: Path, exercise: str,
                   plan: list[tuple[str, float]], timeout: float,
                   env: dict[str, str] | None = None) -> ExerciseResult:
    """Run one exercise's checks in a child process and score what it reports."""
    student = student_dir / f"{exercise}.py"
    if not student.exists():
        return _all_failed(chapter_dir, exercise, plan,
                           f"{student.name} not found in {student_dir}")
    with tempfile.TemporaryDirectory(prefix="dsscale-grade-") as tmp:
        results = Path(tmp) / "results.jsonl"
        cmd = [sys.executable, "-m", "dsscale.grading.runner",
               str(chapter_dir), exercise, str(student), str(results)]
        env = dict(env or os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=student_dir, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        note = ""
        try:
            _, stderr = proc.communicate(timeout=timeout)
            if proc.returncode != 0:
                tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
                note = (f"the exercise process exited with code {proc.returncode} "
                        f"before finishing {tail[0]}").strip()
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the child and anything it started
            proc.communicate()
            note = (f"timed out after {timeout:g} s (an infinite loop, or far too "
                    "slow?)")
        seconds = time.monotonic() - start
        events = _read_events(results)
    return _score(chapter_dir, exercise, plan, events, note, seconds)


def _all_failed(chapter_dir: Path, exercise: str, plan: list[tuple[str, float]],
                message: str, seconds: float = 0.0) -> ExerciseResult:
    checks = tuple(CheckOutcome(n, p, 0.0, message) for n, p in plan)
    return ExerciseResult(chapter_dir.name, exercise, checks, message, seconds)


def _score(chapter_dir: Path, exercise: str, plan: list[tuple[str, float]],
           events: list[dict[str, Any]], note: str, seconds: float) -> ExerciseResult:
    for e in events:
        if e["event"] == "import_error":
            return _all_failed(chapter_dir, exercise, plan, e["message"], seconds)
    outcome = {e["check"]: e for e in events if e["event"] == "result"}
    started = [e["check"] for e in events if e["event"] == "start"]
    hung = started[-1] if started and started[-1] not in outcome else None
    checks = []
    for name, points in plan:
        if name in outcome:
            passed = bool(outcome[name]["passed"])
            msg = outcome[name]["message"]
            checks.append(CheckOutcome(name, points, points if passed else 0.0, msg))
        elif name == hung and note:
            checks.append(CheckOutcome(name, points, 0.0, note))
        else:
            checks.append(CheckOutcome(
                name, points, 0.0, note or "not run (the exercise process stopped)"))
    return ExerciseResult(chapter_dir.name, exercise, tuple(checks), note, seconds)


def grade(exercises_dir: Path, chapter: str | None = None, *,
          student_root: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
          progress: bool = False, only: str | None = None) -> GradeReport:
    """Grade every exercise of the chosen chapter(s).

    ``student_root`` is where the files being graded live (one folder per
    chapter, same names); by default the exercises folder itself, and the
    reference solutions when it is ``exercises/solutions``. ``only`` grades a
    single exercise by name.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    # the children run in the student's folder, so every path must be absolute
    exercises_dir = Path(exercises_dir).resolve()
    root = Path(student_root).resolve() if student_root else exercises_dir
    report = GradeReport()
    work = []
    for chapter_dir in find_chapters(exercises_dir, chapter):
        plan, ray = _plan(chapter_dir)
        work += [(chapter_dir, e, plan[e], e in ray) for e in sorted(plan)
                 if only is None or e == only]
    with ExitStack() as stack:
        ray_env = None
        if any(uses_ray for *_, uses_ray in work):
            # one Ray cluster for every Ray exercise, instead of one Ray start
            # (seconds and ~700 MB) per exercise
            if progress:
                print("  starting a shared Ray cluster for the Ray exercises ...",
                      file=sys.stderr, flush=True)
            from dsscale.raycluster import local_cluster
            ray_env = stack.enter_context(local_cluster())
        for chapter_dir, exercise, checks, uses_ray in work:
            if progress:
                print(f"  grading {chapter_dir.name}/{exercise} ...", file=sys.stderr,
                      flush=True)
            report.results.append(grade_exercise(
                chapter_dir, root / chapter_dir.name, exercise, checks, timeout,
                env=ray_env if uses_ray else None))
    return report


def format_table(report: GradeReport, width: int = 100) -> str:
    """The table ``dsscale grade`` prints: exercise, points, first failing check."""
    rows = [("exercise", "points", "first failing check")]
    for r in report.results:
        rows.append((f"{r.chapter}/{r.exercise}", f"{r.earned:g}/{r.possible:g}",
                     r.first_failure or "all checks passed"))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    room = max(20, width - w0 - w1 - 4)
    lines = []
    for i, (a, b, c) in enumerate(rows):
        c = c if len(c) <= room else c[: room - 1] + "…"
        lines.append(f"{a:<{w0}}  {b:>{w1}}  {c}")
        if i == 0:
            lines.append("-" * min(width, w0 + w1 + 4 + room))
    pct = 100.0 * report.earned / report.possible if report.possible else 0.0
    lines.append("-" * min(width, w0 + w1 + 4 + room))
    total = f"{report.earned:g}/{report.possible:g}"
    lines.append(f"{'total':<{w0}}  {total}  ({pct:.0f}%)")
    return "\n".join(lines)


def gradescope_json(report: GradeReport) -> dict[str, Any]:
    """The report in Gradescope's ``results.json`` shape."""
    tests = []
    for r in report.results:
        out = [f"[{'PASS' if c.earned else 'FAIL'}] {c.name} "
               f"({c.earned:g}/{c.points:g})" + (f": {c.message}" if c.message else "")
               for c in r.checks]
        tests.append({
            "name": f"{r.chapter}/{r.exercise}",
            "score": r.earned,
            "max_score": r.possible,
            "status": "passed" if r.earned == r.possible else "failed",
            "output": "\n".join(out),
            "visibility": "visible",
        })
    return {
        "score": report.earned,
        "max_score": report.possible,
        "execution_time": round(sum(r.seconds for r in report.results), 3),
        "output": f"{report.earned:g}/{report.possible:g} points",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
