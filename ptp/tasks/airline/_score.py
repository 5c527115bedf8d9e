"""Scoring a model's answer against the expected total."""

from __future__ import annotations

from decimal import Decimal

from ptp.parse import parse_money

__all__ = ["score_answer"]

_TOLERANCE = Decimal("0.01")


def score_answer(output: str | int | float | None, expected: int) -> tuple[bool, float]:
    """(correct, score): correct when the amount in ``output`` is within 0.01 of ``expected``.

    ``"$1,198.00"``, ``"1198"``, ``"USD 1,198"`` and ``"The total cost is $1,198."`` all match
    1198; None or text with no amount scores (False, 0.0).
    """
    value = parse_money(output)
    if value is None or not value.is_finite():
        return False, 0.0
    correct = abs(value - Decimal(expected)) < _TOLERANCE
    return correct, 1.0 if correct else 0.0
