"""The Interpreter: run model-written Python blocks in a confined worker, proxying tools."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
import weakref
from collections.abc import Sequence
from typing import Any, Literal

from ptp.sandbox._channel import OutputBuffer, ProtocolError, WorkerDied
from ptp.sandbox._forks import DEFAULT_PRELOAD
from ptp.sandbox._observation import Isolation, Observation
from ptp.sandbox._process import SandboxError, WorkerConfig, WorkerProcess, choose_uid
from ptp.tools import Tool, ToolError
from ptp.trace import span, to_jsonable

Regime = Literal["persistent", "reset"]


class Interpreter:
    """A Python interpreter for model code, in a worker process with limits.

        with Interpreter("persistent", tools=env.tools()) as py:
            obs = py.run("items = list_items()\\nlen(items)")

    ``persistent`` keeps globals across ``run()`` calls in one long-lived worker; ``reset``
    gives each block a fresh globals dict (and restores builtins) in the same worker, which
    is fast but leaves module attributes, ``sys.modules`` and files as channels between
    blocks; ``fresh_process=True`` starts a new worker for every reset block instead.
    """

    def __init__(
        self,
        regime: Regime,
        tools: Sequence[Tool] = (),
        *,
        timeout_s: float = 5.0,
        memory_mb: int = 512,
        cpu_s: float | None = None,
        max_processes: int = 32,
        max_output_chars: int = 10_000,
        max_tool_calls: int = 50,
        file_size_mb: int = 64,
        drop_privileges: bool = True,
        isolate_network: bool = True,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        fresh_process: bool = False,
    ) -> None:
        """Configure the interpreter; the worker starts on the first ``run()``.

        Args:
            regime: "persistent" (globals survive between blocks) or "reset" (they do not).
            tools: tools callable by name from the code; they run here, in the parent.
            timeout_s: wall-clock limit per block, compilation and tool calls included.
            memory_mb: RLIMIT_AS of the worker.
            cpu_s: RLIMIT_CPU per block (a backstop); default ``timeout_s + 1``.
            max_processes: tasks (threads count) allowed: the worker's pids cgroup's
                ``pids.max`` where cgroups are writable, and RLIMIT_NPROC, which bites fully
                only with a uid of our own (as root).
            max_output_chars: cap on the captured output, the value repr and the traceback.
            max_tool_calls: tool calls allowed per block; later ones raise in the code.
            file_size_mb: RLIMIT_FSIZE (largest file the code may write).
            drop_privileges: as root, run the code as a fresh unprivileged uid.
            isolate_network: run the worker in a new network namespace when possible.
            preload: modules imported when the worker starts (others import on demand); the
                fork server that workers are forked from has ``DEFAULT_PRELOAD`` imported.
            fresh_process: reset regime only: a new worker process for every block.
        """
        if regime not in ("persistent", "reset"):
            raise ValueError(f"regime must be 'persistent' or 'reset', got {regime!r}")
        for tool in tools:
            if not tool.name.isidentifier():
                raise ValueError(f"tool name {tool.name!r} is not a Python identifier; rename it")
        self.regime: Regime = regime
        self.tools = {tool.name: tool for tool in tools}
        self.timeout_s = timeout_s
        self.max_tool_calls = max_tool_calls
        self.fresh_process = fresh_process and regime == "reset"
        uid = choose_uid() if drop_privileges and os.geteuid() == 0 else None
        self.workdir = tempfile.mkdtemp(prefix="ptp-sandbox-")
        # removed on close(), or when the interpreter is garbage-collected unclosed
        self._remove_workdir = weakref.finalize(self, shutil.rmtree, self.workdir, True)
        if uid is not None:
            os.chown(self.workdir, uid, uid)
        self._config = WorkerConfig(
            workdir=self.workdir,
            uid=uid,
            memory_mb=memory_mb,
            cpu_s=cpu_s if cpu_s is not None else timeout_s + 1.0,
            max_processes=max_processes,
            file_size_mb=file_size_mb,
            max_output_chars=max_output_chars,
            isolate_network=isolate_network,
            preload=tuple(preload),
            tools={t.name: t.description for t in tools},
        )
        self._worker: WorkerProcess | None = None
        self._seq = 0
        self._calls = 0  # tool calls of the running block
        self._closed = False
        self.restarts = 0  # workers started after the first one

    @property
    def isolation(self) -> Isolation:
        """What confinement the worker reports; starts a worker when none is running."""
        return self._ensure_worker().isolation

    def __enter__(self) -> Interpreter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill the worker (and every process of its uid) and remove the temp dir."""
        self._closed = True
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
        self._remove_workdir()

    def run(self, code: str) -> Observation:
        """Run one block and return what it printed, returned, raised and cost.

        Args:
            code: Python source; a final expression's repr becomes ``Observation.value``.

        Returns:
            The Observation; also recorded as a ``code`` trace event with nested ``tool``
            events for the calls the code made.
        """
        with span("code", "python", {"code": code, "regime": self.regime}) as event:
            observation = self._run(code)
            if event is not None:
                event.output = to_jsonable(observation)
                if observation.error is not None:
                    event.error = observation.error.rstrip().splitlines()[-1]
        return observation

    def _ensure_worker(self) -> WorkerProcess:
        if self._closed:
            raise SandboxError("the interpreter is closed; create a new one")
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                self.restarts += 1
            self._worker = WorkerProcess(self._config)
        return self._worker

    def _run(self, code: str) -> Observation:
        worker = self._ensure_worker()
        start = time.monotonic()
        self._seq += 1
        channel = worker.channel
        channel.drain()  # output of stray threads between blocks is not this block's
        channel.output = output = OutputBuffer(self._config.max_output_chars)
        self._calls = 0
        failure: str | None = None
        signal_name: str | None = None
        try:
            done = self._exchange(worker, code, start + self.timeout_s)
        except WorkerDied:
            signal_name = _signal_name(worker.exit_signal())
            done, failure = None, self._death_note(signal_name)
        except ProtocolError as err:
            done, failure = None, f"the interpreter process broke the protocol: {err}"
        channel.drain()
        if done is None:
            worker.kill()
            timed_out = failure is None
            error_type = "TimeoutError" if timed_out else "WorkerCrashed"
            why = failure or f"block exceeded the {self.timeout_s:g} s time limit and was killed"
            if timed_out:
                signal_name = "SIGKILL"
            return Observation(
                stdout=output.text(),
                error=f"{error_type}: {why}",
                error_type=error_type,
                timed_out=timed_out,
                state_lost=self.regime == "persistent",
                tool_calls=self._calls,
                duration_s=time.monotonic() - start,
                exit_signal=signal_name,
            )
        if self.fresh_process:
            worker.kill()
        return Observation(
            stdout=output.text(),
            value=_str_or_none(done.get("value")),
            error=_str_or_none(done.get("error")),
            error_type=_str_or_none(done.get("error_type")),
            tool_calls=self._calls,
            duration_s=time.monotonic() - start,
        )

    def _death_note(self, signal_name: str | None) -> str:
        """Why the worker died, as the model reads it: which limit fired, when one did."""
        if signal_name == "SIGXCPU":
            return (
                f"the interpreter process was killed by SIGXCPU: the block used up its CPU "
                f"time limit of {self._config.cpu_s:g} s"
            )
        how = f" of {signal_name}" if signal_name else ""
        return f"the interpreter process died{how} (killed by a limit or by the code)"

    def _exchange(self, worker: WorkerProcess, code: str, deadline: float) -> dict | None:
        """Send the block, serve its tool calls; the ``done`` message, or None on timeout."""
        channel = worker.channel
        request = {"op": "exec", "seq": self._seq, "code": code, "fresh": self.regime == "reset"}
        if not channel.send(request, deadline):
            return None
        while (message := channel.recv(deadline)) is not None:
            if message.get("op") == "call":
                if not channel.send(self._call(message), deadline):
                    return None
            # a stale or forged ``done`` for another block is skipped
            elif message.get("op") == "done" and message.get("seq") == self._seq:
                return message
        return None

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Execute one proxied call here in the parent (counted, traced); returns the reply."""
        name, args, kwargs = message.get("name"), message.get("args"), message.get("kwargs")
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None or not isinstance(args, list) or not isinstance(kwargs, dict):
            return _error("NameError", f"no tool named {name!r}")
        if self._calls >= self.max_tool_calls:
            text = f"tool-call limit of {self.max_tool_calls} per block reached; {name} not run"
            return _error("ToolCallLimitExceeded", text)
        self._calls += 1
        try:
            result = tool(*args, **kwargs)
        except ToolError as err:
            return _error("ToolError", str(err))
        except Exception as err:  # the model's bad call (a TypeError, say) is its observation
            return _error(type(err).__name__, str(err))
        return {"ok": True, "result": to_jsonable(result)}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error_type": kind, "message": message}


def _signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
