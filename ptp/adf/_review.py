"""The reviewer: a ptool whose typed verdict has one yes/no field per rubric criterion (so a
schema-constrained reply must judge each) and short feedback for the teacher."""

# no ``from __future__ import annotations``: the verdict types are built at run time and the
# ptool reads its return type from the stub's annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from ptp.ptool import PTool, ptool, ptool_overrides
from ptp.tasks.scenarios import ScenarioTemplate

__all__ = ["FEEDBACK_CHARS", "Review", "review_score", "reviewer_for", "run_review"]

FEEDBACK_CHARS = 300


class Review(BaseModel):
    """A verdict read back: criteria met, the weighted score, the feedback."""

    criteria: dict[str, bool]
    score: float
    feedback: str


@cache
def reviewer_for(template: ScenarioTemplate) -> PTool[Any]:
    """The review ptool of a scenario (one per template: its verdict type names the rubric)."""
    fields: dict[str, Any] = {
        c.name: (bool, Field(description=f"true when the transcript shows: {c.description}"))
        for c in template.rubric
    }
    fields["feedback"] = (
        str,
        Field(
            max_length=FEEDBACK_CHARS,
            description="what the agent should do differently; empty when every criterion is met",
        ),
    )
    verdict = create_model(f"Verdict_{template.name.replace('-', '_')}", **fields)

    def review_trace(goal: str, rubric: str, transcript: str) -> Any:
        """You review a support agent's run against a rubric. For each criterion, answer true
        only when the transcript shows it was met, else false. Judge what the transcript
        shows, not what the agent claims. Then give short feedback for the agent."""

    review_trace.__annotations__ = {
        "goal": str,
        "rubric": str,
        "transcript": str,
        "return": verdict,
    }
    return ptool(temperature=0, retries=1)(review_trace)


def review_score(template: ScenarioTemplate, criteria: dict[str, bool]) -> float:
    """The weighted share of criteria met (a criterion missing from the verdict is not met)."""
    total = sum(c.weight for c in template.rubric)
    return sum(c.weight for c in template.rubric if criteria.get(c.name)) / total


def run_review(template: ScenarioTemplate, transcript: str, model: Any) -> Review:
    """``model``'s review of a transcript.

    Raises:
        ptp.ptool.PToolError: the reply never matched the verdict type; ModelError.
    """
    with ptool_overrides(model=model):
        verdict = reviewer_for(template)(template.goal, template.rubric_text(), transcript)
    values = verdict.model_dump()
    feedback = str(values.pop("feedback", "")).strip()
    criteria = {name: bool(values.get(name)) for name in (c.name for c in template.rubric)}
    return Review(criteria=criteria, score=review_score(template, criteria), feedback=feedback)
