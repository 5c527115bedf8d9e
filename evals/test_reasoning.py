"""Reasoning styles: style x dataset x model, on recorded cassettes.

Questions: fixtures/reasoning/<dataset>/test.jsonl (ptp's own hand-written questions in each
dataset's schema, not the datasets' data: fixtures/reasoning/README.md). Answers are judged by
the family's equivalence checker (SymPy for math). The ``reference`` style returns the gold
answer without a model: it runs in every cell and checks the scorer end to end; it is not a
measurement. Oracle over styles vs the best single style, and answer agreement between styles:
``python -m ptp.tasks.reasoning results/<run>`` after a run.

Record (Gemma is a base model: expect near zero on gsm8k and chance on multiple choice; the
numbers are this model's and are labelled so). ``PTP_REASONING_CELLS`` collects cells that
RECORDED does not list yet (``all``, or ``dataset:style`` pairs separated by commas):

    PTP_REASONING_CELLS=all pytest evals/test_reasoning.py -m reasoning --record-mode=once \
        --ptp-model local:gemma-3-270m -n 0 --ptp-results /tmp/rec/results-reasoning

then list the recorded cells in RECORDED (a cell without cassettes fails on replay) and
describe the recording in cassettes/README.md.
"""

from __future__ import annotations

import os
from functools import cache

import pytest

from ptp.tasks import get_family
from ptp.tasks.reasoning import DATASETS, STYLES, shipped_questions

REASONING = get_family("reasoning")
MODELS = ["local:gemma-3-270m"]
STYLE_NAMES = list(STYLES)
REFERENCE = REASONING.exact_solver  # "reference": the gold answer, no model
TASKS_PER_CELL = 4  # the first N questions of each dataset's test file
# The (dataset, style) cells recorded so far (cassettes/README.md); the others select no
# questions. The reference style calls no model and runs in every cell.
RECORDED: dict[str, tuple[str, ...]] = {d: tuple(STYLES) for d in DATASETS}  # all 48 cells
# Cells to collect besides RECORDED, for recording them: "all" or "gsm8k:concise,math:analogies"
TO_RECORD = os.environ.get("PTP_REASONING_CELLS", "").replace(" ", "")
# Row statistics beside accuracy: how often the reply matched the schema, how often no
# answer could be read, how long the reasoning was.
STATS = ["structured", "no_answer", "reasoning_chars"]


@cache
def questions(dataset: str) -> tuple:
    return shipped_questions(dataset)[:TASKS_PER_CELL]


def cell_tasks(cell: dict[str, str]) -> tuple:
    dataset, style = cell["dataset"], cell["style"]
    wanted = TO_RECORD == "all" or f"{dataset}:{style}" in TO_RECORD.split(",")
    if style != REFERENCE and style not in RECORDED.get(dataset, ()) and not wanted:
        return ()
    return questions(dataset)


@pytest.mark.baseline
@pytest.mark.reasoning
@pytest.mark.ptp_grid(
    suite="reasoning",
    axes={"style": [*STYLE_NAMES, REFERENCE], "dataset": list(DATASETS)},
    tasks=cell_tasks,
    models=MODELS,
    compare=[
        ("style", "step_by_step", "concise"),
        ("style", "plan_then_solve", "step_by_step"),
        ("style", "reverse_check", "step_by_step"),
        ("style", "analogies", "step_by_step"),
        ("style", "equations_first", "step_by_step"),
    ],
    reference=(
        "style",
        REFERENCE,
        "reference solver: returns the gold answer (no model); checks the scorer, not a "
        "measurement",
    ),
    stats=STATS,
    caps={f"style={style}": cap for style, cap in REASONING.caps.items()},
)
def test_reasoning(ptp_case, ptp_eval):
    task = ptp_case.task
    with ptp_eval.recording():
        result = REASONING.solvers[ptp_case["style"]](task, ptp_eval.model)
    verdict = REASONING.score(result.answer, task)
    # the reference solver has no reply: its rows carry None (left out of those statistics)
    extra = {"structured": None, "reasoning_chars": None, **result.row_extra()}
    ptp_eval.score(
        verdict, family=REASONING.name, no_answer=int(verdict.metadata["no_answer"]), **extra
    )
