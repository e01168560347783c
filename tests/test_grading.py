"""The grader gives full marks to the reference solutions, zero to the stubs
and to placeholder answers, and contains each kind of student failure to the
check (or exercise) that caused it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dsscale.cli import main
from dsscale.grading.grader import exercise_plan, find_chapters, grade
from dsscale.grading.loader import load_checks
from dsscale.grading.release import make_stub, release
from dsscale.grading.report import gradescope_json

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"
CHAPTERS = [p.name for p in find_chapters(EXERCISES, None)]
RAY_CHAPTERS = {c for c in CHAPTERS
                if any(load_checks(EXERCISES / c).uses_ray(e)
                       for e in exercise_plan(EXERCISES / c))}


def _marks(chapter):
    return [pytest.mark.slow, pytest.mark.ray] if chapter in RAY_CHAPTERS else [
        pytest.mark.slow]


def _scores(report):
    return {r.exercise: (r.earned, r.possible) for r in report.results}


def _copy_solutions(tmp_path: Path, chapter: str) -> Path:
    shutil.copytree(SOLUTIONS / chapter, tmp_path / chapter)
    return tmp_path / chapter


def test_every_chapter_has_exercises_and_solutions():
    assert "ch01_background" in CHAPTERS
    for chapter in CHAPTERS:
        plan = exercise_plan(EXERCISES / chapter)
        assert plan, f"{chapter} registers no checks"
        for exercise in plan:
            assert (EXERCISES / chapter / f"{exercise}.py").exists()
            assert (SOLUTIONS / chapter / f"{exercise}.py").exists()


def test_stubs_are_generated_from_the_solutions():
    # one source of truth: the committed stubs are exactly what release() makes
    stale = release(EXERCISES, check_only=True)
    assert stale == [], f"run `make exercises`: stale stubs {stale}"


@pytest.mark.parametrize("chapter", [pytest.param(c, marks=_marks(c))
                                     for c in CHAPTERS])
def test_reference_solutions_score_full_marks(chapter, grading_ray):
    report = grade(EXERCISES, chapter, submission=SOLUTIONS, timeout=120,
                   ray_env=grading_ray)
    assert report.possible > 0
    failures = [(r.exercise, r.first_failure) for r in report.results
                if r.earned != r.possible]
    assert failures == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_untouched_stubs_score_zero(chapter):
    # the Ray checks require the pure ones: stubs never start Ray
    report = grade(EXERCISES, chapter, timeout=120, ray_env={})
    assert report.possible > 0
    assert report.earned == 0
    for r in report.results:
        assert "not implemented" in r.first_failure


def test_a_planted_wrong_solution_loses_exactly_that_exercise(tmp_path):
    chapter = "ch01_background"
    student = _copy_solutions(tmp_path, chapter)
    path = student / "ex01_amdahl.py"
    text = path.read_text()
    # the classic slip: treat p as the serial fraction
    wrong = text.replace("s = 1.0 / ((1.0 - p) + p / n)",
                         "s = 1.0 / (p + (1.0 - p) / n)")
    wrong = wrong.replace("1.0 / (1.0 - p)", "1.0 / p")
    assert wrong != text
    path.write_text(wrong)
    report = grade(EXERCISES, chapter, submission=tmp_path)
    scores = _scores(report)
    assert scores["ex01_amdahl"][0] == 1  # only the bad-input check survives
    for name, (earned, possible) in scores.items():
        if name != "ex01_amdahl":
            assert earned == possible


ALL_EXERCISES = [(c, e) for c in CHAPTERS for e in sorted(exercise_plan(EXERCISES / c))]


@pytest.mark.slow
@pytest.mark.parametrize(("chapter", "exercise"), ALL_EXERCISES)
def test_a_placeholder_answer_loses_exactly_that_exercises_points(
        tmp_path, chapter, exercise):
    # a student who answers every function of one exercise with `return 0`
    student = tmp_path / chapter
    student.mkdir()
    source = (SOLUTIONS / chapter / f"{exercise}.py").read_text()
    (student / f"{exercise}.py").write_text(make_stub(source, body="return 0"))
    report = grade(EXERCISES, chapter, submission=tmp_path, timeout=120,
                   only=exercise, ray_env={})
    [result] = report.results
    assert result.possible > 0
    assert result.earned == 0, f"{exercise} still earns points: " + ", ".join(
        c.name for c in result.checks if c.earned)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("syntax", "syntax error in ex03_usl.py line"),
        ("crash", "importing ex03_usl.py failed: raised RuntimeError: boom"),
        ("exit", "exited with code 3"),
        ("missing", "`best_concurrency` is missing from ex03_usl.py"),
        ("loop", "timed out after 3 s"),
        ("dies", "exited with code 9"),
    ],
)
def test_student_failures_cost_only_that_exercise(tmp_path, damage, expected):
    chapter = "ch01_background"
    student = _copy_solutions(tmp_path, chapter)
    path = student / "ex03_usl.py"
    text = path.read_text()
    if damage == "syntax":
        text += "\ndef broken(:\n    pass\n"
    elif damage == "crash":
        text += "\nraise RuntimeError('boom')\n"
    elif damage == "exit":
        text += "\nimport os\nos._exit(3)\n"
    elif damage == "missing":
        text = text.replace("def best_concurrency(", "def best_concurrency_typo(")
    elif damage == "loop":
        text = text.replace('    """USL throughput X(n)',
                            '    while True:\n        pass\n    """USL throughput X(n)')
    elif damage == "dies":  # the process dies in one function, not at import
        doc = '    """The integer n in 1..max_n'
        text = text.replace(doc, "    import os\n    os._exit(9)\n" + doc)
    assert text != path.read_text()
    path.write_text(text)
    report = grade(EXERCISES, chapter, submission=tmp_path, timeout=3)
    by_name = {r.exercise: r for r in report.results}
    broken = by_name["ex03_usl"]
    messages = " | ".join(c.message for c in broken.checks)
    assert expected in messages
    if damage in ("missing", "dies"):
        # usl_throughput still works (after a death, a fresh child answers)
        assert 0 < broken.earned < broken.possible
    else:
        assert broken.earned == 0
    for name, r in by_name.items():
        if name != "ex03_usl":
            assert r.earned == r.possible, (name, r.first_failure)


def test_gradescope_json_has_one_test_per_check():
    report = grade(EXERCISES, "ch01", submission=SOLUTIONS)
    data = json.loads(json.dumps(gradescope_json(report)))
    assert data["score"] == report.possible
    checks = [c for r in report.results for c in r.checks]
    assert len(data["tests"]) == len(checks)
    for test, c in zip(data["tests"], checks, strict=True):
        assert test["max_score"] == c.points == test["score"]
        assert test["visibility"] == ("after_published" if c.hidden else "visible")
        assert test["status"] == "passed"


def test_cli_prints_a_table_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "results.json"
    assert main(["grade", "ch01", "--json", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "ch01_background/ex01_amdahl" in printed
    assert "total" in printed and "(0%)" in printed
    assert "sandbox:" in printed
    assert json.loads(out.read_text())["score"] == 0
    assert main(["grade", "ch01", "--submission", str(SOLUTIONS)]) == 0
    assert "(100%)" in capsys.readouterr().out


def test_cli_rejects_unknown_chapter_and_bad_timeout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "results.json"
    assert main(["grade", "ch99", "--json", str(out)]) == 2
    assert "chapter must name an exercise folder" in capsys.readouterr().err
    # the JSON is written even when grading cannot start
    assert json.loads(out.read_text())["score"] == 0
    assert main(["grade", "ch01", "--timeout", "0"]) == 2
    assert "timeout must be > 0" in capsys.readouterr().err


def test_make_stub_replaces_marked_blocks_and_rejects_bad_markers():
    source = ("import math  # solution-only\n"
              "def f(x):\n"
              '    """Spec."""\n'
              "    ### BEGIN SOLUTION\n"
              "    return math.sqrt(x)\n"
              "    ### END SOLUTION\n")
    assert make_stub(source) == ('def f(x):\n    """Spec."""\n'
                                 '    raise NotImplementedError("your code here")\n')
    with pytest.raises(ValueError, match="never closed"):
        make_stub("### BEGIN SOLUTION\nx = 1\n")
    with pytest.raises(ValueError, match="without"):
        make_stub("### END SOLUTION\n")
