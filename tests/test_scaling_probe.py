"""The CPU-busy probe that the speedup pages use to decide what they can assert."""

import os

import pytest

from dsscale.parallel.scaling import cpu_busy_fraction


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs Linux /proc/stat")
def test_busy_fraction_is_a_fraction():
    busy = cpu_busy_fraction(0.2)
    assert busy is not None and 0.0 <= busy <= 1.0


def test_busy_fraction_rejects_a_non_positive_interval():
    with pytest.raises(ValueError, match="interval"):
        cpu_busy_fraction(0.0)
