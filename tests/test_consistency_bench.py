"""Smoke test: the consistency benchmark runs in --quick mode and prints a table."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_consistency.py"


def test_bench_quick_runs(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out)],
        capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "naive/checker" in proc.stdout
    assert "largest" in proc.stdout and "KV history" in proc.stdout
    data = json.loads(out.read_text())
    assert data["head_to_head"] and data["kv"]["partitions"] == 100
    mixed = data["mixed"]  # the hard keys must not hide the stale read
    assert (mixed["interleaved_status"], mixed["failed_partition"]) == ("illegal", 2)
