"""The argument checks every public function uses: clear messages, exact bounds."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale._validate import as_rng, check_array, check_float, check_int, check_quorums


def test_integers_are_printed_as_integers() -> None:
    message = r"^x must be in \[1, 2147483647\], got 2147483648$"
    with pytest.raises(ValueError, match=message):
        check_int("x", 2**31, 1, 2**31 - 1)
    with pytest.raises(ValueError, match=r"^y must be >= 0.25, got 0.125$"):
        check_float("y", 0.125, 0.25)
    with pytest.raises(ValueError, match=r"^z must be < 1e\+20, got 1e\+20$"):
        check_float("z", 1e20, maximum=1e20, strict_max=True)


def test_strict_bounds_report_the_offending_values() -> None:
    with pytest.raises(ValueError, match=r"^w must be > 0, got \[0\]$"):
        check_array("w", [0.0, 1.0], 0.0, strict_min=True)
    with pytest.raises(ValueError, match=r"^w must be in \(0, 1\), got \[1, 2\]$"):
        check_array("w", [0.5, 1.0, 2.0], 0.0, 1.0, strict_min=True, strict_max=True)
    with pytest.raises(ValueError, match=r"^v must be > 0, got 0$"):
        check_float("v", 0, 0.0, strict_min=True)
    assert check_float("v", 1e-300, 0.0, strict_min=True) == 1e-300


def test_one_quorum_check_with_one_message() -> None:
    assert check_quorums(5, 3, 3) == (5, 3, 3)
    with pytest.raises(ValueError,
                       match=r"^write_quorum must be in 1..replication_factor "
                             r"\(3\), got 5$"):
        check_quorums(3, 2, 5)
    with pytest.raises(ValueError, match=r"^read_quorum must be in"):
        check_quorums(3, 0, 2)
    with pytest.raises(ValueError, match=r"^replication_factor must be >= 1, got 0$"):
        check_quorums(0, 1, 1)
    with pytest.raises(TypeError, match="write_quorum must be an integer"):
        check_quorums(3, 2, 2.0)


def test_rng_normalisation() -> None:
    gen = np.random.default_rng(3)
    assert as_rng(gen) is gen
    assert as_rng(7).integers(1000) == np.random.default_rng(7).integers(1000)
    with pytest.raises(ValueError, match="rng must be a non-negative integer seed"):
        as_rng(-1)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        as_rng("seed")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rng must be"):
        as_rng(True)  # type: ignore[arg-type]
