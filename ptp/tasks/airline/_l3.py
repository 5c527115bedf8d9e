"""L3: a ReAct agent with the fee tools."""

from __future__ import annotations

from functools import cache

from ptp.agents import ReActAgent
from ptp.models import Model
from ptp.tasks._family import SolverResult, agent_stop_reason, watch_replies
from ptp.tools import Tool

from ._schema import AirlineProblem
from ._tools import TOOL_FUNCTIONS

__all__ = ["L3_MAX_STEPS", "L3_REPLY_TOKENS", "fee_tools", "solve_level3"]

L3_MAX_STEPS = 6
L3_REPLY_TOKENS = 96

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
