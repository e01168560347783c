"""The judge's side of one sandboxed child: requests, answers, callbacks.

A check receives a :class:`Submission` as ``ex``. ``ex.f(*args)`` sends the
arguments as plain data to the child, which calls the student's ``f`` and
answers with plain data (a value, a reference to an object it keeps, or an
exception as its class names and message). The judge process never imports
the student's file and never holds one of its objects:

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

import sys
import time
from pathlib import Path
from typing import Any

from dsscale.grading.codec import ProtocolError, decode, encode, importable
from dsscale.grading.sandbox import Isolation, Limits, Sandbox
from dsscale.grading.wire import (
    ChannelClosed,
    ChannelError,
    ChannelTimeout,
    Reader,
    dumps,
    loads,
    write_all,
)

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


class Session:
    """One child process running one student file, and the channel to it."""

    def __init__(self, student_file: Path, module_name: str, *, workdir: Path,
                 isolation: Isolation, limits: Limits, deadline: float,
                 env: dict[str, str], readable: list[str],
                 checks_sources: list[dict[str, str]]) -> None:
        self.filename = student_file.name
        self.deadline = deadline
        self.timeout_note = ""
        self.checks_sources = checks_sources
        self.lost: str | None = None
        self.callback_failure: AssertionError | None = None
        self.exports: dict[int, Any] = {}
        self.export_ids: dict[int, int] = {}
        self.next_id = 0
        argv = [sys.executable, "-m", "dsscale.grading.child",
                str(student_file), module_name]
        self.sandbox = Sandbox(argv, env, workdir, student_file.parent, readable,
                               limits, isolation)
        self.reader = Reader(self.sandbox.resp_r)

    # -- life cycle ----------------------------------------------------------------
    def start(self) -> Session:
        """Wait for the child to import the file; raise ImportFailed if it could not."""
        message = self._receive()
        if message["op"] == "import_error":
            error = student_error(message.get("error"), self.filename)
            if error.is_a(SyntaxError):
                raise ImportFailed(f"syntax error in {self.filename} line "
                                   f"{error.line}: {error.message}")
            raise ImportFailed(f"importing {self.filename} failed: {error.explain()}")
        if message["op"] != "ready":
            self._lose(f"sent {message['op']!r} instead of starting")
        # the checks' sources (executed in the child only when a procedure or
        # one of their classes needs them)
        self.request({"op": "load", "modules": self.checks_sources})
        return self

    def close(self) -> None:
        self.sandbox.close()

    def _lose(self, why: str) -> None:
        self.lost = why
        self.sandbox.kill()
        raise ChildLost(why)

    # -- the channel ---------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        if self.lost:
            raise ChildLost(self.lost)
        try:
            write_all(self.sandbox.req_w, dumps(message), self.deadline)
        except ChannelError:
            self._receive()  # report why the child stopped listening
            self._lose("stopped reading the grader's requests")

    def _receive(self) -> dict[str, Any]:
        if self.lost:
            raise ChildLost(self.lost)
        sandbox = self.sandbox

        def idle() -> None:
            if sandbox.exited():
                sandbox.drain()
                raise ChannelClosed("exited")

        try:
            line = self.reader.read(self.deadline, (sandbox.err_r,), sandbox.drain,
                                    idle)
            return loads(line)
        except ChannelTimeout:
            self._lose(self.timeout_note or "timed out (an infinite loop, or far "
                       "too slow?)")
        except ChannelClosed:
            self._lose(self._exit_note())
        except ProtocolError as exc:
            self._lose(f"sent a malformed answer ({exc})")
        raise AssertionError("unreachable")

    def _exit_note(self) -> str:
        if self.sandbox.flooded:
            return (f"printed more than {self.sandbox.limits.output_bytes >> 20} MiB "
                    "to stdout/stderr; the grader stopped it")
        deadline = time.monotonic() + 2.0
        while not self.sandbox.exited() and time.monotonic() < deadline:
            time.sleep(0.01)
        code = self.sandbox.proc.poll()
        tail = self.sandbox.last_line()
        return (f"the exercise process exited with code {code}"
                + (f" ({tail})" if tail else ""))

    def request(self, message: dict[str, Any]) -> Any:
        """Send a request; serve callbacks until its answer arrives."""
        self.next_id += 1
        message["id"] = my_id = self.next_id
        self._send(message)
        while True:
            answer = self._receive()
            op = answer["op"]
            if op == "callback":
                self._serve_callback(answer)
                continue
            if op not in ("reply", "raise") or answer.get("id") != my_id:
                self._lose(f"answered {op!r} out of turn")
            if op == "raise":
                raise student_error(answer.get("error"), self.filename)
            try:
                return decode(answer.get("value"), self._resolve, trusted=False)
            except ProtocolError as exc:
                self._lose(f"sent a malformed answer ({exc})")

    # -- references ---------------------------------------------------------------
    def _export(self, obj: Any) -> Any:
        if isinstance(obj, RemoteObject):
            if obj._session is not self:
                raise TypeError("an object from an earlier run of the student's file")
            return {"$": "ref", "id": obj._id}
        by_name = importable(obj)
        if by_name is not None:
            return by_name
        ref = self.export_ids.get(id(obj))
        if ref is None or self.exports.get(ref) is not obj:
            self.next_id += 1
            ref = self.next_id
            self.exports[ref] = obj
            self.export_ids[id(obj)] = ref
        return {"$": "jref", "id": ref, "type": type(obj).__name__}

    def _resolve(self, tag: dict[str, Any]) -> Any:
        if tag["$"] == "ref":
            return RemoteObject(self, int(tag["id"]), str(tag.get("type", "?"))[:100])
        if int(tag["id"]) not in self.exports:
            raise ProtocolError(f"no grader object {tag['id']}")
        return self.exports[int(tag["id"])]

    def _serve_callback(self, message: dict[str, Any]) -> None:
        name = message.get("name")
        reply: dict[str, Any]
        try:
            target = self._resolve({"$": "jref", "id": message.get("target")})
            if name is not None and not (isinstance(name, str) and name.isidentifier()
                                         and not name.startswith("_")):
                raise TypeError("only public methods of the grader's objects")
            fn = target if name is None else getattr(target, name)
            args = decode(message.get("args"), self._resolve, trusted=False)
            kwargs = decode(message.get("kwargs"), self._resolve, trusted=False)
            if type(args) is not list or type(kwargs) is not dict:
                raise ProtocolError("callback arguments must be a list and a dict")
            value = fn(*args, **kwargs)
            reply = {"op": "reply", "id": message.get("id"),
                     "value": encode(value, self._export)}
        except ProtocolError as exc:
            self._lose(f"sent a malformed callback ({exc})")
        except AssertionError as exc:
            self.callback_failure = self.callback_failure or exc
            reply = {"op": "raise", "id": message.get("id"), "message": str(exc)}
        except Exception as exc:  # noqa: BLE001 - reported to the student's code
            reply = {"op": "raise", "id": message.get("id"),
                     "message": f"{type(exc).__name__}: {exc}"}
        self._send(reply)

    # -- what checks use -------------------------------------------------------------
    def lookup(self, target: int | None, name: str) -> dict[str, Any]:
        """What the child says attribute ``name`` of ``target`` is."""
        info = self.request({"op": "getattr", "target": target, "name": name})
        if type(info) is not dict or info.get("kind") not in ("callable", "value",
                                                              "missing"):
            self._lose("sent a malformed attribute")
        return dict(info)

    def attribute(self, target: int | None, name: str, label: str) -> Any:
        info = self.lookup(target, name)
        if info["kind"] == "missing":
            raise MissingName(f"`{name}` is missing from your {label}")
        if info["kind"] == "callable":
            return RemoteFunction(self, target, name)
        return info.get("value")

    def call(self, target: int | None, name: str | None, args: tuple[Any, ...],
             kwargs: dict[str, Any], echo: bool = False, op: str = "call") -> Any:
        """Call a function of the child (``op="map"``: once per argument list in
        ``args``); a callback's failed assertion is raised afterwards."""
        try:
            value = self.request({"op": op, "target": target, "name": name,
                                  "args": encode(list(args), self._export),
                                  "kwargs": encode(dict(kwargs), self._export),
                                  "echo": echo})
        finally:
            failure, self.callback_failure = self.callback_failure, None
        if failure is not None:
            raise failure
        return value

    def procedure(self, module: str, name: str, args: tuple[Any, ...]) -> Any:
        return self.request({"op": "procedure", "module": module, "name": name,
                             "args": encode(list(args), self._export)})


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
