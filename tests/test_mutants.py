"""Every exercise check must kill plausible wrong answers.

A *mutant* is a copy of a reference solution with one plausible mistake in it
(an off-by-one, ``<=`` for ``<``, a missed validation, a serial Ray call, ...).
Mutants live in ``tests/mutants/<chapter>/<exercise>/<name>.py`` (never in the
student release); the first line of each file's module docstring says what is
wrong. Each mutant is graded exactly as a student's file would be (stopping
at its first failing check) and must lose points; every exercise has at least
three.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from dsscale.grading.grader import exercise_plan, find_chapters, grade

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
MUTANTS = sorted((ROOT / "tests" / "mutants").glob("ch*/ex*/*.py"))
# chapters whose exercises are not yet on the judge's mutant regime
PENDING: set[str] = set()


def _mutant_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.stem}"


def test_mutants_are_described_and_belong_to_an_exercise():
    for path in MUTANTS:
        chapter, exercise = path.parent.parent.name, path.parent.name
        assert (EXERCISES / "solutions" / chapter / f"{exercise}.py").exists(), path
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and doc.strip(), f"{path} must say what is wrong in its docstring"


def test_every_exercise_has_three_mutants():
    counts = {}
    for path in MUTANTS:
        key = (path.parent.parent.name, path.parent.name)
        counts[key] = counts.get(key, 0) + 1
    missing = [f"{chapter}/{exercise}"
               for chapter in (p.name for p in find_chapters(EXERCISES, None))
               if chapter not in PENDING
               for exercise in exercise_plan(EXERCISES / chapter)
               if counts.get((chapter, exercise), 0) < 3]
    assert missing == []


@pytest.mark.slow
@pytest.mark.parametrize("path", MUTANTS, ids=_mutant_id)
def test_mutant_loses_points(path, tmp_path, grading_ray):
    chapter, exercise = path.parent.parent.name, path.parent.name
    student = tmp_path / chapter
    student.mkdir()
    shutil.copy(path, student / f"{exercise}.py")
    report = grade(EXERCISES, chapter, submission=tmp_path, timeout=120,
                   only=exercise, fail_fast=True, ray_env=grading_ray)
    [result] = report.results
    assert result.possible > 0
    assert result.earned < result.possible, (
        f"mutant {path.name} of {exercise} scored full marks")
