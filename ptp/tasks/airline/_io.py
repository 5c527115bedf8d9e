"""Airline data errors: the shared JSON-lines reader with the airline's own fixes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ptp.tasks._fixtures import TaskFileError
from ptp.tasks._fixtures import iter_jsonl as _iter_jsonl

__all__ = ["FIELD_FIXES", "AirlineDataError", "iter_jsonl"]

M = TypeVar("M", bound=BaseModel)

FIELD_FIXES = {
    "size": "give [length, width, height] as three whole numbers of inches",
    "weight": "give the weight as a whole number of pounds",
    "direction": "use 0 when the U.S. city is the departure, 1 when it is the arrival",
    "base_price": "give the ticket price as a whole number of US dollars",
    "bag_list": "list the carry-on first, then the checked bags",
}
"""Field name -> how to fix a bad value of it, in the benchmark's terms."""


class AirlineDataError(TaskFileError):
    """Bad airline data (a fixture or a RuleArena file); see :class:`TaskFileError`."""


def iter_jsonl(path: Path, model: type[M]) -> Iterator[tuple[int, M]]:
    """Yield (1-based line number, validated model) for each non-blank line of ``path``."""
    return _iter_jsonl(path, model, error=AirlineDataError, field_fixes=FIELD_FIXES)
