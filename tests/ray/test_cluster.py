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
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.ray, pytest.mark.slow]

BIN = Path(sys.executable).parent
START_LIMIT = 90.0  # seconds for the head node to accept connections


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the head node: the `ray start` leader first, then its group."""
    pgid = proc.pid  # start_new_session=True: the leader's pid is the pgid
    if proc.poll() is None:
        # SIGTERM to the leader alone lets it drain the node while the GCS is
        # still up; signalling the whole group at once stalls that drain.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    port = _free_port()
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32),
               RAY_USAGE_STATS_ENABLED="0")
    log = tmp_path_factory.mktemp("cluster") / "ray-start.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "ray"), "start", "--head", "--block", f"--port={port}",
             "--node-ip-address=127.0.0.1", "--num-cpus=2",
             "--include-dashboard=false", "--disable-usage-stats"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_LIMIT
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start did not come up:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        client_env = dict(env, RAY_ADDRESS=f"127.0.0.1:{port}")
        yield client_env
    finally:
        _stop_group(proc)


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
    assert kv["lost_writes"] == 0
    assert kv["acknowledged_writes"] > 0
    assert kv["replica_restarted"] is True
    assert kv["availability"] is None or 0.0 <= kv["availability"] <= 1.0
