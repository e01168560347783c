"""Run one exercise's checks; meant to be executed in a child process.

``python -m dsscale.grading.runner CHAPTER_DIR EXERCISE STUDENT_PY RESULTS_JSONL``

The chapter's trusted ``checks*.py`` files (one per topic, e.g.
``checks_partitioning.py``) register the checks.

The student's file is imported here, never in the grader's own process. Each
check's outcome is appended to ``RESULTS_JSONL`` as soon as it is known, so if
the child is killed for running too long, the checks that finished keep their
result and the grader knows which one hung.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from dsscale.grading.checks import registered_checks


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_checks(chapter_dir: Path) -> None:
    """Import every ``checks*.py`` of a chapter, registering their checks."""
    for path in sorted(chapter_dir.glob("checks*.py")):
        _load(path, f"_dsscale_{chapter_dir.name}_{path.stem}")


def _explain(exc: BaseException, student_file: Path) -> str:
    """One line telling the student what went wrong, pointing at their code."""
    if isinstance(exc, AssertionError):
        return str(exc) or "a check failed"
    if isinstance(exc, NotImplementedError):
        return "not implemented yet (still raises NotImplementedError)"
    if isinstance(exc, AttributeError) and "has no attribute" in str(exc):
        missing = str(exc).rsplit("attribute", 1)[-1].strip(" '\"")
        return f"`{missing}` is missing from {student_file.name}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if Path(f.filename).resolve() == student_file.resolve()]
    where = f" (line {frames[-1].lineno} of {student_file.name})" if frames else ""
    return f"raised {type(exc).__name__}: {exc}{where}"


def _emit(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()


def main(argv: list[str]) -> int:
    chapter_dir, exercise, student_py, results = argv
    student = Path(student_py)
    load_checks(Path(chapter_dir))
    checks = registered_checks(exercise)
    with open(results, "a", encoding="utf-8") as out:
        _emit(out, {"event": "plan", "checks": [c.name for c in checks]})
        try:
            module = _load(student, exercise)
        except SyntaxError as exc:
            _emit(out, {"event": "import_error", "message":
                        f"syntax error in {student.name} line {exc.lineno}: {exc.msg}"})
            return 0
        except BaseException as exc:  # noqa: BLE001 - anything the student did
            _emit(out, {"event": "import_error", "message":
                        f"importing {student.name} failed: {_explain(exc, student)}"})
            return 0
        for c in checks:
            _emit(out, {"event": "start", "check": c.name})
            try:
                c.fn(module)
            except BaseException as exc:  # noqa: BLE001 - includes SystemExit
                _emit(out, {"event": "result", "check": c.name, "passed": False,
                            "message": _explain(exc, student)})
            else:
                _emit(out, {"event": "result", "check": c.name, "passed": True,
                            "message": ""})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
