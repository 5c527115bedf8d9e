"""The airline problem solved at each autonomy level, all traced.

- ``L0``: code parses the text and applies the rules (no LLM). On generated problems it is
  the reference solver: it shares the rules that computed the expected answer.
- ``L1``: one ptool extracts the typed trip; Python computes the fee.
- ``L3``: a ReAct agent with the fee tools.
- ``CoT0`` / ``CoT1``: the model reads the policy and computes in prose (the benchmark's own
  set-up), without / with one worked example.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel, Field

from ptp.agents import ReActAgent
from ptp.models import Model
from ptp.ptool import PToolError, ptool, ptool_overrides
from ptp.tasks._family import Solver, SolverResult, agent_stop_reason, watch_replies
from ptp.tools import Tool
from ptp.trace import step

from ._cities import CITY_REGION
from ._data import policy_text
from ._l0 import L0ParseError, solve_l0
from ._rules import bag_charges, compute_total
from ._schema import CLASSES, AirlineProblem, Bag, TripInfo
from ._tools import TOOL_FUNCTIONS

__all__ = [
    "CAPS",
    "COT_MAX_TOKENS",
    "L1_MAX_TOKENS",
    "L1_RETRIES",
    "L3_MAX_STEPS",
    "L3_REPLY_TOKENS",
    "SOLVERS",
    "cot_messages",
    "extract_trip",
    "solve_cot",
    "solve_level0",
    "solve_level1",
    "solve_level3",
    "worked_solution",
]

# The settings that cap each level (the recorded cassettes were made with exactly these).
L1_RETRIES = 1  # re-asks after a reply that does not parse or validate
L1_MAX_TOKENS = 400
L3_MAX_STEPS = 6
L3_REPLY_TOKENS = 96
COT_MAX_TOKENS = 256

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


# -- L0 -----------------------------------------------------------------------------------------
_traced_l0 = step(solve_l0)
_traced_total = step(compute_total)


def solve_level0(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """Parse the template wording and apply the rules; ``model`` is not used."""
    try:
        return SolverResult(_traced_l0(problem.prompt))
    except L0ParseError as err:
        return SolverResult(None, "parse_failure", failure=f"L0ParseError: {err}")


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


# -- L3 -----------------------------------------------------------------------------------------
L3_INSTRUCTIONS = """You compute what a passenger pays in total: the ticket plus checked-bag fees.
The first item listed is a carry-on and is free; every other item is a checked bag.
For each checked bag (positions 1, 2, 3, ...): its base fee for that position, plus the larger
of its oversize fee and its overweight fee (a bag whose base fee is 0 is complimentary).
Find the region with region_of(city) for the non-U.S. city (direction 0 when the trip leaves
the U.S., 1 when it arrives; U.S. trips use region "U.S." and direction 0).
Add everything with calculator and finish with final_answer(total)."""


@cache
def fee_tools() -> tuple[Tool, ...]:
    """The L3 agent's tools (stateless, so built once per process)."""
    return tuple(Tool.from_function(fn) for fn in TOOL_FUNCTIONS)


def solve_level3(
    problem: AirlineProblem, model: Model | None, max_steps: int = L3_MAX_STEPS
) -> SolverResult:
    """A ReAct agent with the fee tools, at most ``max_steps`` replies."""
    assert model is not None, "L3 needs a model"
    watched = watch_replies(model)
    agent = ReActAgent(
        watched, list(fee_tools()), L3_INSTRUCTIONS, max_steps=max_steps,
        params={"temperature": 0, "max_tokens": L3_REPLY_TOKENS},
    )  # fmt: skip
    result = agent.run(problem.prompt)
    failure = None if result.finished else result.stop_reason
    return SolverResult(
        result.answer, agent_stop_reason(result.stop_reason), watched.finish_reason, failure
    )


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


@cache
def _cot_preamble(shots: int) -> tuple[dict[str, str], ...]:
    # the policy text and the worked example are the same for every problem: built once
    system = f"{COT_INSTRUCTIONS}\n\n# Policy\n{policy_text('table')}"
    messages = [{"role": "system", "content": system}]
    if shots:
        messages += [
            {"role": "user", "content": EXAMPLE_PROMPT},
            {"role": "assistant", "content": worked_solution(EXAMPLE_INFO)},
        ]
    return tuple(messages)


def cot_messages(problem: AirlineProblem, shots: int) -> list[dict[str, str]]:
    """The CoT chat: policy and instructions, ``shots`` worked examples (0 or 1), the problem."""
    return [*(dict(m) for m in _cot_preamble(shots)), {"role": "user", "content": problem.prompt}]


def solve_cot(problem: AirlineProblem, model: Model | None, shots: int) -> SolverResult:
    """One reply that reasons in prose and ends with the total."""
    assert model is not None, "CoT needs a model"
    reply = model.chat(cot_messages(problem, shots), temperature=0, max_tokens=COT_MAX_TOKENS)
    stop = "length" if reply.finish_reason == "length" else "answered"
    return SolverResult(reply.text, stop, reply.finish_reason)


def solve_cot0(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """CoT without a worked example."""
    return solve_cot(problem, model, shots=0)


def solve_cot1(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """CoT with the one worked example."""
    return solve_cot(problem, model, shots=1)


SOLVERS: Mapping[str, Solver] = {
    "L0": solve_level0,
    "L1": solve_level1,
    "L3": solve_level3,
    "CoT0": solve_cot0,
    "CoT1": solve_cot1,
}
"""The autonomy levels, by name."""

_COT_CAP = f"reply limit {COT_MAX_TOKENS} tokens (max_tokens={COT_MAX_TOKENS})"
CAPS: Mapping[str, str] = {
    "L1": (
        f"re-asks {L1_RETRIES} (retries={L1_RETRIES}); reply limit {L1_MAX_TOKENS} tokens "
        f"(max_tokens={L1_MAX_TOKENS})"
    ),
    "L3": (
        f"step limit {L3_MAX_STEPS} (max_steps={L3_MAX_STEPS}); reply limit {L3_REPLY_TOKENS} "
        f"tokens (max_tokens={L3_REPLY_TOKENS}); token budget {ReActAgent.max_tokens:,} a case"
    ),
    "CoT0": _COT_CAP,
    "CoT1": _COT_CAP,
}
"""The settings that cap each level, in words with the numbers the solvers use."""
