"""Every exercise check must kill plausible wrong answers.

A *mutant* is a copy of a reference solution with one plausible mistake in it
(an off-by-one, ``<=`` for ``<``, a missed validation, ...). Mutants live in
``tests/mutants/<chapter>/<exercise>/<name>.py``; the first line of each file's
module docstring says what is wrong. Each mutant is graded exactly as a
student's file would be and must lose points.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from dsscale.grading.grader import grade

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
MUTANTS = sorted((ROOT / "tests" / "mutants").glob("ch*/ex*/*.py"))


def _mutant_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.stem}"


def test_mutants_are_described_and_belong_to_an_exercise():
    for path in MUTANTS:
        chapter, exercise = path.parent.parent.name, path.parent.name
        assert (EXERCISES / "solutions" / chapter / f"{exercise}.py").exists(), path
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and doc.strip(), f"{path} must say what is wrong in its docstring"


@pytest.mark.slow
@pytest.mark.parametrize("path", MUTANTS, ids=_mutant_id)
def test_mutant_loses_points(path, tmp_path):
    chapter, exercise = path.parent.parent.name, path.parent.name
    student = tmp_path / chapter
    student.mkdir()
    shutil.copy(path, student / f"{exercise}.py")
    report = grade(EXERCISES, chapter, student_root=tmp_path, timeout=120,
                   only=exercise)
    [result] = report.results
    assert result.possible > 0
    assert result.earned < result.possible, (
        f"mutant {path.name} of {exercise} scored full marks")
