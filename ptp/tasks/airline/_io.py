"""JSON-lines reading with errors that name the file, the line, the field and the fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["AirlineDataError", "iter_jsonl"]

M = TypeVar("M", bound=BaseModel)

_FIELD_FIXES = {
    "size": "give [length, width, height] as three whole numbers of inches",
    "weight": "give the weight as a whole number of pounds",
    "direction": "use 0 when the U.S. city is the departure, 1 when it is the arrival",
    "base_price": "give the ticket price as a whole number of US dollars",
    "bag_list": "list the carry-on first, then the checked bags",
}
_TYPE_FIXES = {
    "missing": "add this field",
    "literal_error": "use one of the values listed above, spelled exactly",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "greater_than_equal": "use a value of 0 or more",
    "string_type": "write a JSON string",
    "model_type": "write a JSON object",
    "dict_type": "write a JSON object",
}


class AirlineDataError(ValueError):
    """Bad airline data. Attributes: ``path``, ``line`` (1-based or None), ``field``, ``fix``."""

    def __init__(
        self, path: Path | str, line: int | None, field: str | None, problem: str, fix: str
    ) -> None:
        self.path, self.line, self.field, self.fix = Path(path), line, field, fix
        where = str(path) + (f", line {line}" if line is not None else "")
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}: {what}{problem}. Fix: {fix}.")


def _fix(error: dict[str, Any]) -> str:
    loc = list(error["loc"])
    if error["type"] == "missing" and loc and isinstance(loc[-1], str):
        return f"add the field {loc[-1]!r}"
    named = [_FIELD_FIXES[p] for p in reversed(loc) if isinstance(p, str) and p in _FIELD_FIXES]
    if named:
        return named[0]
    return _TYPE_FIXES.get(error["type"], "make the value match the schema")


def from_validation(path: Path, line: int | None, err: ValidationError) -> AirlineDataError:
    """The first pydantic error of ``err`` as an :class:`AirlineDataError`."""
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    got = repr(first.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    problem = first["msg"] + ("" if first["type"] == "missing" else f" (got {got})")
    return AirlineDataError(path, line, field, problem, _fix(first))


def iter_jsonl(path: Path, model: type[M]) -> Iterator[tuple[int, M]]:
    """Yield (1-based line number, validated model) for each non-blank line of ``path``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise AirlineDataError(path, None, None, f"cannot read: {err}", "check the path") from err
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as err:
            raise AirlineDataError(
                path, number, None, f"not JSON ({err.msg})", "write one JSON object per line"
            ) from err
        try:
            yield number, model.model_validate(value)
        except ValidationError as err:
            raise from_validation(path, number, err) from err
