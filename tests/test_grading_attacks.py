"""A student who wants points rather than learning gets none from the grader.

Each attack is a student file in tests/attacks/ (its docstring says what it
tries and what it honestly implements). It is graded exactly as a submission
would be, and must earn exactly its honest score: what the code it contains
computes correctly (usually nothing). Attacks that reach outside the child
(the file system, the results file, processes that outlive it) are only
contained by the namespace sandbox, so those tests need it (root on Linux,
as in CI and on Gradescope).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from dsscale.cli import main
from dsscale.grading.grader import grade
from dsscale.grading.sandbox import detect_isolation

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
ATTACKS = ROOT / "tests" / "attacks"
CHAPTER = "ch01_background"
namespaces = pytest.mark.skipif(not detect_isolation().namespaces,
                                reason="needs the namespace sandbox (root on Linux)")


def _submit(tmp_path: Path, attack: str, exercise: str) -> Path:
    folder = tmp_path / "submission" / CHAPTER
    folder.mkdir(parents=True)
    shutil.copy(ATTACKS / f"{attack}.py", folder / f"{exercise}.py")
    return tmp_path / "submission"


def _grade(submission: Path, exercise: str, timeout: float = 20.0):
    [result] = grade(EXERCISES, CHAPTER, submission=submission, only=exercise,
                     timeout=timeout).results
    return result


# (attack, exercise it targets, its honest score)
HONEST_ZERO = [
    ("monkeypatch_grading", "ex01_amdahl"),
    ("malformed_channel", "ex01_amdahl"),
    ("always_equal", "ex01_amdahl"),
    ("library_import", "ex01_amdahl"),
    ("library_import_hidden", "ex01_amdahl"),
]


@pytest.mark.parametrize(("attack", "exercise"), HONEST_ZERO,
                         ids=[a for a, _ in HONEST_ZERO])
def test_attack_earns_nothing(tmp_path, attack, exercise):
    result = _grade(_submit(tmp_path, attack, exercise), exercise)
    assert result.possible > 0
    assert result.earned == 0, [c.name for c in result.checks if c.earned]


@namespaces
def test_the_solutions_next_door_cannot_be_read(tmp_path):
    # outside the sandbox the file is right there, relative to the package
    assert (EXERCISES / "solutions" / CHAPTER / "ex01_amdahl.py").is_file()
    result = _grade(_submit(tmp_path, "read_solutions", "ex01_amdahl"), "ex01_amdahl")
    assert result.earned == 0
    assert "not implemented" in result.checks[0].message


@namespaces
def test_hidden_checks_never_reach_the_child(tmp_path):
    # the visible checks' source is sent for procedures; the hidden ones' never
    result = _grade(_submit(tmp_path, "read_hidden_checks", "ex04_littles_law"),
                    "ex04_littles_law")
    lost = [c.name for c in result.checks if c.earned < c.points]
    assert lost == ["analysis: servers for a p99 under 20 ms"]


def test_library_import_is_refused_with_the_reason(tmp_path):
    result = _grade(_submit(tmp_path, "library_import", "ex01_amdahl"), "ex01_amdahl")
    assert "refused: ex01_amdahl.py imports dsscale.laws.amdahl_speedup" in result.note
    assert "yourself" in result.note
    hidden = _grade(_submit(tmp_path / "2", "library_import_hidden", "ex01_amdahl"),
                    "ex01_amdahl")
    assert "refused: ex01_amdahl.py uses __import__" in hidden.note


def test_always_equal_answers_are_not_numbers(tmp_path):
    result = _grade(_submit(tmp_path, "always_equal", "ex01_amdahl"), "ex01_amdahl")
    first = result.checks[0].message
    assert "should be a number" in first and "Anything object" in first


def test_wrong_input_names_no_parameter(tmp_path):
    result = _grade(_submit(tmp_path, "wrong_input", "ex03_usl"), "ex03_usl")
    lost = [c.name for c in result.checks if c.earned < c.points]
    assert lost == ["usl_throughput rejects bad input"]
    assert result.earned == result.possible - 1


def test_malformed_channel_costs_the_checks_not_the_run(tmp_path):
    result = _grade(_submit(tmp_path, "malformed_channel", "ex01_amdahl"),
                    "ex01_amdahl")
    for c in result.checks:
        assert "malformed" in c.message or "exited" in c.message, c.message


@namespaces
def test_forged_results_file_is_never_read(tmp_path, monkeypatch):
    canary = tmp_path / "shared" / "results-canary.json"
    canary.parent.mkdir()
    canary.parent.chmod(0o777)
    canary.write_text("{}")
    canary.chmod(0o666)
    out = tmp_path / "results.json"
    submission = _submit(tmp_path, "forged_results", "ex01_amdahl")
    monkeypatch.chdir(ROOT)
    main(["grade", "ch01", "--submission", str(submission), "--json", str(out)])
    data = json.loads(out.read_text())
    amdahl = [t for t in data["tests"] if "/ex01_amdahl:" in t["name"]]
    assert amdahl and all(t["score"] == 0 for t in amdahl)
    assert canary.read_text() == "{}"  # the child could not even see it


def _digest(paths):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@namespaces
def test_rewritten_checks_do_not_persist(tmp_path):
    watched = sorted(EXERCISES.rglob("checks*.py"))
    before = _digest(watched)
    submission = _submit(tmp_path, "rewrite_checks", "ex01_amdahl")
    first = _grade(submission, "ex01_amdahl")
    second = _grade(submission, "ex01_amdahl")
    assert first.earned == second.earned == 0
    assert _digest(watched) == before
    assert not (ROOT / "src" / "sitecustomize.py").exists()


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


@namespaces
def test_a_detached_writer_does_not_outlive_grading(tmp_path):
    marker = f"dsscale-attack-{uuid.uuid4().hex}"
    submission = _submit(tmp_path, "detached_writer", "ex01_amdahl")
    (submission / CHAPTER / "attack_marker.py").write_text(f"MARKER = {marker!r}\n")
    result = _grade(submission, "ex01_amdahl")
    assert result.earned == 0
    deadline = time.monotonic() + 10  # a bound on the kernel's clean-up
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []


@pytest.mark.slow
def test_an_infinite_loop_is_stopped_at_the_time_limit(tmp_path):
    start = time.monotonic()
    result = _grade(_submit(tmp_path, "infinite_loop", "ex01_amdahl"), "ex01_amdahl",
                    timeout=2.0)
    elapsed = time.monotonic() - start
    assert result.earned == 0
    assert "timed out after 2 s" in result.checks[0].message
    assert all("not run" in c.message for c in result.checks[1:])
    assert elapsed < 2.0 + 20  # the kill and its bounded wait, on a busy machine


def test_a_grandchild_holding_stderr_does_not_hang_grading(tmp_path):
    start = time.monotonic()
    result = _grade(_submit(tmp_path, "stderr_holder", "ex01_amdahl"), "ex01_amdahl",
                    timeout=60.0)
    elapsed = time.monotonic() - start
    assert result.earned == result.possible  # it is a correct solution
    assert elapsed < 30  # well below its 60 s of holding stderr open


@pytest.mark.slow
def test_a_stderr_flood_is_cut_off_with_bounded_judge_memory(tmp_path):
    submission = _submit(tmp_path, "stderr_flood", "ex01_amdahl")
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from dsscale.grading.grader import grade\n"
        f"[r] = grade(Path({str(EXERCISES)!r}), {CHAPTER!r}, "
        f"submission=Path({str(submission)!r}), only='ex01_amdahl',\n"
        "              timeout=60).results\n"
        # VmHWM is this process's own peak; ru_maxrss would also count the pytest
        # worker's size, which Linux carries into a child across exec
        "peak = int(next(line.split()[1] for line in open('/proc/self/status')\n"
        "                if line.startswith('VmHWM:')))\n"
        "print(json.dumps({'earned': r.earned, 'message': r.checks[0].message,\n"
        "                  'maxrss_kb': peak}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300, check=True)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["earned"] == 0
    assert "printed more than 16 MiB" in report["message"]
    # the judge kept a bounded tail of the output, not 1.5 GB (nor 3 GB)
    assert report["maxrss_kb"] < 400_000
