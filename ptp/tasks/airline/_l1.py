"""L1: code finds the items, small typed ptools copy what is written, Python converts and
computes ("let the model copy, and let Python convert and compute").

    trip = extract_trip(problem.prompt)   # inside ptool_overrides(model=...)
    total = compute_total(trip)

Per problem: one :func:`extract_header` call (class, cities, ticket, read from the text with
the items cut out) and one :func:`extract_item` call per item span (numbers and units as
written). Feet-and-inches lengths are rewritten in inches by code before the item call
(one number per length); cm, kg and city regions are converted by Python afterwards.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from ptp.models import Model
from ptp.ptool import PToolError, ptool, ptool_overrides
from ptp.tasks._family import SolverResult, watch_replies
from ptp.trace import step

from ._cities import CITY_REGION, find_city
from ._example import EXAMPLE_INFO, EXAMPLE_PROMPT
from ._rules import compute_total
from ._schema import AirlineProblem, Bag, CustomerClass, TripInfo
from ._score import TripAnswer
from ._spans import SpanError, find_item_spans, header_text, inches_only
from ._units import cm_to_inches, kg_to_pounds

__all__ = [
    "L1_MAX_TOKENS",
    "L1_RETRIES",
    "ItemReading",
    "TripHeader",
    "extract_header",
    "extract_item",
    "extract_trip",
    "route",
    "solve_level1",
    "to_inches",
    "to_pounds",
]

L1_RETRIES = 1  # re-asks after a reply that does not parse or validate, per ptool call
L1_MAX_TOKENS = 128  # reply limit of each ptool call (one header or one item)

SizeUnit = Literal["in", "inches", "cm"]
WeightUnit = Literal["lb", "lbs", "pounds", "kg"]


class ItemReading(BaseModel):
    """One item's numbers and units, copied as written."""

    size: tuple[float, float, float] = Field(description="length, width, height")
    size_unit: SizeUnit
    weight: float
    weight_unit: WeightUnit


class TripHeader(BaseModel):
    """The passenger's class, route and ticket, as written."""

    customer_class: CustomerClass
    origin_city: str = Field(max_length=40)
    destination_city: str = Field(max_length=40)
    ticket_price: float = Field(description="in US dollars")


def _example_item() -> tuple[dict[str, str], dict[str, Any]]:
    """Item 1 of the worked example, its numbers as integers (as the text writes them)."""
    span, bag = find_item_spans(EXAMPLE_PROMPT)[0], EXAMPLE_INFO.bag_list[0]
    reading = {"size": list(bag.size), "size_unit": "inches", "weight": bag.weight,
               "weight_unit": "lbs"}  # fmt: skip
    return {"item": span.text}, reading


def _example_header() -> tuple[dict[str, str], dict[str, Any]]:
    text = header_text(EXAMPLE_PROMPT, find_item_spans(EXAMPLE_PROMPT))
    header = {
        "customer_class": EXAMPLE_INFO.customer_class,
        "origin_city": "Orlando",
        "destination_city": "Philadelphia",
        "ticket_price": EXAMPLE_INFO.base_price,
    }
    return {"text": text}, header


@ptool(examples=[_example_item()], retries=L1_RETRIES, temperature=0, max_tokens=L1_MAX_TOKENS)
def extract_item(item: str) -> ItemReading:
    """Copy the item's three sizes (length, width, height) and its weight exactly as written,
    with their units as written."""


@ptool(examples=[_example_header()], retries=L1_RETRIES, temperature=0, max_tokens=L1_MAX_TOKENS)
def extract_header(text: str) -> TripHeader:
    """Read the passenger's cabin class, the city the flight leaves from, the city it arrives
    in, and the ticket price in dollars. The items are shown as [item k]: ignore them."""


def _whole(value: Decimal) -> int:
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_inches(value: float, unit: str) -> int:
    """A length as written in inches or cm -> whole inches (exact for the generator's cm,
    which are integer inches times 2.54; otherwise rounded half up)."""
    number = Decimal(repr(value))
    return _whole(cm_to_inches(number) if unit == "cm" else number)


def to_pounds(value: float, unit: str) -> int:
    """A weight as written in lb or kg -> whole pounds (exact for the generator's kg)."""
    number = Decimal(repr(value))
    return _whole(kg_to_pounds(number) if unit == "kg" else number)


def route(origin: str, destination: str) -> tuple[str, int]:
    """(routine, direction) from the two cities; 0 when the U.S. city is the departure."""
    regions = []
    for name in (origin, destination):
        city = find_city(name)
        if city is None:
            raise ValueError(f"unknown city {name!r}")
        regions.append(CITY_REGION[city])
    if regions[0] == "U.S.":
        return regions[1], 0
    if regions[1] == "U.S.":
        return regions[0], 1
    raise ValueError(f"neither {origin!r} nor {destination!r} is a U.S. city")


@step
def trip_info(header: TripHeader, items: list[ItemReading]) -> TripInfo:
    """Python part of L1: cities to region and direction, units to inches and pounds."""
    routine, direction = route(header.origin_city, header.destination_city)
    bags = [
        Bag(id=k, name="item", size=tuple(to_inches(v, r.size_unit) for v in r.size),
            weight=to_pounds(r.weight, r.weight_unit))
        for k, r in enumerate(items, 1)
    ]  # fmt: skip
    return TripInfo(
        base_price=_whole(Decimal(repr(header.ticket_price))),
        customer_class=header.customer_class,
        routine=routine,
        direction=direction,
        bag_list=bags,
    )


@step
def extract_trip(text: str) -> TripInfo:
    """The L1 reading of a prompt: item spans by code, one header and one call per item.

    Raises:
        SpanError: the items could not be delimited.
        PToolError: a ptool gave no valid reply.
        ValueError: a reply named an unknown city or an impossible value.
    """
    spans = find_item_spans(text)
    header = extract_header(header_text(text, spans))
    route(header.origin_city, header.destination_city)  # an unknown city: no item calls
    items = [extract_item(inches_only(span.text)) for span in spans]
    return trip_info(header, items)


_traced_total = step(compute_total)


def _failed(reason: str, err: Exception, finish_reason: str | None) -> SolverResult:
    failure = f"{type(err).__name__}: {str(err)[:300]}"
    return SolverResult(TripAnswer(), reason, finish_reason, failure=failure)


def solve_level1(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """Read the trip with the L1 ptools (each re-asked once if unusable); Python computes the
    total. The answer is a :class:`TripAnswer` (empty on failure)."""
    assert model is not None, "L1 needs a model"
    watched = watch_replies(model)
    try:
        # an override, not .options(model=...): each ptool's prompt text is built once per
        # process instead of once per copy
        with ptool_overrides(model=watched):
            trip = extract_trip(problem.prompt)
            total = _traced_total(trip)
    except (SpanError, PToolError) as err:
        return _failed("parse_failure", err, watched.worst_finish_reason)
    except ValueError as err:  # an invented city, a negative size, a fee the tables lack
        return _failed("invalid_value", err, watched.worst_finish_reason)
    return SolverResult(
        TripAnswer(total=total, trip=trip), finish_reason=watched.worst_finish_reason
    )
