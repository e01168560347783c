"""Student stubs from the reference solutions, and the student release.

``dsscale release stubs`` (or ``python -m dsscale.grading.release``) rewrites
the stubs; ``dsscale release student OUT`` writes the copy students get: the
book, the package, the stubs and the visible checks, without the solutions,
the hidden checks (``checks_hidden*.py``), the tests and their mutants.

Stubs are made from the solutions, the one source of truth.

A solution file marks its answer with two comment lines::

    def amdahl_speedup(parallel_fraction, workers):
        \"\"\"...the spec the student reads...\"\"\"
        ### BEGIN SOLUTION
        return 1.0 / ((1.0 - parallel_fraction) + parallel_fraction / workers)
        ### END SOLUTION

The stub keeps everything else and replaces each marked block with
``raise NotImplementedError(...)`` at the marker's indentation. Lines ending in
``# solution-only`` are dropped from the stub (e.g. an import only the answer
needs). ``python -m dsscale.grading.release`` rewrites ``exercises/chNN_*/``
from ``exercises/solutions/``; a test checks the committed stubs are current.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ONLY = "# solution-only"


STUB_BODY = 'raise NotImplementedError("your code here")'


def make_stub(source: str, filename: str = "<solution>", body: str = STUB_BODY) -> str:
    """Return the stub text for one solution file's text.

    ``body`` replaces each solution block (the tests plant wrong answers by
    passing e.g. ``"return 0"``).
    """
    out: list[str] = []
    inside = False
    begin_line = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{filename}:{number}: nested {BEGIN}")
            inside, begin_line = True, number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{body}\n")
        elif stripped == END:
            if not inside:
                raise ValueError(f"{filename}:{number}: {END} without {BEGIN}")
            inside = False
        elif not inside and not line.rstrip().endswith(ONLY):
            out.append(line)
    if inside:
        raise ValueError(f"{filename}:{begin_line}: {BEGIN} is never closed")
    return "".join(out)


def release(exercises_dir: Path, *, check_only: bool = False) -> list[Path]:
    """Write (or, with ``check_only``, compare) every stub; return stale ones."""
    solutions = exercises_dir / "solutions"
    stale = []
    for src in sorted(solutions.glob("ch*/ex*.py")):
        target = exercises_dir / src.parent.name / src.name
        stub = make_stub(src.read_text(encoding="utf-8"), str(src))
        if not target.exists() or target.read_text(encoding="utf-8") != stub:
            stale.append(target)
            if not check_only:
                target.write_text(stub, encoding="utf-8")
    return stale


# what the student copy holds, relative to the repository root
RELEASED = ("README.md", "LICENSE", "pyproject.toml", "requirements.txt", "Makefile",
            "_config.yml", "_toc.yml", "book", "src", "benchmarks")
_SKIPPED = ("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints", "_build")


def student_release(root: Path, out: Path) -> list[Path]:
    """Write the student copy of the repository at ``root`` into ``out``.

    Returns the files written. The exercises are regenerated stubs (never
    the working copies, which may hold answers), each chapter's visible
    ``checks*.py`` and the exercises' README.
    """
    root, out = root.resolve(), out.resolve()
    exercises = root / "exercises"
    if not (exercises / "solutions").is_dir():
        raise FileNotFoundError(f"no exercises/solutions under {root}")
    if out == root or root in out.parents:
        raise ValueError(f"out must be outside the repository {root}, got {out}")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"out must be a new or empty folder, got {out}")
    ignore = shutil.ignore_patterns(*_SKIPPED)
    for name in RELEASED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=ignore, dirs_exist_ok=True)
        elif source.is_file():
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / name)
    (out / "exercises").mkdir(parents=True, exist_ok=True)
    shutil.copy2(exercises / "README.md", out / "exercises" / "README.md")
    for src in sorted((exercises / "solutions").glob("ch*/ex*.py")):
        target = out / "exercises" / src.parent.name / src.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(make_stub(src.read_text(encoding="utf-8"), str(src)),
                          encoding="utf-8")
    for checks in sorted(exercises.glob("ch*/checks*.py")):
        if not checks.stem.startswith("checks_hidden"):
            target = out / "exercises" / checks.parent.name / checks.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(checks, target)
    return sorted(p for p in out.rglob("*") if p.is_file())


def default_root() -> Path:
    """The repository that holds the installed package (or the current folder)."""
    candidate = Path(__file__).resolve().parents[3]
    return candidate if (candidate / "exercises").is_dir() else Path.cwd()


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "release", help="write the exercise stubs, or the student copy",
        description="`release stubs` regenerates exercises/chNN_*/ from "
                    "exercises/solutions/; `release student OUT` writes the copy "
                    "students get (book, package, stubs, visible checks; no "
                    "solutions, hidden checks, tests or mutants).")
    p.add_argument("what", choices=("stubs", "student"))
    p.add_argument("out", nargs="?", type=Path, help="the student copy's folder")
    p.add_argument("--root", type=Path, default=None,
                   help="the repository (default: the one holding the package)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    root = args.root or default_root()
    if args.what == "stubs":
        for path in release(root / "exercises"):
            print(f"wrote {path}")
        return 0
    if args.out is None:
        raise ValueError("release student needs an OUT folder")
    files = student_release(root, args.out)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("exercises")
    for path in release(root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
