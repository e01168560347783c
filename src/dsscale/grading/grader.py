"""The judge: grade a folder of student files against the trusted checks.

For each exercise the judge reads the submission's syntax tree (refusing an
"implement X" file that imports the library's X), copies the student's
folder into a private directory, starts a sandboxed child on it
(:mod:`dsscale.grading.sandbox`) and runs the exercise's checks *in its own
process*, each ``ex.f(...)`` a request to the child. A crash, a hang, a flood
or a malformed answer costs the running check; the next check gets a fresh
child while the exercise's time budget lasts. Scores are computed here, from
what the checks concluded; nothing the child writes is read as a result.
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import dsscale
from dsscale.grading.checks import Check
from dsscale.grading.imports import refused_use
from dsscale.grading.loader import ChapterChecks, load_checks
from dsscale.grading.report import CheckOutcome, ExerciseResult, GradeReport
from dsscale.grading.sandbox import RAY_LIMITS, Limits, detect_isolation, with_cpu
from dsscale.grading.session import (
    ChildLost,
    ImportFailed,
    MissingName,
    Session,
    StudentError,
    Submission,
)

DEFAULT_TIMEOUT = 60.0
MAX_FILE = 2 << 20  # bytes: larger files in the student's folder are not copied
PACKAGE_DIR = str(Path(dsscale.__file__).resolve().parent.parent)


def find_chapters(checks_dir: Path, chapter: str | None) -> list[Path]:
    """Chapter folders under ``checks_dir`` whose name starts with ``chapter``."""
    if not checks_dir.is_dir():
        raise FileNotFoundError(f"exercises directory not found: {checks_dir}")
    chapters = sorted(p for p in checks_dir.iterdir()
                      if p.is_dir() and p.name.startswith("ch")
                      and any(p.glob("checks*.py")))
    if chapter is not None:
        chapters = [p for p in chapters if p.name.startswith(chapter)]
        if not chapters:
            known = ", ".join(p.name for p in sorted(checks_dir.iterdir())
                              if p.is_dir() and p.name.startswith("ch")) or "none"
            raise ValueError(f"chapter must name an exercise folder under "
                             f"{checks_dir} (known: {known}), got {chapter!r}")
    return chapters


def exercise_plan(chapter_dir: Path) -> dict[str, list[tuple[str, float]]]:
    """Exercise name -> [(check name, points)], from the trusted checks."""
    loaded = load_checks(chapter_dir)
    return {e: [(c.name, c.points) for c in checks]
            for e, checks in loaded.checks.items()}


def locate(submission: Path, chapter: str, exercise: str) -> Path | None:
    """The student's ``exercise.py``: in the folder, its chapter subfolder, or
    the one file of that name anywhere below (a Gradescope upload)."""
    for candidate in (submission / f"{exercise}.py",
                      submission / chapter / f"{exercise}.py"):
        if candidate.is_file():
            return candidate
    found = [p for p in submission.rglob(f"{exercise}.py") if p.is_file()]
    return found[0] if len(found) == 1 else None


def _copy_folder(student: Path, target: Path) -> Path:
    """Copy the student's top-level ``.py`` files; return the copied exercise."""
    target.mkdir(mode=0o755)
    for path in student.parent.glob("*.py"):
        if path.is_file() and path.stat().st_size <= MAX_FILE:
            shutil.copyfile(path, target / path.name)
            os.chmod(target / path.name, 0o644)
    os.chmod(target, 0o755)
    return target / student.name


def _child_env(workdir: Path, namespaces: bool, ray_env: dict[str, str] | None
               ) -> dict[str, str]:
    home = "/tmp" if namespaces else str(workdir)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": home,
           "PYTHONPATH": PACKAGE_DIR, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": home,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "LANG": "C.UTF-8",
           "RAY_USAGE_STATS_ENABLED": "0"}
    if ray_env:
        env.update({k: v for k, v in ray_env.items() if k.startswith("RAY_")})
    return env


def _all(checks: list[Check], message: str) -> tuple[CheckOutcome, ...]:
    return tuple(CheckOutcome(c.name, c.points, 0.0, message, c.hidden) for c in checks)


def _static_refusal(student: Path, exercise: str, loaded: ChapterChecks) -> str | None:
    """Why the file cannot be graded before it runs (syntax, forbidden imports)."""
    try:
        source = student.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(source, filename=student.name)
    except SyntaxError as exc:
        return f"syntax error in {student.name} line {exc.lineno}: {exc.msg}"
    except (OSError, ValueError) as exc:
        return f"cannot read {student.name}: {exc}"
    rule = loaded.forbidden.get(exercise)
    if rule is not None:
        use = refused_use(tree, rule.names)
        if use:
            return f"refused: {student.name} {use}; {rule.reason}"
    return None


class _Run:
    """Grade one exercise: its checks in order, children started as needed."""

    def __init__(self, loaded: ChapterChecks, exercise: str, student: Path,
                 timeout: float, ray_env: dict[str, str] | None) -> None:
        self.loaded, self.exercise, self.student = loaded, exercise, student
        self.timeout = timeout
        self.ray = loaded.uses_ray(exercise)
        self.isolation = detect_isolation(ray=self.ray)
        self.limits = with_cpu(RAY_LIMITS if self.ray else Limits(), timeout)
        self.ray_env = ray_env if self.ray else None
        self.deadline = time.monotonic() + timeout
        self.session: Session | None = None
        self.fatal = ""

    def _session(self, workdir: Path, copied: Path) -> Session | None:
        if self.session is not None and not self.session.lost:
            return self.session
        if self.session is not None:
            self.session.close()
        rule = self.loaded.forbidden.get(self.exercise)
        session = Session(
            copied, self.exercise, workdir=workdir, isolation=self.isolation,
            limits=self.limits, deadline=self.deadline,
            env=_child_env(workdir, self.isolation.namespaces, self.ray_env),
            readable=[PACKAGE_DIR, str(copied.parent)],
            checks_sources=self.loaded.sources)
        session.timeout_note = (f"timed out after {self.timeout:g} s (an infinite "
                                "loop, or far too slow?)")
        self.session = session
        self.submission = Submission(session, rule.names if rule else (),
                                     rule.reason if rule else "")
        try:
            session.start()
        except (ImportFailed, ChildLost) as exc:
            self.fatal = str(exc)
            return None
        return session

    def run(self, workdir: Path, copied: Path, fail_fast: bool) -> list[CheckOutcome]:
        outcomes: list[CheckOutcome] = []
        passed: set[str] = set()
        for c in self.loaded.checks[self.exercise]:
            message = self._blocked(c, passed, outcomes, fail_fast)
            if message is None and self._session(workdir, copied) is None:
                message = self.fatal
            if message is None:
                message = self._one(c)
            if not message:
                passed.add(c.name)
            outcomes.append(CheckOutcome(c.name, c.points,
                                         0.0 if message else c.points, message,
                                         c.hidden))
        if self.session is not None:
            self.session.close()
        return outcomes

    def _blocked(self, c: Check, passed: set[str], outcomes: list[CheckOutcome],
                 fail_fast: bool) -> str | None:
        if self.fatal:
            return self.fatal
        if fail_fast and any(o.earned < o.points for o in outcomes):
            return "not run (grading stopped at the first failure)"
        missing = [r for r in c.requires if r not in passed]
        if missing:
            return f"not run: passes only after {missing[0]!r} passes"
        if time.monotonic() >= self.deadline:
            return f"not run: the exercise used up its {self.timeout:g} s"
        return None

    def _one(self, c: Check) -> str:
        """Run one check; '' if it passed, else what the student should read."""
        try:
            c.fn(self.submission)
        except AssertionError as exc:
            return str(exc) or "a check failed"
        except (StudentError, MissingName) as exc:
            return str(exc)
        except ChildLost as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - the answer broke the check
            return (f"the check could not use your answer: {type(exc).__name__}: "
                    f"{str(exc)[:300]}")
        return ""


def grade_exercise(loaded: ChapterChecks, exercise: str, submission: Path, *,
                   timeout: float = DEFAULT_TIMEOUT,
                   ray_env: dict[str, str] | None = None,
                   fail_fast: bool = False) -> ExerciseResult:
    """Grade one exercise of ``submission`` (a folder) against ``loaded``."""
    checks = loaded.checks[exercise]
    start = time.monotonic()
    student = locate(submission, loaded.chapter, exercise)
    if student is None:
        message = f"{exercise}.py not found in {submission}"
        return ExerciseResult(loaded.chapter, exercise, _all(checks, message), message)
    refusal = _static_refusal(student, exercise, loaded)
    if refusal:
        return ExerciseResult(loaded.chapter, exercise, _all(checks, refusal), refusal)
    with tempfile.TemporaryDirectory(prefix="dsscale-grade-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)
        copied = _copy_folder(student, workdir / "submission")
        run = _Run(loaded, exercise, student, timeout, ray_env)
        outcomes = run.run(workdir, copied, fail_fast)
    return ExerciseResult(loaded.chapter, exercise, tuple(outcomes), run.fatal,
                          time.monotonic() - start)


def grade(checks_dir: Path, chapter: str | None = None, *,
          submission: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
          progress: bool = False, only: str | None = None, fail_fast: bool = False,
          ray_env: dict[str, str] | None = None) -> GradeReport:
    """Grade the chosen chapter(s) of ``submission`` against ``checks_dir``.

    ``checks_dir`` holds the trusted chapter folders (``chNN_*/checks*.py``);
    ``submission`` is the student's folder, either one chapter's files or a
    root with one folder per chapter (default: ``checks_dir`` itself, where
    the stubs are edited). ``only`` grades a single exercise; ``fail_fast``
    stops an exercise at its first failing check; ``ray_env`` names a running
    Ray cluster (else one is started if a chosen exercise needs Ray).
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    checks_dir = Path(checks_dir).resolve()
    root = Path(submission).resolve() if submission else checks_dir
    if not root.is_dir():
        raise FileNotFoundError(f"submission folder not found: {root}")
    work: list[tuple[ChapterChecks, str]] = []
    for chapter_dir in find_chapters(checks_dir, chapter):
        loaded = load_checks(chapter_dir)
        work += [(loaded, e) for e in sorted(loaded.checks) if only in (None, e)]
    report = GradeReport(sandbox=detect_isolation().describe())
    with ExitStack() as stack:
        if ray_env is None and any(loaded.uses_ray(e) for loaded, e in work):
            ray_env = _start_ray(stack, progress)
        for loaded, exercise in work:
            if progress:
                print(f"  grading {loaded.chapter}/{exercise} ...", file=sys.stderr,
                      flush=True)
            report.results.append(grade_exercise(
                loaded, exercise, root, timeout=timeout, ray_env=ray_env,
                fail_fast=fail_fast))
    return report


def _start_ray(stack: ExitStack, progress: bool) -> dict[str, Any]:
    # one Ray cluster for every Ray exercise (a Ray start is seconds and ~700 MB)
    if progress:
        print("  starting a shared Ray cluster for the Ray exercises ...",
              file=sys.stderr, flush=True)
    from dsscale.raycluster import local_cluster

    return stack.enter_context(local_cluster())
