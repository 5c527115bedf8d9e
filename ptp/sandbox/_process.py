"""Starting, confining and killing one worker process."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import signal
import time
import weakref
from pathlib import Path
from typing import Any

from ptp.sandbox._cgroup import PidsCgroup
from ptp.sandbox._channel import Channel, ProtocolError, WorkerDied
from ptp.sandbox._forks import ForkedWorker, spawn_worker
from ptp.sandbox._observation import Isolation

STARTUP_TIMEOUT_S = 30.0
# The only variables copied from the parent; everything else (API keys) stays out.
ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "TZ")


class SandboxError(RuntimeError):
    """The sandbox itself failed (the worker could not start), not the model's code."""


@dataclasses.dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs to confine itself; sent as its first message."""

    workdir: str
    uid: int | None
    memory_mb: int
    cpu_s: float
    max_processes: int
    file_size_mb: int
    max_output_chars: int
    isolate_network: bool
    preload: tuple[str, ...]
    tools: dict[str, str]
    cgroup_procs: str | None = None  # the worker joins this pids cgroup before any model code


def choose_uid() -> int | None:
    """A random unused-looking high uid inside this user namespace's uid map, or None.

    A uid of the interpreter's own makes RLIMIT_NPROC count only its processes and lets
    ``kill(-1)`` run as that uid reach exactly the sandbox's processes.
    """
    try:
        rows = Path("/proc/self/uid_map").read_text().split("\n")
    except OSError:
        return None
    spans = []
    for row in rows:
        parts = row.split()
        if len(parts) == 3:
            start, count = int(parts[0]), int(parts[2])
            lo, hi = max(start, 1_000_000), min(start + count - 1, 2**31 - 2)
            if hi - lo > 1_000:
                spans.append((lo, hi))
    if not spans:
        return None
    lo, hi = max(spans, key=lambda s: s[1] - s[0])
    return random.SystemRandom().randint(lo, hi)


def build_env(workdir: str) -> dict[str, str]:
    """The worker's whole environment: an allow-list from the parent plus fixed values."""
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        HOME=workdir,
        TMPDIR=workdir,
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        # native thread pools would spend the process cap (RLIMIT_NPROC counts threads)
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def kill_uid(uid: int, rounds: int = 200) -> None:
    """SIGKILL every live process of ``uid`` until none is left (catches setsid escapees)."""
    for _ in range(rounds):
        found = False
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/status") as f:
                    status = f.read()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            real_uid = int(fields.get("Uid", "-1").split()[0])
            if real_uid == uid and not fields.get("State", "").strip().startswith(("Z", "X")):
                found = True
                with contextlib.suppress(OSError):
                    os.kill(int(name), signal.SIGKILL)
        if not found:
            return
        time.sleep(0.001)


def _terminate(
    proc: ForkedWorker, channel: Channel, uid: int | None, cgroup: PidsCgroup | None
) -> None:
    # the forked child called setsid(): its pid is its process group id
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    if cgroup is not None:
        cgroup.destroy()
    if uid is not None:
        kill_uid(uid)
    proc.wait(5.0)
    channel.close()


class WorkerProcess:
    """One running worker: its channel, its confinement report, and how to kill it."""

    def __init__(self, config: WorkerConfig) -> None:
        self.uid = config.uid
        # RLIMIT_NPROC and pids.max both count threads, the worker's own included
        self.cgroup = PidsCgroup.create(config.max_processes)
        if self.cgroup is not None:
            config = dataclasses.replace(config, cgroup_procs=self.cgroup.procs_file)
        cmd_r, cmd_w = os.pipe()
        reply_r, reply_w = os.pipe()
        out_r, out_w = os.pipe()
        try:
            self.proc = spawn_worker(config.workdir, build_env(config.workdir),
                                     (cmd_r, reply_w, out_w))  # fmt: skip
        except BaseException:
            for fd in (cmd_w, reply_r, out_r):
                os.close(fd)
            if self.cgroup is not None:
                self.cgroup.destroy()
            raise
        finally:
            for fd in (cmd_r, reply_w, out_w):
                os.close(fd)
        self.channel = Channel(reply_r, cmd_w, out_r)
        self._finalizer = weakref.finalize(
            self, _terminate, self.proc, self.channel, self.uid, self.cgroup
        )
        self.isolation = self._handshake(config)

    def _handshake(self, config: WorkerConfig) -> Isolation:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        try:
            if not self.channel.send(dataclasses.asdict(config), deadline):
                raise SandboxError("worker did not read its config")
            reply = self.channel.recv(deadline)
        except (WorkerDied, ProtocolError) as err:
            self.kill()
            raise SandboxError(f"worker failed to start: {err!r}") from err
        if reply is None or reply.get("op") != "ready":
            self.kill()
            raise SandboxError(f"worker did not start within {STARTUP_TIMEOUT_S}s: {reply!r}")
        info: dict[str, Any] = reply["isolation"]
        return Isolation(**{**info, "notes": tuple(info["notes"])})

    def exit_signal(self, timeout_s: float = 2.0) -> int | None:
        """The signal that ended the worker, waiting up to ``timeout_s`` for it to exit.

        None when it exited without a signal or is still running. The waiting process that
        ``_worker.py`` leaves as the worker's parent exits with 128 + N when the worker died of
        signal N.
        """
        code = self.proc.wait(timeout_s)
        if code is None:
            return None
        if code < 0:  # the waiting process itself was killed
            return -code
        return code - 128 if code > 128 else None

    @property
    def alive(self) -> bool:
        """True until the worker is killed."""
        return self._finalizer.alive

    def kill(self) -> None:
        """Kill the worker's process group, its cgroup, and (own uid) every process of it."""
        self._finalizer()
