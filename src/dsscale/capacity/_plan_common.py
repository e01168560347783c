"""Shared pieces of the ``dsscale plan`` questions: flag checks and the answer type."""

from __future__ import annotations

import argparse
import math
from typing import Any

from dsscale._validate import check_float

Answer = dict[str, Any]


def positive(flag: str, value: float) -> float:
    """``value`` of ``flag`` checked to be > 0 (the error names the flag)."""
    return check_float(flag, value, 0.0, strict_min=True)


def fraction(flag: str, value: float) -> float:
    """``value`` of ``flag`` checked to be in (0, 1)."""
    return check_float(flag, value, 0.0, 1.0, strict_min=True, strict_max=True)


def finite(text: str) -> float:
    """An argparse ``type``: a finite real number (rejects nan and inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value
