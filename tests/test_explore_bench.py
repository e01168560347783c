"""Smoke test: the exploration benchmark runs in --quick mode (no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_bench_explore_quick(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, os.path.join(root, "benchmarks",
                                                        "bench_explore.py"),
                           "--quick", "--json", str(out)],
                          capture_output=True, text=True, cwd=root, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["catalogue"]["quorum-partial"]["status"] == "violation"
    assert data["catalogue"]["quorum"]["status"] == "complete"
    # memoised transitions run each handler once per node state and event
    assert data["memo"]["handler_runs_with_memo"] < data["memo"]["handler_runs_without"]
    assert data["hashing"]["paths"] > data["hashing"]["states"]
