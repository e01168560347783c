"""The judge's side of one sandboxed child: requests, answers, callbacks.

A :class:`Session` starts the child in its sandbox, waits for it to import
the student's file, then carries the checks' requests (``getattr``, ``call``,
``map``, ``procedure``) as JSON lines and brings back plain data, serving
the child's callbacks to judge objects meanwhile. Every read has the
exercise's deadline and a size bound; a child that exits, hangs, floods or
breaks the protocol is killed and reported as
:class:`~dsscale.grading.remote.ChildLost`. The proxies a check sees are in
:mod:`dsscale.grading.remote`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from dsscale.grading.codec import ProtocolError, decode, encode, importable
from dsscale.grading.remote import (
    ChildLost,
    ImportFailed,
    MissingName,
    Refused,
    RemoteFunction,
    RemoteObject,
    StudentError,
    Submission,
    student_error,
)
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

__all__ = ["ChildLost", "ImportFailed", "MissingName", "Refused", "RemoteFunction",
           "RemoteObject", "Session", "StudentError", "Submission", "student_error"]


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
