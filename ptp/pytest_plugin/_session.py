"""The controller's side of a run: rows arrive from every worker through test reports and are
appended to results.jsonl at once; the run's metadata and the suites' declared comparisons
are written beside them; reports are rendered at the end."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ptp.results import (
    RESULTS_FILE,
    SUITES_FILE,
    EvalRecord,
    append_records,
    read_results,
    write_json,
)

RUNS_FILE = "runs.jsonl"
_PACKAGES = ("ptp", "openai", "together", "vcrpy", "pytest-recording", "pytest", "pydantic",
             "numpy", "scipy", "llama-cpp-python")  # fmt: skip


def git_commit(cwd: Path) -> str | None:
    """The checked-out commit (with ``+dirty`` when the tree has changes), or None."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def finished_case_ids(results_dir: Path) -> set[tuple[str, str]]:
    """(suite, case_id) of every row without a harness error: what a resumed run skips."""
    if not (results_dir / RESULTS_FILE).exists():
        return set()
    return {(r.suite, r.case_id) for r in read_results(results_dir) if r.ok}


@dataclass
class ResultsSession:
    """Collects rows on the controller and writes them as they come."""

    results_dir: Path
    rootdir: Path
    options: dict[str, Any]
    rows: list[EvalRecord] = field(default_factory=list)
    suites: dict[str, dict[str, Any]] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    summary: Any = None
    _announced: bool = False

    def add(self, record: EvalRecord, suite_info: dict[str, Any] | None) -> None:
        if not self._announced:
            self._write_run_metadata()
            self._announced = True
        append_records(self.results_dir / RESULTS_FILE, [record])
        self.rows.append(record)
        if suite_info:
            self.suites[record.suite] = suite_info

    def _write_run_metadata(self) -> None:
        meta = {
            "started_at": self.started_at,
            "git_commit": git_commit(self.rootdir),
            "python": platform.python_version(),
            "packages": package_versions(),
            "argv": sys.argv[1:],
            **self.options,
        }
        self.results_dir.mkdir(parents=True, exist_ok=True)
        with (self.results_dir / RUNS_FILE).open("a", encoding="utf-8") as out:
            out.write(json.dumps(meta, sort_keys=True, default=str) + "\n")

    def finish(self) -> None:
        """Merge the suites' declarations into suites.json and render the reports."""
        if not self.rows:
            return
        path = self.results_dir / SUITES_FILE
        known = json.loads(path.read_text()) if path.exists() else {}
        write_json(path, {**known, **self.suites})
        from ptp.report import write_reports

        self.summary = write_reports(self.results_dir)

    def summary_text(self) -> str:
        """The terminal tables, once :meth:`finish` has run; empty when no eval ran."""
        if self.summary is None:
            return ""
        from ptp.report import terminal_table

        return f"{terminal_table(self.summary)}\nresults: {self.results_dir}"
