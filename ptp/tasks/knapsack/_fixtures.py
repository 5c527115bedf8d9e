"""Knapsack tasks saved as JSON lines, one ``KnapsackTask.model_dump_json()`` a line."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from ._generator import generate_tasks
from ._task import KnapsackTask


class KnapsackDataError(ValueError):
    """A bad fixture file. Attributes: ``path``, ``line`` (1-based or None), ``field``, ``fix``."""

    def __init__(
        self, path: Path, line: int | None, field: str | None, problem: str, fix: str
    ) -> None:
        self.path, self.line, self.field, self.fix = path, line, field, fix
        where = f"{path}" + (f", line {line}" if line is not None else "")
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}: {what}{problem}. Fix: {fix}.")


def write_fixtures(out_dir: Path, n: int, seed: int, difficulty: str) -> Path:
    """Write ``generate_tasks(n, seed, difficulty)`` to ``out_dir/knapsack-{difficulty}.jsonl``.

    Args:
        out_dir: the folder (created if missing).
        n: how many tasks.
        seed: the base seed.
        difficulty: a config name.

    Returns:
        The path written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"knapsack-{difficulty}.jsonl"
    lines = (task.model_dump_json() + "\n" for task in generate_tasks(n, seed, difficulty))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def read_fixtures(path: Path | str) -> list[KnapsackTask]:
    """Read a file written by :func:`write_fixtures` (blank lines are skipped).

    Args:
        path: the JSONL file.

    Returns:
        The tasks in file order; KnapsackDataError names the file, line, field and fix.
    """
    path = Path(path)
    regenerate = "regenerate the file with ptp.tasks.knapsack.write_fixtures"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise KnapsackDataError(path, None, None, f"cannot read ({err})", "check the path") from err
    tasks = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            fix = f"write one JSON object per line, or {regenerate}"
            raise KnapsackDataError(path, number, None, f"not JSON ({err.msg})", fix) from err
        try:
            tasks.append(KnapsackTask.model_validate(data))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or None
            fix = "add the field" if first["type"] == "missing" else "correct the value"
            raise KnapsackDataError(
                path, number, field, first["msg"], f"{fix}, or {regenerate}"
            ) from err
    return tasks
