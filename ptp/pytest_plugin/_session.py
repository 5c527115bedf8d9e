"""The controller's side of a run: rows arrive from every worker through test reports and are
appended to results.jsonl at once; the run's metadata and the suites' declared comparisons
are written beside them; reports are rendered at the end."""

from __future__ import annotations

import json
import platform
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ptp.pytest_plugin._results_dir import RUNS_FILE
from ptp.results import (
    RESULTS_FILE,
    SUITES_FILE,
    EvalRecord,
    append_records,
    git_commit,
    read_results,
    write_json,
)

_PACKAGES = ("ptp", "openai", "together", "vcrpy", "pytest-recording", "pytest", "pydantic",
             "numpy", "scipy", "llama-cpp-python")  # fmt: skip


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def finished_case_ids(results_dir: Path) -> set[tuple[str, str, int]]:
    """(suite, case_id, seed) of every row without a harness error: what a resumed run skips."""
    if not (results_dir / RESULTS_FILE).exists():
        return set()
    return {(r.suite, r.case_id, r.seed) for r in read_results(results_dir) if r.ok}


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
    _meta: dict[str, Any] = field(default_factory=dict)
    _plot: Future[Path] | None = None

    def add(self, record: EvalRecord, suite_info: dict[str, Any] | None) -> None:
        if not self._announced:
            self._write_run_metadata()
            self._announced = True
        append_records(self.results_dir / RESULTS_FILE, [record])
        self.rows.append(record)
        if suite_info:
            self.suites[record.suite] = suite_info

    def _metadata(self) -> dict[str, Any]:
        used = sorted({r.model for r in self.rows if r.model})
        return {
            "started_at": self.started_at,
            "git_commit": git_commit(self.rootdir),
            "python": platform.python_version(),
            "packages": package_versions(),
            "argv": sys.argv[1:],
            **self.options,
            "models_used": used,
            "cases": len(self.rows),
            "finished": False,  # set when the run ends; a killed run keeps False
        }

    def _write_run_metadata(self) -> None:
        self._meta = self._metadata()
        self.results_dir.mkdir(parents=True, exist_ok=True)
        with (self.results_dir / RUNS_FILE).open("a", encoding="utf-8") as out:
            out.write(json.dumps(self._meta, sort_keys=True, default=str) + "\n")

    def _complete_run_metadata(self) -> None:
        """Fill in the models the run used and its case count (the run holds the dir's lock,
        so the last line of runs.jsonl is its own)."""
        path = self.results_dir / RUNS_FILE
        lines = path.read_text(encoding="utf-8").splitlines()
        meta = {
            **self._meta,
            "models_used": sorted({r.model for r in self.rows if r.model}),
            "cases": len(self.rows),
            "finished": True,
            "finished_at": time.time(),
        }
        lines[-1] = json.dumps(meta, sort_keys=True, default=str)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)

    def check_stats(self) -> list[str]:
        """Warnings for declared statistics that no row of their suite carries (a typo)."""
        problems = []
        for suite, info in self.suites.items():
            rows = [r for r in self.rows if r.suite == suite and r.ok]
            if not rows:
                continue
            for name in info.get("stats", []):
                if name in EvalRecord.model_fields:
                    continue
                if not any(name in r.extra for r in rows):
                    problems.append(
                        f"suite {suite!r}: stats name {name!r} is neither a row field nor a "
                        "key any row passed to ptp_eval.score(...); check its spelling"
                    )
        return problems

    def finish(self) -> None:
        """Merge the suites' declarations into suites.json and render the reports."""
        if not self.rows:
            return
        self._complete_run_metadata()
        path = self.results_dir / SUITES_FILE
        known = json.loads(path.read_text()) if path.exists() else {}
        write_json(path, {**known, **self.suites})
        from ptp.report import load_summary
        from ptp.report._files import write_plot, write_text_reports

        self.summary = load_summary(self.results_dir)
        write_text_reports(self.summary, self.results_dir)
        # The plot (2.2-3.5 s measured on 2 cores) is drawn while pytest shuts its workers
        # down and checks its snapshots; :meth:`wait_for_plot` joins it before the end.
        drawer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ptp-plot")
        self._plot = drawer.submit(write_plot, self.summary, self.results_dir)
        drawer.shutdown(wait=False)  # the thread ends after the plot

    def wait_for_plot(self) -> None:
        """Wait for the plot that :meth:`finish` started; re-raise what stopped it (once)."""
        plot, self._plot = self._plot, None
        if plot is not None:
            plot.result()

    def summary_text(self) -> str:
        """The terminal tables, once :meth:`finish` has run; empty when no eval ran."""
        if self.summary is None:
            return ""
        from ptp.report import terminal_table

        return f"{terminal_table(self.summary)}\nresults: {self.results_dir}"
