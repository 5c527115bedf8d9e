"""Load RuleArena airline problems (``comp_{c}.jsonl`` + optional ``comp_{c}.answers.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from ptp.tasks._fixtures import write_jsonl

from ._io import AirlineDataError, iter_jsonl
from ._rules import compute_total
from ._schema import AirlineProblem, TripInfo

__all__ = ["AirlineDataError", "load_rulearena", "write_rulearena_fixture"]


class _Line(BaseModel):
    prompt: str
    info: TripInfo


def _data_file(path: Path, complexity: int) -> Path:
    if path.suffix == ".jsonl":
        return path
    name = f"comp_{complexity}.jsonl"
    for folder in (path, path / "airline"):
        if (folder / name).is_file():
            return folder / name
    raise AirlineDataError(
        path / name, None, None, "no such file",
        "pass a RuleArena checkout's airline folder (holding comp_{c}.jsonl) or a .jsonl file",
    )  # fmt: skip


def _answers(path: Path, count: int, source: Path) -> list[int] | None:
    if not path.is_file():
        return None
    try:
        values = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as err:
        raise AirlineDataError(
            path, err.lineno, None, f"not JSON ({err.msg})", "write one JSON list of totals"
        ) from err
    if not isinstance(values, list) or len(values) != count:
        size = len(values) if isinstance(values, list) else type(values).__name__
        raise AirlineDataError(
            path, None, None, f"expected a list of {count} totals, found {size}",
            f"give one total per problem line of {source.name}, in order",
        )  # fmt: skip
    for k, value in enumerate(values, 1):
        if isinstance(value, bool) or not isinstance(value, int | float) or value % 1 != 0:
            raise AirlineDataError(
                path, None, f"[{k - 1}]", f"total for problem {k} is {value!r}",
                "write each total as a whole number of US dollars",
            )  # fmt: skip
    return [int(v) for v in values]


def load_rulearena(path: Path | str, complexity: int = 0) -> list[AirlineProblem]:
    """Read RuleArena airline problems.

    Args:
        path: the airline folder of a RuleArena checkout (or the checkout itself), holding
            ``comp_{complexity}.jsonl``; or a ``.jsonl`` file. Expected totals come from the
            sibling ``<stem>.answers.json`` when present, else from :func:`compute_total`.
        complexity: the level (0, 1, 2); picks the file and goes into each ``task_id``.

    Raises:
        AirlineDataError: a file is missing or malformed; the message says where and how to fix.
    """
    data = _data_file(Path(path), complexity)
    lines = [line for _, line in iter_jsonl(data, _Line)]
    given = _answers(data.with_name(f"{data.stem}.answers.json"), len(lines), data)
    return [
        AirlineProblem(
            task_id=f"ra-c{complexity}-{index:03d}",
            prompt=line.prompt,
            info=line.info,
            answer=given[index] if given is not None else compute_total(line.info),
            complexity=complexity,
            style="template",
            source="rulearena",
        )
        for index, line in enumerate(lines)
    ]


def write_rulearena_fixture(
    path: Path | str, out_dir: Path | str, complexity: int = 0, *, overwrite: bool = False
) -> Path:
    """Write :func:`load_rulearena` ``(path, complexity)`` to
    ``out_dir/airline-c{complexity}-rulearena.jsonl`` as the family writes fixtures (one
    problem a line, sorted keys), all or nothing; refuses to replace a file unless
    ``overwrite``. Returns the path written."""
    problems = load_rulearena(path, complexity)
    target = Path(out_dir) / f"airline-c{complexity}-rulearena.jsonl"
    return write_jsonl(
        target, problems, sort_keys=True, overwrite=overwrite, error=AirlineDataError
    )
