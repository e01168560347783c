"""A real single-node Ray cluster on loopback, started and stopped by pid.

``ray start --head --block`` runs in its own process group; clients reach it
through ``RAY_ADDRESS`` with token authentication on (a fresh token shared
through ``RAY_AUTH_TOKEN``, which Ray reads before ``~/.ray/auth_token``, so
the user's token file is neither needed nor touched). The cluster is stopped
through its own process group, never with ``ray stop``, which would kill
every Ray process on the machine.

Used by the cluster test and by ``dsscale grade``, whose Ray exercises share
one cluster instead of starting Ray once per exercise.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dsscale._validate import check_float, check_int

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop a ``ray start --block`` process and everything in its group."""
    pgid = proc.pid  # started with start_new_session=True: pid == pgid
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


@contextmanager
def local_cluster(num_cpus: int = 2, start_limit: float = 90.0,
                  log_dir: Path | None = None) -> Iterator[dict[str, str]]:
    """Start a head node on a free loopback port; yield the clients' environment.

    The yielded dict is ``os.environ`` plus ``RAY_ADDRESS``, ``RAY_AUTH_MODE``
    and ``RAY_AUTH_TOKEN``: pass it as ``env`` to subprocesses that should run
    on the cluster. Raises ``ConnectionError`` if the head is not accepting
    connections within ``start_limit`` seconds.
    """
    cpus = check_int("num_cpus", num_cpus, 1)
    limit = check_float("start_limit", start_limit, 0.0, strict_min=True)
    port = free_port()
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32),
               RAY_USAGE_STATS_ENABLED="0")
    folder = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="dsscale-ray-"))
    log = folder / "ray-start.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "ray"), "start", "--head", "--block", f"--port={port}",
             "--node-ip-address=127.0.0.1", f"--num-cpus={cpus}",
             "--include-dashboard=false", "--disable-usage-stats"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        deadline = time.monotonic() + limit
        # the GCS port opens seconds before the node is ready for drivers; a
        # driver that connects earlier just waits, so wait here instead
        while not (_listening(port)
                   and b"Ray runtime started" in log.read_bytes()):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise ConnectionError(
                    f"ray start did not come up on port {port}:\n{tail}")
            time.sleep(0.5)
        yield dict(env, RAY_ADDRESS=f"127.0.0.1:{port}")
    finally:
        stop_group(proc)
