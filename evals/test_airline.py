"""RuleArena airline bag fees: level x model x complexity x style, on recorded cassettes.

Fixtures: fixtures/airline/ (see fixtures/README.md for the commands that wrote them).
Re-record against another model: see README.md, "Re-recording a grid".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ptp.tasks.airline import AirlineProblem, read_fixtures, score_answer
from ptp.tasks.airline._levels import SOLVERS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "airline"


@cache
def problems(difficulty: str, style: str) -> tuple[AirlineProblem, ...]:
    return tuple(read_fixtures(FIXTURES / f"airline-c{difficulty}-{style}.jsonl"))


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="airline",
    axes={
        "level": ["L0", "L1", "L3", "CoT0", "CoT1"],
        "difficulty": ["0", "1", "2"],
        "style": ["template", "paraphrase"],
    },
    tasks=lambda cell: problems(cell["difficulty"], cell["style"]),
    models=["local:gemma-3-270m"],
    compare=[("level", "L1", "L3"), ("level", "L1", "CoT0"), ("level", "L0", "L1")],
)
def test_airline(ptp_case, ptp_eval):
    problem: AirlineProblem = ptp_case.task
    with ptp_eval.recording():
        result = SOLVERS[ptp_case["level"]](problem, ptp_eval.model)
    correct, score = score_answer(result.answer, problem.answer)
    ptp_eval.score(
        answer=result.answer,
        expected=problem.answer,
        score=score,
        correct=correct,
        family="airline",
        failure=result.failure,
        **(result.extra or {}),
    )
