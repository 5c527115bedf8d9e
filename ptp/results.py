"""Result rows: one ``EvalRecord`` per eval case, appended to ``results.jsonl`` as it arrives."""

from __future__ import annotations

import json
import subprocess
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ptp.errors import ResultsFileError

RESULTS_FILE = "results.jsonl"
SUITES_FILE = "suites.json"  # each suite's declared comparisons, written by the plugin


class Score(BaseModel):
    """A family's verdict on one answer: what every ``Family.score(answer, task)`` returns.

    ``value`` is in [0, 1] (1 = fully right); ``metadata`` holds family-specific numbers
    (e.g. knapsack's capacity utilization) that the eval may pass on as row statistics.
    """

    model_config = ConfigDict(frozen=True)

    value: float = Field(ge=0.0, le=1.0)
    correct: bool
    answer: Any = None
    expected: Any = None
    metadata: dict[str, Any] = Field(default_factory=dict)


# Top-level fields that rows written before 2026-11-26 carried besides ``axes``; folded into
# ``axes`` on read so old results files still load (the plugin knows no family's axis names).
_LEGACY_AXIS_FIELDS = ("level", "regime", "difficulty")


class EvalRecord(BaseModel):
    """One eval case's outcome. ``axes`` holds every grid axis (level, style, regime, ...);
    ``model`` is the model the case called (also the ``model`` axis when the grid has one).

    ``latency_s`` is the model's own latency summed over the case's LLM calls: measured live,
    or read back from the cassette (what the call took when it was recorded); ``None`` when a
    call's latency is unknown. ``wall_s`` is how long this run spent on the case (replay time
    when replaying).
    """

    model_config = ConfigDict(extra="forbid")

    case_id: str
    suite: str
    family: str = ""
    task_id: str
    model: str = ""
    axes: dict[str, str] = Field(default_factory=dict)
    epoch: int = 0
    seed: int = 0
    answer: Any = None
    expected: Any = None
    score: float = Field(0.0, ge=0.0, le=1.0)
    correct: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    latency_s: float | None = None
    wall_s: float = 0.0
    llm_calls: int = 0
    steps: int = 0
    tool_calls: int = 0
    error: str | None = None
    trace: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _fold_legacy_axes(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in _LEGACY_AXIS_FIELDS):
            data = dict(data)
            axes = dict(data.get("axes") or {})
            for name in _LEGACY_AXIS_FIELDS:
                value = data.pop(name, "")
                if value and name not in axes:
                    axes[name] = value
            data["axes"] = axes
        return data

    @property
    def ok(self) -> bool:
        """True when the case ran without a harness error."""
        return self.error is None


class DamagedResultsWarning(UserWarning):
    """A results file ends in a half-written line (a run killed mid-write); it was skipped."""


def _results_path(path: str | Path) -> Path:
    path = Path(path)
    return path / RESULTS_FILE if path.is_dir() else path


def _damaged_tail(text: str) -> tuple[int, str] | None:
    """(line number, text) of a half-written last line, or None when the file ends cleanly.

    A row is written as one line ending in a newline; a killed run can leave a last line
    without its newline. Such a line is damaged unless it is itself a complete row.
    """
    if not text or text.endswith("\n"):
        return None
    head, _, last = text.rpartition("\n")
    try:
        EvalRecord.model_validate_json(last)
    except ValidationError:
        return head.count("\n") + 1 + (1 if head else 0), last
    return None


def read_results(path: str | Path) -> list[EvalRecord]:
    """Read ``results.jsonl`` (or a directory holding one).

    A half-written last line (a run killed mid-write) is skipped with a
    :class:`DamagedResultsWarning` naming its line; any other bad line raises
    :class:`ResultsFileError` naming the file, line and field.
    """
    path = _results_path(path)
    if not path.exists():
        raise ResultsFileError(f"{path}: no such results file; run the evals with --ptp-results")
    text = path.read_text(encoding="utf-8")
    damaged = _damaged_tail(text)
    if damaged is not None:
        number, _ = damaged
        warnings.warn(
            DamagedResultsWarning(
                f"{path}:{number}: skipped a half-written last line (a run was killed while "
                "writing it); --ptp-resume moves it aside and re-runs that case"
            ),
            stacklevel=2,
        )
        text = text.rpartition("\n")[0]
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(EvalRecord.model_validate_json(line))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(the line)"
            raise ResultsFileError(
                f"{path}:{number}: field {field!r}: {first['msg']}; fix or delete that line "
                "(each line must be one EvalRecord as JSON)"
            ) from err
    return records


def repair_results(path: str | Path) -> Path | None:
    """Move a half-written last line of ``results.jsonl`` into a side file (or end a complete
    last row that lacks its newline), so that rows appended next start on a line of their own.

    Returns:
        The side file (``results.jsonl.damaged-<time>``) that now holds the damaged tail,
        or None when the file was intact (or absent).
    """
    path = _results_path(path)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    damaged = _damaged_tail(text)
    if damaged is None:
        if text and not text.endswith("\n"):  # a complete last row without its newline
            with path.open("a", encoding="utf-8") as out:
                out.write("\n")
        return None
    side = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    side.write_text(damaged[1], encoding="utf-8")
    kept = text.rpartition("\n")[0]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(kept + "\n" if kept else "", encoding="utf-8")
    tmp.replace(path)
    return side


def append_records(path: str | Path, records: Iterable[EvalRecord]) -> None:
    """Append rows and flush, so a killed run keeps every finished case."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
        out.flush()


def write_json(path: str | Path, data: Any) -> Path:
    """Write JSON with sorted keys (diffable)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", "utf-8")
    return path


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
