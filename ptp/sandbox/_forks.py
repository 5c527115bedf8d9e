"""The harness's side of the fork server (``_forkserver.py``): one per harness process,
started on the first worker, restarted when it died or the harness forked."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

FORKSERVER_PATH = Path(__file__).with_name("_forkserver.py")
# Imported once by the fork server, so that workers start with them (and the model's usual
# imports cost nothing in a block).
DEFAULT_PRELOAD = (
    "bisect", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
    "fractions", "functools", "heapq", "itertools", "json", "math", "operator", "random",
    "re", "statistics", "string", "textwrap", "time", "typing",
)  # fmt: skip
_REPLY_TIMEOUT_S = 30.0


class ForkServerGone(OSError):
    """The fork server exited (or stopped answering); a new one is started on the next spawn."""


class ForkServer:
    """A child process that forks workers on request and reports how they exited."""

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-s", "-B", str(FORKSERVER_PATH), str(theirs.fileno()),
                 *DEFAULT_PRELOAD],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), cwd="/", env=env, start_new_session=True,
            )  # fmt: skip
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        self.owner = os.getpid()
        self.gone = False
        self.exits: dict[int, int] = {}  # pid -> exit code, reported and not yet asked for
        self.spawned: list[int] = []  # pids of forks reported and not yet taken by spawn()
        # re-entrant: a worker's finalizer (wait) may run in a garbage collection that starts
        # while this thread holds the lock
        self.lock = threading.RLock()

    @property
    def usable(self) -> bool:
        """Whether this process may still send it requests."""
        return not self.gone and self.owner == os.getpid() and self.proc.poll() is None

    def spawn(self, workdir: str, env: dict[str, str], fds: tuple[int, int, int]) -> int:
        """Fork a worker with ``fds`` (command, reply, output pipes); returns its pid."""
        request = json.dumps({"workdir": workdir, "env": env}).encode()
        with self.lock:
            try:
                socket.send_fds(self.sock, [request], list(fds))
            except OSError as err:
                self.gone = True
                raise ForkServerGone(f"the sandbox's fork server is gone: {err}") from err
            deadline = time.monotonic() + _REPLY_TIMEOUT_S
            while not self.spawned:
                if self._receive(deadline) is None:
                    self.gone = True
                    raise ForkServerGone("the sandbox's fork server did not answer")
            return self.spawned.pop(0)

    def wait(self, pid: int, timeout_s: float) -> int | None:
        """The exit code of worker ``pid`` (negative: killed by that signal), waiting up to
        ``timeout_s``; None while it runs, or when the server that forked it is gone."""
        deadline = time.monotonic() + timeout_s
        with self.lock:
            while pid not in self.exits:
                if self._receive(deadline) is None:
                    return None
            return self.exits.pop(pid)

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        """The next message, recorded in ``exits`` or ``spawned``; None at the deadline or EOF."""
        while not self.gone:
            if not select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))[0]:
                return None
            data = self.sock.recv(1 << 16)
            if not data:
                self.gone = True
                return None
            message = json.loads(data)
            if message["op"] == "exit":
                self.exits[message["pid"]] = message["code"]
            elif message["op"] == "spawned":
                # the server reaps (and reports) a pid before the kernel can reuse it: an exit
                # recorded for this pid now is an earlier process's
                self.exits.pop(message["pid"], None)
                self.spawned.append(message["pid"])
            return message
        return None

    def close(self) -> None:
        """Close the socket; the server exits when it sees that."""
        self.gone = True
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class ForkedWorker:
    """A worker forked by the server: its pid, and its exit code once known."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def wait(self, timeout_s: float) -> int | None:
        """The exit code (negative: the signal), or None when not known within ``timeout_s``."""
        if self.returncode is None:
            self.returncode = self.server.wait(self.pid, timeout_s)
        return self.returncode


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server(env: dict[str, str]) -> ForkServer:
    """This process's fork server, started when there is none usable (with the workers'
    environment ``env`` less its per-worker HOME and TMPDIR)."""
    global _server
    with _server_lock:
        if _server is None or not _server.usable:
            _server = ForkServer({k: v for k, v in env.items() if k not in ("HOME", "TMPDIR")})
        return _server


def spawn_worker(workdir: str, env: dict[str, str], fds: tuple[int, int, int]) -> ForkedWorker:
    """Fork a worker in ``workdir`` with environment ``env`` and pipes ``fds``."""
    server = fork_server(env)
    try:
        return ForkedWorker(server, server.spawn(workdir, env, fds))
    except ForkServerGone:  # marked gone: fork_server() starts a new one, tried once
        server = fork_server(env)
        return ForkedWorker(server, server.spawn(workdir, env, fds))
