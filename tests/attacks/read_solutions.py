"""Reading the solutions: find the reference answer next door and run it.

Targets ch01 ex01_amdahl and implements nothing itself: its honest score is
0. At import it looks for exercises/solutions/ch01_background/ex01_amdahl.py
relative to the installed package, the working folder and every folder it
can list from the root, and runs the first it can read (with runpy, which
the judge's syntax check lets through: what stops it is that the sandbox
holds no solutions to read).
"""

import os
import runpy
from pathlib import Path

import dsscale

WANTED = Path("exercises/solutions/ch01_background/ex01_amdahl.py")


def _candidates():
    for root in (Path(dsscale.__file__).resolve().parents[2], Path.cwd(),
                 Path("/autograder/source")):
        yield root / WANTED
    for top, dirs, _ in os.walk("/", onerror=None):
        if top.count(os.sep) > 4:
            dirs[:] = []
            continue
        yield Path(top) / WANTED


def _not_found(*args):
    raise NotImplementedError


amdahl_speedup = amdahl_limit = _not_found
for candidate in _candidates():
    if not candidate.is_file():
        continue
    try:
        found = runpy.run_path(str(candidate))
    except OSError:
        continue
    amdahl_speedup, amdahl_limit = found["amdahl_speedup"], found["amdahl_limit"]
    break
