"""The one JSON-lines reader and writer for task files: one pydantic model a line.

Errors name the file, the line, the field and the fix; a write either completes or leaves
nothing behind (no partial file, no empty folder).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ptp.errors import TaskDataError

__all__ = ["FixtureExistsError", "TaskFileError", "iter_jsonl", "read_jsonl", "write_jsonl"]

M = TypeVar("M", bound=BaseModel)

# pydantic error type -> what to do about it (used when no field-specific fix applies)
_TYPE_FIXES = {
    "missing": "add this field",
    "literal_error": "use one of the values listed above, spelled exactly",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "greater_than": "use a larger value",
    "greater_than_equal": "use a value of 0 or more",
    "string_type": "write a JSON string",
    "model_type": "write a JSON object",
    "dict_type": "write a JSON object",
    "list_type": "write a JSON list",
    "extra_forbidden": "remove this field",
}


class TaskFileError(TaskDataError):
    """A task file (fixture or benchmark data) that cannot be used.

    Attributes: ``path``, ``line`` (1-based, or None for the whole file), ``field`` (dotted
    path, or None), ``problem`` and ``fix``. The message reads
    ``<path>:<line>: field '<field>': <problem>; <fix>``.
    """

    def __init__(
        self, path: Path | str, line: int | None, field: str | None, problem: str, fix: str
    ) -> None:
        self.path, self.line, self.field = Path(path), line, field
        self.problem, self.fix = problem, fix
        where = str(path) + (f":{line}" if line is not None else "")
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}: {what}{problem}; {fix}")


class FixtureExistsError(TaskFileError):
    """Refused to replace an existing fixture file (the shipped ones are what the cassettes
    were recorded on)."""


def _fix(error: Mapping[str, Any], field_fixes: Mapping[str, str]) -> str:
    loc = list(error["loc"])
    if error["type"] == "missing" and loc and isinstance(loc[-1], str):
        return f"add the field {loc[-1]!r}"
    # the innermost named field with a family-specific fix wins ("size" inside "bag_list")
    named = [field_fixes[p] for p in reversed(loc) if isinstance(p, str) and p in field_fixes]
    if named:
        return named[0]
    return _TYPE_FIXES.get(error["type"], "make the value match the schema")


def validation_error(
    path: Path,
    line: int | None,
    err: ValidationError,
    *,
    error: type[TaskFileError] = TaskFileError,
    field_fixes: Mapping[str, str] = {},
    hint: str = "",
) -> TaskFileError:
    """The first pydantic error of ``err`` as ``error``, naming line, field and fix."""
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    got = repr(first.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    problem = first["msg"] + ("" if first["type"] == "missing" else f" (got {got})")
    fix = _fix(first, field_fixes)
    return error(path, line, field, problem, f"{fix}{hint}")


def iter_jsonl(
    path: Path | str,
    model: type[M],
    *,
    error: type[TaskFileError] = TaskFileError,
    field_fixes: Mapping[str, str] = {},
    hint: str = "",
) -> Iterator[tuple[int, M]]:
    """Yield (1-based line number, validated ``model``) for each non-blank line of ``path``.

    Args:
        path: the JSON-lines file (a UTF-8 byte-order mark is accepted).
        model: the pydantic model of one line.
        error: the :class:`TaskFileError` subclass to raise (a family's own error type).
        field_fixes: field name -> how to fix a bad value of it, e.g.
            ``{"weight": "give the weight as a whole number of pounds"}``.
        hint: appended to every fix, e.g. ``", or regenerate the file with ptp tasks generate"``.

    Raises:
        TaskFileError: (``error``) the file is unreadable, a line is not JSON or does not
            validate; the message names the file, the line, the field and the fix.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise error(path, None, None, f"cannot read ({reason})", "check the path") from err
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as err:
            raise error(
                path, number, None, f"not JSON ({err.msg})", f"write one JSON object a line{hint}"
            ) from err
        try:
            yield number, model.model_validate(value)
        except ValidationError as err:
            raise validation_error(
                path, number, err, error=error, field_fixes=field_fixes, hint=hint
            ) from err


def read_jsonl(
    path: Path | str,
    model: type[M],
    *,
    error: type[TaskFileError] = TaskFileError,
    field_fixes: Mapping[str, str] = {},
    hint: str = "",
) -> list[M]:
    """Every line of ``path`` as a ``model``, in file order (see :func:`iter_jsonl`)."""
    return [
        item for _, item in iter_jsonl(path, model, error=error, field_fixes=field_fixes, hint=hint)
    ]


def _line(item: BaseModel, sort_keys: bool) -> str:
    if sort_keys:
        data = item.model_dump(mode="json")
        return json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"
    return item.model_dump_json() + "\n"


def _missing_dirs(folder: Path) -> list[Path]:
    """The folders ``mkdir(parents=True)`` would create, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def write_jsonl(
    path: Path | str,
    items: Iterable[BaseModel],
    *,
    sort_keys: bool = True,
    overwrite: bool = False,
    error: type[TaskFileError] = TaskFileError,
) -> Path:
    """Write ``items`` one a line, all or nothing.

    Every line is rendered before the disk is touched, so a failing generator leaves no file
    and no folder; the file is written beside its target and renamed into place.

    Args:
        path: the file to write; missing parent folders are created (and removed again if
            the write fails).
        items: pydantic models.
        sort_keys: True: ``json.dumps(model_dump(mode="json"), sort_keys=True)``; False:
            ``model_dump_json()`` (field order, compact). A family keeps one choice forever:
            its shipped fixtures must regenerate byte for byte.
        overwrite: replace an existing file; otherwise :class:`FixtureExistsError`.
        error: the :class:`TaskFileError` subclass for write failures.

    Returns:
        ``path``.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FixtureExistsError(
            path, None, None, "already exists", "pass --force (overwrite=True) to replace it"
        )
    text = "".join(_line(item, sort_keys) for item in items)
    created = _missing_dirs(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                break
        if not isinstance(err, OSError):
            raise
        reason = err.strerror or type(err).__name__
        raise error(path, None, None, f"cannot write ({reason})", "choose another folder") from err
    return path
