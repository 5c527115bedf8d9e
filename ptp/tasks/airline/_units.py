"""Exact unit conversions: 1 in = 2.54 cm and 1 lb = 0.45359237 kg are exact by definition.

An integer number of inches is a 2-decimal number of centimetres and an integer number of
pounds an 8-decimal number of kilograms, so the decimal strings written here convert back to
the original integers with no rounding at all.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "CM_PER_INCH",
    "KG_PER_POUND",
    "cm_to_inches",
    "feet_inches",
    "inches_to_cm",
    "kg_to_pounds",
    "pounds_to_kg",
]

CM_PER_INCH = Decimal("2.54")
KG_PER_POUND = Decimal("0.45359237")


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def inches_to_cm(inches: int) -> str:
    """``22`` -> ``"55.88"``: the exact length in centimetres."""
    return _plain(inches * CM_PER_INCH)


def pounds_to_kg(pounds: int) -> str:
    """``10`` -> ``"4.5359237"``: the exact weight in kilograms."""
    return _plain(pounds * KG_PER_POUND)


def cm_to_inches(cm: str | Decimal) -> Decimal:
    """Inverse of :func:`inches_to_cm` (exact)."""
    return Decimal(cm) / CM_PER_INCH


def kg_to_pounds(kg: str | Decimal) -> Decimal:
    """Inverse of :func:`pounds_to_kg` (exact)."""
    return Decimal(kg) / KG_PER_POUND


def feet_inches(inches: int) -> str:
    """``22`` -> ``"1 ft 10 in"``, ``24`` -> ``"2 ft"``, ``9`` -> ``"9 in"``."""
    feet, rest = divmod(inches, 12)
    if not feet:
        return f"{rest} in"
    return f"{feet} ft" if not rest else f"{feet} ft {rest} in"
