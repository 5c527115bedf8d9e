"""The airline problem solved at each autonomy level, all traced.

- ``L0``: code parses the text and applies the rules (no LLM). On generated problems it is
  the reference solver: it shares the rules that computed the expected answer.
- ``L1``: typed ptools extract the trip; Python computes the fee (``_l1.py``).
- ``L3``: a ReAct agent with the fee tools (``_l3.py``).
- ``CoT0`` / ``CoT1``: the model reads the policy and computes in prose (the benchmark's own
  set-up), without / with one worked example (``_cot.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ptp.agents import MAX_ACTIONS, MAX_FAILURES
from ptp.models import Model
from ptp.tasks._family import Solver, SolverResult
from ptp.trace import step

from ._cot import COT_MAX_TOKENS, cot_messages, solve_cot, solve_cot0, solve_cot1, worked_solution
from ._l0 import L0ParseError, parse_prompt
from ._l1 import L1_MAX_TOKENS, L1_RETRIES, extract_trip, solve_level1
from ._l3 import (
    L3_REPLY_TOKENS,
    L3_STEP_RULE,
    L3_TOKEN_RULE,
    fee_tools,
    l3_step_budget,
    solve_level3,
)
from ._rules import compute_total
from ._schema import AirlineProblem
from ._score import TripAnswer

__all__ = [
    "CAPS",
    "COT_MAX_TOKENS",
    "L1_MAX_TOKENS",
    "L1_RETRIES",
    "L3_REPLY_TOKENS",
    "L3_STEP_RULE",
    "L3_TOKEN_RULE",
    "SOLVERS",
    "cot_messages",
    "extract_trip",
    "fee_tools",
    "l3_step_budget",
    "solve_cot",
    "solve_level0",
    "solve_level1",
    "solve_level3",
    "worked_solution",
]

# -- L0 -----------------------------------------------------------------------------------------
_traced_parse = step(parse_prompt)
_traced_total = step(compute_total)


def solve_level0(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """Parse the template wording and apply the rules; ``model`` is not used. The answer is
    a :class:`TripAnswer`, so the trip L0 read is scored like L1's."""
    try:
        trip = _traced_parse(problem.prompt)
        total = _traced_total(trip)
    except L0ParseError as err:
        return SolverResult(TripAnswer(), "parse_failure", failure=f"L0ParseError: {err}")
    except ValueError as err:  # a trip outside the benchmark's fee tables (Cuba, 3+ bags)
        return SolverResult(TripAnswer(), "invalid_value", failure=f"ValueError: {err}")
    return SolverResult(TripAnswer(total=total, trip=trip))


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
        f"1 header call + 1 call per item; per call: re-asks {L1_RETRIES} "
        f"(retries={L1_RETRIES}), reply limit {L1_MAX_TOKENS} tokens (max_tokens={L1_MAX_TOKENS})"
    ),
    "L3": (
        f"step limit {L3_STEP_RULE} replies (checked_bags = items after the carry-on); reply "
        f"limit {L3_REPLY_TOKENS} tokens (max_tokens={L3_REPLY_TOKENS}), up to {MAX_ACTIONS} "
        f"actions a reply; token budget {L3_TOKEN_RULE} a case; stops after {MAX_FAILURES} "
        "unreadable or all-failing replies in a row"
    ),
    "CoT0": _COT_CAP,
    "CoT1": _COT_CAP,
}
"""The settings that cap each level, in words with the numbers the solvers use."""
