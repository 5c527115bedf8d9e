"""A pids cgroup per worker: caps the whole process tree and kills all of it.

Membership in a cgroup is inherited by every descendant and cannot be left by ``setsid`` or
double forks; code running as an unprivileged uid that does not own the cgroup files can
neither leave it nor raise its ``pids.max``. (Code running as root, or as the owner of a
delegated subtree, could: the worker then reports the tree as not capped.)

Supported: a cgroup v1 ``pids`` hierarchy at /sys/fs/cgroup/pids, or cgroup v2 where this
process's own cgroup already enables ``pids`` for its children (a leaf cgroup, the usual case
under systemd or Docker on v2, does not). Creating a cgroup needs write access (root, or a
delegated subtree); otherwise :meth:`PidsCgroup.create` returns None and the uid and
RLIMIT_NPROC layers stand alone.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import signal
import time
import warnings
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "ptp-sandbox-"  # then the creating process's pid and a random suffix


def _own_pids_cgroup() -> Path | None:
    """The pids-controlled cgroup directory this process lives in (v1 or v2), if any."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = [*line.split(":", 2), "", ""][:3]
        if "pids" in controllers.split(","):  # cgroup v1: its own hierarchy
            return CGROUP_ROOT / "pids" / path.lstrip("/")
    for line in lines:
        if line.startswith("0::"):  # cgroup v2: pids must be enabled for children already
            base = CGROUP_ROOT / line[3:].lstrip("/")
            with contextlib.suppress(OSError):
                if "pids" in (base / "cgroup.subtree_control").read_text().split():
                    return base
    return None


class PidsCgroup:
    """One freshly created child cgroup with a task cap; remove it with :meth:`destroy`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, max_tasks: int) -> PidsCgroup | None:
        """A new cgroup allowing ``max_tasks`` tasks (threads count), or None if not allowed."""
        base = _own_pids_cgroup()
        if base is None:
            return None
        _remove_orphans(base)
        path = base / f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except OSError:
            return None
        try:
            (path / "pids.max").write_text(str(max_tasks))
        except OSError:
            path.rmdir()
            return None
        return cls(path)

    @property
    def procs_file(self) -> str:
        """Writing a pid here moves that process (and its future children) into the cgroup."""
        return str(self.path / "cgroup.procs")

    def pids(self) -> list[int]:
        """The processes in the cgroup now (none once the cgroup is removed)."""
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except FileNotFoundError:
            return []

    def kill_all(self, timeout_s: float = 5.0) -> bool:
        """SIGKILL every process in the cgroup until it is empty; False if some survived.

        cgroup v2 has ``cgroup.kill``; on v1 the members are killed in rounds, which ends
        because ``pids.max`` bounds how many a fork bomb can make between two rounds.
        """
        with contextlib.suppress(OSError):
            (self.path / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + timeout_s
        while pids := self.pids():
            if time.monotonic() > deadline:
                return False
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001)
        return True

    def destroy(self) -> None:
        """Kill what is left and remove the cgroup (retrying while dying tasks leave it)."""
        killed = self.kill_all()
        for _ in range(200):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.005)
        what = "processes survived SIGKILL" if not killed else "it stayed busy"
        warnings.warn(f"could not remove sandbox cgroup {self.path}: {what}", stacklevel=2)


def confine_this_process(max_tasks: int) -> PidsCgroup | None:
    """Move this process (and so all it starts later) into a new capped cgroup, if allowed.

    An outer guard for test runs that execute hostile code. On exit the process moves back
    to its parent cgroup and the guard is removed. Returns None where cgroups are not writable.
    """
    guard = PidsCgroup.create(max_tasks)
    if guard is None:
        return None
    try:
        Path(guard.procs_file).write_text(str(os.getpid()))
    except OSError:
        guard.destroy()
        return None

    def leave() -> None:
        with contextlib.suppress(OSError):
            (guard.path.parent / "cgroup.procs").write_text(str(os.getpid()))
            guard.path.rmdir()

    atexit.register(leave)
    return guard


def _remove_orphans(base: Path) -> None:
    """Remove empty sandbox cgroups left by harness processes that no longer exist."""
    for path in base.glob(f"{PREFIX}*"):
        owner = path.name.removeprefix(PREFIX).split("-")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            with contextlib.suppress(OSError):
                path.rmdir()  # fails, harmlessly, while processes are still inside
