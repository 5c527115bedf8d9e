"""Tolerant reading of model output: JSON inside prose or fences, money, typed values.

>>> parse_money("The total cost is $1,198.")
Decimal('1198')
>>> parse_as('Sure! ```json\\n{"n": 3}\\n```', dict)
{'n': 3}
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin

from pydantic import TypeAdapter, ValidationError

__all__ = ["OutputParseError", "iter_json_values", "parse_as", "parse_money"]


class OutputParseError(ValueError):
    """The text holds no value of the wanted type; ``raw`` keeps the text."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


# A number with optional thousands separators and decimals, optionally signed.
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_MONEY_MARKED = re.compile(
    rf"(?:(?P<pre>[-+]?)(?:\$|USD\s*|US\$\s*)\s*(?P<a>{_NUMBER}))"
    rf"|(?:(?P<b>{_NUMBER})\s*(?:USD|dollars?)\b)",
    re.IGNORECASE,
)
_MONEY_BARE = re.compile(rf"(?<![\w.])({_NUMBER})(?![\w])")


def _to_decimal(token: str) -> Decimal | None:
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


def parse_money(text: str | float | int | None) -> Decimal | None:
    """Read an amount of money from text such as ``"$1,198.00"`` or ``"USD 1,198"``.

    Amounts marked with ``$``/``USD``/``dollars`` win over bare numbers; among several
    candidates the last one wins, because answers usually end with the total.

    Args:
        text: model output, or a number already.

    Returns:
        The amount as a Decimal, or None when the text holds no number.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float | Decimal):
        return Decimal(str(text))
    marked = list(_MONEY_MARKED.finditer(text))
    if marked:
        last = marked[-1]
        token = last.group("a") or last.group("b")
        value = _to_decimal(token)
        if value is not None and last.group("pre") == "-":
            value = -value
        return value
    bare = _MONEY_BARE.findall(text)
    return _to_decimal(bare[-1]) if bare else None


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


def iter_json_values(text: str) -> Iterator[Any]:
    """Yield every JSON object or array in ``text``: fenced blocks first, then inline ones."""
    for block in _FENCE.findall(text):
        try:
            yield json.loads(block)
        except json.JSONDecodeError:
            yield from _scan_json(block)
    yield from _scan_json(text)


def _scan_json(text: str) -> Iterator[Any]:
    i = 0
    while True:
        starts = [p for p in (text.find("{", i), text.find("[", i)) if p != -1]
        if not starts:
            return
        start = min(starts)
        try:
            value, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            i = start + 1
            continue
        yield value
        i = end


@lru_cache(maxsize=256)
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _is_numeric(tp: Any) -> bool:
    return tp in (int, float, Decimal)


def _candidates(text: str, tp: Any) -> Iterator[Any]:
    stripped = text.strip()
    if tp is str:
        for value in iter_json_values(stripped):
            if isinstance(value, str):
                yield value
        yield stripped.strip('"')
        return
    if _is_numeric(tp):
        money = parse_money(stripped)
        if money is not None:
            yield int(money) if tp is int and money == money.to_integral_value() else money
        return
    if tp is bool:
        match = re.search(r"\b(true|false|yes|no)\b", stripped, re.IGNORECASE)
        if match:
            yield match.group(1).lower() in ("true", "yes")
        return
    if get_origin(tp) is Literal or (isinstance(tp, type) and issubclass(tp, Enum)):
        options = get_args(tp) if get_origin(tp) is Literal else [m.value for m in tp]
        for option in sorted(options, key=lambda o: -len(str(o))):
            if re.search(rf"\b{re.escape(str(option))}\b", stripped, re.IGNORECASE):
                yield option
        return
    # Structured types: JSON values anywhere in the text, largest-first is not needed:
    # the first one that validates wins.
    yield from iter_json_values(stripped)
    with contextlib.suppress(json.JSONDecodeError):
        yield json.loads(stripped)


def parse_as(text: str, tp: Any) -> Any:
    """Parse model output ``text`` into type ``tp`` (pydantic model, dataclass, primitive, ...).

    Args:
        text: raw model output; JSON may sit inside prose or code fences.
        tp: the wanted type; anything pydantic's TypeAdapter accepts.

    Returns:
        The first candidate value found in the text that validates as ``tp``.

    Raises:
        OutputParseError: no candidate validates; the message says why, ``raw`` keeps the text.
    """
    adapter = _adapter(tp)
    last_error: str = "no JSON value or literal of that type found"
    for candidate in _candidates(text, tp):
        try:
            return adapter.validate_python(candidate)
        except ValidationError as err:
            last_error = _short_errors(err)
    name = getattr(tp, "__name__", repr(tp))
    raise OutputParseError(f"could not read a {name} from the output: {last_error}", text)


def _short_errors(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:5]:
        loc = ".".join(str(p) for p in e["loc"]) or "value"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)
