"""The sandbox's fork server: forks workers for :class:`ptp.sandbox.Interpreter`.

The harness starts this file by path (``python -s -B _forkserver.py SOCK_FD MODULE...``) with
the worker's allow-listed environment, once per harness process. It imports ``_worker.py``
and the preload modules once; each request then forks a worker from this warm interpreter
instead of starting a new one (a new worker per block, ``test_sandbox_bench.py``: median
108.5 ms started, 29.0 ms forked, 2026-11-27). Standard library only, like the worker.

Protocol, on a ``SOCK_SEQPACKET`` Unix socket (one JSON message per packet):
- harness -> server: ``{"workdir": ..., "env": {...}}`` with three descriptors attached
  (the worker's command pipe, reply pipe and output pipe);
- server -> harness: ``{"op": "spawned", "pid": P}``, then, when that process is reaped,
  ``{"op": "exit", "pid": P, "code": C}`` (``C`` as ``os.waitstatus_to_exitcode``).

A forked child becomes what ``_worker.py CMD_FD REPLY_FD`` would be: a new session, its output
pipe as stdout and stderr, only its own descriptors open, the request's working directory and
environment; then the worker's usual startup (``_worker.serve``). The server exits when the
harness closes its end of the socket.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys

import _worker  # this file's directory is sys.path[0] until main() drops it


def _child(request: dict, cmd_fd: int, reply_fd: int, out_fd: int) -> None:
    """In the forked child: become a freshly started worker, serve, never return."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        keep = {0, 1, 2, cmd_fd, reply_fd}
        for name in os.listdir("/proc/self/fd"):
            if int(name) not in keep:
                with contextlib.suppress(OSError):  # the listing's own descriptor
                    os.close(int(name))
        os.chdir(request["workdir"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv[:] = [_worker.__file__, str(cmd_fd), str(reply_fd)]  # as if started by path
        _worker.serve(cmd_fd, reply_fd)
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _reap(sock: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        message = {"op": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)}
        sock.send(json.dumps(message).encode())


def _serve(sock: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a Python handler, so the fd is written
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    while True:
        ready = {fd for fd, _ in poller.poll()}
        if wake_r in ready:
            os.read(wake_r, 512)
            _reap(sock)
        if sock.fileno() not in ready:
            continue
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        if not data:
            return  # the harness closed its end
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            _child(json.loads(data), *fds)
        for fd in fds:
            os.close(fd)  # the worker's copies only: EOF must reach the harness when it dies
        sock.send(json.dumps({"op": "spawned", "pid": pid}).encode())


def main() -> None:
    sock_fd, preload = int(sys.argv[1]), sys.argv[2:]
    sys.path[:] = [p for p in sys.path[1:] if p]  # drop this file's directory (and cwd)
    for name in preload:
        with contextlib.suppress(Exception):  # the worker's own preload reports a failure
            __import__(name)
    _serve(socket.socket(fileno=sock_fd))


if __name__ == "__main__":
    main()
