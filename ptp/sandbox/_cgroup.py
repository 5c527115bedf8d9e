"""A pids cgroup per worker: caps the whole process tree and kills all of it.

Membership in a cgroup is inherited by every descendant and cannot be left by ``setsid``,
double forks or a uid change, and only root can move a process out, so a cgroup's
``pids.max`` is the one process cap that holds whatever the code does. Creating one needs
write access to the cgroup filesystem (root, or a delegated subtree); without it
:meth:`PidsCgroup.create` returns None and the uid / RLIMIT_NPROC layers stand alone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _own_pids_cgroup() -> Path | None:
    """The pids-controlled cgroup directory this process lives in (v1 or v2), if any."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
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
        path = base / f"ptp-sandbox-{os.getpid()}-{secrets.token_hex(4)}"
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
        """The processes in the cgroup now."""
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
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
        self.kill_all()
        for _ in range(200):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.005)
