"""Shared test configuration.

Hypothesis runs derandomized (a fixed seed per test) so that the suite gives
the same verdict on every run, and with no deadline, since a loaded CI machine
must not turn a slow example into a failure.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dsscale",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dsscale")

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``-n 2 --dist loadgroup``), keep every Ray test on one
    worker, so that one Ray runtime serves them all (starting Ray costs seconds
    and 700 MB), and the book and browser tests on one worker, so the book is
    built once."""
    for item in items:
        if item.get_closest_marker("ray"):
            item.add_marker(pytest.mark.xdist_group("ray"))
        elif item.get_closest_marker("book") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("book"))


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book with -W (warnings are errors) and return its HTML dir.

    Execution is cached in _build/.jupyter_cache, so a second build (e.g.
    `make book` after `make test`) only re-renders.
    """
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "-W", "--keep-going"]
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    # a non-interactive backend would stop the kernels from emitting figures
    env.pop("MPLBACKEND", None)
    proc = subprocess.run(cmd, check=False, cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        pytest.fail(f"jupyter-book build -W failed (exit {proc.returncode}):\n{tail}")
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def grading_ray():
    """A function returning the environment of one loopback Ray cluster, started
    on first call and shared by every grading test (a start costs seconds)."""
    from contextlib import ExitStack

    stack = ExitStack()
    started: list[dict[str, str]] = []

    def provide() -> dict[str, str]:
        if not started:
            from dsscale.raycluster import local_cluster

            started.append(stack.enter_context(local_cluster()))
        return started[0]

    with stack:
        yield provide
