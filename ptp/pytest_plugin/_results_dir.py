"""Which directory a run writes, and making sure it is that run's alone.

A run without ``--ptp-results`` gets a new ``results/<time>-<n>`` directory (created
atomically, so two runs started in the same second never share one). A named directory is
locked for the run's lifetime; it is refused when another live run holds it, or when it
already holds results, unless ``--ptp-resume`` asks to continue them with the same
configuration (then a half-written last row is moved aside first).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from ptp.pytest_plugin._config import RunConfig
from ptp.results import RESULTS_FILE, repair_results

RUNS_FILE = "runs.jsonl"
LOCK_FILE = ".ptp-run.lock"


def new_results_dir(root: Path) -> Path:
    """A fresh ``root/<YYYYmmdd-HHMMSS>-<n>`` directory, created here and now."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        path = root / f"{stamp}-{n}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise pytest.UsageError(f"{root}: could not create a new results directory; clean it up")


def _last_run(results_dir: Path) -> dict | None:
    path = results_dir / RUNS_FILE
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        return json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        return None


class ResultsDirClaim:
    """The controller's hold on its results directory (a file lock, released at exit)."""

    def __init__(self, results_dir: Path, run: RunConfig, *, resume: bool) -> None:
        self.results_dir = results_dir
        self.repaired: Path | None = None
        results_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(results_dir / LOCK_FILE))
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise pytest.UsageError(
                f"--ptp-results {results_dir}: another live run is writing there; wait for it "
                "to finish or choose another directory"
            ) from None
        try:
            self._check(run, resume)
        except BaseException:
            self.release()
            raise

    def _check(self, run: RunConfig, resume: bool) -> None:
        has_rows = (self.results_dir / RESULTS_FILE).exists()
        if not has_rows:
            return
        if not resume:
            raise pytest.UsageError(
                f"--ptp-results {self.results_dir}: holds results of an earlier run; choose "
                "another directory, or add --ptp-resume to continue that run"
            )
        last = _last_run(self.results_dir)
        if last is None:
            raise pytest.UsageError(
                f"--ptp-resume {self.results_dir}: it holds results but no readable {RUNS_FILE} "
                "(the record of the run's options); resume cannot check the configuration, so "
                "use a new directory"
            )
        differences = run.differences(last)
        if differences:
            raise pytest.UsageError(
                f"--ptp-resume {self.results_dir}: the run there used another configuration "
                f"({'; '.join(differences)}); resume with the same options or use a new directory"
            )
        self.repaired = repair_results(self.results_dir)

    def release(self) -> None:
        # The lock file stays: unlinking it would let a later run lock a new file while a
        # third still holds the old one.
        self._lock.release()
