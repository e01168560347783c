"""Smoke test: the partitioning benchmark runs in --quick mode (no timing checks)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_quick_mode_runs(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_partitioning.py"), "--quick",
         "--json", str(out_json)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    ratio_lines = [ln for ln in proc.stdout.splitlines()
                   if ln.strip().startswith("ratio")]
    assert any("jump_hash_array vs Python loop" in ln for ln in ratio_lines)
    if importlib.util.find_spec("uhashring") is not None:
        assert any("node_for_many vs get_node" in ln for ln in ratio_lines)
    assert len(ratio_lines) >= 6
    data = json.loads(out_json.read_text())
    assert data["quick"] is True
    assert data["jump"]["numpy_vs_loop"] > 0
    assert set(data["scaling"]["schemes"]) >= {"modulo", "jump", "maglev", "ring",
                                               "rendezvous"}
