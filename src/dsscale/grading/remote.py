"""What the judge holds of the child's world: proxies and errors as data.

A check receives a :class:`Submission` as ``ex``; ``ex.f(...)`` is a request to
the child (see :mod:`dsscale.grading.session`). What comes back is plain data,
or one of these:

* :class:`RemoteObject` stands for an object that stayed in the child; its
  methods can be called, and it equals nothing but itself;
* :class:`StudentError` is an exception the student's code raised; it
  subclasses the matching built-in (``ValueError``, ``NotImplementedError``,
  ...) so that ``except ValueError`` in a check works;
* :class:`ChildLost` means the child died, hung, flooded its output or broke
  the protocol; it costs the running check, and the next check gets a fresh
  child.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsscale.grading.codec import ProtocolError

if TYPE_CHECKING:
    from dsscale.grading.session import Session

# built-in exceptions a StudentError may pose as (constructible from a message)
_MIRRORED = (NotImplementedError, RecursionError, ValueError, TypeError, KeyError,
             IndexError, LookupError, ZeroDivisionError, OverflowError,
             ArithmeticError, AttributeError, MemoryError, RuntimeError)
_MIRRORS: dict[type, type] = {}


class StudentError(Exception):
    """An exception raised by the student's code in the child."""

    type_name: str
    mro: tuple[str, ...]
    message: str
    line: int | None
    filename: str

    def is_a(self, exc_type: type[BaseException]) -> bool:
        """True if the student's exception is an instance of ``exc_type``."""
        return f"{exc_type.__module__}.{exc_type.__qualname__}" in self.mro

    def explain(self) -> str:
        if self.is_a(NotImplementedError):
            return "not implemented yet (still raises NotImplementedError)"
        where = f" (line {self.line} of {self.filename})" if self.line else ""
        return f"raised {self.type_name}: {self.message}{where}"

    def __str__(self) -> str:
        return self.explain()


def student_error(error: Any, filename: str) -> StudentError:
    """Rebuild an exception description sent by the child."""
    if type(error) is not dict:
        raise ProtocolError("an error must be an object")
    mro = tuple(str(m) for m in error.get("mro", ()) if isinstance(m, str))
    base: type = Exception
    for name in mro:
        match = [c for c in _MIRRORED if f"builtins.{c.__qualname__}" == name]
        if match:
            base = match[0]
            break
    cls = _MIRRORS.get(base)
    if cls is None:
        cls = _MIRRORS[base] = type(f"Student{base.__name__}", (StudentError, base), {})
    exc: StudentError = cls(str(error.get("message", ""))[:2000])
    exc.type_name = str(error.get("type", "Exception"))[:100]
    exc.mro = mro
    exc.message = str(error.get("message", ""))[:2000]
    line = error.get("line")
    exc.line = line if type(line) is int else None
    exc.filename = filename
    return exc


class ChildLost(Exception):
    """The child can no longer answer (exit, timeout, flood, bad protocol)."""


class ImportFailed(Exception):
    """Importing the student's file failed; no check of it can run."""


class Refused(AssertionError):
    """The submission uses the library's own implementation of the exercise."""


class RemoteObject:
    """An object that lives in the child; only its methods can be used."""

    __slots__ = ("_session", "_id", "_type")

    def __init__(self, session: Session, ref: int, type_name: str) -> None:
        self._session, self._id, self._type = session, ref, type_name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._session.attribute(self._id, name, f"{self._type} object")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self._id, None, args, kwargs)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, RemoteObject) and other._session is self._session
                and other._id == self._id)

    def __hash__(self) -> int:
        return hash((id(self._session), self._id))

    def __repr__(self) -> str:
        return f"<your {self._type} object>"


class RemoteFunction:
    """A callable attribute of the student's module or of a remote object."""

    __slots__ = ("_session", "_target", "_name", "__name__")

    def __init__(self, session: Session, target: int | None, name: str) -> None:
        self._session, self._target, self._name = session, target, name
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self._target, self._name, args, kwargs)

    def map(self, calls: Any) -> list[Any]:
        """``[f(*args) for args in calls]`` in one round trip (a bare value
        counts as a one-argument call); the first exception is raised."""
        batch = [list(a) if type(a) is tuple else [a] for a in calls]
        value = self._session.call(self._target, self._name, tuple(batch), {},
                                   op="map")
        if type(value) is not list or len(value) != len(batch):
            self._session._lose("sent a malformed answer")
        return list(value)

    def and_args(self, *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
        """Call, and also return the positional arguments as the call left
        them (to see whether the function modified its inputs)."""
        answer = self._session.call(self._target, self._name, args, kwargs,
                                    echo=True)
        if type(answer) is not dict or type(answer.get("args")) is not list:
            self._session._lose("sent a malformed answer")
        return answer.get("value"), answer["args"]

    def __repr__(self) -> str:
        return f"<your function {self._name}>"


class MissingName(AttributeError):
    """The student's module or object lacks an attribute a check uses."""


class Submission:
    """What a check receives as ``ex``: the student's module, seen from afar.

    ``forbidden`` lists dotted prefixes of the library's own implementation of
    the exercise; a function of the submission that *is* one of them (an
    identity, not a name, test) is refused.
    """

    def __init__(self, session: Session, forbidden: tuple[str, ...] = (),
                 reason: str = "") -> None:
        self._session = session
        self._forbidden = forbidden
        self._reason = reason
        self._callables: dict[str, RemoteFunction] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        cached = self._callables.get(name)
        if cached is not None:
            return cached
        session = self._session
        info = session.lookup(None, name)
        if info["kind"] == "missing":
            raise MissingName(f"`{name}` is missing from {session.filename}")
        if info["kind"] == "value":
            return info.get("value")
        origin = f"{info.get('module', '')}.{info.get('qualname', '')}"
        for prefix in self._forbidden:
            if origin == prefix or origin.startswith(prefix + "."):
                raise Refused(f"`{name}` in {session.filename} is {origin}, the "
                              f"library's own implementation; {self._reason}")
        function = self._callables[name] = RemoteFunction(session, None, name)
        return function
