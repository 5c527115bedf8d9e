"""L1: one ptool extracts the typed trip; Python computes the fee."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ptp.models import Model
from ptp.ptool import PToolError, ptool, ptool_overrides
from ptp.tasks._family import SolverResult, watch_replies
from ptp.trace import step

from ._cities import CITY_REGION
from ._example import EXAMPLE_INFO, EXAMPLE_PROMPT
from ._rules import compute_total
from ._schema import CLASSES, AirlineProblem, Bag, TripInfo

__all__ = ["L1_MAX_TOKENS", "L1_RETRIES", "Item", "Trip", "extract_trip", "solve_level1"]

L1_RETRIES = 1  # re-asks after a reply that does not parse or validate
L1_MAX_TOKENS = 400

_traced_total = step(compute_total)


class Item(BaseModel):
    """One item the passenger brings, in inches and pounds."""

    length_in: float
    width_in: float
    height_in: float
    weight_lb: float


class Trip(BaseModel):
    """What the L1 ptool reads from the problem text."""

    customer_class: str = Field(description="one of: " + ", ".join(CLASSES))
    origin_city: str
    destination_city: str
    ticket_usd: float
    items: list[Item] = Field(description="every item in the order given; the first is carry-on")


def _example_trip() -> Trip:
    items = [
        Item(length_in=b.size[0], width_in=b.size[1], height_in=b.size[2], weight_lb=b.weight)
        for b in EXAMPLE_INFO.bag_list
    ]
    return Trip(
        customer_class="Main Cabin",
        origin_city="Orlando",
        destination_city="Philadelphia",
        ticket_usd=180,
        items=items,
    )


@ptool(
    examples=[({"text": EXAMPLE_PROMPT}, _example_trip())],
    retries=L1_RETRIES,
    temperature=0,
    max_tokens=L1_MAX_TOKENS,
)
def extract_trip(text: str) -> Trip:
    """Read the passenger's cabin class, origin and destination cities, ticket price and every
    item they bring (carry-on first, then checked bags), converting sizes to inches and
    weights to pounds."""


@step
def trip_info(trip: Trip) -> TripInfo:
    """Python part of L1: cities to region and direction, then the benchmark's schema."""
    origin = CITY_REGION.get(trip.origin_city.strip())
    destination = CITY_REGION.get(trip.destination_city.strip())
    if origin is None or destination is None:
        unknown = trip.origin_city if origin is None else trip.destination_city
        raise ValueError(f"unknown city {unknown!r}")
    direction = 0 if origin == "U.S." else 1
    routine = destination if direction == 0 else origin
    # Models often write "Business Class" for "Business": accept the class name either way.
    customer_class = trip.customer_class.strip().removesuffix(" Class").removesuffix(" class")
    bags = [
        Bag(
            id=i + 1,
            name="item",
            size=(round(b.length_in), round(b.width_in), round(b.height_in)),
            weight=round(b.weight_lb),
        )
        for i, b in enumerate(trip.items)
    ]
    return TripInfo.model_validate(
        {
            "base_price": round(trip.ticket_usd),
            "customer_class": customer_class,
            "routine": routine,
            "direction": direction,
            "bag_list": bags,
        }
    )


def solve_level1(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """One ptool call extracts the trip (re-asked once if unusable); Python computes the total."""
    assert model is not None, "L1 needs a model"
    watched = watch_replies(model)
    try:
        # an override, not .options(model=...): the ptool's prompt text is built once per
        # process instead of once per copy
        with ptool_overrides(model=watched):
            trip = extract_trip(problem.prompt)
        return SolverResult(_traced_total(trip_info(trip)), finish_reason=watched.finish_reason)
    except PToolError as err:
        return SolverResult(
            None, "parse_failure", watched.finish_reason, failure=f"PToolError: {err}"
        )
    except ValueError as err:  # a city or class the model invented
        return SolverResult(
            None,
            "invalid_value",
            watched.finish_reason,
            failure=f"{type(err).__name__}: {str(err)[:300]}",
        )
