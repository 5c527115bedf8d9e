"""Students (marker ``baseline``): the airline extraction student
(``local:smollm2-135m+airline-extract``, SmolLM2-135M-Instruct with a LoRA adapter trained by
``python -m training.airline_student`` on expert-policy L1 traces, i.e. the generator's facts
as written) against its base model's few-shot L1, paired by task, on held-out tasks: the
grid's paraphrases (generator seed 2026; the student trained on seed 101) and the real
RuleArena level-0 prompts.

The base model's cells replay the airline grid's own cassettes (same case ids); the student's
cells have theirs in cassettes/test_students/. Record them (the adapter must be in
ptp/models/adapters/) with
``pytest evals/test_students.py --record-mode=once -n 0 -k airline-extract``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_airline import STATS, TASKS_PER_CELL, problems

from ptp.tasks import get_family

AIRLINE = get_family("airline")
BASE, STUDENT = "local:smollm2-135m", "local:smollm2-135m+airline-extract"
STYLES = ["paraphrase", "rulearena"]
# The student cells recorded so far (cassettes/README.md); a style not listed collects nothing.
RECORDED: tuple[str, ...] = ("paraphrase", "rulearena")


def cell_tasks(cell: dict[str, str]) -> tuple:
    if cell["style"] not in RECORDED:
        return ()
    return problems("0", cell["style"])[: TASKS_PER_CELL["0"]]


@pytest.fixture
def vcr_cassette_dir(request) -> str:
    """The base model's cases replay the airline grid's cassettes (their case ids match)."""
    callspec = getattr(request.node, "callspec", None)
    case = callspec.params.get("ptp_case") if callspec else None
    own = "test_students" if case is not None and case.model == STUDENT else "test_airline"
    return str(Path(request.config.rootpath) / "cassettes" / own)


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="airline-student",
    axes={"level": ["L1"], "complexity": ["0"], "style": STYLES},
    tasks=cell_tasks,
    models=[BASE, STUDENT],
    compare=[("model", BASE, STUDENT)],
    stats=STATS,
    caps={"level=L1": AIRLINE.caps["L1"]},
)
def test_students(ptp_case, ptp_eval):
    problem = ptp_case.task
    with ptp_eval.recording():
        result = AIRLINE.solvers["L1"](problem, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, problem)
    ptp_eval.score(verdict, family=AIRLINE.name, **result.row_extra())
