"""RuleArena airline bag fees: level x model x complexity x style, on recorded cassettes.

Fixtures: fixtures/airline/ (see fixtures/README.md for the commands that wrote them). The
``rulearena`` style is the benchmark's own text (complexity 0 only): prompts no generator of
ours wrote. Re-record against another model: see README.md, "Re-recording a grid".
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from ptp.tasks import get_family

AIRLINE = get_family("airline")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "airline"


MODELS = ["local:gemma-3-270m", "local:smollm2-135m"]
STYLES = ["template", "paraphrase", "rulearena"]
LEVELS_WITH_LLM = ["L1", "L3", "CoT0", "CoT1"]
# Tasks per cell, by complexity: the first N of each fixture file (the sizes). generate(n)
# is a prefix of generate(n + k), so a larger N needs only new recordings.
TASKS_PER_CELL = {"0": 20, "1": 8, "2": 8}
# The LLM cells recorded, (level, complexity) -> styles (cassettes/README.md); the others are
# not collected. L0 calls no model and runs in every cell.
RECORDED = {
    **{(level, "0"): ("template", "paraphrase", "rulearena") for level in LEVELS_WITH_LLM},
    **{(level, c): ("template", "paraphrase") for level in LEVELS_WITH_LLM for c in "12"},
}
# Cells to collect besides RECORDED, for recording them (scripts/record_grids.sh):
# "level:complexity:style" triples separated by commas, e.g. "L3:1:template,L3:1:paraphrase"
TO_RECORD = set(os.environ.get("PTP_AIRLINE_CELLS", "").replace(" ", "").split(","))
# Statistics beside the exact fee: how much of the trip a level read right (L0 and L1 read a
# trip; L3 and CoT do not, so theirs are n/a), and exact fees computed from a wrong trip.
STATS = ["field_accuracy", "items_exact", "trip_exact", "right_fee_wrong_trip", "steps"]


@cache
def problems(complexity: str, style: str) -> tuple:
    if style == "rulearena" and complexity != "0":
        return ()  # the benchmark's level-0 problems only
    name = AIRLINE.fixture_name(complexity=int(complexity), style=style)
    return tuple(AIRLINE.read_fixtures(FIXTURES / name))


def cell_tasks(cell: dict[str, str]) -> tuple:
    level, complexity, style = cell["level"], cell["complexity"], cell["style"]
    wanted = f"{level}:{complexity}:{style}" in TO_RECORD
    if level != "L0" and style not in RECORDED.get((level, complexity), ()) and not wanted:
        return ()
    return problems(complexity, style)[: TASKS_PER_CELL[complexity]]


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="airline",
    axes={
        "level": ["L0", "L1", "L3", "CoT0", "CoT1"],
        "complexity": ["0", "1", "2"],
        "style": STYLES,
    },
    tasks=cell_tasks,
    models=MODELS,
    compare=[
        ("level", "L1", "L3"),
        ("level", "L0", "L1"),
        ("level", "L1", "CoT0"),
        ("model", *MODELS),
    ],
    reference=(
        "level",
        AIRLINE.exact_solver,
        "reference solver: L0 parses the template and applies the same fee rules that computed "
        "the expected totals (correct by construction on template wording, no LLM); on "
        "paraphrases it is measured like any level",
        {"style": "template"},
    ),
    stats=STATS,
    caps={f"level={level}": cap for level, cap in AIRLINE.caps.items()},
)
def test_airline(ptp_case, ptp_eval):
    problem = ptp_case.task
    with ptp_eval.recording():
        result = AIRLINE.solvers[ptp_case["level"]](problem, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, problem)
    ptp_eval.score(verdict, family=AIRLINE.name, **result.row_extra())
