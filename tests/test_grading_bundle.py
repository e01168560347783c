"""The student release and the Gradescope bundle.

The release holds the book, the package, the stubs and the visible checks,
and nothing an instructor keeps back. The bundle is unpacked into a
temporary root laid out as Gradescope lays out ``/autograder`` (the zip in
``source/``, ``run_autograder`` at the root, the student's upload in
``submission/``), run, and its ``results.json`` validated against
Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dsscale.cli import main
from dsscale.grading.grader import exercise_plan
from dsscale.grading.release import student_release

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def validate_gradescope(data: dict) -> None:
    """Fail unless ``data`` has the shape Gradescope reads."""
    assert isinstance(data, dict)
    assert set(data) <= {"score", "execution_time", "output", "output_format",
                         "visibility", "stdout_visibility", "extra_data", "tests",
                         "leaderboard"}, set(data)
    assert isinstance(data.get("tests"), list)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["output"], str)
        assert isinstance(test["score"], int | float)
        assert isinstance(test["max_score"], int | float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] in VISIBILITY
        assert test.get("status", "passed") in {"passed", "failed"}
    if "score" in data:
        assert isinstance(data["score"], int | float)
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    for key in ("visibility", "stdout_visibility"):
        assert data.get(key, "visible") in VISIBILITY


def test_student_release_has_stubs_and_visible_checks_only(tmp_path):
    out = tmp_path / "release"
    assert main(["release", "student", str(out), "--root", str(ROOT)]) == 0
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "README.md" in files and "exercises/README.md" in files
    assert any(f.startswith("book/") for f in files)
    assert "src/dsscale/grading/grader.py" in files
    assert not any(f.startswith(("exercises/solutions", "tests/")) for f in files)
    assert not any("checks_hidden" in f for f in files)
    assert "exercises/ch01_background/checks.py" in files
    stub = (out / "exercises/ch01_background/ex01_amdahl.py").read_text()
    assert 'raise NotImplementedError("your code here")' in stub
    assert "BEGIN SOLUTION" not in stub
    with pytest.raises(ValueError, match="new or empty"):
        student_release(ROOT, out)
    with pytest.raises(ValueError, match="outside the repository"):
        student_release(ROOT, ROOT / "release")


def _autograder_root(tmp_path: Path, chapter: str) -> Path:
    bundle = tmp_path / "autograder.zip"
    assert main(["autograder", chapter, "-o", str(bundle), "--root", str(ROOT)]) == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert not any("solutions" in n or n.startswith("tests/") for n in names)
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def _run(root: Path) -> dict:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), DSSCALE_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)  # run_autograder puts the bundled source first
    subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True,
                   capture_output=True, timeout=600)
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_grades_a_submission_into_valid_gradescope_json(tmp_path):
    chapter = "ch01_background"
    root = _autograder_root(tmp_path, "ch01")
    # a Gradescope upload: the solutions of two exercises, a wrong third
    for name in ("ex01_amdahl", "ex03_usl"):
        shutil.copy(EXERCISES / "solutions" / chapter / f"{name}.py",
                    root / "submission" / f"{name}.py")
    shutil.copy(EXERCISES / chapter / "ex02_gustafson.py",
                root / "submission" / "ex02_gustafson.py")
    data = _run(root)
    validate_gradescope(data)
    plan = exercise_plan(EXERCISES / chapter)
    assert len(data["tests"]) == sum(len(checks) for checks in plan.values())
    by_exercise: dict[str, float] = {}
    for test in data["tests"]:
        exercise = test["name"].split("/")[1].split(":")[0]
        by_exercise[exercise] = by_exercise.get(exercise, 0) + test["score"]
    full = {e: sum(p for _, p in checks) for e, checks in plan.items()}
    assert by_exercise["ex01_amdahl"] == full["ex01_amdahl"]
    assert by_exercise["ex03_usl"] == full["ex03_usl"]
    assert by_exercise["ex02_gustafson"] == 0
    assert by_exercise["ex04_littles_law"] == 0  # not uploaded
    hidden = [t for t in data["tests"] if t["visibility"] == "after_published"]
    assert hidden and all("analysis" in t["name"] for t in hidden)


def test_bundle_writes_results_even_when_grading_cannot_run(tmp_path):
    root = _autograder_root(tmp_path, "ch02")
    shutil.rmtree(root / "source" / "exercises")  # a broken bundle
    data = _run(root)
    validate_gradescope(data)
    assert data["score"] == 0 and "could not run" in data["output"]
