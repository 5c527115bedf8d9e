"""The airline problem solved at each autonomy level, all traced.

- ``L0``: code parses the text and applies the rules (no LLM).
- ``L1``: one ptool extracts the typed trip; Python computes the fee.
- ``L3``: a ReAct agent with the fee tools.
- ``CoT0`` / ``CoT1``: the model reads the policy and computes in prose (the benchmark's own
  set-up), without / with one worked example.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from ptp.agents import ReActAgent
from ptp.models import Model
from ptp.ptool import PToolError, ptool
from ptp.tools import Tool
from ptp.trace import step

from ._cities import CITY_REGION
from ._data import policy_text
from ._l0 import L0ParseError, solve_l0
from ._rules import bag_charges, compute_total
from ._schema import CLASSES, AirlineProblem, Bag, TripInfo
from ._tools import TOOL_FUNCTIONS

# A public benchmark problem (comp_0 line 1, answer $1,245): the one worked example.
EXAMPLE_PROMPT = (
    "Sarah is a Main Cabin Class passenger flying from Orlando to Philadelphia with the "
    "following items:\n1. A backpack: 22 x 13 x 6 inches, 10 lbs;\n2. A luggage box: "
    "44 x 22 x 20 inches, 69 lbs;\n3. A luggage box: 34 x 18 x 12 inches, 51 lbs;\n"
    "4. A backpack: 38 x 22 x 16 inches, 84 lbs;\n5. A backpack: 38 x 14 x 11 inches, "
    "90 lbs;\n\nSarah's flight ticket is $180."
)
EXAMPLE_INFO = TripInfo(
    base_price=180,
    customer_class="Main Cabin",
    routine="U.S.",
    direction=0,
    bag_list=[
        Bag(id=i + 1, name=name, size=size, weight=weight)
        for i, (name, size, weight) in enumerate(
            [
                ("backpack", (22, 13, 6), 10),
                ("luggage box", (44, 22, 20), 69),
                ("luggage box", (34, 18, 12), 51),
                ("backpack", (38, 22, 16), 84),
                ("backpack", (38, 14, 11), 90),
            ]
        )
    ],
)


@dataclass
class LevelAnswer:
    """A solver's answer (None when it gave none) and why it has none."""

    answer: Any
    failure: str | None = None
    extra: dict[str, Any] | None = None


# -- L0 -----------------------------------------------------------------------------------------
_traced_l0 = step(solve_l0)
_traced_total = step(compute_total)


def solve_level0(problem: AirlineProblem, model: Model | None) -> LevelAnswer:
    try:
        return LevelAnswer(_traced_l0(problem.prompt))
    except L0ParseError as err:
        return LevelAnswer(None, f"L0ParseError: {err}")


# -- L1 -----------------------------------------------------------------------------------------
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
    examples=[({"text": EXAMPLE_PROMPT}, _example_trip())], retries=1, temperature=0, max_tokens=400
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


def solve_level1(problem: AirlineProblem, model: Model | None) -> LevelAnswer:
    try:
        trip = extract_trip.options(model=model)(problem.prompt)
        return LevelAnswer(_traced_total(trip_info(trip)))
    except PToolError as err:
        return LevelAnswer(None, f"PToolError: {err}")
    except ValueError as err:  # a city or class the model invented
        return LevelAnswer(None, f"{type(err).__name__}: {str(err)[:300]}")


# -- L3 -----------------------------------------------------------------------------------------
L3_INSTRUCTIONS = """You compute what a passenger pays in total: the ticket plus checked-bag fees.
The first item listed is a carry-on and is free; every other item is a checked bag.
For each checked bag (positions 1, 2, 3, ...): its base fee for that position, plus the larger
of its oversize fee and its overweight fee (a bag whose base fee is 0 is complimentary).
Find the region with region_of(city) for the non-U.S. city (direction 0 when the trip leaves
the U.S., 1 when it arrives; U.S. trips use region "U.S." and direction 0).
Add everything with calculator and finish with final_answer(total)."""


def solve_level3(problem: AirlineProblem, model: Model | None, max_steps: int = 6) -> LevelAnswer:
    assert model is not None, "L3 needs a model"
    tools = [Tool.from_function(fn) for fn in TOOL_FUNCTIONS]
    agent = ReActAgent(
        model, tools, L3_INSTRUCTIONS, max_steps=max_steps,
        params={"temperature": 0, "max_tokens": 96},
    )  # fmt: skip
    result = agent.run(problem.prompt)
    failure = None if result.finished else result.stop_reason
    return LevelAnswer(result.answer, failure, {"stop_reason": result.stop_reason})


# -- CoT ----------------------------------------------------------------------------------------
COT_INSTRUCTIONS = (
    "You are given the airline's baggage policy and a passenger's trip. Compute the total the "
    "passenger pays (ticket plus all bag fees). Think step by step, then end with the line: "
    "The total cost is $<amount>."
)


def worked_solution(info: TripInfo) -> str:
    """A step-by-step solution written from the rules (used as the 1-shot demonstration)."""
    lines = [f"The ticket costs ${info.base_price}. Item 1 is the carry-on and is free."]
    for number, charge in enumerate(bag_charges(info), start=2):
        violation = max(charge.oversize, charge.overweight)
        lines.append(
            f"Item {number} is checked bag {charge.position}: base fee ${charge.base}, "
            f"oversize fee ${charge.oversize}, overweight fee ${charge.overweight}, so "
            f"${charge.base} + ${violation} = ${charge.total}."
        )
    lines.append(f"The total cost is ${compute_total(info)}.")
    return "\n".join(lines)


def cot_messages(problem: AirlineProblem, shots: int) -> list[dict[str, str]]:
    system = f"{COT_INSTRUCTIONS}\n\n# Policy\n{policy_text('table')}"
    messages = [{"role": "system", "content": system}]
    if shots:
        messages += [
            {"role": "user", "content": EXAMPLE_PROMPT},
            {"role": "assistant", "content": worked_solution(EXAMPLE_INFO)},
        ]
    return [*messages, {"role": "user", "content": problem.prompt}]


def solve_cot(problem: AirlineProblem, model: Model | None, shots: int) -> LevelAnswer:
    assert model is not None, "CoT needs a model"
    reply = model.chat(cot_messages(problem, shots), temperature=0, max_tokens=256)
    return LevelAnswer(reply.text, None, {"finish_reason": reply.finish_reason})


SOLVERS: dict[str, Callable[[AirlineProblem, Model | None], LevelAnswer]] = {
    "L0": solve_level0,
    "L1": solve_level1,
    "L3": solve_level3,
    "CoT0": lambda problem, model: solve_cot(problem, model, shots=0),
    "CoT1": lambda problem, model: solve_cot(problem, model, shots=1),
}
