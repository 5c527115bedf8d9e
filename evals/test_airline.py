"""RuleArena airline bag fees: level x model x complexity x style, on recorded cassettes.

Fixtures: fixtures/airline/ (see fixtures/README.md for the commands that wrote them).
Re-record against another model: see README.md, "Re-recording a grid".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ptp.tasks import get_family

AIRLINE = get_family("airline")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "airline"


@cache
def problems(complexity: str, style: str) -> tuple:
    name = AIRLINE.fixture_name(complexity=int(complexity), style=style)
    return tuple(AIRLINE.read_fixtures(FIXTURES / name))


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="airline",
    axes={
        "level": ["L0", "L1", "L3", "CoT0", "CoT1"],
        "complexity": ["0", "1", "2"],
        "style": ["template", "paraphrase"],
    },
    tasks=lambda cell: problems(cell["complexity"], cell["style"]),
    models=["local:gemma-3-270m"],
    compare=[("level", "L1", "L3"), ("level", "L1", "CoT0"), ("level", "L0", "L1")],
    reference=(
        "level",
        AIRLINE.exact_solver,
        "reference solver: L0 parses the template and applies the same fee rules that computed "
        "the expected totals (correct by construction on template wording, no LLM); on "
        "paraphrases it is measured like any level",
        {"style": "template"},
    ),
    caps={f"level={level}": cap for level, cap in AIRLINE.caps.items()},
)
def test_airline(ptp_case, ptp_eval):
    problem = ptp_case.task
    with ptp_eval.recording():
        result = AIRLINE.solvers[ptp_case["level"]](problem, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, problem)
    ptp_eval.score(verdict, family=AIRLINE.name, **result.row_extra())
