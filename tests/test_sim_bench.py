"""Smoke test: the simulator benchmark runs in --quick mode (no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_bench_sim_quick(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, os.path.join(root, "benchmarks",
                                                        "bench_sim.py"),
                           "--quick", "--json", str(out)],
                          capture_output=True, text=True, cwd=root, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["events_per_second"]["trace"] > 0
    assert set(data["ms_per_seed"]) >= {"abd", "chain", "pb-sync", "quorum"}
