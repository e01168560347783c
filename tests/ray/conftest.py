"""Ray for the tests in this directory: started once per session, on demand.

Without Ray installed these tests are skipped, unless ``DSSCALE_REQUIRE_RAY``
is set (CI sets it), which makes a missing Ray an error. Only tests that
request the ``ray_runtime`` fixture start Ray (about 5 s and
700 MB on a 2-core machine); the rest of the suite never imports it. The
library's own entry points (``wordcount_ray``, ``KVStore``, ...) reuse the
running instance instead of starting their own (see ``dsscale.raysupport``).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest

if importlib.util.find_spec("ray") is None:
    if os.environ.get("DSSCALE_REQUIRE_RAY"):  # CI: a missing Ray is a failure
        raise RuntimeError("DSSCALE_REQUIRE_RAY is set but ray is not installed")
    pytest.skip("ray is not installed", allow_module_level=True)


@pytest.fixture(scope="session")
def ray_runtime() -> Iterator[object]:
    from dsscale.raysupport import ray_session

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Always a private local instance, even if RAY_ADDRESS is set in CI.
    with ray_session(address="local", num_cpus=2) as info:
        yield info
