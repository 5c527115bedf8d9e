"""Pydantic models mirroring the RuleArena airline JSON (``info``) plus our problem record."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field

__all__ = [
    "CLASSES",
    "REGIONS",
    "AirlineProblem",
    "Bag",
    "CustomerClass",
    "Region",
    "TripInfo",
]

CustomerClass = Literal[
    "Basic Economy", "Main Cabin", "Main Plus", "Premium Economy", "Business", "First"
]
Region = Literal[
    "U.S.", "Puerto Rico", "Canada", "Mexico", "Cuba", "Haiti", "Panama", "Colombia", "Ecuador",
    "Peru", "South America", "Israel", "Qatar", "Europe", "India", "China", "Japan",
    "South Korea", "Hong Kong", "Australia", "New Zealand",
]  # fmt: skip
CLASSES: tuple[str, ...] = get_args(CustomerClass)
REGIONS: tuple[str, ...] = get_args(Region)

_NonNegative = Annotated[int, Field(ge=0)]


class Bag(BaseModel):
    """One item; ``size`` is (length, width, height) in inches, ``weight`` in pounds."""

    id: int
    name: str
    size: tuple[_NonNegative, _NonNegative, _NonNegative]
    weight: _NonNegative


class TripInfo(BaseModel):
    """A trip as the benchmark stores it; ``bag_list[0]`` is the carry-on.

    ``direction`` is 0 when the U.S. city is the departure, 1 when it is the arrival.
    """

    base_price: _NonNegative
    customer_class: CustomerClass
    routine: Region
    direction: Literal[0, 1]
    bag_list: list[Bag] = Field(min_length=1)


class AirlineProblem(BaseModel):
    """One task: the prompt a model sees, the ground truth ``info`` and the expected total."""

    task_id: str
    prompt: str
    info: TripInfo
    answer: int
    complexity: int
    style: str
    source: str
