"""The demos run unchanged on a real Ray cluster reached through RAY_ADDRESS.

A head node is started with ``ray start --head --block`` in its own process
group, and the demos connect to it from subprocesses (this test process may
already hold the session's local Ray). Token authentication stays on: the
cluster and its clients share a fresh token through ``RAY_AUTH_TOKEN``, which
Ray reads before ``~/.ray/auth_token``, so the user's token file is neither
needed nor touched. The cluster is stopped by its own process group, never
with ``ray stop`` (which would kill every Ray on the machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsscale.raycluster import local_cluster

pytestmark = [pytest.mark.ray, pytest.mark.slow]

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with local_cluster(num_cpus=2, log_dir=tmp_path_factory.mktemp("cluster")) as env:
        yield env


def _demo(env: dict[str, str], tmp_path: Path, *args: str) -> dict[str, object]:
    out = tmp_path / f"{args[0]}.json"
    run = subprocess.run([str(BIN / "dsscale"), "demo", *args, "--json", str(out)],
                         check=False, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_wordcount_and_kv_on_a_cluster(cluster: dict[str, str],
                                       tmp_path: Path) -> None:
    wc = _demo(cluster, tmp_path, "wordcount", "--size", "50000", "--workers", "2")
    assert wc["equals_serial"] is True
    assert wc["words"] == 50000

    kv = _demo(cluster, tmp_path, "kv", "--size", "120", "--seed", "1")
    assert kv["lost_writes"] == 0 and kv["linearizable"] is True
    assert kv["check_status"] == "ok" and kv["ok"] is True
    assert kv["acknowledged_writes"] > 0
    assert kv["replica_restarted"] is True
    # N = 3, R = W = 2: two live replicas form every quorum, nothing failed
    assert kv["ops_while_down"] > 0 and kv["availability"] == 1.0
