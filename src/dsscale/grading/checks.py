"""Registering checks and the assertion helpers they use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

CheckFn = Callable[[ModuleType], None]


@dataclass(frozen=True)
class Check:
    """One graded check of one exercise, worth ``points`` when it passes."""

    exercise: str
    name: str
    points: float
    fn: CheckFn
    uses_ray: bool = False


_REGISTRY: list[Check] = []


def check(exercise: str, *, points: float, name: str,
          uses_ray: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as a check of ``exercise``.

    Checks run in the order they are defined; the function receives the
    student's module and fails by raising ``AssertionError`` with a message
    that tells the student what to look at. ``uses_ray=True`` makes the
    grader start one shared Ray cluster for the whole grading run; the check
    connects to it with :func:`dsscale.raysupport.ray_session` (``RAY_ADDRESS``
    is set for it).
    """
    if points <= 0:
        raise ValueError(f"points must be > 0, got {points}")

    def register(fn: CheckFn) -> CheckFn:
        _REGISTRY.append(Check(exercise, name, float(points), fn, uses_ray))
        return fn

    return register


def registered_checks(exercise: str | None = None) -> list[Check]:
    """Checks registered so far, optionally only those of one exercise."""
    return [c for c in _REGISTRY if exercise is None or c.exercise == exercise]


def clear_registry() -> None:
    _REGISTRY.clear()


def assert_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-9,
                 atol: float = 1e-12) -> None:
    """Fail with a readable message unless ``actual`` matches ``expected``."""
    if actual is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    try:
        a = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(
            f"{what} should be a number, got {type(actual).__name__}: {actual!r}"
        ) from None
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        raise AssertionError(
            f"{what} should have shape {e.shape}, got shape {a.shape}")
    if not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=False):
        shown_a = np.array2string(a, precision=6) if a.ndim else f"{float(a):.6g}"
        shown_e = np.array2string(e, precision=6) if e.ndim else f"{float(e):.6g}"
        raise AssertionError(f"{what} should be {shown_e}, got {shown_a}")


def assert_equal(actual: Any, expected: Any, what: str) -> None:
    """Fail with a readable message unless ``actual == expected``.

    A numpy array is compared as a list, and a comparison that itself raises
    (a numpy scalar against a list, say) counts as unequal.
    """
    if actual is None and expected is not None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    shown = actual.tolist() if isinstance(actual, np.ndarray) else actual
    try:
        same = bool(shown == expected)
    except (TypeError, ValueError):
        same = False
    if not same:
        raise AssertionError(f"{what} should be {expected!r}, got {actual!r}")


def assert_raises(exc_type: type[BaseException], fn: Callable[..., Any],
                  *args: Any, what: str, mentions: str | None = None) -> None:
    """Fail unless ``fn(*args)`` raises ``exc_type`` (naming ``mentions``)."""
    try:
        fn(*args)
    except exc_type as exc:
        if mentions is not None and mentions not in str(exc):
            raise AssertionError(
                f"{what} raised {exc_type.__name__} but its message should name "
                f"'{mentions}'; got: {exc}") from None
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported to the student
        raise AssertionError(
            f"{what} should raise {exc_type.__name__}, "
            f"raised {type(exc).__name__}: {exc}") from None
    raise AssertionError(f"{what} should raise {exc_type.__name__}, returned normally")
