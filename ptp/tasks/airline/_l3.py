"""L3: a ReAct agent with the fee tools, its budget derived from the trip.

A correct run calls region_of once, base_fee, oversize_fee and overweight_fee once per
checked bag, the calculator once and final_answer: ``3 * checked_bags + 3`` actions. With one
action a reply (text mode) that many replies are needed, so the step budget,
:func:`l3_step_budget`, is that plus 2 replies to recover from errors.
"""

from __future__ import annotations

from functools import cache

from ptp.agents import ReActAgent
from ptp.models import Model
from ptp.tasks._family import SolverResult, agent_stop_reason, watch_replies
from ptp.tools import Tool

from ._schema import AirlineProblem, TripInfo
from ._tools import TOOL_FUNCTIONS

__all__ = [
    "L3_REPLY_TOKENS",
    "L3_STEP_RULE",
    "L3_TOKENS_PER_STEP",
    "L3_TOKEN_RULE",
    "fee_tools",
    "l3_step_budget",
    "l3_token_budget",
    "solve_level3",
]

L3_STEP_RULE = "3 * checked_bags + 5"
"""The step budget in words (checked_bags: the items after the first, the carry-on)."""
L3_TOKENS_PER_STEP = 6_000
"""Token budget per allowed step (prompt + completion, summed over the run's calls). Measured
with the Gemma tokenizer on scripted worst-case runs (the longest complexity-2 paraphrase, 35
replies with one action each): 62,947 tokens in text mode, 82,047 with JSON actions, 107,625
with native tool calls; 6,000 * 35 = 210,000 leaves about 2x headroom."""
L3_TOKEN_RULE = f"{L3_TOKENS_PER_STEP:,} * step budget"
L3_REPLY_TOKENS = 512
"""Per-reply limit: a thought plus up to ``MAX_ACTIONS`` JSON actions or native calls (an
8-action JSON reply with a short thought measured 331 Gemma tokens)."""
L3_INSTRUCTIONS = """You compute what a passenger pays in total: the ticket plus checked-bag fees.
The first item listed is a carry-on and is free; every other item is a checked bag.
For each checked bag (positions 1, 2, 3, ...): its base fee for that position, plus the larger
of its oversize fee and its overweight fee (a bag whose base fee is 0 is complimentary).
Find the region with region_of(city) for the non-U.S. city (direction 0 when the trip leaves
the U.S., 1 when it arrives; U.S. trips use region "U.S." and direction 0).
Add everything with calculator and finish with final_answer(total)."""


def l3_step_budget(trip: AirlineProblem | TripInfo) -> int:
    """Replies an L3 run may use: ``3 * checked_bags + 5`` (:data:`L3_STEP_RULE`)."""
    info = trip.info if isinstance(trip, AirlineProblem) else trip
    return 3 * (len(info.bag_list) - 1) + 5


def l3_token_budget(steps: int) -> int:
    """Prompt + completion tokens an L3 run of ``steps`` replies may use (:data:`L3_TOKEN_RULE`)."""
    return L3_TOKENS_PER_STEP * steps


@cache
def fee_tools() -> tuple[Tool, ...]:
    """The L3 agent's tools (stateless, so built once per process)."""
    return tuple(Tool.from_function(fn) for fn in TOOL_FUNCTIONS)


def solve_level3(
    problem: AirlineProblem, model: Model | None, max_steps: int | None = None
) -> SolverResult:
    """A ReAct agent with the fee tools, at most ``max_steps`` replies (default: the
    problem's :func:`l3_step_budget`) and :func:`l3_token_budget` tokens."""
    assert model is not None, "L3 needs a model"
    steps = l3_step_budget(problem) if max_steps is None else max_steps
    watched = watch_replies(model)
    agent = ReActAgent(
        watched, list(fee_tools()), L3_INSTRUCTIONS, max_steps=steps,
        max_tokens=l3_token_budget(steps), answer_schema={"type": "number"},
        params={"temperature": 0, "max_tokens": L3_REPLY_TOKENS},
    )  # fmt: skip
    result = agent.run(problem.prompt)
    failure = None if result.finished else (result.error or result.stop_reason)
    extra = {"step_budget": steps, **result.stats()}
    stop = agent_stop_reason(result.stop_reason)
    return SolverResult(result.answer, stop, watched.finish_reason, failure, extra)
