"""Scoring a model's answer against the expected total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ptp.parse import parse_money
from ptp.results import Score

from ._schema import AirlineProblem

__all__ = ["score"]

_TOLERANCE = Decimal("0.01")


def score(answer: Any, problem: AirlineProblem) -> Score:
    """Right when the amount in ``answer`` is within 0.01 of ``problem.answer``.

    ``"$1,198.00"``, ``"1198"``, ``"USD 1,198"`` and ``"The total cost is $1,198."`` all match
    1198; None or text with no amount scores 0.

    Args:
        answer: what a solver returned (text or a number; None when it gave none).
        problem: the problem; its ``answer`` is the expected total.

    Returns:
        ``Score`` with value 1.0 or 0.0, the raw ``answer`` and the expected total.
    """
    value = parse_money(answer)
    correct = (
        value is not None
        and value.is_finite()
        and abs(value - Decimal(problem.answer)) < _TOLERANCE
    )
    return Score(
        value=1.0 if correct else 0.0, correct=correct, answer=answer, expected=problem.answer
    )
