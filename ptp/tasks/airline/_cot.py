"""CoT0 / CoT1: the model reads the policy and computes in prose (the benchmark's own set-up),
without / with one worked example."""

from __future__ import annotations

from functools import cache

from ptp.models import Model, ModelCallError
from ptp.tasks._family import SolverResult

from ._data import policy_text
from ._example import EXAMPLE_INFO, EXAMPLE_PROMPT
from ._rules import bag_charges, compute_total
from ._schema import AirlineProblem, TripInfo

__all__ = [
    "COT_MAX_TOKENS",
    "cot_messages",
    "solve_cot",
    "solve_cot0",
    "solve_cot1",
    "worked_solution",
]

COT_MAX_TOKENS = 1536
"""Reply budget of a CoT answer (the issue asks for >= 1,536 where the context allows). The
one-shot solution of a 10-bag trip is about 1,100 characters (a few hundred tokens); a model
that explains each rule as it goes needs several times that. Measured on complexity-0 task 0,
the CoT0 prompt is 4,399 tokens for Gemma and 4,434 for SmolLM2; the worked example of CoT1
adds about 370 (Gemma, earlier recordings), so prompt plus budget fit the embedded models'
8,192-token context. A provider that refuses the request gives a ``model_error`` row."""

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
    try:
        reply = model.chat(cot_messages(problem, shots), temperature=0, max_tokens=COT_MAX_TOKENS)
    except ModelCallError as err:  # e.g. the prompt plus the budget exceed the context
        return SolverResult(None, "model_error", failure=f"ModelCallError: {str(err)[:300]}")
    stop = "length" if reply.finish_reason == "length" else "answered"
    return SolverResult(reply.text, stop, reply.finish_reason)


def solve_cot0(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """CoT without a worked example."""
    return solve_cot(problem, model, shots=0)


def solve_cot1(problem: AirlineProblem, model: Model | None) -> SolverResult:
    """CoT with the one worked example."""
    return solve_cot(problem, model, shots=1)
