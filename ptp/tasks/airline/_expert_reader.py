"""The expert policy's answers to L1's ptool calls: the generator's facts, written as the
text writes them (numbers and units as written; the L1 code converts). This makes
``expert:airline`` an L1 teacher whose ptool replies are right by construction: labelled
training data for an extraction student ("expert policy (generator facts)")."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from ._schema import AirlineProblem
from ._spans import find_item_spans, inches_only
from ._units import inches_to_cm, pounds_to_kg

SIZE_UNIT = re.compile(r"\b(inches|in|cm)\b")
WEIGHT_UNIT = re.compile(r"\b(pounds|lbs|lb|kg)\b")
# How a ptool's system prompt begins (ptp.ptool._prompt): names the function it implements.
ITEM_PTOOL = "You implement the function extract_item("
HEADER_PTOOL = "You implement the function extract_header("


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _unit(pattern: re.Pattern[str], text: str, default: str) -> str:
    found = pattern.search(text)
    return found.group(0) if found else default


def read_item(problem: AirlineProblem, text: str) -> dict[str, Any] | None:
    """The item reading for the span ``text`` (as L1 sends it), None when no span matches."""
    spans = [inches_only(span.text) for span in find_item_spans(problem.prompt)]
    if text not in spans:
        return None
    bag = problem.info.bag_list[spans.index(text)]
    size_unit = _unit(SIZE_UNIT, text, "inches")
    weight_unit = _unit(WEIGHT_UNIT, text, "lbs")
    size = [_number(inches_to_cm(v)) if size_unit == "cm" else v for v in bag.size]
    weight = _number(pounds_to_kg(bag.weight)) if weight_unit == "kg" else bag.weight
    return {"size": size, "size_unit": size_unit, "weight": weight, "weight_unit": weight_unit}


def read_header(problem: AirlineProblem, route: tuple[str, str] | None) -> dict[str, Any] | None:
    """The header reading (class, cities, ticket), None when the route is unknown."""
    if route is None:
        return None
    return {"customer_class": problem.info.customer_class, "origin_city": route[0],
            "destination_city": route[1], "ticket_price": problem.info.base_price}  # fmt: skip


def ptool_reply(
    problem: AirlineProblem, route: tuple[str, str] | None, messages: list[dict[str, Any]],
    params: dict[str, Any],
) -> str | None:  # fmt: skip
    """The JSON reply to an L1 ptool call (``extract_item`` / ``extract_header``, named by
    the ptool's system prompt); None when the call is not one of them."""
    system = str(messages[0].get("content", "")) if messages else ""
    last = str(messages[-1].get("content", "")) if messages else ""
    if system.startswith(ITEM_PTOOL) and last.startswith("item: "):
        reading = read_item(problem, last.removeprefix("item: "))
    elif system.startswith(HEADER_PTOOL):
        reading = read_header(problem, route)
    else:
        return None
    return None if reading is None else json.dumps(reading)
