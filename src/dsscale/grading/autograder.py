"""``dsscale autograder CHAPTER -o autograder.zip``: a Gradescope bundle.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once
(as root, on Ubuntu) to build the image, then ``run_autograder`` for every
submission, with the student's files in ``/autograder/submission``; it reads
``/autograder/results/results.json`` (see
https://gradescope-autograders.readthedocs.io/en/latest/specs/). The bundle
holds the package's source, the chapter's checks (hidden ones included) and
the two scripts; ``run_autograder`` runs ``dsscale grade`` on the submission
with the bundled source first on the path, and always leaves a results file.
``AUTOGRADER_ROOT`` and ``DSSCALE_PYTHON`` override ``/autograder`` and the
interpreter, which is how the tests run the bundle in a temporary root.
"""

from __future__ import annotations

import argparse
import shlex
import stat
import zipfile
from pathlib import Path

from dsscale.grading.grader import find_chapters
from dsscale.grading.loader import load_checks
from dsscale.grading.release import default_root

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip util-linux >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet "/autograder/source{extras}"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission (the student's files are in
# submission/); it must leave results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{DSSCALE_PYTHON:-$ROOT/venv/bin/python}}"
export PYTHONPATH="$ROOT/source/src" RAY_USAGE_STATS_ENABLED=0
mkdir -p "$ROOT/results"
cd "$ROOT/source"
"$PY" -m dsscale.cli grade {chapter} --checks "$ROOT/source/exercises" \\
    --submission "$ROOT/submission" --json "$ROOT/results/results.json" \\
    --timeout {timeout:g}
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    printf '{{"score": 0, "output": "the autograder failed (exit %s)", %s}}\\n' \\
        "$status" '"tests": []' > "$ROOT/results/results.json"
fi
exit 0
"""

_PACKAGE_FILES = ("pyproject.toml", "README.md", "requirements.txt")


def build_bundle(chapter: str, out: Path, *, root: Path | None = None,
                 timeout: float = 120.0) -> list[str]:
    """Write the Gradescope zip for ``chapter``; return the archive's names."""
    root = (root or default_root()).resolve()
    chapters = find_chapters(root / "exercises", chapter)
    if len(chapters) != 1:
        raise ValueError(f"chapter must name one chapter folder, got {chapter!r} "
                         f"({len(chapters)} match)")
    chapter_dir = chapters[0]
    loaded = load_checks(chapter_dir)
    ray = any(loaded.uses_ray(e) for e in loaded.checks)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        _script(bundle, "setup.sh", SETUP.format(extras="[ray]" if ray else ""))
        _script(bundle, "run_autograder", RUN.format(
            chapter=shlex.quote(chapter_dir.name), timeout=timeout))
        for name in _PACKAGE_FILES:
            if (root / name).is_file():
                bundle.write(root / name, name)
        for path in sorted((root / "src").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts \
                    and not path.name.endswith(".pyc") \
                    and ".egg-info" not in str(path):
                bundle.write(path, str(path.relative_to(root)))
        for path in sorted(chapter_dir.glob("checks*.py")):
            bundle.write(path, f"exercises/{chapter_dir.name}/{path.name}")
        return bundle.namelist()


def _script(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    bundle.writestr(info, text)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "autograder", help="build a Gradescope autograder zip for one chapter",
        description="Write a Gradescope bundle (setup.sh, run_autograder, the "
                    "package source and the chapter's checks, hidden ones "
                    "included) that grades a submission with `dsscale grade`.")
    p.add_argument("chapter", help="chapter folder prefix, e.g. ch01")
    p.add_argument("-o", "--output", type=Path, default=Path("autograder.zip"),
                   help="the zip to write (default: autograder.zip)")
    p.add_argument("--root", type=Path, default=None,
                   help="the repository (default: the one holding the package)")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="seconds allowed per exercise (default 120)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    names = build_bundle(args.chapter, args.output, root=args.root,
                         timeout=args.timeout)
    print(f"wrote {args.output} ({len(names)} files)")
    return 0
