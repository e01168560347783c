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
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import dsscale
from dsscale.grading.checks import Check
from dsscale.grading.imports import refused_use
from dsscale.grading.loader import ChapterChecks, load_checks
from dsscale.grading.remote import (
    ChildLost,
    ImportFailed,
    MissingName,
    StudentError,
    Submission,
)
from dsscale.grading.report import CheckOutcome, ExerciseResult, GradeReport
from dsscale.grading.sandbox import RAY_LIMITS, Limits, detect_isolation, with_cpu
from dsscale.grading.session import Session

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


RayProvider = Callable[[], dict[str, str]]


class _Run:
    """Grade one exercise: its checks in order, children started as needed.

    The checks that use Ray get a child of their own in the Ray sandbox, next
    to the shared cluster (started on first need); the others run in the
    strict sandbox.
    """

    def __init__(self, loaded: ChapterChecks, exercise: str, copied: Path,
                 workdir: Path, timeout: float, ray: RayProvider | None) -> None:
        self.loaded, self.exercise = loaded, exercise
        self.copied, self.workdir = copied, workdir
        self.timeout = timeout
        self.ray = ray
        self.deadline = time.monotonic() + timeout
        self.sessions: dict[bool, tuple[Session, Submission]] = {}
        self.fatal = ""
        rule = loaded.forbidden.get(exercise)
        self.forbidden = (rule.names, rule.reason) if rule else ((), "")

    def _submission(self, uses_ray: bool) -> Submission | None:
        current = self.sessions.get(uses_ray)
        if current is not None and not current[0].lost:
            return current[1]
        if current is not None:
            current[0].close()
        isolation = detect_isolation(ray=uses_ray)
        ray_env = None
        if uses_ray:
            if self.ray is None:
                raise RuntimeError("a Ray check without a Ray cluster")
            ray_env = self.ray()
        base = RAY_LIMITS if uses_ray else Limits()
        session = Session(
            self.copied, self.exercise, workdir=self.workdir, isolation=isolation,
            limits=with_cpu(base, self.timeout), deadline=self.deadline,
            env=_child_env(self.workdir, isolation.namespaces, ray_env),
            readable=[PACKAGE_DIR, str(self.copied.parent)],
            checks_sources=self.loaded.sources)
        session.timeout_note = (f"timed out after {self.timeout:g} s (an infinite "
                                "loop, or far too slow?)")
        submission = Submission(session, *self.forbidden)
        self.sessions[uses_ray] = (session, submission)
        try:
            session.start()
        except (ImportFailed, ChildLost) as exc:
            self.fatal = str(exc)
            return None
        return submission

    def run(self, fail_fast: bool) -> list[CheckOutcome]:
        outcomes: list[CheckOutcome] = []
        passed: set[str] = set()
        try:
            for c in self.loaded.checks[self.exercise]:
                message = self._blocked(c, passed, outcomes, fail_fast)
                if message is None:
                    submission = self._submission(c.uses_ray)
                    message = (self.fatal if submission is None
                               else self._one(c, submission))
                if not message:
                    passed.add(c.name)
                outcomes.append(CheckOutcome(c.name, c.points,
                                             0.0 if message else c.points, message,
                                             c.hidden))
        finally:
            for session, _ in self.sessions.values():
                session.close()
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

    @staticmethod
    def _one(c: Check, submission: Submission) -> str:
        """Run one check; '' if it passed, else what the student should read."""
        try:
            c.fn(submission)
        except AssertionError as exc:
            return str(exc) or "a check failed"
        except (StudentError, MissingName, ChildLost) as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - the answer broke the check
            return (f"the check could not use your answer: {type(exc).__name__}: "
                    f"{str(exc)[:300]}")
        return ""


def grade_exercise(loaded: ChapterChecks, exercise: str, submission: Path, *,
                   timeout: float = DEFAULT_TIMEOUT, ray: RayProvider | None = None,
                   fail_fast: bool = False) -> ExerciseResult:
    """Grade one exercise of ``submission`` (a folder) against ``loaded``.

    ``ray`` returns the environment of a running Ray cluster (it is called
    only if a Ray check runs).
    """
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
        run = _Run(loaded, exercise, copied, workdir, timeout, ray)
        outcomes = run.run(fail_fast)
    return ExerciseResult(loaded.chapter, exercise, tuple(outcomes), run.fatal,
                          time.monotonic() - start)


def grade(checks_dir: Path, chapter: str | None = None, *,
          submission: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
          progress: bool = False, only: str | None = None, fail_fast: bool = False,
          ray_env: dict[str, str] | RayProvider | None = None) -> GradeReport:
    """Grade the chosen chapter(s) of ``submission`` against ``checks_dir``.

    ``checks_dir`` holds the trusted chapter folders (``chNN_*/checks*.py``);
    ``submission`` is the student's folder, either one chapter's files or a
    root with one folder per chapter (default: ``checks_dir`` itself, where
    the stubs are edited). ``only`` grades a single exercise; ``fail_fast``
    stops an exercise at its first failing check; ``ray_env`` is a running Ray
    cluster's environment, or a function returning it, called on first need
    (default: start one the first time a Ray check runs).
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
        started: list[dict[str, str]] = []

        def ray() -> dict[str, str]:
            # one Ray cluster for every Ray check, started on first need (a Ray
            # start is seconds and ~700 MB)
            if callable(ray_env):
                return ray_env()
            if ray_env is not None:
                return ray_env
            if not started:
                if progress:
                    print("  starting a shared Ray cluster for the Ray checks ...",
                          file=sys.stderr, flush=True)
                from dsscale.raycluster import local_cluster

                started.append(stack.enter_context(local_cluster()))
            return started[0]

        for loaded, exercise in work:
            if progress:
                print(f"  grading {loaded.chapter}/{exercise} ...", file=sys.stderr,
                      flush=True)
            report.results.append(grade_exercise(
                loaded, exercise, root, timeout=timeout, ray=ray, fail_fast=fail_fast))
    return report
