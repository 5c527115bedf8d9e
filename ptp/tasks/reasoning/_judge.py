"""An optional LLM judge of reasoning validity: a reviewer ptool with a typed verdict, used
to keep only sound solutions in the correct-only logs (a right answer reached by a wrong
argument is a bad training trace).

    verdict = review(task, reply.reasoning, reply.answer, judge_model)   # None: no verdict
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ptp.models import Model, ModelCallError
from ptp.ptool import PToolError, ptool, ptool_overrides

from ._prompts import core_prompt
from ._schema import ReasoningTask

__all__ = ["Verdict", "review", "review_reasoning"]


class Verdict(BaseModel):
    """The reviewer's judgment of one solution."""

    valid: bool = Field(
        description="true when every step follows from the question and the steps before it, "
        "and the steps arrive at the stated answer"
    )
    problem: str = Field(
        default="", max_length=300, description="the first flawed step; empty when valid"
    )


@ptool(temperature=0, max_tokens=256, retries=1)
def review_reasoning(question: str, reasoning: str, answer: str) -> Verdict:
    """You review a worked solution. Decide whether its reasoning is valid: each step follows
    from the question and the earlier steps, there is no arithmetic or factual error, and
    the steps arrive at the stated answer. A right answer reached by a flawed argument, or
    stated without any argument, is not valid."""


def review(
    task: ReasoningTask, reasoning: str | None, answer: str | None, model: Model
) -> Verdict | None:
    """``model``'s verdict on a solution of ``task``; None when it gave no usable verdict
    (a reply that never matched :class:`Verdict`, a model error)."""
    try:
        with ptool_overrides(model=model):
            return review_reasoning(core_prompt(task), reasoning or "", answer or "")
    except (PToolError, ModelCallError):
        return None
