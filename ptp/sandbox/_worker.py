"""The sandbox worker: runs model-written code blocks for :class:`ptp.sandbox.Interpreter`.

The harness's fork server (``_forkserver.py``, started by path) imports it and forks workers
that call ``serve(CMD_FD, REPLY_FD)``; ``ptp`` never imports it, and talks to a worker over
two pipes: 4-byte big-endian length + UTF-8 JSON each way
(JSON, not pickle, because the parent must never deserialize objects from sandboxed code).
It uses the standard library only, so that it runs before ``ptp`` is importable and after
privileges are dropped.

Startup, before any model code runs: fork (the parent of the worker becomes this small
waiting process, so ``os.getppid()`` is never the harness), read the config, enter a new
network namespace if it can, preload modules, set rlimits, drop to the sandbox uid.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import ctypes
import io
import json
import linecache
import math
import os
import random
import resource
import signal
import stat
import struct
import sys
import threading
import traceback
from typing import Any

_HEADER = struct.Struct(">I")
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_DUMPABLE = 4


class ProxiedToolError(Exception):
    """A tool refused its input (it raised ``ptp.tools.ToolError`` in the parent); the
    message says why. The model's code sees this class as ``ToolError``."""


class ToolCallLimitExceeded(Exception):
    """This block made more tool calls than allowed; further calls are refused."""


# The model writes ``except ToolError`` and reads ``ToolError: ...`` in tracebacks: the name
# of the error the tool raised. Only ptp's source calls this class ProxiedToolError, so that
# it never shares a name with the public ``ptp.tools.ToolError`` there.
ProxiedToolError.__name__ = ProxiedToolError.__qualname__ = "ToolError"
ProxiedToolError.__module__ = ToolCallLimitExceeded.__module__ = "builtins"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError("parent closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class _Channel:
    """Framed JSON messages over two pipe fds."""

    def __init__(self, cmd_fd: int, reply_fd: int) -> None:
        self.cmd_fd, self.reply_fd = cmd_fd, reply_fd

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, default=_json_default).encode("utf-8")
        _write_all(self.reply_fd, _HEADER.pack(len(data)) + data)

    def recv(self) -> dict[str, Any]:
        (size,) = _HEADER.unpack(_read_exact(self.cmd_fd, _HEADER.size))
        return json.loads(_read_exact(self.cmd_fd, size))


def _json_default(value: Any) -> Any:
    # numpy scalars and similar number-likes are common tool arguments in model code
    if hasattr(value, "__index__"):
        return value.__index__()
    if hasattr(value, "__float__"):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(
        f"tool arguments must be JSON data (str, int, float, bool, None, list, dict); "
        f"got {type(value).__name__}"
    )


class _Output(io.TextIOBase):
    """sys.stdout/sys.stderr: unbuffered writes to fd 1, which the parent drains live."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        _write_all(1, text.encode("utf-8", "backslashreplace"))
        return len(text)

    def isatty(self) -> bool:
        return False


def _unshare(flags: int) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(flags) == 0


def _user_tasks(uid: int) -> int:
    """Processes + threads of ``uid`` (what RLIMIT_NPROC counts)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1 ").split()[0]) == uid:
            total += int(fields.get("Threads", "1").strip())
    return total


def _world_readable(path: str) -> bool:
    """Whether a uid with no groups can list ``path`` (its "other" permission bits)."""
    parts = os.path.abspath(path).split(os.sep)
    for depth in range(1, len(parts) + 1):
        try:
            mode = os.stat(os.sep.join(parts[:depth]) or os.sep).st_mode
        except OSError:
            return True  # a missing entry stays as it is
        need = stat.S_IXOTH | (stat.S_IROTH if depth == len(parts) else 0)
        if mode & need != need:
            return False
    return True


def _reach_sys_path() -> None:
    """Keep sys.path importable after the uid drop when an ancestor dir is private.

    An interpreter installed under /root (mode 700) is unreadable to the sandbox uid. A
    directory fd opened now, as root, stays usable through /proc/self/fd/N, whose lookup
    skips the ancestors' permission checks (the process must be dumpable, set after setuid).
    Packages imported already (``encodings``...) get their ``__path__`` moved the same way.
    """
    moved: dict[str, str] = {}
    for i, path in enumerate(sys.path):
        if os.path.isdir(path) and not _world_readable(path):
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            moved[path] = sys.path[i] = f"/proc/self/fd/{fd}"
    for module in list(sys.modules.values()):
        paths = getattr(module, "__path__", None)
        if not isinstance(paths, list):
            continue
        for j, entry in enumerate(paths):
            for old, new in moved.items():
                if entry == old or entry.startswith(old + os.sep):
                    paths[j] = new + entry[len(old) :]
    sys.path_importer_cache.clear()


def _setup(cfg: dict[str, Any]) -> dict[str, Any]:
    """Confine this process; returns what actually applies (the parent reports it)."""
    notes: list[str] = []
    uid = cfg["uid"]
    tree_capped = False
    if cfg.get("cgroup_procs"):
        # first, before any model code: every process it makes is born inside the cgroup
        try:
            with open(cfg["cgroup_procs"], "w") as f:
                f.write(str(os.getpid()))
            tree_capped = True
        except OSError as err:
            notes.append(f"could not join the pids cgroup: {err}")
    else:
        notes.append("no pids cgroup: setsid escapees are bounded only by uid and RLIMIT_NPROC")
    # RLIMIT_NPROC counts every task of the real uid; without a uid of our own, allow headroom
    nproc = cfg["max_processes"] + (0 if uid is not None else _user_tasks(os.getuid()))
    network = False
    if cfg["isolate_network"]:
        # as root a plain net namespace; otherwise try an unprivileged user+net namespace
        network = _unshare(_CLONE_NEWNET) if os.geteuid() == 0 else False
        if not network and uid is None:
            network = _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
        if not network:
            notes.append("network namespace unavailable: sockets reach the host network")
    if uid is not None:
        _reach_sys_path()
    for name in cfg["preload"]:
        try:
            __import__(name)
        except Exception as err:
            notes.append(f"preload {name} failed: {type(err).__name__}: {err}")
    random.seed(0)  # observations feed the next prompt: keep them the same on every run
    os.chdir(cfg["workdir"])
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cfg["memory_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (cfg["file_size_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    reachable = [p for p in sys.path if os.path.isdir(p)]
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        # setuid cleared "dumpable", which makes /proc/self root-owned and unreadable
        ctypes.CDLL(None).prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
    elif os.geteuid() == 0:
        notes.append("running as root: RLIMIT_NPROC does not apply, signals reach any process")
        if tree_capped:  # root code could raise its own pids.max or leave the cgroup
            tree_capped = False
            notes.append("running as root: the pids cgroup caps only code that leaves it alone")
    # a file over RLIMIT_FSIZE should raise OSError(EFBIG) in the code, not kill the worker
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return {
        "uid": os.getuid(),
        "privileges_dropped": uid is not None,
        "network_isolated": network,
        "process_cap": nproc,
        "process_tree_capped": tree_capped,
        "imports_limited": not all(os.access(p, os.R_OK | os.X_OK) for p in reachable),
        "notes": notes,
    }


def _fresh_namespace() -> dict[str, Any]:
    return {"__name__": "__main__", "__builtins__": builtins}


def _error_text(err: BaseException, limit: int) -> str:
    """The traceback trimmed to frames of the model's cells (``<cell N>``)."""
    te = traceback.TracebackException(type(err), err, err.__traceback__, compact=True)
    seen: set[int] = set()
    todo = [te]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        cells = [f for f in item.stack if f.filename.startswith("<cell")]
        item.stack = traceback.StackSummary.from_list(cells)
        todo += [e for e in (item.__cause__, item.__context__) if e is not None]
    text = "".join(te.format())
    if len(text) <= limit:
        return text
    # the end of a traceback (the exception line) matters most
    return f"[output truncated: {len(text) - limit} chars]\n{text[-limit:]}"


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[output truncated: {len(text) - limit} chars]"


class Worker:
    """Executes blocks in one namespace and proxies tool calls to the parent."""

    def __init__(self, channel: _Channel, cfg: dict[str, Any]) -> None:
        self.channel = channel
        self.cfg = cfg
        self.pid = os.getpid()
        self.seq = 0
        self.lock = threading.Lock()  # one request/reply pair on the pipe at a time
        self.namespace = _fresh_namespace()
        self.builtins_snapshot = dict(builtins.__dict__)
        self.own_uid = cfg["uid"] is not None and os.getresuid() == (cfg["uid"],) * 3
        self.kill = os.kill  # bound before model code can replace os.kill
        self.out = _Output()

    def call_tool(self, name: str, args: tuple, kwargs: dict) -> Any:
        if os.getpid() != self.pid:
            raise RuntimeError("tools can only be called from the interpreter process")
        message = {"op": "call", "seq": self.seq, "name": name, "args": args, "kwargs": kwargs}
        with self.lock:
            self.channel.send(message)
            reply = self.channel.recv()
        if reply.get("ok"):
            return reply.get("result")
        kind, text = reply.get("error_type", "RuntimeError"), reply.get("message", "")
        if kind == "ToolError":
            raise ProxiedToolError(text)
        if kind == "ToolCallLimitExceeded":
            raise ToolCallLimitExceeded(text)
        exc = getattr(builtins, kind, None)
        if isinstance(exc, type) and issubclass(exc, Exception):
            raise exc(text)
        raise RuntimeError(f"{kind}: {text}")

    def _proxy(self, name: str, doc: str) -> Any:
        def tool(*args: Any, **kwargs: Any) -> Any:
            return self.call_tool(name, args, kwargs)

        tool.__name__ = tool.__qualname__ = name
        tool.__doc__ = doc
        return tool

    def _bind(self) -> None:
        # re-bound before every block: a name the code replaced is the real proxy again
        for name, doc in self.cfg["tools"].items():
            self.namespace[name] = self._proxy(name, doc)
        self.namespace["ToolError"] = ProxiedToolError

    def _execute(self, code: str, filename: str) -> str | None:
        lines = code.splitlines(keepends=True)
        linecache.cache[filename] = (len(code), None, lines, filename)
        tree = ast.parse(code, filename, "exec")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, filename, "exec", dont_inherit=True), self.namespace)
        if last is None:
            return None
        expr = ast.Expression(last.value)
        result = eval(compile(expr, filename, "eval", dont_inherit=True), self.namespace)
        return None if result is None else _cap(repr(result), self.cfg["max_output_chars"])

    def _exit_if_forked(self) -> None:
        # a child the code forked finishes the block's code, then must not answer the parent
        if os.getpid() != self.pid:
            os._exit(0)

    def _kill_strays(self) -> None:
        """No process outlives its block (kill only when this uid is ours alone); reap.

        One ``kill(-1)`` reaches every process of our uid but this one, atomically with
        respect to fork; they die asynchronously (a pending SIGKILL never returns to user
        code). Children killed earlier are reaped here so they stop counting for RLIMIT_NPROC.
        """
        if self.own_uid:
            with contextlib.suppress(OSError):
                self.kill(-1, signal.SIGKILL)
        # reaped in every case: unreaped zombies would keep counting against pids.max
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass

    def run_block(self, message: dict[str, Any]) -> dict[str, Any]:
        self.seq = message["seq"]
        if message.get("fresh"):
            self.namespace = _fresh_namespace()
            # names the code added to builtins would otherwise carry state across blocks
            current = builtins.__dict__
            for name in [n for n in current if n not in self.builtins_snapshot]:
                del current[name]
            current.update(self.builtins_snapshot)
        sys.stdout, sys.stderr = self.out, self.out
        self._bind()
        self._kill_strays()  # reaps zombies of the previous block's strays
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(used.ru_utime + used.ru_stime + self.cfg["cpu_s"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
        value = error = error_type = None
        try:
            value = self._execute(message["code"], f"<cell {self.seq}>")
        except BaseException as err:
            self._exit_if_forked()
            error_type = type(err).__name__
            error = _error_text(err, self.cfg["max_output_chars"])
        self._exit_if_forked()
        self._kill_strays()
        return {"op": "done", "seq": self.seq, "value": value, "error": error,
                "error_type": error_type}  # fmt: skip

    def serve(self) -> None:
        while True:
            try:
                message = self.channel.recv()
            except EOFError:
                return
            if message.get("op") != "exec":
                return
            reply = self.run_block(message)
            with self.lock:
                self.channel.send(reply)


def _become_child() -> None:
    """Fork; the original process only waits, so the worker's parent is not the harness."""
    pid = os.fork()
    if pid == 0:
        return
    os.closerange(0, 256)
    _, status = os.waitpid(pid, 0)
    # the shell's convention: 128 + N when the worker died of signal N (SIGXCPU: the CPU
    # limit), so the parent can say which limit fired
    code = os.waitstatus_to_exitcode(status)
    os._exit(128 - code if code < 0 else code & 0xFF)


def serve(cmd_fd: int, reply_fd: int) -> None:
    """Fork off the waiting parent, confine this process as configured, run blocks."""
    _become_child()
    channel = _Channel(cmd_fd, reply_fd)
    cfg = channel.recv()
    isolation = _setup(cfg)
    channel.send({"op": "ready", "isolation": isolation})
    Worker(channel, cfg).serve()
