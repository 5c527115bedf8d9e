"""Scoring a model's answer against the expected total, and a read trip against the true one.

Solvers that read the trip (L0, L1) answer with a :class:`TripAnswer`; its total is scored
like any answer and its trip field by field, so tables can show that an exact fee can come
from a wrongly read trip. Plain answers (text, numbers, None) get the fee verdict only.

Field accuracy, precisely: the trip has 4 fields (customer_class, routine, direction,
base_price) and each item 4 (length, width, height, weight). Items are compared by position
(carry-on first) over ``n = max(expected items, read items)``: a missing or extra item has 4
wrong fields. ``direction`` is also right when both routes are "U.S." (within the U.S. the fee
rows are the same both ways and the benchmark's own direction there is arbitrary). Item names
and ids are not compared. A solver that read no trip (``trip=None``) has 0 fields right out of
``4 + 4 * expected items``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ptp.parse import parse_money
from ptp.results import Score

from ._schema import AirlineProblem, Bag, TripInfo

__all__ = ["TripAnswer", "score", "trip_metrics"]

_TOLERANCE = Decimal("0.01")
_TRIP_FIELDS = ("customer_class", "routine", "direction", "base_price")


class TripAnswer(BaseModel):
    """A solver's answer when it read the trip: the total it computed and the trip it read
    (both None when it failed before reading the trip)."""

    total: int | None = None
    trip: TripInfo | None = None


def _trip_field_right(name: str, got: TripInfo, expected: TripInfo) -> bool:
    if name == "direction" and got.routine == expected.routine == "U.S.":
        return True
    return getattr(got, name) == getattr(expected, name)


def _item_right(got: Bag | None, expected: Bag | None) -> list[bool]:
    if got is None or expected is None:
        return [False] * 4
    return [*(a == b for a, b in zip(got.size, expected.size, strict=True)),
            got.weight == expected.weight]  # fmt: skip


def trip_metrics(got: TripInfo | None, expected: TripInfo) -> dict[str, Any]:
    """``field_accuracy``, ``items_exact`` (shares in [0, 1]), ``trip_exact`` and
    ``fields_compared`` (the denominator of ``field_accuracy``) of a read
    trip (definitions in the module docstring)."""
    if got is None:
        fields = 4 + 4 * len(expected.bag_list)
        return {
            "field_accuracy": 0.0,
            "items_exact": 0.0,
            "trip_exact": False,
            "fields_compared": fields,
        }
    n = max(len(got.bag_list), len(expected.bag_list))
    pad = [None] * n
    items = [
        _item_right(g, e)
        for g, e in zip([*got.bag_list, *pad][:n], [*expected.bag_list, *pad][:n], strict=True)
    ]
    trip = [_trip_field_right(name, got, expected) for name in _TRIP_FIELDS]
    right = sum(trip) + sum(sum(item) for item in items)
    exact_items = sum(all(item) for item in items)
    return {
        "field_accuracy": right / (4 + 4 * n),
        "items_exact": exact_items / n,
        "trip_exact": all(trip) and exact_items == n,
        "fields_compared": 4 + 4 * n,
    }


def _fee_right(answer: Any, expected: int) -> bool:
    value = parse_money(answer)
    return value is not None and value.is_finite() and abs(value - Decimal(expected)) < _TOLERANCE


def score(answer: Any, problem: AirlineProblem) -> Score:
    """Right when the amount in ``answer`` is within 0.01 of ``problem.answer``.

    ``"$1,198.00"``, ``"1198"``, ``"USD 1,198"`` and ``"The total cost is $1,198."`` all match
    1198; None or text with no amount scores 0. A :class:`TripAnswer` is judged by its
    ``total``, and its trip adds ``field_accuracy``, ``items_exact``, ``trip_exact`` and
    ``right_fee_wrong_trip`` (the total is right, the trip is not), plus ``trip`` (what was
    read, as JSON) to ``metadata``; plain answers get none of these keys.

    Args:
        answer: what a solver returned (text, a number, a :class:`TripAnswer`, or None).
        problem: the problem; its ``answer`` is the expected total, its ``info`` the trip.

    Returns:
        ``Score`` with value 1.0 or 0.0, the answer (a TripAnswer's total) and the expected
        total.
    """
    if not isinstance(answer, TripAnswer):
        correct = _fee_right(answer, problem.answer)
        return Score(value=float(correct), correct=correct, answer=answer, expected=problem.answer)
    correct = _fee_right(answer.total, problem.answer)
    metrics = trip_metrics(answer.trip, problem.info)
    metrics["right_fee_wrong_trip"] = correct and not metrics["trip_exact"]
    metrics["trip"] = None if answer.trip is None else answer.trip.model_dump(mode="json")
    return Score(
        value=float(correct),
        correct=correct,
        answer=answer.total,
        expected=problem.answer,
        metadata=metrics,
    )
