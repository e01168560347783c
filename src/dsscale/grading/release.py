"""Make student stubs from the reference solutions, the one source of truth.

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


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("exercises")
    for path in release(root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
