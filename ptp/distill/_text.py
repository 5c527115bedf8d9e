"""Where a value is written in a task's text: numbers with their units, strings, the words
around them. Units convert exactly (Decimal), so "45.72 cm" is found as 18 inches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["UNITS", "Mention", "context_words", "convert", "find_string", "numbers", "to_unit"]

_LENGTH = {"in": Decimal(1), "cm": Decimal(1) / Decimal("2.54"), "mm": Decimal(1) / Decimal("25.4"),
           "ft": Decimal(12), "m": Decimal(100) / Decimal("2.54")}  # fmt: skip
_WEIGHT = {"lb": Decimal(1), "kg": Decimal(1) / Decimal("0.45359237"),
           "g": Decimal(1) / Decimal("453.59237"), "oz": Decimal(1) / Decimal(16)}  # fmt: skip
_DIMENSIONS = {"length": _LENGTH, "weight": _WEIGHT}
UNITS: dict[str, tuple[str, Decimal]] = {
    unit: (dimension, factor) for dimension, table in _DIMENSIONS.items()
    for unit, factor in table.items()
}  # fmt: skip
"""Canonical unit -> (dimension, factor to the dimension's base unit: inch, pound)."""
_ALIASES = {
    "inch": "in", "inches": "in", '"': "in", "centimeter": "cm", "centimeters": "cm",
    "centimetre": "cm", "centimetres": "cm", "millimeters": "mm", "millimetres": "mm",
    "feet": "ft", "foot": "ft", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "lbs": "lb", "pound": "lb", "pounds": "lb", "kgs": "kg", "kilogram": "kg",
    "kilograms": "kg", "grams": "g", "gram": "g", "ounces": "oz", "ounce": "oz",
}  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\d|\.\d)")
_WORD = re.compile(r"[A-Za-z][A-Za-z.-]*|\"")
_SKIP = {"x", "×", "by", "and", ",", "long", "wide", "tall", "high", "deep", "l", "w", "h"}
_STOP = {"a", "an", "the", "is", "of", "and", "for", "with", "in", "on", "at", "it", "its", "was",
         "his", "her", "their", "s"}  # fmt: skip


def canonical_unit(word: str) -> str | None:
    """``"inches"`` -> ``"in"``; None for a word that is not a unit."""
    word = word.lower().rstrip(".")
    return word if word in UNITS else _ALIASES.get(word)


@dataclass(frozen=True)
class Mention:
    """A number as written: its value, where, the unit after it (canonical) if any."""

    value: Decimal
    start: int
    end: int
    unit: str | None


def _unit_after(text: str, end: int) -> str | None:
    """The first unit word after ``end``, skipping numbers and "x", "by", "long", ..."""
    for token in re.finditer(r"\d+(?:[.,]\d+)*|[A-Za-z]+|[×\",;:()|]", text[end : end + 60]):
        word = token.group().lower()
        if word[0].isdigit() or word in _SKIP:
            continue
        return canonical_unit(word)
    return None


def numbers(text: str) -> list[Mention]:
    """Every number in ``text`` ("$1,200.50" is 1200.50), with the unit written after it."""
    found = []
    for match in _NUMBER.finditer(text):
        digits = match.group(1).replace(",", "") + (match.group(2) or "")
        found.append(Mention(Decimal(digits), match.start(), match.end(),
                             _unit_after(text, match.end())))  # fmt: skip
    return found


def convert(value: Decimal, unit: str, target: str) -> Decimal:
    """``value`` in ``unit`` expressed in ``target`` (same dimension), exactly.

    Raises:
        ValueError: an unknown unit, or units of different dimensions.
    """
    (dim, factor), (target_dim, target_factor) = UNITS[unit], UNITS[target]
    if dim != target_dim:
        raise ValueError(f"cannot convert {unit} to {target}")
    return value * factor / target_factor


def whole(value: Decimal) -> int:
    """Rounded half up to an integer."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_unit(value: float, unit: str, target: str) -> int:
    """A number as written in ``unit`` (a word such as "cm" or "kilograms") in whole
    ``target`` units, rounded half up; what distilled workflows call to convert.

    Raises:
        ValueError: an unknown unit, or one of another dimension.
    """
    known = canonical_unit(unit)
    if known is None:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNITS)}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as err:
        raise ValueError(f"not a number: {value!r}") from err
    return whole(convert(number, known, target))


def as_decimal(value: object) -> Decimal | None:
    """``value`` as a Decimal when it is a number (not a bool), else None."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def find_string(text: str, value: str) -> int | None:
    """Where ``value`` is written in ``text`` (case-insensitive, whole words), or None."""
    if not value.strip():
        return None
    match = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE)
    return None if match is None else match.start()


def context_words(text: str, start: int, end: int, width: int = 3) -> Iterator[str]:
    """Up to ``width`` content words before ``start`` and after ``end``, nearest first."""
    before = [w.lower() for w in _WORD.findall(text[max(0, start - 60) : start])]
    after = [w.lower() for w in _WORD.findall(text[end : end + 40])]
    yield from [
        w for w in reversed(before) if len(w) > 1 and w not in _STOP and canonical_unit(w) is None
    ][:width]
    yield from [w for w in after if len(w) > 1 and w not in _STOP and canonical_unit(w) is None][:1]
