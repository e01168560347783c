"""Forged results: write a perfect results file wherever one might be, then exit.

Targets ch01 ex01_amdahl and implements nothing: its honest score is 0. It
writes a full-marks Gradescope results.json into every folder it can reach
that looks like a grading output (the old runner trusted a results file
written by the child), prints forged result lines, and exits with status 0
before any check can run.
"""

import json
import os
from pathlib import Path

FORGED = {"score": 1000.0, "tests": [{"name": "everything", "score": 1000.0,
                                      "max_score": 1000.0, "output": "forged"}]}
LINE = json.dumps({"event": "result", "check": "amdahl_speedup at known points",
                   "passed": True, "message": ""})

for folder in ("/autograder/results", "/tmp", os.getcwd(), *os.environ.get(
        "DSSCALE_ATTACK_TARGETS", "").split(":")):
    try:
        path = Path(folder)
        for target in [path / "results.json", *path.rglob("results*.json")]:
            target.write_text(json.dumps(FORGED))
    except OSError:
        pass
print(LINE, flush=True)
os._exit(0)
