"""The sandboxed child: import one student file, then answer the judge.

``python -m dsscale.grading.child STUDENT_PY MODULE_NAME``

The judge writes requests on the child's stdin and reads answers on its
stdout; the child moves both to private descriptors before the student's
file runs, so the student's ``print`` goes to stderr, which the judge reads
through a bounded buffer. Requests:

``getattr``  an attribute of the module or of an object the child holds;
``call``     call one, with arguments rebuilt by :mod:`dsscale.grading.codec`;
``map``      call one function on many argument tuples, in one round trip;
``load``     the trusted checks' source, for child-side procedures;
``procedure`` run a trusted procedure on the student's module (Ray
             programs, simulations of student classes) and return its data.

While serving a request the child may itself ask the judge to run a callback
(a function the check passed as an argument). Nothing the child says is
trusted: it only ever *answers*, and the judge decides what an answer is worth.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from dsscale.grading import codec
from dsscale.grading.codec import ProtocolError, decode, encode
from dsscale.grading.wire import ChannelClosed, Reader, dumps, loads, write_all


class JudgeCallbackError(Exception):
    """A callback the grader ran for you failed (you called it wrongly?)."""


class JudgeProxy:
    """A judge object the student's code may call, or call methods of."""

    __slots__ = ("_child", "_id", "_kind")

    def __init__(self, child: Child, ref: int, kind: str) -> None:
        self._child, self._id, self._kind = child, ref, kind

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._child.callback(self._id, None, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _JudgeMethod(self, name)

    def __repr__(self) -> str:
        return f"<grader's {self._kind}>"


class _JudgeMethod:
    __slots__ = ("_owner", "_name")

    def __init__(self, owner: JudgeProxy, name: str) -> None:
        self._owner, self._name = owner, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner = self._owner
        return owner._child.callback(owner._id, self._name, args, kwargs)


def describe(exc: BaseException, student_file: Path) -> dict[str, Any]:
    """An exception as data: its classes, message and line in the student file."""
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        message = "<unprintable message>"
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == student_file:
            line = frame.lineno
    mro = [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__][:30]
    return {"type": type(exc).__qualname__[:100], "mro": mro,
            "message": message[:2000], "line": line}


class Child:
    """Serves the judge's requests over a pair of private descriptors."""

    def __init__(self, read_fd: int, write_fd: int, student_file: Path) -> None:
        self.reader = Reader(read_fd)
        self.write_fd = write_fd
        self.student_file = student_file
        self.module: ModuleType | None = None
        self.handles: dict[int, Any] = {}
        self.by_identity: dict[int, int] = {}
        self.next_id = 0
        self.checks: dict[str, ModuleType] = {}
        self.sources: list[dict[str, str]] = []

    # -- references ------------------------------------------------------------
    def export(self, obj: Any) -> Any:
        if isinstance(obj, JudgeProxy):
            return {"$": "jref", "id": obj._id}
        ref = self.by_identity.get(id(obj))
        if ref is None or self.handles.get(ref) is not obj:
            self.next_id += 1
            ref = self.next_id
            self.handles[ref] = obj
            self.by_identity[id(obj)] = ref
        return {"$": "ref", "id": ref, "type": type(obj).__qualname__[:100]}

    def resolve(self, tag: dict[str, Any]) -> Any:
        if tag["$"] == "jref":
            return JudgeProxy(self, int(tag["id"]), str(tag.get("type", "object")))
        try:
            return self.handles[int(tag["id"])]
        except KeyError:
            raise ProtocolError(f"no object {tag['id']} in the child") from None

    # -- messages --------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        write_all(self.write_fd, dumps(message))

    def callback(self, ref: int, name: str | None, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        """Ask the judge to run one of its objects; serve requests meanwhile."""
        self.next_id += 1
        my_id = self.next_id
        self.send({"op": "callback", "id": my_id, "target": ref, "name": name,
                   "args": encode(list(args), self.export),
                   "kwargs": encode(kwargs, self.export)})
        while True:
            message = loads(self.reader.read())
            if message["op"] in ("reply", "raise") and message.get("id") == my_id:
                if message["op"] == "raise":
                    raise JudgeCallbackError(str(message.get("message", ""))[:2000])
                return decode(message["value"], self.resolve, trusted=True)
            self.serve(message)

    def serve(self, message: dict[str, Any]) -> None:
        request = message.get("id")
        try:
            value = self.answer(message)
            reply = {"op": "reply", "id": request, "value": encode(value, self.export)}
        except ProtocolError:
            raise
        except BaseException as exc:  # noqa: BLE001 - anything the student did
            reply = {"op": "raise", "id": request,
                     "error": describe(exc, self.student_file)}
        self.send(reply)

    def answer(self, message: dict[str, Any]) -> Any:
        op = message["op"]
        target = self._target(message.get("target"))
        if op == "getattr":
            return self._getattr(target, str(message["name"]))
        if op == "call":
            fn = target if message.get("name") is None else getattr(
                target, str(message["name"]))
            args = decode(message["args"], self.resolve, trusted=True)
            kwargs = decode(message["kwargs"], self.resolve, trusted=True)
            value = fn(*args, **kwargs)
            return {"value": value, "args": args} if message.get("echo") else value
        if op == "map":  # many calls of one function, in one round trip
            fn = getattr(target, str(message["name"]))
            return [fn(*args) for args in decode(message["args"], self.resolve,
                                                 trusted=True)]
        if op == "load":
            self.sources = list(message["modules"])
            return None
        if op == "procedure":
            module = self._checks_module(str(message["module"]))
            fn = getattr(module, str(message["name"]))
            args = decode(message["args"], self.resolve, trusted=True)
            return fn(self.module, *args)
        raise ProtocolError(f"unknown request {op!r}")

    def _target(self, ref: Any) -> Any:
        return self.module if ref is None else self.resolve({"$": "ref", "id": ref})

    def _getattr(self, target: Any, name: str) -> dict[str, Any]:
        try:
            value = getattr(target, name)
        except AttributeError:
            return {"kind": "missing"}
        if callable(value):
            return {"kind": "callable",
                    "module": str(getattr(value, "__module__", ""))[:200],
                    "qualname": str(getattr(value, "__qualname__", ""))[:200]}
        return {"kind": "value", "value": value}

    def _checks_module(self, name: str) -> ModuleType:
        if name not in self.checks:
            for source in self.sources:
                if source["name"] == name:
                    module = ModuleType(name)
                    module.__file__ = source["filename"]
                    sys.modules[name] = module
                    code = compile(source["source"], source["filename"], "exec")
                    exec(code, module.__dict__)  # noqa: S102 - the trusted checks
                    self.checks[name] = module
                    break
            else:
                raise ProtocolError(f"no checks module {name!r} was loaded")
        return self.checks[name]

    # -- life cycle --------------------------------------------------------------
    def start(self, module_name: str) -> bool:
        """Import the student's file; tell the judge how it went."""
        sys.path.insert(0, str(self.student_file.parent))
        try:
            spec = importlib.util.spec_from_file_location(module_name,
                                                          self.student_file)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {self.student_file.name}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001 - includes SystemExit
            self.send({"op": "import_error", "error": describe(exc, self.student_file)})
            return False
        self.module = module
        self.send({"op": "ready"})
        return True

    def run(self) -> None:
        while True:
            try:
                message = loads(self.reader.read())
            except ChannelClosed:
                return
            self.serve(message)


def main(argv: list[str]) -> int:
    student_file, module_name = Path(argv[0]).resolve(), argv[1]
    read_fd, write_fd = os.dup(0), os.dup(1)  # private: not inherited by exec
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # print() joins stderr, which the judge bounds
    sys.dont_write_bytecode = True
    child = Child(read_fd, write_fd, student_file)
    codec.checks_loader.append(child._checks_module)
    if child.start(module_name):
        child.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
