"""Result rows: one ``EvalRecord`` per eval case, appended to ``results.jsonl`` as it arrives."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

RESULTS_FILE = "results.jsonl"
SUITES_FILE = "suites.json"  # each suite's declared comparisons, written by the plugin


class EvalRecord(BaseModel):
    """One eval case's outcome. ``axes`` holds every grid axis (level, model, style, ...);
    the common ones are also top-level fields."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    suite: str
    family: str = ""
    task_id: str
    level: str = ""
    model: str = ""
    regime: str = ""
    difficulty: str = ""
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
    latency_s: float = 0.0
    llm_calls: int = 0
    steps: int = 0
    tool_calls: int = 0
    error: str | None = None
    trace: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the case ran without a harness error."""
        return self.error is None


class ResultsFileError(ValueError):
    """A results file is malformed; the message names the file, the line and the field."""


def read_results(path: str | Path) -> list[EvalRecord]:
    """Read ``results.jsonl`` (or a directory holding one).

    A truncated last line (a run killed mid-write) is skipped; any other bad line raises
    :class:`ResultsFileError` naming the file, line and field.
    """
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    if not path.exists():
        raise ResultsFileError(f"{path}: no such results file; run the evals with --ptp-results")
    lines = path.read_text(encoding="utf-8").splitlines()
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(EvalRecord.model_validate_json(line))
        except ValidationError as err:
            if number == len(lines) and not line.rstrip().endswith("}"):
                break  # the run was killed while writing this row
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(the line)"
            raise ResultsFileError(
                f"{path}:{number}: field {field!r}: {first['msg']}; fix or delete that line "
                "(each line must be one EvalRecord as JSON)"
            ) from err
    return records


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
