"""Registering checks, and the assertions they judge answers with.

Checks run in the judge's process. They receive the student's module as a
:class:`~dsscale.grading.remote.Submission` (``ex``): ``ex.f(args)`` runs the
student's ``f`` in the sandboxed child and returns plain data; an exception
the student's code raises arrives as a
:class:`~dsscale.grading.remote.StudentError`. Code that must run student
objects (a simulation of the student's classes, a Ray program) is a
:func:`procedure`: trusted code that the child runs next to the student's
module and whose plain-data result the check then judges.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from dsscale.grading.remote import (
    ChildLost,
    MissingName,
    StudentError,
    Submission,
    student_error,
)

CheckFn = Callable[[Any], None]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Check:
    """One graded check of one exercise, worth ``points`` when it passes."""

    exercise: str
    name: str
    points: float
    fn: CheckFn
    uses_ray: bool = False
    requires: tuple[str, ...] = ()
    hidden: bool = False


@dataclass(frozen=True)
class Forbidden:
    """Library code an "implement X" exercise may not use, and why."""

    names: tuple[str, ...]
    reason: str


_REGISTRY: list[Check] = []
_FORBIDDEN: dict[str, Forbidden] = {}
_loading_hidden = [False]  # set by the loader while it imports checks_hidden*.py


def check(exercise: str, *, points: float, name: str, uses_ray: bool = False,
          requires: tuple[str, ...] | list[str] = ()) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as a check of ``exercise``.

    Checks run in the order they are defined and fail by raising
    ``AssertionError`` with a message that names the failing case (without
    handing over an answer to probe for). ``requires`` names earlier checks of
    the same exercise that must pass first (a slow Ray check after the quick
    ones, say); ``uses_ray=True`` runs the exercise's child next to the
    grader's shared Ray cluster. Checks in a ``checks_hidden*.py`` file are
    hidden: left out of the student release and shown after publication.
    """
    if points <= 0:
        raise ValueError(f"points must be > 0, got {points}")

    def register(fn: CheckFn) -> CheckFn:
        _REGISTRY.append(Check(exercise, name, float(points), fn, uses_ray,
                               tuple(requires), _loading_hidden[0]))
        return fn

    return register


def forbid(exercise: str, *names: str, reason: str) -> None:
    """Refuse submissions of ``exercise`` that use the library's ``names``.

    ``names`` are dotted module or object paths (``"dsscale.laws.amdahl"``);
    the judge refuses a file that imports one of them (read from its syntax
    tree, dynamic imports included) or whose function *is* one of them.
    """
    _FORBIDDEN[exercise] = Forbidden(tuple(names), reason)


def forbidden_for(exercise: str) -> Forbidden | None:
    return _FORBIDDEN.get(exercise)


def procedure(fn: F) -> F:
    """Mark ``fn(module, *args)`` as trusted code that runs in the child.

    Called from a check with ``ex`` first, it runs in the sandboxed child on
    the student's real module and returns its result as plain data; keep that
    result raw (a history, counts, a log) and judge it in the check.
    """

    @functools.wraps(fn)
    def run(ex: Any, *args: Any) -> Any:
        if isinstance(ex, Submission):
            return ex._session.procedure(fn.__module__, fn.__qualname__, args)
        return fn(ex, *args)

    return run  # type: ignore[return-value]


def registered_checks(exercise: str | None = None) -> list[Check]:
    """Checks registered so far, optionally only those of one exercise."""
    return [c for c in _REGISTRY if exercise is None or c.exercise == exercise]


def clear_registry() -> None:
    _REGISTRY.clear()
    _FORBIDDEN.clear()


# -- assertions -------------------------------------------------------------------


def _numbers(value: Any, what: str) -> np.ndarray:
    """``value`` as a float array, refusing booleans, strings and objects."""
    def ok(x: Any) -> bool:
        if isinstance(x, bool | np.bool_):
            return False
        if isinstance(x, int | float | np.integer | np.floating):
            return True
        if isinstance(x, np.ndarray):
            return x.dtype.kind in "iuf"
        if type(x) in (list, tuple):
            return all(ok(v) for v in x)
        return False

    if not ok(value):
        raise AssertionError(f"{what} should be a number (or numbers), got "
                             f"{type(value).__name__}: {_short(value)}")
    return np.asarray(value, dtype=float)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def assert_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-9,
                 atol: float = 1e-12, reveal: bool = True) -> None:
    """Fail with a readable message unless ``actual`` matches ``expected``.

    ``reveal=False`` keeps the expected value out of the message (analysis
    answers, where showing it would hand over the answer).
    """
    if actual is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    a = _numbers(actual, what)
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        raise AssertionError(f"{what} should have shape {e.shape}, got shape {a.shape}")
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=False):
        return
    if not reveal:
        raise AssertionError(f"{what} is not the expected answer "
                             f"(tolerance {max(atol, rtol):.3g}), got {_show(a)}")
    raise AssertionError(f"{what} should be {_show(e)}, got {_show(a)}")


def _show(x: np.ndarray) -> str:
    return np.array2string(x, precision=6) if x.ndim else f"{float(x):.6g}"


def same(actual: Any, expected: Any) -> bool:
    """Type-strict equality: 1 is not True, 2.0 is not 2, a list is not a tuple.

    A numpy integer counts as an int and a numpy float as a float; a numpy
    array equals a list with the same entries (compared as a list).
    """
    e, a = expected, actual
    if e is None:
        return a is None
    if isinstance(e, bool | np.bool_):
        return isinstance(a, bool | np.bool_) and bool(a) == bool(e)
    if isinstance(e, int | np.integer):
        return (isinstance(a, int | np.integer) and not isinstance(a, bool | np.bool_)
                and int(a) == int(e))
    if isinstance(e, float | np.floating):
        return isinstance(a, float | np.floating) and float(a) == float(e)
    if isinstance(e, list):
        a = a.tolist() if isinstance(a, np.ndarray) else a
        return type(a) is list and len(a) == len(e) and all(
            same(x, y) for x, y in zip(a, e, strict=True))
    if isinstance(e, tuple):
        return type(a) is tuple and len(a) == len(e) and all(
            same(x, y) for x, y in zip(a, e, strict=True))
    if isinstance(e, dict):
        return (isinstance(a, dict) and a.keys() == e.keys()
                and all(same(a[k], e[k]) for k in e))
    if isinstance(e, set | frozenset):
        return isinstance(a, set | frozenset) and len(a) == len(e) and all(
            any(same(x, y) for x in a) for y in e)
    if isinstance(e, np.ndarray):
        return (isinstance(a, np.ndarray) and a.shape == e.shape
                and a.dtype.kind == e.dtype.kind and bool(np.array_equal(a, e)))
    return type(a) is type(e) and bool(a == e)


def assert_equal(actual: Any, expected: Any, what: str, *,
                 reveal: bool = True) -> None:
    """Fail with a readable message unless ``actual`` equals ``expected``
    (type-strict, see :func:`same`)."""
    if actual is None and expected is not None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if same(actual, expected):
        return
    got = f"{_short(actual)} ({type(actual).__name__})"
    if not reveal:
        raise AssertionError(f"{what} is not the expected answer, got {got}")
    raise AssertionError(f"{what} should be {_short(expected)} "
                         f"({type(expected).__name__}), got {got}")


def mentions(message: str, word: str) -> bool:
    """True if ``word`` appears in ``message`` as a whole word (``n`` is not
    mentioned by "wrong input")."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])",
                     message) is not None


def assert_raises(exc_type: type[BaseException], fn: Callable[..., Any],
                  *args: Any, what: str, mentions: str | None = None) -> None:
    """Fail unless ``fn(*args)`` raises ``exc_type`` whose message names
    ``mentions`` as a whole word."""
    word = mentions
    try:
        fn(*args)
    except (ChildLost, AssertionError, MissingName):
        raise
    except StudentError as exc:
        _judge_student_error(exc, exc_type, what, word)
        return
    except Exception as exc:  # noqa: BLE001 - raised by check-side code
        if not isinstance(exc, exc_type):
            raise AssertionError(f"{what} should raise {exc_type.__name__}, raised "
                                 f"{type(exc).__name__}: {exc}") from None
        _check_mention(what, exc_type, str(exc), word)
        return
    raise AssertionError(f"{what} should raise {exc_type.__name__}, returned normally")


def _check_mention(what: str, exc_type: type[BaseException], message: str,
                   word: str | None) -> None:
    if word is not None and not mentions(message, word):
        raise AssertionError(
            f"{what} raised {exc_type.__name__} but its message should name "
            f"'{word}'; got: {message[:200]}")


def _judge_student_error(exc: StudentError, exc_type: type[BaseException],
                         what: str, word: str | None) -> None:
    if exc.is_a(NotImplementedError) and exc_type is not NotImplementedError:
        raise exc
    if not exc.is_a(exc_type):
        raise AssertionError(f"{what} should raise {exc_type.__name__}, raised "
                             f"{exc.type_name}: {exc.message[:200]}") from None
    _check_mention(what, exc_type, exc.message, word)


def captured(fn: Callable[..., Any], *args: Any) -> dict[str, Any]:
    """Child side, in a procedure: ``fn(*args)`` as ``{"value": ...}`` or
    ``{"error": ...}`` (see :func:`assert_raised`)."""
    from pathlib import Path

    from dsscale.grading.child import describe

    code = getattr(fn, "__code__", None)
    try:
        return {"value": fn(*args)}
    except Exception as exc:  # noqa: BLE001 - reported to the judge as data
        return {"error": describe(exc, Path(code.co_filename if code else ""))}


def assert_raised(outcome: Any, exc_type: type[BaseException], *, what: str,
                  mentions: str | None = None) -> None:
    """Judge side: :func:`assert_raises` for an outcome :func:`captured` returned."""
    if not isinstance(outcome, dict) or not ({"value", "error"} & outcome.keys()):
        raise AssertionError(f"{what}: no outcome came back")
    if "error" not in outcome:
        raise AssertionError(f"{what} should raise {exc_type.__name__}, returned "
                             "normally")
    _judge_student_error(student_error(outcome["error"], ""), exc_type, what, mentions)
