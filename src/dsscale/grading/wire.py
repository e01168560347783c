"""Newline-delimited JSON messages between the judge and the child.

Each message is one JSON object on one line (``json.dumps`` never writes a
raw newline). The judge reads with a deadline and a bound on the size of a
line, so a child that hangs, floods the channel or writes garbage costs a
:class:`ChannelError`, never the judge's memory or its run.
"""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Callable
from typing import Any

from dsscale.grading.codec import ProtocolError

MAX_MESSAGE = 32 * 1024 * 1024  # bytes in one message (a 4-million-entry list)


class ChannelError(Exception):
    """The other side is gone, too slow, or not speaking the protocol."""


class ChannelClosed(ChannelError):
    """End of file: the other side exited or closed its end."""


class ChannelTimeout(ChannelError):
    """No complete message before the deadline."""


def dumps(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"not a JSON message: {str(exc)[:120]}") from None
    if type(message) is not dict or type(message.get("op")) is not str:
        raise ProtocolError("a message must be a JSON object with an 'op'")
    return message


class Reader:
    """Reads whole lines from a pipe, with a deadline and a size bound.

    ``idle`` is called between waits (at least every ``poll`` seconds); it may
    raise to abandon the read (the judge uses it to drain the child's output
    and to notice that the child exited while a grandchild holds the pipe).
    """

    def __init__(self, fd: int, max_message: int = MAX_MESSAGE) -> None:
        self.fd = fd
        self.max_message = max_message
        self.buffer = bytearray()

    def read(self, deadline: float | None = None, extra: tuple[int, ...] = (),
             on_extra: Callable[[int], None] | None = None,
             idle: Callable[[], None] | None = None, poll: float = 0.25) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                return line
            if len(self.buffer) > self.max_message:
                raise ProtocolError(f"a message longer than {self.max_message} bytes")
            wait = poll if deadline is None else min(poll, deadline - time.monotonic())
            if wait <= 0:
                raise ChannelTimeout("no answer before the deadline")
            ready, _, _ = select.select([self.fd, *extra], [], [], wait)
            for fd in ready:
                if fd != self.fd and on_extra is not None:
                    on_extra(fd)
            if self.fd in ready:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    raise ChannelClosed("the other side closed the channel")
                self.buffer += chunk
            elif idle is not None:
                idle()


def write_all(fd: int, data: bytes, deadline: float | None = None) -> None:
    """Write every byte to a (possibly non-blocking) pipe before ``deadline``."""
    view = memoryview(data)
    while view:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            raise ChannelTimeout("the other side stopped reading")
        _, ready, _ = select.select([], [fd], [], wait)
        if not ready:
            continue
        try:
            written = os.write(fd, view[: 1 << 16])
        except BlockingIOError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            raise ChannelClosed("the other side closed the channel") from None
        view = view[written:]
