"""Argument checks shared by every public function.

Each check raises an error that names the parameter and the allowed range, so a
caller sees ``ValueError: workers must be >= 1, got 0`` rather than a NaN three
calls later.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

RNGLike = np.random.Generator | int | None


def as_rng(rng: RNGLike, name: str = "rng") -> np.random.Generator:
    """Normalise ``rng`` (a Generator, an integer seed or None) to a Generator.

    ``None`` gives a fresh, unseeded generator; library code that must be
    reproducible always receives an int or a Generator from its caller.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative integer seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy Generator, an int seed or None, "
        f"got {type(rng).__name__}"
    )


def as_seed(rng: RNGLike, name: str = "rng") -> int:
    """An integer seed from ``rng``: the int itself, or one drawn from the
    Generator (or from fresh entropy for None), for code that seeds a
    generator of its own (the simulator's ``random.Random``)."""
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return check_int(name, rng, 0)
    return int(as_rng(rng, name).integers(2**63))


def spawn_seeds(rng: RNGLike, count: int,
                name: str = "rng") -> list[np.random.SeedSequence]:
    """``count`` independent child seed sequences of ``rng``, one per task.

    For an int seed ``s`` these are ``SeedSequence(s).spawn(count)``: the same
    streams in every process, which is how parallel tasks stay reproducible
    (numpy's recommended way to seed parallel streams).
    """
    count = check_int("count", count, 0)
    seq = as_rng(rng, name).bit_generator.seed_seq
    assert isinstance(seq, np.random.SeedSequence)
    return seq.spawn(count)


def check_int(name: str, value: Any, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    result = int(value)
    _check_range(name, result, minimum, maximum)
    return result


def check_float(name: str, value: Any, minimum: float | None = None,
                maximum: float | None = None, *, strict_min: bool = False,
                strict_max: bool = False) -> float:
    """Return ``value`` as a finite float in ``[minimum, maximum]``.

    ``strict_min``/``strict_max`` make the corresponding bound exclusive.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    result = float(value)
    if math.isnan(result):
        raise ValueError(f"{name} must be a number, got nan")
    _check_range(name, result, minimum, maximum, strict_min, strict_max)
    return result


def check_array(name: str, values: ArrayLike, minimum: float | None = None,
                maximum: float | None = None, *, strict_min: bool = False,
                strict_max: bool = False,
                allow_inf: bool = False) -> NDArray[np.float64]:
    """Return ``values`` as a float array whose every element is in range."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {values!r}") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain nan")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite")
    if arr.size:
        _check_range(name, arr, minimum, maximum, strict_min, strict_max)
    return arr


def _fmt(x: float | numbers.Real) -> str:
    """A bound or value as people write it: 2147483648, not 2.14748e+09."""
    if isinstance(x, numbers.Integral):
        return str(int(x))
    x = float(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return f"{x:.12g}"


def _check_range(name: str, value: Any, minimum: float | None,
                 maximum: float | None, strict_min: bool = False,
                 strict_max: bool = False) -> None:
    arr = np.asarray(value)
    too_low = (np.zeros(arr.shape, bool) if minimum is None
               else (arr <= minimum if strict_min else arr < minimum))
    too_high = (np.zeros(arr.shape, bool) if maximum is None
                else (arr >= maximum if strict_max else arr > maximum))
    if not (np.any(too_low) or np.any(too_high)):
        return
    low = "" if minimum is None else ("(" if strict_min else "[") + _fmt(minimum)
    high = "" if maximum is None else _fmt(maximum) + (")" if strict_max else "]")
    if minimum is not None and maximum is not None:
        allowed = f"in {low}, {high}"
    elif minimum is not None:
        allowed = (">" if strict_min else ">=") + f" {_fmt(minimum)}"
    else:
        assert maximum is not None
        allowed = ("<" if strict_max else "<=") + f" {_fmt(maximum)}"
    if arr.ndim == 0:
        item = arr.item()
        shown = _fmt(item) if isinstance(item, numbers.Real) else repr(value)
    else:
        bad = arr[too_low if np.any(too_low) else too_high][:3]
        shown = "[" + ", ".join(_fmt(v) for v in bad.tolist()) + "]"
    raise ValueError(f"{name} must be {allowed}, got {shown}")


def check_quorums(replication_factor: Any, read_quorum: Any,
                  write_quorum: Any) -> tuple[int, int, int]:
    """Validate N, R and W: ``N >= 1`` and ``1 <= R, W <= N``; return them.

    The one quorum check of the package, so every module says it the same way:
    ``ValueError: write_quorum must be in 1..replication_factor (3), got 5``.
    """
    n = check_int("replication_factor", replication_factor, 1)
    values = []
    for name, value in (("read_quorum", read_quorum), ("write_quorum", write_quorum)):
        value = check_int(name, value)
        if not 1 <= value <= n:
            raise ValueError(f"{name} must be in 1..replication_factor ({n}), "
                             f"got {value}")
        values.append(value)
    return n, values[0], values[1]
