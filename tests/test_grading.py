"""The grader must give full marks to the reference solutions, zero to the stubs,
and contain each kind of student failure to the exercise that caused it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dsscale.cli import main
from dsscale.grading.grader import exercise_plan, find_chapters, grade, gradescope_json
from dsscale.grading.release import make_stub, release

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"
CHAPTERS = [p.name for p in find_chapters(EXERCISES, None)]


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


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_solutions_score_full_marks(chapter):
    report = grade(EXERCISES, chapter, student_root=SOLUTIONS, timeout=120)
    assert report.possible > 0
    failures = [(r.exercise, r.first_failure) for r in report.results
                if r.earned != r.possible]
    assert failures == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_untouched_stubs_score_zero(chapter):
    report = grade(EXERCISES, chapter, timeout=120)
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
    full = grade(EXERCISES, chapter, student_root=SOLUTIONS)
    report = grade(EXERCISES, chapter, student_root=tmp_path)
    scores = _scores(report)
    assert scores["ex01_amdahl"][0] == 1  # only the bad-input check survives
    lost = full.earned - report.earned
    assert lost == scores["ex01_amdahl"][1] - 1
    for name, (earned, possible) in scores.items():
        if name != "ex01_amdahl":
            assert earned == possible


ALL_EXERCISES = [(c, e) for c in CHAPTERS for e in sorted(exercise_plan(EXERCISES / c))]


@pytest.mark.parametrize(("chapter", "exercise"), ALL_EXERCISES)
def test_a_placeholder_answer_loses_exactly_that_exercises_points(
        tmp_path, chapter, exercise):
    # a student who answers every function of one exercise with `return 0`
    student = _copy_solutions(tmp_path, chapter)
    source = (SOLUTIONS / chapter / f"{exercise}.py").read_text()
    (student / f"{exercise}.py").write_text(make_stub(source, body="return 0"))
    # the other exercises are untouched solutions, whose full marks are proven
    # above; grading this one alone keeps the test linear in the exercise count
    report = grade(EXERCISES, chapter, student_root=tmp_path, timeout=120,
                   only=exercise)
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
    path.write_text(text)
    report = grade(EXERCISES, chapter, student_root=tmp_path, timeout=3)
    by_name = {r.exercise: r for r in report.results}
    broken = by_name["ex03_usl"]
    messages = " | ".join(c.message for c in broken.checks)
    assert expected in messages
    if damage == "missing":
        # usl_throughput still works, so its checks keep their points
        assert 0 < broken.earned < broken.possible
    else:
        assert broken.earned == 0
    for name, r in by_name.items():
        if name != "ex03_usl":
            assert r.earned == r.possible, (name, r.first_failure)


def test_gradescope_json_shape():
    report = grade(EXERCISES, "ch01", student_root=SOLUTIONS)
    data = json.loads(json.dumps(gradescope_json(report)))
    assert data["score"] == data["max_score"] == report.possible
    assert len(data["tests"]) == len(report.results)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "status"}
        assert test["output"].startswith("[PASS]")


def test_cli_prints_a_table_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "results.json"
    assert main(["grade", "ch01", "--json", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "ch01_background/ex01_amdahl" in printed
    assert "total" in printed and "(0%)" in printed
    assert json.loads(out.read_text())["score"] == 0
    assert main(["grade", "ch01", "--solutions"]) == 0
    assert "(100%)" in capsys.readouterr().out


def test_cli_rejects_unknown_chapter_and_bad_timeout(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["grade", "ch99"]) == 2
    assert "chapter must name an exercise folder" in capsys.readouterr().err
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
