"""Reasoning styles as data: an instruction that wraps the dataset's core prompt, and the
reply budget the style needs.

To add a style, add a :class:`Style` to :data:`STYLES`; solvers, runs and the eval grid
pick it up by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["STYLES", "Style"]


@dataclass(frozen=True)
class Style:
    """One way of reasoning.

    Attributes:
        name: the solver's name and the grid's ``style`` value.
        instruction: what the model is told to do in its ``reasoning`` field.
        max_tokens: the reply budget (reasoning plus the JSON around it): long styles need
            ~1,000 tokens, a concise one a few hundred.
        summary: one line for reports.
    """

    name: str
    instruction: str
    max_tokens: int
    summary: str


_ALL = (
    Style(
        "step_by_step",
        "Think step by step: in `reasoning`, work through the question one small step at a "
        "time, stating each intermediate result.",
        1024,
        "step-by-step chain of thought",
    ),
    Style(
        "plan_then_solve",
        "In `reasoning`, first write a short numbered plan of the steps needed to answer, "
        "then carry out the plan step by step.",
        1024,
        "a plan, then its execution",
    ),
    Style(
        "reverse_check",
        "In `reasoning`, solve the question, then check the answer by working backwards from "
        "it to the facts given; if the check fails, correct the answer before writing it.",
        1024,
        "solve, then verify backwards",
    ),
    Style(
        "analogies",
        "In `reasoning`, first recall one or two similar questions you know and how they are "
        "solved, then solve this question the same way.",
        1024,
        "reason from analogous problems",
    ),
    Style(
        "equations_first",
        "In `reasoning`, before any explanation, translate the question into equations or "
        "precise statements (name each quantity or fact, write the relations between them), "
        "then solve them.",
        768,
        "formalize first, then solve",
    ),
    Style(
        "concise",
        "Keep `reasoning` to at most three short sentences with only the essential steps.",
        256,
        "brief reasoning",
    ),
)

STYLES: MappingProxyType[str, Style] = MappingProxyType({s.name: s for s in _ALL})
"""Style name -> :class:`Style`, in a fixed order (the grid's and the logs')."""
