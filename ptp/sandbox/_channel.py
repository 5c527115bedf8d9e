"""Parent side of the worker pipes: framed JSON messages and live output draining.

Everything read here comes from sandboxed code and is treated as untrusted: JSON only (never
pickle), a size cap per message, and every wait bounded by a deadline, so a worker that stops
reading or writes garbage cannot hang or fool the parent beyond its own observation.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import select
import struct
import time
from typing import Any

_HEADER = struct.Struct(">I")  # the worker's _worker.py frames the same way
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class WorkerDied(Exception):
    """The worker closed its end of the pipe (it exited or was killed)."""


class ProtocolError(Exception):
    """The worker sent something that is not a well-formed message."""


class OutputBuffer:
    """Decoded output, kept up to ``cap`` chars; the rest is only counted."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data: bytes, final: bool = False) -> None:
        text = self._decoder.decode(data, final)
        room = self.cap - self.kept
        if len(text) > room:
            self.dropped += len(text) - max(room, 0)
            text = text[: max(room, 0)]
        self.parts.append(text)
        self.kept += len(text)

    def text(self) -> str:
        self.feed(b"", final=True)
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[output truncated: {self.dropped} chars]"
        return out


class Channel:
    """Send commands, receive framed replies, and drain the worker's stdout meanwhile."""

    def __init__(self, reply_fd: int, cmd_fd: int, out_fd: int) -> None:
        self.reply_fd, self.cmd_fd, self.out_fd = reply_fd, cmd_fd, out_fd
        for fd in (cmd_fd, out_fd, reply_fd):
            os.set_blocking(fd, False)
        self._buf = bytearray()
        self.output: OutputBuffer | None = None

    def send(self, message: dict[str, Any], deadline: float) -> bool:
        """Write one message; False when the worker did not take it before ``deadline``."""
        view = memoryview(_frame(message))
        poller = select.poll()
        poller.register(self.cmd_fd, select.POLLOUT)
        while view:
            try:
                view = view[os.write(self.cmd_fd, view) :]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError as err:
                raise WorkerDied from err
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            poller.poll(left * 1000)
        return True

    def recv(self, deadline: float) -> dict[str, Any] | None:
        """The next message, or None when ``deadline`` passes; raises WorkerDied on EOF."""
        poller = select.poll()
        poller.register(self.reply_fd, select.POLLIN)
        poller.register(self.out_fd, select.POLLIN)
        while True:
            message = self._pop()
            if message is not None:
                return message
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for fd, _ in poller.poll(left * 1000):
                if fd != self.out_fd:
                    self._read_reply()
                elif self.drain():
                    # every writer of stdout is gone; a hung-up fd would wake poll forever
                    poller.unregister(self.out_fd)

    def drain(self) -> bool:
        """Move what the worker wrote to stdout/stderr into ``output``; True at end of file."""
        while True:
            try:
                data = os.read(self.out_fd, 1 << 16)
            except BlockingIOError:
                return False
            if not data:
                return True
            if self.output is not None:
                self.output.feed(data)

    def _read_reply(self) -> None:
        try:
            data = os.read(self.reply_fd, 1 << 20)
        except BlockingIOError:
            return
        if not data:
            raise WorkerDied
        self._buf += data

    def _pop(self) -> dict[str, Any] | None:
        if len(self._buf) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self._buf)
        if size > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"message of {size} bytes exceeds {MAX_MESSAGE_BYTES}")
        if len(self._buf) < _HEADER.size + size:
            return None
        body = bytes(self._buf[_HEADER.size : _HEADER.size + size])
        del self._buf[: _HEADER.size + size]
        try:
            message = json.loads(body)
        except (ValueError, RecursionError) as err:
            raise ProtocolError(f"unreadable message: {err}") from err
        if not isinstance(message, dict):
            raise ProtocolError("message is not a JSON object")
        return message

    def close(self) -> None:
        for fd in (self.reply_fd, self.cmd_fd, self.out_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def _frame(message: dict[str, Any]) -> bytes:
    data = json.dumps(message).encode("utf-8")
    return _HEADER.pack(len(data)) + data
